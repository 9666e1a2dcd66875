//! What the generated client runs around each request: the Bearer token goes on (fetched from
//! the provider each time), progenitor's `api-version` header comes off.

use std::fmt;
use std::sync::Arc;

use iryo_runtime::{Redactor, Secret, TokenProvider};
use progenitor_client::{ClientHooks, ClientInfo, Error as RawError, OperationInfo};
use reqwest::header::{AUTHORIZATION, HeaderValue};

use crate::generated::Client as RawClient;

/// Where the Bearer token comes from.
#[derive(Clone)]
pub(crate) enum TokenSource {
    Static(Secret),
    Provider(Arc<dyn TokenProvider>),
}

/// The generated client's inner state.
#[derive(Clone)]
pub struct Hooks {
    token: TokenSource,
    max_response_bytes: u64,
    pub(crate) redactor: Redactor,
}

impl Hooks {
    pub(crate) fn new(token: TokenSource, max_response_bytes: u64) -> Self {
        Hooks {
            token,
            max_response_bytes,
            redactor: Redactor::default(),
        }
    }

    /// After a 401: whether a second try may get a fresh token.
    pub(crate) fn token_rejected(&self) -> bool {
        match &self.token {
            TokenSource::Static(_) => false,
            TokenSource::Provider(provider) => provider.token_rejected(),
        }
    }

    async fn authorization(&self) -> Result<HeaderValue, String> {
        let token = match &self.token {
            TokenSource::Static(token) => token.clone(),
            TokenSource::Provider(provider) => provider.token().await.map_err(|e| e.to_string())?,
        };
        let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
            .map_err(|_| {
                "the token contains a character that cannot be sent in a header".to_owned()
            })?;
        value.set_sensitive(true);
        // Every token sent is blanked out of error excerpts (a provider may hand out new ones).
        self.redactor.remember(&value);
        Ok(value)
    }
}

impl fmt::Debug for Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = match self.token {
            TokenSource::Static(_) => "static [REDACTED]",
            TokenSource::Provider(_) => "provider",
        };
        f.debug_struct("Hooks").field("token", &source).finish()
    }
}

/// Marks an error raised by the token source, so the client can report it as such.
pub(crate) const TOKEN_ERROR_PREFIX: &str = "token: ";

impl ClientHooks<Hooks> for RawClient {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), RawError<E>> {
        let value = self
            .inner
            .authorization()
            .await
            .map_err(|e| RawError::Custom(format!("{TOKEN_ERROR_PREFIX}{e}")))?;
        let headers = request.headers_mut();
        headers.remove("api-version");
        headers.insert(AUTHORIZATION, value);
        Ok(())
    }

    /// Sends the request and reads the answer whole, at most `max_response_bytes` and
    /// [`MAX_LIST_ITEMS`](crate::MAX_LIST_ITEMS) list items.
    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let (client, limit) = (self.client(), self.inner.max_response_bytes);
        let items = Some(crate::MAX_LIST_ITEMS);
        iryo_runtime::send_bounded_items(client, request, limit, items).await
    }
}
