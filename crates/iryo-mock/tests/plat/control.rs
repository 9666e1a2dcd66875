//! Fault injection and the `/__mock/plat/` control routes.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{
    DEMO_PERSON, G1, G2, G3, G4, LOCK_ERROR, ROLE_ERROR, SYSTEM_ERROR, delete, group, mock, send,
};
use iryo_mock::plat::ControlError;

#[tokio::test]
async fn injected_errors_use_the_default_status_and_message() {
    let mock = mock().await;
    let queued = send(
        &mock,
        Method::POST,
        "/__mock/plat/fail-next",
        None,
        r#"{"code":"PLAT500"}"#,
    )
    .await;
    queued.assert_no_content();
    assert_eq!(mock.fail_next("PLAT403", None, None), Ok(()));
    assert_eq!(mock.fail_next("PLAT400", None, None), Ok(()));
    // Failures are taken in order, before the body is read, whatever the id.
    delete(&mock, "2", "x")
        .await
        .assert_plat_error(500, "PLAT500", SYSTEM_ERROR);
    send(
        &mock,
        Method::PUT,
        "/cloudEHR/providers/permission/delete/zzz",
        Some("Bearer demo-token"),
        "[",
    )
    .await
    .assert_plat_error(403, "PLAT403", ROLE_ERROR);
    delete(&mock, "2", "x")
        .await
        .assert_plat_error(400, "PLAT400", LOCK_ERROR);
    assert_eq!(group(&mock, G1)["permissionGroup"]["deletedFlg"], 0);
    assert_eq!(
        delete(&mock, "2", "x").await.ok()["permissionGroup"]["deletedFlg"],
        1
    );
}

#[tokio::test]
async fn injected_errors_take_any_code_message_and_status() {
    let mock = mock().await;
    let body = r#"{"code":"PLAT420","message":"業務エラーです。","status":409}"#;
    send(&mock, Method::POST, "/__mock/plat/fail-next", None, body)
        .await
        .assert_no_content();
    assert_eq!(mock.fail_next("PLAT999", None, None), Ok(()));
    assert_eq!(
        mock.fail_next("PLAT500", Some("DB接続エラー"), Some(503)),
        Ok(())
    );
    delete(&mock, "2", "x")
        .await
        .assert_plat_error(409, "PLAT420", "業務エラーです。");
    let unknown = delete(&mock, "2", "x").await;
    assert_eq!(unknown.status, 500);
    assert_eq!(unknown.body, r#"{"errorCode":"PLAT999"}"#);
    delete(&mock, "2", "x")
        .await
        .assert_plat_error(503, "PLAT500", "DB接続エラー");
    assert_eq!(
        mock.fail_next("PLAT500", None, Some(302)),
        Err(ControlError::StatusOutOfRange(302))
    );
}

#[tokio::test]
async fn injected_statuses_have_empty_bodies_and_skip_refused_requests() {
    let mock = mock().await;
    send(
        &mock,
        Method::POST,
        "/__mock/plat/http-status-next",
        None,
        r#"{"status":502}"#,
    )
    .await
    .assert_no_content();
    assert_eq!(mock.http_status_next(503), Ok(()));
    assert_eq!(
        mock.http_status_next(200),
        Err(ControlError::StatusOutOfRange(200))
    );
    // A request the gateway refuses takes no failure.
    send(
        &mock,
        Method::PUT,
        "/cloudEHR/providers/permission/delete/2",
        None,
        "{}",
    )
    .await
    .assert_unauthorized();
    delete(&mock, "2", "x").await.assert_empty(502);
    send(
        &mock,
        Method::PUT,
        "/cloudEHR/participants/permission/delete/2",
        Some("Bearer other-org-token"),
        "",
    )
    .await
    .assert_empty(503);
    assert_eq!(
        delete(&mock, "2", "x").await.ok()["permissionGroup"]["deletedFlg"],
        1
    );
}

#[tokio::test]
async fn malformed_control_requests_are_400_with_a_reason() {
    let mock = mock().await;
    let cases = [
        ("/__mock/plat/fail-next", "nope", "body is not JSON"),
        ("/__mock/plat/fail-next", "[]", "body must be a JSON object"),
        (
            "/__mock/plat/fail-next",
            r#"{"code":500}"#,
            "`code` must be a string",
        ),
        (
            "/__mock/plat/fail-next",
            r#"{"code":"PLAT500","message":1}"#,
            "`message` must be a string",
        ),
        (
            "/__mock/plat/fail-next",
            r#"{"code":"PLAT500","status":200}"#,
            "between 400 and 599",
        ),
        (
            "/__mock/plat/fail-next",
            r#"{"code":"PLAT500","status":"500"}"#,
            "`status` must be",
        ),
        (
            "/__mock/plat/http-status-next",
            r#"{"status":600}"#,
            "`status` must be",
        ),
        ("/__mock/plat/http-status-next", r#"{}"#, "`status` must be"),
        (
            "/__mock/plat/store",
            r#"{"permissionGroup":1}"#,
            "`permissionGroup` must be an object",
        ),
    ];
    for (path, body, reason) in cases {
        let reply = send(&mock, Method::POST, path, None, body).await;
        assert_eq!(reply.status, 400, "{path} {body}");
        let error = reply.json()["error"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(error.contains(reason), "{path} {body}: {error}");
    }
    assert_eq!(
        delete(&mock, "2", "x").await.status,
        200,
        "nothing was queued"
    );
}

#[tokio::test]
async fn the_store_dump_lists_every_group_as_the_api_answers_it() {
    let mock = mock().await;
    let dump = send(&mock, Method::GET, "/__mock/plat/store", None, "")
        .await
        .ok();
    let ids: Vec<&str> = dump
        .as_array()
        .map(|groups| {
            groups
                .iter()
                .filter_map(|g| g["permissionGroup"]["permissionGroupId"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(ids, [G1, G2, G3, G4]);
    assert_eq!(dump, mock.store());
    assert_eq!(dump[0]["permissionComment"], json!([]));
    assert_eq!(dump[0]["permissionApproval"][0]["deletedFlg"], 0);
    delete(&mock, "2", "x").await.ok();
    let after = send(&mock, Method::GET, "/__mock/plat/store", None, "")
        .await
        .ok();
    assert_eq!(after[0]["permissionGroup"]["deletedFlg"], 1);
    assert_eq!(
        after[0]["permissionComment"],
        json!([{"personalId": DEMO_PERSON, "comment": "x"}])
    );
}

#[tokio::test]
async fn groups_can_be_inserted_replaced_and_cleared() {
    let mock = mock().await;
    let dump = mock.store();
    send(&mock, Method::DELETE, "/__mock/plat/store", None, "")
        .await
        .assert_no_content();
    assert_eq!(mock.store(), json!([]));
    delete(&mock, "2", "x")
        .await
        .assert_plat_error(500, "PLAT500", SYSTEM_ERROR);
    // A dump reads back as it was written, dates included.
    for entry in dump.as_array().cloned().unwrap_or_default() {
        let reply = send(
            &mock,
            Method::POST,
            "/__mock/plat/store",
            None,
            entry.to_string(),
        )
        .await;
        assert_eq!(reply.status, 201);
        assert_eq!(
            reply.json()["permissionGroupId"],
            entry["permissionGroup"]["permissionGroupId"]
        );
    }
    assert_eq!(mock.store(), dump);

    let mine = json!({
        "permissionGroup": {
            "permissionGroupId": "g-test",
            "status": "1",
            "requestedOrganizationId": "1320000002",
            "requestedDepartmentId": "",
            "requestedPersonalId": "p",
            "requestedDatetime": "2023-02-03T00:00:00"
        },
        "permissionApproval": [{"permissionApprovalId": 100, "status": "1", "allowablePersonalId": DEMO_PERSON}]
    });
    assert_eq!(mock.insert_group(mine.clone()), Ok("g-test".to_owned()));
    let answer = delete(&mock, "100", "承認済みの権限を削除").await.ok();
    assert_eq!(
        answer["permissionGroup"]["requestedDatetime"],
        "Feb 3, 2023, 12:00:00 AM"
    );
    assert_eq!(
        answer["permissionApproval"],
        json!([{"permissionApprovalId": 100, "status": "1", "deletedFlg": 1, "allowablePersonalId": DEMO_PERSON}])
    );
    // Replacing the group restores it; an approval id of another group is refused.
    assert_eq!(mock.insert_group(mine), Ok("g-test".to_owned()));
    assert_eq!(
        group(&mock, "g-test")["permissionApproval"][0]["deletedFlg"],
        0
    );
    let mut clash = group(&mock, G2);
    clash["permissionGroup"]["permissionGroupId"] = Value::from("g-clash");
    assert_eq!(
        mock.insert_group(clash),
        Err(ControlError::DuplicateApprovalId(16))
    );
    mock.clear();
    assert_eq!(mock.store(), json!([]));
}
