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

mod clients;
mod lint;
mod mock;

use clients::*;
use lint::*;
pub(crate) use mock::Mock;
use mock::*;

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
