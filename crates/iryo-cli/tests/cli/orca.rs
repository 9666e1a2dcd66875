//! `iryo orca push-events` against the ORCA mock.

use serde_json::Value;

use crate::common::{ORCA_PASSWORD, WRONG_PASSWORD, iryo, orca_mock};

const DOCUMENT_REQUEST: [&str; 8] = [
    "--event",
    "patient_accept",
    "--user",
    "ormaster",
    "--start",
    "2018-01-24 13:00",
    "--end",
    "2018-01-25 12:59",
];

fn push_events(base_url: &str, filters: &[&str]) -> Vec<String> {
    let mut args = vec![
        "orca".to_owned(),
        "push-events".to_owned(),
        "--base-url".to_owned(),
        base_url.to_owned(),
    ];
    args.extend(filters.iter().map(|s| (*s).to_owned()));
    args
}

fn run_push_events(base_url: &str, filters: &[&str]) -> crate::common::Iryo {
    let args = push_events(base_url, filters);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    iryo(&args)
}

#[test]
fn the_documents_request_prints_the_two_sample_notifications_as_json_lines() {
    let orca = orca_mock();
    let run = run_push_events(&orca.base_url(), &DOCUMENT_REQUEST)
        .orca_credentials()
        .run();
    run.assert_quiet_success();
    let sample: Value = serde_json::from_str(include_str!(
        "../../../../specs/orca/examples/response-sample.json"
    ))
    .unwrap();
    let expected: Vec<Value> = sample
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["data"].clone())
        .collect();
    assert_eq!(run.json_lines(), expected);
    for line in run.json_lines() {
        let keys: Vec<&str> = line
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["uuid", "id", "event", "user", "body", "time"]);
    }
    assert!(
        run.lines()[0].starts_with(r#"{"uuid":"2df2ef80-8978-4817-b929-c07e4ba39e6f","id":1,"#),
        "{}",
        run.stdout
    );
}

#[test]
fn weborca_base_path_and_verbose_summary_without_credentials() {
    let orca = orca_mock();
    let run = run_push_events(
        &orca.base_url(),
        &[
            "--base-path",
            "/api",
            "-v",
            "--event",
            "patient_accept",
            "--user",
            "ormaster",
        ],
    )
    .orca_credentials()
    .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    // fixtures 05, 06 and 11 are ormaster's patient_accept notifications
    let ids: Vec<i64> = run
        .json_lines()
        .iter()
        .map(|l| l["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [65535, 1, 10]);
    assert_eq!(
        run.stderr,
        format!(
            "POST {}/api/api01rv2/pusheventgetv2 as ORCA user ormaster\n\
             iryo.http{{api=\"orca\" operation=\"pushEventGetV2\" attempt=1 status=200}}: close\n\
             3 notifications\n",
            orca.base_url()
        )
    );
}

#[test]
fn verbose_traces_each_http_attempt_with_its_retry_and_never_a_credential() {
    let orca = orca_mock();
    orca.http_status_next(503).unwrap();
    let run = run_push_events(&orca.base_url(), &["-v"])
        .orca_credentials()
        .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let attempts: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("iryo.http{"))
        .collect();
    let first =
        r#"iryo.http{api="orca" operation="pushEventGetV2" attempt=1 status=503 retry_delay_ms="#;
    assert_eq!(attempts.len(), 2, "{}", run.stderr);
    assert!(attempts[0].starts_with(first), "{}", run.stderr);
    assert_eq!(
        attempts[1],
        r#"iryo.http{api="orca" operation="pushEventGetV2" attempt=2 status=200}: close"#
    );
    // The harness checks every run for the secrets; the header itself never shows either.
    let lower = run.stderr.to_ascii_lowercase();
    assert!(
        !lower.contains("authorization") && !lower.contains("basic "),
        "{lower}"
    );
    assert!(!run.stderr.contains(ORCA_PASSWORD));
}

#[test]
fn unknown_events_keys_and_the_wire_spelling_are_kept() {
    let orca = orca_mock();
    let run = run_push_events(&orca.base_url(), &["--event", "patient_future_thing"])
        .orca_credentials()
        .run();
    run.assert_quiet_success();
    let lines = run.json_lines();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["event"], "patient_future_thing");
    assert_eq!(lines[0]["uuid"], "7a98421c-8ce2-4243-bb99-2667ec664752");
    let keys: Vec<&str> = lines[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys[..6], ["uuid", "id", "event", "user", "body", "time"]);
    assert!(keys.contains(&"revision"), "{keys:?}");

    let run = run_push_events(&orca.base_url(), &["--event", "patient_infomation"])
        .orca_credentials()
        .run();
    run.assert_quiet_success();
    let lines = run.json_lines();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["event"], "patient_infomation");
    assert_eq!(lines[0]["time"], "2018-01-24T08:58:12+0900");
}

#[test]
fn nothing_found_0007_prints_nothing_and_succeeds() {
    let orca = orca_mock();
    let run = run_push_events(
        &orca.base_url(),
        &["--event", "print002", "--user", "doctor1"],
    )
    .orca_credentials()
    .run();
    run.assert_quiet_success();
    assert_eq!(run.stdout, "");
}

#[test]
fn an_injected_0089_is_one_error_line_with_the_code_and_exit_1() {
    let orca = orca_mock();
    orca.fail_next("0089", None);
    let run = run_push_events(&orca.base_url(), &DOCUMENT_REQUEST)
        .orca_credentials()
        .run();
    let line = run.single_error_line(1);
    assert!(line.starts_with("error: ORCA error 0089: "), "{line}");
    assert_eq!(run.stdout, "");
}

#[test]
fn a_wrong_password_is_exit_3_with_one_line() {
    let orca = orca_mock();
    let run = run_push_events(&orca.base_url(), &[])
        .env("ORCA_USER", "ormaster")
        .env("ORCA_PASSWORD", WRONG_PASSWORD)
        .run();
    let line = run.single_error_line(3);
    assert!(line.contains("HTTP 401 Unauthorized"), "{line}");
}

#[test]
fn missing_credentials_are_refused_before_sending_with_exit_4() {
    let orca = orca_mock();
    let run = run_push_events(&orca.base_url(), &[])
        .env("ORCA_PASSWORD", WRONG_PASSWORD)
        .run();
    let line = run.single_error_line(4);
    assert!(line.contains("ORCA_USER is not set"), "{line}");
    let run = run_push_events(&orca.base_url(), &[])
        .env("ORCA_USER", "ormaster")
        .run();
    let line = run.single_error_line(4);
    assert!(line.contains("ORCA_PASSWORD is not set"), "{line}");
}

#[test]
fn bad_filters_are_refused_before_sending_with_exit_4() {
    let orca = orca_mock();
    let run = run_push_events(&orca.base_url(), &["--start", "2018-01-24T13:00"])
        .orca_credentials()
        .run();
    let line = run.single_error_line(4);
    assert!(line.contains("--start `2018-01-24T13:00`"), "{line}");
    let run = run_push_events(&orca.base_url(), &["--event", "受付"])
        .orca_credentials()
        .run();
    let line = run.single_error_line(4);
    assert!(line.contains("0001"), "{line}");
}
