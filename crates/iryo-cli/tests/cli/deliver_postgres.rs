//! `iryo orca watch --postgres` against the live ORCA mock and a real PostgreSQL (a throwaway
//! cluster, or IRYO_TEST_POSTGRES_URL): the socket cut again and again, the database dropping the
//! watcher's connections and refusing rows for a moment, the watcher SIGKILLed and restarted. The rows are the raised set with no
//! repeat, and after every kill the cursor names the latest row.

use std::collections::HashSet;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use iryo_testkit::postgres::{TEST_PASSWORD, TestPostgres};
use serde_json::{Value, json};

use crate::common::{iryo, live_orca_mock};
use crate::watcher::{PATIENCE, Watcher, push_events_lines};

fn cluster() -> TestPostgres {
    TestPostgres::start(Path::new(env!("CARGO_TARGET_TMPDIR")))
}

/// The cursor of tenant 1 is the row with the latest time (or there are no rows yet).
fn assert_cursor_matches_rows(pg: &TestPostgres) {
    let consistent = pg.psql(
        "SELECT count(*) FROM iryo.orca_cursor c
         WHERE c.tenant_id = '1'
           AND c.last_time IS NOT DISTINCT FROM
               (SELECT max(time) FROM iryo.orca_events WHERE tenant_id = '1')
           AND (c.last_uuid IS NULL OR EXISTS (SELECT 1 FROM iryo.orca_events e
                WHERE e.tenant_id = '1' AND e.uuid = c.last_uuid AND e.time = c.last_time))",
    );
    assert_eq!(consistent.trim(), "1", "cursor and rows disagree");
}

#[test]
fn postgres_rows_equal_the_raised_set_through_cuts_dropped_connections_and_kills() {
    let pg = cluster();
    let orca = live_orca_mock();
    let live = orca.live();
    let env = [("IRYO_POSTGRES_URL", pg.url())];
    let args = [
        "--postgres",
        "--max-backoff",
        "0.2",
        "--sink-retry-initial-ms",
        "10",
        "--sink-retry-max-ms",
        "200",
    ];
    let start = || Watcher::spawn(&orca.base_url(), &args, &env);
    let listener = listen(&pg, Duration::from_secs(3));
    let mut watcher = start();
    let mut stderr = Vec::new();
    for n in 0..200 {
        live.raise("patient_accept", json!({ "Patient_ID": format!("{n:05}") }));
        std::thread::sleep(Duration::from_millis(20));
        if n % 25 == 24 {
            live.drop_sockets();
        }
        // One event in ten meets a table that refuses rows for a moment.
        if n % 10 == 8 {
            pg.psql("ALTER TABLE iryo.orca_events ADD CONSTRAINT closed CHECK (false) NOT VALID");
        }
        if n % 10 == 9 {
            pg.psql("ALTER TABLE iryo.orca_events DROP CONSTRAINT closed");
        }
        if n % 10 == 5 {
            // The database side fails: the watcher's connections are dropped.
            pg.psql(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                 WHERE datname = current_database() AND pid <> pg_backend_pid()
                   AND application_name = ''",
            );
        }
        if n % 60 == 59 {
            watcher.signal("-KILL");
            let (code, _, err) = watcher.finish();
            assert_eq!(code, -1, "killed");
            stderr.extend(err);
            assert_cursor_matches_rows(&pg);
            for _ in 0..5 {
                live.raise("patient_infomation", json!({ "Patient_Mode": "add" }));
            }
            watcher = start();
        }
    }
    let expected: Vec<Value> = push_events_lines(&orca.base_url())
        .iter()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(expected.len(), 215);
    let started = Instant::now();
    while pg.psql("SELECT count(*) FROM iryo.orca_events").trim() != "215" {
        assert!(
            started.elapsed() < PATIENCE * 2,
            "rows missing; stderr: {:?}",
            watcher.stderr()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    watcher.signal("-TERM");
    let (code, stdout, err) = watcher.finish();
    stderr.extend(err);
    assert_eq!(code, 0, "{stderr:?}");
    assert!(stdout.is_empty());
    assert!(
        stderr
            .iter()
            .any(|l| l.starts_with("delivery of ") && l.contains("closed")),
        "the refused rows were reported: {stderr:?}"
    );
    assert!(!stderr.join("\n").contains(TEST_PASSWORD));
    assert_cursor_matches_rows(&pg);

    let rows: Vec<Value> = pg
        .psql(
            "SELECT json_build_object('tenant', tenant_id, 'uuid', uuid, 'id', id, 'event', event,
                 'user', orca_user, 'data', data)
             FROM iryo.orca_events ORDER BY time, id",
        )
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(rows.len(), 215, "no repeats");
    let by_uuid: std::collections::HashMap<&str, &Value> = rows
        .iter()
        .map(|r| (r["uuid"].as_str().unwrap(), r))
        .collect();
    for event in &expected {
        let row = by_uuid[event["uuid"].as_str().unwrap()];
        assert_eq!(row["data"], *event, "data is the push-events object");
        assert_eq!(row["id"], event["id"]);
        assert_eq!(row["event"], event["event"]);
        assert_eq!(row["user"], event["user"]);
        assert_eq!(row["tenant"], "1");
    }
    let notified = listener.join().unwrap();
    let raised: HashSet<&str> = expected
        .iter()
        .map(|e| e["uuid"].as_str().unwrap())
        .collect();
    assert!(
        !notified.is_empty() && notified.iter().all(|u| raised.contains(u.as_str())),
        "NOTIFY iryo_orca_events carries the new rows' uuids: {notified:?}"
    );
}

/// `LISTEN iryo_orca_events` for `time` in a psql session of its own; the uuids notified.
fn listen(pg: &TestPostgres, time: Duration) -> std::thread::JoinHandle<Vec<String>> {
    let url = pg.url().to_owned();
    std::thread::spawn(move || {
        let out = Command::new("psql")
            .args([url.as_str(), "-X", "-q"])
            .args(["-c", "LISTEN iryo_orca_events"])
            .args(["-c", &format!("SELECT pg_sleep({})", time.as_secs_f64())])
            .args(["-c", "SELECT 1"])
            .env("PGAPPNAME", "listener")
            .output()
            .expect("psql runs");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split("with payload \"").nth(1))
            .flat_map(|payload| payload.split('"').next().unwrap_or("").split(','))
            .map(str::to_owned)
            .collect()
    })
}

#[test]
fn postgres_refuses_state_and_never_shows_its_password() {
    let run = iryo(&[
        "orca",
        "watch",
        "--ws-url",
        "ws://127.0.0.1:1/ws",
        "--base-url",
        "http://127.0.0.1:1",
        "--postgres",
        "--state",
        "x.sqlite",
    ])
    .run();
    assert_eq!(
        run.code, 2,
        "--state with --postgres is a usage error: {}",
        run.stderr
    );

    let pg = cluster();
    let wrong = pg.url().replace(TEST_PASSWORD, "Wrong-Password-42");
    let run = iryo(&[
        "orca",
        "watch",
        "--ws-url",
        "ws://127.0.0.1:1/ws",
        "--base-url",
        "http://127.0.0.1:1",
        "--postgres",
    ])
    .env("IRYO_POSTGRES_URL", &wrong)
    .run();
    let line = run.single_error_line(3);
    assert!(line.contains("password authentication failed"), "{line}");
    assert!(!run.stderr.contains("Wrong-Password-42") && !run.stdout.contains("Wrong-Password-42"));
}
