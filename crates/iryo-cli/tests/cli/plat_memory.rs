//! `iryo plat permissions list approvals` against a server answering 15 MB (generated here) stays within 64 MiB
//! of resident memory above the same command on a 200 KB answer of the same shape, and runs under `ulimit -v`.
//! The child's peak (VmHWM) is read from /proc while it is blocked writing its output: the answer is decoded
//! whole before the first byte is printed, so the peak is reached by then. `IRYO_BIN` measures another build
//! (the README's figures: the release binary).

use std::io::Read;
use std::process::{Command, Stdio};

use iryo_testkit::generated::Generated;

const GOAL_KIB: u64 = 64 * 1024;

/// An approvals answer: one group whose unknown key holds `times` copies of `item`.
fn answer(item: &str, times: u64) -> Vec<u8> {
    let prefix = r#"[{"permissionGroup":{"permissionGroupId":"g1","requestedDatetime":"Oct 7, 2021, 7:51:02 PM"},"unknown":["#;
    let mut body = Vec::new();
    Generated::new(prefix, &format!("{item},"), Some(times), r#"0]}]"#)
        .read_to_end(&mut body)
        .unwrap();
    body
}

/// What one run printed and its peaks, in KiB.
struct Measured {
    code: i32,
    printed: u64,
    head: Vec<u8>,
    peak_rss_kib: u64,
    peak_vm_kib: u64,
}

fn status_kib(pid: u32, key: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// `iryo plat permissions list approvals` at `url`, under `ulimit -v vm_limit_kib` when given.
fn run(url: &str, vm_limit_kib: Option<u64>) -> Measured {
    let binary = std::env::var("IRYO_BIN").unwrap_or(env!("CARGO_BIN_EXE_iryo").to_owned());
    let limit = vm_limit_kib.map_or("unlimited".to_owned(), |k| k.to_string());
    let mut child = Command::new("sh")
        .args([
            "-c",
            r#"ulimit -v "$1" && shift && exec "$@""#,
            "sh",
            &limit,
        ])
        .args([&binary, "plat", "permissions", "list", "approvals"])
        .args(["--base-url", &format!("{url}/cloudEHR")])
        .env("PLAT_TOKEN", "memory-token")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut stdout = child.stdout.take().unwrap();
    let (mut printed, mut head) = (0u64, Vec::new());
    let (mut peak_rss_kib, mut peak_vm_kib) = (0, 0);
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        // Polled before each read: the child is alive, blocked on the full pipe, until this reads on.
        peak_rss_kib = peak_rss_kib.max(status_kib(pid, "VmHWM:"));
        peak_vm_kib = peak_vm_kib.max(status_kib(pid, "VmPeak:"));
        let n = stdout.read(&mut chunk).unwrap();
        if n == 0 {
            break;
        }
        if head.len() < 200 {
            head.extend_from_slice(&chunk[..n.min(200)]);
        }
        printed += n as u64;
    }
    let code = child.wait().unwrap().code().unwrap_or(-1);
    Measured {
        code,
        printed,
        head,
        peak_rss_kib,
        peak_vm_kib,
    }
}

#[test]
#[cfg(target_os = "linux")]
fn fifteen_megabytes_print_within_64_mib_above_steady() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    // 15 MB of empty objects, and of zeros (the costliest items for a Value tree).
    for (item, large, small) in [("{}", 5_000_000, 66_000), ("0", 7_500_000, 100_000)] {
        let small_url = runtime.block_on(iryo_testkit::probe::canned(
            200,
            "application/json",
            answer(item, small),
        ));
        let large_body = answer(item, large);
        let size = large_body.len() as u64;
        let large_url = runtime.block_on(iryo_testkit::probe::canned(
            200,
            "application/json",
            large_body,
        ));
        let steady = run(&small_url, None);
        assert_eq!(steady.code, 0);
        assert!(steady.peak_rss_kib > 0, "the probe read the child's status");
        // The hard bound: the address space capped at the steady run's plus the goal.
        let cap = steady.peak_vm_kib + GOAL_KIB;
        let peak = run(&large_url, Some(cap));
        assert_eq!(peak.code, 0, "under ulimit -v {cap}");
        assert!(peak.printed >= size - 100, "{} of {size}", peak.printed);
        let head = String::from_utf8_lossy(&peak.head);
        assert!(
            head.starts_with(r#"{"permissionGroup":{"permissionGroupId":"g1","requestedDatetime":"2021-10-07T19:51:02"},"unknown":["#),
            "{head}"
        );
        let above = peak.peak_rss_kib.saturating_sub(steady.peak_rss_kib);
        eprintln!(
            "{item}: {size} bytes: peak RSS {} KiB, steady {} KiB, {:.1} MiB above; virtual peak {} KiB (steady {}, cap {cap})",
            peak.peak_rss_kib,
            steady.peak_rss_kib,
            above as f64 / 1024.0,
            peak.peak_vm_kib,
            steady.peak_vm_kib,
        );
        assert!(above < GOAL_KIB, "{above} KiB above steady");
    }
}
