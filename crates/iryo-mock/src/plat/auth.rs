//! Bearer-token authentication, as PLAT's gateway (`plat-gateway`, in front of Keycloak) does it: the API never
//! sees a request without a known token. A refused request gets an empty 401 from the gateway, not a PLAT error.

use std::collections::BTreeMap;

use axum::http::{HeaderMap, header::AUTHORIZATION};

/// The token the mock accepts by default, for [`Actor::demo`].
pub const DEMO_TOKEN: &str = "demo-token";

/// The second default token, for [`Actor::other_organization`].
pub const OTHER_ORG_TOKEN: &str = "other-org-token";

/// Who a token stands for: the ids the real platform reads from the access token's claims (`ORGANIZATION-ID`,
/// `PLAT-ID`). The mock uses them for the holder check (PLAT403) and writes them into new comments.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Actor {
    /// 医療機関ID, such as `1310000001`; `None` for a caller outside any organization (a patient).
    pub organization_id: Option<String>,
    /// 診療科ID, when the caller acts for one department.
    pub department_id: Option<String>,
    /// 個人ID (PLAT ID), a UUID.
    pub personal_id: String,
}

impl Actor {
    /// The actor of [`DEMO_TOKEN`]: organization `1310000001`, no department, and personal id
    /// `db04b087-52ee-4d69-9861-07e4d3db325e`, the approver of the document's sample.
    pub fn demo() -> Self {
        Actor {
            organization_id: Some("1310000001".to_owned()),
            department_id: None,
            personal_id: "db04b087-52ee-4d69-9861-07e4d3db325e".to_owned(),
        }
    }

    /// A patient (realm `0000000000`): no organization, personal id `6d86c3e2-aa16-6a0c-89df-a4d40bcc83ca`, the
    /// patient of PRV_ROL_002's sample.
    pub fn patient() -> Self {
        Actor {
            organization_id: None,
            department_id: None,
            personal_id: "6d86c3e2-aa16-6a0c-89df-a4d40bcc83ca".to_owned(),
        }
    }

    /// The actor of [`OTHER_ORG_TOKEN`]: organization `1320000002`, no department, personal id
    /// `0f3c2a9e-1111-4222-8333-944455556666`.
    pub fn other_organization() -> Self {
        Actor {
            organization_id: Some("1320000002".to_owned()),
            department_id: None,
            personal_id: "0f3c2a9e-1111-4222-8333-944455556666".to_owned(),
        }
    }
}

/// Accepted tokens and their actors. `Debug` never shows a token.
#[derive(Clone, Default)]
pub(crate) struct Tokens(BTreeMap<String, Actor>);

impl Tokens {
    /// The two default tokens.
    pub(crate) fn defaults() -> Self {
        let mut tokens = Tokens::default();
        tokens.insert(DEMO_TOKEN.to_owned(), Actor::demo());
        tokens.insert(OTHER_ORG_TOKEN.to_owned(), Actor::other_organization());
        tokens
    }

    pub(crate) fn insert(&mut self, token: String, actor: Actor) {
        self.0.insert(token, actor);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The actor of the request's `Authorization: Bearer <token>`, or `None` (answered 401). The scheme is
    /// case-insensitive (RFC 6750 via RFC 7235); the token must match exactly. Never logs the header.
    pub(crate) fn actor(&self, headers: &HeaderMap) -> Option<&Actor> {
        self.0.get(bearer(headers)?)
    }
}

/// The token of `Authorization: Bearer <token>`; the scheme is case-insensitive.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let header = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = header.split_once(' ')?;
    scheme.eq_ignore_ascii_case("Bearer").then_some(token)
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The actors are not secret; the tokens are.
        f.debug_list()
            .entries(self.0.values().map(|actor| ("<redacted>", actor)))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn actor(header: Option<&str>) -> Option<Actor> {
        let mut headers = HeaderMap::new();
        if let Some(value) = header {
            headers.insert(
                AUTHORIZATION,
                HeaderValue::from_str(value).unwrap_or(HeaderValue::from_static("")),
            );
        }
        Tokens::defaults().actor(&headers).cloned()
    }

    #[test]
    fn only_a_known_bearer_token_names_an_actor() {
        assert_eq!(actor(Some("Bearer demo-token")), Some(Actor::demo()));
        assert_eq!(actor(Some("bearer demo-token")), Some(Actor::demo()));
        assert_eq!(
            actor(Some("Bearer other-org-token")),
            Some(Actor::other_organization())
        );
        assert_eq!(actor(None), None);
        assert_eq!(actor(Some("Bearer")), None);
        assert_eq!(actor(Some("Bearer ")), None);
        assert_eq!(actor(Some("Bearer  demo-token")), None);
        assert_eq!(actor(Some("Bearer demo-token2")), None);
        assert_eq!(actor(Some("Basic demo-token")), None);
        assert_eq!(actor(Some("demo-token")), None);
    }

    #[test]
    fn debug_hides_the_tokens() {
        let mut tokens = Tokens::defaults();
        tokens.insert("s3cret-token".to_owned(), Actor::demo());
        let shown = format!("{tokens:?}");
        assert!(shown.contains("1320000002"), "{shown}");
        assert!(!shown.contains("s3cret-token"), "{shown}");
        assert!(!shown.contains(DEMO_TOKEN), "{shown}");
    }
}
