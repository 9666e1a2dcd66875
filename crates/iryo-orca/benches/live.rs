//! The live feed on loopback: events/s through `LiveFeed` (mock pusher -> socket -> dedup ->
//! SQLite acknowledgements), the client's peak memory for two event counts (it must not grow with
//! them), and the time from a restart with a state file to caught up on a gap of G events.
//!
//! Last, the feed's peak memory for a long gap: `IRYO_LIVE_GAP_MINUTES` minutes (default 20) of
//! 20,000 notifications a minute stored before a restart, caught up window by window; the bench
//! fails when it peaks 64 MiB or more above the steady peak of the throughput runs.
//!
//! Run: `cargo bench -p iryo-orca --bench live` (`IRYO_LIVE_EVENTS` = the larger count, default
//! 400000; `IRYO_LIVE_GAP` = G, default 20000). The mock runs in this process, the feed in a child
//! process, so that the peak memory (VmHWM) is the feed's own. Without `--bench` (as
//! `cargo test --all-targets` runs it) it is a smoke run with small counts.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::TimeDelta;
use iryo_mock::orca::{Clock, OrcaMock};
use iryo_orca::live::{Checkpoint, FeedItem, LiveConfig, SqliteCheckpoint};
use iryo_orca::{Client, Credentials};
use serde_json::json;

/// Pushes queued for the feed at most: half of what the mock lets a socket fall behind.
const MAX_BACKLOG: usize = 1 << 15;
/// Longer than this without an item, the feed is stuck: the bench fails instead of waiting.
const STUCK: Duration = Duration::from_secs(60);

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--child") {
        child(&args[at + 1..]);
        return;
    }
    if args.iter().any(|a| a == "--list") {
        println!("live: benchmark");
        return;
    }
    let smoke = !args.iter().any(|a| a == "--bench");
    let env = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let large = env("IRYO_LIVE_EVENTS", if smoke { 2_000 } else { 400_000 });
    let gap = env("IRYO_LIVE_GAP", if smoke { 500 } else { 20_000 });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    println!(
        "live feed on loopback (mock in this process, feed in a child process, SQLite checkpoint)"
    );
    println!("| events | seconds | events/s | reconnects | feed peak memory |");
    println!("|---:|---:|---:|---:|---:|");
    // The feed's steady peak: the smaller of the throughput runs (memory must not grow with events).
    let mut steady_kib = f64::MAX;
    for events in [large / 4, large] {
        let mock = runtime.block_on(mock());
        let state = dir.path().join(format!("throughput-{events}.sqlite"));
        let line = run_child(
            &[
                "throughput",
                &mock.ws_url(),
                &mock.base_url(),
                state.to_str().unwrap(),
                &events.to_string(),
            ],
            || {
                // The producer: as fast as the feed takes them, kept below the backlog at
                // which the mock drops a slow socket (a real pusher would too).
                let live = mock.live();
                for n in 0..events {
                    while live.backlog() > MAX_BACKLOG {
                        std::thread::sleep(Duration::from_micros(200));
                    }
                    live.raise(
                        "patient_accept",
                        json!({ "Patient_ID": format!("{:05}", n % 100_000) }),
                    );
                }
            },
        );
        let [seconds, peak_kib, reconnects]: [f64; 3] = numbers(&line);
        steady_kib = steady_kib.min(peak_kib);
        println!(
            "| {events} | {seconds:.2} | {:.0} | {reconnects} | {:.1} MiB |",
            events as f64 / seconds,
            peak_kib / 1024.0
        );
        drop(mock);
    }
    let mock = runtime.block_on(mock());
    let state = dir.path().join("catchup.sqlite");
    let args = [
        "catchup",
        &mock.ws_url(),
        &mock.base_url(),
        state.to_str().unwrap(),
        &gap.to_string(),
    ];
    // First run: connect once and stop, so that the state knows where the gap starts.
    run_child(&args, || {});
    let live = mock.live();
    for _ in 0..gap {
        live.raise("patient_accept", json!({}));
    }
    let line = run_child(&args, || {});
    let [connected, caught_up, peak_kib]: [f64; 3] = numbers(&line);
    println!();
    println!(
        "restart with a gap of {gap} events: connected and fetched in {:.0} ms, all {gap} delivered after {:.0} ms (feed peak {:.1} MiB)",
        connected * 1000.0,
        caught_up * 1000.0,
        peak_kib / 1024.0
    );
    drop(mock);
    let minutes = env("IRYO_LIVE_GAP_MINUTES", if smoke { 1 } else { 20 });
    let per_minute = if smoke { 500 } else { 20_000 };
    let mock = runtime.block_on(crate::mock());
    let state = dir.path().join("long-gap.sqlite");
    let start = mock.now() - TimeDelta::minutes(minutes as i64);
    let mut checkpoint = SqliteCheckpoint::open(&state).unwrap();
    checkpoint.commit(&[], Some(start)).unwrap();
    drop(checkpoint);
    let total = minutes * per_minute;
    for n in 0..total {
        let at = start + TimeDelta::milliseconds((n * 60_000 / per_minute) as i64);
        let body = json!({ "Patient_ID": format!("{:05}", n % 100_000) });
        mock.push("patient_accept", "ormaster", body, at);
    }
    let args = [
        "longgap",
        &mock.ws_url(),
        &mock.base_url(),
        state.to_str().unwrap(),
        &total.to_string(),
    ];
    let line = run_child(&args, || {});
    let [_, caught_up, peak_kib]: [f64; 3] = numbers(&line);
    let above_mib = (peak_kib - steady_kib) / 1024.0;
    println!(
        "restart after {minutes} minutes of {per_minute} events a minute ({total} events): all delivered after {:.1} s, feed peak {:.1} MiB, {above_mib:.1} MiB above the steady {:.1} MiB",
        caught_up,
        peak_kib / 1024.0,
        steady_kib / 1024.0
    );
    // The goal: at most 64 MiB above steady for any gap.
    assert!(
        above_mib < 64.0,
        "the long gap's catch-up peaked {above_mib:.1} MiB above steady"
    );
}

async fn mock() -> OrcaMock {
    OrcaMock::builder()
        .fixtures(false)
        .clock(Clock::System)
        .spawn()
        .await
        .unwrap()
}

/// Starts the child, waits for its `ready` line, runs `produce`, returns its result line.
fn run_child(args: &[&str], produce: impl FnOnce()) -> String {
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .arg("--child")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let ready = lines.next().unwrap().unwrap();
    assert_eq!(ready, "ready");
    produce();
    let result = lines.next().unwrap().unwrap();
    assert!(child.wait().unwrap().success());
    result
}

fn numbers<const N: usize>(line: &str) -> [f64; N] {
    let values: Vec<f64> = line
        .split_whitespace()
        .map(|v| v.parse().unwrap())
        .collect();
    values
        .try_into()
        .unwrap_or_else(|_| panic!("bad child line {line}"))
}

fn child(args: &[String]) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (mode, ws_url, base_url, state, count) = (
            &args[0],
            &args[1],
            &args[2],
            &args[3],
            args[4].parse::<u64>().unwrap(),
        );
        let client = Client::new(base_url, Credentials::basic("ormaster", "ormaster")).unwrap();
        let mut feed = LiveConfig::new(ws_url.as_str())
            .connect_timeout(Duration::from_secs(30))
            .build(Some(client), SqliteCheckpoint::open(state).unwrap())
            .unwrap();
        let started = Instant::now();
        let (mut seen, mut reconnects, mut first) = (0u64, 0u64, None);
        // Wait until subscribed and caught up (counting what the catch-up delivers) before the
        // parent starts producing.
        let connected_after = loop {
            match feed.next().await.unwrap() {
                FeedItem::Connected { .. } => break Some(started.elapsed()),
                FeedItem::Event(event) => {
                    first.get_or_insert_with(Instant::now);
                    feed.ack(&event).unwrap();
                    seen += 1;
                }
                FeedItem::Gap(gap) => panic!("gap while catching up: {gap}"),
                _ => {}
            }
        };
        println!("ready");
        if mode == "catchup" && count > 0 && feed_is_first_run(&args[3]) {
            feed.flush().unwrap();
            println!("0 0 0");
            return;
        }
        while seen < count {
            let item = tokio::time::timeout(STUCK, feed.next())
                .await
                .unwrap_or_else(|_| panic!("no item for {STUCK:?} after {seen} of {count} events"))
                .unwrap();
            match item {
                FeedItem::Event(event) => {
                    first.get_or_insert_with(Instant::now);
                    feed.ack(&event).unwrap();
                    seen += 1;
                }
                FeedItem::Reconnecting { reason, .. } => {
                    eprintln!("feed: reconnecting after {seen} events: {reason}");
                    reconnects += 1;
                }
                // Every event was stored: a gap here is a defect, not a figure.
                FeedItem::Gap(gap) => panic!("gap after {seen} events: {gap}"),
                _ => {}
            }
        }
        feed.flush().unwrap();
        match mode.as_str() {
            "throughput" => {
                let seconds = first.map_or(0.0, |f| f.elapsed().as_secs_f64());
                println!(
                    "{seconds} {} {reconnects}",
                    (iryo_testkit::probe::peak_rss_kib() as f64)
                );
            }
            _ => {
                let connected = connected_after.unwrap_or_default().as_secs_f64();
                println!(
                    "{connected} {} {}",
                    started.elapsed().as_secs_f64(),
                    (iryo_testkit::probe::peak_rss_kib() as f64)
                );
            }
        }
    });
}

/// The catch-up child's first run marks its state file, so that the second run knows it is second.
fn feed_is_first_run(state: &str) -> bool {
    let marker = format!("{state}.first-run-done");
    if std::path::Path::new(&marker).exists() {
        return false;
    }
    std::fs::write(marker, b"").unwrap();
    true
}
