//! Control routes under `/__mock/orca/`, for test suites that run the mock in another process. They need no
//! authentication, which is why the mock listens on loopback by default.
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
use std::sync::atomic::Ordering;

use axum::Router;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::handler::{json_response, method_not_allowed};
use super::tenants::Tenant;
use super::{Injected, Shared};
use crate::fault::{Fault, faults_from_json};

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/__mock/orca/fail-next",
            post(fail_next).fallback(method_not_allowed),
        )
        .route(
            "/__mock/orca/http-status-next",
            post(http_status_next).fallback(method_not_allowed),
        )
        .route(
            "/__mock/orca/fault",
            post(push_faults).fallback(method_not_allowed),
        )
        .route(
            "/__mock/orca/requests",
            get(request_count).fallback(method_not_allowed),
        )
        .route(
            "/__mock/orca/events",
            get(list_events)
                .post(insert_event)
                .delete(clear_events)
                .fallback(method_not_allowed),
        )
}

async fn fail_next(Tenant(shared): Tenant, body: Bytes) -> Response {
    let request = match parse_object(&body) {
        Ok(request) => request,
        Err(reason) => return bad_request(&reason),
    };
    let Some(code) = request.get("code").and_then(Value::as_str) else {
        return bad_request("`code` must be a string, e.g. \"0089\"");
    };
    let message = match request.get("message") {
        None | Some(Value::Null) => None,
        Some(Value::String(message)) => Some(message.as_str()),
        Some(_) => return bad_request("`message` must be a string"),
    };
    shared
        .lock()
        .faults
        .push_back(Injected::business(code, message));
    no_content()
}

async fn http_status_next(Tenant(shared): Tenant, body: Bytes) -> Response {
    let request = match parse_object(&body) {
        Ok(request) => request,
        Err(reason) => return bad_request(&reason),
    };
    let status = request.get("status").and_then(Value::as_u64).unwrap_or(0);
    match u16::try_from(status) {
        Ok(status @ 400..=599) => {
            let fault = Injected::Wire(Fault::Status(status));
            shared.lock().faults.push_back(fault);
            no_content()
        }
        _ => bad_request("`status` must be an HTTP status from 400 to 599"),
    }
}

async fn push_faults(Tenant(shared): Tenant, body: Bytes) -> Response {
    match faults_from_json(&body) {
        Ok(faults) => {
            let mut inner = shared.lock();
            inner.faults.extend(faults.into_iter().map(Injected::Wire));
            no_content()
        }
        Err(reason) => bad_request(&reason),
    }
}

async fn request_count(Tenant(shared): Tenant) -> Response {
    let count = shared.requests.load(Ordering::Relaxed);
    json_response(StatusCode::OK, &json!({ "count": count }))
}

async fn insert_event(Tenant(shared): Tenant, body: Bytes) -> Response {
    let data = match serde_json::from_slice::<Value>(&body) {
        Ok(data) => data,
        Err(error) => return bad_request(&format!("body is not JSON: {error}")),
    };
    let mut inner = shared.lock();
    let now = inner.clock.now();
    match inner.store.insert(data, now) {
        Ok(uuid) => json_response(StatusCode::CREATED, &json!({ "uuid": uuid })),
        Err(error) => bad_request(&error.to_string()),
    }
}

async fn list_events(Tenant(shared): Tenant) -> Response {
    json_response(StatusCode::OK, &Value::Array(shared.lock().store.all()))
}

async fn clear_events(Tenant(shared): Tenant) -> Response {
    shared.lock().store.clear();
    no_content()
}

fn parse_object(body: &[u8]) -> Result<serde_json::Map<String, Value>, String> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err("body must be a JSON object".to_owned()),
        Err(error) => Err(format!("body is not JSON: {error}")),
    }
}

fn no_content() -> Response {
    let mut response = Response::default();
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
}

fn bad_request(reason: &str) -> Response {
    json_response(StatusCode::BAD_REQUEST, &json!({ "error": reason }))
}
