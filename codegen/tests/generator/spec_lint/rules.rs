//! The rules on one API's documents: operations, properties, component use, code table
//! references and fixups.

use std::collections::BTreeSet;

use serde_json::Value;

use super::*;

pub(super) fn operation_problems(spec: &str, doc: &Value) -> Vec<String> {
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

pub(super) fn property_problems(spec: &str, doc: &Value) -> Vec<String> {
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
pub(super) fn refs(value: &Value) -> Vec<String> {
    let mut refs = Vec::new();
    for_each_key("", value, "$ref", &mut |_, target| {
        refs.push(target.as_str().unwrap_or("<not a string>").to_owned());
    });
    refs
}

/// Components reachable from the paths: through `$ref`s (to schemas, parameters, responses, ...)
/// and `x-iryo-event-bodies` entries. Reports unreached components (security schemes are named
/// by `security`, not referenced, so they are left out) and references that do not resolve.
pub(super) fn unused_component_problems(spec: &str, doc: &Value) -> Vec<String> {
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

pub(super) fn code_table_reference_problems(
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
pub(super) fn fixup_uses(file: &str, value: &Value) -> Vec<(String, String)> {
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
pub(super) fn xsd_files(root: &Path, api: &str) -> Vec<String> {
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
pub(super) fn xsd_fixup_uses(file: &str, text: &str) -> Vec<(String, String)> {
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
pub(super) fn fixup_headings(markdown: &str) -> Vec<String> {
    markdown
        .lines()
        .filter_map(|line| line.strip_prefix("## "))
        .map(|heading| heading.trim().trim_matches('`').to_owned())
        .collect()
}

/// Both directions between the fixups an API uses and its FIXUPS.md (`None`: the file is absent).
pub(super) fn fixup_problems(
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
