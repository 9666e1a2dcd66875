//! The control routes every mock has under `/__mock/<api>/`, and the shapes of all control answers. They need
//! no authentication, which is why the mocks listen on loopback by default.
//!
//! | Route | Body | Answer |
//! |---|---|---|
//! | `POST /__mock/<api>/fail-next` (hiyari: `error-next`) | one of the API's own failures, in its JSON form | 204 |
//! | `POST /__mock/<api>/http-status-next` | `{"status":500}` (400-599) | 204 |
//! | `POST /__mock/<api>/fault` | a [`Fault`](crate::Fault) in its JSON form, or an array of them | 204 |
//! | `GET /__mock/<api>/requests` | | 200 `{"count":N}`, the API requests so far |
//!
//! A malformed control request is answered 400 with `{"error":"<what is wrong>"}`, another method 405 in the
//! API's own style.

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use serde_json::{Map, Value, json};

use super::Api;
use crate::fault::{Wire, faults_from_json};

/// How an API reads one of its own failures from a control request's JSON object, or says what is wrong.
pub(crate) type FailureFrom<A> = fn(&Map<String, Value>) -> Result<<A as Api>::Failure, String>;

/// The routes every mock shares, with `failure_route` (`fail-next`; hiyari's `error-next`) queueing the API's
/// own failures read by `failure_from`. Each API merges its own (its store) made with [`control_route`].
pub(crate) fn routes<A: Api>(failure_route: &str, failure_from: FailureFrom<A>) -> Router<Arc<A>> {
    let push_failure = move |State(root): State<Arc<A>>, headers: HeaderMap, body: Bytes| async move {
        let failure = failure_from(&parse_object(&body)?)?;
        root.select(&headers).harness().push_api(failure);
        Control::Ok(no_content())
    };
    Router::new()
        .merge(control_route(failure_route, post(push_failure)))
        .merge(control_route("fault", post(push_faults::<A>)))
        .merge(control_route(
            "http-status-next",
            post(http_status_next::<A>),
        ))
        .merge(control_route("requests", get(request_count::<A>)))
}

/// `/__mock/<api>/<leaf>` answered by `route`, and 405 in the API's style for any other method.
pub(crate) fn control_route<A: Api>(leaf: &str, route: MethodRouter<Arc<A>>) -> Router<Arc<A>> {
    let path = format!("/__mock/{}/{leaf}", A::NAME);
    Router::new().route(&path, route.fallback(method_not_allowed::<A>))
}

async fn method_not_allowed<A: Api>() -> Response {
    A::Wire::empty(StatusCode::METHOD_NOT_ALLOWED)
}

async fn push_faults<A: Api>(
    State(root): State<Arc<A>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match faults_from_json(&body) {
        Ok(faults) => {
            root.select(&headers).harness().push_checked(faults);
            no_content()
        }
        Err(reason) => bad_request(&reason),
    }
}

async fn http_status_next<A: Api>(
    State(root): State<Arc<A>>,
    headers: HeaderMap,
    body: Bytes,
) -> Control {
    let request = parse_object(&body)?;
    let status = request.get("status").and_then(Value::as_u64).unwrap_or(0);
    let status = u16::try_from(status).unwrap_or(0);
    root.select(&headers)
        .harness()
        .push_error_status(status)
        .map_err(|_| "`status` must be an HTTP status from 400 to 599")?;
    Ok(no_content())
}

async fn request_count<A: Api>(State(root): State<Arc<A>>, headers: HeaderMap) -> Response {
    let count = root.select(&headers).harness().request_count();
    json_response(StatusCode::OK, &json!({ "count": count }))
}

/// A control route's answer, or the 400 of a malformed request (`?` turns any error into one).
pub(crate) type Control = Result<Response, BadRequest>;

/// A malformed control request: answered 400 with `{"error": reason}`.
#[derive(Debug)]
pub(crate) struct BadRequest(String);

impl<E: std::fmt::Display> From<E> for BadRequest {
    fn from(reason: E) -> Self {
        BadRequest(reason.to_string())
    }
}

impl IntoResponse for BadRequest {
    fn into_response(self) -> Response {
        bad_request(&self.0)
    }
}

/// A control request's body as JSON, or what is wrong with it.
pub(crate) fn parse_json(body: &[u8]) -> Result<Value, String> {
    serde_json::from_slice(body).map_err(|error| format!("body is not JSON: {error}"))
}

/// A control request's body as a JSON object, or what is wrong with it.
pub(crate) fn parse_object(body: &[u8]) -> Result<Map<String, Value>, String> {
    match parse_json(body)? {
        Value::Object(object) => Ok(object),
        _ => Err("body must be a JSON object".to_owned()),
    }
}

/// The string `key` of a control request; else `must` (what it must be) as the error.
pub(crate) fn required_text<'a>(
    request: &'a Map<String, Value>,
    key: &str,
    must: &str,
) -> Result<&'a str, String> {
    let text = request.get(key).and_then(Value::as_str);
    text.ok_or_else(|| format!("`{key}` must be {must}"))
}

/// The string `key` of a control request, `None` when absent or null; else what is wrong.
pub(crate) fn optional_text<'a>(
    request: &'a Map<String, Value>,
    key: &str,
) -> Result<Option<&'a str>, String> {
    match request.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.as_str())),
        Some(_) => Err(format!("`{key}` must be a string")),
    }
}

/// `status` with `value` as `application/json`.
pub(crate) fn json_response(status: StatusCode, value: &Value) -> Response {
    let bytes = serde_json::to_vec(value).unwrap_or_default();
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    let content_type = HeaderValue::from_static("application/json");
    response.headers_mut().insert(CONTENT_TYPE, content_type);
    response
}

pub(crate) fn no_content() -> Response {
    let mut response = Response::default();
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
}

/// 400 with `{"error": reason}`.
fn bad_request(reason: &str) -> Response {
    json_response(StatusCode::BAD_REQUEST, &json!({ "error": reason }))
}
