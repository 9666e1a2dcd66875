//! A mock of PLAneTs (PLAT) PRV_ROL_010 【削除】付与済みの権限（医療機関用）,
//! `PUT {applicationPath}/providers/permission/delete/{permissionApprovalId}`, and its patient twin PTP_ROL_010
//! under `/participants/`: see the crate docs for the wire behaviour, the fixtures and the control routes.

mod api;
mod auth;
mod builder;
mod control;
mod dates;
mod faults;
mod fixtures;
mod flow;
mod handler;
mod issued;
mod keycloak;
pub mod messages;
mod reads;
mod seed;
mod store;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;

pub use auth::{Actor, DEMO_TOKEN, OTHER_ORG_TOKEN};
pub use dates::DateStyle;
pub use keycloak::PUBLIC_CLIENT;

use crate::fault::Fault;
use crate::harness::{Harness, builder_methods, handle_methods, impl_api, lock, setters};
use crate::server::{MockServer, StopSwitch};
use auth::Tokens;
pub use builder::PlatMockBuilder;
use keycloak::Keycloak;
use store::Store;

/// The application path the mock serves under unless told otherwise, as in PLAneTs' Postman environment
/// (`API_Context`).
pub const DEFAULT_APP_PATH: &str = "/cloudEHR";

/// A misuse of the mock's own API (not a PLAT error).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ControlError {
    /// A permission group to store must be a JSON object shaped like the API's answer.
    #[error("a permission group must be a JSON object like the API's answer")]
    NotAnObject,
    /// A field of a permission group to store is missing or has the wrong type.
    #[error("`{field}` must be {expected}")]
    BadField {
        /// Where the field is, such as `permissionApproval[0].deletedFlg`.
        field: String,
        /// What it must be.
        expected: &'static str,
    },
    /// Approval ids are unique across the store; this one is used twice.
    #[error("permissionApprovalId {0} is already used by another approval")]
    DuplicateApprovalId(u64),
    /// An injected HTTP status must be an error status, 400 to 599.
    #[error("an injected HTTP status must be between 400 and 599, got {0}")]
    StatusOutOfRange(u16),
}

/// PLAT's own failure, queued with the faults: `{"errorCode","errorMessage"}` with an error status.
#[derive(Debug)]
pub(crate) struct Business {
    code: String,
    message: Option<String>,
    status: StatusCode,
}

impl Business {
    fn new(code: &str, message: Option<&str>, status: Option<u16>) -> Result<Self, ControlError> {
        let status = error_status(status.unwrap_or_else(|| messages::status_for(code)))?;
        let message = message.or_else(|| messages::message_for(code));
        Ok(Business {
            code: code.to_owned(),
            message: message.map(str::to_owned),
            status,
        })
    }

    /// Its answer.
    pub(crate) fn response(self) -> axum::response::Response {
        handler::plat_error(self.status, &self.code, self.message.as_deref())
    }
}

/// Injected statuses are error statuses, 400 to 599.
fn error_status(status: u16) -> Result<StatusCode, ControlError> {
    StatusCode::from_u16(status)
        .ok()
        .filter(|s| s.is_client_error() || s.is_server_error())
        .ok_or(ControlError::StatusOutOfRange(status))
}

/// State shared by the handlers and the [`PlatMock`] handle.
struct Shared {
    tokens: Tokens,
    /// Failures queued for the API, its request counter (authenticated or not), the stop signal.
    harness: Harness<Business>,
    inner: Mutex<Inner>,
    keycloak: Mutex<Keycloak>,
}

struct Inner {
    store: Store,
    date_style: DateStyle,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        lock(&self.inner)
    }

    fn keycloak(&self) -> MutexGuard<'_, Keycloak> {
        lock(&self.keycloak)
    }

    /// The actor of the request's Bearer token: a fixed token, or an unexpired one the Keycloak mock issued.
    fn actor(&self, headers: &HeaderMap) -> Option<Actor> {
        if let Some(actor) = self.tokens.actor(headers) {
            return Some(actor.clone());
        }
        self.keycloak().actor(auth::bearer(headers)?).cloned()
    }

    fn dump(&self) -> Value {
        let inner = self.lock();
        let style = inner.date_style;
        let entries = inner.store.entries().iter();
        Value::Array(entries.map(|e| store::render(e, style)).collect())
    }

    fn insert(&self, value: &Value) -> Result<String, ControlError> {
        let entry = seed::read_entry(value)?;
        let id = entry.group.id.clone();
        let mut inner = self.lock();
        inner
            .store
            .insert(entry)
            .map_err(ControlError::DuplicateApprovalId)?;
        Ok(id)
    }
}

impl_api!(Shared: "plat", Business, faults::PlatWire);

fn router(shared: Arc<Shared>, app_path: &str, keycloak_prefix: &str) -> Router {
    Router::new()
        .merge(api::routes(app_path))
        .merge(keycloak::routes(keycloak_prefix))
        .merge(control::routes())
        .fallback(handler::not_found)
        .with_state(shared)
}

/// A running PLAT mock. Dropping it shuts the server down; every method acts on the live server, so a test can
/// change the store or queue failures between requests.
pub struct PlatMock {
    shared: Arc<Shared>,
    server: MockServer,
    app_path: String,
    keycloak_prefix: String,
}

handle_methods!(PlatMock(PlatMockBuilder), app_path);

impl PlatMock {
    /// The document's `{applicationPath}`: [`PlatMock::base_url`] plus the application path, such as
    /// `http://127.0.0.1:49152/cloudEHR`.
    pub fn app_url(&self) -> String {
        self.server.url(&self.app_path)
    }

    /// The application path, normalized: `/cloudEHR` by default, `""` at the root.
    pub fn app_path(&self) -> &str {
        &self.app_path
    }

    /// The Keycloak base the clients configure: [`PlatMock::base_url`] plus the Keycloak prefix; the realms are
    /// under `{keycloak_url}/realms/{organization_id}/protocol/openid-connect/`.
    pub fn keycloak_url(&self) -> String {
        self.server.url(&self.keycloak_prefix)
    }

    /// Makes realm `realm` log `actor` in at the authorisation endpoint. Defaults: `1310000001` [`Actor::demo`],
    /// `1320000002` [`Actor::other_organization`], `0000000000` [`Actor::patient`].
    pub fn keycloak_user(&self, realm: &str, actor: Actor) {
        self.shared.keycloak().users.insert(realm.to_owned(), actor);
    }

    /// Every access token the Keycloak routes issued stops working at once: the next API call is 401 until the
    /// client refreshes. Tests use this instead of waiting for `expires_in`.
    pub fn expire_access_tokens(&self) {
        self.shared.keycloak().expire_access_tokens();
    }

    /// Every refresh token stops working (`invalid_grant` on refresh).
    pub fn revoke_refresh_tokens(&self) {
        self.shared.keycloak().revoke_refresh_tokens();
    }

    /// Makes a later API request answer `{"errorCode": code, "errorMessage": message}`. `message` defaults to the
    /// mock's message for `code` ([`messages::MESSAGES`]), or is left out for a code it does not know; `status`
    /// defaults to 400 for PLAT400, 403 for PLAT403 and 500 otherwise, and must be 400 to 599. Failures queue up:
    /// each authenticated API request takes the oldest one before its body is read.
    pub fn fail_next(
        &self,
        code: &str,
        message: Option<&str>,
        status: Option<u16>,
    ) -> Result<(), ControlError> {
        let failure = Business::new(code, message, status)?;
        self.shared.harness.push_api(failure);
        Ok(())
    }

    /// Stores a whole permission group, shaped like the API's answer (`permissionGroup`, `permissionApproval`,
    /// `permissionComment`); dates as ISO 8601 without a zone (`2021-10-07T19:51:02`, JST) or in any
    /// [`DateStyle`]. A group with the same `permissionGroupId` is replaced. Approval ids must not belong to another
    /// group. Returns the group id.
    pub fn insert_group(&self, group: Value) -> Result<String, ControlError> {
        self.shared.insert(&group)
    }

    /// Every stored group as the API would answer it, in insertion order (the `GET /__mock/plat/store` body).
    pub fn store(&self) -> Value {
        self.shared.dump()
    }

    /// One stored group as the API would answer it, or `None`.
    pub fn group(&self, permission_group_id: &str) -> Option<Value> {
        let inner = self.shared.lock();
        let style = inner.date_style;
        let entries = inner.store.entries().iter();
        entries
            .filter(|e| e.group.id == permission_group_id)
            .map(|e| store::render(e, style))
            .next()
    }

    /// Deletes every stored group.
    pub fn clear(&self) {
        self.shared.lock().store.clear();
    }

    /// Changes how dates are written from the next answer on.
    pub fn set_date_style(&self, style: DateStyle) {
        self.shared.lock().date_style = style;
    }

    /// Stops the server gracefully and waits until it has stopped.
    pub async fn shutdown(self) -> io::Result<()> {
        self.server.shutdown().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builder_does_not_show_tokens() {
        let builder = PlatMock::builder().token("s3cret-token", Actor::demo());
        let shown = format!("{builder:?}");
        assert!(shown.contains("1310000001"), "{shown}");
        assert!(!shown.contains("s3cret-token"), "{shown}");
    }

    #[test]
    fn failures_default_their_status_and_message() {
        let failure = Business::new("PLAT403", None, None);
        assert!(matches!(
            failure,
            Ok(Business { ref code, ref message, status })
                if code == "PLAT403"
                    && message.as_deref() == messages::message_for("PLAT403")
                    && status == StatusCode::FORBIDDEN
        ));
        let unknown = Business::new("PLAT999", None, Some(503));
        assert!(matches!(
            unknown,
            Ok(Business { message: None, status, .. }) if status.as_u16() == 503
        ));
        assert_eq!(
            Business::new("PLAT500", None, Some(200)).map(|_| ()),
            Err(ControlError::StatusOutOfRange(200))
        );
    }
}
