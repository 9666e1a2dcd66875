//! The rules on the workspace's real `specs/`.

use super::rules::*;
use super::tables::*;
use super::*;

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
