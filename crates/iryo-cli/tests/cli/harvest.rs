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

#[test]
fn a_second_harvest_of_one_database_is_refused_while_the_first_runs() {
    let mock = serve(HiyariMock::builder().synthetic(300).spawn());
    let url = mock.base_url();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.sqlite");
    let db_s = db.to_str().unwrap();
    // The first harvest's first request stalls: it holds the file meanwhile.
    mock.push_fault(Fault::StallBeforeHeaders(Duration::from_secs(20)));
    let mut first = Command::new(env!("CARGO_BIN_EXE_iryo"))
        .args(harvest_args(&url, db_s, &[]))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while mock.request_count() < 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "the first never asked"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let second = iryo(&harvest_args(&url, db_s, &[])).run();
    let line = second.single_error_line(4);
    assert!(line.contains(db_s) && line.contains("locked"), "{line}");
    assert_eq!(mock.request_count(), 1, "the second asked nothing");
    // An export reads alongside the running harvest.
    assert_eq!(iryo(&["hiyari", "export", "--db", db_s]).run().code, 0);
    first.kill().unwrap();
    first.wait().unwrap();
    let after = iryo(&harvest_args(&url, db_s, &[])).run();
    assert_eq!(after.code, 0, "{}", after.stderr);
}

#[test]
fn another_applications_sqlite_file_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("app.sqlite");
    let db_s = db.to_str().unwrap();
    {
        let app = rusqlite::Connection::open(&db).unwrap();
        app.execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('x');")
            .unwrap();
    }
    let before = std::fs::read(&db).unwrap();
    let mock = hiyari_mock();
    let url = mock.base_url();
    for args in [
        vec!["hiyari", "export", "--db", db_s],
        harvest_args(&url, db_s, &[]),
    ] {
        let run = iryo(&args).run();
        let line = run.single_error_line(4);
        assert!(line.contains("not a harvest database"), "{line}");
        assert!(line.contains(db_s), "{line}");
    }
    assert_eq!(std::fs::read(&db).unwrap(), before, "the file is unchanged");
    let wal = dir.path().join("app.sqlite-wal");
    assert!(!wal.exists(), "not switched to WAL");
    assert_eq!(mock.request_count(), 0);
}

#[test]
fn a_tampered_json_cell_is_refused_naming_its_row() {
    let mock = hiyari_mock();
    let url = mock.base_url();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.sqlite");
    let db_s = db.to_str().unwrap();
    assert_eq!(iryo(&harvest_args(&url, db_s, &[])).run().code, 0);
    let injected = [
        "{\"DATYEAR\":\"2009\"}\n{\"injected\":true}",
        "{\"DATYEAR\":\"2009\"} {\"injected\":true}",
        "{\"DATYEAR\":\n\"2009\"}",
        "[1]",
    ];
    for json in injected {
        {
            let db = rusqlite::Connection::open(&db).unwrap();
            db.execute("UPDATE reports SET json = ?1 WHERE id = 3", [json])
                .unwrap();
        }
        for format in ["jsonl", "csv"] {
            let run = iryo(&["hiyari", "export", "--db", db_s, "--format", format]).run();
            let line = run.single_error_line(3);
            assert!(line.contains("stored report id=3"), "{line}");
            assert!(!run.stdout.contains("injected"), "{format}: {}", run.stdout);
        }
    }
}

#[test]
fn a_repeated_page_stops_the_harvest_after_two_requests() {
    let mock = serve(HiyariMock::builder().synthetic(1_000).spawn());
    let url = mock.base_url();
    mock.push_faults((0..50).map(|_| Fault::IgnoreStart { claim_start: true }));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.sqlite");
    let run = iryo(&harvest_args(&url, db.to_str().unwrap(), &[])).run();
    let line = run.single_error_line(3);
    assert!(line.contains("repeats the previous page"), "{line}");
    assert_eq!(mock.request_count(), 2);
}

#[test]
fn a_changing_total_is_rechecked_or_reported_with_exit_5() {
    use iryo_mock::hiyari::DataChange;
    let mock = serve(HiyariMock::builder().synthetic(500).spawn());
    let url = mock.base_url();
    let dir = tempfile::tempdir().unwrap();
    // One report withdrawn before the third request: re-checked, complete.
    mock.change(DataChange::Withdraw { position: 10 }, Some(3))
        .unwrap();
    let db = dir.path().join("once.sqlite");
    let run = iryo(&harvest_args(&url, db.to_str().unwrap(), &[])).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("complete after 1 re-check(s) from the start: the total changed (500->499 at start=200), then held steady at 499"),
        "{}",
        run.stderr
    );
    // A change on every pass: exit 5, naming the changes, never "N of N".
    let at = mock.request_count();
    for request in [2, 4, 6] {
        mock.change(DataChange::Insert { count: 1 }, Some(at + request))
            .unwrap();
    }
    let db = dir.path().join("moving.sqlite");
    let run = iryo(&harvest_args(&url, db.to_str().unwrap(), &[])).run();
    let line = run.single_error_line(5);
    assert!(
        line.contains("may have missed reports")
            && line.contains("499->500 at start=100, 500->501 at start=100, 501->502 at start=100"),
        "{line}"
    );
}
