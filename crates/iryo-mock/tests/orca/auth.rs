//! glserver's Basic authentication: 401 and 403 with empty bodies.

use iryo_mock::orca::OrcaMock;
use reqwest::Method;

use crate::common::{API, DOC_REQUEST, basic, mock, send};

const CHALLENGE: &str = r#"Basic realm="glserver""#;

#[tokio::test]
async fn missing_authorization_is_401_with_a_challenge_and_no_body() {
    let mock = mock().await;
    let reply = send(&mock, Method::POST, API, None, DOC_REQUEST).await;
    reply.assert_empty(401);
    assert_eq!(reply.header("www-authenticate"), Some(CHALLENGE));
}

#[tokio::test]
async fn a_scheme_other_than_basic_is_401() {
    let mock = mock().await;
    let reply = send(&mock, Method::POST, API, Some("Bearer x"), DOC_REQUEST).await;
    reply.assert_empty(401);
    assert_eq!(reply.header("www-authenticate"), Some(CHALLENGE));
}

#[tokio::test]
async fn credentials_that_do_not_decode_are_403() {
    let mock = mock().await;
    let reply = send(&mock, Method::POST, API, Some("Basic !!!"), DOC_REQUEST).await;
    reply.assert_empty(403);
    assert_eq!(reply.header("www-authenticate"), None);
}

#[tokio::test]
async fn an_empty_or_malformed_user_part_is_403() {
    let mock = mock().await;
    for credentials in [":pw", "ormaster", "orm aster:ormaster", "医師:ormaster"] {
        let reply = send(
            &mock,
            Method::POST,
            API,
            Some(&basic(credentials)),
            DOC_REQUEST,
        )
        .await;
        reply.assert_empty(403);
    }
}

#[tokio::test]
async fn a_wrong_password_or_unknown_user_is_401() {
    let mock = mock().await;
    for credentials in ["ormaster:wrong", "ormaster:", "nurse-9:ormaster"] {
        let reply = send(
            &mock,
            Method::POST,
            API,
            Some(&basic(credentials)),
            DOC_REQUEST,
        )
        .await;
        reply.assert_empty(401);
        assert_eq!(reply.header("www-authenticate"), Some(CHALLENGE));
    }
}

#[tokio::test]
async fn configured_accounts_replace_the_default_one() {
    let built = OrcaMock::builder()
        .account("clerk_1", "pass-1")
        .account("doctor1", "pass:2")
        .spawn()
        .await;
    let Ok(mock) = built else {
        panic!("the mock did not start")
    };
    let refused = send(
        &mock,
        Method::POST,
        API,
        Some(&basic("ormaster:ormaster")),
        DOC_REQUEST,
    )
    .await;
    refused.assert_empty(401);
    for credentials in ["clerk_1:pass-1", "doctor1:pass:2"] {
        let reply = send(
            &mock,
            Method::POST,
            API,
            Some(&basic(credentials)),
            DOC_REQUEST,
        )
        .await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.uuids().len(), 2, "{}", reply.body);
    }
}

#[tokio::test]
async fn a_refused_request_does_not_consume_an_injected_failure() {
    let mock = mock().await;
    mock.fail_next("4001", None);
    send(&mock, Method::POST, API, None, DOC_REQUEST)
        .await
        .assert_empty(401);
    let reply = send(
        &mock,
        Method::POST,
        API,
        Some(&basic("ormaster:ormaster")),
        DOC_REQUEST,
    )
    .await;
    reply.assert_business_error("4001", "更新処理に失敗しました。");
}
