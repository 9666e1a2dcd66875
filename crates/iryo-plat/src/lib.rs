//! Typed client for PLAneTs **PRV_ROL_010 【削除】付与済みの権限（医療機関用）** and its patient-side
//! twin PTP_ROL_010: `PUT {applicationPath}/providers/permission/delete/{permissionApprovalId}`.
//!
//! ```no_run
//! use iryo_plat::Client;
//!
//! # async fn demo() -> Result<(), iryo_plat::Error> {
//! let client = Client::new("https://plat.example.jp/cloudEHR", "access-token")?;
//! let result = client.delete_provider_permission("16", "〜のため削除します").await?;
//! if let Some(group) = result.group() {
//!     println!("group {:?} requested {:?}", group.permission_group_id, group.requested_datetime);
//! }
//! for approval in &result.permission_approval {
//!     println!("{:?} deleted={:?}", approval.permission_approval_id, approval.deleted_flg);
//! }
//! # Ok(()) }
//! ```
//!
//! - Generated from `specs/plat/openapi.yaml`: types and transport. Hand-written: [`Config`],
//!   [`Client`], [`Error`], [`GsonDateTime`], [`ApprovalId`].
//! - Dates are Gson's `Oct 7, 2021, 7:51:02 PM` (and the Java 8 / JDK 20+ variants, and ISO 8601),
//!   typed as local date-times.
//! - Errors carry PLAT's code ([`PlatErrorCode`]) whatever the HTTP status.
//! - The token never appears in `Debug` output or errors; it can come from a [`TokenProvider`]
//!   called before each request.

#[rustfmt::skip]
#[allow(missing_docs, clippy::all)]
mod generated;
mod answer;
mod client;
mod config;
mod error;
mod gson_date;
mod hooks;
mod ids;
mod result_ext;

pub use client::{Client, Side};
pub use config::Config;
pub use error::Error;
pub use generated::types;
pub use gson_date::{GsonDateError, GsonDateTime};
pub use ids::ApprovalId;
pub use iryo_plat_codes::{ApprovalStatus, DeletedFlag, PlatErrorCode};
pub use iryo_runtime::{
    BodyCut, InsecureHttp, RawJson, RetryPolicy, Secret, TokenError, TokenProvider, UnknownFields,
};

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
