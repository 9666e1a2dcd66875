//! The in-memory permission tables (権限グループ, 権限承認, 権限コメント) and the PRV_ROL_010 rule: deleting an
//! approval sets its `deletedFlg`, records the caller's comment, and deletes the group once every approval of it is
//! deleted.

use chrono::NaiveDateTime;
use serde_json::{Map, Value};

use super::auth::Actor;
use super::dates::DateStyle;

/// A permission group (権限グループ): one request for access to one document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Group {
    pub(crate) id: String,
    /// 権限承認状態: `0` 承認要求中, `1` 承認済み, `2` 承認拒否, `3` 承認取下げ. Deleting never changes it.
    pub(crate) status: String,
    pub(crate) deleted: bool,
    pub(crate) requested_organization_id: String,
    pub(crate) requested_department_id: String,
    pub(crate) requested_personal_id: String,
    pub(crate) requested_datetime: NaiveDateTime,
}

/// One approver's part of a group (権限承認). `allowable*` name who may approve, and so who may delete.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Approval {
    pub(crate) id: u64,
    pub(crate) status: String,
    pub(crate) deleted: bool,
    pub(crate) allowable_organization_id: Option<String>,
    pub(crate) allowable_department_id: Option<String>,
    pub(crate) allowable_personal_id: Option<String>,
    pub(crate) approver_personal_id: Option<String>,
    pub(crate) approved_datetime: Option<NaiveDateTime>,
}

/// A comment on a group (権限コメント).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Comment {
    pub(crate) id: Option<String>,
    pub(crate) organization_id: Option<String>,
    pub(crate) department_id: Option<String>,
    pub(crate) personal_id: Option<String>,
    pub(crate) comment: String,
}

/// A group with its approvals (sorted by id) and comments (in insertion order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) group: Group,
    pub(crate) approvals: Vec<Approval>,
    pub(crate) comments: Vec<Comment>,
    /// 権限リスト, kept as the requester sent it (plus the ids the store assigned), dates as received.
    pub(crate) permissions: Vec<Value>,
}

/// Why a delete was refused, in the order the mock checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// PLAT500: no approval has that id (a non-numeric id included).
    UnknownApproval,
    /// PLAT403: the caller is not a holder the approval names.
    NotAHolder,
    /// PLAT400: the approval is already deleted (optimistic-lock violation).
    AlreadyDeleted,
}

impl Approval {
    /// The holder check: the caller belongs to the organization the approval names (and to its department when
    /// one is named; `""` names none), or is the person it names. An approval naming neither is closed to all.
    pub(crate) fn is_held_by(&self, actor: &Actor) -> bool {
        let by_organization = self.allowable_organization_id.as_ref().is_some_and(|org| {
            let department = self.allowable_department_id.as_deref();
            actor.organization_id.as_ref() == Some(org)
                && department
                    .filter(|d| !d.is_empty())
                    .is_none_or(|d| actor.department_id.as_deref() == Some(d))
        });
        let by_person = self.allowable_personal_id.as_ref() == Some(&actor.personal_id);
        by_organization || by_person
    }

    /// The comment a delete records: the caller's ids at the granularity of the approval. An approval granted to
    /// an organization gets the caller's organization and department (when it has them) and person; one granted to
    /// a person gets only the person. The store assigns no `permissionCommentId` (the document's sample has none).
    pub(crate) fn deletion_comment(&self, actor: &Actor, text: &str) -> Comment {
        let for_organization = self.allowable_organization_id.is_some();
        Comment {
            id: None,
            organization_id: actor.organization_id.clone().filter(|_| for_organization),
            department_id: actor.department_id.clone().filter(|_| for_organization),
            personal_id: Some(actor.personal_id.clone()),
            comment: text.to_owned(),
        }
    }
}

/// Every group, in insertion order.
#[derive(Debug, Default)]
pub(crate) struct Store {
    pub(crate) entries: Vec<Entry>,
}

impl Store {
    /// Stores `entry`, replacing a group with the same id (the replacement counts as a new insertion). Returns the
    /// approval id that another group already uses, if any, and stores nothing then.
    pub(crate) fn insert(&mut self, mut entry: Entry) -> Result<(), u64> {
        let other_groups = self.entries.iter().filter(|e| e.group.id != entry.group.id);
        for other in other_groups {
            if let Some(clash) = other
                .approvals
                .iter()
                .find(|a| entry.approvals.iter().any(|b| b.id == a.id))
            {
                return Err(clash.id);
            }
        }
        entry.approvals.sort_by_key(|a| a.id);
        self.entries.retain(|e| e.group.id != entry.group.id);
        self.entries.push(entry);
        Ok(())
    }

    /// Applies PRV_ROL_010 to the approval named by the decoded path segment `id` and returns its whole group.
    pub(crate) fn delete(
        &mut self,
        id: &str,
        actor: &Actor,
        comment: &str,
    ) -> Result<&Entry, Refusal> {
        let id = parse_approval_id(id).ok_or(Refusal::UnknownApproval)?;
        let entry = self
            .entries
            .iter_mut()
            .find(|e| e.approvals.iter().any(|a| a.id == id))
            .ok_or(Refusal::UnknownApproval)?;
        let approval = entry
            .approvals
            .iter_mut()
            .find(|a| a.id == id)
            .ok_or(Refusal::UnknownApproval)?;
        if !approval.is_held_by(actor) {
            return Err(Refusal::NotAHolder);
        }
        // Only an approved permission can be deleted (manage_permissions.md); anything else was changed meanwhile.
        if approval.deleted || approval.status != "1" {
            return Err(Refusal::AlreadyDeleted);
        }
        approval.deleted = true;
        let recorded = approval.deletion_comment(actor, comment);
        entry.comments.push(recorded);
        if entry.approvals.iter().all(|a| a.deleted) {
            entry.group.deleted = true;
        }
        Ok(entry)
    }

    pub(crate) fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
    }
}

/// Approval ids are serials: one or more ASCII digits (leading zeros allowed, no sign), as a numeric column
/// compares them. Anything else names no approval.
pub(crate) fn parse_approval_id(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The API's answer for one group: `permissionGroup`, `permissionApproval`, `permissionComment`, keys in the
/// document's order, `None` fields left out (as Gson leaves out nulls).
pub(crate) fn render(entry: &Entry, style: DateStyle) -> Value {
    let group = &entry.group;
    let mut out = Map::new();
    out.insert("permissionGroupId".into(), group.id.clone().into());
    out.insert("status".into(), group.status.clone().into());
    out.insert("deletedFlg".into(), u8::from(group.deleted).into());
    let requested = [
        ("requestedOrganizationId", &group.requested_organization_id),
        ("requestedDepartmentId", &group.requested_department_id),
        ("requestedPersonalId", &group.requested_personal_id),
    ];
    for (key, value) in requested {
        out.insert(key.into(), value.clone().into());
    }
    let at = style.format(group.requested_datetime);
    out.insert("requestedDatetime".into(), at.into());
    let approvals = entry.approvals.iter().map(|a| render_approval(a, style));
    let comments = entry.comments.iter().map(render_comment);
    let mut answer = Map::new();
    answer.insert("permissionGroup".into(), Value::Object(out));
    if !entry.permissions.is_empty() {
        answer.insert("permissionList".into(), entry.permissions.clone().into());
    }
    answer.insert("permissionApproval".into(), approvals.collect());
    answer.insert("permissionComment".into(), comments.collect());
    Value::Object(answer)
}

fn render_approval(approval: &Approval, style: DateStyle) -> Value {
    let mut out = Map::new();
    out.insert("permissionApprovalId".into(), approval.id.into());
    out.insert("status".into(), approval.status.clone().into());
    out.insert("deletedFlg".into(), u8::from(approval.deleted).into());
    let ids = [
        (
            "allowableOrganizationId",
            &approval.allowable_organization_id,
        ),
        ("allowableDepartmentId", &approval.allowable_department_id),
        ("allowablePersonalId", &approval.allowable_personal_id),
        ("approverPersonalId", &approval.approver_personal_id),
    ];
    insert_present(&mut out, ids);
    if let Some(at) = approval.approved_datetime {
        out.insert("approvedDatetime".into(), style.format(at).into());
    }
    Value::Object(out)
}

fn render_comment(comment: &Comment) -> Value {
    let mut out = Map::new();
    let ids = [
        ("permissionCommentId", &comment.id),
        ("organizationId", &comment.organization_id),
        ("departmentId", &comment.department_id),
        ("personalId", &comment.personal_id),
    ];
    insert_present(&mut out, ids);
    out.insert("comment".into(), comment.comment.clone().into());
    Value::Object(out)
}

fn insert_present<const N: usize>(
    out: &mut Map<String, Value>,
    fields: [(&str, &Option<String>); N],
) {
    for (key, value) in fields {
        if let Some(value) = value {
            out.insert(key.into(), value.clone().into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn approval(org: Option<&str>, department: Option<&str>, person: Option<&str>) -> Approval {
        Approval {
            id: 1,
            status: "1".into(),
            deleted: false,
            allowable_organization_id: org.map(str::to_owned),
            allowable_department_id: department.map(str::to_owned),
            allowable_personal_id: person.map(str::to_owned),
            approver_personal_id: None,
            approved_datetime: None,
        }
    }

    fn in_department(department: &str) -> Actor {
        Actor {
            department_id: Some(department.to_owned()),
            ..Actor::demo()
        }
    }

    #[test]
    fn holders_are_the_named_organization_department_or_person() {
        let demo = Actor::demo();
        let other = Actor::other_organization();
        let by_org = approval(Some("1310000001"), None, None);
        assert!(by_org.is_held_by(&demo));
        assert!(!by_org.is_held_by(&other));
        let by_department = approval(Some("1310000001"), Some("01"), None);
        assert!(!by_department.is_held_by(&demo));
        assert!(by_department.is_held_by(&in_department("01")));
        assert!(!by_department.is_held_by(&in_department("02")));
        assert!(approval(Some("1310000001"), Some(""), None).is_held_by(&demo));
        let by_person = approval(None, None, Some(&other.personal_id));
        assert!(by_person.is_held_by(&other));
        assert!(!by_person.is_held_by(&demo));
        let either = approval(Some("1320000002"), None, Some(&demo.personal_id));
        assert!(either.is_held_by(&demo));
        assert!(either.is_held_by(&other));
        assert!(!approval(None, None, None).is_held_by(&demo));
    }

    #[test]
    fn comments_follow_the_granularity_of_the_approval() {
        let actor = in_department("07");
        let personal = approval(None, None, Some(&actor.personal_id)).deletion_comment(&actor, "x");
        assert_eq!(
            render_comment(&personal),
            serde_json::json!({"personalId": actor.personal_id, "comment": "x"})
        );
        let organizational = approval(Some("1310000001"), None, None).deletion_comment(&actor, "");
        assert_eq!(
            render_comment(&organizational),
            serde_json::json!({
                "organizationId": "1310000001",
                "departmentId": "07",
                "personalId": actor.personal_id,
                "comment": ""
            })
        );
    }

    #[test]
    fn approval_ids_are_plain_digits() {
        assert_eq!(parse_approval_id("16"), Some(16));
        assert_eq!(parse_approval_id("016"), Some(16));
        assert_eq!(parse_approval_id("+16"), None);
        assert_eq!(parse_approval_id("-1"), None);
        assert_eq!(parse_approval_id(""), None);
        assert_eq!(parse_approval_id("abc"), None);
        assert_eq!(parse_approval_id("a/b"), None);
        assert_eq!(parse_approval_id("99999999999999999999999"), None);
    }
}
