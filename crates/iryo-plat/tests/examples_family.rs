//! The samples of PRV_ROL_001-009 in `specs/plat/examples/` decode into the generated types, carry the
//! values we expect (codes, dates, ids), and encode back to the same JSON value.

use iryo_plat::types::{
    DocumentShareAnswer, PartialApproval, PermissionDecision, PermissionGroupAnswer,
    PermissionGroupListAnswer, PermissionListAnswer, PermissionRequest,
};
use iryo_plat::{ApprovalStatus, GrantStatus, HolderKind, Operator, PermissionKind};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn example(name: &str) -> Value {
    let path = format!(
        "{}/../../specs/plat/examples/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Decodes `name`, checks it encodes back to the same value, and returns it.
fn round_trip<T: DeserializeOwned + Serialize>(name: &str) -> T {
    let value = example(name);
    let typed: T = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(serde_json::to_value(&typed).unwrap(), value, "{name}");
    typed
}

#[test]
fn permission_list_sample() {
    let PermissionListAnswer::PermissionListResult(list) = round_trip("permissions-sample.json")
    else {
        panic!("not a list")
    };
    let permission = &list.permission_list[0];
    assert_eq!(permission.classification, Some(HolderKind::Organization));
    assert_eq!(permission.type_, Some(PermissionKind::FullAccess));
    let from = permission.expiration_from.unwrap().local();
    assert_eq!(from.to_string(), "2021-03-02 01:00:00");
    let detail = &permission.detail_list[0];
    assert_eq!(detail.operator, Some(Operator::Equals));
    assert_eq!(detail.permission_detail_id.as_ref().unwrap().as_str(), "1");
}

#[test]
fn request_samples() {
    let request: PermissionRequest = round_trip("request-permission-sample.json");
    assert_eq!(request.permission_list[0].type_, PermissionKind::ReadOnly);
    assert_eq!(request.permission_list[0].detail_list.len(), 2);
    let answer: PermissionGroupAnswer = round_trip("request-permission-answer-sample.json");
    let PermissionGroupAnswer::PermissionGroupResult(group) = answer else {
        panic!("not a group")
    };
    assert_eq!(
        group.group().unwrap().status,
        Some(ApprovalStatus::Requested)
    );
    assert_eq!(
        group.permission_list[0].classification,
        Some(HolderKind::Person)
    );
    assert!(
        group.permission_approval[0]
            .permission_approval_id
            .is_none()
    );
}

#[test]
fn request_state_sample_is_a_list() {
    let answer: PermissionGroupListAnswer = round_trip("request-state-sample.json");
    let PermissionGroupListAnswer::Array(groups) = answer else {
        panic!("not a list")
    };
    let id = groups[0].permission_approval[0]
        .permission_approval_id
        .as_ref();
    assert_eq!(id.map(|id| id.as_str()), Some("2"));
    let comment_id = groups[0].permission_comment[0]
        .permission_comment_id
        .as_ref();
    assert!(comment_id.is_some_and(|id| id.is_numeric()));
}

#[test]
fn decision_samples() {
    let decision: PermissionDecision = round_trip("decision-sample.json");
    assert_eq!(decision.status, GrantStatus::Approve);
    let PermissionGroupAnswer::PermissionGroupResult(group) =
        round_trip("decision-answer-sample.json")
    else {
        panic!("not a group")
    };
    let approval = &group.permission_approval[0];
    assert_eq!(approval.status, Some(ApprovalStatus::Approved));
    assert_eq!(
        approval.approved_datetime.unwrap().local().to_string(),
        "2021-10-07 20:02:04"
    );
}

#[test]
fn partial_approval_keeps_operators_beyond_the_table() {
    let partial: PartialApproval = round_trip("partial-approval-sample.json");
    let operators: Vec<String> = partial.permission_list[0]
        .detail_list
        .iter()
        .filter_map(|d| d.operator.as_ref().map(|o| o.code().to_owned()))
        .collect();
    assert_eq!(operators, ["01", "02", "06", "05", "01", "01", "01"]);
    assert_eq!(
        partial.permission_approval[0]
            .approver_personal_id
            .as_deref(),
        Some("0111")
    );
}

#[test]
fn share_sample() {
    let DocumentShareAnswer::DocumentShareResult(share) = round_trip("share-answer-sample.json")
    else {
        panic!("not a share result")
    };
    assert_eq!(
        share.bundle_result_list[0].status.as_deref(),
        Some("success")
    );
}

#[test]
fn an_error_body_is_an_error_for_every_answer() {
    let error = example("error-sample.json");
    let answers = [
        matches!(
            serde_json::from_value(error.clone()),
            Ok(PermissionListAnswer::PlatError(_))
        ),
        matches!(
            serde_json::from_value(error.clone()),
            Ok(PermissionGroupListAnswer::PlatError(_))
        ),
        matches!(
            serde_json::from_value(error.clone()),
            Ok(DocumentShareAnswer::PlatError(_))
        ),
        matches!(
            serde_json::from_value(error),
            Ok(PermissionGroupAnswer::PlatError(_))
        ),
    ];
    assert_eq!(answers, [true; 4]);
}
