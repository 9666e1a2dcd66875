#![doc = include_str!("../README.md")]

mod body;
mod credentials;
mod failure;
mod http;
mod identity;
mod raw_json;
mod redact;
mod retry;
mod secret;
mod tls;
mod token;
mod transport;
mod websocket;

pub use body::{BodyCut, BodyProblem, BodyTooLarge, body_failure, send_bounded};
pub use credentials::{Credentials, InvalidCredentials};
pub use failure::{CallFailure, Failure, retry_attempts};
#[cfg(feature = "progenitor")]
pub use failure::{classify, status_failure};
pub use http::{BaseUrlError, join_base_url};
pub use identity::{ClientIdentity, IdentityError};
pub use raw_json::{MemberSeed, RawJson, UnknownFields, Variant, tagged, untagged};
pub use redact::{EXCERPT_CHARS, Redactor, body_excerpt, excerpt_suffix, printable, read_excerpt};
pub use retry::{
    RetryDecision, RetryPolicy, is_connect_failure, is_retryable_status, is_retryable_transport,
    retry, retry_after,
};
pub use secret::Secret;
pub use token::{TokenError, TokenFuture, TokenProvider};
pub use transport::{InsecureHttp, Route, Transport, TransportError};
pub use websocket::rustls_client_config;
