//! `iryo hiyari manifest` and `rebuild` against the hiyari mock: a corpus of 10,000 synthetic
//! reports rebuilds with every digest matched; after the mock corrected, withdrew and added
//! reports, the rebuild names exactly those (exit 6).

use std::collections::BTreeSet;
use std::path::Path;

use iryo_mock::hiyari::{DataChange, HiyariMock};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::common::{iryo, serve};

const CORPUS: usize = 10_000;

/// The digest of a labelled record by the published rule (specs/hiyari/digest/README.md):
/// codes unlabelled, compact JSON in the record's key order, SHA-256.
fn digest_of_record(record: &Value) -> String {
    fn unlabel(value: &Value) -> Value {
        match value {
            Value::Object(m)
                if m.len() == 2 && m.contains_key("code") && m.contains_key("label") =>
            {
                m["code"].clone()
            }
            Value::Object(m) => {
                Value::Object(m.iter().map(|(k, v)| (k.clone(), unlabel(v))).collect())
            }
            Value::Array(items) => Value::Array(items.iter().map(unlabel).collect()),
            other => other.clone(),
        }
    }
    let canonical = serde_json::to_vec(&unlabel(record)).unwrap();
    Sha256::digest(&canonical)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Digests of `count` reports from `start` of the mock's search in `order`, as it answers now.
fn searched(url: &str, order: &str, start: usize, count: usize) -> Vec<String> {
    let (start, count) = (start.to_string(), count.to_string());
    let run = iryo(&[
        "hiyari",
        "search",
        "--base-url",
        url,
        "--pause-ms",
        "0",
        "--order",
        order,
        "--start",
        &start,
        "--count",
        &count,
    ])
    .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.json_lines().iter().map(digest_of_record).collect()
}

/// The digest stored at each harvest position.
fn digests_by_position(db: &Path) -> Vec<String> {
    let db = rusqlite::Connection::open(db).unwrap();
    let mut statement = db
        .prepare("SELECT digest FROM reports ORDER BY position")
        .unwrap();
    statement
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn rebuild(manifest: &Path, db: &Path, extra: &[&str]) -> (i32, Value, String) {
    let mut args = vec![
        "hiyari",
        "rebuild",
        "--manifest",
        manifest.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
        "--pause-ms",
        "0",
    ];
    args.extend_from_slice(extra);
    let run = iryo(&args).run();
    let summary = serde_json::from_str(run.stdout.trim()).unwrap_or(Value::Null);
    (run.code, summary, run.stderr)
}

fn set(value: &Value) -> BTreeSet<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_manifest_rebuilds_its_corpus_and_names_every_change() {
    let mock = serve(HiyariMock::builder().synthetic(CORPUS).spawn());
    let url = mock.base_url();
    let dir = tempfile::tempdir().unwrap();
    let original = dir.path().join("original.sqlite");
    let harvest = iryo(&[
        "hiyari",
        "harvest",
        "--db",
        original.to_str().unwrap(),
        "--base-url",
        &url,
        "--pause-ms",
        "0",
    ])
    .run();
    assert_eq!(harvest.code, 0, "{}", harvest.stderr);

    let manifest = iryo(&["hiyari", "manifest", "--db", original.to_str().unwrap()]).run();
    assert_eq!(manifest.code, 0, "{}", manifest.stderr);
    let parsed: Value = serde_json::from_str(&manifest.stdout).unwrap();
    assert_eq!(parsed["total"], CORPUS);
    assert_eq!(parsed["query"], "");
    assert_eq!(parsed["endpoint"], mock.endpoint());
    assert_eq!(parsed["digest"], "hiyari-report-digest-v1");
    assert_eq!(parsed["harvests"][0]["kind"], "full");
    assert!(parsed["harvests"][0]["finished_at"].is_string());
    assert!(parsed["iryo_version"].is_string() && parsed["schema_version"] == 1);
    let by_position = digests_by_position(&original);
    let listed: Vec<String> = set(&parsed["digests"]).into_iter().collect();
    let mut sorted = by_position.clone();
    sorted.sort();
    assert_eq!(
        listed, sorted,
        "the manifest lists every stored digest, sorted"
    );
    let manifest_file = dir.path().join("corpus.json");
    std::fs::write(&manifest_file, &manifest.stdout).unwrap();

    // Rebuilt from the manifest alone: every digest matches.
    let (code, summary, stderr) = rebuild(&manifest_file, &dir.path().join("same.sqlite"), &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(summary["matched"], CORPUS);
    for list in ["missing", "new", "changed"] {
        assert_eq!(summary[list], serde_json::json!([]), "{list}");
    }
    assert_eq!(summary["harvest"]["pages"], CORPUS / 100);

    // The publisher corrects 3 texts, withdraws 4 reports and adds 5.
    let corrected_at = [3, 4_000, 9_998];
    let withdrawn_at = [9_999, 5_000, 17, 0];
    for &position in &corrected_at {
        mock.change(DataChange::CorrectText { position }, None)
            .unwrap();
    }
    let corrected_now: BTreeSet<String> = corrected_at
        .iter()
        .flat_map(|&p| searched(&url, "1", p, 1))
        .collect();
    for &position in &withdrawn_at {
        mock.change(DataChange::Withdraw { position }, None)
            .unwrap();
    }
    mock.add_synthetic(5);
    let added: BTreeSet<String> = searched(&url, "2", 0, 5).into_iter().collect();

    let other_base = format!("{url}/");
    let (code, summary, stderr) = rebuild(
        &manifest_file,
        &dir.path().join("changed.sqlite"),
        &[
            "--base-url",
            other_base.trim_end_matches('/'),
            "--page-size",
            "250",
        ],
    );
    assert_eq!(code, 6, "{stderr}");
    assert!(
        stderr.contains("9993 matched, 4 missing, 3 changed, 5 new (manifest: 10000)"),
        "{stderr}"
    );
    assert_eq!(summary["matched"], CORPUS - 7);
    let expect_missing: BTreeSet<String> = withdrawn_at
        .iter()
        .map(|&p| by_position[p].clone())
        .collect();
    assert_eq!(set(&summary["missing"]), expect_missing);
    assert_eq!(set(&summary["new"]), added);
    let changed = summary["changed"].as_array().unwrap();
    let was: BTreeSet<String> = corrected_at
        .iter()
        .map(|&p| by_position[p].clone())
        .collect();
    let changed_was: BTreeSet<String> = changed
        .iter()
        .map(|c| c["missing"].as_str().unwrap().to_owned())
        .collect();
    let changed_now: BTreeSet<String> = changed
        .iter()
        .map(|c| c["new"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(changed_was, was);
    assert_eq!(changed_now, corrected_now);
    for pair in changed {
        assert_eq!(
            pair["fields"],
            serde_json::json!(["DATCONTENTTEXT"]),
            "{pair}"
        );
    }
}

#[test]
fn a_manifest_is_refused_for_what_it_cannot_describe() {
    let dir = tempfile::tempdir().unwrap();
    let missing = iryo(&["hiyari", "manifest", "--db", "/nonexistent/h.sqlite"]).run();
    assert_eq!(missing.code, 4, "{}", missing.stderr);
    let bad = dir.path().join("bad.json");
    for (text, why) in [
        ("{}", "missing field"),
        (
            r#"{"manifest":"iryo-hiyari-manifest-v9","endpoint":"http://127.0.0.1:1/x","query":"","total":0,"digest":"hiyari-report-digest-v1","digests":[],"fingerprints":{"version":"iryo-hiyari-fingerprint-v1","reports":[]},"harvests":[],"schema_version":1,"iryo_version":"0"}"#,
            "this iryo reads",
        ),
        (
            r#"{"manifest":"iryo-hiyari-manifest-v1","endpoint":"http://127.0.0.1:1/x","query":"","total":1,"digest":"hiyari-report-digest-v1","digests":["ABC"],"fingerprints":{"version":"iryo-hiyari-fingerprint-v1","reports":[{"coded":"0","texts":{}}]},"harvests":[],"schema_version":1,"iryo_version":"0"}"#,
            "not 64 lowercase hex",
        ),
        (
            r#"{"manifest":"iryo-hiyari-manifest-v1","endpoint":"http://127.0.0.1:1/x","query":"color=red","total":0,"digest":"hiyari-report-digest-v1","digests":[],"fingerprints":{"version":"iryo-hiyari-fingerprint-v1","reports":[]},"harvests":[],"schema_version":1,"iryo_version":"0"}"#,
            "unknown parameter `color`",
        ),
    ] {
        std::fs::write(&bad, text).unwrap();
        let (code, _, stderr) = rebuild(&bad, &dir.path().join("x.sqlite"), &[]);
        assert_eq!(code, 4, "{text}: {stderr}");
        assert!(stderr.contains(why), "{text}: {stderr}");
    }
}

#[test]
fn a_rebuild_into_a_database_of_another_search_is_refused_before_any_request() {
    let mock = crate::common::hiyari_mock();
    let url = mock.base_url();
    let dir = tempfile::tempdir().unwrap();
    let everything = dir.path().join("everything.sqlite");
    let other = dir.path().join("other.sqlite");
    for (db, search) in [
        (&everything, vec![]),
        (&other, vec!["--item", "", "--word", "調剤"]),
    ] {
        let mut args = vec![
            "hiyari",
            "harvest",
            "--db",
            db.to_str().unwrap(),
            "--base-url",
            &url,
            "--pause-ms",
            "0",
        ];
        args.extend(search);
        let run = iryo(&args).run();
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    let manifest = iryo(&["hiyari", "manifest", "--db", everything.to_str().unwrap()]).run();
    assert_eq!(manifest.code, 0, "{}", manifest.stderr);
    // A manifest of no such harvest, or of a database of two searches: refused, naming why.
    let no_such = iryo(&[
        "hiyari",
        "manifest",
        "--db",
        everything.to_str().unwrap(),
        "--harvest",
        "9",
    ])
    .run();
    assert_eq!(no_such.code, 4, "{}", no_such.stderr);
    assert!(
        no_such.stderr.contains("no harvest 9"),
        "{}",
        no_such.stderr
    );
    let args = [
        "hiyari",
        "harvest",
        "--db",
        other.to_str().unwrap(),
        "--base-url",
        &url,
        "--pause-ms",
        "0",
    ];
    assert_eq!(iryo(&args).run().code, 0);
    let mixed = iryo(&["hiyari", "manifest", "--db", other.to_str().unwrap()]).run();
    assert_eq!(mixed.code, 4, "{}", mixed.stderr);
    assert!(
        mixed.stderr.contains("other searches (ids 1)"),
        "{}",
        mixed.stderr
    );
    let file = dir.path().join("corpus.json");
    std::fs::write(&file, &manifest.stdout).unwrap();
    let before = mock.request_count();
    let (code, summary, stderr) = rebuild(&file, &other, &[]);
    assert_eq!(code, 4, "{stderr}");
    assert!(stderr.contains("another search"), "{stderr}");
    assert_eq!(summary, Value::Null);
    assert_eq!(mock.request_count(), before, "no request was sent");
    // The database of the manifest's own search rebuilds in place: all matched, no request.
    let (code, summary, stderr) = rebuild(&file, &everything, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(summary["matched"], 41);
    assert_eq!(mock.request_count(), before);
}
