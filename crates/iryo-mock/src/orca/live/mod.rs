//! The PUSH通知 socket (pusher) of the ORCA mock: `/ws` on the API port (WebORCA style) and, optionally, a
//! port of its own (日レセ style, `X-GINBEE-TENANT-ID` required). Every raised notification goes into the
//! store that `pusheventgetv2` reads and, at the same moment, to every live subscriber.
//!
//! Faults act on the sockets: drop them all, leave them half-open (no pong, no frame), refuse the next upgrades
//! (401, 403, ...), answer the next subscribes with an error frame or send one unsolicited, deliver the next
//! events twice, delay deliveries.

mod control;
mod generator;
mod protocol;
mod socket;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::{broadcast, watch};

pub use control::LiveControl;
pub(crate) use control::routes;
pub(crate) use socket::{Port, ws_route};

/// How many pushes a subscriber may fall behind before the mock drops its socket (as an overloaded pusher
/// would): memory stays bounded whatever the client does.
const CHANNEL_CAPACITY: usize = 1 << 16;
/// The same for each further tenant's sockets (tokio allocates every slot up front: a mock of 500
/// tenants at the default size would hold gigabytes).
pub(crate) const TENANT_CHANNEL_CAPACITY: usize = 1 << 12;

/// What goes to every live socket.
#[derive(Clone, Debug)]
pub(crate) enum Push {
    /// A notification: its event name and the stored `data` object, serialised once.
    Event { event: Arc<str>, data: Arc<str> },
    /// An unsolicited error frame.
    Error { code: String, reason: String },
}

/// Faults waiting for their moment.
#[derive(Debug, Default)]
struct Pending {
    /// Statuses for the next upgrade requests, oldest first.
    refuse_upgrades: VecDeque<u16>,
    /// Error frames (code, reason) answering the next subscribes instead of `subscribed`.
    subscribe_errors: VecDeque<(String, String)>,
    /// How many of the next events go out twice.
    duplicates: u64,
    /// How long each push waits before it goes out (it is stored at once).
    delay: Duration,
}

/// The live side of the mock, shared by its handlers.
pub(crate) struct Hub {
    sender: broadcast::Sender<Push>,
    /// Bumped to close every socket open at that moment.
    drops: watch::Sender<u64>,
    /// Bumped to make every socket open at that moment half-open.
    hangs: watch::Sender<u64>,
    pending: Mutex<Pending>,
    connections: AtomicU64,
    open: AtomicU64,
    subscriptions: AtomicU64,
    pub(crate) generator: generator::Generator,
}

impl Hub {
    pub(crate) fn new() -> Self {
        Hub::with_capacity(CHANNEL_CAPACITY)
    }

    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Hub {
            sender: broadcast::Sender::new(capacity),
            drops: watch::Sender::new(0),
            hangs: watch::Sender::new(0),
            pending: Mutex::new(Pending::default()),
            connections: AtomicU64::new(0),
            open: AtomicU64::new(0),
            subscriptions: AtomicU64::new(0),
            generator: generator::Generator::default(),
        }
    }

    fn pending(&self) -> MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sends a stored notification to the live subscribers (twice, or later, as the faults say). Called with
    /// the store locked, so that live order and store order agree.
    pub(crate) fn publish(&self, data: &serde_json::Value) {
        let event = data
            .get("event")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default();
        let push = Push::Event {
            event: event.into(),
            data: data.to_string().into(),
        };
        let (copies, delay) = {
            let mut pending = self.pending();
            let copies = if pending.duplicates > 0 {
                pending.duplicates -= 1;
                2
            } else {
                1
            };
            (copies, pending.delay)
        };
        for _ in 0..copies {
            if delay.is_zero() {
                // No receiver is not an error: nobody listens live.
                let _ = self.sender.send(push.clone());
            } else {
                let sender = self.sender.clone();
                let push = push.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    let _ = sender.send(push);
                });
            }
        }
    }

    fn counter(&self, which: &AtomicU64) -> u64 {
        which.load(Ordering::Relaxed)
    }
}
