//! `/healthz` and Prometheus `/metrics` of one replica.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::lease::TTL;
use crate::status::{Registry, State as TenantState};

/// Listens on `addr` and serves the endpoints until the runtime stops; returns the bound address.
pub async fn serve(addr: SocketAddr, registry: Arc<Registry>) -> std::io::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .with_state(registry);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(bound)
}

/// 200 while the leases were renewed within their lifetime (PostgreSQL reachable), else 503; the
/// body counts the tenants running here.
async fn healthz(State(registry): State<Arc<Registry>>) -> Response {
    let status = if registry.healthy(TTL) {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = serde_json::json!({
        "leases_renewed": registry.healthy(TTL),
        "connected": registry.count(TenantState::Connected),
        "catching_up": registry.count(TenantState::CatchingUp),
        "backing_off": registry.count(TenantState::BackingOff),
        "refused": registry.count(TenantState::Refused),
        "delivered": registry.delivered(),
    });
    (status, axum::Json(body)).into_response()
}

async fn metrics(State(registry): State<Arc<Registry>>) -> Response {
    let now = chrono::Utc::now().timestamp_millis();
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        registry.render(now),
    )
        .into_response()
}
