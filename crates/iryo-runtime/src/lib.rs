#![doc = include_str!("../README.md")]

#[cfg(feature = "blocking")]
mod blocking;
mod body;
mod call;
mod client_error;
mod credentials;
mod failure;
mod gathered;
mod http;
mod identity;
mod items;
mod json_line;
mod raw_json;
mod redact;
#[cfg(feature = "progenitor")]
mod request;
mod retry;
mod secret;
mod settings;
mod shell;
mod tls;
mod token;
mod transport;
mod union;
mod websocket;

// The user surface: what a user of iryo-orca, iryo-plat or iryo-hiyari meets in those crates'
// signatures and docs (credentials, retries, transport, the JSON kept as written, the blocking
// facade). A new name here is a new public API: `xtask/tests/public_api.rs` lists them.
#[cfg(feature = "blocking")]
pub use blocking::Blocking;
pub use body::BodyCut;
pub use credentials::Credentials;
pub use identity::{ClientIdentity, IdentityError};
pub use raw_json::{RawJson, UnknownFields};
pub use retry::RetryPolicy;
pub use secret::Secret;
pub use token::{TokenError, TokenFuture, TokenProvider};
pub use transport::{InsecureHttp, Transport, TransportError};

/// The plumbing the client crates, their generated code and this crate's macros share: the call
/// path, failures and their classification, size limits, redaction, the unions' readers. Not a
/// public API (it may change in any release); the name follows serde's `__private`.
#[doc(hidden)]
pub mod __private {
    pub use crate::body::{
        BodyLimit, BodyProblem, BodyTooLarge, TooManyItems, body_failure, send_bounded,
        send_bounded_items,
    };
    pub use crate::call::{Attempt, Shell};
    pub use crate::credentials::InvalidCredentials;
    pub use crate::failure::{CallFailure, Failure};
    #[cfg(feature = "progenitor")]
    pub use crate::failure::{classify, status_failure};
    pub use crate::http::{BaseUrlError, join_base_url};
    pub use crate::json_line::{JsonLine, write_compact};
    pub use crate::raw_json::MemberSeed;
    pub use crate::redact::{
        EXCERPT_CHARS, Redactor, body_excerpt, excerpt_suffix, printable, quoted_value,
        read_excerpt,
    };
    #[cfg(feature = "progenitor")]
    pub use crate::request::Request;
    pub use crate::retry::{RetryDecision, is_retryable_status, retry, retry_after};
    pub use crate::settings::{BuildError, Settings};
    pub use crate::shell::{Auth, AuthFailure, Generated, Hooks, Operation, RetryClass};
    pub use crate::transport::Route;
    pub use crate::union::{Variant, tagged, untagged};
    pub use crate::websocket::rustls_client_config;

    /// What [`generated_client!`](crate::generated_client) expands to needs.
    #[cfg(feature = "progenitor")]
    pub mod progenitor {
        pub use progenitor_client::{ClientHooks, Error, OperationInfo};
    }
}
