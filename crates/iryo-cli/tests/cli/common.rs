//! Running the built `iryo` binary with a clean environment, and in-process mock servers.

use std::io::Write;
use std::ops::Deref;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use iryo_mock::hiyari::HiyariMock;
use iryo_mock::orca::OrcaMock;
use iryo_mock::plat::{Actor, PlatMock};

/// The ORCA operator of the test mock (not secret).
pub const ORCA_USER: &str = "ormaster";
/// The ORCA password of the test mock: must never appear in any output.
pub const ORCA_PASSWORD: &str = "orca-pw-5Xq7Lm";
/// A wrong password, which must not appear either.
pub const WRONG_PASSWORD: &str = "wrong-pw-9Tz3";
/// The PLAT token of the test mock: must never appear in any output.
pub const PLAT_TOKEN: &str = "plat-token-Zk9Rw2";

const SECRETS: [&str; 3] = [ORCA_PASSWORD, WRONG_PASSWORD, PLAT_TOKEN];
const CREDENTIAL_VARIABLES: [&str; 3] = ["ORCA_USER", "ORCA_PASSWORD", "PLAT_TOKEN"];
/// Bound on one invocation; a hang fails the test instead of blocking the suite.
const INVOCATION_DEADLINE: Duration = Duration::from_secs(90);

/// What one invocation did.
pub struct Run {
    pub code: i32,
    pub stdout_bytes: Vec<u8>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// stdout's lines.
    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }

    /// Each stdout line as JSON.
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
            .collect()
    }

    /// Asserts a failure with `code` and exactly one `error: ...` line on stderr; returns it.
    pub fn single_error_line(&self, code: i32) -> &str {
        assert_eq!(
            self.code, code,
            "stdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "stderr: {}", self.stderr);
        assert!(lines[0].starts_with("error: "), "{}", lines[0]);
        lines[0]
    }

    /// Asserts success with nothing on stderr.
    pub fn assert_quiet_success(&self) {
        assert_eq!(self.code, 0, "stderr: {}", self.stderr);
        assert_eq!(self.stderr, "", "stderr should be empty");
    }
}

/// An `iryo` invocation being set up.
pub struct Iryo {
    command: Command,
    stdin: Option<Vec<u8>>,
}

/// `iryo ARGS...` with none of the credential variables set.
pub fn iryo(args: &[&str]) -> Iryo {
    let mut command = Command::new(env!("CARGO_BIN_EXE_iryo"));
    command.args(args);
    for name in CREDENTIAL_VARIABLES {
        command.env_remove(name);
    }
    Iryo {
        command,
        stdin: None,
    }
}

impl Iryo {
    /// Sets an environment variable.
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.command.env(name, value);
        self
    }

    /// The ORCA test credentials.
    pub fn orca_credentials(self) -> Self {
        self.env("ORCA_USER", ORCA_USER)
            .env("ORCA_PASSWORD", ORCA_PASSWORD)
    }

    /// Feeds these bytes on stdin.
    pub fn stdin(mut self, bytes: &[u8]) -> Self {
        self.stdin = Some(bytes.to_vec());
        self
    }

    /// Runs to completion (bounded), then checks that no secret leaked into either stream.
    pub fn run(mut self) -> Run {
        self.command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            });
        let mut child = self.command.spawn().expect("the iryo binary starts");
        if let Some(bytes) = self.stdin.take() {
            let mut stdin = child.stdin.take().unwrap();
            std::thread::spawn(move || {
                let _ = stdin.write_all(&bytes);
            });
        }
        let pid = child.id();
        let (done, finished) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = done.send(child.wait_with_output());
        });
        let output: Output = match finished.recv_timeout(INVOCATION_DEADLINE) {
            Ok(output) => output.expect("iryo ran"),
            Err(_) => {
                let _ = Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status();
                panic!("iryo did not finish within {INVOCATION_DEADLINE:?}");
            }
        };
        let run = Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stdout_bytes: output.stdout,
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        assert_no_secrets(&run.stdout, &run.stderr);
        run
    }
}

/// No password or token of the tests in `stdout` or `stderr`, not even as the Basic header's base64.
pub fn assert_no_secrets(stdout: &str, stderr: &str) {
    let basic = [ORCA_PASSWORD, WRONG_PASSWORD].map(|p| base64(&format!("{ORCA_USER}:{p}")));
    let encoded = basic.iter().map(String::as_str);
    for secret in SECRETS.into_iter().chain(encoded) {
        assert!(!stdout.contains(secret), "a secret leaked into stdout");
        assert!(!stderr.contains(secret), "a secret leaked into stderr");
    }
}

/// Standard base64 with padding, as HTTP Basic uses it.
pub fn base64(text: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in text.as_bytes().chunks(3) {
        let bytes = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from_be_bytes([0, bytes[0], bytes[1], bytes[2]]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn base64_matches_rfc4648() {
    assert_eq!(base64("ormaster:ormaster"), "b3JtYXN0ZXI6b3JtYXN0ZXI=");
    assert_eq!(base64("f"), "Zg==");
    assert_eq!(base64("fo"), "Zm8=");
    assert_eq!(base64("foo"), "Zm9v");
}

/// A mock served on its own runtime, which lives as long as the mock.
pub struct Served<M> {
    mock: M,
    _runtime: tokio::runtime::Runtime,
}

impl<M> Served<M> {
    /// Enters the mock's runtime (for controls that spawn tasks, such as the generator).
    pub fn enter(&self) -> tokio::runtime::EnterGuard<'_> {
        self._runtime.enter()
    }
}

impl<M> Deref for Served<M> {
    type Target = M;

    fn deref(&self) -> &M {
        &self.mock
    }
}

pub fn serve<M>(spawn: impl std::future::Future<Output = std::io::Result<M>>) -> Served<M> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let mock = runtime.block_on(spawn).expect("the mock starts");
    Served {
        mock,
        _runtime: runtime,
    }
}

/// The ORCA mock with its fixtures (the document's samples among them) and the test account.
pub fn orca_mock() -> Served<OrcaMock> {
    serve(
        OrcaMock::builder()
            .account(ORCA_USER, ORCA_PASSWORD)
            .spawn(),
    )
}

/// The PLAT mock with its fixtures, the test token acting as the demo actor.
pub fn plat_mock() -> Served<PlatMock> {
    serve(PlatMock::builder().token(PLAT_TOKEN, Actor::demo()).spawn())
}

/// The PLAT mock without fixtures, for the permission flow: its Keycloak logs each realm's user in.
pub fn empty_plat_mock() -> Served<PlatMock> {
    serve(PlatMock::builder().fixtures(false).spawn())
}

/// The hiyari mock: the document's sample report and 40 generated ones.
pub fn hiyari_mock() -> Served<HiyariMock> {
    serve(HiyariMock::builder().spawn())
}

/// The document's sample answer (Shift_JIS bytes).
pub fn hiyari_sample_answer() -> &'static [u8] {
    include_bytes!("../../../../specs/hiyari/examples/response-sample.sjis.xml")
}

/// The ORCA mock for the live feed: empty store, the machine's clock, the test account.
pub fn live_orca_mock() -> Served<OrcaMock> {
    serve(
        OrcaMock::builder()
            .account(ORCA_USER, ORCA_PASSWORD)
            .fixtures(false)
            .clock(iryo_mock::orca::Clock::System)
            .spawn(),
    )
}

/// The command of an invocation, for tests that manage the process themselves (signals).
pub fn command_of(iryo: Iryo) -> Command {
    iryo.command
}
