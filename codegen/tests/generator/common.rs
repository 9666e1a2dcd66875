//! Helpers shared by the tests: where things are, and how to render a fixture.

use std::path::{Path, PathBuf};

use codegen::{ApiEntry, Rendered};

/// `codegen/`.
pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The workspace root (the parent of `codegen/`).
pub fn workspace_root() -> PathBuf {
    manifest_dir()
        .parent()
        .expect("codegen has a parent")
        .to_owned()
}

/// `codegen/tests/fixtures/`.
pub fn fixtures_dir() -> PathBuf {
    manifest_dir().join("tests/fixtures")
}

/// Every fixture case, sorted by name.
pub fn fixture_cases() -> Vec<String> {
    let mut cases: Vec<String> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures folder")
        .map(|entry| entry.expect("fixture entry"))
        .filter(|entry| entry.path().is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    cases
}

/// Renders the fixture workspace at `root`, whose one API is named after its folder.
pub fn render_fixture(root: &Path) -> Result<Rendered, codegen::Error> {
    let case = root
        .file_name()
        .expect("fixture folder has a name")
        .to_string_lossy()
        .into_owned();
    render_case(root, &case)
}

/// Renders `root` as a workspace with the one API `case` (`specs/<case>/...`), as all its APIs.
pub fn render_case(root: &Path, case: &str) -> Result<Rendered, codegen::Error> {
    codegen::render_apis(root, &[ApiEntry::standard(case)], true)
}

/// The two crates of an API (or a fixture), from its `specs/<api>/rust.yaml`.
pub struct CrateNames {
    /// The client crate.
    pub krate: String,
    /// The codes crate.
    pub codes_crate: String,
}

impl CrateNames {
    pub fn load(root: &Path, case: &str) -> Self {
        let path = root.join(format!("specs/{case}/rust.yaml"));
        let text = std::fs::read_to_string(&path).expect("fixture rust.yaml");
        let value: serde_json::Value = serde_yaml::from_str(&text).expect("rust.yaml is YAML");
        let field = |name: &str| {
            value[name]
                .as_str()
                .unwrap_or_else(|| panic!("{}: no `{name}`", path.display()))
                .to_owned()
        };
        CrateNames {
            krate: field("crate"),
            codes_crate: field("codes_crate"),
        }
    }
}

/// Copies the folder `from` to `to` (created), recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target)
                .unwrap_or_else(|e| panic!("{}: {e}", entry.path().display()));
        }
    }
}

/// A temporary copy of the fixture `case`, to change or to sync into.
pub fn fixture_copy(case: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&fixtures_dir().join(case), dir.path());
    dir
}

/// Replaces `from` by `to` in the file `relative` under `root`; panics if `from` is absent, so a
/// fixture edit that stops applying fails loudly instead of testing nothing.
pub fn edit_file(root: &Path, relative: &str, from: &str, to: &str) {
    let path = root.join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{relative}: {e}"));
    assert!(text.contains(from), "{relative} does not contain {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write edited file");
}
