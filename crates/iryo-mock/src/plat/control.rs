//! Control routes under `/__mock/plat/`, for test suites that run the mock in another process: the harness's
//! (see `crate::harness`) and PLAT's own. They need no authentication, which is why the mock listens on
//! loopback by default.
//!
//! | Route | Body | Answer |
//! |---|---|---|
//! | `POST /__mock/plat/fail-next` | `{"code":"PLAT500","message":"…","status":503}` (message, status optional) | 204 |
//! | `POST /__mock/plat/http-status-next` | `{"status":502}` (400-599) | 204 |
//! | `POST /__mock/plat/fault` | a [`Fault`](crate::Fault) in its JSON form, or an array of them | 204 |
//! | `GET /__mock/plat/requests` | | 200 `{"count":N}`, the API requests so far |
//! | `GET /__mock/plat/store` | | 200, every group as the API answers it, in insertion order |
//! | `POST /__mock/plat/store` | one group, shaped like the API's answer | 201 `{"permissionGroupId":…}` |
//! | `DELETE /__mock/plat/store` | | 204, the store is emptied |
//! | `POST /__mock/plat/expire-tokens` | | 204, every access token Keycloak issued stops working |
//! | `POST /__mock/plat/revoke-refresh-tokens` | | 204, every refresh token stops working |
//!
//! A malformed control request is answered 400 with `{"error":"<what is wrong>"}`.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Map, Value, json};

use super::{Business, Shared};
use crate::harness::{
    self, Control, control_route, json_response, no_content, optional_text, parse_json,
    required_text,
};

/// The shared control routes (`fault`, `http-status-next`, `requests`, `fail-next`) and PLAT's own.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    harness::routes::<Shared>("fail-next", failure)
        .merge(control_route(
            "store",
            get(dump).post(insert_group).delete(clear),
        ))
        .merge(control_route("expire-tokens", post(expire_tokens)))
        .merge(control_route(
            "revoke-refresh-tokens",
            post(revoke_refresh_tokens),
        ))
}

/// `fail-next`'s `{"code":"PLAT500","message":"…","status":503}`.
fn failure(request: &Map<String, Value>) -> Result<Business, String> {
    let code = required_text(request, "code", "a string, e.g. \"PLAT500\"")?;
    let message = optional_text(request, "message")?;
    let status = match request.get("status") {
        None | Some(Value::Null) => None,
        Some(status) => Some(
            status
                .as_u64()
                .and_then(|s| u16::try_from(s).ok())
                .ok_or("`status` must be an HTTP status from 400 to 599")?,
        ),
    };
    Business::new(code, message, status).map_err(|error| error.to_string())
}

async fn expire_tokens(State(shared): State<Arc<Shared>>) -> Response {
    shared.keycloak().expire_access_tokens();
    no_content()
}

async fn revoke_refresh_tokens(State(shared): State<Arc<Shared>>) -> Response {
    shared.keycloak().revoke_refresh_tokens();
    no_content()
}

async fn dump(State(shared): State<Arc<Shared>>) -> Response {
    json_response(StatusCode::OK, &shared.dump())
}

async fn insert_group(State(shared): State<Arc<Shared>>, body: Bytes) -> Control {
    let id = shared.insert(&parse_json(&body)?)?;
    Ok(json_response(
        StatusCode::CREATED,
        &json!({ "permissionGroupId": id }),
    ))
}

async fn clear(State(shared): State<Arc<Shared>>) -> Response {
    shared.lock().store.clear();
    no_content()
}
