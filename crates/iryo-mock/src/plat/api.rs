//! The routes of PRV_ROL_001-009 and their `participants` twins over the state machine in flow.rs. Every route
//! goes through [`guarded`] (token, queued failures); bodies that are not JSON get Spring's default 400.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post, put};
use serde_json::{Value, json};

use super::Shared;
use super::auth::Actor;
use super::dates::DateStyle;
use super::flow::Denied;
use super::handler::{guarded, json_response, method_not_allowed, plat_error, spring_bad_request};
use super::messages::message_for;
use super::reads::PermissionFilter;
use super::store::render;
use crate::fault::Connection;

type Params = Result<Query<HashMap<String, String>>, QueryRejection>;
type Id = Result<Path<String>, PathRejection>;

/// A segment axum cannot decode (not UTF-8) is kept raw: it names nothing, and the answer stays PLAT's JSON.
fn id(id: Id, uri: &Uri) -> String {
    match id {
        Ok(Path(id)) => id,
        Err(_) => uri.path().rsplit('/').next().unwrap_or_default().to_owned(),
    }
}

/// A query that does not decode is read as no query.
fn params(query: Params) -> HashMap<String, String> {
    query.map(|Query(q)| q).unwrap_or_default()
}

/// Everything an API handler gets, bundled so that each handler stays one expression.
struct Call {
    shared: Arc<Shared>,
    connection: Connection,
    headers: HeaderMap,
}

impl Call {
    async fn run(self, answer: impl FnOnce(&Shared, &Actor) -> Response) -> Response {
        let shared = self.shared.clone();
        let normal = |actor: Actor| async move { answer(&shared, &actor) };
        guarded(&self.shared, &self.connection, &self.headers, normal).await
    }
}

macro_rules! call {
    ($state:expr, $conn:expr, $headers:expr) => {
        Call {
            shared: $state.0,
            connection: $conn.0,
            headers: $headers,
        }
    };
}

/// The API routes under `{app}/providers` and `{app}/participants` (PRV_ROL_001 and 009 are providers only).
pub(crate) fn routes(app: &str) -> Router<Arc<Shared>> {
    let mut router = Router::new();
    for side in ["providers", "participants"] {
        let at = |path: &str| format!("{app}/{side}{path}");
        if side == "participants" {
            router = router.route(
                &at("/permissions"),
                post(request).fallback(method_not_allowed),
            );
        }
        router = router
            .route(
                &at("/permissions/approval"),
                post(register).fallback(method_not_allowed),
            )
            .route(
                &at("/permission/requests"),
                get(list_requests).fallback(method_not_allowed),
            )
            .route(
                &at("/permission/requests/{id}"),
                get(get_request).put(withdraw).fallback(method_not_allowed),
            )
            .route(
                &at("/permission/approval"),
                get(list_approvals).fallback(method_not_allowed),
            )
            .route(
                &at("/permission/approval/{id}"),
                get(get_approval).put(decide).fallback(method_not_allowed),
            )
            .route(
                &at("/permission/partialapproval/{id}"),
                put(partial).fallback(method_not_allowed),
            );
    }
    router
        .route(
            &format!("{app}/providers/permissions"),
            get(list_permissions)
                .post(request)
                .fallback(method_not_allowed),
        )
        .route(
            &format!("{app}/providers/permissions/{{id}}"),
            get(get_permission).fallback(method_not_allowed),
        )
        .route(
            &format!("{app}/providers/patients/document/{{key}}/share"),
            post(share).fallback(method_not_allowed),
        )
}

fn now() -> chrono::NaiveDateTime {
    (chrono::Utc::now() + chrono::Duration::hours(9)).naive_utc()
}

fn denied(denied: Denied) -> Response {
    let (status, code, text) = match denied {
        Denied::Unknown => (StatusCode::INTERNAL_SERVER_ERROR, "PLAT500", None),
        Denied::Forbidden => (StatusCode::FORBIDDEN, "PLAT403", None),
        Denied::Conflict => (StatusCode::BAD_REQUEST, "PLAT400", None),
        Denied::Invalid(text) => (StatusCode::BAD_REQUEST, "PLAT410", Some(text)),
        Denied::Business(text) => (StatusCode::BAD_REQUEST, "PLAT420", Some(text)),
    };
    match text {
        None => plat_error(status, code, message_for(code)),
        // The validation branch's FHIR-style body (fixup `operation-outcome-errors`).
        Some(text) => json_response(
            status,
            &json!({
                "resourceType": "OperationOutcome",
                "id": code,
                "issue": [{"severity": "error", "code": "value", "details": {"text": text}}],
            }),
        ),
    }
}

fn group_answer(
    shared: &Shared,
    change: impl FnOnce(&mut super::store::Store, DateStyle) -> Result<Value, Denied>,
) -> Response {
    let mut inner = shared.lock();
    let style = inner.date_style;
    match change(&mut inner.store, style) {
        Ok(value) => json_response(StatusCode::OK, &value),
        Err(refusal) => denied(refusal),
    }
}

fn json_body(body: &Bytes, uri: &Uri) -> Result<Value, Box<Response>> {
    serde_json::from_slice(body).map_err(|_| Box::new(spring_bad_request(uri.path())))
}

async fn request(
    s: State<Arc<Shared>>,
    c: ConnectInfo<Connection>,
    uri: Uri,
    h: HeaderMap,
    body: Bytes,
) -> Response {
    create(call!(s, c, h), uri, body, false).await
}

async fn register(
    s: State<Arc<Shared>>,
    c: ConnectInfo<Connection>,
    uri: Uri,
    h: HeaderMap,
    body: Bytes,
) -> Response {
    create(call!(s, c, h), uri, body, true).await
}

async fn create(call: Call, uri: Uri, body: Bytes, approved: bool) -> Response {
    call.run(|shared, actor| match json_body(&body, &uri) {
        Ok(body) => group_answer(shared, |store, style| {
            store
                .request(actor, &body, approved, now())
                .map(|e| render(e, style))
        }),
        Err(response) => *response,
    })
    .await
}

async fn withdraw(
    s: State<Arc<Shared>>,
    c: ConnectInfo<Connection>,
    raw_id: Id,
    uri: Uri,
    h: HeaderMap,
) -> Response {
    let id = id(raw_id, &uri);
    call!(s, c, h)
        .run(|shared, actor| {
            group_answer(shared, |store, style| {
                store.withdraw(actor, &id).map(|e| render(e, style))
            })
        })
        .await
}

async fn decide(
    s: State<Arc<Shared>>,
    c: ConnectInfo<Connection>,
    raw_id: Id,
    uri: Uri,
    h: HeaderMap,
    body: Bytes,
) -> Response {
    let id = id(raw_id, &uri);
    change_approval(call!(s, c, h), id, uri, body, false).await
}

async fn partial(
    s: State<Arc<Shared>>,
    c: ConnectInfo<Connection>,
    raw_id: Id,
    uri: Uri,
    h: HeaderMap,
    body: Bytes,
) -> Response {
    let id = id(raw_id, &uri);
    change_approval(call!(s, c, h), id, uri, body, true).await
}

async fn change_approval(call: Call, id: String, uri: Uri, body: Bytes, partial: bool) -> Response {
    call.run(|shared, actor| match json_body(&body, &uri) {
        Ok(body) => group_answer(shared, |store, style| {
            store
                .decide(actor, &id, &body, partial, now())
                .map(|e| render(e, style))
        }),
        Err(response) => *response,
    })
    .await
}

async fn list_requests(
    s: State<Arc<Shared>>,
    c: ConnectInfo<Connection>,
    q: Params,
    h: HeaderMap,
) -> Response {
    let q = params(q);
    let status = q.get("status").cloned();
    call!(s, c, h)
        .run(|shared, actor| {
            group_answer(shared, |store, style| {
                Ok(store.requests(actor, None, status.as_deref(), style).into())
            })
        })
        .await
}

async fn get_request(
    s: State<Arc<Shared>>,
    c: ConnectInfo<Connection>,
    raw_id: Id,
    uri: Uri,
    q: Params,
    h: HeaderMap,
) -> Response {
    let id = id(raw_id, &uri);
    let q = params(q);
    let status = q.get("status").cloned();
    call!(s, c, h)
        .run(|shared, actor| {
            group_answer(shared, |store, style| {
                Ok(store
                    .requests(actor, Some(&id), status.as_deref(), style)
                    .into())
            })
        })
        .await
}

async fn list_approvals(
    s: State<Arc<Shared>>,
    c: ConnectInfo<Connection>,
    q: Params,
    h: HeaderMap,
) -> Response {
    let q = params(q);
    let status = q.get("status").cloned();
    call!(s, c, h)
        .run(|shared, actor| {
            group_answer(shared, |store, style| {
                Ok(store.approvals(actor, status.as_deref(), style).into())
            })
        })
        .await
}

async fn get_approval(
    s: State<Arc<Shared>>,
    c: ConnectInfo<Connection>,
    raw_id: Id,
    uri: Uri,
    h: HeaderMap,
) -> Response {
    let id = id(raw_id, &uri);
    call!(s, c, h)
        .run(|shared, actor| group_answer(shared, |store, style| store.approval(actor, &id, style)))
        .await
}

async fn list_permissions(
    s: State<Arc<Shared>>,
    c: ConnectInfo<Connection>,
    q: Params,
    h: HeaderMap,
) -> Response {
    let q = params(q);
    permissions(call!(s, c, h), q, None).await
}

async fn get_permission(
    s: State<Arc<Shared>>,
    c: ConnectInfo<Connection>,
    raw_id: Id,
    uri: Uri,
    q: Params,
    h: HeaderMap,
) -> Response {
    let id = id(raw_id, &uri);
    let q = params(q);
    permissions(call!(s, c, h), q, Some(id)).await
}

async fn permissions(
    call: Call,
    q: HashMap<String, String>,
    management_id: Option<String>,
) -> Response {
    let at = q.get("defaultDate").map(|d| {
        chrono::DateTime::parse_from_rfc3339(d).map(|d| d.naive_utc() + chrono::Duration::hours(9))
    });
    let filter = PermissionFilter {
        management_id,
        classification: q.get("classification").cloned(),
        holder: q.get("permissionId").cloned(),
        at: at.and_then(Result::ok),
    };
    call.run(|shared, actor| match at {
        Some(Err(_)) => denied(Denied::Invalid(
            "defaultDate is not an ISO 8601 instant".into(),
        )),
        _ => group_answer(shared, |store, _| {
            Ok(json!({"permissionList": store.permissions(actor, &filter)}))
        }),
    })
    .await
}

/// PRV_ROL_009: the copy is always made, into the caller's organisation.
async fn share(
    s: State<Arc<Shared>>,
    c: ConnectInfo<Connection>,
    raw_id: Id,
    uri: Uri,
    h: HeaderMap,
) -> Response {
    let key = id(raw_id, &uri);
    call!(s, c, h)
        .run(|_, actor| {
            let result = json!({
                "organizationId": actor.organization_id.clone().unwrap_or_default(),
                "status": "success",
                "diagnostics": "",
                "id": uuid::Uuid::new_v4().to_string(),
                "documentKey": key,
            });
            json_response(StatusCode::OK, &json!({"bundleResultList": [result]}))
        })
        .await
}
