//! A Keycloak-style OIDC provider for the mock (COM_ATH_001-004): the authorisation endpoint logs the realm's user
//! in at once and redirects with a code; the token endpoint exchanges the code (checking PKCE S256 and the
//! redirect URI) and refreshes (`grant_type=refresh_token`, fixup `refresh-grant-type`). Errors are OAuth bodies
//! (RFC 6749 §5.2). Access tokens it issues are accepted by the API routes until they expire or are expired.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::Shared;
use super::auth::Actor;
use super::handler::{empty, json_response, method_not_allowed};
use super::issued::Issued;

/// The public client PLAneTs' Postman collection uses.
pub const PUBLIC_CLIENT: &str = "plat-public";

struct Code {
    realm: String,
    redirect_uri: String,
    challenge: String,
    offline: bool,
    actor: Actor,
}

struct Refresh {
    realm: String,
    offline: bool,
    actor: Actor,
}

/// Users per realm, and everything issued so far. Tokens are random UUIDs; `Debug` is not derived.
pub(crate) struct Keycloak {
    pub(crate) users: BTreeMap<String, Actor>,
    pub(crate) access_lifetime: Duration,
    /// Keycloak's "Revoke Refresh Token": a refresh token works once, the refresh answers a new one.
    pub(crate) rotate_refresh_tokens: bool,
    codes: Issued<Code>,
    access: HashMap<String, (Actor, Instant)>,
    refresh: Issued<Refresh>,
}

/// An authorization code is good for a minute (Keycloak's default code lifespan).
const CODE_LIFETIME: Duration = Duration::from_secs(60);
/// An online refresh token lasts as `refresh_expires_in` says; offline ones until evicted.
const REFRESH_LIFETIME: Duration = Duration::from_secs(1800);
/// Codes and refresh tokens kept at most (the oldest are forgotten first).
pub(crate) const MAX_ISSUED: usize = 10_000;

impl Keycloak {
    /// Realm `1310000001` is [`Actor::demo`], `1320000002` [`Actor::other_organization`], `0000000000` (patients)
    /// [`Actor::patient`].
    pub(crate) fn new(access_lifetime: Duration) -> Self {
        let users = [
            ("1310000001", Actor::demo()),
            ("1320000002", Actor::other_organization()),
            ("0000000000", Actor::patient()),
        ];
        Keycloak {
            users: users.into_iter().map(|(r, a)| (r.to_owned(), a)).collect(),
            access_lifetime,
            rotate_refresh_tokens: false,
            codes: Issued::new(MAX_ISSUED),
            access: HashMap::new(),
            refresh: Issued::new(MAX_ISSUED),
        }
    }

    /// The actor of an issued access token that has not expired.
    pub(crate) fn actor(&self, token: &str) -> Option<&Actor> {
        let (actor, until) = self.access.get(token)?;
        (Instant::now() < *until).then_some(actor)
    }

    /// Every access token issued so far stops working (a token that "expires mid-flow").
    pub(crate) fn expire_access_tokens(&mut self) {
        self.access.clear();
    }

    /// Every refresh token stops working (a logout, or a revoked offline session).
    pub(crate) fn revoke_refresh_tokens(&mut self) {
        self.refresh.clear();
    }

    fn issue(&mut self, realm: &str, offline: bool, actor: Actor) -> serde_json::Value {
        // Expired access tokens are forgotten, so a long-running mock does not grow with every login.
        let now = Instant::now();
        self.access.retain(|_, (_, until)| *until > now);
        let (access, refresh) = (
            uuid::Uuid::new_v4().to_string(),
            uuid::Uuid::new_v4().to_string(),
        );
        self.access.insert(
            access.clone(),
            (actor.clone(), Instant::now() + self.access_lifetime),
        );
        let refresh_entry = Refresh {
            realm: realm.to_owned(),
            offline,
            actor,
        };
        let lifetime = (!offline).then_some(REFRESH_LIFETIME);
        self.refresh
            .insert(refresh.clone(), refresh_entry, lifetime);
        // As the COM_ATH_003 sample: numbers, `refresh_expires_in: 0` for an offline token (fixup `token-numbers`).
        json!({
            "access_token": access,
            "expires_in": self.access_lifetime.as_secs(),
            "refresh_expires_in": if offline { 0 } else { 1800 },
            "refresh_token": refresh,
            "token_type": "Bearer",
            "not-before-policy": 0,
            "session_state": uuid::Uuid::new_v4().to_string(),
            "scope": if offline { "offline_access profile email" } else { "openid profile email" },
        })
    }
}

pub(crate) fn routes(prefix: &str) -> Router<Arc<Shared>> {
    let base = format!("{prefix}/realms/{{realm}}/protocol/openid-connect");
    Router::new()
        .route(
            &format!("{base}/auth"),
            get(authorize).fallback(method_not_allowed),
        )
        .route(
            &format!("{base}/token"),
            post(token).fallback(method_not_allowed),
        )
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    json_response(
        status,
        &json!({"error": error, "error_description": description}),
    )
}

/// COM_ATH_001: checks the query, logs the realm's user in, and redirects to `redirect_uri?code=…&state=…`.
async fn authorize(
    State(shared): State<Arc<Shared>>,
    Path(realm): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let field = |key: &str| q.get(key).map(String::as_str);
    let mut kc = shared.keycloak();
    let Some(actor) = kc.users.get(&realm).cloned() else {
        return empty(StatusCode::NOT_FOUND);
    };
    if field("client_id") != Some(PUBLIC_CLIENT) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            "Client not found.",
        );
    }
    let (Some("code"), Some(redirect)) = (field("response_type"), field("redirect_uri")) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Missing response_type or redirect_uri.",
        );
    };
    // The external-client setup requires PKCE S256.
    let (Some(challenge), Some("S256")) = (field("code_challenge"), field("code_challenge_method"))
    else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Missing parameter: code_challenge_method",
        );
    };
    let offline = field("scope")
        .unwrap_or_default()
        .split(' ')
        .any(|s| s == "offline_access");
    let code = uuid::Uuid::new_v4().to_string();
    let entry = Code {
        realm,
        redirect_uri: redirect.to_owned(),
        challenge: challenge.to_owned(),
        offline,
        actor,
    };
    kc.codes.insert(code.clone(), entry, Some(CODE_LIFETIME));
    let mut target = with_query(redirect, &[("code", &code)]);
    if let Some(state) = field("state") {
        target = with_query(&target, &[("state", state)]);
    }
    let mut response = empty(StatusCode::FOUND);
    if let Ok(value) = HeaderValue::from_str(&target) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

/// Appends query pairs, form-encoded.
fn with_query(base: &str, pairs: &[(&str, &str)]) -> String {
    let separator = if base.contains('?') { '&' } else { '?' };
    let query = serde_urlencoded::to_string(pairs).unwrap_or_default();
    format!("{base}{separator}{query}")
}

/// COM_ATH_003 and 004: `application/x-www-form-urlencoded` fields in the body.
async fn token(
    State(shared): State<Arc<Shared>>,
    Path(realm): Path<String>,
    body: Bytes,
) -> Response {
    let Ok(form) = serde_urlencoded::from_bytes::<HashMap<String, String>>(&body) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The body is not a form.",
        );
    };
    let field = |key: &str| form.get(key).map(String::as_str);
    if field("client_id") != Some(PUBLIC_CLIENT) {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Invalid client credentials",
        );
    }
    let mut kc = shared.keycloak();
    match field("grant_type") {
        Some("authorization_code") => {
            let (Some(code), Some(redirect), Some(verifier)) =
                (field("code"), field("redirect_uri"), field("code_verifier"))
            else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "Missing parameter: code, redirect_uri or code_verifier",
                );
            };
            // A code is used once, whatever happens next.
            let Some(issued) = kc.codes.remove(code).filter(|c| c.realm == realm) else {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "Code not valid");
            };
            if issued.redirect_uri != redirect {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "Incorrect redirect_uri",
                );
            }
            let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
            if computed != issued.challenge {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "PKCE verification failed: Code mismatch",
                );
            }
            let answer = kc.issue(&realm, issued.offline, issued.actor);
            json_response(StatusCode::OK, &answer)
        }
        Some("refresh_token") => {
            let Some(refresh) = field("refresh_token") else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "Missing parameter: refresh_token",
                );
            };
            let Some(known) = kc.refresh.get(refresh).filter(|r| r.realm == realm) else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "Invalid refresh token",
                );
            };
            let (offline, actor) = (known.offline, known.actor.clone());
            if kc.rotate_refresh_tokens {
                kc.refresh.remove(refresh);
            }
            let answer = kc.issue(&realm, offline, actor);
            json_response(StatusCode::OK, &answer)
        }
        Some(_) => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "Unsupported grant_type",
        ),
        None => oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Missing form parameter: grant_type",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(
            with_query("http://x/cb", &[("code", "a b&c")]),
            "http://x/cb?code=a+b%26c"
        );
        assert_eq!(
            with_query("http://x/cb?k=1", &[("state", "s")]),
            "http://x/cb?k=1&state=s"
        );
    }

    #[test]
    fn expired_tokens_name_no_actor() {
        let mut kc = Keycloak::new(Duration::from_secs(60));
        let answer = kc.issue("1310000001", true, Actor::demo());
        let token = answer["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert_eq!(kc.actor(&token), Some(&Actor::demo()));
        kc.expire_access_tokens();
        assert_eq!(kc.actor(&token), None);
        let mut short = Keycloak::new(Duration::ZERO);
        let answer = short.issue("1310000001", false, Actor::demo());
        assert_eq!(
            short.actor(answer["access_token"].as_str().unwrap_or_default()),
            None
        );
    }

    #[test]
    fn refresh_tokens_are_bounded() {
        let mut kc = Keycloak::new(Duration::from_secs(60));
        let first = kc.issue("1310000001", true, Actor::demo());
        for _ in 0..MAX_ISSUED + 10 {
            kc.issue("1310000001", true, Actor::demo());
        }
        assert_eq!(kc.refresh.len(), MAX_ISSUED);
        let first = first["refresh_token"].as_str().unwrap_or_default();
        assert!(kc.refresh.get(first).is_none(), "the oldest was forgotten");
    }
}
