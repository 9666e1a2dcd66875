//! Properties of the real rendering (the workspace's own `specs/`): deterministic, independent of
//! where the workspace sits, and made of small files.

use std::path::Path;

use crate::common::{copy_dir, workspace_root};

/// STYLE.md §10: no generated file over about 2,000 lines.
const MAX_GENERATED_LINES: usize = 2_000;

#[test]
fn rendering_twice_gives_the_same_files() {
    let root = workspace_root();
    let first = codegen::render_all(&root).expect("render the workspace");
    let second = codegen::render_all(&root).expect("render the workspace again");
    assert!(!first.files.is_empty());
    assert_eq!(first, second);
}

#[test]
fn rendering_from_another_folder_gives_the_same_files() {
    let root = workspace_root();
    let here = codegen::render_all(&root).expect("render the workspace");
    let copy = tempfile::tempdir().expect("temp dir");
    copy_dir(&root.join("specs"), &copy.path().join("specs"));
    let there = codegen::render_all(copy.path()).expect("render the copy");
    assert_eq!(
        here.files.keys().collect::<Vec<_>>(),
        there.files.keys().collect::<Vec<_>>()
    );
    for (path, content) in &here.files {
        assert_eq!(content, &there.files[path], "{} differs", path.display());
        assert_no_absolute_path(path, content, &root);
        assert_no_absolute_path(path, content, copy.path());
    }
    assert_eq!(here, there);
}

fn assert_no_absolute_path(file: &Path, content: &str, root: &Path) {
    let root = root.to_str().expect("UTF-8 root");
    assert!(
        !content.contains(root),
        "{} mentions the absolute path {root}",
        file.display()
    );
}

#[test]
fn no_generated_file_exceeds_the_line_limit() {
    let rendered = codegen::render_all(&workspace_root()).expect("render the workspace");
    assert!(
        rendered.files.len() >= 5,
        "suspiciously few files: {:?}",
        rendered.files.keys()
    );
    let too_long: Vec<String> = rendered
        .files
        .iter()
        .map(|(path, content)| (path, content.lines().count()))
        .filter(|(_, lines)| *lines > MAX_GENERATED_LINES)
        .map(|(path, lines)| format!("{}: {lines} lines", path.display()))
        .collect();
    assert!(
        too_long.is_empty(),
        "split these files (limit {MAX_GENERATED_LINES} lines): {too_long:#?}"
    );
}
