//! The rules on code tables: well formed alone and across tables.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::*;

/// Row keys with a meaning of their own; any other key is a declared column or an `x-` note.
pub(super) const ROW_KEYS: &[&str] = &[
    "code",
    "id",
    "label",
    "other_labels",
    "no",
    "parent",
    "level",
];

/// A code table on its own (independently of the generator): names, shape, and codes that map
/// one-to-one to identifiers. A `list` table lists each code once; a `tree` table may repeat a
/// code under several parents, always with the same identifier.
pub(super) fn table_problems(path: &str, stem: &str, table: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    if table["table"].as_str() != Some(stem) {
        problems.push(format!("{path}: `table` must be the file stem `{stem}`"));
    }
    if !is_kebab_case(stem) {
        problems.push(format!("{path}: the table name is not kebab-case"));
    }
    for field in ["version", "title", "description"] {
        if !non_empty_str(table.get(field)) {
            problems.push(format!("{path}: `{field}` is missing or empty"));
        }
    }
    if !table["source"].is_object() {
        problems.push(format!("{path}: `source` is missing"));
    }
    if !non_empty_str(table.pointer("/rust/crate")) {
        problems.push(format!("{path}: `rust.crate` is missing"));
    }
    if !table["rust"]["type"].as_str().is_some_and(is_upper_camel) {
        problems.push(format!(
            "{path}: `rust.type` must be an UpperCamelCase name"
        ));
    }
    let tree = match table.get("kind").map(|k| k.as_str()) {
        None | Some(Some("list")) => false,
        Some(Some("tree")) => true,
        Some(other) => {
            problems.push(format!("{path}: unknown `kind` {other:?}"));
            false
        }
    };
    let integer = match table.get("wire").map(|w| w.as_str()) {
        None | Some(Some("string")) => false,
        Some(Some("integer")) => true,
        Some(other) => {
            problems.push(format!("{path}: unknown `wire` {other:?}"));
            false
        }
    };
    let empty = serde_json::Map::new();
    let columns = table
        .get("columns")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let rows = table["rows"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    if rows.is_empty() {
        problems.push(format!("{path}: no rows"));
    }
    let numbers: BTreeSet<u64> = rows.iter().filter_map(|row| row["no"].as_u64()).collect();
    let mut id_of_code: BTreeMap<&str, &str> = BTreeMap::new();
    let mut code_of_id: BTreeMap<&str, &str> = BTreeMap::new();
    for (i, row) in rows.iter().enumerate() {
        let code = row["code"].as_str().unwrap_or_default();
        let id = row["id"].as_str().unwrap_or_default();
        let name = if code.is_empty() {
            format!("row {i}")
        } else {
            format!("row `{code}`")
        };
        if code.is_empty() {
            problems.push(format!("{path}: {name} has no code"));
        }
        if integer && code.parse::<i64>().is_err() {
            problems.push(format!("{path}: {name}: the table's wire type is integer"));
        }
        match id_of_code.insert(code, id) {
            Some(_) if !tree => problems.push(format!("{path}: duplicate code `{code}`")),
            Some(previous) if previous != id => {
                problems.push(format!("{path}: code `{code}` has two identifiers"))
            }
            Some(_) => {}
            None => {
                if code_of_id.insert(id, code).is_some() {
                    problems.push(format!("{path}: duplicate identifier `{id}`"));
                }
            }
        }
        if !is_upper_camel(id) || id == "Unknown" {
            problems.push(format!(
                "{path}: identifier `{id}` must be UpperCamelCase ASCII, not `Unknown`"
            ));
        }
        if !non_empty_str(row.get("label")) {
            problems.push(format!("{path}: {name} has no label"));
        }
        for column in columns.keys() {
            if !row.get(column).is_some_and(Value::is_string) {
                problems.push(format!("{path}: {name} lacks the column `{column}`"));
            }
        }
        for key in row.as_object().into_iter().flatten().map(|(key, _)| key) {
            if !ROW_KEYS.contains(&key.as_str())
                && !key.starts_with("x-")
                && !columns.contains_key(key)
            {
                problems.push(format!("{path}: {name} has the undeclared key `{key}`"));
            }
        }
        if tree {
            if row["no"].as_u64().is_none() {
                problems.push(format!("{path}: tree {name} has no `no`"));
            }
            if let Some(parent) = row["parent"].as_u64()
                && !numbers.contains(&parent)
            {
                problems.push(format!(
                    "{path}: {name} names a parent row {parent} that does not exist"
                ));
            }
        }
    }
    problems
}

/// Problems across tables: two tables with the same enum in the same crate.
pub(super) fn cross_table_problems(tables: &[TableFile]) -> Vec<String> {
    let mut owners: BTreeMap<(String, String), &str> = BTreeMap::new();
    let mut problems = Vec::new();
    for table in tables {
        let key = (
            table.value["rust"]["crate"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            table.value["rust"]["type"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
        if let Some(other) = owners.insert(key.clone(), &table.path) {
            problems.push(format!(
                "{}: enum `{}` is also generated from {other}",
                table.path, key.1
            ));
        }
    }
    problems
}

// ---------------------------------------------------------------------------------------------
// The real specs.
