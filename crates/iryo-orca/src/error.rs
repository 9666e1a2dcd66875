//! The one error type of the ORCA client.

use iryo_orca_codes::PushErrorCode;
use iryo_runtime::{AuthFailure, BodyCut, BuildError, CallFailure, InsecureHttp};

/// Everything a call can fail with. ORCA's own errors (HTTP 200 with a code) and HTTP-level
/// failures (401/403/404/500, sent with an empty body) are different variants.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// ORCA answered with an error code (HTTP 200). Code 0007 (nothing found) never ends up here:
    /// it is an empty result.
    #[error("ORCA error {code}: {}", message.as_deref().or(code.label()).unwrap_or("(no message)"))]
    Api {
        /// The code, e.g. `0089`; unknown codes are kept as received.
        code: PushErrorCode,
        /// The server's message, when it sent one.
        message: Option<String>,
    },
    /// HTTP 401: no credentials, or a wrong user or password.
    #[error("HTTP 401 Unauthorized: the ORCA server refused the user or password")]
    Unauthorized,
    /// HTTP 403: malformed credentials, or a TLS client certificate is required.
    #[error("HTTP 403 Forbidden: malformed credentials, or a client certificate is required")]
    Forbidden,
    /// Any other HTTP status (404 when the API is not offered, e.g. on-premises; 500, ...).
    #[error(
        "HTTP {status} from the ORCA server{}",
        iryo_runtime::excerpt_suffix(body_excerpt)
    )]
    Http {
        /// The status code.
        status: u16,
        /// The first bytes of the body, if any (ORCA sends none).
        body_excerpt: String,
    },
    /// The request could not be sent or the answer not received (connection, TLS, timeout).
    #[error("could not reach the ORCA server: {0}")]
    Transport(#[source] reqwest::Error),
    /// The server answered, but the body ended early (fewer bytes than `Content-Length`, or
    /// the connection broke in the middle). Reading again is safe.
    #[error("{0}; the ORCA server was reached, its answer is incomplete")]
    Cut(BodyCut),
    /// Credentials would go over plain http to a host that is not loopback; see
    /// [`Config::allow_insecure_http`](crate::Config::allow_insecure_http).
    #[error("{0} (Config::allow_insecure_http)")]
    InsecureHttp(InsecureHttp),
    /// The answer is bigger than the configured maximum.
    #[error("the ORCA answer is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// The answer is not JSON of the documented shape.
    #[error(
        "the ORCA answer does not decode: {message}{}",
        iryo_runtime::excerpt_suffix(body_excerpt)
    )]
    Decode {
        /// What did not match.
        message: String,
        /// The first bytes of the body.
        body_excerpt: String,
    },
    /// A parameter ORCA would refuse, caught before sending.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The parameter (`event`, `user`, `start_time`, `end_time`).
        field: &'static str,
        /// Why it is refused.
        reason: String,
    },
    /// The client cannot be built from this configuration.
    #[error("invalid client configuration: {0}")]
    Config(String),
}

impl From<CallFailure> for Error {
    fn from(failure: CallFailure) -> Self {
        match failure {
            CallFailure::Status {
                status,
                body_excerpt,
                ..
            } => match status {
                401 => Error::Unauthorized,
                403 => Error::Forbidden,
                _ => Error::Http {
                    status,
                    body_excerpt,
                },
            },
            CallFailure::TooLarge(too_large) => Error::TooLarge {
                limit: too_large.limit,
            },
            CallFailure::Cut(cut) => Error::Cut(cut),
            // ORCA's answers are read as text and typed one notification at a time: no item
            // limit is asked for, so this never comes; named all the same.
            CallFailure::TooManyItems(found) => Error::Decode {
                message: found.to_string(),
                body_excerpt: String::new(),
            },
            CallFailure::Transport(e) => Error::Transport(e),
            CallFailure::Decode {
                error,
                body_excerpt,
                ..
            } => Error::Decode {
                message: error.to_string(),
                body_excerpt,
            },
            CallFailure::Request(message) => Error::Config(message),
        }
    }
}

impl From<BuildError> for Error {
    fn from(error: BuildError) -> Self {
        match error {
            BuildError::InsecureHttp(insecure) => Error::InsecureHttp(insecure),
            other => Error::Config(other.to_string()),
        }
    }
}

/// Fixed credentials are checked when the client is built, so this is not expected.
impl From<AuthFailure> for Error {
    fn from(error: AuthFailure) -> Self {
        Error::Config(error.to_string())
    }
}

impl Error {
    /// ORCA's error code, when the server sent one.
    pub fn code(&self) -> Option<&PushErrorCode> {
        match self {
            Error::Api { code, .. } => Some(code),
            _ => None,
        }
    }
}
