//! PLAT's Keycloak (COM_ATH_001-004): the authorisation URL with PKCE S256, the code exchange, refresh with
//! `grant_type=refresh_token` (fixup `refresh-grant-type`), and a [`TokenCache`] that refreshes before expiry and
//! once more when the API answers 401. Tokens are [`Secret`]s; token errors are typed OAuth errors.

//!
//! Hand-written on `sha2` + `base64` rather than the `oauth2` crate: oauth2 5.0 is built on reqwest 0.12, a second
//! HTTP stack beside the workspace's reqwest 0.13, for two form posts.

mod cache;
mod keycloak;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use iryo_runtime::{Secret, Transport};
use sha2::{Digest, Sha256};

pub use cache::TokenCache;
pub use iryo_plat_codes::OAuthErrorCode;
use keycloak::MAX_TOKEN_ANSWER;
pub use keycloak::{AuthError, Keycloak, TokenSet};

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
    /// The token endpoint's connection (the consent to plain http included).
    transport: Transport,
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
            transport: Transport::new("iryo-plat", MAX_TOKEN_ANSWER),
        }
    }

    iryo_runtime::setters! {
        /// The path before `/realms`: `""` (Keycloak 17+) or `/auth` (older, as PLAT's Postman collection); fixup
        /// `keycloak-path-prefix`.
        prefix(prefix: impl Into<String>) => prefix = prefix.into().trim_end_matches('/').to_owned();
        /// The OAuth client (default `plat-public`).
        client_id(client_id: impl Into<String>) => client_id = client_id.into();
        /// The scope: `offline_access` (default; a refresh token that does not expire) or `openid`.
        scope(scope: impl Into<String>) => scope = scope.into();
    }

    iryo_runtime::allow_insecure_http!(transport);

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
        // A redirect would carry the code, the verifier or the refresh token somewhere else.
        let http = self
            .transport
            .http_client_builder(url.as_str(), true)
            .map_err(|e| e.into_client_error(AuthError::InsecureHttp, AuthError::Config))?
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
/// `Debug` shows the challenge only (the verifier is a [`Secret`]).
#[derive(Debug)]
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
}
