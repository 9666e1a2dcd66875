//! ORCA PUSH通知 delivered, not printed: the live feed of [`iryo_orca::live`] handed to a
//! [`Sink`] that acknowledges, and only the sink's acknowledgement moves the feed's cursor.
//!
//! - [`ExecSink`] (feature `exec`): `sh -c CMD` per event, exit status 0 acknowledges.
//! - [`WebhookSink`] (feature `webhook`): a POST signed the Standard Webhooks way, 2xx acknowledges.
//! - `PostgresSink` (feature `postgres`): rows and cursor committed in one transaction.
//!
//! [`deliver`] runs the loop: an event that fails is retried (full-jitter exponential backoff),
//! the same event again and never the next one; every failed attempt is reported through a
//! callback; a receiver that keeps refusing an event stops the loop when a limit is set, with
//! nothing after that event acknowledged.
//!
//! ```no_run
//! use iryo_orca::live::{LiveConfig, MemoryCheckpoint};
//! use iryo_orca_deliver::{DeliveryConfig, ExecSink, Progress, deliver};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let mut feed = LiveConfig::new("ws://127.0.0.1:9400/ws").build(None, MemoryCheckpoint::new())?;
//! let mut sink = ExecSink::new("cat >> events.jsonl", "1");
//! let stopped = deliver(&mut feed, &mut sink, &DeliveryConfig::default(), |progress| {
//!     if let Progress::Failed { event, failure, delay, .. } = progress {
//!         eprintln!("{}: {failure}; again in {delay:?}", event.uuid);
//!     }
//! })
//! .await;
//! feed.flush()?;
//! # let _ = stopped; Ok(()) }
//! ```

mod delivery;
#[cfg(feature = "exec")]
mod exec;
#[cfg(feature = "postgres")]
mod generated;
#[cfg(feature = "postgres")]
mod postgres;
mod sink;
#[cfg(feature = "webhook")]
mod webhook;

pub use delivery::{DeliverError, DeliveryConfig, HOLD_SOCKET, Progress, SAVE_EVERY, deliver};
#[cfg(feature = "exec")]
pub use exec::{ExecSink, WITHHELD_ENV};
/// The HTTP settings a [`WebhookSink`] is built with (timeout, TLS identity, plain-http consent).
#[cfg(feature = "webhook")]
pub use iryo_runtime::{Transport, TransportError};
#[cfg(feature = "postgres")]
pub use postgres::{
    CHANNEL as POSTGRES_CHANNEL, CoveredUntil, PostgresCheckpoint, PostgresConnector,
    PostgresError, PostgresSink, SCHEMA_VERSION, Written, load_cursor, prepare_tenant,
    write_events,
};
pub use sink::{Delivered, FailureKind, Sink, SinkFailure};
#[cfg(feature = "webhook")]
pub use webhook::{
    DEFAULT_TIMEOUT as WEBHOOK_DEFAULT_TIMEOUT, WebhookError, WebhookSecret, WebhookSink,
};
