//! Soak: stream a search whose answer is about 1 GB, generated on the fly by a loopback server,
//! through `Client::search`, and report the client's peak memory.
//! Run: `cargo bench -p iryo-hiyari --bench soak` (`IRYO_SOAK_BYTES` sets the size; default 1e9).
//!
//! The server runs in this process; the client runs in a child process, so that its peak memory
//! (VmHWM) is the client's own. Without `--bench` (as `cargo test --all-targets` runs it) it is a
//! smoke run over about 5 MB.

use std::process::Command;
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use bytes::Bytes;

#[path = "support/synthetic.rs"]
mod synthetic;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(pos) = args.iter().position(|a| a == "--child") {
        child(&args[pos + 1], args[pos + 2].parse().expect("report count"));
        return;
    }
    if args.iter().any(|a| a == "--list") {
        println!("soak: benchmark");
        return;
    }
    let smoke = !args.iter().any(|a| a == "--bench");
    let target_bytes: u64 = std::env::var("IRYO_SOAK_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if smoke { 5_000_000 } else { 1_000_000_000 });
    let per_report = synthetic::report_bytes(0).len() as u64;
    let reports = (target_bytes / per_report).max(1) as usize;
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let url = runtime.block_on(serve(reports));
    let exe = std::env::current_exe().expect("own path");
    let start = Instant::now();
    let output = Command::new(exe)
        .args(["--child", &url, &reports.to_string()])
        .output()
        .expect("child runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let seconds = start.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut fields = stdout.split_whitespace();
    let received: usize = fields.next().expect("count").parse().expect("number");
    let peak_kib: u64 = fields.next().expect("peak").parse().expect("number");
    assert_eq!(received, reports, "every report arrived");
    let bytes = reports as u64 * per_report;
    println!(
        "soak: {reports} reports, {:.0} MB streamed in {seconds:.1} s ({:.0} MB/s); client peak memory {:.1} MiB",
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / seconds,
        peak_kib as f64 / 1024.0
    );
}

/// A loopback server answering any request with `reports` generated reports, streamed.
async fn serve(reports: usize) -> String {
    let app = Router::new().fallback(move || async move {
        let chunks = std::iter::once(synthetic::head(reports))
            .chain((0..reports).map(synthetic::report_bytes))
            .chain(std::iter::once(synthetic::TAIL.to_vec()))
            .map(|chunk| Ok::<_, std::io::Error>(Bytes::from(chunk)));
        let body = Body::from_stream(futures_util_stream(chunks));
        ([("content-type", "text/xml; charset=Shift_JIS")], body)
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    url
}

/// An iterator as a stream (no futures crate needed).
fn futures_util_stream<I>(iter: I) -> IterStream<I> {
    IterStream(iter)
}

struct IterStream<I>(I);

impl<I: Iterator + Unpin> futures_core::Stream for IterStream<I> {
    type Item = I::Item;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        std::task::Poll::Ready(self.0.next())
    }
}

/// The client side: one unbounded request (`count=all`), streamed; prints `reports peak_kib`.
fn child(url: &str, expected: usize) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let count = runtime.block_on(async {
        let client = iryo_hiyari::Config::new(url)
            .unbounded_all(true)
            .max_response_bytes(u64::MAX)
            .build()
            .expect("client");
        let mut stream =
            client.search(iryo_hiyari::SearchQuery::new().count(iryo_hiyari::Count::All));
        let mut count = 0usize;
        while let Some(report) = stream.next().await {
            std::hint::black_box(report.expect("report"));
            count += 1;
        }
        count
    });
    assert_eq!(count, expected);
    println!("{count} {}", iryo_testkit::probe::peak_rss_kib());
}
