//! Every message example of `specs/orca/asyncapi.yaml` decodes into the generated frame types and
//! encodes back to the same JSON; a few fields are checked by value.

use iryo_orca::live::frames::{ClientFrame, ServerFrame};
use iryo_orca::live::{FrameId, SocketErrorCode};
use serde_json::Value;

fn examples() -> Vec<(String, Value)> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../specs/orca/asyncapi.yaml"
    );
    let doc: Value = serde_yaml::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let mut out = Vec::new();
    for (name, message) in doc["components"]["messages"].as_object().unwrap() {
        for example in message["examples"].as_array().into_iter().flatten() {
            out.push((name.clone(), example["payload"].clone()));
        }
    }
    out
}

/// Through JSON text: event data holds raw JSON text (`RawJson`), which only JSON text reads and
/// writes (not `serde_json::Value`).
fn to_value(frame: &impl serde::Serialize) -> serde_json::Value {
    serde_json::from_str(&serde_json::to_string(frame).unwrap()).unwrap()
}

#[test]
fn every_example_round_trips_through_the_generated_frames() {
    let examples = examples();
    assert!(examples.len() >= 4, "{examples:?}");
    for (name, payload) in examples {
        let back = if ClientFrame::COMMANDS.contains(&name.as_str()) {
            let frame: ClientFrame = serde_json::from_str(&payload.to_string()).unwrap();
            assert_eq!(frame.command(), name);
            to_value(&frame)
        } else {
            let frame: ServerFrame = serde_json::from_str(&payload.to_string()).unwrap();
            assert_eq!(frame.command(), name);
            to_value(&frame)
        };
        assert_eq!(back, payload, "{name}");
    }
}

#[test]
fn fields_are_read_by_value() {
    let error: ServerFrame = serde_json::from_str(
        r#"{"command":"error","for":"unsubscribe","req.id":5,"code":"NO_SUCH_SUBSCRIPTION","reason":"x"}"#,
    )
    .unwrap();
    match error {
        ServerFrame::Error(e) => {
            assert_eq!(e.code, SocketErrorCode::NoSuchSubscription);
            assert_eq!(e.req_id, Some(FrameId::Number(5)));
            assert_eq!(e.for_command.as_deref(), Some("unsubscribe"));
        }
        other => panic!("{other:?}"),
    }
    let unknown_code: ServerFrame =
        serde_json::from_str(r#"{"command":"error","code":"SOMETHING_NEW"}"#).unwrap();
    assert!(matches!(unknown_code, ServerFrame::Error(e) if e.code.code() == "SOMETHING_NEW"));
    assert!(
        serde_json::from_str::<ServerFrame>(r#"{"command":"subscribe","req.id":"a","event":"*"}"#)
            .is_err()
    );
}
