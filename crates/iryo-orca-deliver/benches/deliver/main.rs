//! Delivery on loopback, every sink side by side in one run: events/s and the latency from raise
//! (the mock stores and pushes the event) to the receiver's acknowledgement, p50 and p99, for
//! stdout, a command, a webhook and PostgreSQL, at a fixed 1,000 events/s and flat out; then the
//! watcher's peak memory while a webhook receiver is down and events keep coming at 1,000/s.
//!
//! Run: `cargo bench -p iryo-orca-deliver --bench deliver`. Settings (environment):
//! `IRYO_DELIVER_SECONDS` (the fixed-rate runs, default 10), `IRYO_DELIVER_EVENTS` (flat out:
//! stdout and PostgreSQL, default 200,000; webhook a tenth, command a hundredth),
//! `IRYO_DELIVER_SEEN` (uuids already in the stdout watcher's state, default 1,000,000),
//! `IRYO_DELIVER_OUTAGE_SECONDS` (default 60; the goal's figure is 600), `IRYO_DELIVER_ONLY`
//! (`outage`: the outage alone; a sink's name: its rows alone). PostgreSQL is a
//! throwaway cluster, or `IRYO_TEST_POSTGRES_URL` (its `iryo` schema is dropped).
//!
//! The mock and the receivers run in this process, the watcher in a child process (its peak
//! memory is its own). Outside `cargo bench` (as `cargo test --all-targets` runs it) it only
//! says so: it is compiled there, never run.

mod child;
mod outage;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Lines};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use iryo_mock::orca::{Clock, OrcaMock};
use iryo_orca::live::{Acked, Checkpoint as _, SqliteCheckpoint};
use iryo_testkit::postgres::TestPostgres;
use serde_json::json;
use uuid::Uuid;

/// The fixed rate.
const RATE: u64 = 1_000;
/// Pushes queued for the watcher at most while producing flat out (the mock drops a socket
/// 65,536 behind, as a pusher would).
const MAX_BACKLOG: usize = 1 << 15;

/// Nanoseconds since the Unix epoch (both processes read the same clock).
pub fn now_ns() -> u64 {
    let since = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH);
    u64::try_from(since.unwrap_or_default().as_nanos()).unwrap_or(u64::MAX)
}

/// Flat out, the latency of one event in 64.
pub fn sampled(uuid: &Uuid) -> bool {
    uuid.as_bytes()[15].is_multiple_of(64)
}

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[derive(Clone, Copy)]
enum Load {
    Rate,
    Flat(u64),
}

struct Bench {
    runtime: tokio::runtime::Runtime,
    dir: tempfile::TempDir,
    postgres: TestPostgres,
    webhook: String,
    down: Arc<AtomicBool>,
    seeded: PathBuf,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--child") {
        child::run(&args[at + 1..]);
        return;
    }
    if args.iter().any(|a| a == "--list") {
        println!("deliver: benchmark");
        return;
    }
    if !args.iter().any(|a| a == "--bench") {
        println!("deliver: a benchmark, run by `cargo bench -p iryo-orca-deliver --bench deliver`");
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let down = Arc::new(AtomicBool::new(false));
    let webhook = runtime.block_on(receiver(down.clone()));
    let dir = tempfile::tempdir().unwrap();
    let postgres = TestPostgres::start(Path::new(env!("CARGO_TARGET_TMPDIR")));
    let seen = env("IRYO_DELIVER_SEEN", 1_000_000);
    let seeded = dir.path().join("seeded.sqlite");
    seed(&seeded, seen);
    let bench = Bench {
        runtime,
        dir,
        postgres,
        webhook,
        down,
        seeded,
    };
    let outage = env("IRYO_DELIVER_OUTAGE_SECONDS", 60);
    let only = std::env::var("IRYO_DELIVER_ONLY").ok();
    if only.as_deref() == Some("outage") {
        outage::run(&bench, outage);
        return;
    }
    let seconds = env("IRYO_DELIVER_SECONDS", 10);
    let flat = env("IRYO_DELIVER_EVENTS", 200_000);
    println!("delivery on loopback (mock and receivers in this process, watcher in a child)");
    println!("stdout: the line written to /dev/null, state holding {seen} uuids seen");
    println!("| sink | load | events | events/s | p50 ms | p99 ms | watcher peak |");
    println!("|---|---|---:|---:|---:|---:|---:|");
    for (sink, flat) in [
        ("stdout", flat),
        ("command", flat / 100),
        ("webhook", flat / 10),
        ("postgres", flat),
    ] {
        if only.as_deref().is_some_and(|only| only != sink) {
            continue;
        }
        for load in [Load::Rate, Load::Flat(flat)] {
            let (name, count) = match load {
                Load::Rate => (format!("{RATE}/s"), RATE * seconds),
                Load::Flat(count) => ("flat out".to_owned(), count),
            };
            let row = bench.run(sink, load, count);
            println!(
                "| {sink} | {name} | {count} | {:.0} | {:.1} | {:.1} | {:.1} MiB |",
                row.per_second,
                row.p50_ms,
                row.p99_ms,
                row.peak_kib as f64 / 1024.0
            );
        }
    }
    if only.is_none() {
        outage::run(&bench, outage);
    }
}

/// One run's figures.
struct Row {
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    peak_kib: u64,
}

/// A running watcher.
struct Watcher {
    child: Child,
    lines: Lines<BufReader<ChildStdout>>,
    acks: PathBuf,
}

impl Bench {
    fn run(&self, sink: &str, load: Load, count: u64) -> Row {
        let mock = self.runtime.block_on(mock());
        let watcher = self.start(&mock, sink, matches!(load, Load::Rate), count);
        let live = mock.live();
        let mut raised = HashMap::new();
        let started = Instant::now();
        for n in 0..count {
            match load {
                Load::Rate => {
                    let due = started + Duration::from_micros(n * 1_000_000 / RATE);
                    std::thread::sleep(due.saturating_duration_since(Instant::now()));
                }
                Load::Flat(_) => {
                    while live.backlog() > MAX_BACKLOG {
                        std::thread::sleep(Duration::from_micros(200));
                    }
                }
            }
            let at = now_ns();
            let uuid: Uuid = live.raise("patient_accept", event_body(n)).parse().unwrap();
            if matches!(load, Load::Rate) || sampled(&uuid) {
                raised.insert(uuid, at);
            }
        }
        let first = raised.values().min().copied().unwrap_or_default();
        let (peak_kib, acks) = watcher.finish();
        let last = acks.values().max().copied().unwrap_or_default();
        let mut latencies: Vec<u64> = acks
            .iter()
            .filter_map(|(uuid, at)| Some(at.saturating_sub(*raised.get(uuid)?)))
            .collect();
        latencies.sort_unstable();
        let percentile = |p: usize| {
            latencies
                .get(latencies.len().saturating_sub(1) * p / 100)
                .copied()
                .unwrap_or(0) as f64
                / 1e6
        };
        Row {
            per_second: count as f64 / ((last.saturating_sub(first)) as f64 / 1e9),
            p50_ms: percentile(50),
            p99_ms: percentile(99),
            peak_kib,
        }
    }

    /// A watcher on `sink`, started with a fresh state, once connected.
    fn start(&self, mock: &OrcaMock, sink: &str, all: bool, target: u64) -> Watcher {
        let state = match sink {
            "postgres" => {
                self.postgres.psql("DROP SCHEMA IF EXISTS iryo CASCADE");
                self.postgres.url().to_owned()
            }
            _ => {
                let state = self
                    .dir
                    .path()
                    .join(format!("{sink}-{}.sqlite", Uuid::new_v4()));
                if sink == "stdout" {
                    std::fs::copy(&self.seeded, &state).unwrap();
                }
                state.to_str().unwrap().to_owned()
            }
        };
        let acks = self.dir.path().join(format!("acks-{}", Uuid::new_v4()));
        let mut child = Command::new(std::env::current_exe().unwrap())
            .arg("--child")
            .args([sink, &mock.ws_url(), &mock.base_url(), &state])
            .arg(if all { "all" } else { "sample" })
            .arg(&acks)
            .arg(target.to_string())
            .env("IRYO_BENCH_WEBHOOK", &self.webhook)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let ready = lines.next().expect("the watcher's ready line").unwrap();
        assert_eq!(ready, "ready");
        Watcher { child, lines, acks }
    }
}

impl Watcher {
    /// Waits for `done`: the watcher's peak memory and the acknowledgement times it recorded.
    fn finish(mut self) -> (u64, HashMap<Uuid, u64>) {
        let done = self.lines.next().expect("the watcher's done line").unwrap();
        let fields: Vec<u64> = done
            .split_whitespace()
            .skip(1)
            .map(|v| v.parse().unwrap())
            .collect();
        let [_, gaps, peak] = fields[..] else {
            panic!("{done}");
        };
        assert_eq!(gaps, 0, "every event was stored: a gap is a defect");
        assert!(self.child.wait().unwrap().success());
        let text = std::fs::read_to_string(&self.acks).unwrap();
        let acks = text
            .lines()
            .map(|line| {
                let (uuid, at) = line.split_once(' ').unwrap();
                (uuid.parse().unwrap(), at.parse().unwrap())
            })
            .collect();
        std::fs::remove_file(&self.acks).unwrap();
        (peak, acks)
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

fn event_body(n: u64) -> serde_json::Value {
    json!({ "Patient_ID": format!("{:05}", n % 100_000) })
}

async fn mock() -> OrcaMock {
    OrcaMock::builder()
        .fixtures(false)
        .clock(Clock::System)
        .spawn()
        .await
        .unwrap()
}

/// A state file that has seen `count` uuids within the retention.
fn seed(path: &Path, count: u64) {
    let mut checkpoint = SqliteCheckpoint::open(path).unwrap();
    let now = chrono::Utc::now().fixed_offset();
    let time = now - chrono::TimeDelta::hours(1);
    let mut batch = Vec::with_capacity(10_000);
    for n in 0..count {
        batch.push(Acked {
            uuid: Uuid::new_v4(),
            time,
        });
        if batch.len() == 10_000 || n + 1 == count {
            checkpoint.commit(&batch, Some(now)).unwrap();
            batch.clear();
        }
    }
}

/// The webhook receiver: 204, or 503 while `down`.
async fn receiver(down: Arc<AtomicBool>) -> String {
    let app = axum::Router::new().fallback(move || {
        let down = down.load(Ordering::SeqCst);
        async move {
            if down {
                axum::http::StatusCode::SERVICE_UNAVAILABLE
            } else {
                axum::http::StatusCode::NO_CONTENT
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    url
}
