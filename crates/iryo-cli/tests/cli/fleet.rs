//! `iryo orca fleet` replicas as processes, on the multi-tenant ORCA mock and a real PostgreSQL:
//! 50 tenants over 2 replicas, events raised for every tenant while one replica is SIGKILLed
//! (every tenant runs again within 10 s, every event is one row); a replica cut off from
//! PostgreSQL closes its tenants' sockets before the other replica opens them.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use iryo_mock::orca::{Clock, OrcaMock};
use iryo_testkit::postgres::{TEST_PASSWORD, TestPostgres};
use serde_json::json;

use crate::common::{Served, iryo, serve};

fn header(n: usize) -> String {
    format!("{}", 100 + n)
}

fn id(n: usize) -> String {
    format!("clinic-{n:03}")
}

fn fleet_mock(tenants: usize) -> Served<OrcaMock> {
    let mut builder = OrcaMock::builder().fixtures(false).clock(Clock::System);
    for n in 0..tenants {
        builder = builder.tenant(
            header(n),
            format!("user{}", header(n)),
            format!("pw-{}", header(n)),
        );
    }
    serve(builder.spawn())
}

/// The TOML of `tenants` tenants of `mock`, passwords in files under `dir`.
fn write_config(mock: &OrcaMock, tenants: usize, dir: &Path) -> std::path::PathBuf {
    write_config_of(mock, 0..tenants, dir)
}

/// The TOML of the tenants `which` of `mock`.
fn write_config_of(
    mock: &OrcaMock,
    which: impl IntoIterator<Item = usize>,
    dir: &Path,
) -> std::path::PathBuf {
    let mut text = format!(
        "[defaults]\nws_url = \"{}\"\nbase_url = \"{}\"\n",
        mock.ws_url(),
        mock.base_url()
    );
    for n in which {
        let password = dir.join(format!("{}.pw", id(n)));
        std::fs::write(&password, format!("pw-{}", header(n))).unwrap();
        text.push_str(&format!(
            "\n[[tenants]]\nid = \"{}\"\ntenant_header = \"{}\"\nuser = \"user{}\"\npassword_file = \"{}\"\n",
            id(n),
            header(n),
            header(n),
            password.display()
        ));
    }
    let path = dir.join("fleet.toml");
    std::fs::write(&path, text).unwrap();
    path
}

struct Replica {
    child: Child,
    log: std::path::PathBuf,
}

impl Replica {
    fn spawn(config: &Path, postgres: &str, log: std::path::PathBuf) -> Replica {
        let stderr = std::fs::File::create(&log).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_iryo"))
            .args(["orca", "fleet", "--config"])
            .arg(config)
            .args([
                "--postgres",
                "--metrics-addr",
                "127.0.0.1:0",
                "--log-format",
                "json",
            ])
            .env("IRYO_POSTGRES_URL", postgres)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("iryo starts");
        Replica { child, log }
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn terminate(mut self) -> String {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        assert!(!log.contains(TEST_PASSWORD), "the password is in the log");
        for n in 0..3 {
            assert!(
                !log.contains(&format!("pw-{}", header(n))),
                "a tenant's password is in the log"
            );
        }
        log
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        self.kill();
    }
}

fn wait_until(limit: Duration, what: &str, mut done: impl FnMut() -> bool) -> Duration {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "not within {limit:?}: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
    started.elapsed()
}

/// Live leases per owner, e.g. `[25, 25]` (none before a replica created the table).
fn shares(pg: &TestPostgres) -> Vec<usize> {
    let exists = pg.psql("SELECT to_regclass('iryo.orca_fleet_lease') IS NOT NULL");
    if exists.trim() != "t" {
        return Vec::new();
    }
    let text = pg.psql(
        "SELECT count(*) FROM iryo.orca_fleet_lease WHERE expires_at > now() GROUP BY owner ORDER BY 1",
    );
    text.lines().filter_map(|l| l.trim().parse().ok()).collect()
}

fn open_sockets(mock: &OrcaMock, tenants: usize) -> Vec<u64> {
    (0..tenants)
        .map(|n| mock.tenant_live(&header(n)).unwrap().open_sockets())
        .collect()
}

fn rows(pg: &TestPostgres) -> BTreeSet<String> {
    pg.psql("SELECT tenant_id || ' ' || uuid FROM iryo.orca_events")
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn fifty_tenants_two_replicas_one_sigkilled_every_event_one_row() {
    const TENANTS: usize = 50;
    let pg = TestPostgres::start(Path::new(env!("CARGO_TARGET_TMPDIR")));
    let dir = tempfile::tempdir().unwrap();
    let mock = fleet_mock(TENANTS);
    let config = write_config(&mock, TENANTS, dir.path());
    let mut a = Replica::spawn(&config, pg.url(), dir.path().join("a.log"));
    let b = Replica::spawn(&config, pg.url(), dir.path().join("b.log"));
    wait_until(
        Duration::from_secs(30),
        "two even shares, every tenant connected once",
        || {
            shares(&pg) == [TENANTS / 2, TENANTS / 2]
                && open_sockets(&mock, TENANTS) == [1; TENANTS]
        },
    );

    let mut raised = BTreeSet::new();
    let mut killed_at = None;
    for round in 0..20 {
        for n in 0..TENANTS {
            let live = mock.tenant_live(&header(n)).unwrap();
            let uuid = live.raise(
                "patient_accept",
                json!({"Patient_ID": format!("{round:05}")}),
            );
            raised.insert(format!("{} {uuid}", id(n)));
        }
        if round == 5 {
            a.kill();
            killed_at = Some(Instant::now());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let killed_at = killed_at.unwrap();
    wait_until(
        Duration::from_secs(10).saturating_sub(killed_at.elapsed()),
        "B runs every tenant",
        || shares(&pg) == [TENANTS] && open_sockets(&mock, TENANTS) == [1; TENANTS],
    );
    let takeover = killed_at.elapsed();
    assert!(
        takeover < Duration::from_secs(10),
        "takeover took {takeover:?}"
    );
    wait_until(
        Duration::from_secs(20),
        "every raised event is a row",
        || rows(&pg) == raised,
    );
    let duplicates =
        pg.psql("SELECT count(*) - count(DISTINCT (tenant_id, uuid)) FROM iryo.orca_events");
    assert_eq!(duplicates.trim(), "0");
    let log = b.terminate();
    assert!(
        log.lines().any(|l| l.contains("\"to\":\"connected\"")),
        "JSON state lines: {log}"
    );
    eprintln!("takeover after SIGKILL: {takeover:?}");
}

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

/// A TCP relay to PostgreSQL that can be cut: bytes stop flowing both ways, the connections stay
/// open (a network partition, not a reset).
struct Relay {
    addr: SocketAddr,
    cut: Arc<AtomicBool>,
}

fn relay(upstream: SocketAddr) -> Relay {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let cut = Arc::new(AtomicBool::new(false));
    let flag = cut.clone();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            if flag.load(Ordering::SeqCst) {
                std::mem::forget(client);
                continue;
            }
            let Ok(server) = TcpStream::connect(upstream) else {
                continue;
            };
            for (mut from, mut to) in [
                (client.try_clone().unwrap(), server.try_clone().unwrap()),
                (server, client),
            ] {
                let flag = flag.clone();
                std::thread::spawn(move || {
                    let mut buffer = [0u8; 16 * 1024];
                    while let Ok(n) = from.read(&mut buffer) {
                        if n == 0 || flag.load(Ordering::SeqCst) {
                            // Cut: hold both ends open, pass nothing.
                            while flag.load(Ordering::SeqCst) || n == 0 {
                                std::thread::sleep(Duration::from_millis(50));
                                if n == 0 {
                                    let _ = to.shutdown(std::net::Shutdown::Write);
                                    return;
                                }
                            }
                            return;
                        }
                        if to.write_all(&buffer[..n]).is_err() {
                            return;
                        }
                    }
                });
            }
        }
    });
    Relay { addr, cut }
}

#[test]
fn a_replica_cut_from_postgres_closes_its_sockets_before_the_other_opens_them() {
    const TENANTS: usize = 10;
    let pg = TestPostgres::start(Path::new(env!("CARGO_TARGET_TMPDIR")));
    let dir = tempfile::tempdir().unwrap();
    let mock = fleet_mock(TENANTS);
    let config = write_config(&mock, TENANTS, dir.path());
    let port: u16 = pg
        .url()
        .rsplit(':')
        .next()
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let proxy = relay(SocketAddr::from(([127, 0, 0, 1], port)));
    let via_proxy = pg
        .url()
        .replace(&format!(":{port}/"), &format!(":{}/", proxy.addr.port()));
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
    proxy.cut.store(true, Ordering::SeqCst);
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

#[test]
fn a_bad_configuration_is_refused_before_anything_starts_naming_tenant_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("fleet.toml");
    std::fs::write(
        &config,
        "[defaults]\nws_url = \"ws://127.0.0.1:9/ws\"\nbase_url = \"http://127.0.0.1:9\"\n\
         [[tenants]]\nid = \"clinic-a\"\nuser = \"ormaster\"\npassword_env = \"IRYO_FLEET_TEST_NOT_SET\"\n",
    )
    .unwrap();
    let config = config.to_str().unwrap();
    // The database is not even tried: port 9 on loopback answers nothing.
    let run = iryo(&[
        "orca",
        "fleet",
        "--config",
        config,
        "--postgres",
        "postgres://u:pg-Secret-1@127.0.0.1:9/db",
    ])
    .run();
    let line = run.single_error_line(4);
    assert!(
        line.contains("tenant \"clinic-a\": password_env:"),
        "{line}"
    );
    assert!(!line.contains("pg-Secret-1"), "{line}");
}

#[test]
fn sighup_adds_and_removes_tenants_without_touching_the_others() {
    const TENANTS: usize = 5;
    let pg = TestPostgres::start(Path::new(env!("CARGO_TARGET_TMPDIR")));
    let dir = tempfile::tempdir().unwrap();
    let mock = fleet_mock(TENANTS);
    let config = write_config_of(&mock, 0..TENANTS - 1, dir.path());
    let replica = Replica::spawn(&config, pg.url(), dir.path().join("a.log"));
    wait_until(
        Duration::from_secs(30),
        "the first four tenants connected",
        || open_sockets(&mock, TENANTS) == [1, 1, 1, 1, 0],
    );
    let connections = || -> Vec<u64> {
        (1..TENANTS - 1)
            .map(|n| mock.tenant_live(&header(n)).unwrap().connections())
            .collect()
    };
    let before = connections();
    // Tenant 0 removed, tenant 4 added; a bad file first, which is refused and changes nothing.
    std::fs::write(&config, "[[tenants]]\nid = \"broken\"\n").unwrap();
    let hangup = || {
        let status = Command::new("kill")
            .args(["-HUP", &replica.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    };
    hangup();
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        open_sockets(&mock, TENANTS),
        [1, 1, 1, 1, 0],
        "a refused file changes nothing"
    );
    write_config_of(&mock, 1..TENANTS, dir.path());
    hangup();
    wait_until(
        Duration::from_secs(15),
        "tenant 0 stopped, tenant 4 connected",
        || open_sockets(&mock, TENANTS) == [0, 1, 1, 1, 1],
    );
    assert_eq!(
        connections(),
        before,
        "the other tenants kept their sockets"
    );
    let uuid = mock
        .tenant_live(&header(4))
        .unwrap()
        .raise("patient_accept", json!({}));
    wait_until(
        Duration::from_secs(15),
        "the added tenant's event is a row",
        || rows(&pg).contains(&format!("{} {uuid}", id(4))),
    );
    let log = replica.terminate();
    assert!(log.contains("the running configuration is kept"), "{log}");
    assert!(log.contains("configuration reloaded"), "{log}");
}
