//! The token cache: one login's tokens, refreshed before expiry and after a 401.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use iryo_runtime::{Secret, TokenError, TokenFuture, TokenProvider};

use super::{AuthError, Keycloak, TokenSet};

/// Keeps a rotated refresh token somewhere durable; see [`TokenCache::on_rotation`].
type RotationHook = Arc<dyn Fn(&Secret) -> Result<(), String> + Send + Sync>;

/// Refresh this long before the access token expires, so that a request never leaves with a dying token.
const REFRESH_MARGIN: Duration = Duration::from_secs(30);

/// The current tokens of one login: a [`TokenProvider`] for [`Config::with_token_provider`](crate::Config).
/// It refreshes when the access token is within 30 s of expiry, and after the API answered 401
/// ([`TokenProvider::token_rejected`]). Clones share the tokens.
#[derive(Clone)]
pub struct TokenCache {
    keycloak: Keycloak,
    state: Arc<tokio::sync::Mutex<Option<TokenSet>>>,
    /// The newest refresh token, readable without waiting (for saving it).
    latest_refresh: Arc<Mutex<Option<Secret>>>,
    on_rotation: Option<RotationHook>,
}

impl TokenCache {
    /// A cache that starts from tokens just obtained.
    pub fn new(keycloak: Keycloak, tokens: TokenSet) -> Self {
        let refresh = tokens.refresh_token.clone();
        TokenCache {
            keycloak,
            state: Arc::new(tokio::sync::Mutex::new(Some(tokens))),
            latest_refresh: Arc::new(Mutex::new(refresh)),
            on_rotation: None,
        }
    }

    /// A cache that starts from a saved refresh (offline) token; the first call refreshes.
    pub fn from_refresh_token(keycloak: Keycloak, refresh_token: Secret) -> Self {
        TokenCache {
            keycloak,
            state: Arc::new(tokio::sync::Mutex::new(None)),
            latest_refresh: Arc::new(Mutex::new(Some(refresh_token))),
            on_rotation: None,
        }
    }

    /// Calls `save` with each new refresh token as soon as Keycloak answers, before the access token is used.
    /// A Keycloak that rotates refresh tokens spends the old one at that moment, so the new one must be kept
    /// whatever the API answers next; when `save` fails, the refresh fails with [`AuthError::Save`].
    pub fn on_rotation(
        mut self,
        save: impl Fn(&Secret) -> Result<(), String> + Send + Sync + 'static,
    ) -> Self {
        self.on_rotation = Some(Arc::new(save));
        self
    }

    /// The newest refresh token (Keycloak may rotate it); save this one.
    pub fn refresh_token(&self) -> Option<Secret> {
        self.latest_refresh
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// A valid access token, refreshing first if needed.
    pub async fn access_token(&self) -> Result<Secret, AuthError> {
        let mut state = self.state.lock().await;
        if let Some(tokens) = state
            .as_ref()
            .filter(|t| Instant::now() + REFRESH_MARGIN < t.expires_at)
        {
            return Ok(tokens.access_token.clone());
        }
        let refresh = self.refresh_token().ok_or(AuthError::NoRefreshToken)?;
        let fresh = self.keycloak.refresh(&refresh).await?;
        if let Some(rotated) = fresh
            .refresh_token
            .as_ref()
            .filter(|new| new.expose_secret() != refresh.expose_secret())
        {
            *self
                .latest_refresh
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(rotated.clone());
            if let Some(save) = &self.on_rotation {
                save(rotated).map_err(AuthError::Save)?;
            }
        }
        let token = fresh.access_token.clone();
        *state = Some(fresh);
        Ok(token)
    }

    /// Forgets the access token, so that the next call refreshes.
    pub fn invalidate(&self) {
        if let Ok(mut state) = self.state.try_lock() {
            *state = None;
        }
    }
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("realm", &self.keycloak.config().realm())
            .finish_non_exhaustive()
    }
}

impl TokenProvider for TokenCache {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(async move {
            self.access_token()
                .await
                .map_err(|e| TokenError(e.to_string()))
        })
    }

    fn token_rejected(&self) -> bool {
        self.invalidate();
        self.refresh_token().is_some()
    }
}
