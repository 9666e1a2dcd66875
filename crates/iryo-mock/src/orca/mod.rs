//! A mock of ORCA's `POST /api01rv2/pusheventgetv2` (PUSH通知一括取得): see the crate docs for the wire
//! behaviour, the fixtures and the control routes.

mod auth;
mod builder;
mod control;
mod faults;
mod fixtures;
mod handler;
pub mod live;
pub mod messages;
mod store;
mod tenants;
mod validate;

use std::collections::BTreeSet;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::post;
use chrono::{DateTime, FixedOffset};
use serde_json::Value;

pub use store::Clock;

use crate::fault::Fault;
use crate::harness::{Harness, builder_methods, handle_methods, impl_api, lock, setters};
use crate::server::{MockServer, StopSwitch};
use auth::Account;
pub use builder::OrcaMockBuilder;
use store::Store;

/// A misuse of the mock's own control API (not an ORCA error).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ControlError {
    /// A notification to store must be a JSON object.
    #[error("a notification must be a JSON object")]
    NotAnObject,
    /// A notification to store needs a string `uuid`, its primary key.
    #[error("a notification needs a string `uuid`")]
    MissingUuid,
    /// A notification's `time` must read like `2018-01-24T16:02:53+0900` (or with `+09:00`).
    #[error("a notification needs a `time` like 2018-01-24T16:02:53+0900, got {0:?}")]
    BadTime(String),
    /// An injected HTTP status must be an error status, 400 to 599.
    #[error("an injected HTTP status must be between 400 and 599, got {0}")]
    StatusOutOfRange(u16),
    /// A tenant id is 1 to 20 ASCII digits (the `X-GINBEE-TENANT-ID` the pusher accepts).
    #[error("a tenant id must be 1 to 20 ASCII digits, got {0:?}")]
    BadTenant(String),
    /// The mock holds at most this many tenants.
    #[error("the mock holds at most {0} tenants")]
    TooManyTenants(usize),
}

/// ORCA's own failure, queued with the faults: a business error answered with HTTP 200.
#[derive(Debug)]
pub(crate) struct Business {
    code: String,
    message: String,
}

impl Business {
    fn new(code: &str, message: Option<&str>) -> Self {
        let message = message
            .or_else(|| messages::message_for(code))
            .unwrap_or_default();
        Business {
            code: code.to_owned(),
            message: message.to_owned(),
        }
    }
}

/// State shared by the handlers and the [`OrcaMock`] handle.
pub(crate) struct Shared {
    accounts: Vec<Account>,
    /// ORCA operator IDs known besides the accounts and the users of stored notifications (for 0099).
    operators: BTreeSet<String>,
    /// Failures queued for the API, its request counter (authenticated or not), the stop signal.
    harness: Harness<Business>,
    inner: Mutex<Inner>,
    live: live::Hub,
    /// Further tenants, selected by `X-GINBEE-TENANT-ID` (empty in a tenant's own state).
    tenants: Mutex<tenants::Tenants>,
}

struct Inner {
    store: Store,
    clock: Clock,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        lock(&self.inner)
    }

    fn tenants(&self) -> MutexGuard<'_, tenants::Tenants> {
        lock(&self.tenants)
    }

    /// A tenant's own state: one account, an empty store, the same clock and operators.
    fn new_tenant(&self, user: &str, password: &str) -> Shared {
        let clock = self.lock().clock.clone();
        Shared {
            accounts: vec![Account::new(user, password)],
            operators: self.operators.clone(),
            harness: Harness::new(self.harness.stopping().clone()),
            inner: Mutex::new(Inner {
                store: Store::new(),
                clock,
            }),
            live: live::Hub::with_capacity(live::TENANT_CHANNEL_CAPACITY),
            tenants: Mutex::default(),
        }
    }
}

impl_api!(Shared: "orca", Business, faults::OrcaWire, {
    /// Control requests honour `X-GINBEE-TENANT-ID`.
    fn select(self: &Arc<Self>, headers: &HeaderMap) -> Arc<Self> {
        tenants::select(self, headers)
    }
});

fn router(shared: Arc<Shared>) -> Router {
    let api = post(handler::pusheventgetv2).fallback(handler::method_not_allowed);
    Router::new()
        .route("/api01rv2/pusheventgetv2", api.clone())
        .route("/api/api01rv2/pusheventgetv2", api)
        .route("/ws", live::ws_route(live::Port::Api))
        .merge(control::routes())
        .merge(live::routes())
        .merge(tenants::routes())
        .fallback(handler::not_found)
        .layer(axum::middleware::map_response(handler::add_server_header))
        .with_state(shared)
}

/// The pusher's own port (日レセ style): only `/ws`, with the tenant header required.
fn pusher_router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/ws", live::ws_route(live::Port::Pusher))
        .fallback(handler::not_found)
        .with_state(shared)
}

/// A running ORCA mock. Dropping it shuts the server down; every method acts on the live server, so a test can
/// change the store or queue failures between requests.
pub struct OrcaMock {
    shared: Arc<Shared>,
    server: MockServer,
    pusher: Option<MockServer>,
}

handle_methods!(OrcaMock(OrcaMockBuilder));

impl OrcaMock {
    /// The PUSH通知 socket on the API port (WebORCA style), such as `ws://127.0.0.1:49152/ws`.
    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws", self.server.addr())
    }

    /// The socket on the pusher's own port (日レセ style), when [`OrcaMockBuilder::pusher`] asked for one.
    pub fn pusher_url(&self) -> Option<String> {
        self.pusher
            .as_ref()
            .map(|p| format!("ws://{}/ws", p.addr()))
    }

    /// The live side: raise notifications, run the generator, inject socket faults.
    pub fn live(&self) -> live::LiveControl {
        live::LiveControl {
            shared: self.shared.clone(),
        }
    }

    /// Registers tenant `id` (1 to 20 ASCII digits; replaces a tenant with the same id): requests whose
    /// `X-GINBEE-TENANT-ID` names it use its own store, account `user` / `password`, faults and live
    /// sockets. Requests without the header (or naming no registered tenant) keep using the default.
    pub fn add_tenant(&self, id: &str, user: &str, password: &str) -> Result<(), ControlError> {
        tenants::add(&self.shared, id, user, password).map(|_| ())
    }

    /// The live side of tenant `id` (raise for it alone, fail its sockets alone), if registered.
    pub fn tenant_live(&self, id: &str) -> Option<live::LiveControl> {
        let shared = self.shared.tenants().get(id).cloned()?;
        Some(live::LiveControl { shared })
    }

    /// Every notification stored for tenant `id`, as [`OrcaMock::events`] lists them, if registered.
    pub fn tenant_events(&self, id: &str) -> Option<Vec<Value>> {
        let shared = self.shared.tenants().get(id).cloned()?;
        let events = shared.lock().store.all();
        Some(events)
    }

    /// Makes a later API request answer the business error `code` with HTTP 200. `message` defaults to the
    /// document's message for `code` (the first of the six for `0089`; empty for a code the document does not
    /// list). Failures queue up: each authenticated API request takes the oldest one, whatever its body.
    pub fn fail_next(&self, code: &str, message: Option<&str>) {
        self.shared.harness.push_api(Business::new(code, message));
    }

    /// Records a notification as ORCA would send it: a fresh v4 `uuid`, the next `id`, and `time` written in
    /// JST as `2018-01-24T16:02:53+0900` (whole seconds). Retention runs first. Returns the uuid.
    pub fn push(
        &self,
        event: &str,
        user: &str,
        body: Value,
        time: DateTime<FixedOffset>,
    ) -> String {
        let mut inner = self.shared.lock();
        let now = inner.clock.now();
        let data = inner.store.push(event, user, body, time, now);
        data["uuid"].as_str().unwrap_or_default().to_owned()
    }

    /// Stores a whole notification exactly as given (any keys, any `event`, any `id`; the id counter is not
    /// touched). It needs a string `uuid`, which replaces a stored notification with the same uuid, and a
    /// `time` with an offset. Retention runs first. Returns the uuid.
    pub fn insert_raw(&self, data: Value) -> Result<String, ControlError> {
        let mut inner = self.shared.lock();
        let now = inner.clock.now();
        inner.store.insert(data, now)
    }

    /// Stores `data` verbatim, listed as if sent at `at`: no key is required or checked (a row
    /// without `uuid`, a `time` of any type), as a broken or hostile server may hold one.
    pub fn insert_verbatim(&self, data: Value, at: DateTime<FixedOffset>) -> String {
        let mut inner = self.shared.lock();
        let now = inner.clock.now();
        inner.store.insert_verbatim(data, at, now)
    }

    /// Every stored notification, oldest first (ties in insertion order), as the API would list them.
    pub fn events(&self) -> Vec<Value> {
        self.shared.lock().store.all()
    }

    /// Deletes every stored notification (the id counter is kept).
    pub fn clear(&self) {
        self.shared.lock().store.clear();
    }

    /// Sets the `id` the next [`OrcaMock::push`] uses; 0 counts as 1. After 65535 the counter wraps to 1.
    pub fn set_next_id(&self, id: u16) {
        self.shared.lock().store.set_next_id(id);
    }

    /// Replaces the clock that retention reads.
    pub fn set_clock(&self, clock: Clock) {
        self.shared.lock().clock = clock;
    }

    /// The mock's current time.
    pub fn now(&self) -> DateTime<FixedOffset> {
        self.shared.lock().clock.now()
    }

    /// Stops the server gracefully and waits until it has stopped.
    pub async fn shutdown(self) -> io::Result<()> {
        self.shared.live.generator.stop();
        let tenants: Vec<Arc<Shared>> = self.shared.tenants().values().cloned().collect();
        for tenant in tenants {
            tenant.live.generator.stop();
        }
        if let Some(pusher) = self.pusher {
            pusher.shutdown().await?;
        }
        self.server.shutdown().await
    }
}
