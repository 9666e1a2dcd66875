//! Controls of the live side: a library handle ([`LiveControl`]) and routes under `/__mock/orca/live/`.
//!
//! | Route | Body | Answer |
//! |---|---|---|
//! | `POST /__mock/orca/live/raise` | `{"event":"patient_accept","user":"ormaster","body":{…}}` (user, body optional) or `{"data":{…}}` (a whole notification) | 201 `{"uuid":…}` |
//! | `POST /__mock/orca/live/generator` | `{"per_second":100,"event":"patient_accept"}`; 0 stops it | 204 |
//! | `POST /__mock/orca/live/fault` | `{"kind":"drop"}`, `{"kind":"half-open"}`, `{"kind":"refuse-upgrade","status":401}`, `{"kind":"error-on-subscribe","code":"INTERNAL_ERROR"}`, `{"kind":"error-frame","code":"INTERNAL_ERROR"}`, `{"kind":"duplicate","count":1}`, `{"kind":"delay","ms":500}` | 204 |
//! | `GET /__mock/orca/live/stats` | | 200 `{"connections":N,"open":N,"subscriptions":N,"generated":N}` |

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::Push;
use crate::harness::{
    Control, control_route, json_response, no_content, parse_object, required_text,
};
use crate::orca::tenants::Tenant;
use crate::orca::{ControlError, Shared};

/// Stores a notification built the ORCA way (fresh uuid, next id, time = the mock's now) and pushes it live.
pub(crate) fn raise(shared: &Shared, event: &str, user: &str, body: Value) -> String {
    let mut inner = shared.lock();
    let now = inner.clock.now();
    let data = inner.store.push(event, user, body, now, now);
    shared.live.publish(&data);
    data["uuid"].as_str().unwrap_or_default().to_owned()
}

fn raise_data(shared: &Shared, data: Value) -> Result<String, ControlError> {
    let mut inner = shared.lock();
    let now = inner.clock.now();
    let uuid = inner.store.insert(data.clone(), now)?;
    shared.live.publish(&data);
    Ok(uuid)
}

/// The live side of a running [`OrcaMock`](crate::orca::OrcaMock): raise notifications, run the generator,
/// inject socket faults, read counters.
#[derive(Clone)]
pub struct LiveControl {
    pub(crate) shared: Arc<Shared>,
}

impl std::fmt::Debug for LiveControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveControl").finish_non_exhaustive()
    }
}

impl LiveControl {
    /// Raises a notification: stored for `pusheventgetv2` (fresh uuid, next id, `time` = the mock's clock)
    /// and pushed to every live subscription that wants `event`. Returns its uuid.
    pub fn raise(&self, event: &str, body: Value) -> String {
        raise(&self.shared, event, "ormaster", body)
    }

    /// Stores and pushes a whole notification as given (any event, any time; see
    /// [`OrcaMock::insert_raw`](crate::orca::OrcaMock::insert_raw)).
    pub fn raise_data(&self, data: Value) -> Result<String, ControlError> {
        raise_data(&self.shared, data)
    }

    /// Raises `per_second` notifications of `event` per second until [`LiveControl::stop_generator`]
    /// (or another start). Needs a tokio runtime.
    pub fn start_generator(&self, per_second: u32, event: &str) {
        let shared = self.shared.clone();
        self.shared
            .live
            .generator
            .start(shared, per_second, event.to_owned());
    }

    /// Stops the generator.
    pub fn stop_generator(&self) {
        self.shared.live.generator.stop();
    }

    /// How many notifications the generator raised so far.
    pub fn generated(&self) -> u64 {
        self.shared.live.generator.raised()
    }

    /// Closes every socket open now (abruptly, without a close frame).
    pub fn drop_sockets(&self) {
        self.shared.live.drops.send_modify(|n| *n += 1);
    }

    /// Makes every socket open now half-open: kept, but never read (no pong) nor written again.
    pub fn half_open(&self) {
        self.shared.live.hangs.send_modify(|n| *n += 1);
    }

    /// Refuses the next upgrade with `status` (401 carries `WWW-Authenticate`), with an empty body.
    pub fn refuse_next_upgrade(&self, status: u16) {
        self.shared.live.pending().refuse_upgrades.push_back(status);
    }

    /// Answers the next `subscribe` with an error frame of `code` instead of `subscribed`.
    pub fn error_on_next_subscribe(&self, code: &str, reason: &str) {
        let error = (code.to_owned(), reason.to_owned());
        self.shared.live.pending().subscribe_errors.push_back(error);
    }

    /// Sends an unsolicited error frame to every open socket.
    pub fn send_error_frame(&self, code: &str, reason: &str) {
        let _ = self.shared.live.sender.send(Push::Error {
            code: code.to_owned(),
            reason: reason.to_owned(),
        });
    }

    /// Pushes each of the next `count` notifications twice.
    pub fn duplicate_next(&self, count: u64) {
        self.shared.live.pending().duplicates += count;
    }

    /// Pushes later notifications `delay` after they are stored (zero: at once).
    pub fn delay(&self, delay: Duration) {
        self.shared.live.pending().delay = delay;
    }

    /// Pushes queued for the slowest live socket (the mock drops a socket that falls
    /// 65,536 behind): a producer that wants no drop waits while this is high.
    pub fn backlog(&self) -> usize {
        self.shared.live.sender.len()
    }

    /// Upgrades accepted so far.
    pub fn connections(&self) -> u64 {
        self.shared.live.counter(&self.shared.live.connections)
    }

    /// Sockets open now.
    pub fn open_sockets(&self) -> u64 {
        self.shared.live.counter(&self.shared.live.open)
    }

    /// Subscriptions active now, over every socket.
    pub fn subscriptions(&self) -> u64 {
        self.shared.live.counter(&self.shared.live.subscriptions)
    }
}

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .merge(control_route("live/raise", post(raise_route)))
        .merge(control_route("live/generator", post(generator_route)))
        .merge(control_route("live/fault", post(fault_route)))
        .merge(control_route("live/stats", get(stats_route)))
}

fn control(shared: &Arc<Shared>) -> LiveControl {
    LiveControl {
        shared: shared.clone(),
    }
}

async fn raise_route(Tenant(shared): Tenant, body: Bytes) -> Control {
    let request = parse_object(&body)?;
    let uuid = if let Some(data) = request.get("data") {
        raise_data(&shared, data.clone())?
    } else {
        let must = "a string (or give a whole notification as `data`)";
        let event = required_text(&request, "event", must)?;
        let user = request
            .get("user")
            .and_then(Value::as_str)
            .unwrap_or("ormaster");
        let body = request.get("body").cloned().unwrap_or_else(|| json!({}));
        raise(&shared, event, user, body)
    };
    Ok(json_response(StatusCode::CREATED, &json!({ "uuid": uuid })))
}

async fn generator_route(Tenant(shared): Tenant, body: Bytes) -> Control {
    let request = parse_object(&body)?;
    let Some(rate) = request.get("per_second").and_then(Value::as_u64) else {
        return Err("`per_second` must be a number (0 stops the generator)".into());
    };
    let Ok(rate @ 0..=1_000_000) = u32::try_from(rate) else {
        return Err("`per_second` must be at most 1000000".into());
    };
    let event = request
        .get("event")
        .and_then(Value::as_str)
        .unwrap_or("patient_accept");
    if rate == 0 {
        control(&shared).stop_generator();
    } else {
        control(&shared).start_generator(rate, event);
    }
    Ok(no_content())
}

async fn fault_route(Tenant(shared): Tenant, body: Bytes) -> Control {
    let request = parse_object(&body)?;
    let live = control(&shared);
    let text = |key: &str, default: &str| {
        request
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or(default)
            .to_owned()
    };
    let number = |key: &str| request.get(key).and_then(Value::as_u64);
    match request.get("kind").and_then(Value::as_str) {
        Some("drop") => live.drop_sockets(),
        Some("half-open") => live.half_open(),
        Some("refuse-upgrade") => match number("status").and_then(|s| u16::try_from(s).ok()) {
            Some(status @ 400..=599) => live.refuse_next_upgrade(status),
            _ => return Err("`status` must be an HTTP status from 400 to 599".into()),
        },
        Some("error-on-subscribe") => live
            .error_on_next_subscribe(&text("code", "INTERNAL_ERROR"), &text("reason", "injected")),
        Some("error-frame") => {
            live.send_error_frame(&text("code", "INTERNAL_ERROR"), &text("reason", "injected"))
        }
        Some("duplicate") => live.duplicate_next(number("count").unwrap_or(1)),
        Some("delay") => live.delay(Duration::from_millis(
            number("ms").unwrap_or(0).min(600_000),
        )),
        _ => {
            return Err("`kind` must be drop, half-open, refuse-upgrade, error-on-subscribe, error-frame, duplicate or delay".into());
        }
    }
    Ok(no_content())
}

async fn stats_route(Tenant(shared): Tenant) -> Response {
    let live = control(&shared);
    let stats = json!({
        "connections": live.connections(),
        "open": live.open_sockets(),
        "subscriptions": live.subscriptions(),
        "generated": live.generated(),
    });
    json_response(StatusCode::OK, &stats)
}
