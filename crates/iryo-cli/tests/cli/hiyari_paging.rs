//! `iryo hiyari search` and `parse` when things go wrong: usage errors, a search that stops
//! midway, raw answers kept and read back, server text made safe for the terminal.

use iryo_mock::Fault;

use crate::common::{hiyari_mock, iryo};

fn search(base_url: &str, args: &[&str]) -> crate::common::Run {
    let mut all = vec![
        "hiyari",
        "search",
        "--base-url",
        base_url,
        "--pause-ms",
        "0",
    ];
    all.extend_from_slice(args);
    iryo(&all).run()
}

#[test]
fn a_word_without_item_searches_the_whole_report() {
    let hiyari = hiyari_mock();
    let run = search(&hiyari.base_url(), &["--word", "調剤", "--count", "all"]);
    run.assert_quiet_success();
    assert!(!run.json_lines().is_empty());
    let sent = hiyari.last_request().unwrap().raw_query;
    assert!(
        sent.starts_with("item=&word=%92%B2%8D%DC&condition=all&"),
        "{sent}"
    );
    // an --item without a --word is still a usage error
    let run = search(&hiyari.base_url(), &["--item", "LSTFACTOR"]);
    let line = run.single_error_line(2);
    assert!(line.contains("--item needs a --word"), "{line}");
}

#[test]
fn contradictory_flags_are_usage_errors_before_any_request() {
    let hiyari = hiyari_mock();
    let url = hiyari.base_url();
    let cases: [(&[&str], &str); 5] = [
        (
            &["--word", "a", "--order", "3"],
            "--order 3 (score) needs a word search under an --item",
        ),
        (
            &["--item", "", "--word", "a", "--order", "3"],
            "--order 3 (score) needs",
        ),
        (
            &["--fyear", "2012", "--tyear", "2010"],
            "comes after --tyear 2010",
        ),
        (&["--count", "0"], "--count must be at least 1"),
        (&["--page-size", "0"], "--page-size must be at least 1"),
    ];
    for (args, expected) in cases {
        let run = search(&url, args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(expected), "{args:?}: {}", run.stderr);
    }
    let same_year = search(
        &url,
        &[
            "--fyear", "2012", "--fmonth", "5", "--tyear", "2012", "--tmonth", "4",
        ],
    );
    assert_eq!(same_year.code, 2, "{}", same_year.stderr);
    assert_eq!(hiyari.last_request(), None);
    // an item search may be sorted by score; a range within one year is fine
    let run = search(
        &url,
        &["--item", "LSTFACTOR", "--word", "疲労", "--order", "3"],
    );
    run.assert_quiet_success();
    let run = search(
        &url,
        &[
            "--fyear", "2012", "--fmonth", "4", "--tyear", "2012", "--tmonth", "5",
        ],
    );
    run.assert_quiet_success();
}

#[test]
fn an_interrupted_search_says_how_to_resume() {
    let hiyari = hiyari_mock();
    // every request is answered as if it had no start: the second page repeats the first
    hiyari.push_faults((0..10).map(|_| Fault::IgnoreStart { claim_start: false }));
    let run = search(&hiyari.base_url(), &["--count", "all", "--page-size", "10"]);
    let line = run.single_error_line(3);
    assert!(line.contains("position 0, not at the start 10"), "{line}");
    assert!(line.contains("--start 10"), "{line}");
    assert_eq!(run.json_lines().len(), 10, "the first page was written");
}

#[test]
fn raw_answers_are_kept_and_parse_reads_them_back() {
    let hiyari = hiyari_mock();
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("raw");
    let run = search(
        &hiyari.base_url(),
        &[
            "--count",
            "all",
            "--page-size",
            "15",
            "--save-raw",
            raw.to_str().unwrap(),
        ],
    );
    run.assert_quiet_success();
    let mut files: Vec<_> = std::fs::read_dir(&raw)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let names: Vec<_> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "page-0000000000.xml",
            "page-0000000015.xml",
            "page-0000000030.xml"
        ]
    );
    let mut args = vec!["hiyari".to_owned(), "parse".to_owned()];
    args.extend(files.iter().map(|p| p.to_string_lossy().into_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let parsed = iryo(&args).run();
    parsed.assert_quiet_success();
    assert_eq!(parsed.stdout, run.stdout);
}

#[test]
fn parse_given_json_lines_says_what_it_expects() {
    let hiyari = hiyari_mock();
    let run = search(&hiyari.base_url(), &["--count", "2"]);
    run.assert_quiet_success();
    let parsed = iryo(&["hiyari", "parse", "-"])
        .stdin(run.stdout.as_bytes())
        .run();
    let line = parsed.single_error_line(4);
    assert!(line.contains("reads saved XML answers"), "{line}");
    assert!(line.contains("--save-raw"), "{line}");
}

#[test]
fn server_text_on_stderr_has_no_control_characters_and_is_cut() {
    let hiyari = hiyari_mock();
    let message = format!("\u{1b}[2J\u{1b}]0;pwned\u{7}{}", "長い".repeat(2000));
    hiyari.fail_next_error(&message).unwrap();
    let run = search(&hiyari.base_url(), &["--count", "3"]);
    let line = run.single_error_line(1);
    assert!(!line.chars().any(char::is_control), "{line:?}");
    assert!(line.contains("\u{FFFD}[2J"), "{line}");
    assert!(
        line.chars().count() < 400,
        "{} characters",
        line.chars().count()
    );
    assert!(line.ends_with('…'), "{line}");
}
