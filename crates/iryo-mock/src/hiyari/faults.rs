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

    /// The reports of the answer cut to `items` or repeated up to `items`, with `count` saying so.
    fn with_items(body: &[u8], items: usize, repeat: bool) -> Vec<u8> {
        let Some((head, reports, tail)) = split_reports(body) else {
            return body.to_vec();
        };
        let chosen: Vec<&[u8]> = match repeat {
            false => reports.into_iter().take(items).collect(),
            true => reports.iter().copied().cycle().take(items).collect(),
        };
        let mut out = set_attribute(head, "count", &chosen.len().to_string());
        chosen
            .iter()
            .for_each(|report| out.extend_from_slice(report));
        out.extend_from_slice(tail);
        out
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

/// Head, reports, tail.
type Split<'a> = (&'a [u8], Vec<&'a [u8]>, &'a [u8]);

/// The answer as its head (up to the first report), each report (with the whitespace before it), and its
/// tail; `None` without reports. The mock writes every tag itself, so plain byte search is exact.
fn split_reports(body: &[u8]) -> Option<Split<'_>> {
    const OPEN: &[u8] = b"<PHARMACY_REPORT>";
    const CLOSE: &[u8] = b"</PHARMACY_REPORT>";
    let find = |from: usize, needle: &[u8]| {
        body[from..]
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|at| from + at)
    };
    let first = find(0, OPEN)?;
    let head_end = body[..first]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(first, |at| at + 1);
    let mut reports = Vec::new();
    let mut at = head_end;
    while let Some(open) = find(at, OPEN) {
        let close = find(open, CLOSE)? + CLOSE.len();
        let end = body[close..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(close, |n| close + n + 1);
        reports.push(&body[at..end]);
        at = end;
    }
    Some((&body[..head_end], reports, &body[at..]))
}

/// `head` with the value of its first attribute `name` replaced by `value`.
pub(crate) fn set_attribute(head: &[u8], name: &str, value: &str) -> Vec<u8> {
    let key = format!(" {name}=\"");
    let Some(start) = head.windows(key.len()).position(|w| w == key.as_bytes()) else {
        return head.to_vec();
    };
    let value_start = start + key.len();
    let value_end = head[value_start..]
        .iter()
        .position(|b| *b == b'"')
        .map_or(head.len(), |n| value_start + n);
    let mut out = head[..value_start].to_vec();
    out.extend_from_slice(value.as_bytes());
    out.extend_from_slice(&head[value_end..]);
    out
}

/// [`Fault::IgnoreStart`](crate::Fault::IgnoreStart): the raw parameters without `start`, and the `start`
/// that was asked.
pub(crate) fn without_start(raw: &[u8]) -> (Vec<u8>, Option<String>) {
    let mut kept = Vec::new();
    let mut start = None;
    for pair in raw.split(|b| *b == b'&') {
        if let Some(value) = pair.strip_prefix(b"start=") {
            start = Some(String::from_utf8_lossy(value).into_owned());
            continue;
        }
        if !kept.is_empty() {
            kept.push(b'&');
        }
        kept.extend_from_slice(pair);
    }
    (kept, start)
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
    fn answers_are_capped_or_padded_with_their_count() {
        let body = HiyariWire::oversized_body(20_000);
        let text = |bytes: &[u8]| SHIFT_JIS.decode(bytes).0.into_owned();
        let capped = text(&HiyariWire::with_items(&body, 2, false));
        assert_eq!(capped.matches("<PHARMACY_REPORT>").count(), 2);
        assert!(capped.contains("count=\"2\"") && capped.ends_with("</ResultSet>\n"));
        let padded = text(&HiyariWire::with_items(&body, 1000, true));
        assert_eq!(padded.matches("<PHARMACY_REPORT>").count(), 1000);
        assert!(padded.contains("count=\"1000\""));
        let none = b"<ResultSet count=\"0\"><Error>x</Error></ResultSet>";
        assert_eq!(HiyariWire::with_items(none, 5, true), none.to_vec());
    }

    #[test]
    fn start_is_taken_out_and_remembered() {
        assert_eq!(
            without_start(b"item=&word=a&start=20&count=10"),
            (b"item=&word=a&count=10".to_vec(), Some("20".to_owned()))
        );
        assert_eq!(
            set_attribute(b"<R count=\"1\" position=\"0\">", "position", "20"),
            b"<R count=\"1\" position=\"20\">".to_vec()
        );
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
