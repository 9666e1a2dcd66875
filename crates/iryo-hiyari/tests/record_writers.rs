//! The generated record writers print what the JSON tree prints, for every shape of report.

use iryo_hiyari::UnknownElement;
use iryo_hiyari::{PharmacyReport, ReportReader};

#[path = "../benches/support/synthetic.rs"]
#[allow(dead_code)]
mod synthetic;

fn synthetic_reports(n: usize) -> Vec<PharmacyReport> {
    let mut answer = synthetic::head(n);
    for i in 0..n {
        answer.extend(synthetic::report_bytes(i));
    }
    answer.extend_from_slice(synthetic::TAIL);
    ReportReader::new(&answer[..])
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

fn written(report: &PharmacyReport) -> serde_json::Value {
    let mut out = Vec::new();
    report.write_labeled_json(&mut out);
    serde_json::from_slice(&out).expect("valid JSON")
}

#[test]
fn json_lines_equal_the_tree_for_synthetic_reports() {
    let reports = synthetic_reports(300);
    assert_eq!(reports.len(), 300);
    for (i, report) in reports.iter().enumerate() {
        assert_eq!(written(report), report.labeled_json(), "report {i}");
    }
}

#[test]
fn hostile_text_unknown_codes_and_unknown_elements() {
    let mut report = synthetic_reports(1).remove(0);
    report.content_text = Some("\"quoted\" \\ \u{0}\u{1f}\n\t 改行\u{7f}".to_owned());
    report.month = Some("77".into());
    report.unknown_elements.push(UnknownElement {
        name: "DATNEW".to_owned(),
        attributes: vec![("CODE".to_owned(), "x\"y".to_owned())],
        text: "新しい\u{2}".to_owned(),
    });
    let empty = PharmacyReport::default();
    for report in [&report, &empty] {
        assert_eq!(written(report), report.labeled_json());
    }
    let mut out = Vec::new();
    empty.write_labeled_json(&mut out);
    assert_eq!(out, b"{}");
}

#[test]
fn csv_rows_have_one_cell_per_column() {
    let mut row = iryo_hiyari::records::CsvRow::new();
    for report in synthetic_reports(40) {
        report.write_csv_row(&mut row);
        assert_eq!(row.len(), PharmacyReport::CSV_COLUMNS.len());
        let year = PharmacyReport::CSV_COLUMNS
            .iter()
            .position(|c| *c == "DATYEAR")
            .unwrap();
        assert_eq!(row.cells().nth(year), report.year.as_deref());
    }
}
