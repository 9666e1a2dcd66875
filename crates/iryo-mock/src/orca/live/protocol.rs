//! The frames of ORCA's push protocol (push spec §5), written and read by hand so that the mock is an
//! oracle independent of the client's generated types.

use serde_json::{Map, Value, json};

/// At most this many subscriptions on one socket; more is `INVALID_PARAMS`.
pub(crate) const MAX_SUBSCRIPTIONS: usize = 64;

/// One subscription of a socket.
#[derive(Debug)]
pub(crate) struct Subscription {
    pub sub_id: String,
    pub event: String,
}

impl Subscription {
    pub(crate) fn wants(&self, event: &str) -> bool {
        self.event == "*" || self.event == event
    }
}

/// What a client frame asks for, or the error frame it deserves.
pub(crate) enum Request {
    Subscribe { req_id: Value, event: String },
    Unsubscribe { req_id: Value, sub_id: Value },
}

pub(crate) fn error_frame(
    for_command: Option<&str>,
    req_id: Option<&Value>,
    code: &str,
    reason: &str,
) -> String {
    let mut frame = Map::new();
    frame.insert("command".into(), "error".into());
    if let Some(command) = for_command {
        frame.insert("for".into(), command.into());
    }
    if let Some(req_id) = req_id {
        frame.insert("req.id".into(), req_id.clone());
    }
    frame.insert("code".into(), code.into());
    frame.insert("reason".into(), reason.into());
    Value::Object(frame).to_string()
}

pub(crate) fn subscribed(req_id: &Value, sub_id: &str) -> String {
    json!({ "command": "subscribed", "req.id": req_id, "sub.id": sub_id }).to_string()
}

pub(crate) fn unsubscribed(req_id: &Value, sub_id: &str) -> String {
    json!({ "command": "unsubscribed", "req.id": req_id, "sub.id": sub_id }).to_string()
}

/// `{"command":"event","sub.id":…,"data":<stored object>}`, with the stored text pasted in unchanged.
pub(crate) fn event_frame(sub_id: &str, data: &str) -> String {
    let sub_id = Value::from(sub_id).to_string();
    format!(r#"{{"command":"event","sub.id":{sub_id},"data":{data}}}"#)
}

/// Reads a client text frame. `Err` is the error frame to send back.
pub(crate) fn parse_request(text: &str) -> Result<Request, String> {
    let Ok(Value::Object(frame)) = serde_json::from_str::<Value>(text) else {
        return Err(error_frame(
            None,
            None,
            "PARSE_ERROR",
            "the frame is not a JSON object",
        ));
    };
    let req_id = frame.get("req.id").filter(|v| v.is_string() || v.is_i64());
    let command = frame.get("command").and_then(Value::as_str);
    let invalid =
        |reason: &str| error_frame(command, frame.get("req.id"), "INVALID_PARAMS", reason);
    let Some(req_id) = req_id else {
        return Err(invalid("`req.id` must be a string or an integer"));
    };
    match command {
        Some("subscribe") => match frame.get("event").and_then(Value::as_str) {
            Some(event) if !event.is_empty() => Ok(Request::Subscribe {
                req_id: req_id.clone(),
                event: event.to_owned(),
            }),
            _ => Err(invalid("`event` must be an event name or \"*\"")),
        },
        Some("unsubscribe") => match frame.get("sub.id") {
            Some(sub_id) => Ok(Request::Unsubscribe {
                req_id: req_id.clone(),
                sub_id: sub_id.clone(),
            }),
            None => Err(invalid("`sub.id` is missing")),
        },
        _ => Err(invalid("`command` must be subscribe or unsubscribe")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_a_parse_error_and_bad_fields_are_invalid_params() {
        let err = parse_request("{not json").err().unwrap();
        assert!(
            err.contains("PARSE_ERROR") && !err.contains("req.id"),
            "{err}"
        );
        let err = parse_request(r#"{"command":"subscribe","req.id":"r1"}"#)
            .err()
            .unwrap();
        assert!(
            err.contains("INVALID_PARAMS") && err.contains(r#""req.id":"r1""#),
            "{err}"
        );
        let err = parse_request(r#"{"command":"subscribe","events":["*"]}"#)
            .err()
            .unwrap();
        assert!(err.contains("INVALID_PARAMS"), "{err}");
        assert!(matches!(
            parse_request(r#"{"command":"subscribe","req.id":7,"event":"*"}"#),
            Ok(Request::Subscribe { .. })
        ));
    }

    #[test]
    fn event_frames_carry_the_stored_text() {
        let frame = event_frame("s1", r#"{"uuid":"u","id":1}"#);
        let value: Value = serde_json::from_str(&frame).unwrap();
        assert_eq!(value["data"]["uuid"], "u");
        assert_eq!(value["sub.id"], "s1");
    }
}
