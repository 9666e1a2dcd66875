//! The published forms of a code table: JSON (the source without its Rust placement) and CSV.

use serde_yaml::Value;

use super::to_json;
use crate::Error;
use crate::code_table::{CodeTable, TableKind};

/// Keys of a table file that only the Rust generator reads.
const RUST_ONLY_KEYS: &[&str] = &["rust"];

/// Separates the further labels of one code in the CSV's `other_labels` column.
const OTHER_LABELS_SEPARATOR: char = '|';

pub(super) struct Published {
    pub json: String,
    pub csv: String,
}

pub(super) fn publish(table: &CodeTable) -> Result<Published, Error> {
    let path = table.path.as_str();
    // Read through serde_yaml, whose maps keep the file's key order (JSON is YAML).
    let mut doc: Value = serde_yaml::from_slice(&table.raw).map_err(|e| Error::parse(path, e))?;
    let map = doc
        .as_mapping_mut()
        .ok_or_else(|| Error::Spec(format!("{path}: not an object")))?;
    for key in RUST_ONLY_KEYS {
        map.remove(*key);
    }
    let rows = map
        .get("rows")
        .and_then(Value::as_sequence)
        .ok_or_else(|| Error::Spec(format!("{path}: no rows")))?;
    let columns: Vec<String> = map
        .get("columns")
        .and_then(Value::as_mapping)
        .map(|c| {
            c.keys()
                .filter_map(|k| k.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let csv = render_csv(path, table.kind, rows, &columns)?;
    Ok(Published {
        json: to_json(&doc, path)?,
        csv,
    })
}

/// RFC 4180 fields, UTF-8 without BOM, LF line ends, a header line first.
/// Tree tables: `no,level,code,id,label,parent`. Lists: `code,id,label`, then `other_labels`
/// (`|`-separated) when a row has further labels, then the table's extra columns in file order.
fn render_csv(
    path: &str,
    kind: TableKind,
    rows: &[Value],
    columns: &[String],
) -> Result<String, Error> {
    let mut header: Vec<String> = match kind {
        TableKind::Tree => ["no", "level", "code", "id", "label", "parent"]
            .map(str::to_owned)
            .to_vec(),
        TableKind::List => ["code", "id", "label"].map(str::to_owned).to_vec(),
    };
    let has_other_labels = rows.iter().any(|r| r.get("other_labels").is_some());
    if kind == TableKind::List && has_other_labels {
        header.push("other_labels".to_owned());
    }
    if kind == TableKind::List {
        header.extend(columns.iter().cloned());
    }
    let mut out = String::new();
    push_line(&mut out, &header);
    for row in rows {
        let mut fields = Vec::with_capacity(header.len());
        for column in &header {
            fields.push(field(path, row, column)?);
        }
        push_line(&mut out, &fields);
    }
    Ok(out)
}

fn field(path: &str, row: &Value, column: &str) -> Result<String, Error> {
    let value = row.get(column).unwrap_or(&Value::Null);
    Ok(match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Sequence(items) if column == "other_labels" => {
            let mut labels = Vec::new();
            for item in items {
                let label = item.as_str().ok_or_else(|| {
                    Error::Spec(format!("{path}: other_labels holds a non-string"))
                })?;
                if label.contains(OTHER_LABELS_SEPARATOR) {
                    return Err(Error::Spec(format!(
                        "{path}: label `{label}` contains the CSV separator `{OTHER_LABELS_SEPARATOR}`"
                    )));
                }
                labels.push(label);
            }
            labels.join(&OTHER_LABELS_SEPARATOR.to_string())
        }
        other => {
            return Err(Error::Spec(format!(
                "{path}: column `{column}` holds {other:?}, which has no CSV form"
            )));
        }
    })
}

fn push_line(out: &mut String, fields: &[String]) {
    let quoted: Vec<String> = fields.iter().map(|f| quote(f)).collect();
    out.push_str(&quoted.join(","));
    out.push('\n');
}

fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}
