//! Harvest throughput into SQLite (run: `cargo bench -p iryo-hiyari-db --bench harvest`): the
//! mock's synthetic data set over loopback HTTP (the mock on its own runtime thread), pacing
//! off, pages of 1,000, into a fresh database file. Prints reports/s for the whole harvest and
//! for the database writes alone (the same pages, already parsed, written again into a new file).
//!
//! Environment: `IRYO_BENCH_REPORTS` (default 100000). Without `--bench` (as `cargo test
//! --all-targets` runs it) it is a smoke run over 2,000 reports.

use std::time::{Duration, Instant};

use iryo_hiyari::{Config, Count, SearchQuery};
use iryo_hiyari_db::{Kind, Options, PageSource, ReportRow, Store, harvest};
use iryo_mock::hiyari::HiyariMock;

/// User + system CPU seconds of this process so far (Linux `/proc/self/stat`, 100 ticks a second).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the `(comm)`: utime and stime are the 12th and 13th.
    let rest = stat.rsplit(')').next().unwrap_or_default();
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list") {
        println!("harvest: benchmark");
        return;
    }
    let smoke = !args.iter().any(|a| a == "--bench");
    let reports: usize = std::env::var("IRYO_BENCH_REPORTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if smoke { 2_000 } else { 100_000 });
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let mock = server
        .block_on(HiyariMock::builder().synthetic(reports).spawn())
        .unwrap();
    let client = Config::new(mock.base_url())
        .page_size(1_000)
        .page_pause(Duration::ZERO)
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let options = Options {
        kind: Kind::Full,
        page_size: 1_000,
        pause: Duration::ZERO,
        ..Options::default()
    };
    let source = PageSource::new(client.clone(), SearchQuery::new());
    let mut store = Store::open(&dir.path().join("bench.sqlite")).unwrap();
    let (start, cpu_start) = (Instant::now(), cpu_seconds());
    let outcome = runtime
        .block_on(harvest(&mut store, &source, &options, |_| {}))
        .unwrap();
    let seconds = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_start;
    assert_eq!(outcome.new_this_run, reports as u64);
    let size = std::fs::metadata(dir.path().join("bench.sqlite")).map_or(0, |m| m.len());
    println!(
        "harvest: {reports} reports in {} pages, {seconds:.2} s, {:.0} reports/s, database {:.1} MB (+WAL)",
        outcome.pages_this_run,
        reports as f64 / seconds,
        size as f64 / 1e6
    );
    // CPU time of the process (mock, client and writer threads together): on a busy machine
    // wall time says more about the neighbours than about the harvest.
    println!(
        "harvest CPU: {cpu:.2} s user+system, {:.0} reports per CPU-second, load average {}",
        reports as f64 / cpu,
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    // The writes alone: the first 10,000 reports again, already fetched and parsed.
    let wanted = 10_000.min(reports);
    let start = Instant::now();
    let fetched = runtime.block_on(async {
        let mut stream = client.search(SearchQuery::new().count(Count::Limit(wanted as u64)));
        let mut fetched = Vec::new();
        while let Some(report) = stream.next().await {
            fetched.push(report.unwrap());
        }
        fetched
    });
    let rate = |seconds: f64| fetched.len() as f64 / seconds;
    println!(
        "fetch and parse alone: {:.0} reports/s",
        rate(start.elapsed().as_secs_f64())
    );
    let start = Instant::now();
    let rows: Vec<ReportRow> = fetched.iter().map(ReportRow::from_report).collect();
    println!(
        "rows (JSON, digest, columns) alone: {:.0} reports/s",
        rate(start.elapsed().as_secs_f64())
    );
    let mut store = Store::open(&dir.path().join("writes.sqlite")).unwrap();
    let mut record = store.start(Kind::Full, "bench", "", 1_000, 0).unwrap();
    let start = Instant::now();
    for (page, rows) in rows.chunks(1_000).enumerate() {
        let at = page as u64 * 1_000;
        store
            .write_page(&mut record, at, wanted as u64, rows)
            .unwrap();
    }
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "writes alone: {} reports, {:.0} reports/s",
        rows.len(),
        rows.len() as f64 / seconds
    );
}
