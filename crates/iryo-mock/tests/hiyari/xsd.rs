//! Every answer the mock serves is valid against the project's schema, `specs/hiyari/response.xsd`, checked by
//! libxml2's `xmllint` (an independent validator): every report of the default data set, and each kind of
//! answer without reports.
//!
//! The bytes checked are the bytes served, with one change: the declaration's `encoding="Shift_JIS"` becomes
//! `encoding="windows-31j"`. The mock encodes with the Windows-31J (CP932) table, as the README says, and the
//! data set holds characters only that table has (①, 﨑); iconv's strict `Shift_JIS` refuses them (0x8740),
//! which would stop xmllint before it reaches the schema.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{NO_RESULTS, get, mock};

const XMLLINT: &str = "xmllint";

fn schema() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs/hiyari/response.xsd")
}

/// Removes the file once the check has passed; a failing check keeps it for a look.
struct Scratch {
    path: PathBuf,
    keep: bool,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

const DECLARATION: &[u8] = br#"<?xml version="1.0" encoding="Shift_JIS" standalone="no"?>"#;
const DECLARATION_31J: &[u8] = br#"<?xml version="1.0" encoding="windows-31j" standalone="no"?>"#;

/// Writes `body` (the Shift_JIS bytes as served, the declaration relabelled) to a scratch file and validates it
/// with `xmllint --schema`.
fn assert_valid(case: &str, body: &[u8]) {
    let Some(rest) = body.strip_prefix(DECLARATION) else {
        panic!("{case}: the answer does not start with {DECLARATION:?}");
    };
    let file = [DECLARATION_31J, rest].concat();
    // Cargo gives integration tests their own scratch folder under `target/`.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let mut scratch = Scratch {
        path: dir.join(format!("hiyari-xsd-{case}-{}.xml", std::process::id())),
        keep: true,
    };
    if let Err(error) = std::fs::write(&scratch.path, &file) {
        panic!("cannot write {}: {error}", scratch.path.display());
    }
    let output = Command::new(XMLLINT)
        .arg("--noout")
        .arg("--schema")
        .arg(schema())
        .arg(&scratch.path)
        .output();
    let output = match output {
        Ok(output) => output,
        Err(error) => panic!(
            "cannot run {XMLLINT} ({error}); install it with `apt-get install libxml2-utils` \
             (the XSD check of the hiyari mock needs it)"
        ),
    };
    assert!(
        output.status.success(),
        "{case}: xmllint {} on {}:\n{}",
        output.status,
        scratch.path.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    scratch.keep = false;
}

#[tokio::test]
async fn every_report_of_the_default_data_set_is_valid_against_the_xsd() {
    let mock = mock().await;
    let reply = get(&mock, "count=all").await;
    let counts = reply.counts();
    assert_eq!((counts.count, counts.total), (41, 41));
    assert_eq!(reply.reports().len(), 41);
    assert_valid("all-reports", &reply.body);
}

#[tokio::test]
async fn answers_without_reports_are_valid_against_the_xsd() {
    let mock = mock().await;
    let none = get(&mock, "fyear=2030").await;
    assert_eq!(none.error().as_deref(), Some(NO_RESULTS));
    assert_valid("no-hits", &none.body);

    let refused = get(&mock, "count=0").await;
    assert!(refused.parameter_error().starts_with("パラメータ count"));
    assert_valid("parameter-error", &refused.body);

    let past_the_end = get(&mock, "start=41").await;
    assert_eq!(past_the_end.counts().count, 0);
    assert_valid("past-the-end", &past_the_end.body);
}
