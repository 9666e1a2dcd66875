//! What every operation shares: the guard (token, queued failures), the shapes of the answers
//! (the gateway's empty 401, Spring Boot's default error JSON for an unreadable body, PLAT's
//! `{"errorCode","errorMessage"}`), and PRV_ROL_010's delete once the guard let it through.

use std::sync::Arc;

use axum::body::Body;
use axum::http::header::{CONTENT_LENGTH, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::auth::Actor;
use super::faults::PlatWire;
use super::messages::message_for;
use super::store::{Refusal, render};
use super::{Business, Shared};
use crate::fault::Connection;
pub(crate) use crate::harness::json_response;

/// Comments are short; a larger body is refused with an empty 413.
const MAX_BODY: usize = 1024 * 1024;

/// What every API route does first: count the request, check the token (401), then take the oldest queued
/// failure, if any, instead of (or around) the normal answer.
pub(crate) async fn guarded<F, Fut>(
    shared: &Arc<Shared>,
    connection: &Connection,
    headers: &HeaderMap,
    normal: F,
) -> Response
where
    F: FnOnce(Actor) -> Fut,
    Fut: Future<Output = Response>,
{
    shared.harness.count();
    let Some(actor) = shared.actor(headers) else {
        return unauthorized();
    };
    let normal = normal(actor);
    let harness = &shared.harness;
    harness
        .answer::<PlatWire>(connection, normal, Business::response)
        .await
}

/// PRV_ROL_010 / PTP_ROL_010 once the token is accepted and no failure was queued. Checks, in
/// order: body (413 over 1 MiB, 400 Spring style), approval id (PLAT500), holder (PLAT403),
/// already deleted (PLAT400). The query string (`location` and anything else) is ignored.
pub(crate) async fn delete(
    shared: &Shared,
    actor: &Actor,
    id: &str,
    uri: &Uri,
    body: Body,
) -> Response {
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return empty(StatusCode::PAYLOAD_TOO_LARGE);
    };
    let Some(comment) = read_comment(&bytes) else {
        return spring_bad_request(uri.path());
    };
    let mut inner = shared.lock();
    let style = inner.date_style;
    match inner.store.delete(id, actor, &comment) {
        Ok(entry) => {
            tracing::debug!(id, personal_id = %actor.personal_id, "permission approval deleted");
            json_response(StatusCode::OK, &render(entry, style))
        }
        Err(refusal) => {
            tracing::debug!(id, ?refusal, "permission delete refused");
            let (status, code) = match refusal {
                Refusal::UnknownApproval => (StatusCode::INTERNAL_SERVER_ERROR, "PLAT500"),
                Refusal::NotAHolder => (StatusCode::FORBIDDEN, "PLAT403"),
                Refusal::AlreadyDeleted => (StatusCode::BAD_REQUEST, "PLAT400"),
            };
            plat_error(status, code, message_for(code))
        }
    }
}

/// The body must be a JSON object whose `comment` is a string (`""` allowed); other keys are ignored.
fn read_comment(body: &[u8]) -> Option<String> {
    match serde_json::from_slice::<Value>(body).ok()? {
        Value::Object(mut object) => match object.remove("comment") {
            Some(Value::String(comment)) => Some(comment),
            _ => None,
        },
        _ => None,
    }
}

/// Any other method on an API or control path: 405 with an empty body.
pub(crate) async fn method_not_allowed() -> Response {
    empty(StatusCode::METHOD_NOT_ALLOWED)
}

/// Any unknown path: 404 with an empty body.
pub(crate) async fn not_found() -> Response {
    empty(StatusCode::NOT_FOUND)
}

pub(crate) fn empty(status: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    let zero = HeaderValue::from_static("0");
    response.headers_mut().insert(CONTENT_LENGTH, zero);
    response
}

/// The gateway's refusal: 401, `WWW-Authenticate: Bearer`, no body.
fn unauthorized() -> Response {
    let mut response = empty(StatusCode::UNAUTHORIZED);
    let challenge = HeaderValue::from_static("Bearer");
    response.headers_mut().insert(WWW_AUTHENTICATE, challenge);
    response
}

/// What Spring Boot's `BasicErrorController` answers when `@RequestBody` cannot be read: its default error
/// attributes, with no `errorCode` (the request never reaches PLAT's code).
pub(crate) fn spring_bad_request(path: &str) -> Response {
    let timestamp = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3f+00:00");
    let body = json!({
        "timestamp": timestamp.to_string(),
        "status": 400,
        "error": "Bad Request",
        "path": path,
    });
    json_response(StatusCode::BAD_REQUEST, &body)
}

/// `{"errorCode":"PLAT500","errorMessage":"…"}`; without a message, only `errorCode` (as the document's sample).
pub(crate) fn plat_error(status: StatusCode, code: &str, message: Option<&str>) -> Response {
    let mut body = Map::new();
    body.insert("errorCode".into(), code.into());
    if let Some(message) = message {
        body.insert("errorMessage".into(), message.into());
    }
    json_response(status, &Value::Object(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_object_with_a_string_comment_is_readable() {
        assert_eq!(read_comment(br#"{"comment":""}"#), Some(String::new()));
        assert_eq!(
            read_comment(br#"{"comment":"x","extra":1}"#),
            Some("x".to_owned())
        );
        assert_eq!(read_comment(b""), None);
        assert_eq!(read_comment(b"comment=x"), None);
        assert_eq!(read_comment(b"[]"), None);
        assert_eq!(read_comment(b"\"x\""), None);
        assert_eq!(read_comment(b"{}"), None);
        assert_eq!(read_comment(br#"{"comment":null}"#), None);
        assert_eq!(read_comment(br#"{"comment":1}"#), None);
        assert_eq!(read_comment(b"{\"comment\":\"\xff\"}"), None);
    }
}
