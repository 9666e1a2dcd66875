#![doc = include_str!("../README.md")]

mod config;
mod fleet;
mod generated;
pub mod lease;
pub mod metrics;
mod pool;
mod receiver;
mod status;
mod tenant;

pub use config::{
    CertificateFile, CommandFields, ConfigError, FleetConfig, MAX_TENANTS, SinkKind, TenantFields,
    TenantSpec, WebhookFields,
};
pub use fleet::{Fleet, FleetError, FleetOptions};
pub use receiver::RECEIVER_BATCH;
pub use status::{Registry, State, TenantStatus};
pub use tenant::{BATCH, MAX_BUFFERED};
