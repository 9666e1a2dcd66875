//! Probes for tests and benches: a server with one canned answer, a proxy that records what
//! reaches it, and the process's peak resident memory.

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// A loopback server (on the current tokio runtime) that answers every request with `status`,
/// `content_type` and `body`: its base URL, `http://127.0.0.1:PORT`.
pub async fn canned(
    status: u16,
    content_type: &'static str,
    body: impl Into<bytes::Bytes>,
) -> String {
    let status = axum::http::StatusCode::from_u16(status).expect("an HTTP status");
    let body = body.into();
    let app = axum::Router::new().fallback(move || {
        let body = body.clone();
        async move { (status, [("content-type", content_type)], body) }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let url = format!("http://{}", listener.local_addr().expect("local address"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    url
}

/// A proxy on loopback that records the first bytes of every connection and answers 502: its
/// URL (for `HTTP_PROXY`) and what it received. Nothing reaching it is the passing case.
pub fn recording_proxy() -> (String, Arc<Mutex<Vec<u8>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let url = format!("http://{}", listener.local_addr().expect("local address"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut buf = [0u8; 4096];
            let n = stream.read(&mut buf).unwrap_or(0);
            record
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .extend_from_slice(&buf[..n]);
            let _ = stream.write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n");
        }
    });
    (url, seen)
}

/// Peak resident memory of this process (`VmHWM` of `/proc/self/status`), in KiB; 0 where
/// there is no `/proc`.
pub fn peak_rss_kib() -> u64 {
    peak_rss_in("/proc/self/status")
}

/// Peak resident memory so far of the running process `pid` (a child: poll it while it runs),
/// in KiB; 0 once it has exited, or where there is no `/proc`.
pub fn peak_rss_kib_of(pid: u32) -> u64 {
    peak_rss_in(&format!("/proc/{pid}/status"))
}

/// GNU time, put in front of a measured program: `[TIME, "-f", "%M", "-o", REPORT, program, ...]`
/// writes the program's peak resident memory in KiB to REPORT when it ends, as the kernel counted
/// it to the last moment (`wait4`), where polling [`peak_rss_kib_of`] can miss the end of a short
/// run. `.ci/run` installs it (Debian package `time`).
pub const TIME: &str = "/usr/bin/time";

/// The arguments of [`TIME`] before the program: report the peak RSS in KiB to `report`.
pub fn time_args(report: &std::path::Path) -> Vec<std::ffi::OsString> {
    let mut args: Vec<std::ffi::OsString> = vec!["-f".into(), "%M".into(), "-o".into()];
    args.push(report.into());
    args
}

/// The peak RSS in KiB that [`TIME`] wrote to `report` (its last line: a program killed by a
/// signal has a line before it saying so).
pub fn read_time_report_kib(report: &std::path::Path) -> u64 {
    let text = std::fs::read_to_string(report).expect("GNU time wrote its report");
    text.lines()
        .last()
        .and_then(|line| line.trim().parse().ok())
        .unwrap_or_else(|| panic!("not a GNU time %M report: {text:?}"))
}

fn peak_rss_in(status: &str) -> u64 {
    let status = std::fs::read_to_string(status).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proxy_records_what_reaches_it() {
        let (url, seen) = recording_proxy();
        let mut stream = std::net::TcpStream::connect(url.trim_start_matches("http://")).unwrap();
        stream.write_all(b"GET http://x/ HTTP/1.1\r\n\r\n").unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 502"));
        assert!(seen.lock().unwrap().starts_with(b"GET http://x/"));
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn time_counts_a_program_s_peak_to_its_end() {
        // 60 MiB touched in the last moment of a short run, the case polling misses.
        let folder = std::env::temp_dir().join(format!("iryo-probe-{}", std::process::id()));
        std::fs::create_dir_all(&folder).unwrap();
        let report = folder.join("peak");
        let status = std::process::Command::new(TIME)
            .args(time_args(&report))
            .args(["python3", "-c", "x = b'x' * (60 << 20)"])
            .status()
            .unwrap();
        assert!(status.success());
        let peak_kib = read_time_report_kib(&report);
        std::fs::remove_dir_all(&folder).unwrap();
        assert!((60 * 1024..200 * 1024).contains(&peak_kib), "{peak_kib}");
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn the_peak_grows_with_touched_memory() {
        let before = peak_rss_kib();
        let block = vec![1u8; 64 * 1024 * 1024];
        std::hint::black_box(&block);
        assert!(peak_rss_kib() >= before.max(64 * 1024));
    }
}
