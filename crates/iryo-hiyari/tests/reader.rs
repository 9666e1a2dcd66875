//! Reading answers that are not the happy path: errors, unknown elements, damage.

use iryo_hiyari::ReadError;
use iryo_hiyari::decode::InvalidBytes;
use iryo_hiyari::{ReportReader, read_result_set};

fn sjis(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

fn doc(body: &str) -> Vec<u8> {
    sjis(&format!(
        "<?xml version=\"1.0\" encoding=\"Shift_JIS\" standalone=\"no\"?>\n\
         <ResultSet count=\"1\" position=\"0\" status=\"0\" total=\"1\">{body}</ResultSet>"
    ))
}

#[test]
fn cp932_characters_and_entities_arrive_intact() {
    let bytes = doc(
        "<PHARMACY_REPORT><DATCONTENTTEXT>①髙﨑～ソ表 &amp; &lt;x&gt; &#x2460;</DATCONTENTTEXT></PHARMACY_REPORT>",
    );
    let result = read_result_set(&bytes[..]).unwrap();
    assert_eq!(
        result.pharmacy_report[0].content_text.as_deref(),
        Some("①髙﨑～ソ表 & <x> ①")
    );
}

#[test]
fn unknown_elements_and_repeats_are_kept() {
    let bytes = doc(
        "<PHARMACY_REPORT><DATYEAR>2010</DATYEAR><DATYEAR>2011</DATYEAR>\
         <DATNEWTHING KIND=\"x\">新しい<B>項目</B></DATNEWTHING><DATMONTH /></PHARMACY_REPORT>",
    );
    let report = read_result_set(&bytes[..])
        .unwrap()
        .pharmacy_report
        .remove(0);
    assert_eq!(report.year.as_deref(), Some("2010"));
    let names: Vec<_> = report
        .unknown_elements
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    assert_eq!(names, ["DATYEAR", "DATNEWTHING", "DATMONTH"]);
    assert!(report.unknown_elements[0].text.contains("2011"));
    assert_eq!(
        report.unknown_elements[1].attributes,
        [("KIND".to_owned(), "x".to_owned())]
    );
    assert_eq!(report.unknown_elements[1].text, "新しい項目");
}

#[test]
fn unknown_codes_are_kept() {
    let bytes = doc(
        "<PHARMACY_REPORT><DATSUMMARY CODE=\"77\" /><DATMONTH CODE=\"null\" /></PHARMACY_REPORT>",
    );
    let report = read_result_set(&bytes[..])
        .unwrap()
        .pharmacy_report
        .remove(0);
    let summary = report.summary.unwrap();
    assert_eq!((summary.code(), summary.label()), ("77", None));
    assert_eq!(report.month.unwrap().code(), "null");
}

#[test]
fn the_error_element_is_read() {
    let bytes = sjis(
        "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><ResultSet count=\"0\" position=\"0\" status=\"1\" total=\"0\">\
         <Error>パラメータ item が不正です</Error></ResultSet>",
    );
    let result = read_result_set(&bytes[..]).unwrap();
    assert_eq!(result.error.as_deref(), Some("パラメータ item が不正です"));
    assert_eq!(result.status.code(), "1");
}

#[test]
fn invalid_shift_jis_is_an_error_or_replaced_on_request() {
    let mut bytes = doc("<PHARMACY_REPORT><DATCONTENTTEXT>ok</DATCONTENTTEXT></PHARMACY_REPORT>");
    let at = bytes.windows(2).position(|w| w == b"ok").unwrap();
    bytes[at] = 0x81; // lead byte followed by 'k' (0x6b) is not a valid pair
    bytes[at + 1] = 0xff;
    let err = read_result_set(&bytes[..]).unwrap_err();
    assert!(
        matches!(err, ReadError::Encoding { position, .. } if position == at as u64),
        "{err:?}"
    );
    let mut reader = ReportReader::with_invalid_bytes(&bytes[..], InvalidBytes::Replace).unwrap();
    let report = reader.next().unwrap().unwrap();
    assert!(report.content_text.unwrap().contains('\u{FFFD}'));
}

#[test]
fn malformed_and_truncated_xml_are_errors() {
    let cut = doc("<PHARMACY_REPORT><DATYEAR>2010</DATYEAR>");
    let cut = &cut[..cut.len() - "</ResultSet>".len()];
    assert!(matches!(
        read_result_set(cut).unwrap_err(),
        ReadError::UnexpectedEof { .. } | ReadError::Xml { .. }
    ));
    let mismatched = doc("<PHARMACY_REPORT><DATYEAR>2010</DATMONTH></PHARMACY_REPORT>");
    assert!(matches!(
        read_result_set(&mismatched[..]).unwrap_err(),
        ReadError::Xml { .. }
    ));
    let html = b"<html><body>Service Unavailable</body></html>";
    assert!(matches!(
        read_result_set(&html[..]).unwrap_err(),
        ReadError::UnexpectedRoot { .. }
    ));
    let missing = sjis(
        "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><ResultSet count=\"0\" position=\"0\" status=\"0\"/>",
    );
    assert!(matches!(
        read_result_set(&missing[..]).unwrap_err(),
        ReadError::Attribute { .. }
    ));
    let not_a_number = sjis(
        "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><ResultSet count=\"x\" position=\"0\" status=\"0\" total=\"0\"/>",
    );
    assert!(matches!(
        read_result_set(&not_a_number[..]).unwrap_err(),
        ReadError::Attribute { .. }
    ));
    assert!(read_result_set(&b""[..]).is_err());
}

#[test]
fn reports_before_a_bad_byte_are_still_yielded() {
    let mut bytes = doc("<PHARMACY_REPORT><DATYEAR>2010</DATYEAR></PHARMACY_REPORT>\
         <PHARMACY_REPORT><DATCONTENTTEXT>ok</DATCONTENTTEXT></PHARMACY_REPORT>");
    let at = bytes.windows(2).position(|w| w == b"ok").unwrap();
    bytes[at] = 0x81;
    bytes[at + 1] = 0xff;
    let mut reader = ReportReader::new(&bytes[..]).unwrap();
    let first = reader.next().unwrap().unwrap();
    assert_eq!(first.year.as_deref(), Some("2010"));
    let err = reader.next().unwrap().unwrap_err();
    assert!(
        matches!(err, ReadError::Encoding { position, .. } if position == at as u64),
        "{err:?}"
    );
    assert!(reader.next().is_none());
}
