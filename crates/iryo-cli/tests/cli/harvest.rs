//! `iryo hiyari harvest` and `export` against the hiyari mock: export gives back what `search`
//! prints; a harvest killed with SIGKILL mid-page and run again gives the database an
//! uninterrupted one gives; `--refresh` adds exactly the new reports.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use iryo_mock::Fault;
use iryo_mock::hiyari::HiyariMock;

use crate::common::{hiyari_mock, iryo, serve};

fn harvest_args<'a>(base_url: &'a str, db: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "hiyari",
        "harvest",
        "--db",
        db,
        "--base-url",
        base_url,
        "--pause-ms",
        "0",
    ];
    args.extend_from_slice(extra);
    args
}

/// Every table in key order, without the clock columns.
fn dump(path: &Path) -> Vec<String> {
    let store = iryo_hiyari_db::Store::open(path).unwrap();
    let db = store.connection();
    let queries = [
        "SELECT id, digest, harvest_id, position, json FROM reports ORDER BY id",
        "SELECT * FROM report_factors ORDER BY report_id, ord",
        "SELECT * FROM report_medicines ORDER BY 1, 2, 3, 4, 5",
        "SELECT kind, query, total, pages, reports, new_reports, next_start, \
         finished_at IS NOT NULL FROM harvests ORDER BY id",
    ];
    let mut out = Vec::new();
    for sql in queries {
        let mut statement = db.prepare(sql).unwrap();
        let width = statement.column_count();
        let mut rows = statement.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            let cells: Vec<String> = (0..width)
                .map(|i| format!("{:?}", row.get_ref(i).unwrap()))
                .collect();
            out.push(cells.join("|"));
        }
    }
    out
}

/// Reports stored and the resume point of the one harvest.
fn progress(path: &Path) -> (i64, i64) {
    let store = iryo_hiyari_db::Store::open(path).unwrap();
    let db = store.connection();
    let reports = db.query_row("SELECT count(*) FROM reports", [], |r| r.get(0));
    let next = db.query_row("SELECT next_start FROM harvests", [], |r| r.get(0));
    (reports.unwrap(), next.unwrap())
}

#[test]
fn export_gives_back_what_search_prints() {
    let mock = hiyari_mock();
    let url = mock.base_url();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.sqlite");
    let db = db.to_str().unwrap();
    let search = ["--item", "", "--word", "調剤", "--page-size", "7"];
    let run = iryo(&harvest_args(&url, db, &search)).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    for format in [vec!["--format", "jsonl"], vec!["--format", "csv", "--bom"]] {
        let mut searched = vec!["hiyari", "search", "--base-url", &url, "--pause-ms", "0"];
        searched.extend_from_slice(&search);
        searched.extend_from_slice(&["--count", "all"]);
        searched.extend_from_slice(&format);
        let searched = iryo(&searched).run();
        let mut export = vec!["hiyari", "export", "--db", db];
        export.extend_from_slice(&format);
        let exported = iryo(&export).run();
        assert_eq!(exported.code, 0, "{}", exported.stderr);
        assert!(searched.stdout.lines().count() > 10);
        assert_eq!(exported.stdout_bytes, searched.stdout_bytes, "{format:?}");
    }
    // Run again: complete, nothing fetched.
    let before = mock.request_count();
    let again = iryo(&harvest_args(&url, db, &search)).run();
    assert_eq!(again.code, 0);
    assert!(again.stderr.contains("is complete"), "{}", again.stderr);
    assert_eq!(mock.request_count(), before);
}

#[test]
fn a_harvest_killed_mid_page_resumes_to_the_same_database() {
    let mock = serve(HiyariMock::builder().synthetic(2_000).spawn());
    let url = mock.base_url();
    let dir = tempfile::tempdir().unwrap();
    let (whole, parts) = (
        dir.path().join("whole.sqlite"),
        dir.path().join("parts.sqlite"),
    );
    let (whole_s, parts_s) = (whole.to_str().unwrap(), parts.to_str().unwrap());
    let page = ["--page-size", "100"];
    let run = iryo(&harvest_args(&url, whole_s, &page)).run();
    assert_eq!(run.code, 0, "{}", run.stderr);

    // Three requests pass, the fourth fails once, then its retry stalls halfway through its body:
    // killed there. Queued before the start, so that a fast harvest cannot run past them (it
    // fetches the next page while it writes one, so which page stalls is not fixed).
    let pass = Fault::StallBeforeHeaders(Duration::ZERO);
    let before = mock.request_count();
    mock.push_faults([
        pass.clone(),
        pass.clone(),
        pass,
        Fault::Status(503),
        Fault::StallMidBody {
            after_bytes: 20_000,
            stall: Duration::from_secs(20),
        },
    ]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_iryo"))
        .args(harvest_args(&url, parts_s, &page))
        .arg("-v")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while mock.request_count() < before + 5 {
        assert!(std::time::Instant::now() < deadline, "the retry never came");
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(300));
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-KILL", &pid])
            .status()
            .unwrap()
            .success()
    );
    child.wait().unwrap();
    let (reports, next_start) = progress(&parts);
    assert!(
        (100..2_000).contains(&reports) && reports % 100 == 0,
        "whole pages, killed before the end: {reports}"
    );
    assert_eq!(next_start, reports);

    let resumed = iryo(&harvest_args(&url, parts_s, &page)).run();
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    let resumed_at = format!("resumed at start={next_start}");
    assert!(resumed.stderr.contains(&resumed_at), "{}", resumed.stderr);
    assert_eq!(dump(&parts), dump(&whole));
}

#[test]
fn refresh_adds_exactly_the_new_reports() {
    let mock = serve(HiyariMock::builder().synthetic(450).spawn());
    let url = mock.base_url();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.sqlite");
    let db = db.to_str().unwrap();
    assert_eq!(iryo(&harvest_args(&url, db, &[])).run().code, 0);
    mock.add_synthetic(42);
    let refresh = iryo(&harvest_args(&url, db, &["--refresh"])).run();
    assert_eq!(refresh.code, 0, "{}", refresh.stderr);
    assert!(
        refresh.stderr.contains(": 42 new reports"),
        "{}",
        refresh.stderr
    );
    let exported = iryo(&["hiyari", "export", "--db", db]).run();
    assert_eq!(exported.stdout.lines().count(), 492);
}
