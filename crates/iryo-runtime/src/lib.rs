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

#[cfg(feature = "blocking")]
pub use blocking::Blocking;
pub use body::{
    BodyCut, BodyLimit, BodyProblem, BodyTooLarge, TooManyItems, body_failure, send_bounded,
    send_bounded_items,
};
pub use call::{Attempt, Shell};
pub use credentials::{Credentials, InvalidCredentials};
pub use failure::{CallFailure, Failure};
#[cfg(feature = "progenitor")]
pub use failure::{classify, status_failure};
pub use http::{BaseUrlError, join_base_url};
pub use identity::{ClientIdentity, IdentityError};
pub use json_line::{JsonLine, write_compact};
pub use raw_json::{MemberSeed, RawJson, UnknownFields};
pub use redact::{
    EXCERPT_CHARS, Redactor, body_excerpt, excerpt_suffix, printable, quoted_value, read_excerpt,
};
#[cfg(feature = "progenitor")]
pub use request::Request;
pub use retry::{RetryDecision, RetryPolicy, is_retryable_status, retry, retry_after};
pub use secret::Secret;
pub use settings::{BuildError, Settings};
pub use shell::{Auth, AuthFailure, Generated, Hooks, Operation, RetryClass};
pub use token::{TokenError, TokenFuture, TokenProvider};
pub use transport::{InsecureHttp, Route, Transport, TransportError};
pub use union::{Variant, tagged, untagged};
pub use websocket::rustls_client_config;

/// What [`generated_client!`] expands to needs (not a public API).
#[cfg(feature = "progenitor")]
#[doc(hidden)]
pub mod __progenitor {
    pub use progenitor_client::{ClientHooks, Error, OperationInfo};
}
