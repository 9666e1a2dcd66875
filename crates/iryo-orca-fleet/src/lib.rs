#![doc = include_str!("../README.md")]

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
