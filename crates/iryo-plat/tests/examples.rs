//! Every file in `specs/plat/examples/` decodes into the generated types and carries the values
//! we expect; the document's samples encode back to the same JSON value.

use chrono::NaiveDateTime;
use iryo_plat::types::{
    PermissionDeleteRequest, PermissionGroupAnswer, PermissionGroupResult, PlatErrorBody,
};
use iryo_plat::{ApprovalStatus, DeletedFlag, PlatErrorCode};
use serde_json::Value;

fn example(name: &str) -> Value {
    let path = format!(
        "{}/../../specs/plat/examples/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn local(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").unwrap()
}

#[test]
fn request_sample_round_trips() {
    let value = example("request-sample.json");
    let request: PermissionDeleteRequest = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(request.comment, "\u{301C}のため削除します");
    assert_eq!(serde_json::to_value(&request).unwrap(), value);
}

#[test]
fn response_sample_is_typed_and_round_trips() {
    let value = example("response-sample.json");
    let answer: PermissionGroupAnswer = serde_json::from_value(value.clone()).unwrap();
    let PermissionGroupAnswer::PermissionGroupResult(result) = answer else {
        panic!("{answer:?}")
    };
    let group = result.group().unwrap();
    assert_eq!(group.status, Some(ApprovalStatus::Approved));
    assert_eq!(group.deleted_flg, Some(DeletedFlag::Deleted));
    assert_eq!(group.requested_department_id.as_deref(), Some(""));
    assert_eq!(
        group.requested_datetime.unwrap().local(),
        local("2021-10-07 19:51:02")
    );
    let approval = &result.permission_approval[0];
    let id = approval.permission_approval_id.as_ref().unwrap();
    assert_eq!((id.as_str(), id.is_numeric()), ("2", true));
    assert_eq!(
        approval.approved_datetime.unwrap().local(),
        local("2021-10-07 20:02:04")
    );
    assert_eq!(
        result.permission_comment[0].comment.as_deref(),
        Some("〜のため削除します")
    );
    assert_eq!(serde_json::to_value(&result).unwrap(), value);
}

#[test]
fn error_sample_is_an_error_at_any_status() {
    let value = example("error-sample.json");
    let answer: PermissionGroupAnswer = serde_json::from_value(value.clone()).unwrap();
    let PermissionGroupAnswer::PlatError(error) = answer else {
        panic!("{answer:?}")
    };
    assert_eq!(error.error_code, PlatErrorCode::ServerError);
    let body: PlatErrorBody = serde_json::from_value(value).unwrap();
    assert!(matches!(body, PlatErrorBody::PlatError(_)));
}

#[test]
fn the_tables_shape_and_variants_parse_too() {
    let value = example("response-table-shape-iryo.json");
    let result: PermissionGroupResult = serde_json::from_value(value).unwrap();
    let group = result.group().expect("permissonGroup is accepted");
    assert!(result.permission_group.is_none());
    assert_eq!(group.status, Some(ApprovalStatus::Withdrawn));
    assert_eq!(
        group.requested_datetime.unwrap().local(),
        local("2021-03-02 01:00:00")
    );
    assert_eq!(
        group.requested_datetime.unwrap().to_string(),
        "Mar 2, 2021, 1:00:00 AM"
    );
    let approval = &result.permission_approval[0];
    let id = approval.permission_approval_id.as_ref().unwrap();
    assert_eq!((id.as_str(), id.is_numeric()), ("17", false));
    assert_eq!(approval.approved_datetime, None);
    assert_eq!(
        approval.extra.get("reviewNote").map(|v| v.get()),
        Some("\"an unknown key, kept\"")
    );
    assert_eq!(
        result.permission_comment[0].comment.as_deref(),
        Some("①期限切れのため取下げ～")
    );
    // encode + decode gives the same typed value
    let again: PermissionGroupResult =
        serde_json::from_value(serde_json::to_value(&result).unwrap()).unwrap();
    assert_eq!(again, result);
}

#[test]
fn operation_outcome_errors_carry_their_code() {
    let body: PlatErrorBody = serde_json::from_value(serde_json::json!({
        "resourceType": "OperationOutcome",
        "id": "PLAT410",
        "issue": [{"severity": "error", "code": "value", "details": {"text": "comment は必須です"}}]
    }))
    .unwrap();
    let PlatErrorBody::OperationOutcome(outcome) = body else {
        panic!("{body:?}")
    };
    assert_eq!(outcome.id, PlatErrorCode::InputCheckFailed);
}

#[test]
fn a_bad_date_in_an_answer_is_refused() {
    let mut value = example("response-sample.json");
    value["permissionGroup"]["requestedDatetime"] = "7 Oct 2021".into();
    let err = serde_json::from_value::<PermissionGroupResult>(value).unwrap_err();
    assert!(err.to_string().contains("7 Oct 2021"), "{err}");
}
