//! Control routes under `/__mock/orca/`, for test suites that run the mock in another process: the harness's
//! (see `crate::harness`) and ORCA's own. They need no authentication, which is why the mock listens on
//! loopback by default.
//!
//! | Route | Body | Answer |
//! |---|---|---|
//! | `POST /__mock/orca/fail-next` | `{"code":"0089","message":"…"}` (message optional) | 204 |
//! | `POST /__mock/orca/http-status-next` | `{"status":500}` (400-599) | 204 |
//! | `POST /__mock/orca/fault` | a [`Fault`](crate::Fault) in its JSON form, or an array of them | 204 |
//! | `GET /__mock/orca/requests` | | 200 `{"count":N}`, the API requests so far |
//! | `POST /__mock/orca/events` | a whole notification (`{"uuid":…,"time":…,…}`) | 201 `{"uuid":…}` |
//! | `GET /__mock/orca/events` | | 200, every stored notification, in answer order |
//! | `DELETE /__mock/orca/events` | | 204, the store is emptied |
//!
//! A malformed control request is answered 400 with `{"error":"<what is wrong>"}`.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Map, Value, json};

use super::tenants::Tenant;
use super::{Business, Shared};
use crate::harness::{
    self, Control, control_route, json_response, no_content, optional_text, parse_json,
    required_text,
};

/// The shared control routes (`fault`, `http-status-next`, `requests`, `fail-next`) and ORCA's own.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    harness::routes::<Shared>("fail-next", failure).merge(control_route(
        "events",
        get(list_events).post(insert_event).delete(clear_events),
    ))
}

/// `fail-next`'s `{"code":"0089","message":"…"}`.
fn failure(request: &Map<String, Value>) -> Result<Business, String> {
    let code = required_text(request, "code", "a string, e.g. \"0089\"")?;
    Ok(Business::new(code, optional_text(request, "message")?))
}

async fn insert_event(Tenant(shared): Tenant, body: Bytes) -> Control {
    let data = parse_json(&body)?;
    let mut inner = shared.lock();
    let now = inner.clock.now();
    let uuid = inner.store.insert(data, now)?;
    Ok(json_response(StatusCode::CREATED, &json!({ "uuid": uuid })))
}
async fn list_events(Tenant(shared): Tenant) -> Response {
    json_response(StatusCode::OK, &Value::Array(shared.lock().store.all()))
}

async fn clear_events(Tenant(shared): Tenant) -> Response {
    shared.lock().store.clear();
    no_content()
}
