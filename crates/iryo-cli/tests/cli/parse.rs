//! `iryo hiyari parse` of saved answers.

use std::io::Write;

use crate::common::{hiyari_sample_answer, iryo};
use crate::hiyari::{cell, documented_columns, parse_csv};

fn saved(bytes: &[u8]) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(bytes).unwrap();
    file
}

#[test]
fn a_saved_answer_becomes_json_lines_from_a_file_and_from_stdin() {
    let file = saved(hiyari_sample_answer());
    let path = file.path().to_str().unwrap();
    let from_file = iryo(&["hiyari", "parse", path]).run();
    from_file.assert_quiet_success();
    let reports = from_file.json_lines();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0]["DATYEAR"], "2009");
    assert_eq!(reports[0]["DATSUMMARY"]["label"], "調剤");
    assert_eq!(
        reports[0]["DATCONTENTTEXT"],
        "処方より多めに調剤していた(事例の内容を記述)。"
    );

    let from_stdin = iryo(&["hiyari", "parse", "-"])
        .stdin(hiyari_sample_answer())
        .run();
    from_stdin.assert_quiet_success();
    assert_eq!(from_stdin.stdout, from_file.stdout);

    // Several inputs, one output: the file, then stdin.
    let both = iryo(&["hiyari", "parse", path, "-", "-v"])
        .stdin(hiyari_sample_answer())
        .run();
    assert_eq!(both.code, 0);
    assert_eq!(both.json_lines().len(), 2);
    assert_eq!(
        both.stderr,
        format!("{path}: 1 reports\nstdin: 1 reports\n")
    );
}

#[test]
fn csv_of_saved_answers_has_one_header() {
    let file = saved(hiyari_sample_answer());
    let path = file.path().to_str().unwrap();
    let run = iryo(&["hiyari", "parse", path, path, "--format", "csv", "--bom"]).run();
    run.assert_quiet_success();
    assert!(run.stdout_bytes.starts_with(b"\xEF\xBB\xBFVERSION,"));
    let (header, rows) = parse_csv(&run.stdout_bytes[3..]);
    assert_eq!(header, documented_columns());
    assert_eq!(rows.len(), 2);
    assert_eq!(
        cell(&header, &rows[1], "GRPPATIENT.DATPATIENTSEX_label"),
        "男"
    );
    assert_eq!(
        cell(&header, &rows[1], "LSTCONCERNED.DATCATEGORY"),
        "05 | 20"
    );
}

/// The sample with an invalid byte (0xFF) inside 事例の内容; its offset.
fn damaged_answer() -> (Vec<u8>, usize) {
    let mut bytes = hiyari_sample_answer().to_vec();
    let tag = b"<DATCONTENTTEXT>";
    let offset = bytes.windows(tag.len()).position(|w| w == tag).unwrap() + tag.len();
    bytes.insert(offset, 0xFF);
    (bytes, offset)
}

#[test]
fn invalid_shift_jis_fails_with_its_offset_unless_lossy() {
    let (bytes, offset) = damaged_answer();
    let file = saved(&bytes);
    let path = file.path().to_str().unwrap();
    let run = iryo(&["hiyari", "parse", path]).run();
    let line = run.single_error_line(3);
    assert_eq!(
        line,
        format!("error: {path}: the response is not valid Shift_JIS at byte {offset}")
    );

    let run = iryo(&["hiyari", "parse", "--lossy", path]).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        format!("warning: {path}: invalid Shift_JIS bytes were replaced with U+FFFD\n")
    );
    let reports = run.json_lines();
    assert_eq!(
        reports[0]["DATCONTENTTEXT"],
        "\u{FFFD}処方より多めに調剤していた(事例の内容を記述)。"
    );
}

#[test]
fn a_saved_error_answer_is_the_apis_error_and_a_missing_file_is_bad_input() {
    let answer = "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>\n\
        <ResultSet count=\"0\" position=\"0\" status=\"1\" total=\"0\"><Error>parameter word</Error></ResultSet>\n";
    let file = saved(answer.as_bytes());
    let path = file.path().to_str().unwrap();
    let run = iryo(&["hiyari", "parse", path]).run();
    let line = run.single_error_line(1);
    assert_eq!(
        line,
        format!("error: {path}: the search API refused the search: parameter word")
    );

    let run = iryo(&["hiyari", "parse", "/nonexistent/answer.xml"]).run();
    let line = run.single_error_line(4);
    assert!(
        line.starts_with("error: /nonexistent/answer.xml: "),
        "{line}"
    );
}
