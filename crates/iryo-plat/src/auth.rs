//! PLAT's Keycloak (COM_ATH_001-004): the authorisation URL with PKCE S256, the code exchange, refresh with
//! `grant_type=refresh_token` (fixup `refresh-grant-type`), and a [`TokenCache`] that refreshes before expiry and
//! once more when the API answers 401. Tokens are [`Secret`]s; token errors are typed OAuth errors.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use iryo_runtime::{Secret, TokenError, TokenFuture, TokenProvider};
use serde::Deserialize;
use sha2::{Digest, Sha256};

pub use iryo_plat_codes::OAuthErrorCode;

/// Where PLAT's Keycloak is and which client and realm to use. `Debug` shows no secret (there is none here:
/// `plat-public` is a public client).
#[derive(Clone, Debug)]
pub struct KeycloakConfig {
    base_url: String,
    prefix: String,
    realm: String,
    client_id: String,
    redirect_uri: String,
    scope: String,
    allow_insecure_http: bool,
}

impl KeycloakConfig {
    /// Keycloak at `base_url` (e.g. `https://plat.example.jp:8184`), realm = the organisation id (`0000000000` for
    /// patients), client `plat-public`, scope `offline_access`, no path prefix.
    pub fn new(
        base_url: impl Into<String>,
        realm: impl Into<String>,
        redirect_uri: impl Into<String>,
    ) -> Self {
        KeycloakConfig {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            prefix: String::new(),
            realm: realm.into(),
            client_id: "plat-public".to_owned(),
            redirect_uri: redirect_uri.into(),
            scope: "offline_access".to_owned(),
            allow_insecure_http: false,
        }
    }

    /// The path before `/realms`: `""` (Keycloak 17+) or `/auth` (older, as PLAT's Postman collection); fixup
    /// `keycloak-path-prefix`.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into().trim_end_matches('/').to_owned();
        self
    }

    /// The OAuth client (default `plat-public`).
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = client_id.into();
        self
    }

    /// The scope: `offline_access` (default; a refresh token that does not expire) or `openid`.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = scope.into();
        self
    }

    /// Allows plain `http://` to a host that is not loopback.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// The realm (organisation id).
    pub fn realm(&self) -> &str {
        &self.realm
    }

    /// `{base}{prefix}/realms/{realm}/protocol/openid-connect/{name}`, each segment percent-encoded.
    fn endpoint(&self, name: &str) -> Result<reqwest::Url, AuthError> {
        let mut url = reqwest::Url::parse(&self.base_url)
            .map_err(|e| AuthError::Config(format!("Keycloak URL: {e}")))?;
        let prefix = self.prefix.split('/').filter(|s| !s.is_empty());
        let rest = ["realms", &self.realm, "protocol", "openid-connect", name];
        url.path_segments_mut()
            .map_err(|()| AuthError::Config("the Keycloak URL cannot have a path".into()))?
            .pop_if_empty()
            .extend(prefix)
            .extend(rest);
        Ok(url)
    }

    /// COM_ATH_001: the URL to open in a browser; after login Keycloak redirects to the redirect URI with `code`
    /// and `state`.
    pub fn authorization_url(&self, pkce: &Pkce, state: &str) -> Result<String, AuthError> {
        let mut url = self.endpoint("auth")?;
        url.query_pairs_mut().extend_pairs([
            ("response_type", "code"),
            ("client_id", &self.client_id),
            ("redirect_uri", &self.redirect_uri),
            ("scope", &self.scope),
            ("state", state),
            ("code_challenge", &pkce.challenge),
            ("code_challenge_method", "S256"),
        ]);
        Ok(url.into())
    }

    /// A client for the token endpoint.
    pub fn build(self) -> Result<Keycloak, AuthError> {
        let url = self.endpoint("token")?;
        iryo_runtime::check_plain_http(url.as_str(), true, self.allow_insecure_http)
            .map_err(AuthError::Config)?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| AuthError::Config(e.to_string()))?;
        Ok(Keycloak {
            config: self,
            http,
            token_url: url,
        })
    }
}

/// A PKCE pair (RFC 7636): a random verifier (kept secret until the exchange) and its S256 challenge.
pub struct Pkce {
    verifier: Secret,
    challenge: String,
}

impl Pkce {
    /// 32 random bytes, base64url: a 43-character verifier.
    pub fn new() -> Result<Self, AuthError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| AuthError::Config(format!("no randomness: {e}")))?;
        Ok(Pkce::from_verifier(URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// A pair from a known verifier (to resume a login, or for tests).
    pub fn from_verifier(verifier: impl Into<String>) -> Self {
        let verifier = Secret::new(verifier);
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.expose_secret().as_bytes()));
        Pkce {
            verifier,
            challenge,
        }
    }

    /// The verifier, to keep until the code arrives.
    pub fn verifier(&self) -> &Secret {
        &self.verifier
    }

    /// `BASE64URL(SHA256(verifier))`.
    pub fn challenge(&self) -> &str {
        &self.challenge
    }
}

impl fmt::Debug for Pkce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkce")
            .field("challenge", &self.challenge)
            .finish_non_exhaustive()
    }
}

/// What the token endpoint answered.
#[derive(Clone, Debug)]
pub struct TokenSet {
    /// The Bearer token for the API.
    pub access_token: Secret,
    /// The refresh (or offline) token, when one came.
    pub refresh_token: Option<Secret>,
    /// When the access token expires.
    pub expires_at: Instant,
    /// `refresh_expires_in: 0`: an offline token, valid until revoked.
    pub offline: bool,
    /// The granted scope.
    pub scope: Option<String>,
}

/// Why the token endpoint could not give a token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// An OAuth error body (RFC 6749 §5.2), e.g. `invalid_grant` for a used code or a revoked refresh token.
    #[error("Keycloak refused (HTTP {status}): {code}{}", description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    OAuth {
        /// The HTTP status.
        status: u16,
        /// `error`; unknown codes are kept.
        code: OAuthErrorCode,
        /// `error_description`.
        description: Option<String>,
    },
    /// Another answer (an HTML page, a gateway error).
    #[error(
        "HTTP {status} from Keycloak{}",
        iryo_runtime::excerpt_suffix(body_excerpt)
    )]
    Http {
        /// The status.
        status: u16,
        /// The first bytes of the body.
        body_excerpt: String,
    },
    /// A 200 that is not a token answer.
    #[error("the token answer does not decode: {0}")]
    Decode(String),
    /// Keycloak could not be reached.
    #[error("could not reach Keycloak: {0}")]
    Transport(#[source] reqwest::Error),
    /// There is no refresh token to refresh with.
    #[error("no refresh token: log in again")]
    NoRefreshToken,
    /// Unusable configuration.
    #[error("invalid Keycloak configuration: {0}")]
    Config(String),
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default, deserialize_with = "lenient_seconds")]
    expires_in: Option<u64>,
    #[serde(default, deserialize_with = "lenient_seconds")]
    refresh_expires_in: Option<u64>,
    #[serde(default)]
    scope: Option<String>,
}

#[derive(Deserialize)]
struct OAuthErrorBody {
    error: OAuthErrorCode,
    #[serde(default)]
    error_description: Option<String>,
}

/// A number or a numeric string (fixup `token-numbers`).
fn lenient_seconds<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Seconds {
        Number(u64),
        Text(String),
    }
    match Option::<Seconds>::deserialize(d)? {
        None => Ok(None),
        Some(Seconds::Number(n)) => Ok(Some(n)),
        Some(Seconds::Text(t)) => t.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

/// A longer `expires_in` is read as this (a day): the answer is not trusted to name any instant.
const MAX_LIFETIME: u64 = 24 * 60 * 60;

/// Token answers are small; anything bigger is not one.
const MAX_TOKEN_ANSWER: usize = 64 * 1024;

/// The token endpoint of one realm.
#[derive(Clone, Debug)]
pub struct Keycloak {
    config: KeycloakConfig,
    http: reqwest::Client,
    token_url: reqwest::Url,
}

impl Keycloak {
    /// The configuration.
    pub fn config(&self) -> &KeycloakConfig {
        &self.config
    }

    /// COM_ATH_003: exchanges the code from the redirect for tokens.
    pub async fn exchange_code(&self, code: &str, pkce: &Pkce) -> Result<TokenSet, AuthError> {
        let c = &self.config;
        let form = [
            ("client_id", c.client_id.as_str()),
            ("scope", &c.scope),
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &c.redirect_uri),
            ("code_verifier", pkce.verifier.expose_secret()),
        ];
        self.post(&form).await
    }

    /// COM_ATH_004: a new access token for a refresh (or offline) token.
    pub async fn refresh(&self, refresh_token: &Secret) -> Result<TokenSet, AuthError> {
        let form = [
            ("client_id", self.config.client_id.as_str()),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose_secret()),
        ];
        self.post(&form).await
    }

    async fn post(&self, form: &[(&str, &str)]) -> Result<TokenSet, AuthError> {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let sent = Instant::now();
        let response = self
            .http
            .post(self.token_url.clone())
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body)
            .send()
            .await
            .map_err(AuthError::Transport)?;
        let status = response.status().as_u16();
        let bytes = read_limited(response).await?;
        if status != 200 {
            return Err(match serde_json::from_slice::<OAuthErrorBody>(&bytes) {
                Ok(e) => AuthError::OAuth {
                    status,
                    code: e.error,
                    description: e.error_description,
                },
                Err(_) => AuthError::Http {
                    status,
                    body_excerpt: iryo_runtime::body_excerpt(&bytes),
                },
            });
        }
        let answer: TokenAnswer =
            serde_json::from_slice(&bytes).map_err(|e| AuthError::Decode(e.to_string()))?;
        Ok(TokenSet {
            access_token: Secret::new(answer.access_token),
            refresh_token: answer.refresh_token.map(Secret::new),
            // Counted from when the request left, so that a slow answer does not stretch the lifetime.
            expires_at: sent
                + Duration::from_secs(answer.expires_in.unwrap_or(60).min(MAX_LIFETIME)),
            offline: answer.refresh_expires_in == Some(0),
            scope: answer.scope,
        })
    }
}

async fn read_limited(mut response: reqwest::Response) -> Result<Vec<u8>, AuthError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(AuthError::Transport)? {
        if bytes.len() + chunk.len() > MAX_TOKEN_ANSWER {
            return Err(AuthError::Decode(format!(
                "the answer is larger than {MAX_TOKEN_ANSWER} bytes"
            )));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

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
}

impl TokenCache {
    /// A cache that starts from tokens just obtained.
    pub fn new(keycloak: Keycloak, tokens: TokenSet) -> Self {
        let refresh = tokens.refresh_token.clone();
        TokenCache {
            keycloak,
            state: Arc::new(tokio::sync::Mutex::new(Some(tokens))),
            latest_refresh: Arc::new(Mutex::new(refresh)),
        }
    }

    /// A cache that starts from a saved refresh (offline) token; the first call refreshes.
    pub fn from_refresh_token(keycloak: Keycloak, refresh_token: Secret) -> Self {
        TokenCache {
            keycloak,
            state: Arc::new(tokio::sync::Mutex::new(None)),
            latest_refresh: Arc::new(Mutex::new(Some(refresh_token))),
        }
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
        if let Some(rotated) = &fresh.refresh_token {
            *self
                .latest_refresh
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(rotated.clone());
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
            .field("realm", &self.keycloak.config.realm)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_is_base64url_of_sha256() {
        // Expected value computed independently with Python's hashlib and base64.urlsafe_b64encode.
        let pkce = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r7wW1gFWFOEjXk");
        assert_eq!(
            pkce.challenge(),
            "bwWFMyPfdG9qreDhH2lmftFx_dFeLDalzcT1gb_j68g"
        );
        assert!(!format!("{pkce:?}").contains("dBjftJeZ"));
        let random = Pkce::new().unwrap();
        assert_eq!(random.verifier().expose_secret().len(), 43);
    }

    #[test]
    fn the_authorisation_url_carries_pkce_and_the_prefix() {
        let config = KeycloakConfig::new(
            "https://kc.example.jp/",
            "1310000001",
            "http://127.0.0.1:8400/callback",
        )
        .prefix("/auth");
        let pkce = Pkce::from_verifier("v");
        let url = config.authorization_url(&pkce, "st ate").unwrap();
        assert!(url.starts_with("https://kc.example.jp/auth/realms/1310000001/protocol/openid-connect/auth?response_type=code&client_id=plat-public&redirect_uri=http%3A%2F%2F127.0.0.1%3A8400%2Fcallback&scope=offline_access&state=st+ate&code_challenge="), "{url}");
        assert!(url.ends_with("&code_challenge_method=S256"));
        assert!(!url.contains("code_verifier"));
    }

    #[test]
    fn lifetimes_may_be_numbers_or_strings() {
        let answer: TokenAnswer = serde_json::from_str(
            r#"{"access_token":"a","expires_in":"1800","refresh_expires_in":0}"#,
        )
        .unwrap();
        assert_eq!(
            (answer.expires_in, answer.refresh_expires_in),
            (Some(1800), Some(0))
        );
        assert!(
            serde_json::from_str::<TokenAnswer>(r#"{"access_token":"a","expires_in":"soon"}"#)
                .is_err()
        );
    }
}
