//! The runtime of the generated record writers (`write_labeled_json`, `write_csv_row`): JSON
//! pieces appended to a byte buffer exactly as `serde_json` would print them, and a reusable CSV
//! row. No tree and no allocation per report once the buffers have grown.

use crate::xml::UnknownElement;

/// Separator of repeated values in one CSV cell.
pub const CSV_JOIN: &str = " | ";

/// The cells of one CSV row, in one reusable buffer.
#[derive(Clone, Debug, Default)]
pub struct CsvRow {
    text: String,
    ends: Vec<usize>,
}

impl CsvRow {
    /// An empty row.
    pub fn new() -> Self {
        CsvRow::default()
    }

    /// Forgets the cells, keeping the memory.
    pub fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
    }

    /// A cell holding `value`, or empty.
    pub fn push_single(&mut self, value: Option<&str>) {
        if let Some(value) = value {
            self.text.push_str(value);
        }
        self.ends.push(self.text.len());
    }

    /// A cell of repeated values joined with [`CSV_JOIN`], a missing one as empty so that the
    /// columns of one group line up; empty when every value is missing.
    pub fn push_joined<'a>(&mut self, values: impl IntoIterator<Item = Option<&'a str>>) {
        let start = self.text.len();
        let mut any = false;
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(CSV_JOIN);
            }
            if let Some(value) = value {
                self.text.push_str(value);
                any = true;
            }
        }
        if !any {
            self.text.truncate(start);
        }
        self.ends.push(self.text.len());
    }

    /// The cells in order.
    pub fn cells(&self) -> impl Iterator<Item = &str> {
        let mut start = 0;
        self.ends.iter().map(move |&end| {
            let cell = &self.text[start..end];
            start = end;
            cell
        })
    }

    /// How many cells.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the row has no cells.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
}

/// `,` unless first, then `"key":` (given with its quotes and colon).
#[inline]
pub fn key(out: &mut Vec<u8>, first: &mut bool, quoted_key: &str) {
    if !*first {
        out.push(b',');
    }
    *first = false;
    out.extend_from_slice(quoted_key.as_bytes());
}

/// `{"code":"..","label":".."}` (`null` label for a code the table does not list).
#[inline]
pub fn labeled_code(out: &mut Vec<u8>, code: &str, label: Option<&str>) {
    out.extend_from_slice(b"{\"code\":");
    string(out, code);
    out.extend_from_slice(b",\"label\":");
    match label {
        Some(label) => string(out, label),
        None => out.extend_from_slice(b"null"),
    }
    out.push(b'}');
}

/// A number.
pub fn number(out: &mut Vec<u8>, value: u64) {
    out.extend_from_slice(value.to_string().as_bytes());
}

/// Elements the schema does not know, as `serde_json` prints them.
pub fn unknown(out: &mut Vec<u8>, elements: &[UnknownElement]) {
    // Writing into a Vec cannot fail, and these types always serialise.
    let _ = serde_json::to_writer(&mut *out, elements);
}

/// A JSON string with `serde_json`'s escapes: `\"`, `\\`, `\b \f \n \r \t`, other control
/// characters as `\u00xx`; everything else as is (UTF-8).
#[inline]
pub fn string(out: &mut Vec<u8>, value: &str) {
    out.push(b'"');
    let bytes = value.as_bytes();
    let mut start = 0;
    for (i, &byte) in bytes.iter().enumerate() {
        let escape: &[u8] = match byte {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x0C => b"\\f",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x00..=0x1F => {
                out.extend_from_slice(&bytes[start..i]);
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(byte >> 4)]);
                out.push(HEX[usize::from(byte & 0xF)]);
                start = i + 1;
                continue;
            }
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(escape);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_escape_as_serde_json_does() {
        let samples = [
            "",
            "plain",
            "事例の内容",
            "quote \" backslash \\ slash /",
            "\u{0}\u{1}\u{8}\u{c}\n\r\t\u{1f}\u{7f}",
            "end\\",
        ];
        for sample in samples {
            let mut ours = Vec::new();
            string(&mut ours, sample);
            assert_eq!(ours, serde_json::to_vec(sample).unwrap(), "{sample:?}");
        }
        let all: String = (0u8..0x80).map(char::from).collect();
        let mut ours = Vec::new();
        string(&mut ours, &all);
        assert_eq!(ours, serde_json::to_vec(&all).unwrap());
    }

    #[test]
    fn joined_cells_line_up_and_vanish_when_all_missing() {
        let mut row = CsvRow::new();
        row.push_single(Some("a"));
        row.push_joined([Some("1"), None]);
        row.push_joined([None, None]);
        row.push_joined([]);
        row.push_single(None);
        let cells: Vec<&str> = row.cells().collect();
        assert_eq!(cells, ["a", "1 | ", "", "", ""]);
    }
}
