//! A replica cut off from PostgreSQL (a TCP relay that stops passing bytes) stops its tenants by
//! its own lease clock before the other replica starts them; never two sockets for one tenant.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};

use iryo_testkit::postgres::TestPostgres;
use iryo_testkit::relay::Relay;
use serde_json::json;

use crate::fleet::{
    Replica, fleet_mock, header, id, open_sockets, rows, shares, wait_until, write_config,
};

type At = chrono::DateTime<chrono::Utc>;

/// The first `tenant state` line of each tenant moving `to` after `since`: its time and why.
fn transitions(log: &Path, to: &str, since: At) -> BTreeMap<String, (At, String)> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let mut first = BTreeMap::new();
    for line in text.lines() {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let at = value["timestamp"]
            .as_str()
            .and_then(|t| t.parse::<At>().ok());
        if value["message"] != "tenant state" || value["to"] != to || at.is_none_or(|at| at < since)
        {
            continue;
        }
        let (Some(tenant), Some(at)) = (value["tenant"].as_str(), at) else {
            continue;
        };
        let why = value["why"].as_str().unwrap_or_default().to_owned();
        first.entry(tenant.to_owned()).or_insert((at, why));
    }
    first
}

/// When each tenant connected (subscribed and caught up) after `since`.
fn connected_after(log: &Path, since: At) -> BTreeMap<String, At> {
    transitions(log, "connected", since)
        .into_iter()
        .map(|(tenant, (at, _))| (tenant, at))
        .collect()
}

#[test]
fn a_replica_cut_from_postgres_closes_its_sockets_before_the_other_opens_them() {
    const TENANTS: usize = 10;
    let pg = TestPostgres::start(Path::new(env!("CARGO_TARGET_TMPDIR")));
    let dir = tempfile::tempdir().unwrap();
    let mock = fleet_mock(TENANTS);
    let config = write_config(&mock, TENANTS, dir.path());
    let proxy = Relay::to(pg.addr());
    let via_proxy = pg.url_through(proxy.addr().port());
    let a = Replica::spawn(&config, pg.url(), dir.path().join("a.log"));
    let b = Replica::spawn(&config, &via_proxy, dir.path().join("b.log"));
    wait_until(
        Duration::from_secs(30),
        "two even shares, every tenant connected once",
        || {
            shares(&pg) == [TENANTS / 2, TENANTS / 2]
                && open_sockets(&mock, TENANTS) == [1; TENANTS]
        },
    );
    proxy.cut();
    let cut_at = chrono::Utc::now();
    // Never two sockets for one tenant, while events keep coming for every tenant.
    let mut raised = BTreeSet::new();
    let mut last_raise = Instant::now();
    loop {
        let open = open_sockets(&mock, TENANTS);
        assert!(
            open.iter().all(|&n| n <= 1),
            "a tenant ran on two replicas at once: {open:?}"
        );
        if last_raise.elapsed() > Duration::from_millis(200) {
            for n in 0..TENANTS {
                let uuid = mock
                    .tenant_live(&header(n))
                    .unwrap()
                    .raise("patient_accept", json!({}));
                raised.insert(format!("{} {uuid}", id(n)));
            }
            last_raise = Instant::now();
        }
        if shares(&pg) == [TENANTS]
            && open == [1; TENANTS]
            && connected_after(&a.log, cut_at).len() >= TENANTS / 2
        {
            break;
        }
        let waited = (chrono::Utc::now() - cut_at).to_std().unwrap_or_default();
        assert!(
            waited < Duration::from_secs(10),
            "no takeover within 10 s: {open:?}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    wait_until(
        Duration::from_secs(20),
        "every raised event is a row",
        || rows(&pg) == raised,
    );
    // From the logs: each of B's tenants stopped on B (by its own lease clock) before A started it.
    let started_on_a = transitions(&a.log, "catching_up", cut_at);
    let stopped_on_b = transitions(&b.log, "idle", cut_at);
    assert_eq!(
        stopped_on_b.len(),
        TENANTS / 2,
        "B's tenants stopped: {stopped_on_b:?}"
    );
    for (tenant, (stopped, why)) in &stopped_on_b {
        assert_eq!(why, "lease not renewed in time");
        let (started, _) = &started_on_a[tenant];
        assert!(
            stopped < started,
            "{tenant}: stopped on B at {stopped}, started on A at {started}"
        );
    }
    let taken = connected_after(&a.log, cut_at);
    let takeover = (*taken.values().max().unwrap() - cut_at).to_std().unwrap();
    assert!(
        takeover < Duration::from_secs(10),
        "takeover took {takeover:?}"
    );
    let _ = b.terminate();
    let _ = a.terminate();
    eprintln!("takeover after a cut from PostgreSQL: {takeover:?}");
}
