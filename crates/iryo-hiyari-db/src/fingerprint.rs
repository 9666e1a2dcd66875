//! Fingerprints that let a rebuild tell a corrected report from a withdrawn one: the report's
//! codes and structure without its texts (`coded`), and its texts per top-level element
//! (`texts`). Two reports whose digests differ but whose `coded` fingerprints agree differ only
//! in the texts of the elements whose `texts` fingerprints differ.
//!
//! Both are taken over the labelled record (the `json` column): a code is an object
//! `{"code","label"}`, a text is a string. Serialised as compact JSON with keys sorted (so any
//! JSON library can recompute them), SHA-256, the first 16 hex digits.

use std::collections::BTreeMap;

use serde_json::Value;
use sha2::{Digest, Sha256};

/// The fingerprints' version, named in a manifest.
pub const FINGERPRINT_VERSION: &str = "iryo-hiyari-fingerprint-v1";

/// The fingerprints of one report.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Fingerprint {
    /// Codes and structure: the record without labels and without any text.
    pub coded: String,
    /// Per top-level element holding text: its texts (codes left out).
    pub texts: BTreeMap<String, String>,
}

impl Fingerprint {
    /// The fingerprints of a labelled record; `None` when it is not a JSON object.
    pub fn of_record(json: &str) -> Option<Fingerprint> {
        let Ok(Value::Object(record)) = serde_json::from_str::<Value>(json) else {
            return None;
        };
        let coded_record: serde_json::Map<String, Value> = record
            .iter()
            .filter_map(|(k, v)| coded(k, v).map(|v| (k.clone(), v)))
            .collect();
        let texts = record
            .iter()
            .filter(|(k, _)| k.as_str() != "_unknown")
            .filter_map(|(k, v)| texts(v).map(|t| (k.clone(), short_hash(&t))))
            .collect();
        Some(Fingerprint {
            coded: short_hash(&Value::Object(coded_record)),
            texts,
        })
    }

    /// The top-level elements whose texts differ between `self` and `other`, sorted.
    pub fn text_differences(&self, other: &Fingerprint) -> Vec<String> {
        let mut names: Vec<String> = self
            .texts
            .keys()
            .chain(other.texts.keys())
            .filter(|k| self.texts.get(*k) != other.texts.get(*k))
            .cloned()
            .collect();
        names.sort();
        names.dedup();
        names
    }
}

fn is_code(value: &Value) -> bool {
    matches!(value, Value::Object(m) if m.len() == 2 && m.contains_key("code") && m.contains_key("label"))
}

/// `value` without labels and texts (`_unknown` is kept whole: it is not a known text).
fn coded(key: &str, value: &Value) -> Option<Value> {
    if key == "_unknown" {
        return Some(value.clone());
    }
    match value {
        Value::String(_) => None,
        v if is_code(v) => Some(v["code"].clone()),
        Value::Object(map) => Some(Value::Object(
            map.iter()
                .filter_map(|(k, v)| coded(k, v).map(|v| (k.clone(), v)))
                .collect(),
        )),
        // Arrays keep their length: a medicine without text still counts.
        Value::Array(items) => Some(Value::Array(
            items
                .iter()
                .map(|v| coded("", v).unwrap_or(Value::Null))
                .collect(),
        )),
        other => Some(other.clone()),
    }
}

/// The texts of `value` (codes and `_unknown` left out), or `None` when it holds none.
fn texts(value: &Value) -> Option<Value> {
    match value {
        Value::String(_) => Some(value.clone()),
        v if is_code(v) => None,
        Value::Object(map) => {
            let kept: serde_json::Map<String, Value> = map
                .iter()
                .filter(|(k, _)| k.as_str() != "_unknown")
                .filter_map(|(k, v)| texts(v).map(|t| (k.clone(), t)))
                .collect();
            (!kept.is_empty()).then_some(Value::Object(kept))
        }
        Value::Array(items) => {
            let kept: Vec<Value> = items
                .iter()
                .map(|v| texts(v).unwrap_or(Value::Null))
                .collect();
            kept.iter()
                .any(|v| !v.is_null())
                .then_some(Value::Array(kept))
        }
        _ => None,
    }
}

/// SHA-256 of `value` as compact JSON with sorted keys, first 16 hex digits.
fn short_hash(value: &Value) -> String {
    let mut out = Vec::new();
    write_sorted(&mut out, value);
    Sha256::digest(&out)
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn write_sorted(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push(b'{');
            for (i, (key, value)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                // Writing into a Vec cannot fail.
                let _ = serde_json::to_writer(&mut *out, key);
                out.push(b':');
                write_sorted(out, value);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_sorted(out, item);
            }
            out.push(b']');
        }
        other => {
            let _ = serde_json::to_writer(&mut *out, other);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECORD: &str = r#"{"DATYEAR":"2024","DATMONTH":{"code":"01","label":"1月"},"GRPCOMPOUND":{"DATSCENE":{"code":"100101","label":"x"},"LSTMEDICINE":{"GRPMEDICINE_A":[{"DATMEDNAME":"薬"}]}},"DATCONTENTTEXT":"内容"}"#;

    #[test]
    fn a_text_change_keeps_coded_and_names_the_element() {
        let before = Fingerprint::of_record(RECORD).unwrap();
        let text = Fingerprint::of_record(&RECORD.replace("内容", "訂正後の内容")).unwrap();
        assert_eq!(before.coded, text.coded);
        assert_eq!(before.text_differences(&text), ["DATCONTENTTEXT"]);
        let medicine = Fingerprint::of_record(&RECORD.replace("薬", "別の薬")).unwrap();
        assert_eq!(before.coded, medicine.coded);
        assert_eq!(before.text_differences(&medicine), ["GRPCOMPOUND"]);
        let relabelled = Fingerprint::of_record(&RECORD.replace("1月", "一月")).unwrap();
        assert_eq!(before, relabelled);
    }

    #[test]
    fn a_code_change_changes_coded() {
        let before = Fingerprint::of_record(RECORD).unwrap();
        let code = Fingerprint::of_record(&RECORD.replace("\"01\"", "\"02\"")).unwrap();
        assert_ne!(before.coded, code.coded);
        assert!(before.text_differences(&code).is_empty());
        let more = RECORD.replace(
            "[{\"DATMEDNAME\":\"薬\"}]",
            "[{\"DATMEDNAME\":\"薬\"},{\"DATMEDNAME\":\"薬\"}]",
        );
        assert_ne!(before.coded, Fingerprint::of_record(&more).unwrap().coded);
        assert_eq!(before.coded.len(), 16);
    }
}
