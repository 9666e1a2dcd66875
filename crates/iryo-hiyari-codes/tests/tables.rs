//! Every row of every hiyari table file, checked against the generated enums (oracle: the files).

use std::collections::BTreeSet;

use iryo_hiyari_codes::*;
use iryo_testkit::{check_code_table, read_table};
use serde_json::Value;

#[test]
fn every_list_table_round_trips() {
    let mut checked: BTreeSet<String> = [
        check_code_table!(PrescriptionChange, "hiyari-change"),
        check_code_table!(DrugClassification, "hiyari-classification"),
        check_code_table!(Discoverer, "hiyari-discoverer"),
        check_code_table!(DoubtGround, "hiyari-doubt-ground"),
        check_code_table!(TreatmentExecution, "hiyari-execution"),
        check_code_table!(IncidentFactor, "hiyari-factor"),
        check_code_table!(IncidentContent, "hiyari-incident-content"),
        check_code_table!(PrescriptionInfluence, "hiyari-influence"),
        check_code_table!(ItemCode, "hiyari-itemcode"),
        check_code_table!(JobCategory, "hiyari-job-category"),
        check_code_table!(OccurrenceDay, "hiyari-occurrence-day"),
        check_code_table!(OccurrenceMonth, "hiyari-occurrence-month"),
        check_code_table!(PatientCount, "hiyari-patient-count"),
        check_code_table!(PatientSex, "hiyari-patient-sex"),
        check_code_table!(ResultStatus, "hiyari-result-status"),
        check_code_table!(OccurrenceScene, "hiyari-scene"),
        check_code_table!(IncidentSummary, "hiyari-summary"),
        check_code_table!(OccurrenceTimeZone, "hiyari-time-zone"),
        check_code_table!(TreatmentLevel, "hiyari-treatment-level"),
    ]
    .into();
    checked.insert("hiyari-xml-tag".to_owned()); // the tree, checked below
    assert_eq!(checked, iryo_testkit::tables_of_crate("iryo-hiyari-codes"));
}

fn rows(table: &Value) -> &Vec<Value> {
    table["rows"].as_array().unwrap()
}

#[test]
fn the_tag_tree_has_81_rows_39_tags_and_its_parents() {
    let table = read_table("hiyari-xml-tag");
    let rows = rows(&table);
    assert_eq!(rows.len(), 81);
    let mut distinct: Vec<&str> = Vec::new();
    for row in rows {
        let code = row["code"].as_str().unwrap();
        if !distinct.contains(&code) {
            distinct.push(code);
        }
        let item = Item::from_known_code(code).unwrap_or_else(|| panic!("{code}"));
        assert_eq!(format!("{item:?}"), row["id"].as_str().unwrap());
        assert!(
            item.labels().contains(&row["label"].as_str().unwrap()),
            "{code}"
        );
        match row["parent"].as_u64() {
            Some(no) => {
                let parent = rows.iter().find(|r| r["no"] == no).unwrap()["code"]
                    .as_str()
                    .unwrap();
                assert!(
                    item.parents().iter().any(|p| p.code() == parent),
                    "{code} under {parent}"
                );
            }
            None => assert!(item.parents().is_empty()),
        }
    }
    assert_eq!(distinct.len(), 39);
    let known: Vec<&str> = Item::KNOWN.iter().map(|i| i.code()).collect();
    assert_eq!(
        known, distinct,
        "one variant per tag, in first-appearance order"
    );
    assert_eq!(
        Item::MedicineName.parents(),
        &[Item::MedicineA, Item::MedicineB]
    );
    assert_eq!(
        Item::RelatedMedicineList.labels(),
        &["関連医薬品情報", "医薬品情報"]
    );
    let unknown: Item = "DATNOTHING".parse().unwrap();
    assert!(unknown.parents().is_empty() && unknown.label().is_none());
}

#[test]
fn itemcodes_know_their_values_and_element() {
    let table = read_table("hiyari-itemcode");
    for row in rows(&table) {
        let code = ItemCode::from_known_code(row["code"].as_str().unwrap()).unwrap();
        assert_eq!(code.values(), row["values"].as_str());
        assert_eq!(code.element(), row["element"].as_str());
        let values = row["values"].as_str().unwrap();
        if values != "free-text" {
            assert_eq!(read_table(values)["table"], values, "{values} exists");
        }
        for tag in row["element"].as_str().unwrap().split('/') {
            assert!(Item::from_known_code(tag).is_some(), "{tag} is a known tag");
        }
    }
    let unknown: ItemCode = "9999999".parse().unwrap();
    assert_eq!((unknown.values(), unknown.element()), (None, None));
}

/// `label_in` finds every row's label through the table's name, as an itemcode's `values` names it.
#[test]
fn labels_are_found_by_table_name() {
    for name in iryo_testkit::tables_of_crate("iryo-hiyari-codes") {
        let table = read_table(&name);
        for row in rows(&table) {
            let code = row["code"].as_str().unwrap();
            // A tree table repeats a code in several places; its label is the first row's.
            let first = rows(&table).iter().find(|r| r["code"] == code);
            let label = first.and_then(|r| r["label"].as_str());
            assert_eq!(label_in(&name, code), label, "{name} {code}");
        }
    }
    assert_eq!(label_in("hiyari-scene", "100101"), Some("内服薬調剤"));
    assert_eq!(label_in("hiyari-scene", "999999"), None);
    assert_eq!(label_in("free-text", "01"), None);
}
