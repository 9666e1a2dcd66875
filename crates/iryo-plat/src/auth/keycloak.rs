//! The token endpoint (COM_ATH_003 code exchange, COM_ATH_004 refresh) and its answers.

use std::time::{Duration, Instant};

use iryo_runtime::Secret;
use serde::Deserialize;

use super::{KeycloakConfig, OAuthErrorCode, Pkce};

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
        iryo_runtime::__private::excerpt_suffix(body_excerpt)
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
    /// Plain `http://` to Keycloak on a host that is not loopback, without consent
    /// ([`KeycloakConfig::allow_insecure_http`]): the code, the verifier and the tokens would travel readable.
    #[error("Keycloak: {0}")]
    InsecureHttp(iryo_runtime::InsecureHttp),
    /// A rotated refresh token could not be kept (see [`TokenCache::on_rotation`](super::TokenCache::on_rotation)):
    /// the old one is spent, so the login is lost unless this is fixed.
    #[error("the new refresh token could not be saved: {0}")]
    Save(String),
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
pub(super) const MAX_TOKEN_ANSWER: u64 = 64 * 1024;

/// The token endpoint of one realm.
#[derive(Clone, Debug)]
pub struct Keycloak {
    pub(super) config: KeycloakConfig,
    pub(super) http: reqwest::Client,
    pub(super) token_url: reqwest::Url,
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
        let request = self
            .http
            .post(self.token_url.clone())
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body)
            .build()
            .map_err(AuthError::Transport)?;
        let response = iryo_runtime::__private::send_bounded(&self.http, request, MAX_TOKEN_ANSWER)
            .await
            .map_err(AuthError::Transport)?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await.map_err(too_large_or_transport)?;
        if status != 200 {
            return Err(refusal(status, &bytes, form));
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

/// A refusal as it may be shown: Keycloak's text (an unknown `error`, `error_description`, an
/// excerpt) through the runtime's one path, the secrets of the form blanked out.
fn refusal(status: u16, bytes: &[u8], form: &[(&str, &str)]) -> AuthError {
    let redactor = iryo_runtime::__private::Redactor::default();
    for (key, value) in form {
        if matches!(
            *key,
            "code" | "code_verifier" | "refresh_token" | "client_secret"
        ) {
            redactor.remember_secret(value);
        }
    }
    match serde_json::from_slice::<OAuthErrorBody>(bytes) {
        Ok(e) => AuthError::OAuth {
            status,
            code: match e.error {
                OAuthErrorCode::Unknown(code) => {
                    OAuthErrorCode::from(redactor.excerpt(code.as_str().as_bytes()).as_str())
                }
                known => known,
            },
            description: e.error_description.map(|d| redactor.excerpt(d.as_bytes())),
        },
        Err(_) => AuthError::Http {
            status,
            body_excerpt: redactor.excerpt(bytes),
        },
    }
}

/// A body over the limit, told apart from a failed connection.
fn too_large_or_transport(error: reqwest::Error) -> AuthError {
    match iryo_runtime::__private::body_failure(&error) {
        Some(iryo_runtime::__private::BodyProblem::TooLarge(_)) => AuthError::Decode(format!(
            "the answer is larger than {MAX_TOKEN_ANSWER} bytes"
        )),
        _ => AuthError::Transport(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
