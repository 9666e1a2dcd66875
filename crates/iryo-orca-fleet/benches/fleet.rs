//! Many tenants on the multi-tenant mock and a real PostgreSQL, each replica a child process (so
//! that its peak memory is its own): time until every tenant is connected and caught up, the
//! replica's peak memory, raise-to-row latency of a quiet tenant alone and while another tenant
//! floods 10,000 events, and the takeover time after one of two replicas is SIGKILLed.
//!
//! Run: `cargo bench -p iryo-orca-fleet --bench fleet` (`IRYO_FLEET_TENANTS`, default 500;
//! `IRYO_FLEET_FLOOD`, default 10,000; `IRYO_FLEET_SINK=webhook`: every tenant posts to a
//! receiver in the bench process, its own URL and a signing secret, instead of rows).
//! Without `--bench` (as `cargo test --all-targets` runs it) it is a smoke run with 20 tenants.

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use iryo_mock::orca::live::LiveControl;
use iryo_mock::orca::{Clock, OrcaMock};
use iryo_orca_fleet::{Fleet, FleetConfig, FleetOptions, Registry};
use iryo_testkit::postgres::TestPostgres;
use serde_json::json;

#[path = "support/hook.rs"]
mod hook;

/// Where the bench reads what was delivered: the rows, or the webhook receiver's log.
enum Deliveries<'a> {
    Rows(&'a TestPostgres),
    Hook(&'a hook::Receiver),
}

impl Deliveries<'_> {
    fn count(&self, tenant: &str) -> usize {
        match self {
            Deliveries::Rows(pg) => count(pg, tenant),
            Deliveries::Hook(receiver) => receiver.count(tenant),
        }
    }

    /// (uuid, Unix seconds when delivered).
    fn times(&self, tenant: &str) -> Vec<(String, f64)> {
        match self {
            Deliveries::Rows(pg) => pg
                .psql(&format!(
                    "SELECT uuid, extract(epoch FROM received_at) FROM iryo.orca_events WHERE tenant_id = '{tenant}'"
                ))
                .lines()
                .filter_map(|line| {
                    let (uuid, at) = line.split_once('|')?;
                    Some((uuid.to_owned(), at.parse().ok()?))
                })
                .collect(),
            Deliveries::Hook(receiver) => receiver.times(tenant),
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--child") {
        child(&args[at + 1], &args[at + 2]);
        return;
    }
    if args.iter().any(|a| a == "--list") {
        println!("fleet: benchmark");
        return;
    }
    let smoke = !args.iter().any(|a| a == "--bench");
    let tenants: usize = std::env::var("IRYO_FLEET_TENANTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if smoke { 20 } else { 500 });
    let flood = std::env::var("IRYO_FLEET_FLOOD")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if smoke { 1_000 } else { 10_000 });
    run(tenants, flood);
}

/// A replica in this process: prints `metrics ADDR`, then runs until killed.
fn child(config: &str, postgres: &str) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let parsed = FleetConfig::load(Path::new(config)).expect("the configuration");
        let registry = Arc::new(Registry::default());
        let fleet = Fleet::start(parsed, postgres, FleetOptions::default(), registry.clone())
            .await
            .expect("the replica starts");
        let addr = iryo_orca_fleet::metrics::serve(([127, 0, 0, 1], 0).into(), registry)
            .await
            .unwrap();
        println!("metrics {addr}");
        let (_reload, reloads) = tokio::sync::mpsc::channel(1);
        fleet.run(reloads, std::future::pending()).await;
    });
}

struct Replica {
    child: Child,
    metrics: String,
}

impl Replica {
    fn spawn(config: &Path, postgres: &str) -> Replica {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .arg("--child")
            .arg(config)
            .arg(postgres)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let metrics = line.trim().trim_start_matches("metrics ").to_owned();
        Replica { child, metrics }
    }

    fn peak_mib(&self) -> f64 {
        iryo_testkit::probe::peak_rss_kib_of(self.child.id()) as f64 / 1024.0
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Tenants connected here, from `/healthz`.
    fn connected(&self) -> usize {
        let body = http_get(&self.metrics, "/healthz");
        let value: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        value["connected"].as_u64().unwrap_or(0) as usize
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        self.kill();
    }
}

fn http_get(addr: &str, path: &str) -> String {
    use std::io::{Read as _, Write as _};
    let Ok(mut stream) = std::net::TcpStream::connect(addr) else {
        return String::new();
    };
    let _ = write!(stream, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n");
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default()
}

fn header(n: usize) -> String {
    format!("{}", 1000 + n)
}

fn id(n: usize) -> String {
    format!("clinic-{n:04}")
}

fn wait_until(limit: Duration, what: &str, mut done: impl FnMut() -> bool) -> Duration {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "not within {limit:?}: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
    started.elapsed()
}

fn write_config(
    mock: &OrcaMock,
    tenants: usize,
    dir: &Path,
    hook: Option<&hook::Receiver>,
) -> std::path::PathBuf {
    let mut text = format!(
        "[defaults]\nws_url = \"{}\"\nbase_url = \"{}\"\n",
        mock.ws_url(),
        mock.base_url()
    );
    let whsec = dir.join("whsec");
    std::fs::write(&whsec, "whsec_dGhlIGJlbmNoJ3Mgd2ViaG9vayBzaWduaW5nIGtleSE=").unwrap();
    for n in 0..tenants {
        let password = dir.join(format!("{}.pw", id(n)));
        std::fs::write(&password, format!("pw-{}", header(n))).unwrap();
        text.push_str(&format!(
            "[[tenants]]\nid = \"{}\"\ntenant_header = \"{}\"\nuser = \"user{}\"\npassword_file = \"{}\"\n",
            id(n),
            header(n),
            header(n),
            password.display()
        ));
        if let Some(hook) = hook {
            text.push_str(&format!(
                "sink = \"webhook\"\nwebhook = {{ url = \"{}/{}\", secret_file = \"{}\" }}\n",
                hook.base,
                id(n),
                whsec.display()
            ));
        }
    }
    let config = dir.join("fleet.toml");
    std::fs::write(&config, text).unwrap();
    config
}

fn run(tenants: usize, flood: usize) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let pg = TestPostgres::start(Path::new(env!("CARGO_TARGET_TMPDIR")));
    let dir = tempfile::tempdir().unwrap();
    let mock = runtime.block_on(async {
        let mut builder = OrcaMock::builder().fixtures(false).clock(Clock::System);
        for n in 0..tenants {
            let (user, password) = (format!("user{}", header(n)), format!("pw-{}", header(n)));
            builder = builder.tenant(header(n), user, password);
        }
        builder.spawn().await.unwrap()
    });
    let webhook = std::env::var("IRYO_FLEET_SINK").is_ok_and(|v| v == "webhook");
    let receiver = webhook.then(|| hook::Receiver::start(&runtime));
    let config = write_config(&mock, tenants, dir.path(), receiver.as_ref());
    let delivered = match &receiver {
        Some(receiver) => Deliveries::Hook(receiver),
        None => Deliveries::Rows(&pg),
    };
    let _guard = runtime.enter();

    let sink = if webhook { "a webhook each" } else { "rows" };
    println!(
        "iryo orca fleet: {tenants} tenants on the mock ({sink}), PostgreSQL on loopback, replicas as child processes"
    );
    println!("| measure | value |\n|---|---:|");
    let mut a = Replica::spawn(&config, pg.url());
    let connected = wait_until(Duration::from_secs(300), "every tenant connected", || {
        a.connected() == tenants
    });
    println!(
        "| all {tenants} tenants connected and caught up, one replica | {:.2} s |",
        connected.as_secs_f64()
    );

    let quiet = mock.tenant_live(&header(1)).unwrap();
    let alone = latencies(&delivered, &quiet, &id(1), 50, || {}, || false);
    let flooding = mock.tenant_live(&header(0)).unwrap();
    let flood_id = id(0);
    let with_flood = latencies(
        &delivered,
        &quiet,
        &id(1),
        50,
        || {
            for _ in 0..flood {
                flooding.raise("patient_accept", json!({}));
            }
        },
        || delivered.count(&flood_id) < flood,
    );
    wait_until(Duration::from_secs(120), "the flood is delivered", || {
        delivered.count(&id(0)) >= flood
    });
    println!(
        "| quiet tenant raise-to-delivery p50 / p99, alone | {:.0} / {:.0} ms |",
        alone.0 * 1e3,
        alone.1 * 1e3
    );
    println!(
        "| the same while another tenant floods {flood} events at once ({} of 50 raised while flood rows were pending) | {:.0} / {:.0} ms |",
        with_flood.2,
        with_flood.0 * 1e3,
        with_flood.1 * 1e3
    );

    let b = Replica::spawn(&config, pg.url());
    wait_until(Duration::from_secs(300), "two even shares", || {
        a.connected() == tenants / 2 && b.connected() == tenants - tenants / 2
    });
    println!(
        "| peak memory of the replica that ran all {tenants} tenants | {:.1} MiB |",
        a.peak_mib()
    );
    a.kill();
    let takeover = wait_until(Duration::from_secs(120), "B runs every tenant", || {
        b.connected() == tenants
    });
    println!(
        "| takeover after SIGKILL of one of two replicas (every tenant connected again) | {:.2} s |",
        takeover.as_secs_f64()
    );
    println!(
        "| peak memory of the surviving replica | {:.1} MiB |",
        b.peak_mib()
    );
}

/// Raises `count` events for the quiet tenant, 20 ms apart, and runs `meanwhile` right after the
/// first; p50 and p99 of raise-to-row in seconds, and how many were raised while `busy` held.
fn latencies(
    delivered: &Deliveries<'_>,
    quiet: &LiveControl,
    tenant: &str,
    count: usize,
    meanwhile: impl FnOnce(),
    mut busy: impl FnMut() -> bool,
) -> (f64, f64, usize) {
    let mut during = 0;
    let mut raised = BTreeMap::new();
    let mut meanwhile = Some(meanwhile);
    let before = delivered.count(tenant);
    for _ in 0..count {
        raised.insert(quiet.raise("patient_accept", json!({})), chrono::Utc::now());
        if busy() {
            during += 1;
        }
        if let Some(run) = meanwhile.take() {
            run();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    wait_until(
        Duration::from_secs(60),
        "the quiet events are delivered",
        || delivered.count(tenant) >= before + count,
    );
    let mut seconds: Vec<f64> = delivered
        .times(tenant)
        .into_iter()
        .filter_map(|(uuid, at)| {
            let raised = raised.get(&uuid)?.timestamp_micros() as f64 / 1e6;
            Some(at - raised)
        })
        .collect();
    seconds.sort_by(f64::total_cmp);
    let at = |q: f64| seconds[((seconds.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.99), during)
}

fn count(pg: &TestPostgres, tenant: &str) -> usize {
    pg.psql(&format!(
        "SELECT count(*) FROM iryo.orca_events WHERE tenant_id = '{tenant}'"
    ))
    .trim()
    .parse()
    .unwrap_or(0)
}
