//! `cargo xtask`: thin driver around the `codegen` library.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod ci;
mod house_rules;
mod package;
mod spec_tools;
mod wheel;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  regenerate [API] [--check]   render generated code from specs/ into crates/*/src/generated/;
                               with --check, write nothing and fail if anything is stale,
                               missing or orphaned. API is one of the registered APIs (default: all).
  publish-specs [--check]      write the specs as a versioned bundle for other languages into
                               dist/specs/ (OpenAPI as YAML and JSON with code tables as enums, the
                               strict XSD, tables as JSON and CSV, examples, fixups, manifest.json);
                               with --check, write nothing and fail if anything is stale, missing
                               or orphaned
  spec-check                   validate the published bundle with other languages' tools, installed
                               pinned into target/spec-tools/ (openapi-spec-validator, redocly,
                               xmllint, schemathesis against the mocks, generated Python and
                               TypeScript clients used against the mocks)
  ci                           everything CI runs: cargo fmt --check, clippy (deny warnings),
                               regenerate --check, publish-specs --check, every test of the
                               workspace, and spec-check
  help                         show this text";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["regenerate", rest @ ..] => regenerate(rest),
        ["publish-specs", rest @ ..] => publish_specs(rest),
        ["spec-check"] => spec_tools::run(&workspace_root()),
        ["ci"] => ci::run(&workspace_root()),
        ["help" | "--help" | "-h"] | [] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(format!("unknown arguments {args:?}\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn regenerate(args: &[&str]) -> Result<(), String> {
    let check = args.contains(&"--check");
    let apis: Vec<&str> = args.iter().copied().filter(|a| *a != "--check").collect();
    if apis.len() > 1 || apis.first().is_some_and(|a| a.starts_with('-')) {
        return Err(format!("unexpected arguments {apis:?}\n{USAGE}"));
    }
    let only = apis.first().copied();
    let mode = if check {
        codegen::Mode::Check
    } else {
        codegen::Mode::Write
    };
    let report = run_regenerate(&workspace_root(), only, mode)?;
    let command = match only {
        Some(api) => format!("cargo xtask regenerate {api}"),
        None => "cargo xtask regenerate".to_owned(),
    };
    if check && !report.is_clean() {
        return Err(format!(
            "generated code is out of date:\n{}",
            report.describe(&command)
        ));
    }
    let changed = report.stale.len() + report.missing.len() + report.orphans.len();
    if check {
        println!("generated code is up to date");
    } else {
        println!("regenerated: {changed} file(s) changed");
    }
    Ok(())
}

fn run_regenerate(
    root: &Path,
    only: Option<&str>,
    mode: codegen::Mode,
) -> Result<codegen::SyncReport, String> {
    let rendered = codegen::render(root, only).map_err(|e| e.to_string())?;
    codegen::sync(root, &rendered, mode).map_err(|e| e.to_string())
}

fn publish_specs(args: &[&str]) -> Result<(), String> {
    let check = match args {
        [] => false,
        ["--check"] => true,
        _ => return Err(format!("unexpected arguments {args:?}\n{USAGE}")),
    };
    let mode = if check {
        codegen::Mode::Check
    } else {
        codegen::Mode::Write
    };
    let (version, report) = run_publish(&workspace_root(), mode)?;
    if check && !report.is_clean() {
        return Err(format!(
            "{} is out of date:\n{}",
            codegen::publish::BUNDLE_DIR,
            report.describe(codegen::publish::PUBLISH_COMMAND)
        ));
    }
    let changed = report.stale.len() + report.missing.len() + report.orphans.len();
    if check {
        println!(
            "{} is up to date (version {version})",
            codegen::publish::BUNDLE_DIR
        );
    } else {
        println!(
            "published {} version {version}: {changed} file(s) changed",
            codegen::publish::BUNDLE_DIR
        );
    }
    Ok(())
}

fn run_publish(root: &Path, mode: codegen::Mode) -> Result<(String, codegen::SyncReport), String> {
    let bundle = codegen::publish::render_bundle(root).map_err(|e| e.to_string())?;
    let report = codegen::publish::sync_bundle(root, &bundle, mode).map_err(|e| e.to_string())?;
    Ok((bundle.version, report))
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_code_is_fresh() {
        let report = run_regenerate(&workspace_root(), None, codegen::Mode::Check).unwrap();
        assert!(
            report.is_clean(),
            "{}",
            report.describe("cargo xtask regenerate")
        );
    }

    #[test]
    fn published_specs_are_fresh() {
        let (_, report) = run_publish(&workspace_root(), codegen::Mode::Check).unwrap();
        assert!(
            report.is_clean(),
            "{}",
            report.describe(codegen::publish::PUBLISH_COMMAND)
        );
    }

    #[test]
    fn two_renderings_in_one_process_are_identical() {
        let root = workspace_root();
        let first = codegen::render_all(&root).unwrap();
        let second = codegen::render_all(&root).unwrap();
        assert!(!first.files.is_empty());
        assert_eq!(first, second);
    }
}
