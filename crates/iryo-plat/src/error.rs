//! The one error type of the PLAT client.

use iryo_plat_codes::PlatErrorCode;
use iryo_runtime::{AuthFailure, BodyCut, BuildError, CallFailure, InsecureHttp};

/// Everything a call can fail with. A PLAT error body (`errorCode`, or an OperationOutcome `id`)
/// is [`Error::Api`] whatever the HTTP status it came with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// PLAT answered with an error code.
    #[error("PLAT error {code} (HTTP {status}): {}", message.as_deref().or(code.label()).unwrap_or("(no message)"))]
    Api {
        /// The HTTP status it came with.
        status: u16,
        /// `PLAT400`, `PLAT403`, `PLAT500`, ...; unknown codes are kept.
        code: PlatErrorCode,
        /// The server's message, when it sent one.
        message: Option<String>,
    },
    /// HTTP 401: no token, or one the gateway does not accept (expired, revoked).
    #[error("HTTP 401 Unauthorized: the PLAT gateway refused the Bearer token")]
    Unauthorized,
    /// Any other HTTP status without a PLAT error body.
    #[error(
        "HTTP {status} from the PLAT server{}",
        iryo_runtime::excerpt_suffix(body_excerpt)
    )]
    Http {
        /// The status code.
        status: u16,
        /// The first bytes of the body, if any.
        body_excerpt: String,
    },
    /// The request could not be sent or the answer not received.
    #[error("could not reach the PLAT server: {0}")]
    Transport(#[source] reqwest::Error),
    /// The server answered, but the body ended early. The request did reach the server: for a
    /// delete, `effect` says that it may have happened.
    #[error("{cut}; the PLAT server received the request{}", match effect {
        Some(effect) => format!(": {effect} may have happened; check before repeating it"),
        None => String::new(),
    })]
    Cut {
        /// What was cut, with the URL.
        cut: BodyCut,
        /// What the request may have done (`Some("the deletion")`), for requests that must not
        /// be repeated blindly.
        effect: Option<&'static str>,
    },
    /// An error body (an `errorCode` key, an OperationOutcome, Spring's error body) that does
    /// not decode: a wrong type, a duplicated key. The call failed.
    #[error(
        "PLAT answered with an error{}, but its body is malformed: {reason}{}",
        code.as_ref().map(|c| format!(" {c}")).unwrap_or_default(),
        iryo_runtime::excerpt_suffix(body_excerpt)
    )]
    MalformedError {
        /// The code, when `errorCode` is a string.
        code: Option<PlatErrorCode>,
        /// What is wrong with the body.
        reason: String,
        /// The first bytes of the body (secrets of the request blanked out).
        body_excerpt: String,
    },
    /// The token would go over plain http to a host that is not loopback; see
    /// [`Config::allow_insecure_http`](crate::Config::allow_insecure_http).
    #[error("{0} (Config::allow_insecure_http)")]
    InsecureHttp(InsecureHttp),
    /// The answer is bigger than the configured maximum.
    #[error("the PLAT answer is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// The answer holds more list items than [`MAX_LIST_ITEMS`](crate::MAX_LIST_ITEMS) (checked
    /// before decoding: each item becomes a typed value of hundreds of bytes).
    #[error("the PLAT answer holds {count} list items, more than the limit of {limit}")]
    TooManyItems {
        /// List items (array elements at any depth) in the answer.
        count: u64,
        /// The limit.
        limit: u64,
    },
    /// The answer is not JSON of the documented shape (a bad date, a wrong type, ...).
    #[error(
        "the PLAT answer does not decode: {message}{}",
        iryo_runtime::excerpt_suffix(body_excerpt)
    )]
    Decode {
        /// What did not match.
        message: String,
        /// The first bytes of the body.
        body_excerpt: String,
    },
    /// A parameter refused before sending (an id that is not one path segment).
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The parameter.
        field: &'static str,
        /// Why it is refused.
        reason: String,
    },
    /// The token provider failed.
    #[error("{0}")]
    Token(String),
    /// The client cannot be built from this configuration.
    #[error("invalid client configuration: {0}")]
    Config(String),
}

impl From<BuildError> for Error {
    fn from(error: BuildError) -> Self {
        match error {
            BuildError::InsecureHttp(insecure) => Error::InsecureHttp(insecure),
            other => Error::Config(other.to_string()),
        }
    }
}

/// No token to send: the provider failed, or gave one that cannot be a header.
impl From<AuthFailure> for Error {
    fn from(error: AuthFailure) -> Self {
        Error::Token(error.to_string())
    }
}

impl Error {
    /// A failed attempt in PLAT's terms; `effect` is what a request cut short may have done.
    pub(crate) fn from_failure(failure: CallFailure, effect: Option<&'static str>) -> Self {
        match failure {
            CallFailure::Status { status: 401, .. } => Error::Unauthorized,
            CallFailure::Status {
                status,
                body_excerpt,
                ..
            } => Error::Http {
                status,
                body_excerpt,
            },
            CallFailure::TooLarge(too_large) => Error::TooLarge {
                limit: too_large.limit,
            },
            CallFailure::Cut(cut) => Error::Cut { cut, effect },
            CallFailure::TooManyItems(found) => Error::TooManyItems {
                count: found.count,
                limit: found.limit,
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

    /// PLAT's error code, when the server sent one.
    pub fn code(&self) -> Option<&PlatErrorCode> {
        match self {
            Error::Api { code, .. } => Some(code),
            _ => None,
        }
    }
}
