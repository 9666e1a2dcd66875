//! Routing, plain error statuses and the `/__mock/orca/` control routes.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{API, DOC_REQUEST, api, basic, fixture, mock, send};

const AUTH: &str = "ormaster:ormaster";

#[tokio::test]
async fn unknown_paths_are_404_and_other_methods_405_with_empty_bodies() {
    let mock = mock().await;
    let auth = basic(AUTH);
    send(
        &mock,
        Method::POST,
        "/api01rv2/patientgetv2",
        Some(&auth),
        "",
    )
    .await
    .assert_empty(404);
    send(
        &mock,
        Method::POST,
        "/api01rv2/pusheventgetv2/",
        Some(&auth),
        "",
    )
    .await
    .assert_empty(404);
    send(&mock, Method::GET, "/", None, "")
        .await
        .assert_empty(404);
    send(&mock, Method::GET, API, Some(&auth), "")
        .await
        .assert_empty(405);
    send(
        &mock,
        Method::PUT,
        "/api/api01rv2/pusheventgetv2",
        Some(&auth),
        DOC_REQUEST,
    )
    .await
    .assert_empty(405);
    send(&mock, Method::GET, "/__mock/orca/fail-next", None, "")
        .await
        .assert_empty(405);
}

#[tokio::test]
async fn an_injected_status_is_answered_once_with_an_empty_body() {
    let mock = mock().await;
    let queued = send(
        &mock,
        Method::POST,
        "/__mock/orca/http-status-next",
        None,
        r#"{"status":500}"#,
    )
    .await;
    queued.assert_no_content();
    assert_eq!(mock.http_status_next(404), Ok(()));
    api(&mock, DOC_REQUEST).await.assert_empty(500);
    api(&mock, DOC_REQUEST).await.assert_empty(404);
    assert_eq!(
        api(&mock, DOC_REQUEST).await.uuids(),
        [fixture(6), fixture(11)]
    );
}

#[tokio::test]
async fn injected_failures_over_http_use_the_document_messages_by_default() {
    let mock = mock().await;
    let path = "/__mock/orca/fail-next";
    send(
        &mock,
        Method::POST,
        path,
        None,
        r#"{"code":"0089","message":"システム日付が取得できません。"}"#,
    )
    .await
    .assert_no_content();
    send(&mock, Method::POST, path, None, r#"{"code":"0089"}"#)
        .await
        .assert_no_content();
    send(
        &mock,
        Method::POST,
        path,
        None,
        r#"{"code":"4002","message":null}"#,
    )
    .await
    .assert_no_content();
    api(&mock, DOC_REQUEST)
        .await
        .assert_business_error("0089", "システム日付が取得できません。");
    api(&mock, DOC_REQUEST)
        .await
        .assert_business_error("0089", "職員情報が取得できません。");
    // An injected failure wins over whatever the body says.
    api(&mock, "not json")
        .await
        .assert_business_error("4002", "更新処理に失敗しました。");
    api(&mock, "not json")
        .await
        .assert_business_error("0098", "送信内容の読込ができませんでした。");
}

#[tokio::test]
async fn malformed_control_requests_are_400() {
    let mock = mock().await;
    let cases = [
        ("/__mock/orca/fail-next", "{"),
        ("/__mock/orca/fail-next", r#"{"message":"x"}"#),
        ("/__mock/orca/fail-next", r#"{"code":"0089","message":5}"#),
        ("/__mock/orca/http-status-next", r#"{"status":200}"#),
        ("/__mock/orca/http-status-next", r#"{"status":"500"}"#),
        ("/__mock/orca/http-status-next", "[]"),
        (
            "/__mock/orca/events",
            r#"{"time":"2018-01-24T16:02:53+0900"}"#,
        ),
        ("/__mock/orca/events", "nope"),
    ];
    for (path, body) in cases {
        let reply = send(&mock, Method::POST, path, None, body).await;
        assert_eq!(reply.status, 400, "{path} {body}");
        assert!(reply.json()["error"].is_string(), "{}", reply.body);
    }
    assert_eq!(api(&mock, DOC_REQUEST).await.uuids().len(), 2);
}

#[tokio::test]
async fn events_can_be_added_listed_and_cleared_over_http() {
    let mock = mock().await;
    let data = json!({"uuid": "c0ffee00-0000-4000-8000-000000000001", "id": 42, "event": "patient_future_thing",
                      "user": "doctor2", "body": {"Brand_New": ["x"]}, "time": "2018-01-25T11:30:00+09:00"});
    let created = send(
        &mock,
        Method::POST,
        "/__mock/orca/events",
        None,
        data.to_string(),
    )
    .await;
    assert_eq!(created.status, 201);
    assert_eq!(created.header("content-type"), Some("application/json"));
    assert_eq!(
        created.body,
        r#"{"uuid":"c0ffee00-0000-4000-8000-000000000001"}"#
    );

    let listed = send(&mock, Method::GET, "/__mock/orca/events", None, "").await;
    assert_eq!(listed.header("server"), Some("glserver/iryo-mock"));
    let listed = listed.json();
    assert_eq!(listed.as_array().map(Vec::len), Some(17));
    assert_eq!(listed[16], data);

    let reply = api(&mock, crate::common::request("", "doctor2", "", "")).await;
    assert_eq!(reply.body, json!([{ "data": data }]).to_string());

    send(&mock, Method::DELETE, "/__mock/orca/events", None, "")
        .await
        .assert_no_content();
    assert_eq!(
        send(&mock, Method::GET, "/__mock/orca/events", None, "")
            .await
            .json(),
        Value::Array(vec![])
    );
    let reply = api(&mock, DOC_REQUEST).await;
    reply.assert_business_error("0007", "対象となるＰＵＳＨ通知が存在しませんでした。");
}
