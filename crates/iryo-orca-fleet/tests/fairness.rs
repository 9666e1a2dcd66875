//! A tenant that floods (10,000 events at once) does not delay a quiet one: each tenant's queue is
//! bounded and the writes share the connections first come, first served, one batch per turn.
//! Here the replica has a single write connection, so every quiet write waits behind flood writes.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use iryo_orca_fleet::{Fleet, FleetConfig, FleetOptions, Registry, State};
use iryo_testkit::postgres::TestPostgres;
use serde_json::json;
use tokio::sync::{mpsc, oneshot};

use common::{config, mock, tenant, wait_until};

const FLOOD: usize = 10_000;
const QUIET: usize = 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flooding_tenant_does_not_delay_a_quiet_one() {
    let pg = TestPostgres::start(Path::new(env!("CARGO_TARGET_TMPDIR")));
    let dir = tempfile::tempdir().unwrap();
    let mock = mock(2).await;
    let parsed = FleetConfig::parse(&config(&mock, 0..2, dir.path())).unwrap();
    let registry = Arc::new(Registry::default());
    let options = FleetOptions {
        connections: 1,
        ..FleetOptions::default()
    };
    let fleet = Fleet::start(parsed, pg.url(), options, registry.clone())
        .await
        .unwrap();
    let (_reload, reloads) = mpsc::channel(1);
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(fleet.run(reloads, async {
        let _ = stopped.await;
    }));
    wait_until(Duration::from_secs(20), "both tenants connected", || {
        registry.count(State::Connected) == 2
    })
    .await;

    let (flood_id, flood_header) = tenant(0);
    let (quiet_id, quiet_header) = tenant(1);
    let flood = mock.tenant_live(&flood_header).unwrap();
    let quiet = mock.tenant_live(&quiet_header).unwrap();
    let flooding = tokio::task::spawn_blocking(move || {
        for n in 0..FLOOD {
            flood.raise("patient_accept", json!({ "Patient_ID": format!("{n:05}") }));
        }
    });
    // Quiet events while the flood is being written: count those raised with flood rows pending.
    let mut raised_at = BTreeMap::new();
    let mut during_flood = 0;
    for _ in 0..QUIET {
        let at = chrono::Utc::now();
        raised_at.insert(quiet.raise("patient_accept", json!({})), at);
        if count(&pg, &flood_id) < FLOOD {
            during_flood += 1;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    flooding.await.unwrap();
    wait_until(Duration::from_secs(60), "every event is a row", || {
        count(&pg, &quiet_id) == QUIET && count(&pg, &flood_id) == FLOOD
    })
    .await;

    let mut latencies: Vec<f64> = pg
        .psql(&format!(
            "SELECT uuid, extract(epoch FROM received_at) FROM iryo.orca_events WHERE tenant_id = '{quiet_id}'"
        ))
        .lines()
        .map(|line| {
            let (uuid, at) = line.split_once('|').unwrap();
            let raised = raised_at[uuid].timestamp_micros() as f64 / 1e6;
            at.parse::<f64>().unwrap() - raised
        })
        .collect();
    latencies.sort_by(f64::total_cmp);
    let worst = latencies.last().copied().unwrap();
    eprintln!(
        "quiet tenant raise-to-row: p50 {:.3} s, max {worst:.3} s; {during_flood} of {QUIET} raised while the flood was being written",
        latencies[latencies.len() / 2]
    );
    assert!(
        worst < 1.0,
        "a quiet event waited {worst:.3} s behind the flood"
    );
    let _ = stop.send(());
    let _ = task.await;
}

fn count(pg: &TestPostgres, tenant: &str) -> usize {
    pg.psql(&format!(
        "SELECT count(*) FROM iryo.orca_events WHERE tenant_id = '{tenant}'"
    ))
    .trim()
    .parse()
    .unwrap()
}
