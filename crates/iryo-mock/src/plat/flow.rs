//! The permission state machine of PRV_ROL_002-008 (docs/Plat/manage_permissions.md): a request creates a group
//! whose approvals are 承認要求中 (`0`); the approver approves (`1`) or rejects (`2`); the requester may withdraw a
//! pending one (`3`); PRV_ROL_010 deletes approved ones (store.rs). Deleted groups and approvals are invisible here.
//! A transition from any other state is PLAT400 (fixup `state-conflicts-are-plat400`).

use chrono::NaiveDateTime;
use serde_json::{Map, Value};

use super::auth::Actor;
use super::dates::DateStyle;
use super::store::{Approval, Comment, Entry, Group, Refusal, Store, parse_approval_id};

/// Why a call was refused, with the PLAT code it is answered with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Denied {
    /// PLAT500: no live approval or group has that id.
    Unknown,
    /// PLAT403: the caller may not act on it.
    Forbidden,
    /// PLAT400: it is not in the state the call needs.
    Conflict,
    /// PLAT410: the body does not have the documented shape.
    Invalid(String),
    /// PLAT420: the body is well formed but asks for something the rules forbid.
    Business(String),
}

impl From<Refusal> for Denied {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::UnknownApproval => Denied::Unknown,
            Refusal::NotAHolder => Denied::Forbidden,
            Refusal::AlreadyDeleted => Denied::Conflict,
        }
    }
}

type Object = Map<String, Value>;

/// The group's status follows its live approvals (fixup `group-status-follows-approvals`).
fn recompute_status(entry: &mut Entry) {
    let live: Vec<&str> = entry
        .approvals
        .iter()
        .filter(|a| !a.deleted)
        .map(|a| a.status.as_str())
        .collect();
    let any = |code: &str| live.contains(&code);
    let status = ["0", "1", "2"].into_iter().find(|c| any(c)).unwrap_or("3");
    entry.group.status = status.to_owned();
}

fn comment(actor: &Actor, text: &str) -> Comment {
    Comment {
        id: None,
        organization_id: actor.organization_id.clone(),
        department_id: actor.department_id.clone(),
        personal_id: Some(actor.personal_id.clone()),
        comment: text.to_owned(),
    }
}

fn invalid(what: &str) -> Denied {
    Denied::Invalid(format!("{what} is missing or has the wrong type"))
}

fn text<'a>(object: &'a Object, key: &str) -> Option<&'a str> {
    object.get(key).and_then(Value::as_str)
}

fn array<'a>(object: &'a Object, key: &str) -> Result<&'a [Value], Denied> {
    let array = object.get(key).and_then(Value::as_array);
    array.map(Vec::as_slice).ok_or_else(|| invalid(key))
}

/// A changing request (PRV_ROL_002, 003, 007, 008): who sends it, when, its body and the `comment` every one
/// carries.
pub(crate) struct Change<'a> {
    actor: &'a Actor,
    body: &'a Object,
    note: &'a str,
    now: NaiveDateTime,
}

impl<'a> Change<'a> {
    /// Checks that the body is an object with a `comment`, before anything else of it.
    pub(crate) fn read(
        actor: &'a Actor,
        body: &'a Value,
        now: NaiveDateTime,
    ) -> Result<Self, Denied> {
        let body = body.as_object().ok_or_else(|| invalid("the body"))?;
        let note = text(body, "comment").ok_or_else(|| invalid("comment"))?;
        Ok(Change {
            actor,
            body,
            note,
            now,
        })
    }

    /// The request's `comment`, recorded as the caller's.
    fn comment(&self) -> Comment {
        comment(self.actor, self.note)
    }
}

/// The approvers named by `permissionApproval` (the table's `allowable*` keys or the sample's `approver*` ones).
fn read_approvers(items: &[Value], first_id: u64) -> Result<Vec<Approval>, Denied> {
    let mut approvals = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let object = item
            .as_object()
            .ok_or_else(|| invalid("permissionApproval[]"))?;
        let id_of = |kind: &str| {
            let key = |prefix: &str| format!("{prefix}{kind}Id");
            text(object, &key("allowable"))
                .or(text(object, &key("approver")))
                .map(str::to_owned)
        };
        let (organization, person) = (id_of("Organization"), id_of("Personal"));
        if organization.is_none() && person.is_none() {
            return Err(Denied::Invalid(format!(
                "permissionApproval[{i}] names no approver"
            )));
        }
        approvals.push(Approval {
            id: first_id + i as u64,
            status: "0".to_owned(),
            deleted: false,
            allowable_organization_id: organization,
            allowable_department_id: id_of("Department"),
            allowable_personal_id: person,
            approver_personal_id: None,
            approved_datetime: None,
        });
    }
    Ok(approvals)
}

/// `permissionList` with the store's ids added; each entry needs its table fields.
fn read_permissions(items: &[Value], group_id: &str) -> Result<Vec<Value>, Denied> {
    let required = [
        "classification",
        "permissionId",
        "type",
        "expirationFrom",
        "expirationTo",
    ];
    let mut permissions = Vec::new();
    for item in items {
        let mut object = item
            .as_object()
            .cloned()
            .ok_or_else(|| invalid("permissionList[]"))?;
        for key in required {
            text(&object, key).ok_or_else(|| invalid(&format!("permissionList[].{key}")))?;
        }
        for key in ["expirationFrom", "expirationTo"] {
            DateStyle::parse_any(text(&object, key).unwrap_or_default())
                .ok_or_else(|| Denied::Invalid(format!("permissionList[].{key} is not a date")))?;
        }
        // The codes of plat-holder-kind and plat-permission-kind; the published spec lists no others.
        if !["1", "2"].contains(&text(&object, "classification").unwrap_or_default()) {
            return Err(Denied::Invalid(
                "permissionList[].classification must be 1 or 2".into(),
            ));
        }
        if !["01", "02", "03", "04"].contains(&text(&object, "type").unwrap_or_default()) {
            return Err(Denied::Invalid(
                "permissionList[].type must be 01 to 04".into(),
            ));
        }
        let details = object.get("detailList").and_then(Value::as_array);
        let details = details.ok_or_else(|| invalid("permissionList[].detailList"))?;
        if !details.iter().all(is_detail) {
            return Err(invalid("permissionList[].detailList[]"));
        }
        object.insert(
            "permissionManagementId".into(),
            uuid::Uuid::new_v4().to_string().into(),
        );
        object.insert("permissionGroupId".into(), group_id.into());
        permissions.push(Value::Object(object));
    }
    Ok(permissions)
}

/// A detail: an object whose `path`, `operator` and `value` are strings when present; the operator is `01`, the
/// only code of plat-operator (fixup `operator-codes-beyond-table`: the mock keeps to the table).
fn is_detail(detail: &Value) -> bool {
    let Some(object) = detail.as_object() else {
        return false;
    };
    let string_or_absent = |key: &str| object.get(key).is_none_or(Value::is_string);
    ["path", "operator", "value"]
        .into_iter()
        .all(string_or_absent)
        && object.get("operator").is_none_or(|o| o == "01")
}

impl Store {
    fn next_approval_id(&self) -> u64 {
        let ids = self
            .entries
            .iter()
            .flat_map(|e| e.approvals.iter().map(|a| a.id));
        ids.max().unwrap_or(0) + 1
    }

    /// PRV_ROL_002 (`approved` false) and PRV_ROL_003 (`approved` true).
    pub(crate) fn request(&mut self, change: Change<'_>, approved: bool) -> Result<&Entry, Denied> {
        let approvers = array(change.body, "permissionApproval")?;
        let permissions = array(change.body, "permissionList")?;
        if approvers.is_empty() || permissions.is_empty() {
            return Err(Denied::Business(
                "a request needs an approver and a permission".into(),
            ));
        }
        let mut approvals = read_approvers(approvers, self.next_approval_id())?;
        if approvals
            .iter()
            .any(|a| a.allowable_personal_id.as_deref() == Some(&change.actor.personal_id))
        {
            return Err(Denied::Business(
                "a caller cannot ask itself for a permission".into(),
            ));
        }
        let group_id = uuid::Uuid::new_v4().to_string();
        let permissions = read_permissions(permissions, &group_id)?;
        for approval in approvals.iter_mut().filter(|_| approved) {
            approval.status = "1".to_owned();
            approval.approver_personal_id = approval.allowable_personal_id.clone();
            approval.approved_datetime = Some(change.now);
        }
        let group = Group {
            id: group_id,
            status: String::new(),
            deleted: false,
            requested_organization_id: change.actor.organization_id.clone().unwrap_or_default(),
            requested_department_id: change.actor.department_id.clone().unwrap_or_default(),
            requested_personal_id: change.actor.personal_id.clone(),
            requested_datetime: change.now,
        };
        let mut entry = Entry {
            group,
            approvals,
            comments: vec![change.comment()],
            permissions,
        };
        recompute_status(&mut entry);
        self.entries.push(entry);
        Ok(self.entries.last().expect("just pushed"))
    }

    /// The live group holding live approval `id`, and the approval's index.
    pub(super) fn live_approval(&mut self, id: &str) -> Result<(&mut Entry, usize), Denied> {
        let id = parse_approval_id(id).ok_or(Denied::Unknown)?;
        let entry = self.entries.iter_mut().filter(|e| !e.group.deleted);
        let found = entry
            .filter_map(|e| {
                e.approvals
                    .iter()
                    .position(|a| a.id == id && !a.deleted)
                    .map(|i| (e, i))
            })
            .next();
        found.ok_or(Denied::Unknown)
    }

    /// PRV_ROL_005: the requester withdraws a pending approval.
    pub(crate) fn withdraw(&mut self, actor: &Actor, id: &str) -> Result<&Entry, Denied> {
        let (entry, i) = self.live_approval(id)?;
        if entry.group.requested_personal_id != actor.personal_id {
            return Err(Denied::Forbidden);
        }
        if entry.approvals[i].status != "0" {
            return Err(Denied::Conflict);
        }
        entry.approvals[i].status = "3".to_owned();
        recompute_status(entry);
        Ok(entry)
    }

    /// PRV_ROL_007 (`permissions` None) and PRV_ROL_008 (the narrower `permissionList`): the approver decides.
    pub(crate) fn decide(
        &mut self,
        change: Change<'_>,
        id: &str,
        partial: bool,
    ) -> Result<&Entry, Denied> {
        let status = match (partial, text(change.body, "status")) {
            (true, _) => "1",
            (false, Some(code @ ("1" | "2"))) => code,
            (false, _) => return Err(Denied::Invalid("status must be \"1\" or \"2\"".into())),
        };
        let (entry, i) = self.live_approval(id)?;
        let narrower = match partial {
            true => Some(read_permissions(
                array(change.body, "permissionList")?,
                &entry.group.id,
            )?),
            false => None,
        };
        let approval = &mut entry.approvals[i];
        if !approval.is_held_by(change.actor) {
            return Err(Denied::Forbidden);
        }
        if approval.status != "0" {
            return Err(Denied::Conflict);
        }
        approval.status = status.to_owned();
        approval.approver_personal_id = Some(change.actor.personal_id.clone());
        approval.approved_datetime = Some(change.now);
        entry.comments.push(change.comment());
        if let Some(reject) = text(change.body, "rejectComment").filter(|_| partial) {
            entry.comments.push(comment(change.actor, reject));
        }
        if let Some(list) = narrower {
            entry.permissions = list;
        }
        recompute_status(entry);
        Ok(entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(statuses: &[(&str, bool)]) -> Entry {
        let approvals = statuses
            .iter()
            .enumerate()
            .map(|(i, (status, deleted))| Approval {
                id: i as u64 + 1,
                status: (*status).to_owned(),
                deleted: *deleted,
                allowable_organization_id: None,
                allowable_department_id: None,
                allowable_personal_id: None,
                approver_personal_id: None,
                approved_datetime: None,
            });
        let at = NaiveDateTime::default();
        Entry {
            group: Group {
                id: "g".into(),
                status: String::new(),
                deleted: false,
                requested_organization_id: String::new(),
                requested_department_id: String::new(),
                requested_personal_id: "p".into(),
                requested_datetime: at,
            },
            approvals: approvals.collect(),
            comments: Vec::new(),
            permissions: Vec::new(),
        }
    }

    #[test]
    fn the_group_follows_its_live_approvals() {
        let status = |approvals: &[(&str, bool)]| {
            let mut e = entry(approvals);
            recompute_status(&mut e);
            e.group.status
        };
        assert_eq!(status(&[("0", false), ("1", false)]), "0");
        assert_eq!(status(&[("1", false), ("2", false)]), "1");
        assert_eq!(status(&[("2", false), ("3", false)]), "2");
        assert_eq!(status(&[("3", false)]), "3");
        assert_eq!(
            status(&[("0", true), ("2", false)]),
            "2",
            "deleted approvals do not count"
        );
    }

    #[test]
    fn details_have_string_fields_and_the_tables_operator() {
        assert!(is_detail(&json!({})));
        assert!(is_detail(
            &json!({"path": "p", "operator": "01", "value": "v"})
        ));
        assert!(!is_detail(&json!({"operator": "02"})));
        assert!(!is_detail(&json!({"value": 1})));
        assert!(!is_detail(&json!("x")));
    }
}
