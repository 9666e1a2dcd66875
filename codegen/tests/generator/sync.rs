//! `codegen::sync` on a temporary copy of a fixture: Write creates, Check finds every kind of
//! difference (stale, missing, orphan) without writing, and Write repairs each.

use std::path::{Path, PathBuf};

use codegen::{Mode, Rendered, SyncReport, sync};

use crate::common::{edit_file, fixture_copy, render_case};

/// The fixture used here: a client crate and a codes crate with one table.
const CASE: &str = "code_table_basic";
const TYPES: &str = "crates/iryo-fixture/src/generated/types.rs";
const CLIENT_DIR: &str = "crates/iryo-fixture/src/generated";
const CODES_DIR: &str = "crates/iryo-fixture-codes/src/generated";
const FIX: &str = "cargo xtask regenerate";

fn render(root: &Path) -> Rendered {
    render_case(root, CASE).expect("render the fixture")
}

fn check(root: &Path, rendered: &Rendered) -> SyncReport {
    sync(root, rendered, Mode::Check).expect("check")
}

/// A copy of the fixture with its output written, checked clean.
fn written_copy() -> (tempfile::TempDir, Rendered) {
    let dir = fixture_copy(CASE);
    let rendered = render(dir.path());
    let report = sync(dir.path(), &rendered, Mode::Write).expect("write");
    assert!(
        report.stale.is_empty() && report.orphans.is_empty(),
        "{report:?}"
    );
    assert!(check(dir.path(), &rendered).is_clean());
    (dir, rendered)
}

fn paths(list: &[&str]) -> Vec<PathBuf> {
    list.iter().map(PathBuf::from).collect()
}

#[test]
fn write_creates_every_file_then_check_is_clean() {
    let dir = fixture_copy(CASE);
    let rendered = render(dir.path());
    let all: Vec<PathBuf> = rendered.files.keys().cloned().collect();
    assert!(all.len() >= 6, "{all:?}");

    let first = sync(dir.path(), &rendered, Mode::Write).expect("write");
    assert_eq!(
        first.missing, all,
        "a first Write reports every file as created"
    );
    assert!(first.stale.is_empty() && first.orphans.is_empty() && first.first_diff.is_none());
    for (path, content) in &rendered.files {
        let on_disk = std::fs::read_to_string(dir.path().join(path)).expect("written");
        assert_eq!(&on_disk, content, "{}", path.display());
    }

    let report = check(dir.path(), &rendered);
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(report, SyncReport::default());
    assert_eq!(
        sync(dir.path(), &rendered, Mode::Write).unwrap(),
        SyncReport::default()
    );
}

#[test]
fn an_edited_file_is_stale_with_a_diff_until_written() {
    let (dir, rendered) = written_copy();
    edit_file(
        dir.path(),
        TYPES,
        "pub struct Occurrence {",
        "pub struct Occurrence { // hand edit",
    );

    let report = check(dir.path(), &rendered);
    assert_eq!(report.stale, paths(&[TYPES]));
    assert!(report.missing.is_empty() && report.orphans.is_empty());
    assert!(!report.is_clean());
    let diff = report.first_diff.as_deref().expect("a diff");
    assert!(diff.contains(&format!("--- {TYPES} (on disk)")), "{diff}");
    assert!(
        diff.contains("-pub struct Occurrence { // hand edit"),
        "{diff}"
    );
    assert!(diff.contains("+pub struct Occurrence {"), "{diff}");
    let message = report.describe(FIX);
    assert!(message.contains(&format!("stale: {TYPES}")), "{message}");
    assert!(
        message.contains("run `cargo xtask regenerate` and commit the result"),
        "{message}"
    );
    let on_disk = std::fs::read_to_string(dir.path().join(TYPES)).unwrap();
    assert!(on_disk.contains("// hand edit"), "Check must not write");

    let written = sync(dir.path(), &rendered, Mode::Write).expect("write");
    assert_eq!(written.stale, paths(&[TYPES]));
    assert_eq!(
        std::fs::read_to_string(dir.path().join(TYPES)).unwrap(),
        rendered.files[Path::new(TYPES)]
    );
    assert!(check(dir.path(), &rendered).is_clean());
}

#[test]
fn a_deleted_file_is_missing_until_written() {
    let (dir, rendered) = written_copy();
    let deleted = format!("{CODES_DIR}/fixture_occurrence_day.rs");
    std::fs::remove_file(dir.path().join(&deleted)).unwrap();

    let report = check(dir.path(), &rendered);
    assert_eq!(report.missing, paths(&[&deleted]));
    assert!(report.stale.is_empty() && report.orphans.is_empty());
    assert!(
        report
            .describe(FIX)
            .contains(&format!("missing: {deleted}"))
    );
    assert!(!dir.path().join(&deleted).exists(), "Check must not write");

    sync(dir.path(), &rendered, Mode::Write).expect("write");
    assert!(dir.path().join(&deleted).exists());
    assert!(check(dir.path(), &rendered).is_clean());
}

#[test]
fn an_unknown_file_in_an_owned_folder_is_an_orphan_and_write_deletes_it() {
    let (dir, rendered) = written_copy();
    let orphan = format!("{CLIENT_DIR}/zzz.rs");
    let nested = format!("{CODES_DIR}/old/table.rs");
    for path in [&orphan, &nested] {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "// left over from a renamed type\n").unwrap();
    }

    let report = check(dir.path(), &rendered);
    assert_eq!(report.orphans, paths(&[&orphan, &nested]));
    assert!(report.stale.is_empty() && report.missing.is_empty());
    assert!(report.describe(FIX).contains(&format!("orphan: {orphan}")));
    assert!(dir.path().join(&orphan).exists(), "Check must not delete");

    let written = sync(dir.path(), &rendered, Mode::Write).expect("write");
    assert_eq!(written.orphans, paths(&[&orphan, &nested]));
    assert!(!dir.path().join(&orphan).exists());
    assert!(!dir.path().join(&nested).exists());
    assert!(check(dir.path(), &rendered).is_clean());
}

#[test]
fn a_complete_rendering_sweeps_generated_folders_of_other_crates() {
    let (dir, rendered) = written_copy();
    assert!(rendered.complete);
    let orphan = "crates/x/src/generated/zzz.rs";
    let hand_written = "crates/x/src/lib.rs";
    for path in [orphan, hand_written] {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "// a crate nobody generates any more\n").unwrap();
    }

    // A rendering of only some APIs leaves other crates alone.
    let partial = Rendered {
        complete: false,
        ..render(dir.path())
    };
    assert!(check(dir.path(), &partial).is_clean());

    let report = check(dir.path(), &rendered);
    assert_eq!(report.orphans, paths(&[orphan]));
    sync(dir.path(), &rendered, Mode::Write).expect("write");
    assert!(!dir.path().join(orphan).exists());
    assert!(
        dir.path().join(hand_written).exists(),
        "only src/generated is swept"
    );
    assert!(check(dir.path(), &rendered).is_clean());
}

#[test]
fn a_spec_change_makes_the_files_it_feeds_stale() {
    let (dir, before) = written_copy();
    edit_file(
        dir.path(),
        &format!("specs/{CASE}/openapi.yaml"),
        "description: Something that happened on a given day of the week.",
        "description: Something that happened on some day of the week.",
    );
    let after = render(dir.path());
    assert_ne!(before, after);

    let report = check(dir.path(), &after);
    // Every client file names the spec's digest in its header; the codes crate does not read it.
    let client_files: Vec<PathBuf> = after
        .files
        .keys()
        .filter(|path| path.starts_with(CLIENT_DIR))
        .cloned()
        .collect();
    assert_eq!(report.stale, client_files);
    assert!(report.missing.is_empty() && report.orphans.is_empty());
    let message = report.describe(FIX);
    assert!(message.contains(&format!("stale: {TYPES}")), "{message}");
    assert!(
        after.files[Path::new(TYPES)]
            .contains("///Something that happened on some day of the week."),
        "the new description reaches the type"
    );

    sync(dir.path(), &after, Mode::Write).expect("write");
    assert!(check(dir.path(), &after).is_clean());
}

#[test]
fn a_code_table_change_makes_only_the_codes_crate_stale() {
    let (dir, _) = written_copy();
    edit_file(
        dir.path(),
        "specs/codes/fixture-occurrence-day.json",
        "\"label\": \"日曜日\"",
        "\"label\": \"日曜\"",
    );
    let after = render(dir.path());
    let report = check(dir.path(), &after);
    let codes_files: Vec<PathBuf> = after
        .files
        .keys()
        .filter(|path| path.starts_with(CODES_DIR))
        .cloned()
        .collect();
    assert_eq!(report.stale, codes_files);
    assert!(
        after.files[Path::new(&format!("{CODES_DIR}/fixture_occurrence_day.rs"))]
            .contains("Some(\"日曜\")")
    );
}
