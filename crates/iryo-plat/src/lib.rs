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
pub use generated::{requests, types};
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
