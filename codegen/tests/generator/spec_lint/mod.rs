//! The house rules of STYLE.md §7, as tests on the workspace's real `specs/`:
//! - every operation has an operationId and a description;
//! - every schema property has a description (a property that is a `$ref` takes the referenced
//!   schema's);
//! - every component (schema, parameter, response, ...) is reachable from the paths, through
//!   `$ref`s and `x-iryo-event-bodies` entries, and every `$ref` resolves;
//! - every `x-iryo-code-table` names an existing table;
//! - the same rules for properties, code tables and fixups hold in an API's `asyncapi.yaml`;
//! - every fixup an API uses (`x-iryo-fixup: <name>` anywhere in its `openapi.yaml` or in one of
//!   its code tables, `(x-iryo-fixup <name>)` in a description, `<iryo:fixup>` in the `appinfo`
//!   of its XSDs) has a `## <name>` heading in `specs/<api>/FIXUPS.md`, and every heading is used;
//! - code tables are well formed: unique codes and identifiers, UpperCamelCase identifiers.
//!
//! Each rule is a function returning the problems it finds; the tests at the bottom feed each one
//! a small bad input, so every rule is seen to fail.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::common::workspace_root;

mod bad_inputs;
mod on_real_specs;
mod rules;
mod tables;

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
const SCHEMA_REF: &str = "#/components/schemas/";

/// One API's spec: its name, `openapi.yaml` (as JSON) and codes crate.
struct ApiSpec {
    name: String,
    openapi_path: String,
    doc: Value,
    codes_crate: String,
    /// `asyncapi.yaml` (as JSON) with its path, for an API with a live socket.
    asyncapi: Option<(String, Value)>,
}

/// One code table file.
struct TableFile {
    path: String,
    stem: String,
    value: Value,
}

/// Every `specs/<api>/` with an `openapi.yaml`, sorted by name.
fn load_apis(root: &Path) -> Vec<ApiSpec> {
    let mut apis = Vec::new();
    for entry in std::fs::read_dir(root.join("specs")).expect("specs/") {
        let entry = entry.expect("entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        let openapi_path = format!("specs/{name}/openapi.yaml");
        if !root.join(&openapi_path).is_file() {
            continue;
        }
        let doc = read_yaml(root, &openapi_path);
        let rust = read_yaml(root, &format!("specs/{name}/rust.yaml"));
        let codes_crate = rust["codes_crate"].as_str().unwrap_or_default().to_owned();
        let asyncapi_path = format!("specs/{name}/asyncapi.yaml");
        let asyncapi = root
            .join(&asyncapi_path)
            .is_file()
            .then(|| (asyncapi_path.clone(), read_yaml(root, &asyncapi_path)));
        apis.push(ApiSpec {
            name,
            openapi_path,
            doc,
            codes_crate,
            asyncapi,
        });
    }
    apis.sort_by(|a, b| a.name.cmp(&b.name));
    apis
}

fn load_tables(root: &Path) -> Vec<TableFile> {
    let mut tables = Vec::new();
    for entry in std::fs::read_dir(root.join("specs/codes")).expect("specs/codes/") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        let Some(stem) = name.strip_suffix(".json") else {
            continue;
        };
        let path = format!("specs/codes/{name}");
        let text = std::fs::read_to_string(root.join(&path)).expect("table file");
        let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        tables.push(TableFile {
            stem: stem.to_owned(),
            path,
            value,
        });
    }
    tables.sort_by(|a, b| a.path.cmp(&b.path));
    tables
}

fn read_yaml(root: &Path, relative: &str) -> Value {
    let text =
        std::fs::read_to_string(root.join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

fn non_empty_str(value: Option<&Value>) -> bool {
    value
        .and_then(Value::as_str)
        .is_some_and(|s| !s.trim().is_empty())
}

fn is_kebab_case(name: &str) -> bool {
    !name.is_empty()
        && name.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

fn is_upper_camel(id: &str) -> bool {
    id.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && id.chars().all(|c| c.is_ascii_alphanumeric())
}

/// `(location, operation)` for every operation, e.g. `("POST /api01rv2/pusheventgetv2", {...})`.
fn operations(doc: &Value) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            if let Some(operation) = item.get(*method) {
                out.push((format!("{} {path}", method.to_uppercase()), operation));
            }
        }
    }
    out
}

/// Calls `visit(location, schema)` for every schema object in the document: component schemas,
/// the schemas of parameters, bodies and responses, and everything nested in them.
fn for_each_schema<'a>(doc: &'a Value, visit: &mut dyn FnMut(&str, &'a Value)) {
    for (name, schema) in doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        walk_schema(&format!("{SCHEMA_REF}{name}"), schema, visit);
    }
    let mut roots: Vec<(String, &Value)> = Vec::new();
    for section in ["parameters", "requestBodies", "responses", "headers"] {
        if let Some(items) = doc
            .pointer(&format!("/components/{section}"))
            .and_then(Value::as_object)
        {
            for (name, item) in items {
                roots.push((format!("#/components/{section}/{name}"), item));
            }
        }
    }
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        roots.push((format!("paths {path}"), item));
    }
    for (location, item) in roots {
        walk_non_schema(&location, item, visit);
    }
}

/// Finds schemas inside path items, operations, parameters, bodies and responses: the value of
/// any `schema` key. (Those objects never have a key named `schema` with another meaning.)
fn walk_non_schema<'a>(location: &str, value: &'a Value, visit: &mut dyn FnMut(&str, &'a Value)) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let here = format!("{location}/{key}");
                if key == "schema" {
                    walk_schema(&here, child, visit);
                } else if key != "example" && key != "examples" {
                    walk_non_schema(&here, child, visit);
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                walk_non_schema(&format!("{location}/{i}"), child, visit);
            }
        }
        _ => {}
    }
}

fn walk_schema<'a>(location: &str, schema: &'a Value, visit: &mut dyn FnMut(&str, &'a Value)) {
    if !schema.is_object() {
        return;
    }
    visit(location, schema);
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        for (name, property) in properties {
            walk_schema(&format!("{location}/properties/{name}"), property, visit);
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(child) = schema.get(key) {
            walk_schema(&format!("{location}/{key}"), child, visit);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for (i, child) in schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            walk_schema(&format!("{location}/{key}/{i}"), child, visit);
        }
    }
}

/// Calls `visit(location, value)` for every value of the key `key`, anywhere in `value`.
fn for_each_key<'a>(
    location: &str,
    value: &'a Value,
    key: &str,
    visit: &mut dyn FnMut(&str, &'a Value),
) {
    match value {
        Value::Object(map) => {
            for (k, child) in map {
                let here = format!("{location}/{k}");
                if k == key {
                    visit(&here, child);
                }
                for_each_key(&here, child, key, visit);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                for_each_key(&format!("{location}/{i}"), child, key, visit);
            }
        }
        _ => {}
    }
}

/// Calls `visit(location, text)` for every string anywhere in `value`.
fn for_each_string<'a>(location: &str, value: &'a Value, visit: &mut dyn FnMut(&str, &'a str)) {
    match value {
        Value::String(text) => visit(location, text),
        Value::Object(map) => {
            for (k, child) in map {
                for_each_string(&format!("{location}/{k}"), child, visit);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                for_each_string(&format!("{location}/{i}"), child, visit);
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// The rules.
