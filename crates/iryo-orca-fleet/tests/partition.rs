//! A replica cut off from PostgreSQL in the middle of a fenced write leaves its transaction open on
//! the server, share-locking the tenant's lease row: the network never tells the server. iryo sets
//! `idle_in_transaction_session_timeout` on every session it opens, so the server ends that session
//! and another replica takes the tenant; without it the take waits for ever.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use iryo_orca_deliver::PostgresConnector;
use iryo_orca_fleet::lease::{FENCE, TABLES};
use iryo_orca_fleet::{Fleet, FleetConfig, FleetOptions, Registry, State};
use iryo_testkit::postgres::TestPostgres;
use iryo_testkit::relay::Relay;
use serde_json::json;
use tokio::sync::mpsc;

use common::{config, mock, tenant, wait_until};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_cut_off_mid_transaction_does_not_keep_its_tenant_from_the_others() {
    let pg = TestPostgres::start(Path::new(env!("CARGO_TARGET_TMPDIR")));
    let dir = tempfile::tempdir().unwrap();
    let mock = mock(1).await;
    let (id, header) = tenant(0);

    // Replica B holds the lease for one more second and is inside a fenced write when the
    // network between it and PostgreSQL stops passing anything.
    let direct = PostgresConnector::new(pg.url()).unwrap();
    direct
        .connect()
        .await
        .unwrap()
        .batch_execute(TABLES)
        .await
        .unwrap();
    let b = uuid::Uuid::new_v4();
    pg.psql(&format!(
        "INSERT INTO iryo.orca_fleet_lease (tenant_id, owner, epoch, expires_at) \
         VALUES ('{id}', '{b}', 1, clock_timestamp() + interval '1 second')"
    ));
    let relay = Relay::to(pg.addr());
    let cut_off = PostgresConnector::new(&pg.url_through(relay.addr().port())).unwrap();
    let session = cut_off.connect().await.unwrap();
    session.batch_execute("BEGIN").await.unwrap();
    let fenced = session.query_opt(FENCE, &[&id, &b]).await.unwrap();
    assert!(fenced.is_some(), "B passes its fence");
    relay.cut();

    // Replica A may take the tenant once the lease expires, and does.
    let registry = Arc::new(Registry::default());
    let parsed = FleetConfig::parse(&config(&mock, 0..1, dir.path())).unwrap();
    let a = Fleet::start(parsed, pg.url(), FleetOptions::default(), registry.clone())
        .await
        .unwrap();
    let (_reload, reloads) = mpsc::channel(1);
    let running = tokio::spawn(a.run(reloads, std::future::pending()));
    let took = wait_until(Duration::from_secs(15), "replica A runs the tenant", || {
        registry.count(State::Connected) == 1
    })
    .await;
    let stuck =
        pg.psql("SELECT count(*) FROM pg_stat_activity WHERE state LIKE 'idle in transaction%'");
    assert_eq!(stuck.trim(), "0", "the server ended the cut-off session");
    let owner = pg.psql(&format!(
        "SELECT owner FROM iryo.orca_fleet_lease WHERE tenant_id = '{id}'"
    ));
    assert_ne!(owner.trim(), b.to_string());

    // A's own writes pass the fence.
    let uuid = mock
        .tenant_live(&header)
        .unwrap()
        .raise("patient_accept", json!({}));
    wait_until(Duration::from_secs(10), "the event is a row", || {
        pg.psql("SELECT tenant_id || ' ' || uuid FROM iryo.orca_events")
            .trim()
            == format!("{id} {uuid}")
    })
    .await;
    running.abort();
    eprintln!("tenant taken {took:?} after the cut");
}
