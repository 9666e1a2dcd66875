//! Webhook and command tenants against the multi-tenant mock, a real PostgreSQL (the cursor and
//! the lease) and a real webhook receiver checking every signature: every event delivered once
//! per tenant in order, across a restart too; a receiver down for one tenant does not delay the
//! others and gets its events once it is back; a replica whose lease was taken delivers nothing
//! more; a rewind of a tenant's cursor is written to PostgreSQL.

mod common;
#[path = "common/receiver.rs"]
mod receiver;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use iryo_orca_fleet::{Fleet, FleetConfig, FleetOptions, Registry, State};
use iryo_testkit::postgres::TestPostgres;
use serde_json::json;
use tokio::sync::{mpsc, oneshot};

use common::{config_with, mock, tenant, wait_until};
use receiver::Receiver;

/// The signing secret of tenant `n` (each its own key).
fn secret(n: usize) -> String {
    use base64::Engine as _;
    let key = format!("the signing key of tenant {n:03}, 32+ bytes");
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(key)
    )
}

struct Running {
    registry: Arc<Registry>,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

async fn start(text: &str, url: &str) -> Running {
    let registry = Arc::new(Registry::default());
    let mut options = FleetOptions::default();
    options.delivery.retry_max = Duration::from_millis(500);
    let parsed = FleetConfig::parse(text).expect("the configuration is valid");
    let fleet = Fleet::start(parsed, url, options, registry.clone())
        .await
        .expect("the replica starts");
    let (_reload, reloads) = mpsc::channel(1);
    let (stop, stopped) = oneshot::channel();
    let task = tokio::spawn(fleet.run(reloads, async move {
        let _keep = _reload;
        let _ = stopped.await;
    }));
    Running {
        registry,
        stop,
        task,
    }
}

impl Running {
    async fn connected(&self, count: usize) {
        wait_until(Duration::from_secs(20), "the tenants connect", || {
            self.registry.count(State::Connected) == count
        })
        .await;
    }

    async fn shutdown(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

/// A webhook tenant, its signing secret in a file (by the environment: the CLI tests).
fn webhook(receiver: &Receiver, dir: &Path, n: usize) -> String {
    let (id, _) = tenant(n);
    let file = dir.join(format!("{id}.whsec"));
    std::fs::write(&file, format!("{}\n", secret(n))).unwrap();
    format!(
        "sink = \"webhook\"\nwebhook = {{ url = \"{}\", secret_file = \"{}\" }}\n",
        receiver.url(&id),
        file.display()
    )
}

fn raise(mock: &iryo_mock::orca::OrcaMock, n: usize, count: usize) -> Vec<String> {
    let live = mock.tenant_live(&tenant(n).1).unwrap();
    (0..count)
        .map(|i| live.raise("patient_accept", json!({"Patient_ID": format!("{i:05}")})))
        .collect()
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["uuid"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_and_command_tenants_get_every_event_once_in_order_across_a_restart() {
    let pg = TestPostgres::start(Path::new(env!("CARGO_TARGET_TMPDIR")));
    let dir = tempfile::tempdir().unwrap();
    let mock = mock(3).await;
    let receiver = Receiver::start(&[(tenant(0).0, secret(0)), (tenant(1).0, secret(1))]).await;
    let out = dir.path().join("command");
    std::fs::create_dir(&out).unwrap();
    let text = config_with(&mock, 0..3, dir.path(), |n| match n {
        2 => format!(
            "sink = \"command\"\ncommand = {{ run = 'cat >> {}/$IRYO_TENANT_ID.jsonl' }}\n",
            out.display()
        ),
        n => webhook(&receiver, dir.path(), n),
    });
    let command_file = out.join(format!("{}.jsonl", tenant(2).0));

    let replica = start(&text, pg.url()).await;
    replica.connected(3).await;
    let mut raised: Vec<Vec<String>> = (0..3).map(|n| raise(&mock, n, 20)).collect();
    let delivered = |raised: &[Vec<String>]| {
        receiver.uuids(&tenant(0).0) == raised[0]
            && receiver.uuids(&tenant(1).0) == raised[1]
            && lines(&command_file) == raised[2]
    };
    wait_until(
        Duration::from_secs(30),
        "every event delivered in order",
        || delivered(&raised),
    )
    .await;
    // The cursor is in PostgreSQL, keyed by tenant; no rows for these receivers.
    for (n, uuids) in raised.iter().enumerate() {
        let query = format!(
            "SELECT last_uuid FROM iryo.orca_cursor WHERE tenant_id = '{}'",
            tenant(n).0
        );
        assert_eq!(pg.psql(&query).trim(), uuids.last().unwrap());
    }
    assert_eq!(pg.psql("SELECT count(*) FROM iryo.orca_events").trim(), "0");

    // A restart catches up from the cursor a few minutes back: what was delivered is not again.
    replica.shutdown().await;
    for (n, more) in (0..3).map(|n| raise(&mock, n, 5)).enumerate() {
        raised[n].extend(more);
    }
    let replica = start(&text, pg.url()).await;
    replica.connected(3).await;
    for (n, more) in (0..3).map(|n| raise(&mock, n, 5)).enumerate() {
        raised[n].extend(more);
    }
    wait_until(
        Duration::from_secs(30),
        "every event once, in order",
        || delivered(&raised),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(delivered(&raised), "nothing more came");
    assert_eq!(
        receiver.bad(),
        Vec::<String>::new(),
        "every signature checks"
    );
    replica.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_down_for_one_tenant_does_not_delay_the_others() {
    let pg = TestPostgres::start(Path::new(env!("CARGO_TARGET_TMPDIR")));
    let dir = tempfile::tempdir().unwrap();
    let mock = mock(2).await;
    let receiver = Receiver::start(&[(tenant(0).0, secret(0)), (tenant(1).0, secret(1))]).await;
    let text = config_with(&mock, 0..2, dir.path(), |n| {
        webhook(&receiver, dir.path(), n)
    });
    let replica = start(&text, pg.url()).await;
    replica.connected(2).await;

    let (down, up) = (tenant(0).0, tenant(1).0);
    receiver.set_down(&down, true);
    let mut raised = (Vec::new(), Vec::new());
    let mut latencies = Vec::new();
    for _ in 0..10 {
        raised.0.extend(raise(&mock, 0, 1));
        let at = Instant::now();
        let uuid = raise(&mock, 1, 1).remove(0);
        wait_until(Duration::from_secs(5), "the other tenant's event", || {
            receiver.uuids(&up).contains(&uuid)
        })
        .await;
        let got = receiver
            .got(&up)
            .into_iter()
            .find(|g| g.uuid == uuid)
            .unwrap();
        latencies.push(got.at - at);
        raised.1.push(uuid);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let worst = latencies.iter().max().unwrap();
    assert!(*worst < Duration::from_secs(1), "{latencies:?}");
    eprintln!("the other tenant's raise to receiver, while one receiver is down: max {worst:?}");
    assert!(receiver.uuids(&down).is_empty(), "the receiver was down");
    assert_eq!(receiver.uuids(&up), raised.1);

    receiver.set_down(&down, false);
    let back = wait_until(
        Duration::from_secs(20),
        "the events once it is back",
        || receiver.uuids(&down) == raised.0,
    )
    .await;
    eprintln!("the tenant whose receiver was down: all its events {back:?} after it is back");
    let cursor = pg.psql(&format!(
        "SELECT last_uuid FROM iryo.orca_cursor WHERE tenant_id = '{down}'"
    ));
    assert_eq!(cursor.trim(), raised.0.last().unwrap());
    replica.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_whose_lease_was_taken_delivers_nothing_more() {
    let pg = TestPostgres::start(Path::new(env!("CARGO_TARGET_TMPDIR")));
    let dir = tempfile::tempdir().unwrap();
    let mock = mock(1).await;
    let receiver = Receiver::start(&[(tenant(0).0, secret(0))]).await;
    let text = config_with(&mock, 0..1, dir.path(), |n| {
        webhook(&receiver, dir.path(), n)
    });
    let replica = start(&text, pg.url()).await;
    replica.connected(1).await;
    let first = raise(&mock, 0, 1);
    wait_until(Duration::from_secs(10), "the first event", || {
        receiver.uuids(&tenant(0).0) == first
    })
    .await;

    // Another replica holds the lease now (as after a takeover this one has not noticed yet).
    pg.psql(
        "UPDATE iryo.orca_fleet_lease SET owner = gen_random_uuid(), \
         expires_at = clock_timestamp() + interval '1 hour'",
    );
    raise(&mock, 0, 3);
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(receiver.uuids(&tenant(0).0), first, "nothing delivered");
    let cursor = pg.psql("SELECT last_uuid FROM iryo.orca_cursor");
    assert_eq!(cursor.trim(), first[0], "the cursor did not move");
    assert_eq!(replica.registry.count(State::Connected), 0);
    replica.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rewind_of_a_tenants_cursor_is_written_to_postgres() {
    let pg = TestPostgres::start(Path::new(env!("CARGO_TARGET_TMPDIR")));
    let dir = tempfile::tempdir().unwrap();
    let mock = mock(1).await;
    let tables = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../specs/orca/orca_events.sql"
    );
    pg.psql(&std::fs::read_to_string(tables).unwrap());
    // The cursor a day ahead of the clock (a server clock set back, say).
    pg.psql(&format!(
        "INSERT INTO iryo.orca_cursor VALUES ('{}', gen_random_uuid(), now() + interval '1 day', \
         now() + interval '1 day')",
        tenant(0).0
    ));
    let text = common::config(&mock, 0..1, dir.path());
    let replica = start(&text, pg.url()).await;
    replica.connected(1).await;
    let query = "SELECT last_uuid IS NULL AND covered_until < now() + interval '1 hour' \
                 FROM iryo.orca_cursor";
    let started = Instant::now();
    while pg.psql(query).trim() != "t" {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the rewind was not written: {}",
            pg.psql("SELECT * FROM iryo.orca_cursor")
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // And the tenant's events still arrive (from the clock, not from a day ahead).
    let uuid = raise(&mock, 0, 1).remove(0);
    wait_until(Duration::from_secs(10), "the event is a row", || {
        pg.psql("SELECT uuid FROM iryo.orca_events").trim() == uuid
    })
    .await;
    replica.shutdown().await;
}
