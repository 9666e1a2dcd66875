//! The exact HTTP request the server receives: path, method, headers (no progenitor
//! `api-version`), Basic auth, and a JSON body equal to the document's sample.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, Uri};
use iryo_orca::{Client, Config, Credentials, Error, PushTime};
use serde_json::Value;

#[derive(Debug, Clone)]
struct Seen {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
}

/// A loopback server that records each request and answers `[]`.
async fn recording_server() -> (String, Arc<Mutex<Vec<Seen>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let store = seen.clone();
    let app = Router::new().fallback(
        move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
            let store = store.clone();
            async move {
                store.lock().unwrap().push(Seen {
                    method,
                    uri,
                    headers,
                    body,
                });
                ([("content-type", "application/json")], "[]")
            }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

fn sample_request() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../specs/orca/examples/request-sample.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[tokio::test]
async fn request_matches_the_document_byte_for_byte_in_value() {
    let (url, seen) = recording_server().await;
    let client = Client::new(&url, Credentials::basic("ormaster", "ormaster")).unwrap();
    let events = client
        .push_events()
        .event("patient_accept")
        .user("ormaster")
        .start("2018-01-24 13:00".parse::<PushTime>().unwrap())
        .end("2018-01-25 12:59".parse::<PushTime>().unwrap())
        .send()
        .await
        .unwrap();
    assert!(events.is_empty());

    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    let request = &seen[0];
    assert_eq!(request.method, Method::POST);
    assert_eq!(request.uri.path(), "/api01rv2/pusheventgetv2");
    assert_eq!(request.uri.query(), None);
    let body: Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(body, sample_request());

    let headers = &request.headers;
    assert!(
        headers.get("api-version").is_none(),
        "progenitor's api-version header must be removed"
    );
    assert_eq!(headers["authorization"], "Basic b3JtYXN0ZXI6b3JtYXN0ZXI=");
    assert_eq!(headers["content-type"], "application/json");
    let mut names: Vec<&str> = headers.keys().map(|k| k.as_str()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "accept",
            "authorization",
            "content-length",
            "content-type",
            "host",
            "user-agent"
        ]
    );
}

#[tokio::test]
async fn no_filters_send_an_empty_request_object() {
    let (url, seen) = recording_server().await;
    let client = Client::new(&url, Credentials::basic("ormaster", "ormaster")).unwrap();
    client.push_events().send().await.unwrap();
    let body: Value = serde_json::from_slice(&seen.lock().unwrap()[0].body).unwrap();
    assert_eq!(body, serde_json::json!({ "pusheventgetv2req": {} }));
}

#[tokio::test]
async fn weborca_base_path_prefixes_the_api_path() {
    let (url, seen) = recording_server().await;
    let client = Config::new(
        format!("{url}/"),
        Credentials::basic("ormaster", "ormaster"),
    )
    .weborca()
    .build()
    .unwrap();
    client.push_events().send().await.unwrap();
    assert_eq!(
        seen.lock().unwrap()[0].uri.path(),
        "/api/api01rv2/pusheventgetv2"
    );
}

#[tokio::test]
async fn bad_input_is_refused_before_any_request() {
    let (url, seen) = recording_server().await;
    let client = Client::new(&url, Credentials::basic("ormaster", "ormaster")).unwrap();
    let err = client.push_events().event("受付").send().await.unwrap_err();
    assert!(err.to_string().contains("0001"), "{err}");
    let err = client.push_events().user("ｵﾙﾏｽﾀ").send().await.unwrap_err();
    assert!(err.to_string().contains("0002"), "{err}");
    let err = client
        .push_events()
        .start("2018-01-26".parse::<PushTime>().unwrap())
        .end("2018-01-25 23:59".parse::<PushTime>().unwrap())
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("0008"), "{err}");
    assert!(
        seen.lock().unwrap().is_empty(),
        "nothing may reach the server"
    );
}

#[tokio::test]
async fn undecodable_notifications_are_named_and_undecodable_answers_are_errors() {
    // Issue 19: one notification that cannot be delivered is named; it never fails the answer.
    let bad_uuid = r#"[{"data":{"uuid":"not-a-uuid","id":1,"event":"x","user":"u","body":{},"time":"2018-01-24T16:02:53+0900"}}]"#;
    let url = iryo_testkit::probe::canned(200, "application/json", bad_uuid).await;
    let client = Client::new(&url, Credentials::basic("ormaster", "ormaster")).unwrap();
    let answer = client.push_events().send().await.unwrap();
    assert!(answer.events.is_empty());
    let named = &answer.undelivered[0];
    assert_eq!(named.uuid.as_deref(), Some("not-a-uuid"));
    assert!(named.reason.to_lowercase().contains("uuid"), "{named}");

    let bad_time = r#"[{"data":{"uuid":"2df2ef80-8978-4817-b929-c07e4ba39e6f","id":1,"event":"x","user":"u","body":{},"time":"yesterday"}}]"#;
    let url = iryo_testkit::probe::canned(200, "application/json", bad_time).await;
    let client = Client::new(&url, Credentials::basic("ormaster", "ormaster")).unwrap();
    let answer = client.push_events().send().await.unwrap();
    assert!(answer.undelivered[0].to_string().contains("yesterday"));

    let url = iryo_testkit::probe::canned(
        200,
        "text/html",
        "<html><body>Service Unavailable</body></html>",
    )
    .await;
    let client = Client::new(&url, Credentials::basic("ormaster", "ormaster")).unwrap();
    let err = client.push_events().send().await.unwrap_err();
    assert!(
        matches!(&err, Error::Decode { message, .. } if message.contains("expected value at line 1 column 1")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_known_event_with_a_malformed_body_is_delivered_raw() {
    let body = r#"[{"data":{"uuid":"2df2ef80-8978-4817-b929-c07e4ba39e6f","id":1,"event":"patient_accept","user":"u","body":{"Patient_ID":5},"time":"2018-01-24T16:02:53+0900"}}]"#;
    let url = iryo_testkit::probe::canned(200, "application/json", body).await;
    let client = Client::new(&url, Credentials::basic("ormaster", "ormaster")).unwrap();
    let answer = client.push_events().send().await.unwrap();
    match &answer.events[0].body {
        iryo_orca::PushEventBody::Unknown { event, body } => {
            assert_eq!(
                (event.as_str(), body.get()),
                ("patient_accept", r#"{"Patient_ID":5}"#)
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_error_inside_the_array_is_tolerated() {
    let body = r#"[{"error":{"code":"0089","message":"職員情報が取得できません。"}}]"#;
    let url = iryo_testkit::probe::canned(200, "application/json", body).await;
    let client = Client::new(&url, Credentials::basic("ormaster", "ormaster")).unwrap();
    let err = client.push_events().send().await.unwrap_err();
    assert_eq!(err.code().map(|c| c.code()), Some("0089"));

    let bare = r#"{"code":"0007","message":"対象となるＰＵＳＨ通知が存在しませんでした。"}"#;
    let url = iryo_testkit::probe::canned(200, "application/json", bare).await;
    let client = Client::new(&url, Credentials::basic("ormaster", "ormaster")).unwrap();
    assert!(client.push_events().send().await.unwrap().is_empty());
}

#[tokio::test]
async fn unreachable_server_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = Client::new(&url, Credentials::basic("ormaster", "pw-secret-x")).unwrap();
    let err = client.push_events().send().await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(!format!("{err} {err:?}").contains("pw-secret-x"));
}
