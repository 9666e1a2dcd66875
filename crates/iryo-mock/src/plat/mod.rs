//! A mock of PLAneTs (PLAT) PRV_ROL_010 【削除】付与済みの権限（医療機関用）,
//! `PUT {applicationPath}/providers/permission/delete/{permissionApprovalId}`, and its patient twin PTP_ROL_010
//! under `/participants/`: see the crate docs for the wire behaviour, the fixtures and the control routes.

mod api;
mod auth;
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

use std::collections::VecDeque;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;

pub use auth::{Actor, DEMO_TOKEN, OTHER_ORG_TOKEN};
pub use dates::DateStyle;
pub use keycloak::PUBLIC_CLIENT;

use crate::fault::Fault;
use crate::server::{MockServer, StopSwitch, Stopping};
use auth::Tokens;
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

/// A failure queued for the next API request: a PLAT error, or a [`Fault`] of the wire.
#[derive(Debug)]
enum Injected {
    Business {
        code: String,
        message: Option<String>,
        status: StatusCode,
    },
    Wire(Fault),
}

impl Injected {
    fn business(
        code: &str,
        message: Option<&str>,
        status: Option<u16>,
    ) -> Result<Self, ControlError> {
        let status = error_status(status.unwrap_or_else(|| messages::status_for(code)))?;
        let message = message.or_else(|| messages::message_for(code));
        Ok(Injected::Business {
            code: code.to_owned(),
            message: message.map(str::to_owned),
            status,
        })
    }

    /// [`PlatMock::http_status_next`]: an empty-bodied error status.
    fn status(status: u16) -> Result<Self, ControlError> {
        error_status(status).map(|s| Injected::Wire(Fault::Status(s.as_u16())))
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
    /// API requests received, authenticated or not.
    requests: AtomicU64,
    stopping: Stopping,
    inner: Mutex<Inner>,
    keycloak: Mutex<Keycloak>,
}

struct Inner {
    store: Store,
    faults: VecDeque<Injected>,
    date_style: DateStyle,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic elsewhere cannot leave the store half-written, so a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn keycloak(&self) -> MutexGuard<'_, Keycloak> {
        self.keycloak.lock().unwrap_or_else(PoisonError::into_inner)
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

fn router(shared: Arc<Shared>, app_path: &str, keycloak_prefix: &str) -> Router {
    Router::new()
        .merge(api::routes(app_path))
        .merge(keycloak::routes(keycloak_prefix))
        .merge(control::routes())
        .fallback(handler::not_found)
        .with_state(shared)
}

/// `""` (serve at the root) or `/seg/seg` with segments of ASCII letters, digits, `-`, `.`, `_`, `~`; a trailing
/// slash is dropped and a missing leading one added.
fn normalize_app_path(path: &str) -> Option<String> {
    let trimmed = path.trim_matches('/');
    if trimmed.is_empty() {
        return Some(String::new());
    }
    let segment_ok = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
    };
    trimmed
        .split('/')
        .all(segment_ok)
        .then(|| format!("/{trimmed}"))
}

/// Configures a [`PlatMock`]; start from [`PlatMock::builder`].
#[derive(Debug)]
pub struct PlatMockBuilder {
    tokens: Tokens,
    app_path: String,
    date_style: DateStyle,
    fixtures: bool,
    bind: SocketAddr,
    keycloak_prefix: String,
    access_lifetime: Duration,
    rotate_refresh_tokens: bool,
}

impl Default for PlatMockBuilder {
    fn default() -> Self {
        PlatMockBuilder {
            tokens: Tokens::default(),
            app_path: DEFAULT_APP_PATH.to_owned(),
            date_style: DateStyle::default(),
            fixtures: true,
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            keycloak_prefix: String::new(),
            access_lifetime: Duration::from_secs(300),
            rotate_refresh_tokens: false,
        }
    }
}

impl PlatMockBuilder {
    /// Accepts `Authorization: Bearer <token>` as `actor`. Without any call, the tokens are [`DEMO_TOKEN`]
    /// ([`Actor::demo`]) and [`OTHER_ORG_TOKEN`] ([`Actor::other_organization`]); the first call replaces both,
    /// further calls add tokens, and a repeated token takes the last actor.
    pub fn token(mut self, token: impl Into<String>, actor: Actor) -> Self {
        self.tokens.insert(token.into(), actor);
        self
    }

    /// The `{applicationPath}` the API routes live under. Default [`DEFAULT_APP_PATH`] (`/cloudEHR`); `""` or
    /// `/` serves them at the root. [`PlatMockBuilder::spawn`] refuses a path with characters other than ASCII
    /// letters, digits, `-`, `.`, `_`, `~` and `/`.
    pub fn app_path(mut self, path: impl Into<String>) -> Self {
        self.app_path = path.into();
        self
    }

    /// How dates are written. Default [`DateStyle::Java9`], as in the document's samples.
    pub fn date_style(mut self, style: DateStyle) -> Self {
        self.date_style = style;
        self
    }

    /// Whether to start with the built-in fixtures (default `true`); `false` starts with an empty store.
    pub fn fixtures(mut self, load: bool) -> Self {
        self.fixtures = load;
        self
    }

    /// The address to listen on. Default `127.0.0.1:0` (loopback, a free port). The control routes need no
    /// authentication, so only bind beyond loopback on a network you trust.
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }

    /// The path the Keycloak routes live under: `""` (default, `/realms/...` as on main) or `/auth` (Keycloak before
    /// 17, as in the Postman collection). Same character rules as [`PlatMockBuilder::app_path`].
    pub fn keycloak_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.keycloak_prefix = prefix.into();
        self
    }

    /// How long access tokens from the Keycloak routes live (default 300 s; answered as `expires_in`).
    pub fn access_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.access_lifetime = lifetime;
        self
    }

    /// Whether a refresh token works only once, as with Keycloak's "Revoke Refresh Token" (default `false`): each
    /// refresh answers a new refresh token and the one used answers `invalid_grant` from then on.
    pub fn rotate_refresh_tokens(mut self, rotate: bool) -> Self {
        self.rotate_refresh_tokens = rotate;
        self
    }

    /// Starts the server on the current tokio runtime. Fails if the application path is not acceptable or the
    /// address cannot be bound.
    pub async fn spawn(self) -> io::Result<PlatMock> {
        let app_path = normalize_app_path(&self.app_path).ok_or_else(|| {
            let reason = format!("unusable application path {:?}", self.app_path);
            io::Error::new(io::ErrorKind::InvalidInput, reason)
        })?;
        let keycloak_prefix = normalize_app_path(&self.keycloak_prefix).ok_or_else(|| {
            let reason = format!("unusable Keycloak prefix {:?}", self.keycloak_prefix);
            io::Error::new(io::ErrorKind::InvalidInput, reason)
        })?;
        let tokens = if self.tokens.is_empty() {
            Tokens::defaults()
        } else {
            self.tokens
        };
        let mut store = Store::default();
        if self.fixtures {
            fixtures::load(&mut store)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        }
        let inner = Inner {
            store,
            faults: VecDeque::new(),
            date_style: self.date_style,
        };
        let mut keycloak = Keycloak::new(self.access_lifetime);
        keycloak.rotate_refresh_tokens = self.rotate_refresh_tokens;
        let switch = StopSwitch::new();
        let shared = Arc::new(Shared {
            tokens,
            requests: AtomicU64::new(0),
            stopping: switch.stopping(),
            inner: Mutex::new(inner),
            keycloak: Mutex::new(keycloak),
        });
        let router = router(shared.clone(), &app_path, &keycloak_prefix);
        let server = MockServer::spawn(router, self.bind, switch).await?;
        tracing::info!(addr = %server.addr(), app_path, "PLAT mock listening");
        Ok(PlatMock {
            shared,
            server,
            app_path,
            keycloak_prefix,
        })
    }
}

/// A running PLAT mock. Dropping it shuts the server down; every method acts on the live server, so a test can
/// change the store or queue failures between requests.
pub struct PlatMock {
    shared: Arc<Shared>,
    server: MockServer,
    app_path: String,
    keycloak_prefix: String,
}

impl std::fmt::Debug for PlatMock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlatMock")
            .field("addr", &self.server.addr())
            .field("app_path", &self.app_path)
            .finish_non_exhaustive()
    }
}

impl PlatMock {
    /// A builder with the defaults: fixtures loaded, tokens `demo-token` and `other-org-token`, application path
    /// `/cloudEHR`, Java 9 dates, listening on `127.0.0.1` at a free port.
    pub fn builder() -> PlatMockBuilder {
        PlatMockBuilder::default()
    }

    /// The server's root, such as `http://127.0.0.1:49152`, without a trailing slash.
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// The document's `{applicationPath}`: [`PlatMock::base_url`] plus the application path, such as
    /// `http://127.0.0.1:49152/cloudEHR`.
    pub fn app_url(&self) -> String {
        format!("{}{}", self.server.base_url(), self.app_path)
    }

    /// The application path, normalized: `/cloudEHR` by default, `""` at the root.
    pub fn app_path(&self) -> &str {
        &self.app_path
    }

    /// The Keycloak base the clients configure: [`PlatMock::base_url`] plus the Keycloak prefix; the realms are
    /// under `{keycloak_url}/realms/{organization_id}/protocol/openid-connect/`.
    pub fn keycloak_url(&self) -> String {
        format!("{}{}", self.server.base_url(), self.keycloak_prefix)
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

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
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
        let fault = Injected::business(code, message, status)?;
        self.shared.lock().faults.push_back(fault);
        Ok(())
    }

    /// Makes a later API request answer `status` (400 to 599) with an empty body: [`Fault::Status`], refusing
    /// statuses below 400. Shares the queue of [`PlatMock::fail_next`].
    pub fn http_status_next(&self, status: u16) -> Result<(), ControlError> {
        let fault = Injected::status(status)?;
        self.shared.lock().faults.push_back(fault);
        Ok(())
    }

    /// Queues a fault of the wire for a later API request; it shares the queue of [`PlatMock::fail_next`], so
    /// each API request that passes the token check takes the oldest entry. See [`Fault`] for what each one
    /// answers.
    ///
    /// # Panics
    ///
    /// If [`Fault::check`] refuses the fault (a status outside 200-599, an oversized answer over 512 MiB).
    #[track_caller]
    pub fn push_fault(&self, fault: Fault) {
        let fault = fault.checked();
        self.shared.lock().faults.push_back(Injected::Wire(fault));
    }

    /// Queues several faults, in order, as [`PlatMock::push_fault`] does (and panics on the same faults, before
    /// queueing any).
    #[track_caller]
    pub fn push_faults(&self, faults: impl IntoIterator<Item = Fault>) {
        let mut checked = Vec::new();
        for fault in faults {
            checked.push(fault.checked());
        }
        let mut inner = self.shared.lock();
        inner.faults.extend(checked.into_iter().map(Injected::Wire));
    }

    /// How many API requests (`PUT` on an API path) arrived so far, whether or not their token was accepted,
    /// failed or answered; control routes, 404 and 405 do not count. A retrying client shows here.
    pub fn request_count(&self) -> u64 {
        self.shared.requests.load(Ordering::Relaxed)
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
    fn application_paths_are_normalized_or_refused() {
        let normalized = |p: &str| normalize_app_path(p);
        assert_eq!(normalized("/cloudEHR"), Some("/cloudEHR".to_owned()));
        assert_eq!(normalized("cloudEHR/"), Some("/cloudEHR".to_owned()));
        assert_eq!(normalized("/a/b-c.d_e~f"), Some("/a/b-c.d_e~f".to_owned()));
        assert_eq!(normalized("/"), Some(String::new()));
        assert_eq!(normalized(""), Some(String::new()));
        assert_eq!(normalized("/a//b"), None);
        assert_eq!(normalized("/{id}"), None);
        assert_eq!(normalized("/a b"), None);
        assert_eq!(normalized("/*rest"), None);
    }

    #[test]
    fn the_builder_does_not_show_tokens() {
        let builder = PlatMock::builder().token("s3cret-token", Actor::demo());
        let shown = format!("{builder:?}");
        assert!(shown.contains("1310000001"), "{shown}");
        assert!(!shown.contains("s3cret-token"), "{shown}");
    }

    #[test]
    fn faults_default_their_status_and_message() {
        let fault = Injected::business("PLAT403", None, None);
        assert!(matches!(
            fault,
            Ok(Injected::Business { ref code, ref message, status })
                if code == "PLAT403"
                    && message.as_deref() == messages::message_for("PLAT403")
                    && status == StatusCode::FORBIDDEN
        ));
        let unknown = Injected::business("PLAT999", None, Some(503));
        assert!(matches!(
            unknown,
            Ok(Injected::Business { message: None, status, .. }) if status.as_u16() == 503
        ));
        assert_eq!(
            Injected::business("PLAT500", None, Some(200)).map(|_| ()),
            Err(ControlError::StatusOutOfRange(200))
        );
        assert_eq!(
            Injected::status(600).map(|_| ()),
            Err(ControlError::StatusOutOfRange(600))
        );
    }
}
