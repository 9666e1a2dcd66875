//! Hostile answers, generated on the fly (small limits keep them small and the tests fast): every
//! one ends in a typed error naming the limit and the byte offset, never in unbounded memory.
//! `cargo bench -p iryo-hiyari --bench hostile` runs the full-size cases and measures them.

use std::io::{self, Read};

use iryo_hiyari::ReadError;
use iryo_hiyari::decode::InvalidBytes;
use iryo_hiyari::{Limit, Limits, Pipelined, ReportReader};
use iryo_testkit::generated::Generated;

const HEAD: &str = "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>\n\
                    <ResultSet count=\"1\" position=\"0\" status=\"0\" total=\"1\">";

fn small() -> Limits {
    Limits::new()
        .report_text_bytes(16 * 1024)
        .report_elements(500)
        .report_unknown_elements(50)
        .element_bytes(8 * 1024)
        .prolog_bytes(4 * 1024)
}

/// Reads every report; the first error.
fn first_error(input: impl Read, limits: Limits) -> ReadError {
    let mut reader = match ReportReader::with_limits(input, InvalidBytes::Fail, limits) {
        Ok(reader) => reader,
        Err(e) => return e,
    };
    for report in reader.by_ref() {
        if let Err(e) = report {
            return e;
        }
    }
    panic!("the input was read without error");
}

fn assert_limit(error: ReadError, expected: Limit) -> u64 {
    match error {
        ReadError::Limit {
            limit, position, ..
        } if limit == expected => {
            assert!(error.to_string().contains(expected.name()), "{error}");
            position
        }
        other => panic!("expected {expected}, got {other:?}"),
    }
}

fn report(repeat: &str, times: Option<u64>) -> Generated {
    let prefix = format!("{HEAD}<PHARMACY_REPORT>");
    Generated::new(&prefix, repeat, times, "</PHARMACY_REPORT></ResultSet>")
}

#[test]
fn millions_of_empty_unknown_elements_hit_the_unknown_budget() {
    let error = first_error(report("<X/>", Some(5_000_000)), small());
    let position = assert_limit(error, Limit::ReportUnknownElements);
    assert!(position < 1024, "stopped early, at {position}");
}

#[test]
fn millions_of_repeated_codes_hit_the_element_budget() {
    let prefix = format!("{HEAD}<PHARMACY_REPORT><LSTFACTOR>");
    let input = Generated::new(
        &prefix,
        "<DATFACTOR CODE=\"01\"/>",
        Some(4_000_000),
        "</LSTFACTOR></PHARMACY_REPORT></ResultSet>",
    );
    assert_limit(first_error(input, small()), Limit::ReportElements);
}

#[test]
fn one_huge_text_node_hits_the_element_cap() {
    let prefix = format!("{HEAD}<PHARMACY_REPORT><DATCONTENTTEXT>");
    let input = Generated::new(
        &prefix,
        "abcde",
        Some(40_000_000),
        "</DATCONTENTTEXT></PHARMACY_REPORT></ResultSet>",
    );
    let position = assert_limit(first_error(input, small()), Limit::ElementBytes);
    assert!(
        position <= (HEAD.len() + 64 + 8 * 1024) as u64,
        "{position}"
    );
}

#[test]
fn text_in_small_pieces_hits_the_text_budget() {
    // Entity references are one event each: only the report's text budget stops them.
    let prefix = format!("{HEAD}<PHARMACY_REPORT><DATCONTENTTEXT>");
    let input = Generated::new(&prefix, "a&amp;", Some(10_000_000), "</DATCONTENTTEXT>");
    assert_limit(first_error(input, small()), Limit::ReportTextBytes);
}

#[test]
fn deep_nesting_hits_the_element_budget() {
    assert_limit(
        first_error(report("<DEEP>", Some(1_000_000)), small()),
        Limit::ReportElements,
    );
}

#[test]
fn a_long_element_name_hits_the_element_cap() {
    let name = Generated::new(
        &format!("{HEAD}<PHARMACY_REPORT><"),
        "N",
        Some(100_000_000),
        "/>",
    );
    assert_limit(first_error(name, small()), Limit::ElementBytes);
}

#[test]
fn zeros_and_endless_text_before_the_root_hit_the_prolog_bound() {
    for input in [
        Box::new(io::repeat(0)) as Box<dyn Read>,
        Box::new(io::repeat(b'x')),
        Box::new(io::repeat(b' ')),
        Box::new(Generated::new(
            "<?xml version=\"1.0\"?>",
            "<!-- c -->",
            None,
            "",
        )),
    ] {
        assert_limit(first_error(input, small()), Limit::PrologBytes);
    }
}

#[test]
fn zeros_through_the_pipelined_reader_end_typed() {
    let error = Pipelined::new(io::repeat(0), InvalidBytes::Fail, small()).err();
    match error {
        Some(iryo_hiyari::Error::Read(ReadError::Limit { limit, .. })) => {
            assert_eq!(limit, Limit::PrologBytes)
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_elements_between_reports_share_one_budget() {
    let input = Generated::new(
        HEAD,
        "<PHARMACY_REPORT/><STRAY/>",
        Some(1_000_000),
        "</ResultSet>",
    );
    assert_limit(first_error(input, small()), Limit::ReportUnknownElements);
}

#[test]
fn many_small_reports_are_each_within_budget() {
    let input = Generated::new(
        HEAD,
        "<PHARMACY_REPORT><DATYEAR>2010</DATYEAR><X/></PHARMACY_REPORT>",
        Some(20_000),
        "</ResultSet>",
    );
    let reader = ReportReader::with_limits(input, InvalidBytes::Fail, small()).unwrap();
    let reports: Vec<_> = reader.collect::<Result<_, _>>().unwrap();
    assert_eq!(reports.len(), 20_000);
}

#[test]
fn many_attributes_are_read_in_linear_time_and_duplicates_refused() {
    // Unique attributes on an unknown element, with limits raised to let them through.
    let attributes: String = (0..20_000).map(|i| format!(" a{i}=\"v\"")).collect();
    let body = format!("{HEAD}<PHARMACY_REPORT><X{attributes}/></PHARMACY_REPORT></ResultSet>");
    let roomy = Limits::new()
        .element_bytes(1 << 20)
        .report_text_bytes(1 << 20);
    let mut reader = ReportReader::with_limits(body.as_bytes(), InvalidBytes::Fail, roomy).unwrap();
    let report = reader.next().unwrap().unwrap();
    assert_eq!(report.unknown_elements[0].attributes.len(), 20_000);
    // The same count on a code element: only CODE is looked at.
    let codes = format!(
        "{HEAD}<PHARMACY_REPORT><DATMONTH{attributes} CODE=\"01\"/></PHARMACY_REPORT></ResultSet>"
    );
    let mut reader =
        ReportReader::with_limits(codes.as_bytes(), InvalidBytes::Fail, roomy).unwrap();
    let report = reader.next().unwrap().unwrap();
    assert_eq!(
        report.month.map(|m| m.code().to_owned()).as_deref(),
        Some("01")
    );
    for doubled in [
        format!(
            "{HEAD}<PHARMACY_REPORT><X a=\"1\" b=\"2\" a=\"3\"/></PHARMACY_REPORT></ResultSet>"
        ),
        "<ResultSet count=\"1\" total=\"1\" position=\"0\" status=\"0\" total=\"9\"/>".to_owned(),
    ] {
        let error = first_error(doubled.as_bytes(), roomy);
        assert!(
            matches!(error, ReadError::DuplicateAttribute { .. }),
            "{error:?}"
        );
    }
}

#[test]
fn too_many_attributes_for_the_element_cap_are_refused() {
    let prefix = format!("{HEAD}<PHARMACY_REPORT><X");
    let input = Generated::new(&prefix, " a=\"v\"", Some(200_000), "/></PHARMACY_REPORT>");
    assert_limit(first_error(input, small()), Limit::ElementBytes);
}
