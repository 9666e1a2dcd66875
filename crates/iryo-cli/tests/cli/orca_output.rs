//! The output path of `iryo orca push-events` (shared with `watch`) against hostile answers
//! generated here: no `serde_json::Value` tree, so a 30 MB body costs no more than the library's
//! own bound and any nesting prints. Memory is measured on the `iryo` process itself: under
//! `ulimit -v` (address space) and its exact peak RSS (GNU time, the testkit's `probe::TIME`). `IRYO_BIN` measures another
//! build (the README's figures: the release binary).

use std::process::{Command, Stdio};

const MIB_KIB: u64 = 1024;
/// The goal: at most 64 MiB above the steady state for any answer under the size limit.
const GOAL_KIB: u64 = 64 * MIB_KIB;

/// What an answer of `size` bytes may cost above steady: the answer, read once, and a quarter
/// more (a copy of the body as well, as before the body shared the answer's text, is twice).
fn bound_kib(size: usize) -> u64 {
    (size + size / 4) as u64 / 1024
}

fn answer(body: &str) -> String {
    format!(
        r#"[{{"data":{{"uuid":"2df2ef80-8978-4817-b929-c07e4ba39e6f","id":1,"event":"unheard_of","user":"u","body":{body},"time":"2018-01-24T16:02:53+0900"}}}}]"#
    )
}

/// `[0,0,...]` of about `size` bytes.
fn zeros(size: usize) -> String {
    let mut body = String::with_capacity(size + 2);
    body.push_str("[0");
    while body.len() < size {
        body.push_str(",0");
    }
    body.push(']');
    body
}

struct Served {
    url: String,
    _runtime: tokio::runtime::Runtime,
}

fn serve(body: String) -> Served {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let url = runtime.block_on(iryo_testkit::probe::canned(200, "application/json", body));
    Served {
        url,
        _runtime: runtime,
    }
}

/// What one `iryo orca push-events` under `ulimit -v limit_kib` did: exit code, stdout size and
/// start, stderr, and its peak RSS.
struct Outcome {
    code: i32,
    stdout_len: u64,
    stdout_start: String,
    stderr: String,
    peak_kib: u64,
}

fn push_events(url: &str, limit_kib: Option<u64>) -> Outcome {
    let folder = tempfile::tempdir().unwrap();
    let out_path = folder.path().join("out");
    let err_path = folder.path().join("err");
    let report = folder.path().join("peak");
    let limit = limit_kib.map_or("unlimited".to_owned(), |l| l.to_string());
    let status = Command::new("sh")
        .args([
            "-c",
            r#"ulimit -v "$1" && shift && exec "$@""#,
            "sh",
            &limit,
            iryo_testkit::probe::TIME,
        ])
        .args(iryo_testkit::probe::time_args(&report))
        .args([
            &std::env::var("IRYO_BIN").unwrap_or(env!("CARGO_BIN_EXE_iryo").to_owned()),
            "orca",
            "push-events",
            "--base-url",
            url,
        ])
        .env("ORCA_USER", "ormaster")
        .env("ORCA_PASSWORD", "orca-pw-5Xq7Lm")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .status()
        .unwrap();
    let stdout = std::fs::read(&out_path).unwrap();
    Outcome {
        code: status.code().unwrap_or(-1),
        stdout_len: stdout.len() as u64,
        stdout_start: String::from_utf8_lossy(&stdout[..stdout.len().min(200)]).into_owned(),
        stderr: std::fs::read_to_string(&err_path).unwrap(),
        peak_kib: iryo_testkit::probe::read_time_report_kib(&report),
    }
}

/// The smallest address-space limit (4 MiB steps) under which a one-event answer prints.
fn steady_limit_kib(url: &str) -> u64 {
    (4..128)
        .map(|mib| mib * 4 * MIB_KIB)
        .find(|&limit| push_events(url, Some(limit)).code == 0)
        .expect("iryo runs within 512 MiB of address space")
}

#[test]
fn thirty_megabytes_of_unknown_json_print_within_64_mib_above_steady() {
    let small = serve(answer("[0]"));
    let steady = steady_limit_kib(&small.url);
    let steady_rss = push_events(&small.url, None).peak_kib;
    let size = 30 * 1000 * 1000;
    let big = serve(answer(&zeros(size)));
    let run = push_events(&big.url, Some(steady + GOAL_KIB));
    eprintln!(
        "30 MB unknown body: exit {} under ulimit -v {} KiB (steady {steady}); peak RSS {} KiB above the steady {steady_rss} KiB",
        run.code,
        steady + GOAL_KIB,
        run.peak_kib.saturating_sub(steady_rss)
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout_len > size as u64, "{}", run.stdout_len);
    assert!(
        run.stdout_start.starts_with(r#"{"uuid":"#),
        "{}",
        run.stdout_start
    );
    assert!(
        run.peak_kib.saturating_sub(steady_rss) < bound_kib(size).min(GOAL_KIB),
        "peak RSS {} KiB above steady, more than the answer once ({} KiB)",
        run.peak_kib.saturating_sub(steady_rss),
        bound_kib(size)
    );
}

#[test]
fn a_body_nested_200_deep_prints_as_received() {
    let body = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let served = serve(answer(&format!("{{ \"deep\" : {body} }}")));
    let run = push_events(&served.url, None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let expected = format!(
        "{{\"uuid\":\"2df2ef80-8978-4817-b929-c07e4ba39e6f\",\"id\":1,\"event\":\"unheard_of\",\"user\":\"u\",\"body\":{{\"deep\":{body}}},\"time\":\"2018-01-24T16:02:53+0900\"}}\n"
    );
    assert_eq!(
        run.stdout_len,
        expected.len() as u64,
        "{}",
        run.stdout_start
    );
    assert_eq!(run.stderr, "");
}

/// A server that sends a chunked body for ever (no `Content-Length`): the command refuses it at
/// the answer's size limit (32 MiB) with exit 3, within the goal, both under `ulimit -v` and
/// without it (where the allocator keeps more resident). Growing one buffer by doubling cost
/// about 94 MiB above steady without the limit (the limit, its double, and the freed buffers).
#[test]
fn an_endless_chunked_answer_is_refused_at_the_limit_within_64_mib_above_steady() {
    let small = serve(answer("[0]"));
    let steady = steady_limit_kib(&small.url);
    let steady_rss = push_events(&small.url, None).peak_kib;
    let mock = crate::common::orca_mock();
    for limit in [Some(steady + GOAL_KIB), None] {
        mock.push_fault(iryo_mock::Fault::Generated {
            prefix: r#"[{"data":{"uuid":"x","body":[0"#.to_owned(),
            repeat: ",0".to_owned(),
            times: None,
            suffix: String::new(),
        });
        let run = push_events(&mock.base_url(), limit);
        let above = run.peak_kib.saturating_sub(steady_rss);
        eprintln!(
            "endless chunked answer: exit {} under ulimit -v {limit:?} KiB; peak RSS {above} KiB above the steady {steady_rss} KiB",
            run.code
        );
        assert_eq!(run.code, 3, "{}", run.stderr);
        assert!(
            run.stderr
                .contains("larger than the limit of 33554432 bytes"),
            "{}",
            run.stderr
        );
        assert_eq!(run.stdout_len, 0);
        assert!(above < GOAL_KIB, "peak RSS {above} KiB above steady");
    }
}
