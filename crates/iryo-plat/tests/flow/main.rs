//! The whole permission flow against the mock over loopback: Keycloak login (PKCE), request, approve, read,
//! delete, for providers and participants, with every error code the flow can meet and an access token that
//! expires mid-flow (refreshed after the 401, once).

mod permissions;
mod tokens;

use iryo_mock::plat::{Actor, PlatMock};
use iryo_plat::auth::{AuthError, Keycloak, KeycloakConfig, OAuthErrorCode, Pkce, TokenCache};
use iryo_plat::types::{ApproverSpec, DetailSpec, PermissionRequest, PermissionSpec};
use iryo_plat::{
    ApprovalStatus, Client, Config, DeletedFlag, Error, GrantStatus, HolderKind, Operator,
    PermissionKind, PlatErrorCode, Side,
};

pub(crate) const CALLBACK: &str = "http://127.0.0.1:8400/callback";

pub(crate) fn keycloak(mock: &PlatMock, realm: &str) -> Keycloak {
    KeycloakConfig::new(mock.keycloak_url(), realm, CALLBACK)
        .build()
        .unwrap()
}

/// COM_ATH_001: follows the authorisation URL (the mock logs the realm's user in) and returns the code.
pub(crate) async fn authorise(keycloak: &Keycloak, pkce: &Pkce) -> String {
    let url = keycloak
        .config()
        .authorization_url(pkce, "state-1")
        .unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = http.get(&url).send().await.unwrap();
    assert_eq!(answer.status().as_u16(), 302);
    let location = answer.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(CALLBACK) && location.ends_with("&state=state-1"),
        "{location}"
    );
    let code = location.split("code=").nth(1).unwrap();
    code.split('&').next().unwrap().to_owned()
}

pub(crate) async fn login(mock: &PlatMock, realm: &str) -> (Client, TokenCache) {
    let keycloak = keycloak(mock, realm);
    let pkce = Pkce::new().unwrap();
    let code = authorise(&keycloak, &pkce).await;
    let tokens = keycloak.exchange_code(&code, &pkce).await.unwrap();
    assert!(
        tokens.offline,
        "scope offline_access gives an offline token"
    );
    let access = tokens.access_token.expose_secret().to_owned();
    let shown = format!("{tokens:?} {pkce:?} {keycloak:?}");
    let verifier = pkce.verifier().expose_secret();
    assert!(
        !shown.contains(&access) && !shown.contains(verifier),
        "{shown}"
    );
    let cache = TokenCache::new(keycloak, tokens);
    let client = Config::with_token_provider(mock.app_url(), cache.clone())
        .build()
        .unwrap();
    (client, cache)
}

pub(crate) fn ask(approver: ApproverSpec) -> PermissionRequest {
    let from = "Mar 2, 2021, 1:00:00 AM".parse().unwrap();
    let to = "Mar 2, 2031, 1:00:00 AM".parse().unwrap();
    let detail = DetailSpec {
        path: Some("Composition.subject:Patient.identifier".into()),
        operator: Some(Operator::Equals),
        value: Some("https://www.plat.org/|6d86c3e2-aa16-6a0c-89df-a4d40bcc83ca".into()),
    };
    PermissionRequest {
        comment: "閲覧権限をお願いします".into(),
        permission_approval: vec![approver],
        permission_list: vec![PermissionSpec {
            classification: HolderKind::Organization,
            permission_id: "1320000002".into(),
            type_: PermissionKind::ReadOnly,
            expiration_from: from,
            expiration_to: to,
            detail_list: vec![detail],
        }],
    }
}

pub(crate) fn person(id: &str) -> ApproverSpec {
    ApproverSpec {
        allowable_personal_id: Some(id.into()),
        ..Default::default()
    }
}

pub(crate) fn code(result: Result<impl std::fmt::Debug, Error>) -> PlatErrorCode {
    match result {
        Err(Error::Api { code, .. }) => code,
        other => panic!("expected a PLAT error, got {other:?}"),
    }
}
