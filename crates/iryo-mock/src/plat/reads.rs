//! The read side of the permission APIs (PRV_ROL_001, 004, 006): only live data, deleted groups and approvals
//! left out (manage_permissions.md: deleted permissions are invisible to the other APIs).

use chrono::NaiveDateTime;
use serde_json::Value;

use super::auth::Actor;
use super::dates::DateStyle;
use super::flow::Denied;
use super::store::{Entry, Store, render};

impl Store {
    fn live(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| !e.group.deleted)
    }

    /// PRV_ROL_004: the caller's own requests, optionally one group, optionally in one state.
    pub(crate) fn requests(
        &self,
        actor: &Actor,
        group: Option<&str>,
        status: Option<&str>,
        style: DateStyle,
    ) -> Vec<Value> {
        let mine = self
            .live()
            .filter(|e| e.group.requested_personal_id == actor.personal_id);
        let chosen = mine.filter(|e| group.is_none_or(|g| e.group.id == g));
        let in_state = chosen.filter(|e| status.is_none_or(|s| e.group.status == s));
        in_state.map(|e| render_live(e, style)).collect()
    }

    /// PRV_ROL_006 (list form): groups in which the caller holds a live approval, optionally in one state.
    pub(crate) fn approvals(
        &self,
        actor: &Actor,
        status: Option<&str>,
        style: DateStyle,
    ) -> Vec<Value> {
        let held = |e: &&Entry| {
            let mine = e
                .approvals
                .iter()
                .filter(|a| !a.deleted && a.is_held_by(actor));
            mine.filter(|a| status.is_none_or(|s| a.status == s))
                .count()
                > 0
        };
        self.live()
            .filter(held)
            .map(|e| render_live(e, style))
            .collect()
    }

    /// PRV_ROL_006 (one approval): its group, if the caller holds it.
    pub(crate) fn approval(
        &mut self,
        actor: &Actor,
        id: &str,
        style: DateStyle,
    ) -> Result<Value, Denied> {
        let (entry, i) = self.live_approval(id)?;
        match entry.approvals[i].is_held_by(actor) {
            true => Ok(render_live(entry, style)),
            false => Err(Denied::Forbidden),
        }
    }

    /// PRV_ROL_001: permissions of approved live groups, held by the caller unless `holder` names one.
    pub(crate) fn permissions(&self, actor: &Actor, filter: &PermissionFilter) -> Vec<Value> {
        let approved = self.live().filter(|e| e.group.status == "1");
        let all = approved.flat_map(|e| e.permissions.iter());
        all.filter(|p| filter.admits(p, actor)).cloned().collect()
    }
}

/// The query of PRV_ROL_001.
#[derive(Debug, Default)]
pub(crate) struct PermissionFilter {
    pub(crate) management_id: Option<String>,
    pub(crate) classification: Option<String>,
    pub(crate) holder: Option<String>,
    pub(crate) at: Option<NaiveDateTime>,
}

impl PermissionFilter {
    fn admits(&self, permission: &Value, actor: &Actor) -> bool {
        let field = |key: &str| permission.get(key).and_then(Value::as_str);
        let date = |key: &str| field(key).and_then(DateStyle::parse_any);
        let holder = field("permissionId");
        let held_by_caller =
            holder == Some(&actor.personal_id) || holder == actor.organization_id.as_deref();
        let holder_ok = match &self.holder {
            Some(wanted) => holder == Some(wanted),
            None => held_by_caller || self.management_id.is_some(),
        };
        let valid_at = self.at.is_none_or(|at| {
            date("expirationFrom").is_some_and(|f| f <= at)
                && date("expirationTo").is_some_and(|t| at <= t)
        });
        holder_ok
            && valid_at
            && self
                .management_id
                .as_deref()
                .is_none_or(|id| field("permissionManagementId") == Some(id))
            && self
                .classification
                .as_deref()
                .is_none_or(|c| field("classification") == Some(c))
    }
}

/// A group as the read APIs show it: deleted approvals are left out.
fn render_live(entry: &Entry, style: DateStyle) -> Value {
    let mut live = entry.clone();
    live.approvals.retain(|a| !a.deleted);
    render(&live, style)
}
