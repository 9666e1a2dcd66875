//! One insta snapshot per fixture and output file: `tests/snapshots/<case>__<path>.snap`, where
//! `<path>` is the output path with `/` written `__`. A new case is a new folder under
//! `tests/fixtures/`; review changes with `cargo insta review`.

use std::collections::BTreeSet;
use std::path::Path;

use crate::common::{fixture_cases, fixtures_dir, manifest_dir, render_fixture};

/// The snapshot name of one output file of one case.
fn snapshot_name(case: &str, path: &Path) -> String {
    let path = path.to_str().expect("UTF-8 path").replace('\\', "/");
    format!("{case}__{}", path.replace('/', "__"))
}

#[test]
fn fixture_outputs_match_snapshots() {
    // Matching `<case>/specs` rather than `<case>` keeps the fixtures folder itself out.
    insta::glob!("../fixtures", "*/specs", |specs: &Path| {
        let fixture = specs.parent().expect("a fixture folder");
        let case = fixture.file_name().unwrap().to_str().unwrap();
        let rendered = render_fixture(fixture).unwrap_or_else(|e| panic!("{case}: {e}"));
        assert!(!rendered.files.is_empty(), "{case} renders nothing");
        for (path, content) in &rendered.files {
            let mut settings = insta::Settings::clone_current();
            settings.set_snapshot_path("../snapshots");
            settings.set_prepend_module_to_snapshot(false);
            settings.remove_snapshot_suffix();
            settings.set_omit_expression(true);
            settings.set_description(path.display().to_string());
            settings.set_input_file(fixture);
            settings.bind(|| insta::assert_snapshot!(snapshot_name(case, path), content));
        }
    });
}

/// `insta::glob!` only sees outputs that exist: an output file that a fixture stops producing
/// would leave its snapshot behind unnoticed (short of `--unreferenced=reject`). This pins the
/// set of snapshot files to the set of fixture outputs.
#[test]
fn every_snapshot_belongs_to_a_fixture_output() {
    let mut expected = BTreeSet::new();
    for case in fixture_cases() {
        let rendered =
            render_fixture(&fixtures_dir().join(&case)).unwrap_or_else(|e| panic!("{case}: {e}"));
        for path in rendered.files.keys() {
            expected.insert(format!("{}.snap", snapshot_name(&case, path)));
        }
    }
    let on_disk: BTreeSet<String> = std::fs::read_dir(manifest_dir().join("tests/snapshots"))
        .expect("tests/snapshots exists")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".snap"))
        .collect();
    let stale: Vec<_> = on_disk.difference(&expected).collect();
    let absent: Vec<_> = expected.difference(&on_disk).collect();
    assert!(
        stale.is_empty() && absent.is_empty(),
        "snapshots without a fixture output: {stale:?}\nfixture outputs without a snapshot: {absent:?}"
    );
    assert!(expected.len() >= 7 * 5, "too few outputs: {expected:?}");
}
