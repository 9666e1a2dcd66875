//! A webhook receiver on loopback: `POST /hook/{tenant}`, each tenant its own signing secret,
//! every signature checked; a tenant can be taken down (503) and brought back.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use iryo_orca_deliver::WebhookSecret;

/// One acknowledged POST.
#[derive(Clone, Debug)]
pub struct Got {
    /// `webhook-id` (the uuid).
    pub uuid: String,
    /// When it arrived.
    pub at: Instant,
}

#[derive(Default)]
struct Inner {
    secrets: BTreeMap<String, WebhookSecret>,
    got: Mutex<BTreeMap<String, Vec<Got>>>,
    down: Mutex<BTreeSet<String>>,
    bad: Mutex<Vec<String>>,
}

/// The receiver.
pub struct Receiver {
    pub addr: SocketAddr,
    inner: Arc<Inner>,
}

impl Receiver {
    /// Serves the tenants of `secrets` (tenant id, `whsec_…`).
    pub async fn start(secrets: &[(String, String)]) -> Receiver {
        let inner = Arc::new(Inner {
            secrets: secrets
                .iter()
                .map(|(t, s)| (t.clone(), WebhookSecret::parse(&s.clone().into()).unwrap()))
                .collect(),
            ..Inner::default()
        });
        let app = Router::new()
            .route("/hook/{tenant}", post(hook))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { addr, inner }
    }

    /// The URL of `tenant`'s hook.
    pub fn url(&self, tenant: &str) -> String {
        format!("http://{}/hook/{tenant}", self.addr)
    }

    /// What `tenant` acknowledged, in arrival order.
    pub fn got(&self, tenant: &str) -> Vec<Got> {
        let got = self.inner.got.lock().unwrap();
        got.get(tenant).cloned().unwrap_or_default()
    }

    /// The uuids `tenant` acknowledged, in arrival order.
    pub fn uuids(&self, tenant: &str) -> Vec<String> {
        self.got(tenant).into_iter().map(|g| g.uuid).collect()
    }

    /// Answers 503 to `tenant` (or 2xx again).
    pub fn set_down(&self, tenant: &str, down: bool) {
        let mut set = self.inner.down.lock().unwrap();
        if down {
            set.insert(tenant.to_owned());
        } else {
            set.remove(tenant);
        }
    }

    /// Requests refused for a bad signature or body (none expected).
    pub fn bad(&self) -> Vec<String> {
        self.inner.bad.lock().unwrap().clone()
    }
}

async fn hook(
    State(inner): State<Arc<Inner>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (id, timestamp) = (header("webhook-id"), header("webhook-timestamp"));
    let signed = inner.secrets.get(&tenant).is_some_and(|secret| {
        timestamp
            .parse()
            .is_ok_and(|ts: u64| secret.sign(&id, ts, &body) == header("webhook-signature"))
    });
    let line: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    if !signed || line["uuid"].as_str() != Some(id.as_str()) {
        inner.bad.lock().unwrap().push(format!("{tenant} {id}"));
        return StatusCode::UNAUTHORIZED;
    }
    if inner.down.lock().unwrap().contains(&tenant) {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let got = Got {
        uuid: id,
        at: Instant::now(),
    };
    inner
        .got
        .lock()
        .unwrap()
        .entry(tenant)
        .or_default()
        .push(got);
    StatusCode::NO_CONTENT
}
