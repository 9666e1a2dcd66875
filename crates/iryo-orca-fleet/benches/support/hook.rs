//! The bench's webhook receiver (`IRYO_FLEET_SINK=webhook`): `POST /hook/{tenant}` answered 204,
//! each arrival's uuid and Unix time recorded per tenant.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;

type Log = Arc<Mutex<HashMap<String, Vec<(String, f64)>>>>;

/// The receiver and what it got.
pub struct Receiver {
    pub base: String,
    log: Log,
}

impl Receiver {
    /// Listens on loopback, on the current runtime.
    pub fn start(runtime: &tokio::runtime::Runtime) -> Receiver {
        let log = Log::default();
        let app = Router::new()
            .route("/hook/{tenant}", post(hook))
            .with_state(log.clone());
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let base = format!("http://{}/hook", listener.local_addr().unwrap());
        runtime.spawn(async move { axum::serve(listener, app).await });
        Receiver { base, log }
    }

    /// POSTs acknowledged for `tenant`.
    pub fn count(&self, tenant: &str) -> usize {
        self.log.lock().unwrap().get(tenant).map_or(0, Vec::len)
    }

    /// (uuid, Unix seconds of arrival) of `tenant`'s POSTs.
    pub fn times(&self, tenant: &str) -> Vec<(String, f64)> {
        self.log
            .lock()
            .unwrap()
            .get(tenant)
            .cloned()
            .unwrap_or_default()
    }
}

async fn hook(
    State(log): State<Log>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> StatusCode {
    let uuid = headers
        .get("webhook-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let at = chrono::Utc::now().timestamp_micros() as f64 / 1e6;
    log.lock()
        .unwrap()
        .entry(tenant)
        .or_default()
        .push((uuid, at));
    StatusCode::NO_CONTENT
}
