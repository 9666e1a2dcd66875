//! What a hostile or broken server can send to the new calls: faults on a list read, and token endpoints that
//! answer too much, HTML, the wrong shape, or absurd lifetimes. Each is a typed error or a bounded value.

use std::time::{Duration, Instant};

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::post;
use iryo_mock::Fault;
use iryo_mock::plat::{DEMO_TOKEN, PlatMock};
use iryo_plat::Client;
use iryo_plat::auth::{AuthError, KeycloakConfig, Pkce};
use iryo_plat::{Config, Error, Side};

#[tokio::test]
async fn faults_on_a_list_read_are_typed_errors() {
    let mock = PlatMock::builder().spawn().await.unwrap();
    // Reads are retried (tests/retry_class.rs): here each fault is to reach the caller.
    let client = Config::new(mock.app_url(), DEMO_TOKEN)
        .max_response_bytes(64 * 1024)
        .timeout(Duration::from_secs(5))
        .retry(iryo_plat::RetryPolicy::none())
        .build()
        .unwrap();
    let list = || client.permission_approvals(Side::Providers, None, None);
    mock.push_fault(Fault::Status(503));
    assert!(matches!(list().await, Err(Error::Http { status: 503, .. })));
    mock.push_fault(Fault::Oversized {
        bytes: 200_000,
        chunked: true,
    });
    assert!(matches!(
        list().await,
        Err(Error::TooLarge { limit: 65536 })
    ));
    mock.push_fault(Fault::CutBody { after_bytes: 10 });
    let cut = list().await;
    // A read: nothing happened on the server, so the message asks for no check.
    assert!(
        matches!(&cut, Err(Error::Cut { effect: None, .. })),
        "{cut:?}"
    );
    mock.fail_next("PLAT999", Some("new code"), Some(503))
        .unwrap();
    let unknown = list().await;
    assert!(
        matches!(&unknown, Err(Error::Api { status: 503, code, .. }) if code.code() == "PLAT999"),
        "{unknown:?}"
    );
    assert!(
        !list().await.unwrap().is_empty(),
        "the fixtures are there once the faults are used up"
    );
}

/// A server that answers `status` and `body` on `path` (POST and GET).
async fn server_answering(path: &str, status: u16, body: String) -> String {
    let status = StatusCode::from_u16(status).unwrap();
    let answer = move || {
        let body = body.clone();
        async move { (status, [("content-type", "application/json")], body).into_response() }
    };
    let app = Router::new().route(path, post(answer.clone()).get(answer));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

async fn exchange(status: u16, body: &str) -> Result<iryo_plat::auth::TokenSet, AuthError> {
    let token_path = "/realms/{realm}/protocol/openid-connect/token";
    let url = server_answering(token_path, status, body.to_owned()).await;
    let keycloak = KeycloakConfig::new(url, "1310000001", "http://127.0.0.1/cb")
        .build()
        .unwrap();
    keycloak.exchange_code("code", &Pkce::new().unwrap()).await
}

#[tokio::test]
async fn token_endpoints_that_misbehave() {
    let huge = format!("{{\"access_token\":\"{}\"}}", "a".repeat(100_000));
    assert!(
        matches!(exchange(200, &huge).await, Err(AuthError::Decode(m)) if m.contains("larger than"))
    );
    let html = exchange(502, "<html>bad gateway</html>").await;
    assert!(
        matches!(&html, Err(AuthError::Http { status: 502, body_excerpt }) if body_excerpt.contains("<html"))
    );
    assert!(matches!(
        exchange(200, r#"{"token":"x"}"#).await,
        Err(AuthError::Decode(_))
    ));
    let unknown = exchange(400, r#"{"error":"slow_down","error_description":"later"}"#).await;
    assert!(
        matches!(&unknown, Err(AuthError::OAuth { code, .. }) if code.code() == "slow_down"),
        "{unknown:?}"
    );
    let forever = exchange(
        200,
        &format!(r#"{{"access_token":"x","expires_in":{}}}"#, u64::MAX),
    )
    .await
    .unwrap();
    assert!(
        forever.expires_at < Instant::now() + Duration::from_secs(25 * 60 * 60),
        "capped at a day"
    );
    assert!(!forever.offline && forever.refresh_token.is_none());
    let plain = KeycloakConfig::new(
        "http://keycloak.example.jp",
        "1310000001",
        "http://127.0.0.1/cb",
    )
    .build();
    assert!(
        matches!(&plain, Err(AuthError::InsecureHttp(refused)) if refused.host == "keycloak.example.jp"),
        "no token over plain http off loopback"
    );
}

#[tokio::test]
async fn a_list_that_does_not_decode_names_the_field() {
    let body = r#"[{"permissionGroup":{"requestedDatetime":"yesterday"}}]"#;
    let url = server_answering("/providers/permission/approval", 200, body.to_owned()).await;
    let client = Client::new(url, "token").unwrap();
    let answer = client
        .permission_approvals(Side::Providers, None, None)
        .await;
    let Err(Error::Decode {
        message,
        body_excerpt,
    }) = answer
    else {
        panic!("{answer:?}")
    };
    assert!(
        message.contains("`yesterday` is not a Gson date"),
        "{message}"
    );
    assert!(body_excerpt.contains("yesterday"));
}

#[tokio::test]
async fn an_error_code_of_another_type_is_not_a_result() {
    let body = r#"{"errorCode": 500, "permissionGroup": {}}"#;
    let url = server_answering("/providers/permission/approval/{id}", 200, body.to_owned()).await;
    let client = Client::new(url, "token").unwrap();
    let answer = client.permission_approval(Side::Providers, "7", None).await;
    assert!(
        matches!(&answer, Err(Error::MalformedError { reason, .. }) if reason.contains("`errorCode` is 500")),
        "{answer:?}"
    );
}
