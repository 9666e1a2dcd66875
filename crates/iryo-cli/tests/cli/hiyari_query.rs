//! `iryo hiyari search`: repeated word and code sets become the API's parameter sets, paired by
//! position, as the mock receives them.

use std::collections::BTreeSet;

use crate::common::hiyari_mock;
use crate::hiyari::{params, search};

#[test]
fn repeated_word_sets_pair_by_position() {
    let hiyari = hiyari_mock();
    let run = search(
        &hiyari.base_url(),
        &[
            "--item",
            "DATIMPROVEMENTTEXT",
            "--word",
            "夜勤 長時間",
            "--condition",
            "all",
            "--item",
            "",
            "--word",
            "夜勤",
            "--fyear",
            "2011",
            "--fmonth",
            "1",
        ],
    );
    run.assert_quiet_success();
    let months: BTreeSet<String> = run
        .json_lines()
        .iter()
        .map(|r| {
            format!(
                "{}-{}",
                r["DATYEAR"].as_str().unwrap(),
                r["DATMONTH"]["code"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        months,
        BTreeSet::from(["2011-02".to_owned(), "2011-07".to_owned()])
    );
    assert_eq!(
        hiyari.last_request().unwrap().params,
        params(&[
            ("item", "DATIMPROVEMENTTEXT"),
            ("word", "夜勤 長時間"),
            ("condition", "all"),
            ("item", ""),
            ("word", "夜勤"),
            ("condition", "all"),
            ("fyear", "2011"),
            ("fmonth", "1"),
            ("start", "0"),
            ("count", "10"),
        ])
    );
}

#[test]
fn unpaired_sets_are_usage_errors() {
    let hiyari = hiyari_mock();
    let run = search(
        &hiyari.base_url(),
        &["--item", "LSTFACTOR", "--word", "a", "--word", "b"],
    );
    let line = run.single_error_line(2);
    assert!(
        line.contains("--word is given 2 time(s) and --item 1 time(s)"),
        "{line}"
    );
    let run = search(
        &hiyari.base_url(),
        &["--itemcode", "0090010", "--code", "08", "--code", "09"],
    );
    let line = run.single_error_line(2);
    assert!(
        line.contains("--code is given 2 time(s) but --itemcode only 1"),
        "{line}"
    );
    assert_eq!(hiyari.last_request(), None);
}

#[test]
fn code_sets_with_codes_or_text_pair_by_position() {
    let hiyari = hiyari_mock();
    let run = search(
        &hiyari.base_url(),
        &[
            "--itemcode",
            "0090010",
            "--code",
            "08 09",
            "--text",
            "",
            "--itemcode",
            "9020010",
            "--text",
            "過労",
            "--count",
            "all",
        ],
    );
    run.assert_quiet_success();
    let reports = run.json_lines();
    let months: Vec<String> = reports
        .iter()
        .map(|r| {
            let year = r["DATYEAR"].as_str().unwrap();
            format!("{year}-{}", r["DATMONTH"]["code"].as_str().unwrap())
        })
        .collect();
    // 3 of the 5 reports of the document's first sample say 過労 (the other two only 疲労)
    assert_eq!(months, ["2011-07", "2011-02", "2010-09"]);
    for report in &reports {
        assert_eq!(report["DATSUMMARY"]["code"], "08");
        assert!(report["DATFACTORTEXT"].as_str().unwrap().contains("過労"));
    }
    assert_eq!(
        hiyari.last_request().unwrap().params,
        params(&[
            ("itemcode", "0090010"),
            ("code", "08 09"),
            ("text", ""),
            ("itemcode", "9020010"),
            ("code", ""),
            ("text", "過労"),
            ("start", "0"),
            ("count", "100"),
        ])
    );

    // Without `--text ""`, the text pairs with the first set and the second is empty.
    let run = search(
        &hiyari.base_url(),
        &[
            "--itemcode",
            "0090010",
            "--code",
            "08",
            "--itemcode",
            "9020010",
            "--text",
            "過労",
        ],
    );
    let line = run.single_error_line(4);
    assert!(
        line.contains("--itemcode 9020010 (set 2) has neither --code nor --text"),
        "{line}"
    );
}
