//! The notifications every mock starts with unless told otherwise; see the fixture table in the crate docs.

use super::store::Store;
use crate::harness;

/// In insertion order. Files 06 and 11 are the document's response sample, verbatim.
const FIXTURES: [(&str, &str); 16] = [
    (
        "01_patient_infomation",
        include_str!("../../fixtures/orca/01_patient_infomation.json"),
    ),
    (
        "02_accept",
        include_str!("../../fixtures/orca/02_accept.json"),
    ),
    (
        "03_patient_account",
        include_str!("../../fixtures/orca/03_patient_account.json"),
    ),
    (
        "04_account",
        include_str!("../../fixtures/orca/04_account.json"),
    ),
    (
        "05_patient_accept_cancelled",
        include_str!("../../fixtures/orca/05_patient_accept_cancelled.json"),
    ),
    (
        "06_patient_accept_sample_1",
        include_str!("../../fixtures/orca/06_patient_accept_sample_1.json"),
    ),
    (
        "07_patient_memo",
        include_str!("../../fixtures/orca/07_patient_memo.json"),
    ),
    (
        "08_patient_accept_doctor1",
        include_str!("../../fixtures/orca/08_patient_accept_doctor1.json"),
    ),
    (
        "09_print001",
        include_str!("../../fixtures/orca/09_print001.json"),
    ),
    (
        "10_print002",
        include_str!("../../fixtures/orca/10_print002.json"),
    ),
    (
        "11_patient_accept_sample_2",
        include_str!("../../fixtures/orca/11_patient_accept_sample_2.json"),
    ),
    (
        "12_patient_hospital_stay",
        include_str!("../../fixtures/orca/12_patient_hospital_stay.json"),
    ),
    (
        "13_patient_admission",
        include_str!("../../fixtures/orca/13_patient_admission.json"),
    ),
    (
        "14_user_event",
        include_str!("../../fixtures/orca/14_user_event.json"),
    ),
    (
        "15_receive_medicalreq",
        include_str!("../../fixtures/orca/15_receive_medicalreq.json"),
    ),
    (
        "16_patient_future_thing",
        include_str!("../../fixtures/orca/16_patient_future_thing.json"),
    ),
];

/// The store a mock starts with: with `load` every fixture (retention not run), else none.
pub(crate) fn starting_store(load: bool) -> std::io::Result<Store> {
    harness::starting_store(Store::new(), load, &FIXTURES, |store, data| {
        store.seed(data).map(drop)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fixture_loads() {
        let store = starting_store(true).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(store.all().len(), FIXTURES.len());
    }
}
