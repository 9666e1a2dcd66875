//! The published form of an OpenAPI document: code tables inlined as enums, Rust-only names gone.

use std::collections::BTreeMap;

use serde_yaml::{Mapping, Value};

use super::to_json;
use crate::Error;
use crate::code_table::{CodeTable, WireType};

/// One published OpenAPI document.
pub(super) struct Published {
    pub yaml: String,
    pub json: String,
    pub title: String,
    pub version: String,
}

/// Keys inside `x-iryo-event-bodies` that only name Rust items (the enum the Rust generator writes).
const RUST_ONLY_EVENT_BODY_KEYS: &[&str] = &["enum"];

pub(super) fn publish(
    path: &str,
    source: &[u8],
    tables: &BTreeMap<&str, &CodeTable>,
) -> Result<Published, Error> {
    let mut doc: Value = serde_yaml::from_slice(source).map_err(|e| Error::parse(path, e))?;
    let title =
        string_at(&doc, &["info", "title"]).ok_or_else(|| spec(path, "info.title is missing"))?;
    let version = string_at(&doc, &["info", "version"])
        .ok_or_else(|| spec(path, "info.version is missing"))?;
    inline_code_tables(path, "#", &mut doc, tables)?;
    drop_rust_only(&mut doc);
    if let Some(info) = doc.get_mut("info").and_then(Value::as_mapping_mut) {
        let mut source_info = Mapping::new();
        source_info.insert("path".into(), path.into());
        source_info.insert("sha256".into(), super::sha256_hex(source).into());
        source_info.insert("published_by".into(), super::PUBLISH_COMMAND.into());
        info.insert("x-iryo-source".into(), Value::Mapping(source_info));
    }
    let yaml = serde_yaml::to_string(&doc).map_err(|e| Error::parse(path, e))?;
    let json = to_json(&doc, path)?;
    Ok(Published {
        yaml,
        json,
        title,
        version,
    })
}

fn spec(path: &str, message: &str) -> Error {
    Error::Spec(format!("{path}: {message}"))
}

fn string_at(doc: &Value, keys: &[&str]) -> Option<String> {
    let mut at = doc;
    for key in keys {
        at = at.get(*key)?;
    }
    at.as_str().map(str::to_owned)
}

/// Adds `enum`, `x-enum-varnames` and `x-enum-descriptions` right after every `x-iryo-code-table`.
/// A nullable schema lists `null` last in `enum` (OpenAPI 3.0.3: `nullable` does not add `null` to
/// an `enum`), without a name or description.
fn inline_code_tables(
    path: &str,
    pointer: &str,
    value: &mut Value,
    tables: &BTreeMap<&str, &CodeTable>,
) -> Result<(), Error> {
    match value {
        Value::Mapping(map) => {
            if let Some(name) = map.get("x-iryo-code-table") {
                let name = name.as_str().ok_or_else(|| {
                    spec(
                        path,
                        &format!("{pointer}: x-iryo-code-table is not a string"),
                    )
                })?;
                let table = tables.get(name).ok_or_else(|| {
                    spec(
                        path,
                        &format!("{pointer}: x-iryo-code-table names the unknown table `{name}`"),
                    )
                })?;
                *map = with_enum(path, pointer, map, table)?;
            }
            for (key, child) in map.iter_mut() {
                let key = key
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| format!("{key:?}"));
                inline_code_tables(
                    path,
                    &format!("{pointer}/{}", escape_pointer(&key)),
                    child,
                    tables,
                )?;
            }
        }
        Value::Sequence(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                inline_code_tables(path, &format!("{pointer}/{i}"), child, tables)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn with_enum(
    path: &str,
    pointer: &str,
    map: &Mapping,
    table: &CodeTable,
) -> Result<Mapping, Error> {
    if map.contains_key("enum") {
        return Err(spec(
            path,
            &format!("{pointer}: has both enum and x-iryo-code-table"),
        ));
    }
    let declared = map.get("type").and_then(Value::as_str);
    let expected = match table.wire {
        WireType::String => "string",
        WireType::Integer => "integer",
    };
    if declared != Some(expected) {
        return Err(spec(
            path,
            &format!(
                "{pointer}: table `{}` travels as {expected}, but the schema's type is {declared:?}",
                table.table
            ),
        ));
    }
    let entries = table
        .entries()
        .map_err(|message| Error::Spec(format!("{}: {message}", table.path)))?;
    let mut values = Vec::new();
    for entry in &entries {
        values.push(match table.wire {
            WireType::String => Value::String(entry.code.clone()),
            WireType::Integer => {
                let number: i64 = entry.code.parse().map_err(|_| {
                    Error::Spec(format!(
                        "{}: integer table with code `{}`",
                        table.path, entry.code
                    ))
                })?;
                Value::Number(number.into())
            }
        });
    }
    if map.get("nullable").and_then(Value::as_bool) == Some(true) {
        values.push(Value::Null);
    }
    let names = entries
        .iter()
        .map(|e| Value::String(e.id.clone()))
        .collect();
    let labels = entries
        .iter()
        .map(|e| Value::String(e.labels.first().cloned().unwrap_or_default()))
        .collect();
    let mut inlined = Some([
        ("enum", Value::Sequence(values)),
        ("x-enum-varnames", Value::Sequence(names)),
        ("x-enum-descriptions", Value::Sequence(labels)),
    ]);
    let mut out = Mapping::new();
    for (key, value) in map {
        out.insert(key.clone(), value.clone());
        if key.as_str() == Some("x-iryo-code-table") {
            for (key, value) in inlined.take().into_iter().flatten() {
                out.insert(key.into(), value);
            }
        }
    }
    Ok(out)
}

fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Removes what only the Rust generator reads.
fn drop_rust_only(value: &mut Value) {
    match value {
        Value::Mapping(map) => {
            if let Some(Value::Mapping(bodies)) = map.get_mut("x-iryo-event-bodies") {
                for key in RUST_ONLY_EVENT_BODY_KEYS {
                    bodies.remove(*key);
                }
            }
            for (_, child) in map.iter_mut() {
                drop_rust_only(child);
            }
        }
        Value::Sequence(items) => items.iter_mut().for_each(drop_rust_only),
        _ => {}
    }
}
