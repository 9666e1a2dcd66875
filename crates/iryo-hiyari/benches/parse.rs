//! Benchmark of the streaming typed reader (run: `cargo bench -p iryo-hiyari --bench parse`).
//!
//! Generates a deterministic Shift_JIS answer of 100,000 reports (about 270 MB) under `target/`,
//! then measures, each in a fresh child process so that peak memory (VmHWM) is its own:
//! - `ceiling`: streaming encoding_rs decode feeding a bare quick-xml event count;
//! - `typed`: [`ReportReader`], every report fully typed;
//! - `pipelined`: the typed reader on one thread, decoding on another;
//! - `jsonl`: what `iryo hiyari parse --format jsonl` does: the pipelined typed reader parsing on a
//!   third thread ([`Pipelined::in_background`]) and the
//!   generated labelled-JSON writer, every line written (to /dev/null);
//! - `lxml`: Python lxml `iterparse` (installed into `target/bench-venv` by `benches/lxml_iterparse.py`'s
//!   runner below), when Python is available;
//! - `lxml-jsonl`: lxml writing the same JSON lines (`benches/lxml_jsonl.py`; checked byte for byte
//!   against `jsonl` on 300 reports first).
//!
//! Goals of issue 14, printed at the end: `jsonl` >= 8x `lxml-jsonl` and >= 0.8x `pipelined`.
//!
//! Environment: `IRYO_BENCH_REPORTS` (default 100000), `IRYO_BENCH_SKIP_LXML=1`. Without
//! `--bench` (as `cargo test --all-targets` runs it) it is a smoke run over 200 reports.

// The allocator of the `iryo` binary, so that `jsonl` measures what the command does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use iryo_hiyari::{Limits, Pipelined, ReportReader};

#[path = "support/synthetic.rs"]
mod synthetic;
use iryo_hiyari::decode::{DecodingReader, InvalidBytes};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(pos) = args.iter().position(|a| a == "--child") {
        let mode = &args[pos + 1];
        let file = PathBuf::from(&args[pos + 2]);
        let out = args.get(pos + 3).map_or("/dev/null", String::as_str);
        child(mode, &file, Path::new(out));
        return;
    }
    if args.iter().any(|a| a == "--list") {
        println!("parse: benchmark");
        return;
    }
    // `cargo test --all-targets` runs this without `--bench`: a quick smoke run on 200 reports.
    let smoke = !args.iter().any(|a| a == "--bench");
    let default_reports = if smoke { 200 } else { 100_000 };
    let reports: usize = std::env::var("IRYO_BENCH_REPORTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_reports);
    let file = data_file(reports);
    let size = std::fs::metadata(&file).expect("data file").len();
    println!(
        "input: {} reports, {:.1} MB Shift_JIS ({})",
        reports,
        mb(size),
        file.display()
    );
    let mut results = Vec::new();
    for mode in ["ceiling", "typed", "pipelined", "jsonl"] {
        results.push((mode, run_child(mode, &file)));
    }
    if !smoke && std::env::var("IRYO_BENCH_SKIP_LXML").is_err() {
        if let Some(lxml) = run_lxml("lxml_iterparse.py", &file, None) {
            results.push(("lxml", lxml));
        }
        same_json_lines();
        let out = Path::new("/dev/null");
        if let Some(lxml) = run_lxml("lxml_jsonl.py", &file, Some(out)) {
            results.push(("lxml-jsonl", lxml));
        }
    }
    for (mode, r) in &results[1..] {
        assert_eq!(r.items, reports as u64, "{mode} read every report");
    }
    let ceiling = results[0].1.seconds;
    println!(
        "{:<10} {:>9} {:>10} {:>12} {:>10}",
        "mode", "seconds", "MB/s", "vs ceiling", "peak MiB"
    );
    for (mode, r) in &results {
        println!(
            "{:<10} {:>9.2} {:>10.1} {:>11.2}x {:>10.1}   ({} items)",
            mode,
            r.seconds,
            mb(size) / r.seconds,
            ceiling / r.seconds,
            r.peak_kib as f64 / 1024.0,
            r.items
        );
    }
    let seconds = |name: &str| {
        results
            .iter()
            .find(|(m, _)| *m == name)
            .map(|(_, r)| r.seconds)
    };
    if let (Some(jsonl), Some(pipelined)) = (seconds("jsonl"), seconds("pipelined")) {
        println!(
            "jsonl vs pipelined typed parse: {:.2}x (goal >= 0.8x)",
            pipelined / jsonl
        );
    }
    if let (Some(jsonl), Some(lxml)) = (seconds("jsonl"), seconds("lxml-jsonl")) {
        println!(
            "jsonl vs lxml writing the same JSON lines: {:.2}x (goal >= 8x)",
            lxml / jsonl
        );
    }
}

struct Measured {
    seconds: f64,
    peak_kib: u64,
    items: u64,
}

/// The Rust and Python JSON lines of 300 reports are the same bytes.
fn same_json_lines() {
    let file = data_file(300);
    let dir = file.parent().expect("dir").to_owned();
    let (ours, theirs) = (dir.join("ours-300.jsonl"), dir.join("lxml-300.jsonl"));
    let exe = std::env::current_exe().expect("own path");
    let output = Command::new(exe)
        .args(["--child", "jsonl"])
        .arg(&file)
        .arg(&ours)
        .output()
        .expect("child runs");
    assert!(output.status.success());
    if run_lxml("lxml_jsonl.py", &file, Some(&theirs)).is_some() {
        let (a, b) = (
            std::fs::read(&ours).expect("ours"),
            std::fs::read(&theirs).expect("lxml"),
        );
        assert!(
            a == b,
            "lxml_jsonl.py writes other JSON lines than the Rust writer"
        );
        println!("json lines: Rust and lxml peer agree byte for byte on 300 reports");
    }
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1_000_000.0
}

fn run_child(mode: &str, file: &Path) -> Measured {
    let exe = std::env::current_exe().expect("own path");
    let output = Command::new(exe)
        .args(["--child", mode])
        .arg(file)
        .output()
        .expect("child runs");
    assert!(
        output.status.success(),
        "{mode}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    parse_measured(&String::from_utf8_lossy(&output.stdout))
}

fn parse_measured(text: &str) -> Measured {
    let mut fields = text.split_whitespace();
    let mut next = || {
        fields
            .next()
            .expect("three fields")
            .parse::<f64>()
            .expect("number")
    };
    Measured {
        seconds: next(),
        peak_kib: next() as u64,
        items: next() as u64,
    }
}

/// Runs one mode and prints `seconds peak_kib items`.
fn child(mode: &str, file: &Path, out: &Path) {
    let start = Instant::now();
    let items = match mode {
        "ceiling" => ceiling(file),
        "typed" => typed(File::open(file).expect("open")),
        "pipelined" => pipelined(file),
        "jsonl" => jsonl(file, out),
        other => panic!("unknown mode {other}"),
    };
    let seconds = start.elapsed().as_secs_f64();
    println!("{seconds} {} {items}", iryo_testkit::probe::peak_rss_kib());
}

fn ceiling(file: &Path) -> u64 {
    let decoded =
        DecodingReader::from_declaration(File::open(file).expect("open"), InvalidBytes::Fail)
            .expect("decl");
    let mut reader = quick_xml::Reader::from_reader(BufReader::with_capacity(64 * 1024, decoded));
    let mut buf = Vec::with_capacity(4096);
    let mut events = 0u64;
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf).expect("xml") {
            quick_xml::events::Event::Eof => return events,
            _ => events += 1,
        }
    }
}

fn typed(input: impl Read) -> u64 {
    let reader = ReportReader::new(input).expect("answer");
    let mut reports = 0;
    for report in reader {
        let report = report.expect("report");
        std::hint::black_box(&report);
        reports += 1;
    }
    reports
}

/// Decoding (Shift_JIS to UTF-8) on a second thread, parsing on this one: `Pipelined`.
fn pipelined(file: &Path) -> u64 {
    let input = File::open(file).expect("open");
    let reader = Pipelined::new(input, InvalidBytes::Fail, Limits::default()).expect("answer");
    let mut reports = 0;
    for report in reader {
        std::hint::black_box(&report.expect("report"));
        reports += 1;
    }
    reports
}

/// `iryo hiyari parse --format jsonl`: the pipelined reader parsing in the background, each report written by the generated
/// writer as one line into a buffered file.
fn jsonl(file: &Path, out: &Path) -> u64 {
    let input = File::open(file).expect("open");
    let reader = Pipelined::new(input, InvalidBytes::Fail, Limits::default())
        .expect("answer")
        .in_background();
    let mut out = BufWriter::new(File::create(out).expect("output"));
    let mut line = Vec::new();
    let mut reports = 0;
    for report in reader {
        line.clear();
        report.expect("report").write_labeled_json(&mut line);
        line.push(b'\n');
        out.write_all(&line).expect("write");
        reports += 1;
    }
    out.flush().expect("flush");
    reports
}

fn run_lxml(script: &str, file: &Path, out: Option<&Path>) -> Option<Measured> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("benches")
        .join(script);
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .ok()?
            .success();
        let pip = venv.join("bin/pip");
        if !made
            || !Command::new(&pip)
                .args(["install", "-q", "lxml==6.1.3"])
                .status()
                .ok()?
                .success()
        {
            eprintln!("lxml could not be installed; skipping it");
            return None;
        }
    }
    let output = Command::new(python)
        .arg(script)
        .arg(file)
        .args(out)
        .output()
        .ok()?;
    if !output.status.success() {
        eprintln!(
            "lxml run failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        return None;
    }
    Some(parse_measured(&String::from_utf8_lossy(&output.stdout)))
}

/// The data file, generated once per size (deterministic; never committed).
fn data_file(reports: usize) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-data");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let path = dir.join(format!("hiyari-{reports}.sjis.xml"));
    if !path.exists() {
        let tmp = path.with_extension("tmp");
        write_answer(&tmp, reports);
        std::fs::rename(&tmp, &path).expect("rename");
    }
    path
}

fn write_answer(path: &Path, reports: usize) {
    let mut out = BufWriter::new(File::create(path).expect("create"));
    out.write_all(&synthetic::head(reports)).expect("write");
    for i in 0..reports {
        out.write_all(&synthetic::report_bytes(i)).expect("write");
    }
    out.write_all(synthetic::TAIL).expect("write");
    out.flush().expect("flush");
}
