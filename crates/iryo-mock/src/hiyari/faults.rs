//! How the 事例検索 API's answers look when a [`Fault`](crate::Fault) borrows them.

use axum::http::StatusCode;
use axum::response::Response;
use encoding_rs::SHIFT_JIS;

use super::generator::generated_report;
use super::handler::{DECLARATION, XML_CONTENT_TYPE, empty};
use super::report::write_element;
use crate::fault::Wire;

pub(crate) struct HiyariWire;

impl Wire for HiyariWire {
    const CONTENT_TYPE: &'static str = XML_CONTENT_TYPE;
    const WRONG_CONTENT_TYPE: &'static str = "application/json";

    fn empty(status: StatusCode) -> Response {
        empty(status)
    }

    /// A `ResultSet` of generated reports (the data set's generator, from report 0), as many as it takes;
    /// `count` and `total` are their number.
    fn oversized_body(bytes: usize) -> Vec<u8> {
        // Generated reports are Shift_JIS text; each is encoded once, as it is added.
        let mut reports = Vec::new();
        let mut count = 0;
        while reports.len() < bytes || count == 0 {
            let mut report = String::new();
            write_element(&mut report, &generated_report(count), 1);
            reports.extend_from_slice(&SHIFT_JIS.encode(&report).0);
            count += 1;
        }
        let head = format!(
            "{DECLARATION}<ResultSet count=\"{count}\" position=\"0\" status=\"0\" total=\"{count}\">\n"
        );
        let mut body = head.into_bytes();
        body.append(&mut reports);
        body.extend_from_slice(b"</ResultSet>\n");
        body
    }

    /// Inside the first `<DATCONTENTTEXT>`, else the `<Error>`, else the first element with text.
    fn text_offset(body: &[u8]) -> Option<usize> {
        let find = |needle: &[u8]| body.windows(needle.len()).position(|w| w == needle);
        find(b"</DATCONTENTTEXT>")
            .or_else(|| find(b"</Error>"))
            .or_else(|| {
                (1..body.len()).find(|&i| body[i..].starts_with(b"</") && body[i - 1] != b'>')
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_oversized_answer_counts_its_reports() {
        for bytes in [0, 50_000] {
            let body = HiyariWire::oversized_body(bytes);
            assert!(body.len() >= bytes, "{bytes}: {}", body.len());
            let text = SHIFT_JIS
                .decode_without_bom_handling_and_without_replacement(&body)
                .unwrap_or_default();
            let reports = text.matches("<PHARMACY_REPORT>").count();
            assert!(reports >= 1);
            let counts =
                format!("count=\"{reports}\" position=\"0\" status=\"0\" total=\"{reports}\"");
            assert!(text.contains(&counts), "{bytes}");
        }
    }

    #[test]
    fn invalid_bytes_go_into_free_text_first() {
        let report =
            b"<ResultSet><R><DATYEAR>2012</DATYEAR><DATCONTENTTEXT>abc</DATCONTENTTEXT></R>";
        assert_eq!(HiyariWire::text_offset(report), Some(56));
        let error = b"<ResultSet count=\"0\">\n  <Error>none</Error>\n</ResultSet>";
        assert_eq!(HiyariWire::text_offset(error), Some(35));
        assert_eq!(HiyariWire::text_offset(b"<A><B>x</B></A>"), Some(7));
    }
}
