//! PLAT errors, the gateway's 401, Spring's 400 and routing statuses.

use reqwest::Method;
use serde_json::json;

use crate::common::{
    G1, G3, LOCK_ERROR, ROLE_ERROR, SYSTEM_ERROR, delete, group, mock, participants, providers,
    put, send,
};

#[tokio::test]
async fn an_already_deleted_approval_is_plat400() {
    let mock = mock().await;
    delete(&mock, "40", "x")
        .await
        .assert_plat_error(400, "PLAT400", LOCK_ERROR);
    delete(&mock, "2", "first").await.ok();
    let before = group(&mock, G1);
    delete(&mock, "2", "second")
        .await
        .assert_plat_error(400, "PLAT400", LOCK_ERROR);
    assert_eq!(group(&mock, G1), before, "a refused delete records nothing");
}

#[tokio::test]
async fn a_caller_who_holds_nothing_is_plat403() {
    let mock = mock().await;
    let before = group(&mock, G3);
    delete(&mock, "30", "x")
        .await
        .assert_plat_error(403, "PLAT403", ROLE_ERROR);
    assert_eq!(group(&mock, G3), before);
    // A personal approval: the organization does not matter, the person does.
    put(&mock, &providers("2"), "other-org-token", "x")
        .await
        .assert_plat_error(403, "PLAT403", ROLE_ERROR);
    // The holder check comes before the deleted check.
    put(&mock, &providers("40"), "other-org-token", "x")
        .await
        .assert_plat_error(403, "PLAT403", ROLE_ERROR);
}

#[tokio::test]
async fn an_unknown_approval_is_plat500() {
    let mock = mock().await;
    for id in [
        "999",
        "abc",
        "a%2Fb",
        "-2",
        "%2B2",
        "%FF",
        "99999999999999999999999",
    ] {
        let reply = delete(&mock, id, "x").await;
        reply.assert_plat_error(500, "PLAT500", SYSTEM_ERROR);
    }
    put(&mock, &participants("1"), "demo-token", "x")
        .await
        .assert_plat_error(500, "PLAT500", SYSTEM_ERROR);
}

#[tokio::test]
async fn the_gateway_refuses_missing_foreign_and_unknown_tokens() {
    let mock = mock().await;
    let body = r#"{"comment":"x"}"#;
    let path = providers("2");
    for authorization in [
        None,
        Some("Basic x"),
        Some("Bearer nope"),
        Some("Bearer"),
        Some("demo-token"),
    ] {
        send(&mock, Method::PUT, &path, authorization, body)
            .await
            .assert_unauthorized();
    }
    // A bad body does not matter when the token is refused.
    send(&mock, Method::PUT, &participants("zzz"), None, "[")
        .await
        .assert_unauthorized();
    assert_eq!(group(&mock, G1)["permissionGroup"]["deletedFlg"], 0);
    // The scheme is case-insensitive.
    let reply = send(&mock, Method::PUT, &path, Some("bearer demo-token"), body).await;
    assert_eq!(reply.ok()["permissionGroup"]["deletedFlg"], 1);
}

#[tokio::test]
async fn an_unreadable_body_is_springs_default_400() {
    let mock = mock().await;
    let bearer = Some("Bearer demo-token");
    let bodies = [
        "",
        "not json",
        "{\"comment\":",
        "[]",
        "\"〜のため削除します\"",
        "null",
        "{}",
        r#"{"Comment":"x"}"#,
        r#"{"comment":1}"#,
        r#"{"comment":null}"#,
        r#"{"comment":["x"]}"#,
    ];
    for body in bodies {
        let reply = send(&mock, Method::PUT, &providers("2"), bearer, body).await;
        reply.assert_spring_bad_request("/cloudEHR/providers/permission/delete/2");
    }
    // The path is the request's, without the query; the body is read before the id is looked up.
    let reply = send(
        &mock,
        Method::PUT,
        &participants("a%2Fb?location=all"),
        bearer,
        "[]",
    )
    .await;
    reply.assert_spring_bad_request("/cloudEHR/participants/permission/delete/a%2Fb");
    assert_eq!(group(&mock, G1)["permissionGroup"]["deletedFlg"], 0);
    // Content-Type is not checked, and other keys are ignored.
    let reply = send(
        &mock,
        Method::PUT,
        &providers("2"),
        bearer,
        r#"{"comment":"","x":1}"#,
    )
    .await;
    assert_eq!(reply.ok()["permissionComment"][0]["comment"], json!(""));
}

#[tokio::test]
async fn other_methods_are_405_and_other_paths_404() {
    let mock = mock().await;
    let bearer = Some("Bearer demo-token");
    for method in [
        Method::GET,
        Method::POST,
        Method::DELETE,
        Method::PATCH,
        Method::HEAD,
    ] {
        send(&mock, method.clone(), &providers("2"), bearer, "")
            .await
            .assert_empty(405);
        send(&mock, method, &participants("2"), None, "")
            .await
            .assert_empty(405);
    }
    for path in [
        "/cloudEHR/providers/permission/delete",
        "/cloudEHR/providers/permission/delete/",
        "/cloudEHR/providers/permission/delete/2/",
        "/cloudEHR/providers/permission/delete/a/b",
        "/providers/permission/delete/2",
        "/cloudehr/providers/permission/delete/2",
    ] {
        send(&mock, Method::PUT, path, bearer, r#"{"comment":""}"#)
            .await
            .assert_empty(404);
    }
    send(&mock, Method::GET, "/__mock/plat/fail-next", None, "")
        .await
        .assert_empty(405);
    assert_eq!(group(&mock, G1)["permissionGroup"]["deletedFlg"], 0);
}
