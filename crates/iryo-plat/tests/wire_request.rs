//! The exact HTTP request the server receives, and the client's handling of answers that the
//! mock does not produce (canned responses from a tiny loopback server).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use iryo_plat::{Client, Config, Error, PlatErrorCode, Secret, Side, TokenError};

#[derive(Debug, Clone)]
struct Seen {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
}

const SAMPLE: &str = include_str!("../../../specs/plat/examples/response-sample.json");

/// Records each request; answers `status` with `body`.
async fn server(status: u16, body: &'static str) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let store = seen.clone();
    let app = Router::new().fallback(
        move |method: Method, uri: Uri, headers: HeaderMap, body_in: Bytes| {
            let store = store.clone();
            async move {
                store.lock().unwrap().push(Seen {
                    method,
                    uri,
                    headers,
                    body: body_in,
                });
                (
                    StatusCode::from_u16(status).unwrap(),
                    [("content-type", "application/json")],
                    body,
                )
            }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/cloudEHR", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

#[tokio::test]
async fn request_is_a_put_with_bearer_and_the_comment() {
    let (url, seen) = server(200, SAMPLE).await;
    let client = Client::new(&url, "tok-123").unwrap();
    let result = client
        .delete_provider_permission("16", "〜のため削除します")
        .await
        .unwrap();
    assert!(result.group().is_some());
    let seen = seen.lock().unwrap();
    let request = &seen[0];
    assert_eq!(request.method, Method::PUT);
    assert_eq!(
        request.uri.path(),
        "/cloudEHR/providers/permission/delete/16"
    );
    assert_eq!(request.uri.query(), None);
    assert_eq!(request.headers["authorization"], "Bearer tok-123");
    assert!(request.headers.get("api-version").is_none());
    let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"comment": "\u{301C}のため削除します"})
    );
}

#[tokio::test]
async fn participants_route_and_location_query() {
    let (url, seen) = server(200, SAMPLE).await;
    let client = Client::new(&url, "tok").unwrap();
    client
        .delete_permission(
            Side::Participants,
            "2",
            "x",
            Some(&"1310000001,1320000002".into()),
        )
        .await
        .unwrap();
    let uri = seen.lock().unwrap()[0].uri.clone();
    assert_eq!(uri.path(), "/cloudEHR/participants/permission/delete/2");
    assert_eq!(uri.query(), Some("location=1310000001%2C1320000002"));
}

#[tokio::test]
async fn the_id_is_always_exactly_one_path_segment() {
    let (url, seen) = server(200, SAMPLE).await;
    let client = Client::new(&url, "tok").unwrap();
    for (id, path) in [
        ("../x", "/cloudEHR/providers/permission/delete/..%2Fx"),
        ("a/b", "/cloudEHR/providers/permission/delete/a%2Fb"),
        ("a?b#c", "/cloudEHR/providers/permission/delete/a%3Fb%23c"),
        ("50%", "/cloudEHR/providers/permission/delete/50%25"),
        (
            "権限",
            "/cloudEHR/providers/permission/delete/%E6%A8%A9%E9%99%90",
        ),
    ] {
        client.delete_provider_permission(id, "c").await.unwrap();
        assert_eq!(
            seen.lock().unwrap().last().unwrap().uri.path(),
            path,
            "{id}"
        );
    }
    for bad in ["", ".", "..", "a\\b"] {
        let before = seen.lock().unwrap().len();
        let err = client
            .delete_provider_permission(bad, "c")
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidInput {
                    field: "permissionApprovalId",
                    ..
                }
            ),
            "{bad:?}: {err:?}"
        );
        assert_eq!(
            seen.lock().unwrap().len(),
            before,
            "{bad:?} must not be sent"
        );
    }
}

#[tokio::test]
async fn the_token_provider_is_asked_before_every_request() {
    let (url, seen) = server(200, SAMPLE).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let client = Config::with_token_provider(&url, move || {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        Ok(Secret::new(format!("token-{n}")))
    })
    .build()
    .unwrap();
    client.delete_provider_permission("2", "a").await.unwrap();
    client.delete_provider_permission("2", "b").await.unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen[0].headers["authorization"], "Bearer token-0");
    assert_eq!(seen[1].headers["authorization"], "Bearer token-1");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_failing_token_provider_stops_the_request() {
    let (url, seen) = server(200, SAMPLE).await;
    let client =
        Config::with_token_provider(&url, || Err(TokenError("refresh token expired".into())))
            .build()
            .unwrap();
    let err = client
        .delete_provider_permission("2", "a")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Token(m) if m.contains("refresh token expired")),
        "{err:?}"
    );
    assert!(seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn the_token_never_shows_in_debug_or_errors() {
    let (url, _) = server(500, r#"{"errorCode":"PLAT500"}"#).await;
    let config = Config::new(&url, "very-secret-token");
    let client = config.clone().build().unwrap();
    let err = client
        .delete_provider_permission("2", "a")
        .await
        .unwrap_err();
    let shown = format!("{config:?} {client:?} {err} {err:?}");
    assert!(!shown.contains("very-secret-token"), "{shown}");
}

#[tokio::test]
async fn an_error_body_with_status_200_is_an_error() {
    let (url, _) = server(
        200,
        r#"{"errorCode":"PLAT400","errorMessage":"更新対象が変更されています"}"#,
    )
    .await;
    let err = Client::new(&url, "t")
        .unwrap()
        .delete_provider_permission("2", "a")
        .await
        .unwrap_err();
    match err {
        Error::Api {
            status,
            code,
            message,
        } => {
            assert_eq!(
                (status, code),
                (200, PlatErrorCode::OptimisticLockViolation)
            );
            assert_eq!(message.as_deref(), Some("更新対象が変更されています"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn operation_outcome_and_unknown_codes_are_typed() {
    let body = r#"{"resourceType":"OperationOutcome","id":"PLAT410","issue":[{"severity":"error","code":"value","details":{"text":"comment は必須です"}}]}"#;
    let (url, _) = server(400, body).await;
    let err = Client::new(&url, "t")
        .unwrap()
        .delete_provider_permission("2", "a")
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(&PlatErrorCode::InputCheckFailed));
    assert!(err.to_string().contains("comment は必須です"), "{err}");

    let (url, _) = server(500, r#"{"errorCode":"PLAT599"}"#).await;
    let err = Client::new(&url, "t")
        .unwrap()
        .delete_provider_permission("2", "a")
        .await
        .unwrap_err();
    assert_eq!(err.code().map(|c| c.code()), Some("PLAT599"));
}

#[tokio::test]
async fn non_plat_error_bodies_and_bad_dates() {
    let (url, _) = server(
        400,
        r#"{"timestamp":"2021-10-07T10:00:00Z","status":400,"error":"Bad Request"}"#,
    )
    .await;
    let err = Client::new(&url, "t")
        .unwrap()
        .delete_provider_permission("2", "a")
        .await
        .unwrap_err();
    // Spring's default body carries no PLAT code: an HTTP error with its text.
    assert!(
        matches!(&err, Error::Http { status: 400, body_excerpt } if body_excerpt.contains("Bad Request")),
        "{err:?}"
    );

    let bad_date = r#"{"permissionGroup":{"requestedDatetime":"yesterday"}}"#;
    let (url, _) = server(200, bad_date).await;
    let err = Client::new(&url, "t")
        .unwrap()
        .delete_provider_permission("2", "a")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Decode { message, .. } if message.contains("yesterday")),
        "{err:?}"
    );
}
