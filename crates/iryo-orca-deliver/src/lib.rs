#![doc = include_str!("../README.md")]

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
    CHANNEL as POSTGRES_CHANNEL, CoveredUntil, OwnConnection, PostgresCheckpoint,
    PostgresConnector, PostgresError, PostgresSink, SCHEMA_VERSION, Statements, TenantWriter,
    Written, advance_cursor, load_cursor, prepare_tenant, write_cursor,
};
pub use sink::{Delivered, FailureKind, Sink, SinkFailure};
#[cfg(feature = "webhook")]
pub use webhook::{
    DEFAULT_TIMEOUT as WEBHOOK_DEFAULT_TIMEOUT, WebhookError, WebhookSecret, WebhookSink,
};
