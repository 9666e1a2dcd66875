//! The permission groups every mock starts with unless told otherwise; see the fixture table in the crate docs.

use super::seed::read_entry;
use super::store::Store;

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

/// Seeds `store` with every fixture. The error names the broken file, which can only happen if this crate ships
/// a bad fixture (a unit test loads them all).
pub(crate) fn load(store: &mut Store) -> Result<(), String> {
    for (name, text) in FIXTURES {
        let value = serde_json::from_str(text).map_err(|e| format!("fixture {name}: {e}"))?;
        let entry = read_entry(&value).map_err(|e| format!("fixture {name}: {e}"))?;
        store
            .insert(entry)
            .map_err(|id| format!("fixture {name}: approval {id} is used twice"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fixture_loads() {
        let mut store = Store::default();
        assert_eq!(load(&mut store), Ok(()));
        let ids: Vec<Vec<u64>> = store
            .entries()
            .iter()
            .map(|e| e.approvals.iter().map(|a| a.id).collect())
            .collect();
        assert_eq!(ids, [vec![2], vec![16, 17], vec![30], vec![40]]);
    }
}
