//! A steady source of notifications: N `patient_accept` per second, raised in ticks of 10 ms.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde_json::json;
use tokio::task::JoinHandle;

use crate::orca::Shared;

const TICK: Duration = Duration::from_millis(10);

/// The running generator, if any, and how many notifications it raised.
#[derive(Debug, Default)]
pub(crate) struct Generator {
    task: Mutex<Option<JoinHandle<()>>>,
    raised: AtomicU64,
}

impl Generator {
    pub(crate) fn start(&self, shared: Arc<Shared>, per_second: u32, event: String) {
        let task = tokio::spawn(async move {
            let mut ticks = tokio::time::interval(TICK);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut due = 0.0_f64;
            loop {
                ticks.tick().await;
                due += f64::from(per_second) * TICK.as_secs_f64();
                while due >= 1.0 {
                    due -= 1.0;
                    let n = shared.live.generator.raised.fetch_add(1, Ordering::Relaxed) + 1;
                    let body = json!({
                        "Patient_Mode": "add",
                        "Patient_ID": format!("{:05}", n % 100_000),
                        "Department_Code": "01",
                    });
                    super::control::raise(&shared, &event, "ormaster", body);
                }
            }
        });
        if let Some(old) = self.lock().replace(task) {
            old.abort();
        }
    }

    pub(crate) fn stop(&self) {
        if let Some(task) = self.lock().take() {
            task.abort();
        }
    }

    pub(crate) fn raised(&self) -> u64 {
        self.raised.load(Ordering::Relaxed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<JoinHandle<()>>> {
        self.task.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for Generator {
    fn drop(&mut self) {
        self.stop();
    }
}
