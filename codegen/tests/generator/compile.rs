//! Snapshots must compile: every fixture's rendering is written under
//! `target/codegen-fixture-build/<case>/` next to a small harness `main.rs`, and trybuild builds
//! them all in one invocation (`TestCases::pass`: it compiles, and the empty `main` runs).
//!
//! The harness stands in for the hand-written side of the two crates a fixture generates:
//! - the codes crate's generated `mod.rs` is a module re-exported at the harness root, and
//!   `extern crate self as <codes_crate>;` makes the absolute paths the client uses
//!   (`::iryo_fixture_codes::VisitKind`, from `x-rust-type`) resolve to that root;
//! - the client's generated `mod.rs` is `mod generated`, as in the real client crates;
//! - the inner type and the `ClientHooks` impl come from the runtime and the generated
//!   `operations.rs`, as in the real client crates;
//! - a fixture's own `support.rs`, when present, is pasted at the root (types that `replace:`
//!   in its `rust.yaml` points at, or the runtime the generated code calls);
//! - a fixture's own `run.rs`, when present, is the harness's `main`: it runs the generated code
//!   on a sample and asserts what it reads and writes (trybuild runs it); otherwise `main` is empty.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::common::{CrateNames, fixture_cases, fixtures_dir, manifest_dir, render_fixture};

/// Where the harnesses go: `<workspace>/target/codegen-fixture-build/`.
fn build_root() -> PathBuf {
    manifest_dir().join("../target/codegen-fixture-build")
}

#[test]
fn every_fixture_rendering_compiles() {
    let cases = fixture_cases();
    assert!(
        cases.len() >= 7,
        "expected the fixture cases, found {cases:?}"
    );
    let tests = trybuild::TestCases::new();
    for case in &cases {
        let harness = write_harness(case);
        tests.pass(harness);
    }
    // Dropping `tests` runs cargo once for all harnesses and panics if any fails to build or run.
}

/// Writes the fixture's rendered files and its `main.rs`; returns the `main.rs` path.
fn write_harness(case: &str) -> PathBuf {
    let fixture = fixtures_dir().join(case);
    let rendered = render_fixture(&fixture).unwrap_or_else(|e| panic!("{case}: {e}"));
    let dir = build_root().join(case);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).expect("clear the old harness");
    }
    for (path, content) in &rendered.files {
        let target = dir.join(path);
        std::fs::create_dir_all(target.parent().expect("file has a folder")).expect("mkdir");
        std::fs::write(&target, content).expect("write generated file");
    }
    let config = CrateNames::load(&fixture, case);
    let has_codes = dir
        .join("crates")
        .join(&config.codes_crate)
        .join("src/generated/mod.rs")
        .exists();
    let main = harness_source(case, &config, has_codes, &fixture);
    let main_path = dir.join("main.rs");
    std::fs::write(&main_path, main).expect("write main.rs");
    main_path
}

fn harness_source(case: &str, config: &CrateNames, has_codes: bool, fixture: &Path) -> String {
    let codes_ident = config.codes_crate.replace('-', "_");
    let codes_module = if has_codes {
        format!(
            "// The codes crate, reachable as `::{codes_ident}` the way the client names it.\n\
             extern crate self as {codes_ident};\n\
             #[path = \"crates/{codes}/src/generated/mod.rs\"]\n\
             mod codes;\n\
             pub use codes::*;\n",
            codes = config.codes_crate
        )
    } else {
        String::new()
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "//! Compile check of the fixture `{case}`, written by codegen/tests/generator/compile.rs.\n\
         #![deny(warnings)]\n\
         // A binary that calls nothing: every generated item would be reported as dead code.\n\
         #![allow(dead_code)]\n\
         \n\
         {codes_module}\
         \n\
         #[path = \"crates/{client}/src/generated/mod.rs\"]\n\
         mod generated;\n",
        client = config.krate,
    );
    for name in ["support.rs", "run.rs"] {
        let path = fixture.join(name);
        if path.exists() {
            let _ = writeln!(out, "include!({:?});\n", path.display().to_string());
        }
    }
    if !fixture.join("run.rs").exists() {
        out.push_str("fn main() {}\n");
    }
    out
}

/// The client module starts with `use super::types;`, which would be an
/// unused import (an error under `deny(warnings)`) when no operation uses a generated type, e.g.
/// an API whose spec has no paths yet; the generator marks it `#[allow(unused_imports)]`.
#[test]
fn a_client_without_typed_operations_has_no_unused_import() {
    let case = "code_table_basic";
    let dir = crate::common::fixture_copy(case);
    std::fs::write(
        dir.path().join(format!("specs/{case}/openapi.yaml")),
        "openapi: 3.0.3\ninfo: {title: No operations, version: 0.1.0}\npaths: {}\n",
    )
    .unwrap();
    let rendered = crate::common::render_case(dir.path(), case).expect("render");
    let client = &rendered.files[Path::new("crates/iryo-fixture/src/generated/client.rs")];
    assert!(!client.contains("types::"), "no operation uses a type");
    let import_line = client
        .lines()
        .position(|line| line == "use super::types;")
        .map(|i| i.checked_sub(1).map(|j| client.lines().nth(j).unwrap()));
    assert!(
        matches!(import_line, None | Some(Some("#[allow(unused_imports)]"))),
        "unguarded `use super::types;` in:\n{client}"
    );
}
