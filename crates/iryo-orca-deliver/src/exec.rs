//! `sh -c CMD` once per event: the event's JSON line on stdin, its identity in the environment,
//! exit status 0 acknowledges.

use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use iryo_orca::PushEvent;
use rustix::process::{Pid, Signal, kill_process_group};
use tokio::io::AsyncWriteExt as _;
use tokio::process::Command;

use crate::sink::{Delivered, Sink, SinkFailure};

/// The credentials iryo reads from its environment: the command does not inherit them.
pub const WITHHELD_ENV: &[&str] = &[
    "ORCA_PASSWORD",
    "PLAT_TOKEN",
    "IRYO_WEBHOOK_SECRET",
    "IRYO_POSTGRES_URL",
];

/// Runs a shell command per event. stdout and stderr of the command are the watcher's own; its
/// environment is the watcher's without [`WITHHELD_ENV`].
#[derive(Clone, Debug)]
pub struct ExecSink {
    command: String,
    tenant_id: String,
    timeout: Duration,
    withheld: Vec<String>,
}

impl ExecSink {
    /// `sh -c command` per event, with `IRYO_TENANT_ID=tenant_id`, killed after 30 s.
    pub fn new(command: impl Into<String>, tenant_id: impl Into<String>) -> Self {
        ExecSink {
            command: command.into(),
            tenant_id: tenant_id.into(),
            timeout: Duration::from_secs(30),
            withheld: Vec::new(),
        }
    }

    /// Kill the command and count a failure after this long.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Withholds these environment variables too (the fleet's secrets named in its file).
    pub fn withhold(mut self, names: impl IntoIterator<Item = String>) -> Self {
        self.withheld.extend(names);
        self
    }

    async fn run(&self, event: &PushEvent) -> Result<(), SinkFailure> {
        let line = event.to_json_line().map_err(|e| {
            SinkFailure::failed(format!("event {} cannot be encoded: {e}", event.uuid))
        })?;
        let mut command = Command::new("sh");
        for name in WITHHELD_ENV
            .iter()
            .copied()
            .chain(self.withheld.iter().map(String::as_str))
        {
            command.env_remove(name);
        }
        let mut child = command
            .arg("-c")
            .arg(&self.command)
            .env("IRYO_EVENT_UUID", event.uuid.to_string())
            .env("IRYO_EVENT_NAME", &event.event)
            .env("IRYO_EVENT_TIME", event.time.date_time().to_rfc3339())
            .env("IRYO_TENANT_ID", &self.tenant_id)
            .stdin(Stdio::piped())
            // A group of its own, so that a timeout kills what the shell started too.
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| SinkFailure::failed(format!("cannot start sh: {e}")))?;
        // Until the shell has exited, stopping (a timeout, or the delivery dropped on SIGTERM)
        // kills its whole group.
        let mut group = GroupGuard(child.id().and_then(|id| Pid::from_raw(id as i32)));
        let mut stdin = child.stdin.take();
        let run = async {
            if let Some(stdin) = stdin.as_mut() {
                // A command that does not read its stdin is fine: its exit status decides.
                let _ = stdin.write_all(line.as_bytes()).await;
                let _ = stdin.write_all(b"\n").await;
            }
            drop(stdin);
            child.wait().await
        };
        match tokio::time::timeout(self.timeout, run).await {
            Ok(Ok(status)) => {
                // What the command left running in the background is its own business.
                group.0 = None;
                judge(status)
            }
            Ok(Err(e)) => Err(SinkFailure::failed(format!("waiting for the command: {e}"))),
            Err(_) => {
                drop(group);
                let _ = child.kill().await;
                Err(SinkFailure::failed(format!(
                    "the command ran longer than {} s and was killed",
                    self.timeout.as_secs_f64()
                )))
            }
        }
    }
}

/// Kills a process group when dropped while armed.
struct GroupGuard(Option<Pid>);

impl Drop for GroupGuard {
    fn drop(&mut self) {
        if let Some(pid) = self.0.take() {
            let _ = kill_process_group(pid, Signal::KILL);
        }
    }
}

fn judge(status: ExitStatus) -> Result<(), SinkFailure> {
    use std::os::unix::process::ExitStatusExt as _;
    match (status.code(), status.signal()) {
        (Some(0), _) => Ok(()),
        (Some(code), _) => Err(SinkFailure::failed(format!(
            "the command exited with {code}"
        ))),
        (None, Some(signal)) => Err(SinkFailure::failed(format!(
            "the command was killed by signal {signal}"
        ))),
        (None, None) => Err(SinkFailure::failed(format!("the command ended: {status}"))),
    }
}

impl Sink for ExecSink {
    async fn deliver(&mut self, events: &[PushEvent]) -> Delivered {
        Delivered::one_by_one(events, |event| self.run(event)).await
    }
}
