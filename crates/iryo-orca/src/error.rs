//! The one error type of the ORCA client: the runtime's shared kinds (`Http`, `Transport`,
//! `InsecureHttp`, `TooLarge`, `Decode`, `InvalidInput`, `Config`) and ORCA's own.

use iryo_orca_codes::PushErrorCode;
use iryo_runtime::{__private::CallFailure, BodyCut};

iryo_runtime::client_error! {
    api: "ORCA",
    code: PushErrorCode,
    auth_failure: Config,
    forbidden: Forbidden,
    /// Everything a call can fail with. ORCA's own errors (HTTP 200 with a code) and HTTP-level
    /// failures (401/403/404/500, sent with an empty body) are different variants; `Http` is any
    /// other status (404 when the API is not offered, e.g. on-premises; 500, ...).
    pub enum Error {
        /// ORCA answered with an error code (HTTP 200). Code 0007 (nothing found) never ends up
        /// here: it is an empty result.
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
        /// The server answered, but the body ended early (fewer bytes than `Content-Length`, or
        /// the connection broke in the middle). Reading again is safe.
        #[error("{0}; the ORCA server was reached, its answer is incomplete")]
        Cut(BodyCut),
    }
}

impl From<CallFailure> for Error {
    fn from(failure: CallFailure) -> Self {
        // ORCA's answers are read as text and typed one notification at a time: no item limit is
        // asked for, so `TooManyItems` never comes; named all the same.
        Error::shared_failure(failure, Error::Cut, Error::undecodable)
    }
}
