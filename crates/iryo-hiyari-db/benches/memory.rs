//! Peak memory of a harvest by page size, side by side with a search of the same pages
//! (run: `cargo bench -p iryo-hiyari-db --bench memory`). The mock (synthetic data set) runs in
//! this process; each case runs in a child process of its own (this binary again, with `--case`)
//! against it over loopback, and prints the child's peak resident memory (VmHWM). The goal: a
//! harvest at most 64 MiB above its baseline (the same reports in pages of 100) for any page
//! size within the limits (an answer of at most `max_response_bytes`, 64 MiB); the bench fails
//! past it.
//!
//! With `IRYO_BIN` set to an `iryo` binary, the same harvests also run through
//! `iryo hiyari harvest`: its peak resident memory (`/usr/bin/time -f %M`; at most 64 MiB above
//! its baseline, or the bench fails) and the least `ulimit -v` it succeeds under (the allocator's
//! reserved arenas dominate that address space, so it moves little with the page size). Environment: `IRYO_BENCH_PAGE_REPORTS` (reports per large page, default 44000:
//! about 60 MB of Shift_JIS XML, as printed). Without `--bench` it is a smoke run with small pages.

use std::process::Command;
use std::time::Duration;

use iryo_hiyari::{Config, Count, SearchQuery};
use iryo_hiyari_db::{Kind, Options, PageSource, Store, harvest};
use iryo_mock::hiyari::HiyariMock;

/// In the child: one case against `url`, printing `peak_kib reports`.
fn child(case: &str, page_size: u64, url: &str, dir: &str) {
    let client = Config::new(url)
        .page_size(page_size)
        .page_pause(Duration::ZERO)
        .build()
        .expect("client");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let reports = match case {
        "harvest" => {
            let mut store = Store::open(&std::path::Path::new(dir).join("h.sqlite")).expect("db");
            let options = Options {
                kind: Kind::Full,
                page_size,
                pause: Duration::ZERO,
                ..Options::default()
            };
            let source = PageSource::new(client, SearchQuery::new());
            let outcome = runtime
                .block_on(harvest(&mut store, &source, &options, |_| {}))
                .expect("harvest");
            outcome.new_this_run
        }
        "search" => runtime.block_on(async {
            let mut stream = client.search(SearchQuery::new().count(Count::All));
            let mut count = 0;
            while let Some(report) = stream.next().await {
                std::hint::black_box(report.expect("report"));
                count += 1;
            }
            count
        }),
        other => panic!("unknown case {other}"),
    };
    println!("{} {reports}", iryo_testkit::probe::peak_rss_kib());
}

/// The bytes of the answer to `GET {url}{path}?count={count}`, read over a plain socket.
fn answer_bytes(url: &str, count: u64) -> usize {
    use std::io::{Read, Write};
    let host = url.trim_start_matches("http://");
    let mut socket = std::net::TcpStream::connect(host).expect("connect");
    let request = format!(
        "GET {}?count={count} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n",
        iryo_mock::hiyari::DEFAULT_PATH
    );
    socket.write_all(request.as_bytes()).expect("send");
    let mut answer = Vec::new();
    socket.read_to_end(&mut answer).expect("read");
    let head = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(0, |at| at + 4);
    answer.len() - head
}

/// Runs a case in a child; its peak in KiB and the reports it got.
fn measure(case: &str, page_size: u64, url: &str) -> (u64, u64) {
    let dir = tempfile::tempdir().expect("tempdir");
    let exe = std::env::current_exe().expect("this bench");
    let output = Command::new(exe)
        .args(["--case", case, &page_size.to_string(), url])
        .arg(dir.path())
        .output()
        .expect("child");
    let text = String::from_utf8_lossy(&output.stdout);
    let mut parts = text.split_whitespace().map(|p| p.parse().unwrap_or(0));
    let (kib, reports) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    assert!(
        output.status.success() && reports > 0,
        "{case} {page_size}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    (kib, reports)
}

/// `iryo hiyari harvest` under `ulimit -v limit_kib`: whether it succeeded.
fn cli_under_limit(iryo: &str, page_size: u64, url: &str, limit_kib: u64) -> bool {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("h.sqlite");
    let script = format!(
        "ulimit -v {limit_kib}; exec \"$0\" hiyari harvest --db \"$1\" --base-url \"$2\" \
         --page-size {page_size} --pause-ms 0"
    );
    let status = Command::new("sh")
        .args(["-c", &script, iryo])
        .arg(&db)
        .arg(url)
        .output()
        .expect("sh");
    status.status.success()
}

/// Peak resident memory of `iryo hiyari harvest` (GNU time's `%M`, KiB); `None` without
/// `/usr/bin/time` or when the harvest fails.
fn cli_peak_kib(iryo: &str, page_size: u64, url: &str) -> Option<u64> {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("h.sqlite");
    let output = Command::new("/usr/bin/time")
        .args(["-f", "%M", iryo, "hiyari", "harvest", "--db"])
        .arg(&db)
        .args(["--base-url", url, "--pause-ms", "0", "--page-size"])
        .arg(page_size.to_string())
        .output()
        .ok()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let peak = stderr.lines().last()?.trim().parse().ok()?;
    output.status.success().then_some(peak)
}

/// The least `ulimit -v` (in steps of 16 MiB) under which `iryo hiyari harvest` of pages of
/// `page_size` succeeds, searched between 64 MiB and 4 GiB.
fn least_limit(iryo: &str, page_size: u64, url: &str) -> u64 {
    let (mut low, mut high) = (4u64, 256u64); // in 16 MiB steps
    while low < high {
        let mid = (low + high) / 2;
        match cli_under_limit(iryo, page_size, url, mid * 16 * 1024) {
            true => high = mid,
            false => low = mid + 1,
        }
    }
    low * 16 * 1024
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--case") {
        let page_size = args[at + 2].parse().expect("page size");
        child(&args[at + 1], page_size, &args[at + 3], &args[at + 4]);
        return;
    }
    if args.iter().any(|a| a == "--list") {
        println!("memory: benchmark");
        return;
    }
    let smoke = !args.iter().any(|a| a == "--bench");
    let large: u64 = std::env::var("IRYO_BENCH_PAGE_REPORTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if smoke { 1_000 } else { 44_000 });
    let total = 2 * large;
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let mock = server
        .block_on(HiyariMock::builder().synthetic(total as usize).spawn())
        .expect("mock");
    let url = mock.base_url();
    let page_bytes = answer_bytes(&url, large);
    println!(
        "{total} synthetic reports; a page of {large} is {:.1} MB of Shift_JIS XML",
        page_bytes as f64 / 1e6
    );
    println!(
        "{:<10} {:>10} {:>10} {:>12}",
        "case", "page size", "peak MiB", "above base"
    );
    let mib = |kib: u64| kib as f64 / 1024.0;
    for case in ["search", "harvest"] {
        let (base, reports) = measure(case, 100, &url);
        assert_eq!(reports, total);
        println!("{case:<10} {:>10} {:>10.1} {:>12}", 100, mib(base), "-");
        let (peak, reports) = measure(case, large, &url);
        assert_eq!(reports, total);
        let above = peak.saturating_sub(base);
        println!(
            "{case:<10} {large:>10} {:>10.1} {:>12.1}",
            mib(peak),
            mib(above)
        );
        if case == "harvest" && !smoke {
            assert!(
                above <= 64 * 1024,
                "a harvest of large pages: {above} KiB above base"
            );
        }
    }
    if let Ok(iryo) = std::env::var("IRYO_BIN") {
        let mut peaks = Vec::new();
        for page_size in [100, large] {
            let peak = cli_peak_kib(&iryo, page_size, &url);
            let limit = least_limit(&iryo, page_size, &url);
            let shown = peak.map_or("(not measured)".to_owned(), |k| {
                format!("{:.1} MiB", mib(k))
            });
            println!(
                "iryo hiyari harvest, pages of {page_size}: peak {shown}, least ulimit -v {:.0} MiB",
                mib(limit)
            );
            peaks.extend(peak);
        }
        if let [base, peak] = peaks[..]
            && !smoke
        {
            let above = peak.saturating_sub(base);
            assert!(
                above <= 64 * 1024,
                "iryo hiyari harvest of large pages: {above} KiB above base"
            );
        }
    }
}
