//! Replicas in one process against the multi-tenant mock and a real PostgreSQL: every tenant
//! runs on exactly one replica, a second replica takes half, a reload adds and removes a tenant
//! without touching the others, a replica that leaves hands its tenants over, every raised event
//! is one row.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use iryo_orca_fleet::{Fleet, FleetConfig, FleetOptions, Registry, State};
use iryo_testkit::postgres::TestPostgres;
use serde_json::json;
use tokio::sync::{mpsc, oneshot};

use common::{config, mock, tenant, wait_until};

struct Replica {
    registry: Arc<Registry>,
    reload: mpsc::Sender<FleetConfig>,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

async fn replica(config: &str, url: &str) -> Replica {
    let registry = Arc::new(Registry::default());
    let parsed = FleetConfig::parse(config).expect("the configuration is valid");
    let fleet = Fleet::start(parsed, url, FleetOptions::default(), registry.clone())
        .await
        .expect("the replica starts");
    let (reload, reloads) = mpsc::channel(1);
    let (stop, stopped) = oneshot::channel();
    let task = tokio::spawn(fleet.run(reloads, async {
        let _ = stopped.await;
    }));
    Replica {
        registry,
        reload,
        stop: Some(stop),
        task,
    }
}

impl Replica {
    fn connected(&self) -> usize {
        self.registry.count(State::Connected)
    }

    async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = self.task.await;
    }
}

fn rows(pg: &TestPostgres) -> BTreeSet<String> {
    pg.psql("SELECT tenant_id || ' ' || uuid FROM iryo.orca_events")
        .lines()
        .map(str::to_owned)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_share_the_tenants_reload_and_one_leaving_hands_them_over() {
    const TENANTS: usize = 8;
    let pg = TestPostgres::start(Path::new(env!("CARGO_TARGET_TMPDIR")));
    let dir = tempfile::tempdir().unwrap();
    let mock = mock(TENANTS + 1).await;
    let text = config(&mock, 0..TENANTS, dir.path());

    let a = replica(&text, pg.url()).await;
    wait_until(
        Duration::from_secs(20),
        "replica A runs every tenant",
        || a.connected() == TENANTS,
    )
    .await;
    let b = replica(&text, pg.url()).await;
    wait_until(
        Duration::from_secs(20),
        "the tenants are divided evenly",
        || a.connected() == TENANTS / 2 && b.connected() == TENANTS / 2,
    )
    .await;

    let mut raised = BTreeSet::new();
    for n in 0..TENANTS {
        let (id, header) = tenant(n);
        let live = mock.tenant_live(&header).unwrap();
        for _ in 0..5 {
            let uuid = live.raise("patient_accept", json!({"Patient_ID": "00001"}));
            raised.insert(format!("{id} {uuid}"));
        }
    }
    wait_until(Duration::from_secs(20), "every event is a row", || {
        rows(&pg) == raised
    })
    .await;

    // The metrics of A: per-tenant state, deliveries and lag; healthy while its leases renew.
    let addr = iryo_orca_fleet::metrics::serve(([127, 0, 0, 1], 0).into(), a.registry.clone())
        .await
        .unwrap();
    let (status, health) = get(addr, "/healthz").await;
    assert_eq!(status, 200, "{health}");
    let (status, metrics) = get(addr, "/metrics").await;
    assert_eq!(status, 200);
    let running_on_a: Vec<usize> = (0..TENANTS)
        .filter(|&n| {
            metrics.contains(&format!(
                "iryo_fleet_tenant_state{{tenant=\"{}\",state=\"connected\"}} 1",
                tenant(n).0
            ))
        })
        .collect();
    assert_eq!(running_on_a.len(), TENANTS / 2, "{metrics}");
    for &n in &running_on_a {
        let delivered = format!(
            "iryo_fleet_tenant_delivered_total{{tenant=\"{}\"}} 5",
            tenant(n).0
        );
        assert!(metrics.contains(&delivered), "{delivered} in {metrics}");
    }
    assert!(metrics.contains("iryo_fleet_tenant_lag_seconds{tenant="));
    assert!(!metrics.contains("pw-"), "no secret in the metrics");

    // Reload both: tenant 0 removed, tenant TENANTS added; the others are not touched.
    let connections = |n: usize| mock.tenant_live(&tenant(n).1).unwrap().connections();
    let before: Vec<u64> = (1..TENANTS).map(connections).collect();
    let reloaded = config(&mock, 1..=TENANTS, dir.path());
    for replica in [&a, &b] {
        let parsed = FleetConfig::parse(&reloaded).unwrap();
        replica.reload.send(parsed).await.unwrap();
    }
    wait_until(Duration::from_secs(20), "the added tenant runs", || {
        a.connected() + b.connected() == TENANTS
            && [&a, &b]
                .iter()
                .any(|r| r.registry.tenant(&tenant(TENANTS).0).state() == State::Connected)
    })
    .await;
    assert_eq!(
        mock.tenant_live(&tenant(0).1).unwrap().open_sockets(),
        0,
        "removed"
    );
    let after: Vec<u64> = (1..TENANTS).map(connections).collect();
    assert_eq!(before, after, "the other tenants kept their sockets");
    let (_, added) = tenant(TENANTS);
    let uuid = mock
        .tenant_live(&added)
        .unwrap()
        .raise("patient_accept", json!({}));
    raised.insert(format!("{} {uuid}", tenant(TENANTS).0));
    wait_until(
        Duration::from_secs(20),
        "the added tenant's event is a row",
        || rows(&pg) == raised,
    )
    .await;

    // A leaves (clean shutdown: its leases are given back); B takes every tenant.
    a.shutdown().await;
    for n in 1..=TENANTS {
        let (id, header) = tenant(n);
        let uuid = mock
            .tenant_live(&header)
            .unwrap()
            .raise("patient_accept", json!({}));
        raised.insert(format!("{id} {uuid}"));
    }
    wait_until(Duration::from_secs(20), "B runs every tenant", || {
        b.connected() == TENANTS
    })
    .await;
    wait_until(Duration::from_secs(20), "every event is a row", || {
        rows(&pg) == raised
    })
    .await;
    let duplicates = pg.psql(
        "SELECT count(*) FROM (SELECT tenant_id, data->>'uuid' FROM iryo.orca_events
         GROUP BY 1, 2 HAVING count(*) > 1) d",
    );
    assert_eq!(duplicates.trim(), "0");
    b.shutdown().await;
}

/// A plain HTTP/1.0 GET on loopback: the status and the body.
async fn get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    let status = answer[9..12].parse().unwrap();
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}
