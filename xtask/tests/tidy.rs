//! House rules as tests (rust-analyzer's `xtask/src/tidy.rs` is the model): they run with
//! `cargo test -p xtask` and name the file that breaks them. Generated files (`src/generated/`)
//! are the generator's business and are left out.

use std::path::{Path, PathBuf};

/// Hand-written files are at most this long (tests and benches included; no exceptions).
const MAX_LINES: usize = 400;

/// Each generator renderer and a piece of the snapshot name its fixture output carries: every
/// renderer has a fixture case under `codegen/tests/fixtures/`.
const RENDERERS: &[(&str, &str)] = &[
    (
        "codegen/src/openapi.rs (progenitor client)",
        "__generated__client.rs.snap",
    ),
    (
        "codegen/src/operations.rs (hooks, operations)",
        "__generated__operations.rs.snap",
    ),
    (
        "codegen/src/raw_json.rs (Deserialize impls)",
        "__generated__deserialize.rs.snap",
    ),
    (
        "codegen/src/events.rs (event enum)",
        "__generated__events.rs.snap",
    ),
    (
        "codegen/src/code_enum.rs (code tables)",
        "__generated__unknown_code.rs.snap",
    ),
    (
        "codegen/src/asyncapi.rs (AsyncAPI frames)",
        "__generated__frames.rs.snap",
    ),
    (
        "codegen/src/xsd_render.rs (XSD types, reader)",
        "__generated__incident_report.rs.snap",
    ),
    (
        "codegen/src/xsd_json.rs (XSD record writers)",
        "__generated__record_writers.rs.snap",
    ),
    (
        "codegen/src/requests.rs (request types)",
        "__generated__requests.rs.snap",
    ),
    (
        "codegen/src/mock_routes.rs (mock routes)",
        "__generated__routes.rs.snap",
    ),
];

#[test]
fn every_renderer_has_a_fixture_snapshot() {
    let snapshots: Vec<String> = std::fs::read_dir(root().join("codegen/tests/snapshots"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let mut problems = Vec::new();
    for (renderer, output) in RENDERERS {
        if !snapshots.iter().any(|name| name.ends_with(output)) {
            problems.push(format!("{renderer}: no fixture snapshot ends in {output}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn only_the_runtime_builds_http_clients() {
    let offenders: Vec<String> = library_files()
        .into_iter()
        .filter(|(path, _)| !path.starts_with("crates/iryo-runtime/"))
        .filter(|(_, text)| text.contains("Client::builder") || text.contains("ClientBuilder::new"))
        .map(|(path, _)| path)
        .collect();
    assert!(
        offenders.is_empty(),
        "build HTTP clients with iryo_runtime::Transport, not in {offenders:?}"
    );
}

#[test]
fn hand_written_files_are_short() {
    let problems: Vec<String> = rust_files()
        .into_iter()
        .map(|(path, text)| (path, text.lines().count()))
        .filter(|(_, lines)| *lines > MAX_LINES)
        .map(|(path, lines)| format!("{path}: {lines} lines (at most {MAX_LINES}): split it"))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn specs_are_read_by_the_generator_not_included() {
    let offenders: Vec<String> = library_files()
        .into_iter()
        .filter(|(_, text)| {
            text.lines().any(|line| {
                let code = line.split("//").next().unwrap_or_default();
                code.contains("include_str!(") && code.contains("specs/")
            })
        })
        .map(|(path, _)| path)
        .collect();
    assert!(
        offenders.is_empty(),
        "include_str! of specs/ outside src/generated/ in {offenders:?}"
    );
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

/// Every hand-written `.rs` file under `crates/`, `codegen/` and `xtask/`, with its path
/// relative to the workspace root (`/` separated) and its text.
fn rust_files() -> Vec<(String, String)> {
    let root = root();
    let mut found = Vec::new();
    for top in ["crates", "codegen", "xtask"] {
        walk(&root.join(top), &mut found);
    }
    found
        .into_iter()
        .map(|path| {
            let relative = path.strip_prefix(&root).unwrap();
            let name = relative.to_string_lossy().replace('\\', "/");
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect()
}

/// The files that make up libraries and binaries (`src/`), not tests, benches or examples.
fn library_files() -> Vec<(String, String)> {
    rust_files()
        .into_iter()
        .filter(|(path, _)| path.contains("/src/") && !path.ends_with("_tests.rs"))
        .map(|(path, text)| (path, without_test_module(&text).to_owned()))
        .collect()
}

/// `text` up to its `#[cfg(test)] mod … {` (a file's unit tests come last, by the house style):
/// tests may read a spec's examples, the library may not.
fn without_test_module(text: &str) -> &str {
    let mut offset = 0;
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let opens_tests = line == "#[cfg(test)]"
            && lines
                .peek()
                .is_some_and(|next| next.starts_with("mod ") && next.ends_with('{'));
        if opens_tests {
            return &text[..offset];
        }
        offset += line.len() + 1;
    }
    text
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if matches!(
            name.to_str(),
            Some("generated" | "target" | "fixtures" | "snapshots")
        ) {
            continue;
        }
        if path.is_dir() {
            walk(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}
