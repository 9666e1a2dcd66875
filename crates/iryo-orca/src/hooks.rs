//! What the generated client runs around each request: the `Authorization` header goes on, and
//! progenitor's `api-version` header comes off (ORCA never asked for it).

use std::fmt;

use iryo_runtime::Redactor;
use progenitor_client::{ClientHooks, ClientInfo, Error as RawError, OperationInfo};
use reqwest::header::{AUTHORIZATION, HeaderValue};

use crate::generated::Client as RawClient;

/// The generated client's inner state: the prepared `Authorization` header (marked sensitive).
#[derive(Clone)]
pub struct Hooks {
    authorization: Option<HeaderValue>,
    pub(crate) max_response_bytes: u64,
    pub(crate) redactor: Redactor,
}

impl Hooks {
    pub(crate) fn new(authorization: Option<HeaderValue>, max_response_bytes: u64) -> Self {
        let redactor = Redactor::default();
        if let Some(value) = &authorization {
            redactor.remember(value);
        }
        Hooks {
            authorization,
            max_response_bytes,
            redactor,
        }
    }
}

impl fmt::Debug for Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let auth = if self.authorization.is_some() {
            "[REDACTED]"
        } else {
            "none"
        };
        f.debug_struct("Hooks")
            .field("authorization", &auth)
            .finish()
    }
}

impl ClientHooks<Hooks> for RawClient {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), RawError<E>> {
        let headers = request.headers_mut();
        headers.remove("api-version");
        if let Some(value) = &self.inner.authorization {
            headers.insert(AUTHORIZATION, value.clone());
        }
        Ok(())
    }

    /// Sends the request and reads the answer whole, at most `max_response_bytes`.
    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        iryo_runtime::send_bounded(self.client(), request, self.inner.max_response_bytes).await
    }
}
