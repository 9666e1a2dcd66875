//! Code tables (`specs/codes/*.json`): language-neutral data, one table per file.

use std::collections::BTreeSet;
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

/// Codes and identifiers must be unique, identifiers must be Rust-friendly UpperCamelCase.
fn check_unique(path: &str, table: &CodeTable) -> Result<(), Error> {
    let mut codes = BTreeSet::new();
    let mut ids = BTreeSet::new();
    for row in &table.rows {
        if !codes.insert(row.code.as_str()) {
            return Err(Error::Spec(format!(
                "{path}: duplicate code `{}`",
                row.code
            )));
        }
        if !ids.insert(row.id.as_str()) {
            return Err(Error::Spec(format!(
                "{path}: duplicate identifier `{}`",
                row.id
            )));
        }
        if !is_upper_camel(&row.id) || row.id == "Unknown" {
            return Err(Error::Spec(format!(
                "{path}: identifier `{}` must be UpperCamelCase ASCII and not `Unknown`",
                row.id
            )));
        }
    }
    Ok(())
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
