//! Control routes under `/__mock/hiyari/`, for test suites that run the mock in another process: the
//! harness's (see `crate::harness`) and the service's own. They need no authentication, which is why the mock
//! listens on loopback by default.
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

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Map, Value, json};

use super::{Failure, Shared};
use crate::harness::{
    self, Control, control_route, json_response, no_content, parse_object, required_text,
};

/// The shared control routes (`fault`, `http-status-next`, `requests`, `error-next`) and the service's own.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    harness::routes::<Shared>("error-next", failure)
        .merge(control_route("raw-next", post(raw_next)))
        .merge(control_route("change", post(change)))
        .merge(control_route("last-request", get(last_request)))
}

/// `error-next`'s `{"message":"…"}`.
fn failure(request: &Map<String, Value>) -> Result<Failure, String> {
    let message = required_text(request, "message", "a string")?;
    Failure::error(message).map_err(|error| error.to_string())
}

async fn raw_next(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("text/xml; charset=Shift_JIS")
        .to_owned();
    shared.harness.push_api(Failure::Raw {
        body: body.to_vec(),
        content_type,
    });
    no_content()
}

async fn change(State(shared): State<Arc<Shared>>, body: Bytes) -> Control {
    let mut request = parse_object(&body)?;
    let before = match request.remove("before_request") {
        None => None,
        Some(n) => Some(n.as_u64().ok_or("`before_request` must be a number")?),
    };
    let change: super::DataChange = serde_json::from_value(Value::Object(request))
        .map_err(|e| format!("not a data change: {e}"))?;
    let Some(size) = &shared.synthetic else {
        return Err("data changes need a mock built with the synthetic data set".into());
    };
    let mut inner = shared.lock();
    match before {
        Some(n) => inner.changes.schedule(n, change),
        None => inner.changes.apply(size, &change)?,
    }
    Ok(no_content())
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
