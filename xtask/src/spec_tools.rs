//! `cargo xtask spec-check`: checks the published bundle (`dist/specs/`) with other languages'
//! tools, and proves it usable by generating Python and TypeScript clients that talk to the mocks.
//!
//! Only orchestration lives here: it installs pinned tools into `target/spec-tools/` (a Python venv
//! from `tools/spec-check/requirements.txt`, npm packages from `tools/spec-check/package-lock.json`),
//! each only when its pins changed, starts the `iryo-mock` binary on free ports, and runs the tools.
//! Each step prints one line; the first failure stops the run with the tool's output.

use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const APIS_WITH_CLIENTS: &[&str] = &["orca", "plat"];
const OPENAPI_APIS: &[&str] = &["orca", "plat", "hiyari"];
/// Examples per operation and seed for schemathesis: bounded and reproducible.
const SCHEMATHESIS_MAX_EXAMPLES: &str = "25";
const SCHEMATHESIS_SEED: &str = "20180124";
pub(crate) const INSTALL_LIMIT: Duration = Duration::from_secs(900);
pub(crate) const TOOL_LIMIT: Duration = Duration::from_secs(300);

/// Paths used by every step.
pub(crate) struct Layout {
    pub(crate) root: PathBuf,
    specs: PathBuf,
    pub(crate) check_dir: PathBuf,
    pub(crate) tools: PathBuf,
    pub(crate) venv: PathBuf,
    node: PathBuf,
}

impl Layout {
    fn new(root: &Path) -> Self {
        let tools = root.join("target/spec-tools");
        Layout {
            root: root.to_owned(),
            specs: root.join(codegen::publish::BUNDLE_DIR),
            check_dir: root.join("tools/spec-check"),
            venv: tools.join("venv"),
            node: tools.join("node"),
            tools,
        }
    }

    pub(crate) fn venv_bin(&self, tool: &str) -> PathBuf {
        self.venv.join("bin").join(tool)
    }

    fn node_bin(&self, tool: &str) -> PathBuf {
        self.node.join("node_modules/.bin").join(tool)
    }

    /// A command with the venv first on PATH (generators call `ruff`) and quiet, offline-friendly
    /// settings for every tool.
    pub(crate) fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(program);
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![self.venv.join("bin")];
        paths.extend(std::env::split_paths(&path));
        command
            .env("PATH", std::env::join_paths(paths).unwrap_or(path))
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
            .env("PIP_NO_INPUT", "1")
            .env("REDOCLY_TELEMETRY", "off")
            .env("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true")
            // The AsyncAPI CLI reports usage unless its config file says no (it would also write one in $HOME).
            .env(
                "ASYNCAPI_METRICS_CONFIG_PATH",
                self.tools.join("asyncapi-analytics.json"),
            )
            .env("npm_config_update_notifier", "false")
            .env("NO_COLOR", "1")
            .current_dir(&self.root);
        command
    }
}

pub(crate) fn run(root: &Path) -> Result<(), String> {
    let started = Instant::now();
    let layout = Layout::new(root);
    std::fs::create_dir_all(&layout.tools).map_err(|e| format!("target/spec-tools: {e}"))?;

    timed("bundle is fresh", || {
        let (version, report) = crate::run_publish(root, codegen::Mode::Check)?;
        if !report.is_clean() {
            return Err(report.describe(codegen::publish::PUBLISH_COMMAND));
        }
        Ok(format!("dist/specs {version}"))
    })?;
    timed("python tools", || ensure_venv(&layout))?;
    timed("node tools", || ensure_node(&layout))?;
    timed("openapi-spec-validator", || openapi_spec_validator(&layout))?;
    timed("redocly lint", || redocly_lint(&layout))?;
    timed("asyncapi validate", || asyncapi_validate(&layout))?;
    timed("xmllint --schema", || xmllint_examples(&layout))?;
    let mock_binary = timed_value("iryo-mock binary", || build_mock(&layout))?;
    timed("schemathesis orca", || {
        schemathesis(&layout, &mock_binary, "orca")
    })?;
    timed("schemathesis plat", || {
        schemathesis(&layout, &mock_binary, "plat")
    })?;
    timed("python clients", || generate_python(&layout))?;
    timed("pytest clients", || pytest(&layout, &mock_binary))?;
    timed("pip install iryo", || {
        crate::wheel::check(&layout, &mock_binary)
    })?;
    timed("typescript types", || generate_typescript(&layout))?;
    timed("tsc --noEmit", || tsc(&layout))?;
    println!(
        "spec-check: all steps passed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Runs one step and prints `spec-check: <label>: <summary> (<seconds> s)`.
fn timed(label: &str, step: impl FnOnce() -> Result<String, String>) -> Result<(), String> {
    timed_value(label, || step().map(|summary| (summary, ()))).map(|_| ())
}

fn timed_value<T>(
    label: &str,
    step: impl FnOnce() -> Result<(String, T), String>,
) -> Result<T, String> {
    let started = Instant::now();
    match step() {
        Ok((summary, value)) => {
            println!(
                "spec-check: {label}: {summary} ({:.1} s)",
                started.elapsed().as_secs_f64()
            );
            Ok(value)
        }
        Err(message) => Err(format!("spec-check: {label} failed: {message}")),
    }
}

/// Runs a command to completion within `limit`, returning its combined output; a non-zero exit
/// or the limit is an error carrying that output.
pub(crate) fn run_tool(command: &mut Command, limit: Duration) -> Result<String, String> {
    let shown = format!("{command:?}");
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start {shown}: {e}"))?;
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let output = format!(
        "{}{}",
        stdout.join().unwrap_or_default(),
        stderr.join().unwrap_or_default()
    );
    match status {
        Some(status) if status.success() => Ok(output),
        Some(status) => Err(format!("{shown} exited with {status}:\n{output}")),
        None => Err(format!(
            "{shown} did not finish within {} s:\n{output}",
            limit.as_secs()
        )),
    }
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
        text
    })
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// The install key: the pins' digest (and the interpreter's version for Python).
fn stamp_matches(stamp: &Path, key: &str) -> bool {
    std::fs::read_to_string(stamp).is_ok_and(|text| text == key)
}

fn ensure_venv(layout: &Layout) -> Result<String, String> {
    let requirements = layout.check_dir.join("requirements.txt");
    let python = run_tool(Command::new("python3").arg("--version"), TOOL_LIMIT)
        .map_err(|e| format!("python3 is needed: {e}"))?;
    let digest = codegen::publish::sha256_hex(&read(&requirements)?);
    let key = format!("{}requirements.txt sha256:{digest}\n", python.trim_start());
    let stamp = layout.venv.join(".iryo-installed");
    if stamp_matches(&stamp, &key) {
        return Ok(format!("up to date (requirements.txt {})", &digest[..12]));
    }
    remove_dir(&layout.venv)?;
    run_tool(
        Command::new("python3")
            .arg("-m")
            .arg("venv")
            .arg(&layout.venv),
        INSTALL_LIMIT,
    )?;
    run_tool(
        layout
            .command(layout.venv_bin("pip"))
            .args(["install", "--quiet", "--requirement"])
            .arg(&requirements),
        INSTALL_LIMIT,
    )?;
    std::fs::write(&stamp, key).map_err(|e| format!("{}: {e}", stamp.display()))?;
    Ok(format!("installed (requirements.txt {})", &digest[..12]))
}

fn ensure_node(layout: &Layout) -> Result<String, String> {
    let package = read(&layout.check_dir.join("package.json"))?;
    let lock = read(&layout.check_dir.join("package-lock.json"))?;
    let digest = codegen::publish::sha256_hex(&[package.as_slice(), lock.as_slice()].concat());
    let key = format!("package.json + package-lock.json sha256:{digest}\n");
    let stamp = layout.node.join(".iryo-installed");
    if stamp_matches(&stamp, &key) {
        return Ok(format!("up to date (package-lock.json {})", &digest[..12]));
    }
    remove_dir(&layout.node)?;
    std::fs::create_dir_all(&layout.node).map_err(|e| format!("{}: {e}", layout.node.display()))?;
    for (name, bytes) in [("package.json", &package), ("package-lock.json", &lock)] {
        std::fs::write(layout.node.join(name), bytes).map_err(|e| format!("{name}: {e}"))?;
    }
    // `npm ci` installs exactly the lock file's versions and fails if it disagrees with package.json.
    run_tool(
        layout
            .command("npm")
            .args([
                "ci",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                "--prefix",
            ])
            .arg(&layout.node),
        INSTALL_LIMIT,
    )?;
    std::fs::write(&stamp, key).map_err(|e| format!("{}: {e}", stamp.display()))?;
    Ok(format!("installed (package-lock.json {})", &digest[..12]))
}

pub(crate) fn remove_dir(dir: &Path) -> Result<(), String> {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(format!("{}: {e}", dir.display()))
        }
        _ => Ok(()),
    }
}

fn openapi_documents(layout: &Layout) -> Vec<PathBuf> {
    OPENAPI_APIS
        .iter()
        .flat_map(|api| {
            ["yaml", "json"].map(|ext| layout.specs.join(format!("{api}/openapi.{ext}")))
        })
        .collect()
}

fn openapi_spec_validator(layout: &Layout) -> Result<String, String> {
    let mut documents = openapi_documents(layout);
    // What `iryo orca watch --webhook` sends (OpenAPI 3.1 `webhooks`).
    documents.extend(["yaml", "json"].map(|ext| layout.specs.join(format!("orca/webhooks.{ext}"))));
    run_tool(
        layout
            .command(layout.venv_bin("openapi-spec-validator"))
            .args(&documents),
        TOOL_LIMIT,
    )?;
    Ok(format!("{} documents valid", documents.len()))
}

/// The AsyncAPI documents of the bundle (the ORCA push socket), YAML and JSON.
fn asyncapi_documents(layout: &Layout) -> Vec<PathBuf> {
    ["yaml", "json"]
        .map(|ext| layout.specs.join(format!("orca/asyncapi.{ext}")))
        .to_vec()
}

/// `asyncapi validate` (the AsyncAPI CLI, pinned in package.json): errors fail the step.
fn asyncapi_validate(layout: &Layout) -> Result<String, String> {
    let documents = asyncapi_documents(layout);
    let settings = layout.tools.join("asyncapi-analytics.json");
    std::fs::write(
        &settings,
        r#"{"analyticsEnabled":"false","infoMessageShown":"true","userID":"iryo-spec-check"}"#,
    )
    .map_err(|e| format!("{}: {e}", settings.display()))?;
    for document in &documents {
        run_tool(
            layout
                .command(layout.node_bin("asyncapi"))
                .args(["validate", "--fail-severity=error"])
                .arg(document),
            TOOL_LIMIT,
        )?;
    }
    Ok(format!("{} documents valid", documents.len()))
}

fn redocly_lint(layout: &Layout) -> Result<String, String> {
    let output = run_tool(
        layout
            .command(layout.node_bin("redocly"))
            .args(["lint", "--format=summary", "--config"])
            .arg(layout.check_dir.join("redocly.yaml")),
        TOOL_LIMIT,
    )?;
    // Summary lines look like `warning info-license: 1`, once per document.
    let mut warnings: std::collections::BTreeMap<String, u64> = Default::default();
    for line in output.lines() {
        if let Some(rest) = line.trim().strip_prefix("warning ")
            && let Some((rule, count)) = rest.rsplit_once(": ")
        {
            *warnings.entry(rule.to_owned()).or_default() +=
                count.trim().parse::<u64>().unwrap_or(0);
        }
    }
    let total: u64 = warnings.values().sum();
    let listed: Vec<String> = warnings
        .iter()
        .map(|(rule, n)| format!("{rule} {n}"))
        .collect();
    Ok(format!(
        "{} documents, no errors, {total} warnings ({})",
        openapi_documents(layout).len(),
        listed.join(", ")
    ))
}

fn xmllint_examples(layout: &Layout) -> Result<String, String> {
    let xsd = layout.specs.join("hiyari/response.xsd");
    let examples: Vec<PathBuf> = std::fs::read_dir(layout.specs.join("hiyari/examples"))
        .map_err(|e| format!("hiyari/examples: {e}"))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "xml"))
        .collect();
    if examples.is_empty() {
        return Err("no XML example to validate".to_owned());
    }
    run_tool(
        layout
            .command("xmllint")
            .args(["--noout", "--schema"])
            .arg(&xsd)
            .args(&examples),
        TOOL_LIMIT,
    )
    .map_err(|e| format!("{e}\n(xmllint comes from Debian's libxml2-utils)"))?;
    Ok(format!(
        "hiyari/response.xsd (strict) accepts {} example(s)",
        examples.len()
    ))
}

fn build_mock(layout: &Layout) -> Result<(String, PathBuf), String> {
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
    fn origin(&self) -> String {
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

fn socket_address(url: &str) -> Result<SocketAddr, String> {
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
fn schemathesis(layout: &Layout, binary: &Path, api: &str) -> Result<String, String> {
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

fn generate_python(layout: &Layout) -> Result<String, String> {
    let out = layout.tools.join("py-clients");
    remove_dir(&out)?;
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    for api in APIS_WITH_CLIENTS {
        run_tool(
            layout
                .command(layout.venv_bin("openapi-python-client"))
                .arg("generate")
                .arg("--path")
                .arg(layout.specs.join(format!("{api}/openapi.yaml")))
                .arg("--output-path")
                .arg(out.join(format!("{api}_client")))
                .args(["--meta", "none"]),
            TOOL_LIMIT,
        )?;
    }
    run_tool(
        layout
            .command(layout.venv_bin("xsdata"))
            .arg("generate")
            .arg(layout.specs.join("hiyari/response.xsd"))
            .args(["--package", "hiyari_xsd"])
            .current_dir(&out),
        TOOL_LIMIT,
    )?;
    Ok("orca_client, plat_client (openapi-python-client), hiyari_xsd (xsdata) in target/spec-tools/py-clients".to_owned())
}

fn pytest(layout: &Layout, binary: &Path) -> Result<String, String> {
    let orca = Mock::start(binary, "orca")?;
    let plat = Mock::start(binary, "plat")?;
    let hiyari = Mock::start(binary, "hiyari")?;
    let output = run_tool(
        layout
            .command(layout.venv_bin("python"))
            .args(["-m", "pytest", "-q", "-p", "no:cacheprovider", "--color=no"])
            .arg(layout.check_dir.join("test_clients.py"))
            .arg(layout.check_dir.join("test_harvest.py"))
            .arg(layout.check_dir.join("test_digest.py"))
            .arg(layout.check_dir.join("test_datapackage.py"))
            .arg(layout.check_dir.join("test_webhooks.py"))
            .arg(layout.check_dir.join("test_fleet_config.py"))
            .env("IRYO_BIN", binary.with_file_name("iryo"))
            .env("PYTHONPATH", layout.tools.join("py-clients"))
            .env("IRYO_SPECS", &layout.specs)
            .env("IRYO_ORCA_URL", orca.origin())
            .env("IRYO_PLAT_URL", &plat.url)
            .env("IRYO_HIYARI_URL", &hiyari.url),
        TOOL_LIMIT,
    )?;
    let last = output
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    Ok(last.trim().to_owned())
}

fn generate_typescript(layout: &Layout) -> Result<String, String> {
    let out = layout.tools.join("ts");
    remove_dir(&out)?;
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    for api in OPENAPI_APIS {
        run_tool(
            layout
                .command(layout.node_bin("openapi-typescript"))
                .arg(layout.specs.join(format!("{api}/openapi.yaml")))
                .arg("--output")
                .arg(out.join(format!("{api}.ts"))),
            TOOL_LIMIT,
        )?;
    }
    Ok(format!(
        "{} in target/spec-tools/ts (openapi-typescript)",
        OPENAPI_APIS
            .iter()
            .map(|api| format!("{api}.ts"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

fn tsc(layout: &Layout) -> Result<String, String> {
    run_tool(
        layout
            .command(layout.node_bin("tsc"))
            .args(["--noEmit", "--project"])
            .arg(&layout.check_dir),
        TOOL_LIMIT,
    )?;
    Ok("tools/spec-check/usage.ts type-checks against the generated types".to_owned())
}
