//! Property tests of the `pusheventgetv2` answer decoder on bad input: arbitrary bytes, damaged
//! bytes of the document's samples, and samples whose JSON values were replaced, removed or
//! renamed all give a value or an error, never a panic. What decodes also encodes, and encoding is
//! stable after one pass.

use std::path::PathBuf;
use std::sync::LazyLock;

use iryo_orca::PushEvent;
use iryo_orca::types::{PushEventData, PushEventGetResponse, PushEventListItem};
use iryo_testkit::json_mutation::{
    self, Edit, apply_at, byte_edit, config, count_nodes, damage, same_json,
};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;

/// Every `.json` file of `specs/orca/examples/`, raw.
static EXAMPLES: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    json_mutation::read_examples(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../specs/orca/examples"),
    )
});

/// Every object key that occurs in the examples, plus keys the wire might grow.
static KEYS: LazyLock<Vec<String>> = LazyLock::new(|| {
    json_mutation::example_keys(
        &EXAMPLES,
        &["data", "error", "code", "message", "body", "x", ""],
    )
});

/// Strings that mean something somewhere on this wire.
const STRINGS: &[&str] = &[
    "",
    "patient_accept",
    "patient_infomation",
    "patient_information",
    "patient_account",
    "patient_hospital_stay",
    "patient_memo",
    "patient_admission",
    "accept",
    "account",
    "print001",
    "print002",
    "user_event",
    "receive_medicalreq",
    "no_such_event",
    "2018-01-24T16:02:53+0900",
    "2018-01-24T16:02:53+09:00",
    "2018-02-30T16:02:53+0900",
    "+262143-12-31T23:59:59+2359",
    "2018-01-24",
    "16:02:53",
    "2df2ef80-8978-4817-b929-c07e4ba39e6f",
    "2DF2EF808978481 7B929C07E4BA39E6F",
    "urn:uuid:2df2ef80-8978-4817-b929-c07e4ba39e6f",
    "0000",
    "0007",
    "0089",
    "9999",
    "add",
    "modify",
    "delete",
    "Yes",
    "ormaster",
    "〜のため",
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

/// Decodes as the client does; for what decodes, checks that it encodes back and that a second
/// trip changes nothing.
fn decode_everything(bytes: &[u8]) -> Result<(), TestCaseError> {
    let Ok(response) = serde_json::from_slice::<PushEventGetResponse>(bytes) else {
        return Ok(());
    };
    let encoded = serde_json::to_vec(&response).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let again: PushEventGetResponse = serde_json::from_slice(&encoded)
        .map_err(|e| TestCaseError::fail(format!("{e}: {}", String::from_utf8_lossy(&encoded))))?;
    let (first, second) = (to_json(&response)?, to_json(&again)?);
    prop_assert!(same_json(&first, &second), "{} != {}", first, second);
    let PushEventGetResponse::List(list) = response else {
        return Ok(());
    };
    for item in list.0 {
        let PushEventListItem::Envelope(envelope) = item else {
            continue;
        };
        let Ok(event) = PushEvent::from_data(envelope.data) else {
            continue;
        };
        let data = event.to_data();
        prop_assert!(data.is_ok(), "{:?} does not encode: {:?}", event, data);
        let Ok(data) = data else { continue };
        let json = serde_json::to_vec(&data).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back: Result<PushEventData, _> = serde_json::from_slice(&json);
        prop_assert!(
            back.is_ok(),
            "{}: {:?}",
            String::from_utf8_lossy(&json),
            back
        );
        let back = back.map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back = PushEvent::from_data(back).map(|e| e.to_data());
        prop_assert!(
            matches!(&back, Ok(Ok(b)) if same_json(&to_json(b)?, &to_json(&data)?)),
            "{} gave {:?}",
            String::from_utf8_lossy(&json),
            back
        );
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
        // An array of envelopes around it reaches `from_data`.
        let list = serde_json::json!([{ "data": value }]);
        decode_everything(&serde_json::to_vec(&list).unwrap_or_default())?;
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
