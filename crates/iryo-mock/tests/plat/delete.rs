//! The PRV_ROL_010 rule: the document's sample, group deletion, the comment rule, both routes, the query.

use iryo_mock::plat::{Actor, PlatMock};
use reqwest::Method;
use serde_json::json;

use crate::common::{
    DEMO_PERSON, DOC_REQUEST, DOC_RESPONSE, G1, G2, G3, OTHER_PERSON, delete, group, mock, parse,
    participants, providers, put, send, spawn,
};

#[tokio::test]
async fn the_document_request_answers_the_document_response() {
    let mock = mock().await;
    let reply = send(
        &mock,
        Method::PUT,
        &providers("2"),
        Some("Bearer demo-token"),
        DOC_REQUEST,
    )
    .await;
    let expected = parse(DOC_RESPONSE);
    assert_eq!(reply.ok(), expected);
    // Keys come in the document's order, so the bytes equal the sample written compactly.
    assert_eq!(reply.body, expected.to_string());
    assert_eq!(group(&mock, G1), expected);
}

#[tokio::test]
async fn the_group_is_deleted_with_its_last_approval() {
    let mock = mock().await;
    let first = delete(&mock, "16", "閲覧期間終了").await.ok();
    assert_eq!(first["permissionGroup"]["permissionGroupId"], G2);
    assert_eq!(first["permissionGroup"]["deletedFlg"], 0);
    assert_eq!(first["permissionGroup"]["status"], "1");
    let flags: Vec<_> = first["permissionApproval"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|x| (x["permissionApprovalId"].clone(), x["deletedFlg"].clone()))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(flags, [(json!(16), json!(1)), (json!(17), json!(0))]);

    let second = delete(&mock, "17", "").await.ok();
    let expected = json!({
        "permissionGroup": {
            "permissionGroupId": G2,
            "status": "1",
            "deletedFlg": 1,
            "requestedOrganizationId": "1320000002",
            "requestedDepartmentId": "01",
            "requestedPersonalId": OTHER_PERSON,
            "requestedDatetime": "Nov 1, 2021, 9:05:00 AM"
        },
        "permissionApproval": [
            {
                "permissionApprovalId": 16,
                "status": "1",
                "deletedFlg": 1,
                "allowableOrganizationId": "1310000001",
                "approverPersonalId": DEMO_PERSON,
                "approvedDatetime": "Nov 1, 2021, 12:00:00 PM"
            },
            {
                "permissionApprovalId": 17,
                "status": "1",
                "deletedFlg": 1,
                "allowableOrganizationId": "1310000001",
                "approverPersonalId": "ececfc9e-4b53-48c0-96da-482ffdf69a95",
                "approvedDatetime": "Nov 2, 2021, 12:30:15 AM"
            }
        ],
        "permissionComment": [
            {
                "permissionCommentId": "08f3e02f-1b77-464a-bc33-20a94d32f1c7",
                "organizationId": "1320000002",
                "departmentId": "01",
                "personalId": OTHER_PERSON,
                "comment": "紹介患者の経過確認のため閲覧を希望します。"
            },
            {"organizationId": "1310000001", "personalId": DEMO_PERSON, "comment": "閲覧期間終了"},
            {"organizationId": "1310000001", "personalId": DEMO_PERSON, "comment": ""}
        ]
    });
    assert_eq!(second, expected);
    assert_eq!(second.to_string(), expected.to_string(), "key order");
}

#[tokio::test]
async fn another_organization_deletes_what_it_holds() {
    let mock = mock().await;
    let answer = put(&mock, &providers("30"), "other-org-token", "不要")
        .await
        .ok();
    assert_eq!(answer["permissionGroup"]["permissionGroupId"], G3);
    assert_eq!(answer["permissionGroup"]["deletedFlg"], 1);
    assert_eq!(answer["permissionApproval"][0]["deletedFlg"], 1);
    assert_eq!(
        answer["permissionComment"],
        json!([
            {
                "permissionCommentId": "1766c8dd-0db2-44ac-a0fb-d478014991aa",
                "organizationId": "1310000001",
                "departmentId": "",
                "personalId": "ececfc9e-4b53-48c0-96da-482ffdf69a95",
                "comment": "退院後の処方内容の確認のため"
            },
            {"organizationId": "1320000002", "personalId": OTHER_PERSON, "comment": "不要"}
        ])
    );
}

#[tokio::test]
async fn the_participants_route_shares_the_store() {
    let mock = mock().await;
    let answer = put(&mock, &participants("2"), "demo-token", "患者の依頼")
        .await
        .ok();
    assert_eq!(answer["permissionGroup"]["deletedFlg"], 1);
    assert_eq!(
        answer["permissionComment"],
        json!([{"personalId": DEMO_PERSON, "comment": "患者の依頼"}])
    );
    let again = delete(&mock, "2", "x").await;
    assert_eq!(again.json()["errorCode"], "PLAT400");
}

#[tokio::test]
async fn the_query_string_is_ignored() {
    let mock = mock().await;
    let with_location = [
        ("16?location=self", "a"),
        ("17?location=1310000001%2C1320000002&page=3", "b"),
        ("2?location=remote", "c"),
    ];
    for (id, comment) in with_location {
        let answer = delete(&mock, id, comment).await.ok();
        let comments = answer["permissionComment"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            comments.last().map(|c| c["comment"].clone()),
            Some(json!(comment))
        );
    }
    assert_eq!(group(&mock, G2)["permissionGroup"]["deletedFlg"], 1);
    let reply = put(
        &mock,
        &participants("30?location=all"),
        "other-org-token",
        "",
    )
    .await;
    assert_eq!(reply.ok()["permissionGroup"]["deletedFlg"], 1);
}

#[tokio::test]
async fn the_path_segment_is_decoded_once() {
    let mock = mock().await;
    // `%32` is "2"; leading zeros name the same serial.
    let answer = delete(&mock, "%32", "x").await.ok();
    assert_eq!(answer["permissionGroup"]["permissionGroupId"], G1);
    let answer = delete(&mock, "016", "y").await.ok();
    assert_eq!(answer["permissionApproval"][0]["deletedFlg"], 1);
    // `%2532` decodes to "%32", which is not an id.
    assert_eq!(
        delete(&mock, "%2532", "z").await.json()["errorCode"],
        "PLAT500"
    );
}

#[tokio::test]
async fn tokens_and_the_application_path_are_configurable() {
    let clerk = Actor {
        organization_id: Some("1310000001".to_owned()),
        department_id: Some("05".to_owned()),
        personal_id: "c1e2a3b4-0000-4000-8000-000000000005".to_owned(),
    };
    let mock = spawn(
        PlatMock::builder()
            .app_path("/plat/api/")
            .token("t-1", clerk.clone()),
    )
    .await;
    assert_eq!(mock.app_path(), "/plat/api");
    assert_eq!(mock.app_url(), format!("{}/plat/api", mock.base_url()));
    let path = "/plat/api/providers/permission/delete/16";
    put(&mock, path, "demo-token", "x")
        .await
        .assert_unauthorized();
    put(&mock, &providers("16"), "t-1", "x")
        .await
        .assert_empty(404);
    let answer = put(&mock, path, "t-1", "診療科として削除").await.ok();
    assert_eq!(
        answer["permissionComment"][1],
        json!({
            "organizationId": "1310000001",
            "departmentId": "05",
            "personalId": clerk.personal_id,
            "comment": "診療科として削除"
        })
    );

    let root = spawn(PlatMock::builder().app_path("")).await;
    assert_eq!(root.app_url(), root.base_url());
    let answer = put(&root, "/providers/permission/delete/2", "demo-token", "x").await;
    assert_eq!(answer.ok()["permissionGroup"]["deletedFlg"], 1);
    assert!(PlatMock::builder().app_path("/a b").spawn().await.is_err());
}
