//! Every row of every table file, checked against the generated enums. The oracle is the table
//! file itself (`specs/codes/*.json`), not the generated code.

use std::collections::BTreeSet;
use std::path::PathBuf;

use iryo_orca_codes::{
    HospitalStayRequest, PatientMode, PushErrorCode, SendCharacterCode, UpdateCode,
};
use serde_json::Value;

fn table(name: &str) -> Value {
    let path = specs_codes().join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn specs_codes() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../specs/codes")
}

/// Checks parse, code, label, labels, Display, serde and the unknown fallback for one table.
macro_rules! check_table {
    ($ty:ty, $name:expr) => {{
        let table = table($name);
        assert_eq!(table["rust"]["type"], stringify!($ty));
        let rows = table["rows"].as_array().unwrap();
        assert_eq!(rows.len(), <$ty>::KNOWN.len(), "{}: row count", $name);
        for (row, known) in rows.iter().zip(<$ty>::KNOWN) {
            let code = row["code"].as_str().unwrap();
            let label = row["label"].as_str().unwrap();
            let parsed: $ty = code.parse().unwrap();
            assert!(parsed.is_known(), "{code}");
            assert_eq!(&parsed, known, "table order");
            assert_eq!(<$ty>::from_known_code(code).as_ref(), Some(&parsed));
            assert_eq!(parsed.code(), code);
            assert_eq!(parsed.to_string(), code);
            assert_eq!(parsed.label(), Some(label));
            let mut labels = vec![label.to_owned()];
            if let Some(others) = row.get("other_labels").and_then(Value::as_array) {
                labels.extend(others.iter().map(|l| l.as_str().unwrap().to_owned()));
            }
            assert_eq!(
                parsed.labels(),
                labels
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .as_slice()
            );
            let json = serde_json::to_string(&parsed).unwrap();
            assert_eq!(json, serde_json::to_string(code).unwrap());
            assert_eq!(serde_json::from_str::<$ty>(&json).unwrap(), parsed);
            assert_eq!(
                format!("{parsed:?}"),
                row["id"].as_str().unwrap(),
                "variant name = id column"
            );
        }
        let unknown: $ty = "ZZ-not-listed".parse().unwrap();
        assert!(!unknown.is_known());
        assert_eq!(unknown.code(), "ZZ-not-listed");
        assert_eq!(unknown.label(), None);
        assert!(unknown.labels().is_empty());
        assert_eq!(<$ty>::from_known_code("ZZ-not-listed"), None);
        let json = serde_json::to_string(&unknown).unwrap();
        assert_eq!(json, "\"ZZ-not-listed\"");
        assert_eq!(serde_json::from_str::<$ty>(&json).unwrap(), unknown);
        $name
    }};
}

#[test]
fn every_table_of_this_crate_round_trips() {
    let checked: BTreeSet<&str> = [
        check_table!(PushErrorCode, "orca-push-error-code"),
        check_table!(PatientMode, "orca-patient-mode"),
        check_table!(HospitalStayRequest, "orca-hospital-stay-request"),
        check_table!(UpdateCode, "orca-update-code"),
        check_table!(SendCharacterCode, "orca-send-character-code"),
    ]
    .into();
    let in_specs: BTreeSet<String> = std::fs::read_dir(specs_codes())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| serde_json::from_str::<Value>(&std::fs::read_to_string(p).unwrap()).unwrap())
        .filter(|t| t["rust"]["crate"] == "iryo-orca-codes")
        .map(|t| t["table"].as_str().unwrap().to_owned())
        .collect();
    let checked: BTreeSet<String> = checked.into_iter().map(str::to_owned).collect();
    assert_eq!(
        checked, in_specs,
        "every table of this crate needs a check_table! line"
    );
}

#[test]
fn error_0089_keeps_all_six_messages() {
    let code = PushErrorCode::SystemInformationUnavailable;
    assert_eq!(code.code(), "0089");
    assert_eq!(code.labels().len(), 6);
    assert!(
        code.labels()
            .contains(&"グループ医療機関が不整合です。処理を終了して下さい。")
    );
}
