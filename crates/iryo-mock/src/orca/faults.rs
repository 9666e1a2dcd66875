//! How ORCA's answers look when a [`Fault`](crate::Fault) borrows them.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::handler::empty;
use crate::fault::Wire;

pub(crate) struct OrcaWire;

impl Wire for OrcaWire {
    fn empty(status: StatusCode) -> Response {
        empty(status)
    }

    /// A bare array of generated `patient_accept` notifications, as a match answers, long enough.
    fn oversized_body(bytes: usize) -> Vec<u8> {
        let mut body = b"[".to_vec();
        let mut n: u64 = 0;
        while body.len() < bytes.saturating_sub(1) || n == 0 {
            if n > 0 {
                body.push(b',');
            }
            n += 1;
            let envelope = json!({ "data": notification(n) });
            body.extend(serde_json::to_vec(&envelope).unwrap_or_default());
        }
        body.push(b']');
        body
    }
}

/// Generated notification `n` (from 1), keys in ORCA's order; ids wrap after 65535 as ORCA's do.
fn notification(n: u64) -> serde_json::Value {
    let seconds = n % 86_400;
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    json!({
        "uuid": format!("00000000-0000-4000-8000-{n:012x}"),
        "id": (n - 1) % 65_535 + 1,
        "event": "patient_accept",
        "user": "ormaster",
        "body": {
            "Patient_Mode": "add",
            "Patient_ID": format!("{:05}", n % 100_000),
            "Accept_Date": "2018-01-24",
            "Accept_Time": format!("{h:02}:{m:02}:{s:02}"),
            "Accept_Id": format!("{:05}", n % 100_000),
            "Department_Code": "01",
            "Physician_Code": "10001",
            "Insurance_Combination_Number": "0001"
        },
        "time": format!("2018-01-24T{h:02}:{m:02}:{s:02}+0900"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn an_oversized_answer_is_a_long_enough_array() {
        for bytes in [0, 1, 100, 20_000] {
            let body = OrcaWire::oversized_body(bytes);
            assert!(body.len() >= bytes, "{bytes}: {}", body.len());
            let parsed = serde_json::from_slice::<Value>(&body);
            let items = parsed.ok().and_then(|v| v.as_array().map(Vec::len));
            assert!(items.is_some_and(|n| n >= 1), "{bytes}");
        }
    }
}
