//! One ORCA PUSH通知 watcher for many clinics. The tenants come from a TOML file
//! ([`FleetConfig`]); each is a live feed (catch-up from its own cursor) whose events go to
//! PostgreSQL, the rows and the cursor in one transaction. Several replicas with the same file
//! divide the tenants between them through lease rows in the same database ([`lease`]), evenly;
//! when one dies or is cut off, the others take its tenants over within [`lease::TTL`] plus a
//! heartbeat, and a write of a replica whose lease ended is refused in its own transaction.
//!
//! See `docs/orca-fleet.md` for the configuration, the operation and the figures.

mod config;
mod fleet;
pub mod lease;
pub mod metrics;
mod pool;
mod status;
mod tenant;

pub use config::{
    CertificateFile, ConfigError, FleetConfig, MAX_TENANTS, SinkKind, TenantFields, TenantSpec,
};
pub use fleet::{Fleet, FleetError, FleetOptions};
pub use status::{Registry, State, TenantStatus};
pub use tenant::{BATCH, MAX_BUFFERED};
