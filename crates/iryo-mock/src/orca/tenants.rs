//! Many tenants in one mock, as WebORCA cloud serves many clinics: the `X-GINBEE-TENANT-ID` header
//! of a request selects a tenant registered with [`OrcaMock::add_tenant`](super::OrcaMock::add_tenant)
//! (its own store, accounts, faults and live sockets). A request without the header, or naming an
//! unregistered tenant, goes to the default tenant: the single-tenant mock is unchanged.
//!
//! An API request without the header goes to the tenant whose account its `Authorization` names
//! (the cloud tells its tenants apart by certificate and account, and clients send no tenant
//! header to the API), and to the default tenant when no tenant's account matches.
//!
//! Every control route honours the header too, so `POST /__mock/orca/live/raise` with
//! `X-GINBEE-TENANT-ID: 12` raises for tenant 12 only, and `POST /__mock/orca/live/fault` with
//! `{"kind":"drop"}` drops only tenant 12's sockets.
//!
//! | Route | Body | Answer |
//! |---|---|---|
//! | `POST /__mock/orca/tenants` | `{"id":"12","user":"clinic12","password":"…"}` | 201; 400 on a bad id |
//! | `GET /__mock/orca/tenants` | | 200 `["12",…]`, the registered ids |

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

use super::{ControlError, Shared};
use crate::harness::{Control, control_route, json_response};

/// The header that names a tenant (on the socket's upgrade, on API and control requests).
pub(crate) const TENANT_HEADER: &str = "x-ginbee-tenant-id";
/// Tenants one mock holds at most (each is a store and a live hub).
pub(crate) const MAX_TENANTS: usize = 10_000;

/// Registered tenants, by id.
pub(crate) type Tenants = BTreeMap<String, Arc<Shared>>;

/// Whether `id` may name a tenant: 1 to 20 ASCII digits, as the pusher accepts.
pub(crate) fn valid_id(id: &str) -> bool {
    (1..=20).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit())
}

/// The tenant a request is for: the registered one its header names, else the default.
pub(crate) struct Tenant(pub(crate) Arc<Shared>);

impl FromRequestParts<Arc<Shared>> for Tenant {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        root: &Arc<Shared>,
    ) -> Result<Self, Self::Rejection> {
        Ok(Tenant(select(root, &parts.headers)))
    }
}

/// The tenant `headers` name, or `root` (the default tenant).
pub(crate) fn select(root: &Arc<Shared>, headers: &axum::http::HeaderMap) -> Arc<Shared> {
    let named = headers.get(TENANT_HEADER).and_then(|v| v.to_str().ok());
    named
        .and_then(|id| root.tenants().get(id).cloned())
        .unwrap_or_else(|| root.clone())
}

/// The tenant of an API request: the header's, else the tenant whose account the credentials
/// name (the default tenant's own accounts first), else the default.
pub(crate) fn select_api(root: &Arc<Shared>, headers: &axum::http::HeaderMap) -> Arc<Shared> {
    if headers.contains_key(TENANT_HEADER) || super::auth::names(headers, &root.accounts) {
        return select(root, headers);
    }
    let tenants: Vec<Arc<Shared>> = root.tenants().values().cloned().collect();
    tenants
        .into_iter()
        .find(|tenant| super::auth::names(headers, &tenant.accounts))
        .unwrap_or_else(|| root.clone())
}

/// Registers tenant `id` (replacing one with the same id) with its own account and an empty store.
pub(crate) fn add(
    root: &Arc<Shared>,
    id: &str,
    user: &str,
    password: &str,
) -> Result<Arc<Shared>, ControlError> {
    if !valid_id(id) {
        return Err(ControlError::BadTenant(id.to_owned()));
    }
    let mut tenants = root.tenants();
    if tenants.len() >= MAX_TENANTS && !tenants.contains_key(id) {
        return Err(ControlError::TooManyTenants(MAX_TENANTS));
    }
    let tenant = Arc::new(root.new_tenant(user, password));
    tenants.insert(id.to_owned(), tenant.clone());
    Ok(tenant)
}

pub(crate) fn routes() -> Router<Arc<Shared>> {
    control_route("tenants", get(list).post(create))
}

async fn list(State(root): State<Arc<Shared>>) -> Response {
    let ids: Vec<String> = root.tenants().keys().cloned().collect();
    json_response(StatusCode::OK, &json!(ids))
}

async fn create(State(root): State<Arc<Shared>>, body: Bytes) -> Control {
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let text = |key: &str| request.get(key).and_then(Value::as_str);
    let (Some(id), Some(user), Some(password)) = (text("id"), text("user"), text("password"))
    else {
        return Err("body must be {\"id\":\"12\",\"user\":\"…\",\"password\":\"…\"}".into());
    };
    add(&root, id, user, password)?;
    Ok(json_response(StatusCode::CREATED, &json!({ "id": id })))
}
