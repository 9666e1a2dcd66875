//! The one error type of the PLAT client: the runtime's shared kinds (`Http`, `Transport`,
//! `InsecureHttp`, `TooLarge`, `Decode`, `InvalidInput`, `Config`) and PLAT's own.

use iryo_plat_codes::PlatErrorCode;
use iryo_runtime::{__private::CallFailure, BodyCut};

iryo_runtime::client_error! {
    api: "PLAT",
    code: PlatErrorCode,
    auth_failure: Token,
    /// Everything a call can fail with. A PLAT error body (`errorCode`, or an OperationOutcome
    /// `id`) is [`Error::Api`] whatever the HTTP status it came with; `Http` is any other status
    /// without a PLAT error body.
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
        /// The server answered, but the body ended early. The request did reach the server: for
        /// a delete, `effect` says that it may have happened.
        #[error("{cut}; the PLAT server received the request{}", match effect {
            Some(effect) => format!(": {effect} may have happened; check before repeating it"),
            None => String::new(),
        })]
        Cut {
            /// What was cut, with the URL.
            cut: BodyCut,
            /// What the request may have done (`Some("the deletion")`), for requests that must
            /// not be repeated blindly.
            effect: Option<&'static str>,
        },
        /// An error body (an `errorCode` key, an OperationOutcome, Spring's error body) that
        /// does not decode: a wrong type, a duplicated key. The call failed.
        #[error(
            "PLAT answered with an error{}, but its body is malformed: {reason}{}",
            code.as_ref().map(|c| format!(" {c}")).unwrap_or_default(),
            iryo_runtime::__private::excerpt_suffix(body_excerpt)
        )]
        MalformedError {
            /// The code, when `errorCode` is a string.
            code: Option<PlatErrorCode>,
            /// What is wrong with the body.
            reason: String,
            /// The first bytes of the body (secrets of the request blanked out).
            body_excerpt: String,
        },
        /// The answer holds more list items than [`MAX_LIST_ITEMS`](crate::MAX_LIST_ITEMS)
        /// (checked before decoding: each item becomes a typed value of hundreds of bytes).
        #[error("the PLAT answer holds {count} list items, more than the limit of {limit}")]
        TooManyItems {
            /// List items (array elements at any depth) in the answer.
            count: u64,
            /// The limit.
            limit: u64,
        },
        /// The token provider failed.
        #[error("{0}")]
        Token(String),
    }
}

impl Error {
    /// A failed attempt in PLAT's terms; `effect` is what a request cut short may have done.
    pub(crate) fn from_failure(failure: CallFailure, effect: Option<&'static str>) -> Self {
        let cut = |cut| Error::Cut { cut, effect };
        Error::shared_failure(failure, cut, |found| Error::TooManyItems {
            count: found.count,
            limit: found.limit,
        })
    }
}
