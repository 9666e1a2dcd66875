//! The `pusheventgetv2` endpoint and the glserver-style plain responses (empty bodies for every non-200).

use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, SERVER, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::auth::{self, Refusal};
use super::faults::OrcaWire;
use super::messages::message_for;
use super::validate::{self, Code};
use super::{Business, Shared};
use crate::fault::Connection;
pub(crate) use crate::harness::json_response;

/// glserver refuses larger request bodies with 413; ORCA's requests are tiny.
const MAX_BODY: usize = 1024 * 1024;

/// `POST /api01rv2/pusheventgetv2` and `POST /api/api01rv2/pusheventgetv2`.
pub(crate) async fn pusheventgetv2(
    State(root): State<std::sync::Arc<super::Shared>>,
    ConnectInfo(connection): ConnectInfo<Connection>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let shared = super::tenants::select_api(&root, &headers);
    shared.harness.count();
    match auth::check(&headers, &shared.accounts) {
        Ok(()) => {}
        Err(Refusal::Unauthorized) => return unauthorized(),
        Err(Refusal::Forbidden) => return empty(StatusCode::FORBIDDEN),
    }
    let normal = answer(&shared, body);
    let business = |b: Business| business_error(&b.code, &b.message);
    shared
        .harness
        .answer::<OrcaWire>(&connection, normal, business)
        .await
}

/// The answer to an authenticated request that no failure was queued for.
async fn answer(shared: &Shared, body: Body) -> Response {
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return empty(StatusCode::PAYLOAD_TOO_LARGE);
    };
    let query = match validate::parse_request(&bytes) {
        Ok(query) => query,
        Err(code) => return documented_error(code),
    };
    let inner = shared.lock();
    if let Some(user) = &query.user {
        let registered = shared.operators.contains(user)
            || shared.accounts.iter().any(|a| &a.user == user)
            || inner.store.knows_user(user);
        if !registered {
            return documented_error("0099");
        }
    }
    let found = inner.store.query(&query);
    if found.is_empty() {
        return documented_error("0007");
    }
    let envelopes: Vec<Value> = found
        .into_iter()
        .map(|data| json!({ "data": data }))
        .collect();
    tracing::debug!(count = envelopes.len(), "pusheventgetv2 answered");
    json_response(StatusCode::OK, &Value::Array(envelopes))
}

/// Any other method on an API path: 405 with an empty body.
pub(crate) async fn method_not_allowed() -> Response {
    empty(StatusCode::METHOD_NOT_ALLOWED)
}

/// Any unknown path: 404 with an empty body.
pub(crate) async fn not_found() -> Response {
    empty(StatusCode::NOT_FOUND)
}

/// Stamps every response, as glserver does with `Server: glserver/<version>`.
pub(crate) async fn add_server_header(mut response: Response) -> Response {
    let value = HeaderValue::from_static("glserver/iryo-mock");
    response.headers_mut().insert(SERVER, value);
    response
}

/// A glserver error response: no body, `Content-Length: 0`, `Content-Type: text/plain`.
pub(crate) fn empty(status: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    headers.insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
    response
}

pub(crate) fn unauthorized() -> Response {
    let mut response = empty(StatusCode::UNAUTHORIZED);
    let challenge = HeaderValue::from_static(r#"Basic realm="glserver""#);
    response.headers_mut().insert(WWW_AUTHENTICATE, challenge);
    response
}

fn documented_error(code: Code) -> Response {
    business_error(code, message_for(code).unwrap_or_default())
}

/// ORCA's business errors: HTTP 200 and `{"error":{"code":…,"message":…}}`.
fn business_error(code: &str, message: &str) -> Response {
    tracing::debug!(code, "pusheventgetv2 business error");
    json_response(
        StatusCode::OK,
        &json!({ "error": { "code": code, "message": message } }),
    )
}
