//! The `iryo-mock` binary started on free ports, and schemathesis against it.

use super::*;

pub(super) fn build_mock(layout: &Layout) -> Result<(String, PathBuf), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    run_tool(
        layout
            .command(cargo)
            .args(["build", "--quiet", "-p", "iryo-mock", "--bin", "iryo-mock"])
            .args(["-p", "iryo-cli", "--bin", "iryo"]),
        Duration::from_secs(1800),
    )?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| layout.root.join("target"));
    let binary = target.join("debug/iryo-mock");
    if !binary.is_file() {
        return Err(format!("{} was not built", binary.display()));
    }
    Ok(("built".to_owned(), binary))
}

/// A mock server process, killed when dropped.
pub(crate) struct Mock {
    child: Child,
    pub(crate) url: String,
}

impl Mock {
    /// Starts `iryo-mock <kind> --port 0`, reads the URL it prints and waits until it accepts
    /// connections.
    pub(crate) fn start(binary: &Path, kind: &str) -> Result<Mock, String> {
        let mut child = Command::new(binary)
            .args([kind, "--port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("could not start {}: {e}", binary.display()))?;
        let stdout = child.stdout.take().expect("piped");
        let (sender, receiver) = mpsc::channel();
        // Reads the first URL, then keeps draining so the mock never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if !sent && let Some(start) = line.find("http://") {
                    let url: String = line[start..]
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .to_owned();
                    sent = sender.send(url).is_ok();
                }
            }
        });
        let mut mock = Mock {
            child,
            url: String::new(),
        };
        mock.url = receiver
            .recv_timeout(Duration::from_secs(30))
            .map_err(|_| format!("the {kind} mock printed no URL within 30 s"))?;
        let address = socket_address(&mock.url)?;
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_err() {
            if Instant::now() > deadline {
                return Err(format!("the {kind} mock at {} does not answer", mock.url));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(mock)
    }

    /// `http://host:port` without the path.
    pub(super) fn origin(&self) -> String {
        let rest = self.url.trim_start_matches("http://");
        let host = rest.split('/').next().unwrap_or(rest);
        format!("http://{host}")
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(super) fn socket_address(url: &str) -> Result<SocketAddr, String> {
    let host = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap_or_default();
    host.to_socket_addrs()
        .ok()
        .and_then(|mut addresses| addresses.next())
        .ok_or_else(|| format!("no address in {url}"))
}

/// Checks the mock against the published document. Checks are the ones the mock can honestly
/// pass: PLAT answers 500 PLAT500 for an unknown approval id (documented), so `not_a_server_error`
/// is ORCA's only. Negative inputs to PLAT get Spring's default 400 body, which the spec describes
/// (fixup spring-default-error-body).
pub(super) fn schemathesis(layout: &Layout, binary: &Path, api: &str) -> Result<String, String> {
    let mock = Mock::start(binary, api)?;
    let document = layout.specs.join(format!("{api}/openapi.yaml"));
    let mut command = layout.command(layout.venv_bin("schemathesis"));
    command
        .arg("run")
        .arg(&document)
        .args(["--url", &mock.url])
        .args(["--max-examples", SCHEMATHESIS_MAX_EXAMPLES])
        .args(["--seed", SCHEMATHESIS_SEED])
        .args([
            "--generation-database",
            "none",
            "--workers",
            "1",
            "--no-color",
        ])
        .args(["--request-timeout", "10"])
        // Hypothesis' health checks judge the data generation (and the machine's speed), not the API.
        .args(["--suppress-health-check", "all"])
        .current_dir(&layout.tools);
    match api {
        "orca" => command.args([
            "--auth",
            "ormaster:ormaster",
            "--mode",
            "all",
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
        ]),
        "plat" => command.args([
            "--header",
            "Authorization: Bearer demo-token",
            "--mode",
            "all",
            "--checks",
            "status_code_conformance,content_type_conformance,response_schema_conformance",
        ]),
        other => return Err(format!("no schemathesis settings for {other}")),
    };
    let output = run_tool(&mut command, TOOL_LIMIT)?;
    let cases = output
        .lines()
        .skip_while(|line| !line.starts_with("Test cases:"))
        .nth(1)
        .map(str::trim)
        .unwrap_or("no summary");
    Ok(format!("{cases} against the {api} mock"))
}
