//! Control routes under `/__mock/hiyari/`, for test suites that run the mock in another process. They need no
//! authentication, which is why the mock listens on loopback by default.
//!
//! | Route | Body | Answer |
//! |---|---|---|
//! | `POST /__mock/hiyari/error-next` | `{"message":"…"}` | 204 |
//! | `POST /__mock/hiyari/http-status-next` | `{"status":500}` (400-599) | 204 |
//! | `POST /__mock/hiyari/raw-next` | the bytes to answer; its `Content-Type` is answered too | 204 |
//! | `POST /__mock/hiyari/fault` | a [`Fault`](crate::Fault) in its JSON form, or an array of them | 204 |
//! | `POST /__mock/hiyari/change` | a [`DataChange`](super::DataChange) in its JSON form, optionally with `"before_request":N` (synthetic data set only) | 204 |
//! | `GET /__mock/hiyari/requests` | | 200 `{"count":N}`, the API requests so far |
//! | `GET /__mock/hiyari/last-request` | | 200 `{"method":…,"path":…,"raw_query":…,"params":[[name,value],…]}` or `null` |
//!
//! A malformed control request is answered 400 with `{"error":"<what is wrong>"}`.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::handler::empty;
use super::{Injected, Shared};
use crate::fault::faults_from_json;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/__mock/hiyari/error-next",
            post(error_next).fallback(method_not_allowed),
        )
        .route(
            "/__mock/hiyari/http-status-next",
            post(http_status_next).fallback(method_not_allowed),
        )
        .route(
            "/__mock/hiyari/raw-next",
            post(raw_next).fallback(method_not_allowed),
        )
        .route(
            "/__mock/hiyari/fault",
            post(push_faults).fallback(method_not_allowed),
        )
        .route(
            "/__mock/hiyari/change",
            post(change).fallback(method_not_allowed),
        )
        .route(
            "/__mock/hiyari/requests",
            get(request_count).fallback(method_not_allowed),
        )
        .route(
            "/__mock/hiyari/last-request",
            get(last_request).fallback(method_not_allowed),
        )
}

async fn error_next(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let request = match parse_object(&body) {
        Ok(request) => request,
        Err(reason) => return bad_request(&reason),
    };
    let Some(message) = request.get("message").and_then(Value::as_str) else {
        return bad_request("`message` must be a string");
    };
    match Injected::error(message) {
        Ok(fault) => {
            shared.lock().faults.push_back(fault);
            no_content()
        }
        Err(error) => bad_request(&error.to_string()),
    }
}

async fn http_status_next(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let request = match parse_object(&body) {
        Ok(request) => request,
        Err(reason) => return bad_request(&reason),
    };
    let status = request.get("status").and_then(Value::as_u64).unwrap_or(0);
    match Injected::status(u16::try_from(status).unwrap_or(0)) {
        Ok(fault) => {
            shared.lock().faults.push_back(fault);
            no_content()
        }
        Err(_) => bad_request("`status` must be an HTTP status from 400 to 599"),
    }
}

async fn raw_next(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("text/xml; charset=Shift_JIS")
        .to_owned();
    shared.lock().faults.push_back(Injected::Raw {
        body: body.to_vec(),
        content_type,
    });
    no_content()
}

async fn push_faults(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    match faults_from_json(&body) {
        Ok(faults) => {
            let mut inner = shared.lock();
            inner.faults.extend(faults.into_iter().map(Injected::Wire));
            no_content()
        }
        Err(reason) => bad_request(&reason),
    }
}

async fn change(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let mut request = match parse_object(&body) {
        Ok(request) => request,
        Err(reason) => return bad_request(&reason),
    };
    let before = match request.remove("before_request") {
        None => None,
        Some(n) => match n.as_u64() {
            Some(n) => Some(n),
            None => return bad_request("`before_request` must be a number"),
        },
    };
    let change: super::DataChange = match serde_json::from_value(Value::Object(request)) {
        Ok(change) => change,
        Err(e) => return bad_request(&format!("not a data change: {e}")),
    };
    let Some(size) = &shared.synthetic else {
        return bad_request("data changes need a mock built with the synthetic data set");
    };
    let mut inner = shared.lock();
    match before {
        Some(n) => inner.changes.schedule(n, change),
        None => {
            if let Err(reason) = inner.changes.apply(size, &change) {
                return bad_request(&reason);
            }
        }
    }
    no_content()
}

async fn request_count(State(shared): State<Arc<Shared>>) -> Response {
    let count = shared.requests.load(Ordering::Relaxed);
    json_response(StatusCode::OK, &json!({ "count": count }))
}

async fn last_request(State(shared): State<Arc<Shared>>) -> Response {
    let recorded = shared.lock().last_request.clone();
    let value = match recorded {
        None => Value::Null,
        Some(request) => json!({
            "method": request.method,
            "path": request.path,
            "raw_query": request.raw_query,
            "params": request.params.iter().map(|(n, v)| json!([n, v])).collect::<Vec<_>>(),
        }),
    };
    json_response(StatusCode::OK, &value)
}

async fn method_not_allowed() -> Response {
    empty(StatusCode::METHOD_NOT_ALLOWED)
}

fn parse_object(body: &[u8]) -> Result<serde_json::Map<String, Value>, String> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err("body must be a JSON object".to_owned()),
        Err(error) => Err(format!("body is not JSON: {error}")),
    }
}

fn json_response(status: StatusCode, value: &Value) -> Response {
    let bytes = serde_json::to_vec(value).unwrap_or_default();
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    let content_type = HeaderValue::from_static("application/json");
    response.headers_mut().insert(CONTENT_TYPE, content_type);
    response
}

fn no_content() -> Response {
    let mut response = Response::default();
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
}

fn bad_request(reason: &str) -> Response {
    json_response(StatusCode::BAD_REQUEST, &json!({ "error": reason }))
}
