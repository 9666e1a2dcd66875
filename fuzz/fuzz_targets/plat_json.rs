//! Arbitrary bytes as a PLAneTs `PRV_ROL_010` answer: a result, an error body or a decode error,
//! never a panic; what decodes encodes, and decodes again to the same JSON.

#![no_main]

mod json_eq;

use iryo_plat::types::PermissionGroupAnswer;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(answer) = serde_json::from_slice::<PermissionGroupAnswer>(bytes) else {
        return;
    };
    let encoded = serde_json::to_value(&answer).expect("encodes");
    let again: PermissionGroupAnswer =
        serde_json::from_value(encoded.clone()).expect("decodes again");
    let reencoded = serde_json::to_value(&again).expect("encodes");
    assert!(
        json_eq::same_json(&reencoded, &encoded),
        "{encoded} -> {reencoded}"
    );
});
