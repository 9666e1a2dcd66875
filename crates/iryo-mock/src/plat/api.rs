//! The behaviour of PRV_ROL_001-010 and their `participants` twins, over the state machine in
//! flow.rs and the store: the routes, the extraction of path, query and body and the typed
//! requests are generated from specs/plat/openapi.yaml (generated/routes.rs). Every operation
//! goes through [`guarded`] (token, queued failures); bodies that are not JSON get Spring's
//! default 400.

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::Shared;
use super::auth::Actor;
use super::dates::DateStyle;
use super::flow::{Change, Denied};
use super::handler::{self, guarded, json_response, plat_error, spring_bad_request};
use super::messages::message_for;
use super::reads::PermissionFilter;
use super::store::{Store, render};

#[rustfmt::skip]
#[path = "generated/mod.rs"]
mod generated;
use generated::routes::{self as wire, Call, Operations};

/// The API routes under `{app}/providers` and `{app}/participants`.
pub(crate) fn routes(app: &str) -> Router<Arc<Shared>> {
    wire::routes(app)
}

/// The generated trait's operations, each written as its answer alone: `name(request: Type) => answer;`
/// becomes `async fn name(&self, call: Call, request: wire::Type) -> Response`, with `self` as `$shared`.
macro_rules! answers {
    (
        |$shared:ident, $call:ident|
        $($(#[$doc:meta])* $name:ident($request:ident: $ty:ident) => $answer:expr;)*
    ) => {
        $(
            $(#[$doc])*
            async fn $name(&self, $call: Call, $request: wire::$ty) -> Response {
                let $shared = self;
                $answer.await
            }
        )*
    };
}

impl Operations for Arc<Shared> {
    fn method_not_allowed() -> Response {
        handler::empty(StatusCode::METHOD_NOT_ALLOWED)
    }

    answers! { |shared, call|
        list_provider_permissions(r: ListProviderPermissions) => {
            let filter = (r.default_date, r.classification, r.permission_id);
            shared.permissions(call, filter, None)
        };
        /// PRV_ROL_001 by id also filters by `classification` and `permissionId` when sent.
        get_provider_permission(r: GetProviderPermission) => {
            let sent = |key| call.query.get(key).cloned();
            let filter = (r.default_date, sent("classification"), sent("permissionId"));
            shared.permissions(call, filter, Some(r.permission_management_id))
        };
        request_permission(r: RequestPermission) => shared.create(call, r.body, false);
        register_permission(r: RegisterPermission) => shared.create(call, r.body, true);
        list_permission_requests(r: ListPermissionRequests) => {
            shared.from_store(&call, |store, actor, style| {
                Ok(store.requests(actor, None, r.status.as_deref(), style).into())
            })
        };
        get_permission_request(r: GetPermissionRequest) => {
            shared.from_store(&call, |store, actor, style| {
                Ok(store.requests(actor, Some(&r.id), r.status.as_deref(), style).into())
            })
        };
        withdraw_permission_request(r: WithdrawPermissionRequest) => {
            shared.from_store(&call, |store, actor, style| {
                store.withdraw(actor, &r.id).map(|e| render(e, style))
            })
        };
        list_permission_approvals(r: ListPermissionApprovals) => {
            shared.from_store(&call, |store, actor, style| {
                Ok(store.approvals(actor, r.status.as_deref(), style).into())
            })
        };
        get_permission_approval(r: GetPermissionApproval) => {
            shared.from_store(&call, |store, actor, style| {
                store.approval(actor, &r.permission_approval_id, style)
            })
        };
        decide_permission(r: DecidePermission) => {
            shared.change_approval(call, r.permission_approval_id, r.body, false)
        };
        partially_approve_permission(r: PartiallyApprovePermission) => {
            shared.change_approval(call, r.permission_approval_id, r.body, true)
        };
        /// PRV_ROL_009: the copy is always made, into the caller's organisation.
        share_provider_document(r: ShareProviderDocument) => {
            shared.run(&call, |_, actor| {
                let result = json!({
                    "organizationId": actor.organization_id.clone().unwrap_or_default(),
                    "status": "success",
                    "diagnostics": "",
                    "id": uuid::Uuid::new_v4().to_string(),
                    "documentKey": r.document_key,
                });
                json_response(StatusCode::OK, &json!({"bundleResultList": [result]}))
            })
        };
        /// PRV_ROL_010: the body is read after the token and the queued failures (up to 1 MiB).
        delete_permission(r: DeletePermission) => {
            let (id, uri) = (r.permission_approval_id, call.uri.clone());
            let normal = |actor: Actor| async move {
                handler::delete(shared, &actor, &id, &uri, r.body).await
            };
            guarded(shared, &call.connection, &call.headers, normal)
        };
    }
}

/// `defaultDate`, `classification` and `permissionId`, as sent.
type PermissionQuery = (Option<String>, Option<String>, Option<String>);

impl Shared {
    async fn run(
        self: &Arc<Self>,
        call: &Call,
        answer: impl FnOnce(&Shared, &Actor) -> Response,
    ) -> Response {
        let normal = |actor: Actor| async move { answer(self, &actor) };
        guarded(self, &call.connection, &call.headers, normal).await
    }

    /// A request answered from the store (dates in the mock's style), after the token and the queued failures.
    async fn from_store(
        self: &Arc<Self>,
        call: &Call,
        answer: impl FnOnce(&mut Store, &Actor, DateStyle) -> Result<Value, Denied>,
    ) -> Response {
        self.run(call, |shared, actor| {
            group_answer(shared, |store, style| answer(store, actor, style))
        })
        .await
    }

    /// A change whose JSON body is read before the token (within axum's limit).
    async fn change_with_body(
        self: &Arc<Self>,
        call: Call,
        body: Body,
        change: impl FnOnce(&mut Store, Change<'_>, DateStyle) -> Result<Value, Denied>,
    ) -> Response {
        let body = match read_before_the_token(body).await {
            Ok(body) => body,
            Err(response) => return response,
        };
        self.run(&call, |shared, actor| match json_body(&body, &call.uri) {
            Ok(body) => group_answer(shared, |store, style| {
                change(store, Change::read(actor, &body, now())?, style)
            }),
            Err(response) => *response,
        })
        .await
    }

    async fn create(self: &Arc<Self>, call: Call, body: Body, approved: bool) -> Response {
        self.change_with_body(call, body, |store, change, style| {
            let created = store.request(change, approved);
            created.map(|e| render(e, style))
        })
        .await
    }

    async fn change_approval(
        self: &Arc<Self>,
        call: Call,
        id: String,
        body: Body,
        partial: bool,
    ) -> Response {
        self.change_with_body(call, body, |store, change, style| {
            let decided = store.decide(change, &id, partial);
            decided.map(|e| render(e, style))
        })
        .await
    }

    async fn permissions(
        self: &Arc<Self>,
        call: Call,
        (default_date, classification, holder): PermissionQuery,
        management_id: Option<String>,
    ) -> Response {
        let at = default_date.map(|d| {
            chrono::DateTime::parse_from_rfc3339(&d)
                .map(|d| d.naive_utc() + chrono::Duration::hours(9))
        });
        let filter = PermissionFilter {
            management_id,
            classification,
            holder,
            at: at.and_then(Result::ok),
        };
        self.run(&call, |shared, actor| match at {
            Some(Err(_)) => denied(Denied::Invalid(
                "defaultDate is not an ISO 8601 instant".into(),
            )),
            _ => group_answer(shared, |store, _| {
                Ok(json!({"permissionList": store.permissions(actor, &filter)}))
            }),
        })
        .await
    }
}

/// The body, read whole before the token is checked, within axum's default limit (a larger one
/// gets axum's 413), as the routes of PRV_ROL_002-008 always did.
async fn read_before_the_token(body: Body) -> Result<Bytes, Response> {
    Bytes::from_request(Request::new(body), &())
        .await
        .map_err(IntoResponse::into_response)
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
    change: impl FnOnce(&mut Store, DateStyle) -> Result<Value, Denied>,
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
