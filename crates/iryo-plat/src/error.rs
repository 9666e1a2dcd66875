//! The one error type of the PLAT client.

use iryo_plat_codes::PlatErrorCode;

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
    /// The answer is bigger than the configured maximum.
    #[error("the PLAT answer is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
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

impl Error {
    /// PLAT's error code, when the server sent one.
    pub fn code(&self) -> Option<&PlatErrorCode> {
        match self {
            Error::Api { code, .. } => Some(code),
            _ => None,
        }
    }
}
