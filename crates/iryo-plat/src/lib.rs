//! Typed client for the PLAneTs (PLAT) permission APIs, PRV_ROL_001-010 and the patients' twins
//! PTP_ROL_002-010, and for PLAT's Keycloak login ([`auth`]).
//!
//! ```no_run
//! use iryo_plat::auth::{KeycloakConfig, Pkce, TokenCache};
//! use iryo_plat::{ApprovalStatus, Config, GrantStatus, Side};
//!
//! # async fn demo(code_from_the_browser: &str) -> Result<(), Box<dyn std::error::Error>> {
//! let keycloak = KeycloakConfig::new("https://plat.example.jp:8184", "1310000001", "http://127.0.0.1:8400/callback")
//!     .build()?;
//! let pkce = Pkce::new()?;
//! println!("open {}", keycloak.config().authorization_url(&pkce, "state")?);
//! let tokens = keycloak.exchange_code(code_from_the_browser, &pkce).await?;
//! let client = Config::with_token_provider("https://plat.example.jp/cloudEHR", TokenCache::new(keycloak, tokens))
//!     .build()?;
//! let asked = client.permission_approvals(Side::Providers, Some(&ApprovalStatus::Requested), None).await?;
//! for group in &asked {
//!     for approval in &group.permission_approval {
//!         let id = approval.permission_approval_id.as_ref().map(|id| id.to_string()).unwrap_or_default();
//!         client.decide_permission(Side::Providers, &id, GrantStatus::Approve, "承認します", None).await?;
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! - Generated from `specs/plat/openapi.yaml`: types and transport. Hand-written: [`Config`],
//!   [`Client`] (one short method per operation, in `permissions.rs`), [`Error`], [`auth`],
//!   [`GsonDateTime`], [`ApprovalId`].
//! - Dates are Gson's `Oct 7, 2021, 7:51:02 PM` (and the Java 8 / JDK 20+ variants, and ISO 8601),
//!   typed as local date-times.
//! - Errors carry PLAT's code ([`PlatErrorCode`]) whatever the HTTP status; Keycloak's errors carry
//!   [`auth::OAuthErrorCode`].
//! - Tokens never appear in `Debug` output or errors; a [`TokenProvider`] (such as
//!   [`auth::TokenCache`]) is asked before each request, and once more after a 401.

#[rustfmt::skip]
#[allow(missing_docs, clippy::all)]
mod generated;
mod answer;
pub mod auth;
mod client;
mod config;
mod error;
mod gson_date;
mod ids;
mod permissions;
mod result_ext;

/// The client without async code (feature `blocking`): each call runs on the facade's own
/// runtime and blocks until it is done.
///
/// ```no_run
/// use iryo_plat::{ApprovalStatus, Client, Side};
///
/// # fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let client = iryo_plat::blocking::Client::new(Client::new("https://plat.example.jp/cloudEHR", "token")?)?;
/// let asked = client.run(|c| c.permission_approvals(Side::Providers, Some(&ApprovalStatus::Requested), None))?;
/// println!("{} groups", asked.len());
/// # Ok(()) }
/// ```
#[cfg(feature = "blocking")]
pub mod blocking {
    /// The async [`Client`](crate::Client) on a runtime of its own: `client.run(|c| c.call(..))`.
    pub type Client = iryo_runtime::Blocking<crate::Client>;
}

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

/// The most list items (array elements at any depth) an answer may hold; more is
/// [`Error::TooManyItems`], found before decoding. A typed item costs up to about 500 bytes, so
/// the limit keeps a typed answer within about 25 MiB, where 15 MB of `{}` would be 5 million
/// items and 2.5 GB; PLAT's permission lists of one institution hold hundreds.
pub const MAX_LIST_ITEMS: u64 = 50_000;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
