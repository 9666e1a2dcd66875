//! A running `iryo orca watch` (or `deliver`) whose output is collected line by line, shared by
//! the watch and delivery tests.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::{ORCA_PASSWORD, ORCA_USER, assert_no_secrets, command_of, iryo};

pub(crate) const PATIENCE: Duration = Duration::from_secs(30);

/// A running watcher whose output is collected line by line.
pub(crate) struct Watcher {
    child: Child,
    stdout: Arc<Mutex<Vec<String>>>,
    stderr: Arc<Mutex<Vec<String>>>,
}

fn collect(stream: impl std::io::Read + Send + 'static) -> Arc<Mutex<Vec<String>>> {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = lines.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            sink.lock().unwrap().push(line);
        }
    });
    lines
}

impl Watcher {
    pub(crate) fn start(base_url: &str, state: &Path, extra: &[&str]) -> Watcher {
        Watcher::start_with_env(base_url, state, extra, &[])
    }

    /// [`Watcher::start`] with more environment variables.
    pub(crate) fn start_with_env(
        base_url: &str,
        state: &Path,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> Watcher {
        let mut args = vec!["--state", state.to_str().unwrap()];
        args.extend_from_slice(extra);
        Watcher::spawn(base_url, &args, env)
    }

    /// A watcher of the mock at `base_url` with these flags and environment, once connected.
    pub(crate) fn spawn(base_url: &str, extra: &[&str], env: &[(&str, &str)]) -> Watcher {
        let ws_url = format!("{}/ws", base_url.replacen("http://", "ws://", 1));
        let mut args = vec!["orca", "watch", "--ws-url", &ws_url, "--base-url", base_url];
        args.extend_from_slice(extra);
        let mut iryo = iryo(&args)
            .env("ORCA_USER", ORCA_USER)
            .env("ORCA_PASSWORD", ORCA_PASSWORD);
        for (name, value) in env {
            iryo = iryo.env(name, value);
        }
        let mut command: Command = command_of(iryo);
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .stdin(Stdio::null())
            .spawn()
            .expect("the iryo binary starts");
        let stdout = collect(child.stdout.take().unwrap());
        let stderr = collect(child.stderr.take().unwrap());
        let watcher = Watcher {
            child,
            stdout,
            stderr,
        };
        watcher.wait_until("connected", |w| {
            w.stderr().iter().any(|l| l.starts_with("connected:"))
        });
        watcher
    }

    /// The watcher's process id (for its peak memory).
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    pub(crate) fn stdout(&self) -> Vec<String> {
        self.stdout.lock().unwrap().clone()
    }

    pub(crate) fn stderr(&self) -> Vec<String> {
        self.stderr.lock().unwrap().clone()
    }

    pub(crate) fn wait_until(&self, what: &str, done: impl Fn(&Watcher) -> bool) {
        let started = Instant::now();
        while !done(self) {
            assert!(
                started.elapsed() < PATIENCE,
                "waited too long for {what}; stderr: {:?}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub(crate) fn wait_for_lines(&self, n: usize) {
        self.wait_until(&format!("{n} lines"), |w| w.stdout().len() >= n);
    }

    pub(crate) fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the exit; returns the code (-1 for a signal) and the lines.
    pub(crate) fn finish(mut self) -> (i32, Vec<String>, Vec<String>) {
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(started.elapsed() < PATIENCE, "the watcher did not exit");
            std::thread::sleep(Duration::from_millis(20));
        };
        // Let the reader threads drain the pipes.
        std::thread::sleep(Duration::from_millis(100));
        let (stdout, stderr) = (self.stdout(), self.stderr());
        assert_no_secrets(&stdout.join("\n"), &stderr.join("\n"));
        (status.code().unwrap_or(-1), stdout, stderr)
    }
}

/// Every stored notification as `iryo orca push-events` prints it.
pub(crate) fn push_events_lines(base_url: &str) -> Vec<String> {
    let run = iryo(&["orca", "push-events", "--base-url", base_url])
        .orca_credentials()
        .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.lines().into_iter().map(str::to_owned).collect()
}
