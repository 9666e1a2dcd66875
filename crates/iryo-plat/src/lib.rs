#![doc = include_str!("../README.md")]

#[rustfmt::skip]
#[allow(missing_docs, clippy::all)]
mod generated;
mod answer;
pub mod auth;
mod client;
mod config;
mod error;
mod gson_date;
mod hooks;
mod ids;
mod permissions;
mod result_ext;

pub use client::{Client, Side};
pub use config::Config;
pub use error::Error;
pub use generated::types;
pub use gson_date::{GsonDateError, GsonDateTime, IsoDates};
pub use ids::ApprovalId;
pub use iryo_plat_codes::{
    ApprovalStatus, DeletedFlag, GrantStatus, HolderKind, Location, Operator, PermissionKind,
    PlatErrorCode,
};
pub use iryo_runtime::{
    BodyCut, InsecureHttp, RawJson, RetryPolicy, Secret, TokenError, TokenProvider, UnknownFields,
};

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
