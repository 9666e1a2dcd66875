//! Arbitrary bytes as a `pusheventgetv2` answer: decoded as the client does (the answer, then
//! `PushEvent::from_data` for each notification), never a panic; a typed event encodes back.

#![no_main]

mod json_eq;

use iryo_orca::types::{PushEventGetResponse, PushEventListItem};
use iryo_orca::{OrcaTimestamp, PushEvent, PushTime};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(text) = std::str::from_utf8(bytes) {
        let _ = OrcaTimestamp::parse(text);
        let _ = PushTime::parse(text);
    }
    let Ok(PushEventGetResponse::List(list)) =
        serde_json::from_slice::<PushEventGetResponse>(bytes)
    else {
        return;
    };
    for item in list.0 {
        let PushEventListItem::Envelope(envelope) = item else {
            continue;
        };
        let Ok(event) = PushEvent::from_data(envelope.data) else {
            continue;
        };
        let data = event.to_data().expect("a typed event encodes");
        let json = serde_json::to_vec(&data).expect("as JSON");
        let again = serde_json::from_slice(&json).expect("which reads back");
        let back = PushEvent::from_data(again).expect("and types again");
        let (first, second) = (
            serde_json::to_value(&data).expect("encodes"),
            serde_json::to_value(back.to_data().expect("encodes")).expect("encodes"),
        );
        assert!(json_eq::same_json(&first, &second), "{first} -> {second}");
    }
});
