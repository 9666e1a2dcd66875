//! Shared runtime of the iryo clients: everything the clients do alike lives here once.
//!
//! - [`Secret`]: a password or token that never shows up in `Debug` output, logs or errors.
//! - [`Credentials`]: how a client authenticates (HTTP Basic, Bearer), turned into an
//!   `Authorization` header marked sensitive.
//! - [`Transport`]: the HTTP client (timeouts, user agent, [`ClientIdentity`], no credentials in
//!   plain text off loopback or to a proxy).
//! - [`send_bounded`]: the answer read whole within a size limit; a cut body is [`BodyCut`].
//! - [`Shell`]: the one call path of the generated clients ([`Auth`] resolved before sending,
//!   [`Hooks`] run by the generated code, retries by each [`Operation`]'s [`RetryClass`], one
//!   `tracing` span per attempt).
//! - [`CallFailure`] and [`Failure`]: one classification of failed attempts, and backoff with
//!   jitter ([`RetryPolicy`]) for requests that are safe to repeat.
//! - [`Redactor`]: excerpts of unexpected bodies without the request's secrets.
//! - [`RawJson`] and [`UnknownFields`]: JSON the specs leave open, kept as text (no
//!   amplification: a hostile body costs its own size, not a hundred times it).
//! - [`TokenProvider`]: a Bearer token fetched before every request, so it can be refreshed.

#[cfg(feature = "blocking")]
mod blocking;
mod body;
mod call;
mod credentials;
mod failure;
mod http;
mod identity;
mod items;
mod json_line;
mod raw_json;
mod redact;
mod retry;
mod secret;
mod settings;
mod shell;
mod tls;
mod token;
mod transport;
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
pub use raw_json::{MemberSeed, RawJson, UnknownFields, Variant, tagged, untagged};
pub use redact::{EXCERPT_CHARS, Redactor, body_excerpt, excerpt_suffix, printable, read_excerpt};
pub use retry::{RetryDecision, RetryPolicy, is_retryable_status, retry, retry_after};
pub use secret::Secret;
pub use settings::{BuildError, Settings};
pub use shell::{Auth, AuthFailure, Generated, Hooks, Operation, RetryClass};
pub use token::{TokenError, TokenFuture, TokenProvider};
pub use transport::{InsecureHttp, Route, Transport, TransportError};
pub use websocket::rustls_client_config;
