//! Test helpers shared by the iryo crates.
//!
//! [`check_code_table!`] checks one generated code enum against its table file in `specs/codes/`:
//! the oracle is the data, not the generator.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

pub mod generated;
pub mod json_mutation;
pub mod postgres;
pub mod probe;
pub mod relay;

/// Retries within milliseconds (1 ms doubling up to 5 ms), so that retry tests stay fast.
pub fn quick_retries(attempts: u32) -> iryo_runtime::RetryPolicy {
    iryo_runtime::RetryPolicy {
        max_attempts: attempts,
        initial_backoff: std::time::Duration::from_millis(1),
        max_backoff: std::time::Duration::from_millis(5),
        ..iryo_runtime::RetryPolicy::default()
    }
}

/// A proptest configuration with `cases` cases (`PROPTEST_CASES` overrides it, for a longer run)
/// and no failure files written into the source tree.
pub fn proptest_config(cases: u32) -> proptest::test_runner::Config {
    let mut config = proptest::test_runner::Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = cases;
    }
    config.failure_persistence = None;
    config
}

/// The workspace's `specs/codes` folder.
pub fn specs_codes_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs/codes")
}

/// Reads `specs/codes/<name>.json`.
pub fn read_table(name: &str) -> Value {
    let path = specs_codes_dir().join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The names of every table whose `rust.crate` is `krate`.
pub fn tables_of_crate(krate: &str) -> BTreeSet<String> {
    std::fs::read_dir(specs_codes_dir())
        .expect("specs/codes exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.extension().is_some_and(|x| x == "json"))
        .map(|path| serde_json::from_str::<Value>(&std::fs::read_to_string(path).unwrap()).unwrap())
        .filter(|table| table["rust"]["crate"] == krate)
        .map(|table| table["table"].as_str().unwrap().to_owned())
        .collect()
}

/// Every label of a row: `label` then `other_labels`.
pub fn row_labels(row: &Value) -> Vec<String> {
    let mut labels = vec![row["label"].as_str().unwrap().to_owned()];
    if let Some(others) = row.get("other_labels").and_then(Value::as_array) {
        labels.extend(others.iter().map(|l| l.as_str().unwrap().to_owned()));
    }
    labels
}

/// The JSON a code takes on the wire: a string, or a number for `"wire": "integer"` tables.
pub fn wire_json(table: &Value, code: &str) -> String {
    if table["wire"] == "integer" {
        code.to_owned()
    } else {
        serde_json::to_string(code).unwrap()
    }
}

/// Checks every row of table `$name` against enum `$ty` (parse, `code`, `label`, `labels`,
/// `Display`, serde, variant name = `id` column, `KNOWN` order) and that an unlisted code survives
/// as `Unknown`. Evaluates to the table name.
#[macro_export]
macro_rules! check_code_table {
    ($ty:ty, $name:expr) => {{
        let table = $crate::read_table($name);
        assert_eq!(
            table["rust"]["type"],
            stringify!($ty),
            "{}: type name",
            $name
        );
        let rows = table["rows"].as_array().unwrap();
        assert_eq!(rows.len(), <$ty>::KNOWN.len(), "{}: row count", $name);
        for (row, known) in rows.iter().zip(<$ty>::KNOWN) {
            let code = row["code"].as_str().unwrap();
            let parsed: $ty = code.parse().unwrap();
            assert!(parsed.is_known(), "{code}");
            assert_eq!(&parsed, known, "{}: KNOWN follows table order", $name);
            assert_eq!(<$ty>::from_known_code(code).as_ref(), Some(&parsed));
            assert_eq!(parsed.code(), code);
            assert_eq!(parsed.to_string(), code);
            assert_eq!(parsed.label(), row["label"].as_str());
            let labels = $crate::row_labels(row);
            assert_eq!(
                parsed.labels().to_vec(),
                labels.iter().map(String::as_str).collect::<Vec<_>>()
            );
            let json = serde_json::to_string(&parsed).unwrap();
            assert_eq!(
                json,
                $crate::wire_json(&table, code),
                "{}: wire form of {code}",
                $name
            );
            assert_eq!(serde_json::from_str::<$ty>(&json).unwrap(), parsed);
            assert_eq!(
                format!("{parsed:?}"),
                row["id"].as_str().unwrap(),
                "variant name = id column"
            );
        }
        let unlisted = if table["wire"] == "integer" {
            "987654"
        } else {
            "ZZ-not-listed"
        };
        let unknown: $ty = unlisted.parse().unwrap();
        assert!(!unknown.is_known());
        assert_eq!(unknown.code(), unlisted);
        assert_eq!(unknown.label(), None);
        assert!(unknown.labels().is_empty());
        assert_eq!(<$ty>::from_known_code(unlisted), None);
        let json = serde_json::to_string(&unknown).unwrap();
        assert_eq!(serde_json::from_str::<$ty>(&json).unwrap(), unknown);
        $name.to_owned()
    }};
}
