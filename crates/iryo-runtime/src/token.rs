//! Bearer tokens that may change: a provider called before every request.

use std::future::Future;
use std::pin::Pin;

use crate::Secret;

/// What a [`TokenProvider`] returns.
pub type TokenFuture<'a> = Pin<Box<dyn Future<Output = Result<Secret, TokenError>> + Send + 'a>>;

/// Supplies the Bearer token for each request, so that an expired token can be refreshed
/// (e.g. with an OAuth refresh token) without rebuilding the client.
///
/// Any `Fn() -> Result<Secret, TokenError>` closure is a provider; implement the trait for an
/// asynchronous refresh.
pub trait TokenProvider: Send + Sync {
    /// The token to send now.
    fn token(&self) -> TokenFuture<'_>;

    /// The server refused the last token (HTTP 401). A provider that can get a new one forgets the old one and
    /// returns `true`, and the client asks once more; the default cannot, so the 401 is final.
    fn token_rejected(&self) -> bool {
        false
    }
}

impl<F> TokenProvider for F
where
    F: Fn() -> Result<Secret, TokenError> + Send + Sync,
{
    fn token(&self) -> TokenFuture<'_> {
        let token = self();
        Box::pin(async move { token })
    }
}

/// A token provider could not supply a token. The message must not contain a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the token provider failed: {0}")]
pub struct TokenError(pub String);
