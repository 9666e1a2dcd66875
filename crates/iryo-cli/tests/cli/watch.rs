//! `iryo orca watch` against the live ORCA mock: killed with SIGKILL and started again with its
//! state, nothing is lost and nothing repeated; SIGTERM saves and exits 0; gaps are warned about.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::{ORCA_PASSWORD, ORCA_USER, base64, iryo, live_orca_mock};

use crate::watcher::{Watcher, push_events_lines};

#[test]
fn a_watcher_killed_and_restarted_with_its_state_loses_nothing_and_repeats_nothing() {
    let orca = live_orca_mock();
    let live = orca.live();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("watch.sqlite");

    let first = Watcher::start(&orca.base_url(), &state, &[]);
    for n in 0..30 {
        live.raise("patient_accept", json!({ "Patient_ID": format!("{n:05}") }));
    }
    first.wait_for_lines(30);
    first.signal("-KILL");
    let (code, before_kill, _) = first.finish();
    assert_eq!(code, -1, "killed by the signal");

    // Raised while no watcher runs: only pusheventgetv2 has them.
    for _ in 0..20 {
        live.raise("patient_infomation", json!({ "Patient_Mode": "add" }));
    }
    let second = Watcher::start(&orca.base_url(), &state, &[]);
    second.wait_for_lines(20);
    for _ in 0..10 {
        live.raise("patient_accept", json!({}));
    }
    second.wait_for_lines(30);
    second.signal("-TERM");
    let (code, after_restart, stderr) = second.finish();
    assert_eq!(code, 0, "{stderr:?}");
    assert!(
        stderr.iter().any(|l| l.starts_with("SIGTERM")),
        "{stderr:?}"
    );

    let mut printed = before_kill;
    printed.extend(after_restart);
    assert_eq!(printed.len(), 60);
    assert_eq!(
        printed,
        push_events_lines(&orca.base_url()),
        "each event once, as push-events prints it"
    );
}

#[test]
fn a_gap_is_a_warning_line_and_fail_on_gap_makes_the_exit_status_non_zero() {
    let orca = live_orca_mock();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("watch.sqlite");
    let first = Watcher::start(&orca.base_url(), &state, &[]);
    first.signal("-INT");
    let (code, _, stderr) = first.finish();
    assert_eq!(code, 0, "{stderr:?}");

    orca.http_status_next(404).unwrap();
    let second = Watcher::start(&orca.base_url(), &state, &["--fail-on-gap"]);
    second.wait_until("the gap warning", |w| {
        w.stderr().iter().any(|l| l.starts_with("warning: gap"))
    });
    second.signal("-TERM");
    let (code, stdout, stderr) = second.finish();
    assert_eq!(code, 1, "{stderr:?}");
    assert!(stdout.is_empty());
    let gap = stderr
        .iter()
        .find(|l| l.starts_with("warning: gap"))
        .unwrap();
    assert!(gap.contains("HTTP 404"), "{gap}");
    assert!(
        stderr.last().unwrap().starts_with("error: 1 gap(s)"),
        "{stderr:?}"
    );
}

fn watch_args<'a>(ws_url: &'a str, base_url: &'a str, state: &'a str) -> Vec<&'a str> {
    vec![
        "orca",
        "watch",
        "--ws-url",
        ws_url,
        "--base-url",
        base_url,
        "--state",
        state,
    ]
}

#[test]
fn a_second_watcher_on_one_state_file_is_refused_naming_the_file() {
    let orca = live_orca_mock();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("shared-state.sqlite");
    let first = Watcher::start(&orca.base_url(), &state, &[]);
    let ws_url = format!("{}/ws", orca.base_url().replacen("http://", "ws://", 1));
    let base_url = orca.base_url();
    let second = iryo(&watch_args(&ws_url, &base_url, state.to_str().unwrap()))
        .orca_credentials()
        .run();
    let line = second.single_error_line(4);
    assert!(
        line.contains("shared-state.sqlite") && line.contains("in use"),
        "{line}"
    );
    // The first goes on: what is raised now reaches it.
    orca.live().raise("patient_accept", json!({}));
    first.wait_for_lines(1);
    first.signal("-TERM");
    assert_eq!(first.finish().0, 0);
}

#[cfg(unix)]
#[test]
fn a_state_file_others_may_write_is_refused() {
    use std::os::unix::fs::PermissionsExt as _;
    let orca = live_orca_mock();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("open-state.sqlite");
    std::fs::write(&state, b"").unwrap();
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o666)).unwrap();
    let ws_url = format!("{}/ws", orca.base_url().replacen("http://", "ws://", 1));
    let base_url = orca.base_url();
    let run = iryo(&watch_args(&ws_url, &base_url, state.to_str().unwrap()))
        .orca_credentials()
        .run();
    let line = run.single_error_line(4);
    assert!(
        line.contains("open-state.sqlite") && line.contains("writable by other users"),
        "{line}"
    );
}

#[test]
fn an_error_frame_echoing_the_credentials_and_escapes_reaches_stderr_redacted() {
    let orca = live_orca_mock();
    let dir = tempfile::tempdir().unwrap();
    let watcher = Watcher::start(&orca.base_url(), &dir.path().join("s.sqlite"), &[]);
    let basic = base64(&format!("{ORCA_USER}:{ORCA_PASSWORD}"));
    let reason =
        format!("Authorization: Basic {basic} pw={ORCA_PASSWORD}\u{1b}]0;pwned\u{7}\u{1b}[2J");
    orca.live().send_error_frame("INTERNAL_ERROR", &reason);
    watcher.wait_until("the reconnect line", |w| {
        w.stderr().iter().any(|l| l.starts_with("reconnecting"))
    });
    watcher.signal("-TERM");
    // `finish` asserts that neither the password nor the Basic string reached stdout or stderr.
    let (code, _, stderr) = watcher.finish();
    assert_eq!(code, 0, "{stderr:?}");
    let line = stderr
        .iter()
        .find(|l| l.starts_with("reconnecting"))
        .unwrap();
    assert!(line.contains("[REDACTED]"), "{line}");
    assert!(!line.chars().any(char::is_control), "{line:?}");
}

#[test]
fn a_body_nested_200_deep_is_printed_and_the_watcher_goes_on() {
    let orca = live_orca_mock();
    let dir = tempfile::tempdir().unwrap();
    let watcher = Watcher::start(&orca.base_url(), &dir.path().join("s.sqlite"), &[]);
    // Built by hand: serde_json's own parser stops at 128 levels.
    let mut deep = serde_json::Value::Array(Vec::new());
    for _ in 0..199 {
        deep = serde_json::Value::Array(vec![deep]);
    }
    orca.live().raise("unheard_of", json!({ "deep": deep }));
    orca.live().raise("patient_accept", json!({}));
    watcher.wait_for_lines(2);
    watcher.signal("-TERM");
    let (code, stdout, stderr) = watcher.finish();
    assert_eq!(code, 0, "{stderr:?}");
    let brackets = format!("{}{}", "[".repeat(200), "]".repeat(200));
    assert!(
        stdout[0].contains(&format!(r#""body":{{"deep":{brackets}}}"#)),
        "{}",
        stdout[0]
    );
    assert!(stdout[1].contains("patient_accept"), "{}", stdout[1]);
}

#[test]
fn refused_credentials_on_a_reconnect_print_a_line_each_until_give_up_after() {
    let orca = live_orca_mock();
    let live = orca.live();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("watch.sqlite");
    let args = ["--max-backoff", "0.2", "--give-up-after", "1"];
    let watcher = Watcher::start(&orca.base_url(), &state, &args);
    for _ in 0..2 {
        live.refuse_next_upgrade(401);
    }
    live.drop_sockets();
    // Two refusals, then the credentials work again: the watch goes on.
    watcher.wait_until("connected again", |w| {
        w.stderr()
            .iter()
            .filter(|l| l.starts_with("connected:"))
            .count()
            == 2
    });
    let refused = |w: &Watcher| {
        w.stderr()
            .iter()
            .filter(|l| l.starts_with("reconnecting") && l.contains("HTTP 401"))
            .count()
    };
    assert_eq!(refused(&watcher), 2, "{:?}", watcher.stderr());
    // Refused for longer than --give-up-after: the watch ends with the refusal.
    for _ in 0..1000 {
        live.refuse_next_upgrade(401);
    }
    let started = Instant::now();
    live.drop_sockets();
    let (code, _, stderr) = watcher.finish();
    assert_eq!(code, 3, "{stderr:?}");
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert!(stderr.last().unwrap().contains("HTTP 401"), "{stderr:?}");
}

fn uuids(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["uuid"].to_string())
        .collect()
}

#[test]
fn a_kill_under_load_repeats_at_most_one_batch_of_lines() {
    let orca = live_orca_mock();
    let live = orca.live();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("watch.sqlite");
    let first = Watcher::start(&orca.base_url(), &state, &[]);
    {
        let _runtime = orca.enter();
        live.start_generator(5_000, "patient_accept");
    }
    first.wait_for_lines(5_000);
    first.signal("-KILL");
    live.stop_generator();
    let (_, before_kill, _) = first.finish();
    let stored: std::collections::HashSet<String> = orca
        .events()
        .iter()
        .map(|e| e["uuid"].to_string())
        .collect();
    let second = Watcher::start(&orca.base_url(), &state, &[]);
    let printed_before: std::collections::HashSet<String> =
        uuids(&before_kill).into_iter().collect();
    second.wait_until("every stored event printed", |w| {
        let mut all = printed_before.clone();
        all.extend(uuids(&w.stdout()));
        all.len() >= stored.len()
    });
    second.signal("-TERM");
    let (code, after_restart, stderr) = second.finish();
    assert_eq!(code, 0, "{stderr:?}");
    let after = uuids(&after_restart);
    let repeated = after.iter().filter(|u| printed_before.contains(*u)).count();
    eprintln!(
        "{} printed before the kill, {repeated} of them printed again",
        before_kill.len()
    );
    assert!(repeated <= 1024, "{repeated} lines repeated");
    let mut all = printed_before;
    all.extend(after);
    assert_eq!(all, stored, "none lost");
}
