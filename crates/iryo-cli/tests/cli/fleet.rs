//! `iryo orca fleet` replicas as processes, on the multi-tenant ORCA mock and a real PostgreSQL:
//! 50 tenants over 2 replicas, events raised for every tenant while one replica is SIGKILLed
//! (every tenant runs again within 10 s, every event is one row); a replica cut off from
//! PostgreSQL: see `fleet_cut`; SIGHUP; a bad configuration.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use iryo_mock::orca::{Clock, OrcaMock};
use iryo_testkit::postgres::{TEST_PASSWORD, TestPostgres};
use serde_json::json;

use crate::common::{Served, iryo, serve};

pub(crate) fn header(n: usize) -> String {
    format!("{}", 100 + n)
}

pub(crate) fn id(n: usize) -> String {
    format!("clinic-{n:03}")
}

pub(crate) fn fleet_mock(tenants: usize) -> Served<OrcaMock> {
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
pub(crate) fn write_config(mock: &OrcaMock, tenants: usize, dir: &Path) -> std::path::PathBuf {
    write_config_of(mock, 0..tenants, dir)
}

/// The TOML of the tenants `which` of `mock`.
pub(crate) fn write_config_of(
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

pub(crate) struct Replica {
    child: Child,
    pub(crate) log: std::path::PathBuf,
}

impl Replica {
    pub(crate) fn spawn(config: &Path, postgres: &str, log: std::path::PathBuf) -> Replica {
        Replica::spawn_with(config, postgres, log, &[])
    }

    /// [`Replica::spawn`] with more environment variables (secrets named by the file).
    pub(crate) fn spawn_with(
        config: &Path,
        postgres: &str,
        log: std::path::PathBuf,
        env: &[(&str, &str)],
    ) -> Replica {
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
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("iryo starts");
        Replica { child, log }
    }

    pub(crate) fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub(crate) fn terminate(mut self) -> String {
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

pub(crate) fn wait_until(limit: Duration, what: &str, mut done: impl FnMut() -> bool) -> Duration {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "not within {limit:?}: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
    started.elapsed()
}

/// Live leases per owner, e.g. `[25, 25]` (none before a replica created the table).
pub(crate) fn shares(pg: &TestPostgres) -> Vec<usize> {
    let exists = pg.psql("SELECT to_regclass('iryo.orca_fleet_lease') IS NOT NULL");
    if exists.trim() != "t" {
        return Vec::new();
    }
    let text = pg.psql(
        "SELECT count(*) FROM iryo.orca_fleet_lease WHERE expires_at > now() GROUP BY owner ORDER BY 1",
    );
    text.lines().filter_map(|l| l.trim().parse().ok()).collect()
}

pub(crate) fn open_sockets(mock: &OrcaMock, tenants: usize) -> Vec<u64> {
    (0..tenants)
        .map(|n| mock.tenant_live(&header(n)).unwrap().open_sockets())
        .collect()
}

pub(crate) fn rows(pg: &TestPostgres) -> BTreeSet<String> {
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
