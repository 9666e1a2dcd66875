//! `iryo hiyari search` against the hiyari mock.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::common::{Run, hiyari_mock, iryo};

/// `iryo hiyari search` of the mock at `base_url` with `args`, without pauses.
pub(crate) fn search(base_url: &str, args: &[&str]) -> Run {
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

/// Query parameters as the mock records them.
pub(crate) fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The CSV columns as `iryo hiyari search --help` lists them.
pub fn documented_columns() -> Vec<String> {
    let help = iryo(&["hiyari", "search", "--help"]).run();
    assert_eq!(help.code, 0);
    let mut lines = help.stdout.lines();
    lines
        .by_ref()
        .find(|l| l.starts_with("CSV columns"))
        .expect("the help lists the CSV columns");
    lines
        .take_while(|l| l.starts_with("  "))
        .map(|l| l.trim().to_owned())
        .collect()
}

pub fn parse_csv(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(bytes);
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

pub fn cell<'a>(header: &[String], row: &'a [String], column: &str) -> &'a str {
    let index = header.iter().position(|c| c == column).unwrap();
    &row[index]
}

#[test]
fn a_code_search_prints_labeled_json_lines() {
    let hiyari = hiyari_mock();
    let run = search(
        &hiyari.base_url(),
        &["--itemcode", "0090010", "--code", "08", "--count", "1"],
    );
    run.assert_quiet_success();
    let reports = run.json_lines();
    assert_eq!(reports.len(), 1);
    let sample = &reports[0];
    assert_eq!(sample["DATYEAR"], "2009");
    assert_eq!(sample["DATMONTH"], json!({"code": "01", "label": "1月"}));
    assert_eq!(sample["DATSUMMARY"], json!({"code": "08", "label": "調剤"}));
    assert_eq!(sample["GRPPATIENT"]["DATPATIENTAGE"], "24");
    let categories: Vec<&Value> = sample["LSTCONCERNED"]["DATCATEGORY"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["code"])
        .collect();
    assert_eq!(categories, ["05", "20"]);
    assert_eq!(
        sample["GRPCOMPOUND"]["LSTRELATED"]["GRPMEDICINE_A"][0]["DATMEDNAME"],
        "サンプル関連医薬品販売名"
    );
    assert_eq!(
        sample["DATIMPROVEMENTTEXT"],
        "落ち着いて対処する(改善策を記述)。"
    );
    let request = hiyari.last_request().unwrap();
    assert_eq!(request.method, "GET");
    assert_eq!(
        request.params,
        params(&[
            ("itemcode", "0090010"),
            ("code", "08"),
            ("text", ""),
            ("start", "0"),
            ("count", "1")
        ])
    );
}

#[test]
fn csv_has_the_documented_header_and_flattened_cells() {
    let hiyari = hiyari_mock();
    let run = search(
        &hiyari.base_url(),
        &[
            "--itemcode",
            "0090010",
            "--code",
            "08",
            "--count",
            "1",
            "--format",
            "csv",
        ],
    );
    run.assert_quiet_success();
    let columns = documented_columns();
    assert_eq!(columns.len(), 76);
    assert_eq!(
        columns[..4],
        ["VERSION", "DATYEAR", "DATMONTH", "DATMONTH_label"]
    );
    assert_eq!(columns.last().unwrap(), "DATIMPROVEMENTTEXT");
    assert_eq!(run.lines()[0], columns.join(","));
    let (header, rows) = parse_csv(&run.stdout_bytes);
    assert_eq!(header, columns);
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(cell(&header, row, "DATYEAR"), "2009");
    assert_eq!(cell(&header, row, "DATSUMMARY"), "08");
    assert_eq!(cell(&header, row, "DATSUMMARY_label"), "調剤");
    assert_eq!(cell(&header, row, "LSTCONCERNED.DATCATEGORY"), "05 | 20");
    assert_eq!(cell(&header, row, "LSTFACTOR.DATFACTOR"), "010101 | 020101");
    assert_eq!(
        cell(
            &header,
            row,
            "GRPCOMPOUND.LSTRELATED.GRPMEDICINE_A.DATMEDCODE"
        ),
        "123456789123"
    );
    assert_eq!(cell(&header, row, "GRPDOUBT.DATGROUND"), "");
    assert!(!run.stdout_bytes.starts_with(b"\xEF\xBB\xBF"));
}

#[test]
fn bom_starts_the_csv_and_is_refused_for_json_lines() {
    let hiyari = hiyari_mock();
    let run = search(
        &hiyari.base_url(),
        &[
            "--itemcode",
            "0090010",
            "--code",
            "08",
            "--count",
            "2",
            "--format",
            "csv",
            "--bom",
        ],
    );
    run.assert_quiet_success();
    assert!(
        run.stdout_bytes
            .starts_with(b"\xEF\xBB\xBFVERSION,DATYEAR,")
    );
    assert_eq!(run.lines().len(), 3);
    let run = search(&hiyari.base_url(), &["--bom"]);
    let line = run.single_error_line(2);
    assert!(line.contains("--bom is for --format csv"), "{line}");
}

#[test]
fn count_all_is_fetched_page_by_page() {
    let hiyari = hiyari_mock();
    let run = search(
        &hiyari.base_url(),
        &["--count", "all", "--page-size", "7", "-v"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json_lines().len(), 41);
    assert_eq!(
        run.stderr,
        format!(
            "GET {}/phsearch/SearchReportApi.action (count=all from start=0, pages of 7)\n\
             fetched 41 reports in 6 pages\n",
            hiyari.base_url()
        )
    );
    assert_eq!(
        hiyari.last_request().unwrap().params,
        params(&[("start", "35"), ("count", "7")])
    );

    let run = search(
        &hiyari.base_url(),
        &[
            "--count",
            "10",
            "--page-size",
            "7",
            "--method",
            "post",
            "--path",
            "/phsearch/SearchNewReportApi.action",
        ],
    );
    run.assert_quiet_success();
    assert_eq!(run.json_lines().len(), 10);
    let last = hiyari.last_request().unwrap();
    assert_eq!(last.method, "POST");
    assert_eq!(last.path, "/phsearch/SearchNewReportApi.action");
    assert_eq!(last.params, params(&[("start", "7"), ("count", "3")]));
}

#[test]
fn every_leaf_of_every_report_has_a_csv_column() {
    let hiyari = hiyari_mock();
    let run = search(&hiyari.base_url(), &["--count", "all"]);
    run.assert_quiet_success();
    let columns: BTreeSet<String> = documented_columns().into_iter().collect();
    let mut seen = BTreeSet::new();
    for report in run.json_lines() {
        leaf_paths(&report, "", &mut seen);
    }
    assert!(
        seen.len() > 60,
        "the data set covers most columns: {seen:?}"
    );
    for path in &seen {
        assert!(columns.contains(path), "no CSV column for {path}");
    }
}

/// `A.B.C` for every value that is not a group; a code also has `_label`.
fn leaf_paths(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Array(items) => items.iter().for_each(|i| leaf_paths(i, prefix, out)),
        Value::Object(map) if map.contains_key("code") && map.contains_key("label") => {
            out.insert(prefix.to_owned());
            out.insert(format!("{prefix}_label"));
        }
        Value::Object(map) => {
            for (key, child) in map {
                assert_ne!(key, "_unknown", "the mock's reports are all known");
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                leaf_paths(child, &path, out);
            }
        }
        _ => {
            out.insert(prefix.to_owned());
        }
    }
}

#[test]
fn zero_hits_print_nothing_or_the_csv_header() {
    let hiyari = hiyari_mock();
    let none = ["--item", "DATCONTENTTEXT", "--word", "該当なしの語句"];
    let run = search(&hiyari.base_url(), &none);
    run.assert_quiet_success();
    assert_eq!(run.stdout, "");
    let mut csv = none.to_vec();
    csv.extend(["--format", "csv"]);
    let run = search(&hiyari.base_url(), &csv);
    run.assert_quiet_success();
    assert_eq!(run.lines().len(), 1);
    assert!(run.stdout.starts_with("VERSION,DATYEAR,DATMONTH,"));
}

#[test]
fn text_shift_jis_cannot_carry_is_refused_before_any_request() {
    let hiyari = hiyari_mock();
    let run = search(&hiyari.base_url(), &["--item", "", "--word", "薬😀"]);
    let line = run.single_error_line(4);
    assert!(line.contains("'😀' (U+1F600)"), "{line}");
    assert_eq!(hiyari.last_request(), None);
}

#[test]
fn unknown_items_and_itemcodes_are_refused_by_name() {
    let hiyari = hiyari_mock();
    let run = search(&hiyari.base_url(), &["--item", "DATNOSUCH", "--word", "x"]);
    let line = run.single_error_line(4);
    assert!(line.contains("unknown --item `DATNOSUCH`"), "{line}");
    let run = search(
        &hiyari.base_url(),
        &["--itemcode", "0000000", "--code", "01"],
    );
    let line = run.single_error_line(4);
    assert!(line.contains("unknown --itemcode `0000000`"), "{line}");
    let run = search(&hiyari.base_url(), &["--fmonth", "3"]);
    let line = run.single_error_line(4);
    assert!(line.contains("--fmonth needs --fyear"), "{line}");
    assert_eq!(hiyari.last_request(), None);
}

#[test]
fn the_apis_own_error_is_exit_1_with_its_text() {
    let hiyari = hiyari_mock();
    hiyari.fail_next_error("只今メンテナンス中です。").unwrap();
    let run = search(&hiyari.base_url(), &["--count", "3"]);
    let line = run.single_error_line(1);
    assert!(line.contains("只今メンテナンス中です。"), "{line}");
    assert_eq!(run.stdout, "");

    // 404 is not worth retrying: the client gives up at once
    hiyari.http_status_next(404).unwrap();
    let run = search(&hiyari.base_url(), &["--count", "3"]);
    let line = run.single_error_line(3);
    assert!(line.contains("HTTP 404"), "{line}");
}
