//! The whole permission flow against the mock over loopback: Keycloak login (PKCE), request, approve, read,
//! delete, for providers and participants, with every error code the flow can meet and an access token that
//! expires mid-flow (refreshed after the 401, once).

use iryo_mock::plat::{Actor, PlatMock};
use iryo_plat::auth::{AuthError, Keycloak, KeycloakConfig, OAuthErrorCode, Pkce, TokenCache};
use iryo_plat::types::{ApproverSpec, DetailSpec, PermissionRequest, PermissionSpec};
use iryo_plat::{
    ApprovalStatus, Client, Config, DeletedFlag, Error, GrantStatus, HolderKind, Operator,
    PermissionKind, PlatErrorCode, Side,
};

const CALLBACK: &str = "http://127.0.0.1:8400/callback";

fn keycloak(mock: &PlatMock, realm: &str) -> Keycloak {
    KeycloakConfig::new(mock.keycloak_url(), realm, CALLBACK)
        .build()
        .unwrap()
}

/// COM_ATH_001: follows the authorisation URL (the mock logs the realm's user in) and returns the code.
async fn authorise(keycloak: &Keycloak, pkce: &Pkce) -> String {
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

async fn login(mock: &PlatMock, realm: &str) -> (Client, TokenCache) {
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

fn ask(approver: ApproverSpec) -> PermissionRequest {
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

fn person(id: &str) -> ApproverSpec {
    ApproverSpec {
        allowable_personal_id: Some(id.into()),
        ..Default::default()
    }
}

fn code(result: Result<impl std::fmt::Debug, Error>) -> PlatErrorCode {
    match result {
        Err(Error::Api { code, .. }) => code,
        other => panic!("expected a PLAT error, got {other:?}"),
    }
}

#[tokio::test]
async fn providers_request_approve_read_and_delete() {
    let mock = PlatMock::builder().fixtures(false).spawn().await.unwrap();
    let (requester, _) = login(&mock, "1320000002").await;
    let (owner, owner_tokens) = login(&mock, "1310000001").await;

    // PRV_ROL_002: the other clinic asks the demo doctor.
    let asked = requester
        .request_permission(
            Side::Providers,
            &ask(person(&Actor::demo().personal_id)),
            false,
            None,
        )
        .await
        .unwrap();
    let group_id = asked.group().unwrap().permission_group_id.clone().unwrap();
    assert_eq!(
        asked.group().unwrap().status,
        Some(ApprovalStatus::Requested)
    );
    assert!(
        requester
            .list_permissions(None, None, None, None)
            .await
            .unwrap()
            .is_empty(),
        "not approved yet"
    );

    // PRV_ROL_006: the owner finds the approval id only through the list.
    let waiting = owner
        .permission_approvals(Side::Providers, Some(&ApprovalStatus::Requested), None)
        .await
        .unwrap();
    let approval_id = waiting[0].permission_approval[0]
        .permission_approval_id
        .clone()
        .unwrap()
        .to_string();
    let one = owner
        .permission_approval(Side::Providers, &approval_id, None)
        .await
        .unwrap();
    assert_eq!(
        one.group().unwrap().permission_group_id.as_deref(),
        Some(group_id.as_str())
    );

    // The access token expires mid-flow: the approval still goes through, after one refresh.
    let before = mock.request_count();
    mock.expire_access_tokens();
    let approved = owner
        .decide_permission(
            Side::Providers,
            &approval_id,
            GrantStatus::Approve,
            "承認します",
            None,
        )
        .await
        .unwrap();
    assert_eq!(mock.request_count() - before, 2, "one 401, one retry");
    assert_eq!(
        approved.group().unwrap().status,
        Some(ApprovalStatus::Approved)
    );
    assert!(owner_tokens.refresh_token().is_some());

    // PLAT400: deciding again finds it already decided. PLAT403: the requester cannot decide.
    let again = owner
        .decide_permission(Side::Providers, &approval_id, GrantStatus::Reject, "", None)
        .await;
    assert_eq!(code(again), PlatErrorCode::OptimisticLockViolation);
    let not_mine = requester
        .decide_permission(
            Side::Providers,
            &approval_id,
            GrantStatus::Approve,
            "",
            None,
        )
        .await;
    assert_eq!(code(not_mine), PlatErrorCode::RoleCheckFailed);

    // PRV_ROL_004 and 001 from the requester's side.
    let mine = requester
        .permission_requests(Side::Providers, Some(&group_id), None, None)
        .await
        .unwrap();
    assert_eq!(
        mine[0].group().unwrap().status,
        Some(ApprovalStatus::Approved)
    );
    let held = requester
        .list_permissions(None, None, Some("2025-01-01T00:00:00Z"), None)
        .await
        .unwrap();
    assert_eq!(held.len(), 1);
    let management_id = held[0].permission_management_id.clone().unwrap();
    assert_eq!(
        requester
            .get_permission(&management_id, None, None)
            .await
            .unwrap()
            .len(),
        1
    );
    let outside = requester
        .list_permissions(None, None, Some("2040-01-01T00:00:00Z"), None)
        .await
        .unwrap();
    assert!(outside.is_empty(), "not valid in 2040");

    // PRV_ROL_010: the owner deletes; the group goes with its last approval and disappears everywhere.
    let deleted = owner
        .delete_provider_permission(&approval_id, "〜のため削除します")
        .await
        .unwrap();
    assert_eq!(
        deleted.group().unwrap().deleted_flg,
        Some(DeletedFlag::Deleted)
    );
    assert!(
        requester
            .permission_requests(Side::Providers, None, None, None)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        requester
            .list_permissions(None, None, None, None)
            .await
            .unwrap()
            .is_empty()
    );
    let gone = owner
        .permission_approval(Side::Providers, &approval_id, None)
        .await;
    assert_eq!(
        code(gone),
        PlatErrorCode::ServerError,
        "deleted permissions are invisible"
    );
    let twice = owner.delete_provider_permission(&approval_id, "x").await;
    assert_eq!(code(twice), PlatErrorCode::OptimisticLockViolation);
}

#[tokio::test]
async fn withdrawal_and_the_input_errors() {
    let mock = PlatMock::builder().fixtures(false).spawn().await.unwrap();
    let (requester, _) = login(&mock, "1320000002").await;
    let (owner, _) = login(&mock, "1310000001").await;
    let asked = requester
        .request_permission(
            Side::Providers,
            &ask(person(&Actor::demo().personal_id)),
            false,
            None,
        )
        .await
        .unwrap();
    let id = asked.permission_approval[0]
        .permission_approval_id
        .clone()
        .unwrap()
        .to_string();

    let not_mine = owner
        .withdraw_permission_request(Side::Providers, &id, None)
        .await;
    assert_eq!(code(not_mine), PlatErrorCode::RoleCheckFailed);
    let withdrawn = requester
        .withdraw_permission_request(Side::Providers, &id, None)
        .await
        .unwrap();
    assert_eq!(
        withdrawn.group().unwrap().status,
        Some(ApprovalStatus::Withdrawn)
    );
    let late = owner
        .decide_permission(Side::Providers, &id, GrantStatus::Approve, "", None)
        .await;
    assert_eq!(code(late), PlatErrorCode::OptimisticLockViolation);
    let unknown = owner
        .decide_permission(Side::Providers, "999", GrantStatus::Approve, "", None)
        .await;
    assert_eq!(code(unknown), PlatErrorCode::ServerError);

    // PLAT410 (no approver named) and PLAT420 (no approver at all), as OperationOutcome bodies.
    let nobody = requester
        .request_permission(Side::Providers, &ask(ApproverSpec::default()), false, None)
        .await;
    assert_eq!(code(nobody), PlatErrorCode::InputCheckFailed);
    let mut empty = ask(person("x"));
    empty.permission_approval.clear();
    assert_eq!(
        code(
            requester
                .request_permission(Side::Providers, &empty, false, None)
                .await
        ),
        PlatErrorCode::BusinessError
    );
    let bad_id = owner
        .decide_permission(Side::Providers, "..", GrantStatus::Approve, "", None)
        .await;
    assert!(matches!(
        bad_id,
        Err(Error::InvalidInput {
            field: "permissionApprovalId",
            ..
        })
    ));
}

#[tokio::test]
async fn participants_approve_and_delete_what_a_clinic_asked() {
    let mock = PlatMock::builder().fixtures(false).spawn().await.unwrap();
    let (clinic, _) = login(&mock, "1310000001").await;
    let (patient, _) = login(&mock, "0000000000").await;
    let patient_id = Actor::patient().personal_id;
    clinic
        .request_permission(Side::Providers, &ask(person(&patient_id)), false, None)
        .await
        .unwrap();

    let waiting = patient
        .permission_approvals(Side::Participants, None, None)
        .await
        .unwrap();
    let id = waiting[0].permission_approval[0]
        .permission_approval_id
        .clone()
        .unwrap()
        .to_string();
    let early = patient
        .delete_participant_permission(&id, "まだ承認していない")
        .await;
    assert_eq!(
        code(early),
        PlatErrorCode::OptimisticLockViolation,
        "only approved permissions are deleted"
    );
    patient
        .decide_permission(
            Side::Participants,
            &id,
            GrantStatus::Approve,
            "承認します",
            None,
        )
        .await
        .unwrap();
    mock.expire_access_tokens();
    let deleted = patient
        .delete_participant_permission(&id, "取り消します")
        .await
        .unwrap();
    assert_eq!(
        deleted.permission_approval[0].deleted_flg,
        Some(DeletedFlag::Deleted)
    );
    assert!(
        patient
            .permission_approvals(Side::Participants, None, None)
            .await
            .unwrap()
            .is_empty()
    );

    // PTP_ROL_003 then 004: a patient registers an approved permission and sees it among its requests.
    let registered = patient
        .request_permission(
            Side::Participants,
            &ask(person(&Actor::demo().personal_id)),
            true,
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        registered.group().unwrap().status,
        Some(ApprovalStatus::Approved)
    );
    let mine = patient
        .permission_requests(
            Side::Participants,
            None,
            Some(&ApprovalStatus::Approved),
            None,
        )
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);
}

#[tokio::test]
async fn token_errors_are_typed() {
    let mock = PlatMock::builder()
        .fixtures(false)
        .keycloak_prefix("/auth")
        .spawn()
        .await
        .unwrap();
    assert!(mock.keycloak_url().ends_with("/auth"));
    let keycloak = keycloak(&mock, "1310000001");
    let pkce = Pkce::new().unwrap();
    let code = authorise(&keycloak, &pkce).await;
    let wrong = keycloak
        .exchange_code(&code, &Pkce::from_verifier("not-the-verifier"))
        .await;
    assert!(
        matches!(
            wrong,
            Err(AuthError::OAuth {
                code: OAuthErrorCode::InvalidGrant,
                status: 400,
                ..
            })
        ),
        "{wrong:?}"
    );
    let used = keycloak.exchange_code(&code, &pkce).await;
    assert!(
        matches!(
            used,
            Err(AuthError::OAuth {
                code: OAuthErrorCode::InvalidGrant,
                ..
            })
        ),
        "a code is used once"
    );

    let code = authorise(&keycloak, &pkce).await;
    let tokens = keycloak.exchange_code(&code, &pkce).await.unwrap();
    let cache = TokenCache::new(keycloak.clone(), tokens);
    let client = Config::with_token_provider(mock.app_url(), cache.clone())
        .build()
        .unwrap();
    client
        .permission_approvals(Side::Providers, None, None)
        .await
        .unwrap();
    mock.expire_access_tokens();
    mock.revoke_refresh_tokens();
    let refused = client
        .permission_approvals(Side::Providers, None, None)
        .await;
    assert!(
        matches!(&refused, Err(Error::Token(message)) if message.contains("invalid_grant")),
        "{refused:?}"
    );

    let stranger = KeycloakConfig::new(mock.keycloak_url(), "1310000001", CALLBACK)
        .client_id("nobody")
        .build()
        .unwrap();
    let refresh = stranger.refresh(&"x".into()).await;
    assert!(matches!(
        refresh,
        Err(AuthError::OAuth {
            code: OAuthErrorCode::InvalidClient,
            status: 401,
            ..
        })
    ));
    let fixed = Client::new(mock.app_url(), "not-a-token").unwrap();
    assert!(matches!(
        fixed
            .permission_approvals(Side::Providers, None, None)
            .await,
        Err(Error::Unauthorized)
    ));
}

#[tokio::test]
async fn tokens_close_to_expiry_are_refreshed_before_the_call() {
    // 10 s of life is inside the cache's 30 s margin: every call refreshes first, so no call meets a 401.
    let lifetime = std::time::Duration::from_secs(10);
    let mock = PlatMock::builder()
        .fixtures(false)
        .access_token_lifetime(lifetime)
        .spawn()
        .await
        .unwrap();
    let (client, cache) = login(&mock, "1310000001").await;
    for _ in 0..3 {
        mock.expire_access_tokens();
        let before = mock.request_count();
        client
            .permission_approvals(Side::Providers, None, None)
            .await
            .unwrap();
        assert_eq!(
            mock.request_count() - before,
            1,
            "refreshed before sending, not after a 401"
        );
    }
    assert!(cache.refresh_token().is_some());
}

#[tokio::test]
async fn a_rotated_refresh_token_reaches_the_hook_before_the_api_and_a_failed_save_stops_the_call()
{
    let mock = PlatMock::builder()
        .fixtures(false)
        .rotate_refresh_tokens(true)
        .spawn()
        .await
        .unwrap();
    let (_, cache) = login(&mock, "1310000001").await;
    let first = cache.refresh_token().unwrap();
    let saved = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let keep = std::sync::Arc::clone(&saved);
    let hooked = TokenCache::from_refresh_token(keycloak(&mock, "1310000001"), first.clone())
        .on_rotation(move |token| {
            keep.lock().unwrap().push(token.expose_secret().to_owned());
            Ok(())
        });
    let client = Config::with_token_provider(mock.app_url(), hooked.clone())
        .build()
        .unwrap();
    mock.fail_next("PLAT400", None, None).unwrap();
    let err = client
        .permission_approvals(Side::Providers, None, None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(&PlatErrorCode::OptimisticLockViolation));
    let rotated = saved.lock().unwrap().clone();
    assert_eq!(rotated.len(), 1, "one refresh, one rotated token");
    assert_ne!(rotated[0], first.expose_secret());
    assert_eq!(hooked.refresh_token().unwrap().expose_secret(), rotated[0]);
    let spent = keycloak(&mock, "1310000001")
        .refresh(&first)
        .await
        .unwrap_err();
    assert!(
        matches!(&spent, AuthError::OAuth { code, .. } if *code == OAuthErrorCode::InvalidGrant),
        "{spent:?}"
    );

    // A save that fails stops the call before the API is asked.
    let (_, cache) = login(&mock, "1310000001").await;
    let failing = TokenCache::from_refresh_token(
        keycloak(&mock, "1310000001"),
        cache.refresh_token().unwrap(),
    )
    .on_rotation(|_| Err("disk full".to_owned()));
    let client = Config::with_token_provider(mock.app_url(), failing)
        .build()
        .unwrap();
    let before = mock.request_count();
    let err = client
        .permission_approvals(Side::Providers, None, None)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Token(_)), "{err:?}");
    assert!(
        err.to_string().contains("could not be saved: disk full"),
        "{err}"
    );
    assert_eq!(mock.request_count(), before, "the API was not called");
}
