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

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::common::workspace_root;

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

fn operation_problems(spec: &str, doc: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    for (location, operation) in operations(doc) {
        if !non_empty_str(operation.get("operationId")) {
            problems.push(format!("{spec}: {location} has no operationId"));
        }
        if !non_empty_str(operation.get("description")) {
            problems.push(format!("{spec}: {location} has no description"));
        }
    }
    problems
}

fn property_problems(spec: &str, doc: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    for_each_schema(doc, &mut |location, schema| {
        for (name, property) in schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if property.get("$ref").is_none() && !non_empty_str(property.get("description")) {
                problems.push(format!(
                    "{spec}: {location}/properties/{name} has no description"
                ));
            }
        }
    });
    problems
}

/// Every `$ref` target in `value`, in order of appearance.
fn refs(value: &Value) -> Vec<String> {
    let mut refs = Vec::new();
    for_each_key("", value, "$ref", &mut |_, target| {
        refs.push(target.as_str().unwrap_or("<not a string>").to_owned());
    });
    refs
}

/// Components reachable from the paths: through `$ref`s (to schemas, parameters, responses, ...)
/// and `x-iryo-event-bodies` entries. Reports unreached components (security schemes are named
/// by `security`, not referenced, so they are left out) and references that do not resolve.
fn unused_component_problems(spec: &str, doc: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let mut queue: Vec<String> = refs(&doc["paths"]);
    let mut reached = BTreeSet::new();
    while let Some(target) = queue.pop() {
        let Some(pointer) = target.strip_prefix("#/components/") else {
            problems.push(format!("{spec}: `$ref: {target}` is not a local component"));
            continue;
        };
        let Some(component) = doc["components"].pointer(&format!("/{pointer}")) else {
            problems.push(format!("{spec}: `$ref: {target}` does not resolve"));
            continue;
        };
        if !reached.insert(target.clone()) {
            continue;
        }
        queue.extend(refs(component));
        if let Some(variants) = component
            .pointer("/x-iryo-event-bodies/variants")
            .and_then(Value::as_array)
        {
            queue.extend(
                variants
                    .iter()
                    .filter_map(|v| v["schema"].as_str())
                    .map(|name| format!("{SCHEMA_REF}{name}")),
            );
        }
    }
    let mut defined = BTreeSet::new();
    for (section, items) in doc["components"].as_object().into_iter().flatten() {
        if section == "securitySchemes" || section.starts_with("x-") {
            continue;
        }
        for name in items
            .as_object()
            .into_iter()
            .flatten()
            .map(|(name, _)| name)
        {
            defined.insert(format!("#/components/{section}/{name}"));
        }
    }
    for component in defined.difference(&reached) {
        problems.push(format!("{spec}: {component} is not used by any operation"));
    }
    problems
}

fn code_table_reference_problems(
    spec: &str,
    doc: &Value,
    tables: &BTreeSet<String>,
) -> Vec<String> {
    let mut problems = Vec::new();
    for_each_key(
        "",
        doc,
        "x-iryo-code-table",
        &mut |location, table| match table.as_str() {
            Some(name) if tables.contains(name) => {}
            _ => problems.push(format!(
                "{spec}: {location} names no existing table: {table}"
            )),
        },
    );
    problems
}

/// Fixup names used in `value`, with where: `x-iryo-fixup` keys (a name or a list of names) and
/// `x-iryo-fixup <name>` written in prose.
fn fixup_uses(file: &str, value: &Value) -> Vec<(String, String)> {
    let mut uses = Vec::new();
    for_each_key("", value, "x-iryo-fixup", &mut |location, names| {
        let names: Vec<&Value> = match names {
            Value::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        for name in names {
            uses.push((
                name.as_str().unwrap_or("<not a string>").to_owned(),
                format!("{file}#{location}"),
            ));
        }
    });
    for_each_string("", value, &mut |location, text| {
        for (at, _) in text.match_indices("x-iryo-fixup ") {
            let name: String = text[at + "x-iryo-fixup ".len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            if !name.is_empty() {
                uses.push((name, format!("{file}#{location} (prose)")));
            }
        }
    });
    uses
}

/// The XSD files of an API (`specs/<api>/*.xsd`), sorted.
fn xsd_files(root: &Path, api: &str) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(root.join("specs").join(api))
        .expect("spec folder")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".xsd"))
        .map(|name| format!("specs/{api}/{name}"))
        .collect();
    files.sort();
    files
}

/// Fixup names an XSD uses: `<iryo:fixup>name</iryo:fixup>` in `xs:appinfo`, with the line.
fn xsd_fixup_uses(file: &str, text: &str) -> Vec<(String, String)> {
    const OPEN: &str = "<iryo:fixup>";
    let mut uses = Vec::new();
    for (number, line) in text.lines().enumerate() {
        for (at, _) in line.match_indices(OPEN) {
            let rest = &line[at + OPEN.len()..];
            let name = rest
                .split("</iryo:fixup>")
                .next()
                .unwrap_or_default()
                .trim();
            uses.push((name.to_owned(), format!("{file}:{}", number + 1)));
        }
    }
    uses
}

/// The `## <name>` headings of a FIXUPS.md, in order.
fn fixup_headings(markdown: &str) -> Vec<String> {
    markdown
        .lines()
        .filter_map(|line| line.strip_prefix("## "))
        .map(|heading| heading.trim().trim_matches('`').to_owned())
        .collect()
}

/// Both directions between the fixups an API uses and its FIXUPS.md (`None`: the file is absent).
fn fixup_problems(
    fixups_path: &str,
    uses: &[(String, String)],
    fixups_md: Option<&str>,
) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(markdown) = fixups_md else {
        if !uses.is_empty() {
            let names: BTreeSet<&str> = uses.iter().map(|(name, _)| name.as_str()).collect();
            problems.push(format!("{fixups_path} is missing; fixups used: {names:?}"));
        }
        return problems;
    };
    let headings = fixup_headings(markdown);
    let mut seen = BTreeSet::new();
    for heading in &headings {
        if !seen.insert(heading.as_str()) {
            problems.push(format!("{fixups_path}: `## {heading}` appears twice"));
        }
        if !is_kebab_case(heading) {
            problems.push(format!(
                "{fixups_path}: `## {heading}` is not a kebab-case fixup name"
            ));
        }
    }
    for (name, location) in uses {
        if !seen.contains(name.as_str()) {
            problems.push(format!(
                "{location}: fixup `{name}` has no `## {name}` in {fixups_path}"
            ));
        }
    }
    let used: BTreeSet<&str> = uses.iter().map(|(name, _)| name.as_str()).collect();
    for heading in &headings {
        if !used.contains(heading.as_str()) {
            problems.push(format!(
                "{fixups_path}: `## {heading}` is not referenced by any `x-iryo-fixup` of the spec or its tables"
            ));
        }
    }
    problems
}

/// Row keys with a meaning of their own; any other key is a declared column or an `x-` note.
const ROW_KEYS: &[&str] = &[
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
fn table_problems(path: &str, stem: &str, table: &Value) -> Vec<String> {
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
fn cross_table_problems(tables: &[TableFile]) -> Vec<String> {
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

fn assert_no_problems(rule: &str, problems: Vec<String>) {
    assert!(problems.is_empty(), "{rule}:\n  {}", problems.join("\n  "));
}

fn real_apis() -> Vec<ApiSpec> {
    let apis = load_apis(&workspace_root());
    let names: Vec<&str> = apis.iter().map(|api| api.name.as_str()).collect();
    for registered in codegen::API_NAMES {
        assert!(
            names.contains(registered),
            "no specs/{registered}/openapi.yaml; found {names:?}"
        );
    }
    apis
}

#[test]
fn every_operation_has_an_id_and_a_description() {
    let mut problems = Vec::new();
    let mut count = 0;
    for api in real_apis() {
        count += operations(&api.doc).len();
        problems.extend(operation_problems(&api.openapi_path, &api.doc));
    }
    assert!(count > 0, "no operations found");
    assert_no_problems(
        "operations without an operationId or a description",
        problems,
    );
}

#[test]
fn every_property_is_described() {
    let mut problems = Vec::new();
    let mut count = 0;
    for api in real_apis() {
        for_each_schema(&api.doc, &mut |_, schema| {
            count += schema
                .get("properties")
                .and_then(Value::as_object)
                .map_or(0, |p| p.len());
        });
        problems.extend(property_problems(&api.openapi_path, &api.doc));
        if let Some((path, doc)) = &api.asyncapi {
            problems.extend(property_problems(path, doc));
        }
    }
    assert!(count > 0, "no properties found");
    assert_no_problems("properties without a description", problems);
}

#[test]
fn every_component_is_used() {
    let mut problems = Vec::new();
    for api in real_apis() {
        problems.extend(unused_component_problems(&api.openapi_path, &api.doc));
    }
    assert_no_problems("unused components or broken references", problems);
}

#[test]
fn every_code_table_reference_names_a_table() {
    let tables: BTreeSet<String> = load_tables(&workspace_root())
        .into_iter()
        .map(|t| t.stem)
        .collect();
    assert!(!tables.is_empty());
    let mut problems = Vec::new();
    for api in real_apis() {
        problems.extend(code_table_reference_problems(
            &api.openapi_path,
            &api.doc,
            &tables,
        ));
        if let Some((path, doc)) = &api.asyncapi {
            problems.extend(code_table_reference_problems(path, doc, &tables));
        }
    }
    assert_no_problems("x-iryo-code-table without a table", problems);
}

#[test]
fn every_fixup_resolves_both_ways() {
    let root = workspace_root();
    let tables = load_tables(&root);
    let mut problems = Vec::new();
    let mut claimed = BTreeSet::new();
    for api in real_apis() {
        let mut uses = fixup_uses(&api.openapi_path, &api.doc);
        if let Some((path, doc)) = &api.asyncapi {
            uses.extend(fixup_uses(path, doc));
        }
        for xsd in xsd_files(&root, &api.name) {
            let text = std::fs::read_to_string(root.join(&xsd)).expect("XSD file");
            uses.extend(xsd_fixup_uses(&xsd, &text));
        }
        for table in &tables {
            if table.value["rust"]["crate"].as_str() == Some(api.codes_crate.as_str()) {
                claimed.insert(table.path.clone());
                uses.extend(fixup_uses(&table.path, &table.value));
            }
        }
        let fixups_path = format!("specs/{}/FIXUPS.md", api.name);
        let markdown = std::fs::read_to_string(root.join(&fixups_path)).ok();
        problems.extend(fixup_problems(&fixups_path, &uses, markdown.as_deref()));
    }
    for table in &tables {
        if !claimed.contains(&table.path) {
            problems.push(format!(
                "{}: no API's codes crate holds this table",
                table.path
            ));
        }
    }
    assert_no_problems("fixups that do not resolve", problems);
}

#[test]
fn code_tables_are_well_formed() {
    let tables = load_tables(&workspace_root());
    assert!(!tables.is_empty(), "no tables in specs/codes");
    let mut problems = cross_table_problems(&tables);
    for table in &tables {
        problems.extend(table_problems(&table.path, &table.stem, &table.value));
    }
    assert_no_problems("malformed code tables", problems);
}

// ---------------------------------------------------------------------------------------------
// Each rule, seen failing.

fn yaml(text: &str) -> Value {
    serde_yaml::from_str(text).expect("test YAML")
}

#[test]
fn the_operation_rule_reports_missing_ids_and_descriptions() {
    let doc = yaml(
        "paths:\n  /a:\n    get: {operationId: getA, description: Gets A.}\n    post: {description: Posts.}\n  /b:\n    delete: {operationId: deleteB}\n",
    );
    assert_eq!(
        operation_problems("x.yaml", &doc),
        [
            "x.yaml: POST /a has no operationId",
            "x.yaml: DELETE /b has no description"
        ]
    );
}

#[test]
fn the_property_rule_reports_undescribed_properties_at_any_depth() {
    let doc = yaml(
        r##"
paths:
  /a:
    get:
      responses:
        "200":
          content:
            application/json:
              schema:
                type: object
                properties:
                  inline: {type: string}
components:
  schemas:
    A:
      type: object
      properties:
        described: {type: string, description: Fine.}
        bare_ref: {$ref: "#/components/schemas/B"}
        list:
          description: A list.
          type: array
          items:
            type: object
            properties:
              deep: {type: integer}
    B:
      oneOf:
        - type: object
          properties:
            in_one_of: {type: string, description: ""}
"##,
    );
    assert_eq!(
        property_problems("x.yaml", &doc),
        [
            "x.yaml: #/components/schemas/A/properties/list/items/properties/deep has no description",
            "x.yaml: #/components/schemas/B/oneOf/0/properties/in_one_of has no description",
            "x.yaml: paths /a/get/responses/200/content/application/json/schema/properties/inline has no description",
        ]
    );
}

#[test]
fn the_usage_rule_reports_unreachable_components_and_broken_refs() {
    let doc = yaml(
        r##"
paths:
  /a:
    get:
      parameters:
        - $ref: "#/components/parameters/Used"
      responses:
        "200":
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Used"}
        "400": {$ref: "#/components/responses/Missing"}
components:
  securitySchemes:
    basic: {type: http, scheme: basic}
  parameters:
    Used: {name: p, in: query, schema: {$ref: "#/components/schemas/ViaParameter"}}
    Unused: {name: q, in: query, schema: {$ref: "#/components/schemas/ViaUnusedParameter"}}
  schemas:
    Used:
      type: object
      properties:
        body: {description: Any.}
        missing: {$ref: "#/components/schemas/Missing"}
        remote: {$ref: "other.yaml#/Thing"}
      x-iryo-event-bodies:
        enum: Body
        variants:
          - {event: e, variant: E, schema: ViaEvent, description: E.}
    ViaEvent: {type: object}
    ViaParameter: {type: string}
    ViaUnusedParameter: {type: string}
    Island: {type: object, properties: {other: {$ref: "#/components/schemas/AlsoIsland"}}}
    AlsoIsland: {type: object, properties: {back: {$ref: "#/components/schemas/Island"}}}
"##,
    );
    let mut problems = unused_component_problems("x.yaml", &doc);
    problems.sort();
    assert_eq!(
        problems,
        [
            "x.yaml: #/components/parameters/Unused is not used by any operation",
            "x.yaml: #/components/schemas/AlsoIsland is not used by any operation",
            "x.yaml: #/components/schemas/Island is not used by any operation",
            "x.yaml: #/components/schemas/ViaUnusedParameter is not used by any operation",
            "x.yaml: `$ref: #/components/responses/Missing` does not resolve",
            "x.yaml: `$ref: #/components/schemas/Missing` does not resolve",
            "x.yaml: `$ref: other.yaml#/Thing` is not a local component",
        ]
    );
}

#[test]
fn the_code_table_rule_reports_unknown_tables() {
    let doc = yaml(
        "components:\n  schemas:\n    A:\n      properties:\n        k: {type: string, x-iryo-code-table: no-such-table}\n        l: {type: string, x-iryo-code-table: known}\n",
    );
    let tables = BTreeSet::from(["known".to_owned()]);
    assert_eq!(
        code_table_reference_problems("x.yaml", &doc, &tables),
        [
            "x.yaml: /components/schemas/A/properties/k/x-iryo-code-table names no existing table: \"no-such-table\""
        ]
    );
}

#[test]
fn the_fixup_rule_checks_both_directions() {
    let doc = yaml(
        "info:\n  description: See (x-iryo-fixup in-prose).\ncomponents:\n  schemas:\n    A: {x-iryo-fixup: documented}\n    B: {x-iryo-fixup: [undocumented, documented]}\n",
    );
    let uses = fixup_uses("x.yaml", &doc);
    let names: Vec<&str> = uses.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        ["documented", "undocumented", "documented", "in-prose"]
    );
    let markdown =
        "# Fixups\n\n## documented\nText.\n\n## in-prose\n\n## unused\n### not a fixup heading\n";
    assert_eq!(
        fixup_problems("F.md", &uses, Some(markdown)),
        [
            "x.yaml#/components/schemas/B/x-iryo-fixup: fixup `undocumented` has no `## undocumented` in F.md",
            "F.md: `## unused` is not referenced by any `x-iryo-fixup` of the spec or its tables",
        ]
    );
    assert_eq!(
        fixup_problems("F.md", &uses, None),
        ["F.md is missing; fixups used: {\"documented\", \"in-prose\", \"undocumented\"}"]
    );
    assert!(
        fixup_problems("F.md", &[], None).is_empty(),
        "no fixups need no FIXUPS.md"
    );
    assert_eq!(
        fixup_problems("F.md", &[], Some("## Not Kebab\n## twice\n## twice\n")),
        [
            "F.md: `## Not Kebab` is not a kebab-case fixup name",
            "F.md: `## twice` appears twice",
            "F.md: `## Not Kebab` is not referenced by any `x-iryo-fixup` of the spec or its tables",
            "F.md: `## twice` is not referenced by any `x-iryo-fixup` of the spec or its tables",
            "F.md: `## twice` is not referenced by any `x-iryo-fixup` of the spec or its tables",
        ]
    );
}

#[test]
fn the_fixup_rule_reads_xsd_appinfo() {
    let xsd = "<xs:schema>\n  <xs:annotation><xs:appinfo><iryo:fixup>zero-hits</iryo:fixup></xs:appinfo>\n  <!-- iryo:fixup in a comment is not a use -->\n<xs:appinfo><iryo:fixup> spaced </iryo:fixup><iryo:fixup>second</iryo:fixup></xs:appinfo>\n</xs:schema>\n";
    assert_eq!(
        xsd_fixup_uses("r.xsd", xsd),
        [
            ("zero-hits".to_owned(), "r.xsd:2".to_owned()),
            ("spaced".to_owned(), "r.xsd:4".to_owned()),
            ("second".to_owned(), "r.xsd:4".to_owned()),
        ]
    );
}

#[test]
fn the_table_rule_reports_duplicates_and_bad_identifiers() {
    let table: Value = serde_json::json!({
        "table": "days", "version": "1.0.0", "title": "Days", "description": "Days.",
        "source": {"document": "test"},
        "rust": {"crate": "iryo-x-codes", "type": "Day"},
        "rows": [
            {"code": "01", "id": "Sunday", "label": "日曜日"},
            {"code": "01", "id": "Monday", "label": "月曜日"},
            {"code": "03", "id": "Sunday", "label": "火曜日"},
            {"code": "04", "id": "wednesday", "label": "水曜日"},
            {"code": "05", "id": "Unknown", "label": "", "colour": "blue"}
        ]
    });
    assert_eq!(
        table_problems("specs/codes/days.json", "days", &table),
        [
            "specs/codes/days.json: duplicate code `01`",
            "specs/codes/days.json: duplicate identifier `Sunday`",
            "specs/codes/days.json: identifier `wednesday` must be UpperCamelCase ASCII, not `Unknown`",
            "specs/codes/days.json: identifier `Unknown` must be UpperCamelCase ASCII, not `Unknown`",
            "specs/codes/days.json: row `05` has no label",
            "specs/codes/days.json: row `05` has the undeclared key `colour`",
        ]
    );
    let renamed = table_problems("specs/codes/weeks.json", "weeks", &table);
    assert_eq!(
        renamed[0],
        "specs/codes/weeks.json: `table` must be the file stem `weeks`"
    );
    assert_eq!(renamed.len(), 7);
}

#[test]
fn the_table_rule_lets_a_tree_repeat_a_code_with_its_identifier_only() {
    let table: Value = serde_json::json!({
        "table": "tags", "version": "1.0.0", "title": "Tags", "description": "Tags.",
        "source": {"document": "test"}, "kind": "tree", "wire": "integer",
        "columns": {"xpath": "Where the tag sits."},
        "rust": {"crate": "iryo-x-codes", "type": "Tag"},
        "rows": [
            {"no": 1, "level": 0, "code": "1", "id": "Root", "label": "全体", "parent": null, "xpath": "/"},
            {"no": 2, "level": 1, "code": "2", "id": "Name", "label": "名前", "parent": 1, "xpath": "/a"},
            {"no": 3, "level": 1, "code": "2", "id": "Name", "label": "名前", "parent": 1, "xpath": "/b"},
            {"no": 4, "level": 1, "code": "2", "id": "Title", "label": "題", "parent": 1, "xpath": "/c"},
            {"no": 5, "level": 1, "code": "x", "id": "Other", "label": "他", "parent": 9},
            {"level": 1, "code": "6", "id": "Loose", "label": "迷子", "parent": 1, "xpath": "/d"}
        ]
    });
    assert_eq!(
        table_problems("specs/codes/tags.json", "tags", &table),
        [
            "specs/codes/tags.json: code `2` has two identifiers",
            "specs/codes/tags.json: row `x`: the table's wire type is integer",
            "specs/codes/tags.json: row `x` lacks the column `xpath`",
            "specs/codes/tags.json: row `x` names a parent row 9 that does not exist",
            "specs/codes/tags.json: tree row `6` has no `no`",
        ]
    );
}

#[test]
fn the_cross_table_rule_reports_one_enum_from_two_tables() {
    let table = |path: &str| TableFile {
        path: path.to_owned(),
        stem: String::new(),
        value: serde_json::json!({"rust": {"crate": "iryo-x-codes", "type": "Day"}}),
    };
    assert_eq!(
        cross_table_problems(&[table("specs/codes/a.json"), table("specs/codes/b.json")]),
        ["specs/codes/b.json: enum `Day` is also generated from specs/codes/a.json"]
    );
}
