//! The permission groups every mock starts with unless told otherwise; see the fixture table in the crate docs.

use super::seed::read_entry;
use super::store::Store;
use crate::harness;

/// In insertion order. G1 is the document's sample as it was before the deletion; the others are invented.
const FIXTURES: [(&str, &str); 4] = [
    (
        "g1_document_sample",
        include_str!("../../fixtures/plat/g1_document_sample.json"),
    ),
    (
        "g2_two_approvals",
        include_str!("../../fixtures/plat/g2_two_approvals.json"),
    ),
    (
        "g3_other_organization",
        include_str!("../../fixtures/plat/g3_other_organization.json"),
    ),
    (
        "g4_already_deleted",
        include_str!("../../fixtures/plat/g4_already_deleted.json"),
    ),
];

/// The store a mock starts with: with `load` every fixture, else none.
pub(crate) fn starting_store(load: bool) -> std::io::Result<Store> {
    harness::starting_store(Store::default(), load, &FIXTURES, |store, value| {
        let entry = read_entry(&value).map_err(|e| e.to_string())?;
        let used_twice = |id| format!("approval {id} is used twice");
        store.insert(entry).map_err(used_twice)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fixture_loads() {
        let store = starting_store(true).unwrap_or_else(|error| panic!("{error}"));
        let ids: Vec<Vec<u64>> = store
            .entries()
            .iter()
            .map(|e| e.approvals.iter().map(|a| a.id).collect())
            .collect();
        assert_eq!(ids, [vec![2], vec![16, 17], vec![30], vec![40]]);
    }
}
