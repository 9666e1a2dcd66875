//! Running the `iryo-mock` binary in a test: start it, read its banner, stop it with SIGINT.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_iryo-mock");

/// A running mock; killed if a test fails before it has stopped it.
pub struct Running(Option<Child>);

impl Running {
    /// Starts the binary with `args` and returns it with the first line it printed (the banner).
    pub fn start(args: &[&str]) -> (Running, String) {
        let spawned = Command::new(BIN).args(args).stdout(Stdio::piped()).spawn();
        let Ok(mut child) = spawned else {
            panic!("could not start {BIN}")
        };
        let stdout = child.stdout.take();
        let running = Running(Some(child));
        let mut banner = String::new();
        if let Some(stdout) = stdout {
            let _ = BufReader::new(stdout).read_line(&mut banner);
        }
        (running, banner)
    }

    /// A child started by the test itself.
    #[allow(dead_code)]
    pub fn from_child(child: Child) -> Running {
        Running(Some(child))
    }

    /// Sends SIGINT and returns the exit code, waiting at most 20 s.
    pub fn interrupt(mut self) -> Option<i32> {
        let mut child = self.0.take()?;
        let interrupted = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status();
        assert!(interrupted.is_ok_and(|s| s.success()));
        let (done, exited) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = done.send(child.wait().map(|status| status.code()));
        });
        // A bound, not a pause: the wait returns as soon as the process exits.
        exited.recv_timeout(Duration::from_secs(20)).ok()?.ok()?
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
