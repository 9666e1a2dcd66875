//! Reports as records: JSON lines (`labeled_json()`) or CSV rows with a fixed column set.

use std::io::Write;

use clap::ValueEnum;
use iryo_hiyari::PharmacyReport;
use iryo_hiyari::records::CsvRow;
use serde_json::Value;

use crate::error::CliError;
use crate::output::Stop;

/// The CSV columns, fixed whatever the data: one per leaf of the 「XML タグ名」 table, in its
/// order, named by the path of XML tags in the JSON form (`GRPPATIENT.DATPATIENTAGE`). A coded
/// element has two columns, its `CODE` and then `<path>_label` (the Japanese label, empty for a
/// code the table does not list). Repeated values (several `DATCATEGORY`, several medicines)
/// are joined with ` | `, and the columns of one medicine group line up position by position.
/// Elements the schema does not know (`_unknown` in JSON lines) are not in the CSV.
pub const CSV_COLUMNS: &[&str] = PharmacyReport::CSV_COLUMNS;

/// Separator of repeated values in one CSV cell.
pub const CSV_JOIN: &str = " | ";

const LABEL_SUFFIX: &str = "_label";
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Output format of reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One JSON object per report: XML tag names as keys, codes as {"code","label"}.
    #[default]
    Jsonl,
    /// One row per report, with the fixed columns listed below.
    Csv,
}

/// Writes reports in one format; the CSV header goes out first, even when no report follows.
pub struct ReportWriter<W: Write> {
    sink: Sink<W>,
    flush_each: bool,
    written: u64,
    json: Vec<u8>,
    row: CsvRow,
    /// CSV for Excel (`--bom`): cells that Excel would run as formulas are neutralised.
    for_excel: bool,
}

enum Sink<W: Write> {
    Jsonl(W),
    Csv(Box<csv::Writer<W>>),
}

impl<W: Write> ReportWriter<W> {
    /// Starts the output: the BOM when asked, then (CSV) the header. `flush_each` pushes every
    /// record out at once (for slow searches); otherwise output is buffered.
    pub fn new(mut out: W, format: Format, bom: bool, flush_each: bool) -> Result<Self, Stop> {
        if bom {
            out.write_all(UTF8_BOM)?;
        }
        let sink = match format {
            Format::Jsonl => Sink::Jsonl(out),
            Format::Csv => {
                let mut writer = csv::WriterBuilder::new().from_writer(out);
                writer.write_record(CSV_COLUMNS)?;
                Sink::Csv(Box::new(writer))
            }
        };
        let mut writer = ReportWriter {
            sink,
            flush_each,
            written: 0,
            json: Vec::new(),
            row: CsvRow::new(),
            for_excel: bom,
        };
        if flush_each {
            writer.flush()?;
        }
        Ok(writer)
    }

    /// Writes one report, serialised straight from its fields (generated writers).
    pub fn write(&mut self, report: &PharmacyReport) -> Result<(), Stop> {
        match &mut self.sink {
            Sink::Jsonl(out) => {
                self.json.clear();
                report.write_labeled_json(&mut self.json);
                self.json.push(b'\n');
                out.write_all(&self.json)?;
            }
            Sink::Csv(writer) => {
                report.write_csv_row(&mut self.row);
                for cell in self.row.cells() {
                    write_cell(writer, cell, self.for_excel)?;
                }
                writer.write_record(None::<&[u8]>)?;
            }
        }
        self.counted()
    }

    /// Writes one report stored as its labelled JSON line (`iryo hiyari export`): the line as
    /// it is, or its CSV row.
    pub fn write_stored(&mut self, json: &str) -> Result<(), Stop> {
        match &mut self.sink {
            Sink::Jsonl(out) => {
                out.write_all(json.as_bytes())?;
                out.write_all(b"\n")?;
            }
            Sink::Csv(writer) => {
                let value: Value = serde_json::from_str(json)
                    .map_err(|e| CliError::Input(format!("a stored report is not JSON: {e}")))?;
                for cell in csv_row(&value) {
                    write_cell(writer, &cell, self.for_excel)?;
                }
                writer.write_record(None::<&[u8]>)?;
            }
        }
        self.counted()
    }

    fn counted(&mut self) -> Result<(), Stop> {
        self.written += 1;
        if self.flush_each {
            self.flush()?;
        }
        Ok(())
    }

    /// Reports written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Pushes buffered output out.
    pub fn flush(&mut self) -> Result<(), Stop> {
        match &mut self.sink {
            Sink::Jsonl(out) => out.flush()?,
            Sink::Csv(writer) => writer.flush()?,
        }
        Ok(())
    }
}

/// The cells of one report's labelled JSON, one per [`CSV_COLUMNS`] entry (what the generated
/// `write_csv_row` computes from the typed report; `export` reads stored JSON).
pub fn csv_row(report: &Value) -> Vec<String> {
    CSV_COLUMNS
        .iter()
        .map(|column| cell(report, column))
        .collect()
}

fn cell(report: &Value, column: &str) -> String {
    let (path, label) = match column.strip_suffix(LABEL_SUFFIX) {
        Some(path) => (path, true),
        None => (column, false),
    };
    let segments: Vec<&str> = path.split('.').collect();
    let mut values = Vec::new();
    collect(report, &segments, label, &mut values);
    if values.iter().all(Option::is_none) {
        return String::new();
    }
    values
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect::<Vec<_>>()
        .join(CSV_JOIN)
}

/// The values at `path` below `node`, one per element of every array on the way (`None` where
/// an element lacks the leaf, so that sibling columns line up).
fn collect(node: &Value, path: &[&str], label: bool, out: &mut Vec<Option<String>>) {
    if let Value::Array(items) = node {
        for item in items {
            collect(item, path, label, out);
        }
        return;
    }
    let Some((first, rest)) = path.split_first() else {
        out.push(leaf(node, label));
        return;
    };
    match node.get(first) {
        Some(child) => collect(child, rest, label, out),
        None => out.push(None),
    }
}

fn leaf(node: &Value, label: bool) -> Option<String> {
    let node = match node {
        Value::Object(code) => code.get(if label { "label" } else { "code" })?,
        other => other,
    };
    match node {
        Value::Null => None,
        Value::String(text) => Some(text.clone()),
        other => Some(other.to_string()),
    }
}

/// The characters that make Excel read a cell as a formula (CSV injection), as OWASP lists them:
/// `= + - @`, and TAB and CR, which Excel skips before reading the rest as a formula.
pub const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Writes one cell. For Excel, a cell starting with one of [`FORMULA_STARTS`] gets a leading `'`,
/// which Excel shows as text and does not display; other cells stay as received (no copy).
fn write_cell<W: Write>(
    writer: &mut csv::Writer<W>,
    cell: &str,
    for_excel: bool,
) -> csv::Result<()> {
    match for_excel && cell.starts_with(FORMULA_STARTS) {
        true => writer.write_field(format!("'{cell}")),
        false => writer.write_field(cell),
    }
}

/// The column list for `--help`.
pub fn columns_help() -> String {
    let mut text = String::from(
        "CSV columns (fixed, in this order; `_label` follows each code column; repeated values \
         joined with \" | \"):\n",
    );
    for column in CSV_COLUMNS {
        text.push_str("  ");
        text.push_str(column);
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn column(row: &[String], name: &str) -> String {
        let index = CSV_COLUMNS.iter().position(|c| *c == name).unwrap();
        row[index].clone()
    }

    #[test]
    fn codes_labels_repeats_and_groups_flatten() {
        let report = json!({
            "DATYEAR": "2009",
            "DATMONTH": {"code": "01", "label": "1月"},
            "DATSUMMARY": {"code": "77", "label": null},
            "GRPPATIENT": {"DATPATIENTAGE": "24"},
            "LSTCONCERNED": {"DATCATEGORY": [
                {"code": "05", "label": "薬剤師"}, {"code": "20", "label": "事務員"}
            ]},
            "GRPCOMPOUND": {"LSTMEDICINE": {"GRPMEDICINE_A": [
                {"DATMEDNAME": "A錠", "DATMEDCODE": "1"}, {"DATMEDNAME": "B錠"}
            ]}},
        });
        let row = csv_row(&report);
        assert_eq!(row.len(), CSV_COLUMNS.len());
        assert_eq!(column(&row, "DATYEAR"), "2009");
        assert_eq!(column(&row, "DATMONTH"), "01");
        assert_eq!(column(&row, "DATMONTH_label"), "1月");
        assert_eq!(column(&row, "DATSUMMARY"), "77");
        assert_eq!(column(&row, "DATSUMMARY_label"), "");
        assert_eq!(column(&row, "GRPPATIENT.DATPATIENTAGE"), "24");
        assert_eq!(column(&row, "LSTCONCERNED.DATCATEGORY"), "05 | 20");
        assert_eq!(
            column(&row, "LSTCONCERNED.DATCATEGORY_label"),
            "薬剤師 | 事務員"
        );
        let medicine = "GRPCOMPOUND.LSTMEDICINE.GRPMEDICINE_A.";
        assert_eq!(column(&row, &format!("{medicine}DATMEDNAME")), "A錠 | B錠");
        assert_eq!(column(&row, &format!("{medicine}DATMEDCODE")), "1 | ");
        assert_eq!(column(&row, "GRPDOUBT.DATGROUND"), "");
    }

    #[test]
    fn formulas_are_neutralised_for_excel_only() {
        let report = iryo_hiyari::PharmacyReport {
            content_text: Some("=HYPERLINK(\"http://x\")".to_owned()),
            factor_text: Some("-1".to_owned()),
            improvement_text: Some("a=b".to_owned()),
            version: Some("\t=1+1".to_owned()),
            year: Some("\r@SUM(A1)".to_owned()),
            ..Default::default()
        };
        let write = |bom: bool| {
            let mut out = Vec::new();
            let mut writer = ReportWriter::new(&mut out, Format::Csv, bom, false).unwrap();
            writer.write(&report).unwrap();
            writer.flush().unwrap();
            drop(writer);
            let text = String::from_utf8(out).unwrap();
            let mut reader =
                csv::Reader::from_reader(text.trim_start_matches('\u{FEFF}').as_bytes());
            reader.records().next().unwrap().unwrap()
        };
        let index = |name: &str| CSV_COLUMNS.iter().position(|c| *c == name).unwrap();
        let excel = write(true);
        assert_eq!(&excel[index("DATCONTENTTEXT")], "'=HYPERLINK(\"http://x\")");
        assert_eq!(&excel[index("DATFACTORTEXT")], "'-1");
        assert_eq!(&excel[index("DATIMPROVEMENTTEXT")], "a=b");
        assert_eq!(&excel[index("VERSION")], "'\t=1+1");
        assert_eq!(&excel[index("DATYEAR")], "'\r@SUM(A1)");
        let plain = write(false);
        assert_eq!(&plain[index("DATCONTENTTEXT")], "=HYPERLINK(\"http://x\")");
        assert_eq!(&plain[index("DATFACTORTEXT")], "-1");
    }

    #[test]
    fn the_crate_readme_lists_the_same_columns() {
        let readme = include_str!("../../README.md");
        let start = readme
            .find("```text\nVERSION, ")
            .expect("crates/iryo-cli/README.md lists the CSV columns");
        let block = &readme[start + "```text\n".len()..];
        let block = &block[..block.find("```").unwrap()];
        let listed: Vec<&str> = block
            .split([',', '\n'])
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        assert_eq!(listed, CSV_COLUMNS);
    }

    #[test]
    fn every_code_column_has_its_label_column_next() {
        let mut columns = std::collections::BTreeSet::new();
        for (i, name) in CSV_COLUMNS.iter().enumerate() {
            assert!(columns.insert(*name), "duplicate column {name}");
            if let Some(code) = name.strip_suffix(LABEL_SUFFIX) {
                assert_eq!(CSV_COLUMNS[i - 1], code);
            }
        }
    }
}
