//! Shared runtime of the iryo clients.
//!
//! - [`Secret`]: a password or token that never shows up in `Debug` output, logs or errors.
//! - [`Credentials`]: how a client authenticates (HTTP Basic, Bearer), turned into an
//!   `Authorization` header marked sensitive.
//! - [`ClientIdentity`]: a TLS client certificate, as ORCA's cloud service requires.
//! - [`RetryPolicy`] and [`retry`]: backoff with jitter for requests that are safe to repeat.
//! - [`TokenProvider`]: a Bearer token fetched before every request, so it can be refreshed.

mod credentials;
mod http;
mod identity;
mod limits;
mod retry;
mod secret;
mod token;
mod websocket;

pub use credentials::{Credentials, InvalidCredentials};
pub use http::{BaseUrlError, body_excerpt, excerpt_suffix, join_base_url, read_excerpt};
pub use identity::{ClientIdentity, IdentityError};
pub use limits::{
    BodyTooLarge, body_too_large, check_plain_http, execute_limited, limit_response_body,
};
pub use retry::{
    RetryDecision, RetryPolicy, is_connect_failure, is_retryable_status, is_retryable_transport,
    retry, retry_after,
};
pub use secret::Secret;
pub use token::{TokenError, TokenFuture, TokenProvider};
pub use websocket::{check_plain_ws, rustls_client_config};
