//! The document's sample response: valid against `response.xsd` (xmllint), and read into the
//! generated types with every code and label right.

use std::path::PathBuf;
use std::process::Command;

use iryo_hiyari::{ReportReader, read_result_set};
use iryo_hiyari_codes::{
    IncidentContent, IncidentFactor, IncidentSummary, JobCategory, OccurrenceMonth,
    OccurrenceScene, PatientSex, ResultStatus, TreatmentLevel,
};

fn spec(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../specs/hiyari")
        .join(path)
}

fn sample_bytes() -> Vec<u8> {
    std::fs::read(spec("examples/response-sample.sjis.xml")).unwrap()
}

#[test]
fn the_sample_is_valid_against_the_xsd() {
    let output = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(spec("response.xsd"))
        .arg(spec("examples/response-sample.sjis.xml"))
        .output()
        .expect("xmllint must be installed (Debian package libxml2-utils)");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn an_invalid_document_fails_the_xsd() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.xml");
    let text = String::from_utf8(
        encoding_rs::SHIFT_JIS
            .decode(&sample_bytes())
            .0
            .into_owned()
            .into_bytes(),
    )
    .unwrap();
    let text = text.replace(
        "<DATYEAR>2009</DATYEAR>",
        "<DATYEAR>2009</DATYEAR><DATYEAR>2010</DATYEAR>",
    );
    std::fs::write(&bad, encoding_rs::SHIFT_JIS.encode(&text).0).unwrap();
    let output = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(spec("response.xsd"))
        .arg(&bad)
        .output()
        .unwrap();
    assert!(
        !output.status.success(),
        "a repeated DATYEAR must not validate"
    );
}

#[test]
fn the_sample_is_read_into_types() {
    let result = read_result_set(&sample_bytes()[..]).unwrap();
    assert_eq!((result.total, result.position, result.count), (1, 0, 1));
    assert_eq!(result.status, ResultStatus::Normal);
    assert_eq!(result.error, None);
    let report = &result.pharmacy_report[0];
    assert_eq!(report.version.as_deref(), Some("1.0"));
    assert_eq!(report.year.as_deref(), Some("2009"));
    assert_eq!(report.month, Some(OccurrenceMonth::from("01")));
    assert_eq!(report.month.as_ref().unwrap().label(), Some("1月"));
    assert_eq!(report.treatment_level, Some(TreatmentLevel::from("02")));
    assert_eq!(
        report.summary.as_ref().unwrap(),
        &IncidentSummary::from("08")
    );
    assert_eq!(report.summary.as_ref().unwrap().label(), Some("調剤"));
    let patient = report.patient_group.as_ref().unwrap();
    assert_eq!(patient.patient_age.as_deref(), Some("24"));
    assert_eq!(
        patient.patient_sex.as_ref().unwrap(),
        &PatientSex::from("01")
    );
    let concerned = report.concerned_list.as_ref().unwrap();
    assert_eq!(
        concerned.job_category,
        [JobCategory::from("05"), JobCategory::from("20")]
    );
    assert_eq!(concerned.job_category[1].label(), Some("登録販売者"));
    let dispensing = report.dispensing.as_ref().unwrap();
    assert_eq!(
        dispensing.scene.as_ref().unwrap(),
        &OccurrenceScene::from("100101")
    );
    assert_eq!(
        dispensing.contents.as_ref().unwrap(),
        &IncidentContent::from("100101")
    );
    assert_eq!(
        dispensing.contents.as_ref().unwrap().label(),
        Some("調剤忘れ")
    );
    let related = &dispensing
        .related_medicine_list
        .as_ref()
        .unwrap()
        .medicine_a[0];
    assert_eq!(related.medicine_code.as_deref(), Some("123456789123"));
    assert_eq!(
        related.medicine_name.as_deref(),
        Some("サンプル関連医薬品販売名")
    );
    assert_eq!(
        related.manufacturer_name.as_deref(),
        Some("サンプル関連医薬品販売会社")
    );
    let factors = &report.factor_list.as_ref().unwrap().factor;
    assert_eq!(
        factors,
        &[
            IncidentFactor::from("010101"),
            IncidentFactor::from("020101")
        ]
    );
    assert_eq!(factors[0].label(), Some("確認を怠った"));
    assert_eq!(
        report.content_text.as_deref(),
        Some("処方より多めに調剤していた(事例の内容を記述)。")
    );
    assert_eq!(
        report.factor_text.as_deref(),
        Some("処方箋の確認を怠った(背景要因を記述)。")
    );
    assert_eq!(
        report.improvement_text.as_deref(),
        Some("落ち着いて対処する(改善策を記述)。")
    );
    assert!(report.unknown_elements.is_empty());
    assert!(report.doubt.is_none() && report.material.is_none() && report.sales.is_none());
}

#[test]
fn serde_output_uses_the_xml_names() {
    let result = read_result_set(&sample_bytes()[..]).unwrap();
    let json = serde_json::to_value(&result.pharmacy_report[0]).unwrap();
    assert_eq!(json["DATMONTH"], "01");
    assert_eq!(json["GRPPATIENT"]["DATPATIENTAGE"], "24");
    assert_eq!(json["LSTFACTOR"]["DATFACTOR"][1], "020101");
}

#[test]
fn the_reader_streams_report_by_report() {
    let bytes = sample_bytes();
    let mut reader = ReportReader::new(&bytes[..]).unwrap();
    assert_eq!(reader.result_set().total, 1);
    assert!(reader.next().unwrap().is_ok());
    assert!(reader.next().is_none());
}

#[test]
fn labeled_json_gives_codes_with_their_japanese_labels() {
    let result = read_result_set(&sample_bytes()[..]).unwrap();
    let json = result.pharmacy_report[0].labeled_json();
    assert_eq!(
        json["DATMONTH"],
        serde_json::json!({"code": "01", "label": "1月"})
    );
    assert_eq!(json["DATYEAR"], "2009");
    assert_eq!(json["GRPPATIENT"]["DATPATIENTSEX"]["label"], "男");
    assert_eq!(
        json["LSTFACTOR"]["DATFACTOR"][0],
        serde_json::json!({"code": "010101", "label": "確認を怠った"})
    );
    assert_eq!(
        json["GRPCOMPOUND"]["LSTRELATED"]["GRPMEDICINE_A"][0]["DATMEDNAME"],
        "サンプル関連医薬品販売名"
    );
    let head = result.labeled_json();
    assert_eq!(
        head["@status"],
        serde_json::json!({"code": "0", "label": "正常"})
    );
    assert_eq!(head["@total"], 1);
    let mut unknown = result.pharmacy_report[0].clone();
    unknown.summary = Some("99".into());
    assert_eq!(
        unknown.labeled_json()["DATSUMMARY"],
        serde_json::json!({"code": "99", "label": null})
    );
}
