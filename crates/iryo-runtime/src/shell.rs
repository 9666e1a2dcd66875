//! The shell every generated client shares: how it authenticates ([`Auth`]), the state the
//! generated code carries ([`Hooks`]: the resolved `Authorization`, the size limit, the
//! redactor), and what one operation is ([`Operation`], rendered from the spec).

use std::fmt;
use std::sync::Arc;

use reqwest::header::{AUTHORIZATION, HeaderValue};

use crate::{
    __private::{InvalidCredentials, Redactor},
    Credentials, TokenError, TokenProvider,
};

/// How a client authenticates: fixed credentials, or a Bearer token asked from a provider before
/// every request. `Debug` shows no secret.
#[derive(Clone)]
pub enum Auth {
    /// HTTP Basic, a fixed Bearer token, or nothing.
    Credentials(Credentials),
    /// A Bearer token from a [`TokenProvider`], asked before each request.
    Provider(Arc<dyn TokenProvider>),
}

/// Why no `Authorization` header could be made: typed, and never with the secret in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthFailure {
    /// The token provider failed.
    #[error(transparent)]
    Token(TokenError),
    /// The credentials cannot be an HTTP header.
    #[error(transparent)]
    Invalid(InvalidCredentials),
}

impl Auth {
    /// Whether requests carry credentials (for the plain-http rule).
    pub fn sends_credentials(&self) -> bool {
        !matches!(self, Auth::Credentials(Credentials::None))
    }

    /// The header to send now, remembered by `redactor` (a provider may hand out new tokens).
    pub async fn authorization(
        &self,
        redactor: &Redactor,
    ) -> Result<Option<HeaderValue>, AuthFailure> {
        let header = match self {
            Auth::Credentials(credentials) => credentials.authorization_header(),
            Auth::Provider(provider) => {
                let token = provider.token().await.map_err(AuthFailure::Token)?;
                Credentials::Bearer(token).authorization_header()
            }
        }
        .map_err(AuthFailure::Invalid)?;
        if let Some(value) = &header {
            redactor.remember(value);
        }
        Ok(header)
    }

    /// After a 401: whether asking once more may succeed with a fresh token.
    pub fn token_rejected(&self) -> bool {
        match self {
            Auth::Credentials(_) => false,
            Auth::Provider(provider) => provider.token_rejected(),
        }
    }
}

impl From<Credentials> for Auth {
    fn from(credentials: Credentials) -> Self {
        Auth::Credentials(credentials)
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::Credentials(credentials) => credentials.fmt(f),
            Auth::Provider(_) => f.write_str("Provider"),
        }
    }
}

/// Which failures an operation may be sent again after (`x-iryo-retry` in the spec, else from
/// the HTTP method).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryClass {
    /// Safe to repeat: connection failures, timeouts, cut answers, 408, 429 and 5xx.
    Read,
    /// Must not run twice: only a request that certainly never reached the server.
    Write,
}

impl RetryClass {
    /// Whether a transport failure leaves the operation worth sending again.
    pub fn allows_transport(self, error: &reqwest::Error) -> bool {
        match self {
            RetryClass::Read => crate::retry::is_retryable_transport(error),
            RetryClass::Write => crate::retry::is_connect_failure(error),
        }
    }

    /// Whether an answer with `status` leaves the operation worth sending again.
    pub fn allows_status(self, status: u16) -> bool {
        self == RetryClass::Read && crate::retry::is_retryable_status(status)
    }
}

/// One operation of a generated client, as the spec describes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operation {
    /// The API (`orca`, `plat`, ...).
    pub api: &'static str,
    /// The spec's `operationId`.
    pub name: &'static str,
    /// Its retry class.
    pub retry: RetryClass,
}

/// The generated client's inner state: the `Authorization` of the request being made (resolved
/// before sending, marked sensitive), the size limit and the redactor. `Debug` shows no secret.
#[derive(Clone)]
pub struct Hooks {
    authorization: Option<HeaderValue>,
    max_response_bytes: u64,
    max_list_items: Option<u64>,
    redactor: Redactor,
}

impl Hooks {
    /// No `Authorization` yet (the call path sets it per request).
    pub fn new(max_response_bytes: u64) -> Self {
        Hooks {
            authorization: None,
            max_response_bytes,
            max_list_items: None,
            redactor: Redactor::default(),
        }
    }

    /// The redactor of this client's secrets.
    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// The largest answer accepted.
    pub fn max_response_bytes(&self) -> u64 {
        self.max_response_bytes
    }

    /// Lowers the size limit (never raises it).
    pub fn limit_answers(&mut self, limit: u64) {
        self.max_response_bytes = self.max_response_bytes.min(limit);
    }

    /// Refuses JSON answers of more than `limit` list items before they are decoded
    /// ([`TooManyItems`](crate::__private::TooManyItems)): a client whose typed decode costs hundreds of
    /// bytes per item bounds its memory by their number.
    pub fn limit_list_items(&mut self, limit: u64) {
        self.max_list_items = Some(limit);
    }

    pub(crate) fn authorize(&mut self, authorization: Option<HeaderValue>) {
        self.authorization = authorization;
    }

    /// Run by the generated code before sending: puts the resolved `Authorization` on.
    #[doc(hidden)]
    pub fn pre(&self, request: &mut reqwest::Request) {
        if let Some(value) = &self.authorization {
            request.headers_mut().insert(AUTHORIZATION, value.clone());
        }
    }

    /// Run by the generated code to send: the answer read whole within the size limit, its
    /// status noted on the attempt's span.
    #[doc(hidden)]
    pub async fn exec(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
    ) -> reqwest::Result<reqwest::Response> {
        let (limit, items) = (self.max_response_bytes, self.max_list_items);
        let response = crate::__private::send_bounded_items(client, request, limit, items).await?;
        tracing::Span::current().record("status", response.status().as_u16());
        Ok(response)
    }
}

impl fmt::Debug for Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hooks")
            .field("max_response_bytes", &self.max_response_bytes)
            .finish_non_exhaustive()
    }
}

/// What the generated client gives the call path: its [`Hooks`]. Rendered by the generator.
#[doc(hidden)]
pub trait Generated: Clone {
    /// The inner state.
    fn hooks(&self) -> &Hooks;
    /// The inner state, to change.
    fn hooks_mut(&mut self) -> &mut Hooks;
}

/// The generated client's side of the call path, written once: progenitor's `ClientHooks` put
/// the resolved `Authorization` on ([`Hooks::pre`]) and send within the size limit
/// ([`Hooks::exec`]); [`Generated`] hands the call path the hooks. Rendered by the generator as
/// `::iryo_runtime::generated_client!(Client);` into each client's `operations.rs`.
#[cfg(feature = "progenitor")]
#[doc(hidden)]
#[macro_export]
macro_rules! generated_client {
    ($client:ty) => {
        impl $crate::__private::progenitor::ClientHooks<$crate::__private::Hooks> for $client {
            async fn pre<E>(
                &self,
                request: &mut ::reqwest::Request,
                _info: &$crate::__private::progenitor::OperationInfo,
            ) -> ::std::result::Result<(), $crate::__private::progenitor::Error<E>> {
                self.inner.pre(request);
                Ok(())
            }

            async fn exec(
                &self,
                request: ::reqwest::Request,
                _info: &$crate::__private::progenitor::OperationInfo,
            ) -> ::reqwest::Result<::reqwest::Response> {
                self.inner.exec(&self.client, request).await
            }
        }

        impl $crate::__private::Generated for $client {
            fn hooks(&self) -> &$crate::__private::Hooks {
                &self.inner
            }
            fn hooks_mut(&mut self) -> &mut $crate::__private::Hooks {
                &mut self.inner
            }
        }
    };
}
