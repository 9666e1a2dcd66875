//! Hostile answers at full size, with the default limits: time and peak memory per case.
//!
//! `cargo bench -p iryo-hiyari --bench hostile` runs every case in a child process of its own (this
//! binary again, with `--case NAME`) and prints, per case, the wall time, the child's peak resident
//! memory (VmHWM) and that peak above the baseline (the same process reading a tiny answer, or
//! searching the mock once), and how the case ended. Inputs are generated while they are read.
//! The goal: at most 64 MiB above the baseline, and time linear in the input.

use std::io::Read;
use std::process::Command;
use std::time::{Duration, Instant};

use iryo_hiyari::decode::InvalidBytes;
use iryo_hiyari::{Client, Config, Count, Limits, Pipelined, RetryPolicy, SearchQuery};
use iryo_mock::Fault;
use iryo_mock::hiyari::HiyariMock;
use iryo_testkit::generated::Generated;

const HEAD: &str = "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>\n\
                    <ResultSet count=\"1\" position=\"0\" status=\"0\" total=\"1\">";
const TAIL: &str = "</PHARMACY_REPORT></ResultSet>";

/// Reading cases: name, input, limits.
fn reading_case(name: &str) -> Option<(Box<dyn Read + Send>, Limits)> {
    let report = format!("{HEAD}<PHARMACY_REPORT>");
    let defaults = Limits::default();
    let attributes = |n: u64| {
        let input = Generated::new(
            &format!("{report}<X"),
            " a=\"v\"",
            Some(n),
            &format!("/>{TAIL}"),
        );
        // One name repeated: refused at its second use, after the tag is read whole.
        Box::new(input) as Box<dyn Read + Send>
    };
    // Unique names (in memory, about 12 bytes each): every one checked against the others.
    let unique_attributes = |n: u64| {
        let names: String = (0..n).map(|i| format!(" a{i}=\"v\"")).collect();
        let body = format!("{report}<X{names}/>{TAIL}");
        Box::new(std::io::Cursor::new(body.into_bytes())) as Box<dyn Read + Send>
    };
    let roomy = defaults.element_bytes(16 << 20).report_text_bytes(16 << 20);
    Some(match name {
        "baseline" => (
            Box::new(Generated::new(
                &report,
                "<DATYEAR>2010</DATYEAR>",
                Some(1),
                TAIL,
            )),
            defaults,
        ),
        "unknown-5M" => (
            Box::new(Generated::new(&report, "<X/>", Some(5_000_000), TAIL)),
            defaults,
        ),
        "codes-4M" => {
            let prefix = format!("{report}<LSTFACTOR>");
            let suffix = format!("</LSTFACTOR>{TAIL}");
            let input = Generated::new(
                &prefix,
                "<DATFACTOR CODE=\"01\"/>",
                Some(4_000_000),
                &suffix,
            );
            (Box::new(input), defaults)
        }
        "text-200MB" => {
            let prefix = format!("{report}<DATCONTENTTEXT>");
            let suffix = format!("</DATCONTENTTEXT>{TAIL}");
            let input = Generated::new(&prefix, "0123456789", Some(20_000_000), &suffix);
            (Box::new(input), defaults)
        }
        "entities-10M" => {
            let prefix = format!("{report}<DATCONTENTTEXT>");
            (
                Box::new(Generated::new(&prefix, "&amp;", Some(10_000_000), TAIL)),
                defaults,
            )
        }
        "nesting-1M" => (
            Box::new(Generated::new(&report, "<D>", Some(1_000_000), TAIL)),
            defaults,
        ),
        "dev-zero" => (
            Box::new(std::fs::File::open("/dev/zero").expect("/dev/zero")),
            defaults,
        ),
        "endless-prolog" => (
            Box::new(Generated::new("", "text before the root ", None, "")),
            defaults,
        ),
        "attributes-200k" => (attributes(200_000), defaults),
        "attributes-100k-allowed" => (unique_attributes(100_000), roomy),
        "attributes-200k-allowed" => (unique_attributes(200_000), roomy),
        "reports-at-budget" => {
            // 100 reports of 900 KiB text each: every one within the budget, all read.
            let text = "0123456789".repeat(92_160);
            let one = format!(
                "<PHARMACY_REPORT><DATCONTENTTEXT>{text}</DATCONTENTTEXT></PHARMACY_REPORT>"
            );
            (
                Box::new(Generated::new(HEAD, &one, Some(100), "</ResultSet>")),
                defaults,
            )
        }
        _ => return None,
    })
}

fn run_reading(input: Box<dyn Read + Send>, limits: Limits) -> String {
    let mut reports = 0u64;
    let mut reader = match Pipelined::new(input, InvalidBytes::Fail, limits) {
        Ok(reader) => reader,
        Err(e) => return format!("error: {e}"),
    };
    for report in reader.by_ref() {
        match report {
            Ok(report) => {
                std::hint::black_box(&report);
                reports += 1;
            }
            Err(e) => return format!("error after {reports} reports: {e}"),
        }
    }
    format!("{reports} reports")
}

/// Cases against the mock over loopback.
async fn run_http(name: &str) -> Option<String> {
    let mock = HiyariMock::builder().spawn().await.expect("mock");
    let config = Config::new(mock.base_url())
        .page_pause(Duration::ZERO)
        .retry(RetryPolicy::none());
    let client = config.page_size(10).build().expect("client");
    let mut query = SearchQuery::new().count(Count::All);
    match name {
        "http-baseline" => query = query.count(Count::Limit(10)),
        "http-over-delivery" => {
            mock.push_fault(Fault::OverDeliver { items: 1000 });
            query = query.count(Count::Limit(5));
        }
        "http-same-page-forever" => {
            mock.push_faults((0..1000).map(|_| Fault::IgnoreStart { claim_start: false }))
        }
        "http-start-near-max" => query = query.start(18_446_744_073_709_551_600),
        "http-unknown-5M" => {
            mock.push_fault(Fault::Generated {
                prefix: format!("{HEAD}<PHARMACY_REPORT>"),
                repeat: "<X/>".to_owned(),
                times: Some(5_000_000),
                suffix: TAIL.to_owned(),
            });
            query = query.count(Count::Limit(1));
        }
        "http-endless-zeros" => {
            mock.push_fault(Fault::Generated {
                prefix: String::new(),
                repeat: "\0".repeat(4096),
                times: None,
                suffix: String::new(),
            });
        }
        _ => return None,
    }
    Some(outcome(&client, query).await + &format!(", {} requests", mock.request_count()))
}

async fn outcome(client: &Client, query: SearchQuery) -> String {
    let mut stream = client.search(query);
    let mut reports = 0;
    while let Some(report) = stream.next().await {
        match report {
            Ok(_) => reports += 1,
            Err(e) => return format!("error after {reports} reports: {e}"),
        }
    }
    format!("{reports} reports")
}

/// In the child: runs one case, prints `elapsed_ms peak_kib outcome`.
fn child(name: &str) {
    let started = Instant::now();
    let outcome = match reading_case(name) {
        Some((input, limits)) => run_reading(input, limits),
        None => {
            let runtime = tokio::runtime::Runtime::new().expect("runtime");
            runtime
                .block_on(run_http(name))
                .unwrap_or_else(|| panic!("unknown case {name}"))
        }
    };
    let elapsed = started.elapsed().as_millis();
    println!(
        "{elapsed} {} {}",
        iryo_testkit::probe::peak_rss_kib(),
        outcome.replace('\n', " ")
    );
}

const READING: &[&str] = &[
    "unknown-5M",
    "codes-4M",
    "text-200MB",
    "entities-10M",
    "nesting-1M",
    "dev-zero",
    "endless-prolog",
    "attributes-200k",
    "attributes-100k-allowed",
    "attributes-200k-allowed",
    "reports-at-budget",
];
const HTTP: &[&str] = &[
    "http-over-delivery",
    "http-same-page-forever",
    "http-start-near-max",
    "http-unknown-5M",
    "http-endless-zeros",
];

fn measure(name: &str) -> (u64, u64, String) {
    let exe = std::env::current_exe().expect("this bench");
    let output = Command::new(exe)
        .args(["--case", name])
        .output()
        .expect("child");
    let text = String::from_utf8_lossy(&output.stdout);
    let mut parts = text.trim().splitn(3, ' ');
    let ms = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let kib = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let outcome = parts.next().unwrap_or("(no output)").to_owned();
    (ms, kib, outcome)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--case") {
        child(&args[at + 1]);
        return;
    }
    println!(
        "{:<26} {:>9} {:>10} {:>12}  outcome",
        "case", "time ms", "peak MiB", "above base"
    );
    for (baseline, cases) in [("baseline", READING), ("http-baseline", HTTP)] {
        let (_, base_kib, _) = measure(baseline);
        println!(
            "{baseline:<26} {:>9} {:>10.1} {:>12}",
            "-",
            base_kib as f64 / 1024.0,
            "-"
        );
        for name in cases {
            let (ms, kib, outcome) = measure(name);
            let above = kib.saturating_sub(base_kib) as f64 / 1024.0;
            println!(
                "{name:<26} {ms:>9} {:>10.1} {above:>12.1}  {outcome}",
                kib as f64 / 1024.0
            );
        }
    }
}
