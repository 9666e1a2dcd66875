//! `iryo hiyari export --format datapackage`: one CSV per table and a datapackage.json whose
//! schemas hold every code the reports use, so foreign keys hold even for a code outside its
//! table. (spec-check validates the package with Python's frictionless and loads it in pandas.)

use iryo_mock::hiyari::HiyariMock;
use serde_json::Value;

use crate::common::{iryo, serve};

/// A report with a month code the table does not list.
const ODD_MONTH: &str = r#"<PHARMACY_REPORT><DATYEAR>2024</DATYEAR><DATMONTH CODE="13"/><DATCONTENTTEXT>月が13</DATCONTENTTEXT></PHARMACY_REPORT>"#;

#[test]
fn a_package_holds_every_table_and_every_code_it_uses() {
    let mock = serve(HiyariMock::builder().report_xml(ODD_MONTH).spawn());
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.sqlite");
    let db = db.to_str().unwrap();
    let url = mock.base_url();
    let run = iryo(&[
        "hiyari",
        "harvest",
        "--db",
        db,
        "--base-url",
        &url,
        "--pause-ms",
        "0",
    ])
    .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = dir.path().join("package");
    let out = out.to_str().unwrap();
    let export = [
        "hiyari",
        "export",
        "--db",
        db,
        "--format",
        "datapackage",
        "--out",
        out,
    ];
    iryo(&export).run().assert_quiet_success();

    let package: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{out}/datapackage.json")).unwrap())
            .unwrap();
    let resources = package["resources"].as_array().unwrap();
    assert_eq!(
        resources.len(),
        5 + iryo_hiyari_db::schema::code_tables().len()
    );
    for resource in resources {
        let path = format!("{out}/{}", resource["path"].as_str().unwrap());
        let text = std::fs::read_to_string(&path).unwrap();
        let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
        let names: Vec<&str> = resource["schema"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap())
            .collect();
        assert_eq!(header, names, "{path}");
    }
    let reports = std::fs::read_to_string(format!("{out}/reports.csv")).unwrap();
    assert_eq!(
        reports.lines().count(),
        1 + 42,
        "the header and every report"
    );
    let months = std::fs::read_to_string(format!("{out}/hiyari_occurrence_month.csv")).unwrap();
    assert!(months.lines().any(|l| l == "13,,0"), "{months}");
    assert!(months.lines().any(|l| l == "01,1月,1"), "{months}");
    let month = resources
        .iter()
        .find(|r| r["name"] == "reports")
        .and_then(|r| r["schema"]["fields"].as_array())
        .and_then(|f| f.iter().find(|f| f["name"] == "month"))
        .unwrap();
    assert!(
        month["constraints"]["enum"]
            .as_array()
            .unwrap()
            .contains(&"13".into())
    );
    assert_eq!(package["iryo"]["harvests"][0]["endpoint"], mock.endpoint());

    // Into a folder that holds something: refused, nothing overwritten.
    let again = iryo(&export).run();
    assert_eq!(again.code, 4, "{}", again.stderr);
    assert!(again.stderr.contains("is not empty"), "{}", again.stderr);
    let misuse = iryo(&["hiyari", "export", "--db", db, "--out", out]).run();
    assert_eq!(misuse.code, 2, "{}", misuse.stderr);
}
