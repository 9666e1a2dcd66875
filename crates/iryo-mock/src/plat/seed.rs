//! Reads a whole permission group from JSON shaped like the API's answer (`permissionGroup`,
//! `permissionApproval`, `permissionComment`), for the fixtures and for `insert_group`. Dates may be ISO 8601
//! without a zone (`2021-10-07T19:51:02`, JST wall clock) or any [`DateStyle`], so a dump reads back.

use chrono::NaiveDateTime;
use serde_json::{Map, Value};

use super::ControlError;
use super::dates::DateStyle;
use super::store::{Approval, Comment, Entry, Group};

type Object = Map<String, Value>;

pub(crate) fn read_entry(value: &Value) -> Result<Entry, ControlError> {
    let root = value.as_object().ok_or(ControlError::NotAnObject)?;
    let group = match root.get("permissionGroup") {
        Some(Value::Object(group)) => read_group(group)?,
        _ => return Err(bad("permissionGroup", "an object")),
    };
    let approvals = list(root, "permissionApproval")?
        .iter()
        .enumerate()
        .map(|(i, item)| read_approval(item, &format!("permissionApproval[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    for (i, approval) in approvals.iter().enumerate() {
        if approvals[..i].iter().any(|a| a.id == approval.id) {
            return Err(ControlError::DuplicateApprovalId(approval.id));
        }
    }
    let comments = list(root, "permissionComment")?
        .iter()
        .enumerate()
        .map(|(i, item)| read_comment(item, &format!("permissionComment[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    let permissions = list(root, "permissionList")?.to_vec();
    Ok(Entry {
        group,
        approvals,
        comments,
        permissions,
    })
}

fn read_group(group: &Object) -> Result<Group, ControlError> {
    let field = |key: &str| required_string(group, "permissionGroup", key);
    Ok(Group {
        id: field("permissionGroupId")?,
        status: field("status")?,
        deleted: deleted_flag(group, "permissionGroup")?,
        requested_organization_id: field("requestedOrganizationId")?,
        requested_department_id: field("requestedDepartmentId")?,
        requested_personal_id: field("requestedPersonalId")?,
        requested_datetime: date(group, "permissionGroup", "requestedDatetime")?
            .ok_or_else(|| bad("permissionGroup.requestedDatetime", DATE))?,
    })
}

fn read_approval(item: &Value, at: &str) -> Result<Approval, ControlError> {
    let approval = item.as_object().ok_or_else(|| bad(at, "an object"))?;
    let id = match approval.get("permissionApprovalId") {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().ok()
        }
        _ => None,
    };
    let optional = |key: &str| optional_string(approval, at, key);
    Ok(Approval {
        id: id.ok_or_else(|| bad(&format!("{at}.permissionApprovalId"), "a whole number"))?,
        status: required_string(approval, at, "status")?,
        deleted: deleted_flag(approval, at)?,
        allowable_organization_id: optional("allowableOrganizationId")?,
        allowable_department_id: optional("allowableDepartmentId")?,
        allowable_personal_id: optional("allowablePersonalId")?,
        approver_personal_id: optional("approverPersonalId")?,
        approved_datetime: date(approval, at, "approvedDatetime")?,
    })
}

fn read_comment(item: &Value, at: &str) -> Result<Comment, ControlError> {
    let comment = item.as_object().ok_or_else(|| bad(at, "an object"))?;
    let optional = |key: &str| optional_string(comment, at, key);
    Ok(Comment {
        id: optional("permissionCommentId")?,
        organization_id: optional("organizationId")?,
        department_id: optional("departmentId")?,
        personal_id: optional("personalId")?,
        comment: required_string(comment, at, "comment")?,
    })
}

const DATE: &str = "a date like 2021-10-07T19:51:02 or Oct 7, 2021, 7:51:02 PM";

fn bad(field: &str, expected: &'static str) -> ControlError {
    ControlError::BadField {
        field: field.to_owned(),
        expected,
    }
}

/// An absent or `null` list is empty.
fn list<'a>(root: &'a Object, key: &str) -> Result<&'a [Value], ControlError> {
    match root.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(bad(key, "an array")),
    }
}

fn required_string(object: &Object, at: &str, key: &str) -> Result<String, ControlError> {
    optional_string(object, at, key)?.ok_or_else(|| bad(&format!("{at}.{key}"), "a string"))
}

/// An absent or `null` field is `None`; `""` is kept.
fn optional_string(object: &Object, at: &str, key: &str) -> Result<Option<String>, ControlError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(bad(&format!("{at}.{key}"), "a string")),
    }
}

/// `deletedFlg`: 0 or 1; absent means 0.
fn deleted_flag(object: &Object, at: &str) -> Result<bool, ControlError> {
    match object.get("deletedFlg").map(Value::as_u64) {
        None => Ok(false),
        Some(Some(0)) => Ok(false),
        Some(Some(1)) => Ok(true),
        Some(_) => Err(bad(&format!("{at}.deletedFlg"), "0 or 1")),
    }
}

fn date(object: &Object, at: &str, key: &str) -> Result<Option<NaiveDateTime>, ControlError> {
    match optional_string(object, at, key)? {
        None => Ok(None),
        Some(text) => DateStyle::parse_any(&text)
            .map(Some)
            .ok_or_else(|| bad(&format!("{at}.{key}"), DATE)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn minimal() -> Value {
        json!({
            "permissionGroup": {
                "permissionGroupId": "g",
                "status": "1",
                "requestedOrganizationId": "1310000001",
                "requestedDepartmentId": "",
                "requestedPersonalId": "p",
                "requestedDatetime": "Oct 7, 2021 7:51:02 PM"
            },
            "permissionApproval": [{"permissionApprovalId": "7", "status": "0"}]
        })
    }

    #[test]
    fn a_minimal_group_reads_with_defaults() {
        let entry = read_entry(&minimal());
        let Ok(entry) = entry else {
            panic!("{entry:?}")
        };
        assert!(!entry.group.deleted);
        assert_eq!(entry.group.requested_department_id, "");
        assert_eq!(entry.approvals.len(), 1);
        assert_eq!(entry.approvals[0].id, 7);
        assert_eq!(entry.approvals[0].allowable_personal_id, None);
        assert!(entry.comments.is_empty());
    }

    #[test]
    fn mistakes_name_the_field() {
        let mut value = minimal();
        value["permissionApproval"][0]["deletedFlg"] = json!(2);
        assert_eq!(
            read_entry(&value).map(|_| ()).map_err(|e| e.to_string()),
            Err("`permissionApproval[0].deletedFlg` must be 0 or 1".to_owned())
        );
        let mut value = minimal();
        value["permissionGroup"]["requestedDatetime"] = json!("2021-10-07 19:51");
        assert!(matches!(
            read_entry(&value),
            Err(ControlError::BadField { field, .. }) if field == "permissionGroup.requestedDatetime"
        ));
        let mut value = minimal();
        value["permissionApproval"] = json!([
            {"permissionApprovalId": 7, "status": "1"},
            {"permissionApprovalId": "7", "status": "1"}
        ]);
        assert_eq!(
            read_entry(&value).map(|_| ()),
            Err(ControlError::DuplicateApprovalId(7))
        );
        assert_eq!(
            read_entry(&json!([])).map(|_| ()),
            Err(ControlError::NotAnObject)
        );
    }
}
