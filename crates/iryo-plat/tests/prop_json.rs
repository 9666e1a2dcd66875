//! Property tests of the PLAneTs answer decoder on bad input: arbitrary bytes, damaged bytes of
//! the document's samples, and samples whose JSON values were replaced, removed or renamed all give
//! a value or an error, never a panic. What decodes also encodes, and encoding is stable.

use std::path::PathBuf;
use std::sync::LazyLock;

use iryo_plat::types::PermissionGroupAnswer;
use iryo_testkit::json_mutation::{
    self, Edit, apply_at, byte_edit, config, count_nodes, damage, same_json,
};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;

/// Every `.json` file of `specs/plat/examples/`, raw.
static EXAMPLES: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    json_mutation::read_examples(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../specs/plat/examples"),
    )
});

/// Every object key that occurs in the examples, plus keys the wire might grow.
static KEYS: LazyLock<Vec<String>> = LazyLock::new(|| {
    json_mutation::example_keys(
        &EXAMPLES,
        &[
            "permissionGroup",
            "permissonGroup",
            "errorCode",
            "errorMessage",
            "issue",
            "x",
            "",
        ],
    )
});

/// Strings that mean something somewhere on this wire.
const STRINGS: &[&str] = &[
    "",
    "Oct 7, 2021, 7:51:02 PM",
    "Oct 7, 2021 7:51:02\u{202F}PM",
    "Oct 7, 2021, 7:51:02\u{00A0}PM",
    "Feb 29, 2021, 1:00:00 AM",
    "Oct 7, 2021, 13:51:02 PM",
    "2021-10-07T19:51:02",
    "2021-10-07T19:51:02.123456789",
    "2021-10-07T10:51:02Z",
    "+262143-12-31T23:59:59",
    "+262143-12-31T23:59:59-23:59",
    "-262143-01-01T00:00:00+23:59",
    "9999-12-31T23:59:59-23:59",
    "0000-01-01T00:00:00+23:59",
    "PLAT500",
    "PLAT401",
    "PLAT999",
    "0",
    "1",
    "2",
    "3",
    "17",
    "6a7a8516-610d-4c35-bf95-9e7b5219a852",
    "〜のため削除します",
    "\u{0}",
    "\u{FFFD}",
];

fn json_value() -> impl Strategy<Value = Value> {
    json_mutation::json_value(STRINGS, KEYS.clone())
}

fn edit() -> impl Strategy<Value = (Index, Edit)> {
    json_mutation::edit(STRINGS, KEYS.clone())
}

fn to_json(value: &impl serde::Serialize) -> Result<Value, TestCaseError> {
    serde_json::to_value(value).map_err(|e| TestCaseError::fail(e.to_string()))
}

/// Decodes as the client does; for what decodes, checks that it encodes back and that encoding
/// is stable after one trip (a second decode may differ from the first only where the first was
/// more precise than the wire form, e.g. an ISO date with fractions of a second).
fn decode_everything(bytes: &[u8]) -> Result<(), TestCaseError> {
    let Ok(answer) = serde_json::from_slice::<PermissionGroupAnswer>(bytes) else {
        return Ok(());
    };
    let encoded = serde_json::to_vec(&answer).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let again = serde_json::from_slice::<PermissionGroupAnswer>(&encoded);
    prop_assert!(
        again.is_ok(),
        "{}: {:?}",
        String::from_utf8_lossy(&encoded),
        again
    );
    let again = again.map_err(|e| TestCaseError::fail(e.to_string()))?;
    let (first, second) = (to_json(&answer)?, to_json(&again)?);
    prop_assert!(same_json(&first, &second), "{} != {}", first, second);
    if let PermissionGroupAnswer::PermissionGroupResult(result) = &answer {
        // The accessor that accepts either spelling of the group.
        let _ = result.group();
    }
    Ok(())
}

#[test]
fn the_examples_decode() {
    assert!(EXAMPLES.len() >= 4);
    for bytes in EXAMPLES.iter() {
        decode_everything(bytes).unwrap();
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..1024)) {
        decode_everything(&bytes)?;
    }

    #[test]
    fn arbitrary_json(value in json_value()) {
        decode_everything(&serde_json::to_vec(&value).unwrap_or_default())?;
        // Inside a result, it reaches the group, approval and comment readers.
        for key in ["permissionGroup", "permissonGroup", "permissionApproval", "permissionComment"] {
            let wrapped = serde_json::json!({ key: value.clone() });
            decode_everything(&serde_json::to_vec(&wrapped).unwrap_or_default())?;
        }
    }

    #[test]
    fn damaged_example_bytes(
        which in any::<Index>(),
        edits in proptest::collection::vec(byte_edit(), 1..6),
    ) {
        let mut bytes = EXAMPLES[which.index(EXAMPLES.len())].clone();
        for edit in &edits {
            damage(&mut bytes, edit);
        }
        decode_everything(&bytes)?;
    }

    #[test]
    fn edited_example_values(
        which in any::<Index>(),
        edits in proptest::collection::vec(edit(), 1..5),
    ) {
        let bytes = &EXAMPLES[which.index(EXAMPLES.len())];
        let mut value: Value = serde_json::from_slice(bytes).unwrap_or_default();
        for (at, edit) in &edits {
            let mut target = at.index(count_nodes(&value));
            apply_at(&mut value, &mut target, edit);
        }
        decode_everything(&serde_json::to_vec(&value).unwrap_or_default())?;
    }
}
