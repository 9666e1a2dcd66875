//! Code tables (`specs/codes/*.json`): language-neutral data, one table per file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;

use crate::{Error, Rendered, spec_config::RustConfig};

/// One code table as read from `specs/codes/<table>.json`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct CodeTable {
    /// Kebab-case table name, equal to the file stem.
    pub table: String,
    /// The table's own semver version.
    #[allow(dead_code)]
    pub version: String,
    /// Japanese or English title.
    pub title: String,
    /// What the codes mean.
    pub description: String,
    /// Where the Rust enum goes.
    pub rust: RustTarget,
    /// How codes travel: as JSON strings (default) or as integers.
    #[serde(default)]
    pub wire: WireType,
    /// A plain list (default), or a tree whose rows repeat codes under several parents.
    #[serde(default)]
    pub kind: TableKind,
    /// Extra string columns every row carries: name -> description.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// Rows in document order.
    pub rows: Vec<CodeRow>,
    /// Path relative to the workspace root (filled in on load).
    #[serde(skip)]
    pub path: String,
    /// The file's bytes, for digests.
    #[serde(skip)]
    pub raw: Vec<u8>,
}

/// The JSON type of a code on the wire.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum WireType {
    /// `"01"`.
    #[default]
    String,
    /// `1`; the table's codes are the decimal text.
    Integer,
}

/// The shape of a table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum TableKind {
    /// One row per code.
    #[default]
    List,
    /// Rows numbered `no` with a `parent` row number; one code may appear under several parents.
    Tree,
}

/// One distinct code of a table, with everything the enum needs to know about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub code: String,
    pub id: String,
    /// `label` first, then any other labels (other_labels, or a tree's other rows).
    pub labels: Vec<String>,
    /// Codes of the parent rows (tree tables), distinct, in row order.
    pub parents: Vec<String>,
    /// Extra column values.
    pub columns: BTreeMap<String, String>,
}

/// Rust-side placement of a table.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RustTarget {
    /// Crate under `crates/` that holds the enum.
    #[serde(rename = "crate")]
    pub krate: String,
    /// Enum name.
    #[serde(rename = "type")]
    pub type_name: String,
}

/// One row: the wire code, a neutral identifier and the Japanese label.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct CodeRow {
    pub code: String,
    pub id: String,
    pub label: String,
    /// Further labels the document lists for the same code.
    #[serde(default)]
    pub other_labels: Vec<String>,
    /// Row number (tree tables).
    #[serde(default)]
    pub no: Option<u32>,
    /// Parent row number (tree tables).
    #[serde(default)]
    pub parent: Option<u32>,
    /// Depth in the tree (tree tables; informative).
    #[serde(default)]
    #[allow(dead_code)]
    pub level: Option<u32>,
    /// Extra columns and `x-` annotations.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

pub(crate) fn load_all(root: &Path) -> Result<Vec<CodeTable>, Error> {
    let dir = root.join("specs/codes");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| Error::io("specs/codes", e))?
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json"))
        .collect();
    names.sort();
    names.iter().map(|name| load_one(root, name)).collect()
}

fn load_one(root: &Path, file_name: &str) -> Result<CodeTable, Error> {
    let path = format!("specs/codes/{file_name}");
    let raw = std::fs::read(root.join(&path)).map_err(|e| Error::io(&path, e))?;
    let mut table: CodeTable = serde_json::from_slice(&raw).map_err(|e| Error::parse(&path, e))?;
    if format!("{}.json", table.table) != file_name {
        return Err(Error::Spec(format!(
            "{path}: table name `{}` must equal the file stem",
            table.table
        )));
    }
    check_unique(&path, &table)?;
    if table.wire == WireType::Integer
        && let Some(row) = table.rows.iter().find(|r| r.code.parse::<i64>().is_err())
    {
        return Err(Error::Spec(format!(
            "{path}: integer table with non-integer code `{}`",
            row.code
        )));
    }
    table.path = path;
    table.raw = raw;
    Ok(table)
}

/// Codes and identifiers must be unique (a tree may repeat a code with the same identifier),
/// identifiers must be Rust-friendly UpperCamelCase, and every row has every declared column.
fn check_unique(path: &str, table: &CodeTable) -> Result<(), Error> {
    table
        .entries()
        .map(|_| ())
        .map_err(|message| Error::Spec(format!("{path}: {message}")))
}

impl CodeTable {
    /// The distinct codes in first-appearance order, validated.
    pub(crate) fn entries(&self) -> Result<Vec<Entry>, String> {
        let by_no: BTreeMap<u32, &CodeRow> =
            self.rows.iter().filter_map(|r| Some((r.no?, r))).collect();
        let mut entries: Vec<Entry> = Vec::new();
        let mut ids = BTreeSet::new();
        for row in &self.rows {
            check_row(self, row, &by_no)?;
            let parent = row
                .parent
                .and_then(|no| by_no.get(&no))
                .map(|p| p.code.clone());
            if let Some(entry) = entries.iter_mut().find(|e| e.code == row.code) {
                if self.kind == TableKind::List {
                    return Err(format!("duplicate code `{}`", row.code));
                }
                if entry.id != row.id {
                    return Err(format!("code `{}` has two identifiers", row.code));
                }
                push_distinct(&mut entry.labels, &row.label);
                if let Some(parent) = parent {
                    push_distinct(&mut entry.parents, &parent);
                }
                continue;
            }
            if !ids.insert(row.id.clone()) {
                return Err(format!("duplicate identifier `{}`", row.id));
            }
            let mut labels = vec![row.label.clone()];
            labels.extend(row.other_labels.iter().cloned());
            entries.push(Entry {
                code: row.code.clone(),
                id: row.id.clone(),
                labels,
                parents: parent.into_iter().collect(),
                columns: self
                    .columns
                    .keys()
                    .map(|c| {
                        (
                            c.clone(),
                            row.extra[c].as_str().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect(),
            });
        }
        Ok(entries)
    }
}

fn check_row(
    table: &CodeTable,
    row: &CodeRow,
    by_no: &BTreeMap<u32, &CodeRow>,
) -> Result<(), String> {
    if !is_upper_camel(&row.id) || row.id == "Unknown" {
        return Err(format!(
            "identifier `{}` must be UpperCamelCase ASCII and not `Unknown`",
            row.id
        ));
    }
    for column in table.columns.keys() {
        if !row
            .extra
            .get(column)
            .is_some_and(serde_json::Value::is_string)
        {
            return Err(format!(
                "row `{}` lacks the string column `{column}`",
                row.code
            ));
        }
    }
    if let Some(key) = row
        .extra
        .keys()
        .find(|k| !k.starts_with("x-") && !table.columns.contains_key(*k))
    {
        return Err(format!(
            "row `{}` has the undeclared column `{key}`",
            row.code
        ));
    }
    if table.kind == TableKind::Tree {
        if row.no.is_none() {
            return Err(format!("tree row `{}` has no `no`", row.code));
        }
        if let Some(parent) = row.parent
            && !by_no.contains_key(&parent)
        {
            return Err(format!(
                "row `{}` names a parent row {parent} that does not exist",
                row.code
            ));
        }
    }
    Ok(())
}

fn push_distinct(list: &mut Vec<String>, value: &str) {
    if !list.iter().any(|v| v == value) {
        list.push(value.to_owned());
    }
}

pub(crate) fn is_upper_camel(id: &str) -> bool {
    id.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && id.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Every table must land in some crate that was rendered.
pub(crate) fn check_all_claimed(tables: &[CodeTable], rendered: &Rendered) -> Result<(), Error> {
    for table in tables {
        let dir = RustConfig::generated_dir(&table.rust.krate);
        if !rendered.owned_dirs.contains(&dir) {
            return Err(Error::Spec(format!(
                "{}: crate `{}` is not the codes crate of any registered API",
                table.path, table.rust.krate
            )));
        }
    }
    Ok(())
}
