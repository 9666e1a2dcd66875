//! `cargo xtask publish-specs`: the bundle for other languages (STYLE.md §7 "Published").
//! Deterministic and location-independent; code tables inlined as enums in the OpenAPI documents
//! and the XSD; tables as JSON and CSV; a manifest with every file's digest and spec version; a
//! version that changes with any spec; one writer with a check mode.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use codegen::Mode;
use codegen::publish::{BUNDLE_DIR, Bundle, render_bundle, sha256_hex, sync_bundle};
use serde_json::Value;

use crate::common::{copy_dir, workspace_root};

fn bundle() -> Bundle {
    render_bundle(&workspace_root()).expect("render the bundle")
}

fn file<'a>(bundle: &'a Bundle, path: &str) -> &'a [u8] {
    bundle
        .files
        .get(&Path::new(BUNDLE_DIR).join(path))
        .unwrap_or_else(|| panic!("the bundle has no {path}"))
}

fn json(bundle: &Bundle, path: &str) -> Value {
    serde_json::from_slice(file(bundle, path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn text<'a>(bundle: &'a Bundle, path: &str) -> &'a str {
    std::str::from_utf8(file(bundle, path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A copy of the workspace's `specs/` in a temporary folder.
fn specs_copy() -> tempfile::TempDir {
    let copy = tempfile::tempdir().expect("temp dir");
    copy_dir(&workspace_root().join("specs"), &copy.path().join("specs"));
    copy
}

#[test]
fn publishing_is_deterministic_and_location_independent() {
    let first = bundle();
    assert_eq!(first, bundle());
    let copy = specs_copy();
    let there = render_bundle(copy.path()).expect("render the copy");
    assert_eq!(first, there);
    let root = workspace_root();
    for (path, bytes) in &first.files {
        let content = String::from_utf8_lossy(bytes);
        for absolute in [root.to_str().unwrap(), copy.path().to_str().unwrap()] {
            assert!(
                !content.contains(absolute),
                "{} names {absolute}",
                path.display()
            );
        }
    }
}

#[test]
fn the_bundle_has_every_api_table_example_and_no_rust_config() {
    let bundle = bundle();
    let names: BTreeSet<String> = bundle
        .files
        .keys()
        .map(|p| {
            p.strip_prefix(BUNDLE_DIR)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    for api in codegen::API_NAMES {
        for file in ["openapi.yaml", "openapi.json", "FIXUPS.md"] {
            assert!(names.contains(&format!("{api}/{file}")), "{api}/{file}");
        }
        assert!(!names.iter().any(|n| n.ends_with("rust.yaml")));
    }
    assert!(names.contains("hiyari/response.xsd"));
    assert!(names.contains("hiyari/examples/response-sample.sjis.xml"));
    for table in std::fs::read_dir(workspace_root().join("specs/codes")).unwrap() {
        let stem = table
            .unwrap()
            .path()
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(names.contains(&format!("codes/{stem}.json")), "{stem}.json");
        assert!(names.contains(&format!("codes/{stem}.csv")), "{stem}.csv");
    }
    // The Shift_JIS sample travels as it is on the wire.
    assert_eq!(
        file(&bundle, "hiyari/examples/response-sample.sjis.xml"),
        std::fs::read(workspace_root().join("specs/hiyari/examples/response-sample.sjis.xml"))
            .unwrap()
    );
}

/// Every schema with `x-iryo-code-table`, as (JSON pointer, schema).
fn coded_schemas(value: &Value, pointer: String, found: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(map) => {
            if map.contains_key("x-iryo-code-table") {
                found.push((pointer.clone(), value.clone()));
            }
            for (key, child) in map {
                coded_schemas(child, format!("{pointer}/{key}"), found);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                coded_schemas(child, format!("{pointer}/{i}"), found);
            }
        }
        _ => {}
    }
}

#[test]
fn openapi_code_tables_become_enums_with_names_and_labels() {
    let bundle = bundle();
    let mut checked = 0;
    for api in codegen::API_NAMES {
        let doc = json(&bundle, &format!("{api}/openapi.json"));
        let mut found = Vec::new();
        coded_schemas(&doc, "#".to_owned(), &mut found);
        assert!(!found.is_empty(), "{api} has no coded schema");
        for (pointer, schema) in found {
            let table_name = schema["x-iryo-code-table"].as_str().unwrap();
            // The oracle is the source table file, not the generator's reading of it.
            let table: Value = serde_json::from_slice(
                &std::fs::read(workspace_root().join(format!("specs/codes/{table_name}.json")))
                    .unwrap(),
            )
            .unwrap();
            let mut codes: Vec<&str> = Vec::new();
            let mut ids = Vec::new();
            let mut labels = Vec::new();
            for row in table["rows"].as_array().unwrap() {
                let code = row["code"].as_str().unwrap();
                if !codes.contains(&code) {
                    codes.push(code);
                    ids.push(row["id"].clone());
                    labels.push(row["label"].clone());
                }
            }
            let integer = table["wire"] == "integer";
            let mut expected: Vec<Value> = codes
                .iter()
                .map(|c| {
                    if integer {
                        Value::from(c.parse::<i64>().unwrap())
                    } else {
                        Value::from(*c)
                    }
                })
                .collect();
            if schema["nullable"] == true {
                expected.push(Value::Null);
            }
            assert_eq!(schema["enum"], Value::Array(expected), "{api} {pointer}");
            assert_eq!(
                schema["x-enum-varnames"],
                Value::Array(ids),
                "{api} {pointer}"
            );
            assert_eq!(
                schema["x-enum-descriptions"],
                Value::Array(labels),
                "{api} {pointer}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} coded schemas");
    // The integer table plat-deleted-flag, nullable: integers, then null.
    let plat = json(&bundle, "plat/openapi.json");
    assert_eq!(
        plat["components"]["schemas"]["PermissionGroup"]["properties"]["deletedFlg"]["enum"],
        serde_json::json!([0, 1, null])
    );
}

#[test]
fn openapi_documents_drop_rust_only_names_and_name_their_source() {
    let bundle = bundle();
    let orca = json(&bundle, "orca/openapi.json");
    let bodies = &orca["components"]["schemas"]["PushEventData"]["x-iryo-event-bodies"];
    assert!(
        bodies.get("enum").is_none(),
        "the Rust enum name is not published"
    );
    assert!(bodies["variants"].as_array().is_some_and(|v| !v.is_empty()));
    let source = std::fs::read(workspace_root().join("specs/orca/openapi.yaml")).unwrap();
    assert_eq!(
        orca["info"]["x-iryo-source"]["sha256"],
        Value::from(sha256_hex(&source))
    );
    // YAML and JSON are the same document.
    let yaml: Value = serde_yaml::from_slice(file(&bundle, "orca/openapi.yaml")).unwrap();
    assert_eq!(yaml, orca);
}

#[test]
fn the_published_xsd_is_strict() {
    let bundle = bundle();
    let xsd = text(&bundle, "hiyari/response.xsd");
    let doc = roxmltree::Document::parse(xsd).expect("the published XSD is XML");
    let types: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name(("http://www.w3.org/2001/XMLSchema", "element")))
        .filter_map(|n| n.attribute("type"))
        .collect();
    assert!(
        !types.contains(&"CodeType"),
        "every coded element has its table's type"
    );
    assert!(types.contains(&"OccurrenceMonthCodeType"));
    assert!(xsd.contains(r#"<xs:attribute name="status" type="ResultStatusCode" use="required">"#));
    assert!(
        !xsd.contains(r#"name="StatusType""#),
        "the replaced type is gone"
    );
    assert!(xsd.contains(
        r#"<xs:enumeration value="08"><xs:annotation><xs:documentation xml:lang="ja">調剤</xs:documentation></xs:annotation></xs:enumeration>"#
    ));
    let source =
        std::fs::read_to_string(workspace_root().join("specs/hiyari/response.xsd")).unwrap();
    assert!(
        source.contains(r#"<xs:attribute name="CODE" type="xs:string""#),
        "the source stays open"
    );
}

#[test]
fn code_tables_are_published_as_json_without_rust_and_as_csv() {
    let bundle = bundle();
    let tree = text(&bundle, "codes/hiyari-xml-tag.csv");
    assert_eq!(tree.lines().next(), Some("no,level,code,id,label,parent"));
    assert_eq!(
        tree.lines().nth(1),
        Some("1,0,PHARMACY_REPORT,PharmacyReport,全体,")
    );
    let itemcode = text(&bundle, "codes/hiyari-itemcode.csv");
    assert_eq!(
        itemcode.lines().next(),
        Some("code,id,label,values,element")
    );
    let errors = text(&bundle, "codes/orca-push-error-code.csv");
    assert_eq!(errors.lines().next(), Some("code,id,label,other_labels"));
    assert!(errors.contains("0089,SystemInformationUnavailable,職員情報が取得できません。,医療機関情報が取得できません。|"));
    let table = json(&bundle, "codes/plat-deleted-flag.json");
    assert!(table.get("rust").is_none());
    assert_eq!(table["wire"], "integer");
}

#[test]
fn the_manifest_lists_every_file_with_digest_and_spec_version() {
    let bundle = bundle();
    let manifest = json(&bundle, "manifest.json");
    assert_eq!(manifest["version"], Value::from(bundle.version.clone()));
    let listed: BTreeSet<PathBuf> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            let path = Path::new(BUNDLE_DIR).join(entry["path"].as_str().unwrap());
            assert_eq!(
                entry["sha256"],
                Value::from(sha256_hex(&bundle.files[&path])),
                "{}",
                path.display()
            );
            assert!(
                entry["spec_version"]
                    .as_str()
                    .is_some_and(|v| !v.is_empty())
            );
            path
        })
        .collect();
    let all: BTreeSet<PathBuf> = bundle.files.keys().cloned().collect();
    let manifest_path = Path::new(BUNDLE_DIR).join("manifest.json");
    assert_eq!(
        listed,
        all.into_iter().filter(|p| *p != manifest_path).collect()
    );
    let entry = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == "codes/orca-patient-mode.json")
        .unwrap();
    let source =
        std::fs::read(workspace_root().join("specs/codes/orca-patient-mode.json")).unwrap();
    assert_eq!(
        entry["source_sha256"],
        Value::from(sha256_hex(&source)),
        "the digest Rust headers carry"
    );
}

#[test]
fn the_version_changes_when_a_spec_changes() {
    let before = bundle().version;
    assert!(
        before.starts_with("1.0.0+") && before.len() == "1.0.0+".len() + 12,
        "{before}"
    );
    let copy = specs_copy();
    let fixups = copy.path().join("specs/plat/FIXUPS.md");
    let mut text = std::fs::read_to_string(&fixups).unwrap();
    text.push_str("\nOne more line.\n");
    std::fs::write(&fixups, text).unwrap();
    let after = render_bundle(copy.path()).unwrap().version;
    assert_ne!(before, after);
    assert!(text_of(&render_bundle(copy.path()).unwrap(), "README.md").contains(&after));
}

fn text_of(bundle: &Bundle, path: &str) -> String {
    text(bundle, path).to_owned()
}

#[test]
fn sync_writes_then_checks_clean_and_reports_stale_and_orphan_files() {
    let copy = specs_copy();
    let root = copy.path();
    let bundle = render_bundle(root).unwrap();
    let first = sync_bundle(root, &bundle, Mode::Check).unwrap();
    assert_eq!(first.missing.len(), bundle.files.len());
    sync_bundle(root, &bundle, Mode::Write).unwrap();
    assert!(sync_bundle(root, &bundle, Mode::Check).unwrap().is_clean());

    let orphan = root.join(BUNDLE_DIR).join("orca/old.yaml");
    std::fs::write(&orphan, "stale\n").unwrap();
    let readme = root.join(BUNDLE_DIR).join("README.md");
    std::fs::write(&readme, "edited by hand\n").unwrap();
    let report = sync_bundle(root, &bundle, Mode::Check).unwrap();
    assert_eq!(
        report.orphans,
        vec![Path::new(BUNDLE_DIR).join("orca/old.yaml")]
    );
    assert_eq!(report.stale, vec![Path::new(BUNDLE_DIR).join("README.md")]);
    assert!(
        report
            .describe("cargo xtask publish-specs")
            .contains("cargo xtask publish-specs")
    );
    assert!(orphan.exists(), "check mode writes nothing");

    sync_bundle(root, &bundle, Mode::Write).unwrap();
    assert!(!orphan.exists());
    assert!(sync_bundle(root, &bundle, Mode::Check).unwrap().is_clean());
}

#[test]
fn a_code_table_on_a_schema_of_the_wrong_type_is_refused() {
    let copy = specs_copy();
    let spec = copy.path().join("specs/plat/openapi.yaml");
    let text = std::fs::read_to_string(&spec).unwrap();
    // deletedFlg (an integer table) declared as a string.
    let broken = text.replacen(
        "          type: integer\n          nullable: true\n          x-iryo-code-table: plat-deleted-flag",
        "          type: string\n          nullable: true\n          x-iryo-code-table: plat-deleted-flag",
        1,
    );
    assert_ne!(text, broken, "the fixture edit applies");
    std::fs::write(&spec, broken).unwrap();
    let error = render_bundle(copy.path()).unwrap_err().to_string();
    assert!(
        error.contains("plat-deleted-flag") && error.contains("integer"),
        "{error}"
    );
}
