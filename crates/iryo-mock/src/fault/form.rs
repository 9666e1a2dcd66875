//! The JSON form of a [`Fault`], for the control routes: `{"kind":"cut_body","after_bytes":100}`.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Fault, InvalidFault};

/// The JSON form of a [`Fault`], with durations in milliseconds.
#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub(super) enum FaultForm {
    Status {
        status: u16,
    },
    Html {
        status: u16,
    },
    WrongContentType,
    ResetBeforeResponse,
    CutBody {
        after_bytes: usize,
    },
    StallBeforeHeaders {
        stall_ms: u64,
    },
    StallMidBody {
        after_bytes: usize,
        stall_ms: u64,
    },
    InvalidShiftJis,
    Oversized {
        bytes: usize,
        #[serde(default)]
        chunked: bool,
    },
    RetryAfter {
        status: u16,
        seconds: u64,
    },
    AnswerCap {
        items: usize,
    },
    OverDeliver {
        items: usize,
    },
    IgnoreStart {
        #[serde(default)]
        claim_start: bool,
    },
    Generated {
        #[serde(default)]
        prefix: String,
        repeat: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        times: Option<u64>,
        #[serde(default)]
        suffix: String,
    },
}

/// Converts between [`Fault`] and [`FaultForm`], either way: the variants listed carry the same fields on both
/// sides, so one list serves both directions; `$rest` holds the arms that differ (durations in milliseconds).
macro_rules! convert {
    ($value:expr, $from:ident => $to:ident, { $($rest:tt)* }) => {
        match $value {
            $from::WrongContentType => $to::WrongContentType,
            $from::ResetBeforeResponse => $to::ResetBeforeResponse,
            $from::InvalidShiftJis => $to::InvalidShiftJis,
            $from::CutBody { after_bytes } => $to::CutBody { after_bytes },
            $from::Oversized { bytes, chunked } => $to::Oversized { bytes, chunked },
            $from::RetryAfter { status, seconds } => $to::RetryAfter { status, seconds },
            $from::AnswerCap { items } => $to::AnswerCap { items },
            $from::OverDeliver { items } => $to::OverDeliver { items },
            $from::IgnoreStart { claim_start } => $to::IgnoreStart { claim_start },
            $from::Generated { prefix, repeat, times, suffix } => {
                $to::Generated { prefix, repeat, times, suffix }
            }
            $($rest)*
        }
    };
}

impl TryFrom<FaultForm> for Fault {
    type Error = InvalidFault;

    fn try_from(form: FaultForm) -> Result<Self, InvalidFault> {
        let fault = convert!(form, FaultForm => Fault, {
            FaultForm::Status { status } => Fault::Status(status),
            FaultForm::Html { status } => Fault::Html(status),
            FaultForm::StallBeforeHeaders { stall_ms } => {
                Fault::StallBeforeHeaders(Duration::from_millis(stall_ms))
            }
            FaultForm::StallMidBody { after_bytes, stall_ms } => Fault::StallMidBody {
                after_bytes,
                stall: Duration::from_millis(stall_ms),
            },
        });
        fault.check().map(|()| fault)
    }
}

impl From<Fault> for FaultForm {
    fn from(fault: Fault) -> Self {
        let millis = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        convert!(fault, Fault => FaultForm, {
            Fault::Status(status) => FaultForm::Status { status },
            Fault::Html(status) => FaultForm::Html { status },
            Fault::StallBeforeHeaders(stall) => FaultForm::StallBeforeHeaders {
                stall_ms: millis(stall),
            },
            Fault::StallMidBody { after_bytes, stall } => FaultForm::StallMidBody {
                after_bytes,
                stall_ms: millis(stall),
            },
        })
    }
}

/// Reads the body of `POST /__mock/<mock>/fault`: one fault, or an array of faults queued in order.
pub(crate) fn faults_from_json(body: &[u8]) -> Result<Vec<Fault>, String> {
    let value =
        serde_json::from_slice::<Value>(body).map_err(|e| format!("body is not JSON: {e}"))?;
    let read = |value: Value| serde_json::from_value::<Fault>(value).map_err(|e| e.to_string());
    match value {
        Value::Array(values) => values
            .into_iter()
            .enumerate()
            .map(|(i, value)| read(value).map_err(|e| format!("fault {i}: {e}")))
            .collect(),
        value => read(value).map(|fault| vec![fault]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(fault: &Fault, json: &str) {
        let parsed = serde_json::from_str::<Fault>(json);
        assert_eq!(parsed.as_ref().ok(), Some(fault), "{json}: {parsed:?}");
        let written = serde_json::to_value(fault).ok();
        assert_eq!(
            written,
            serde_json::from_str::<Value>(json).ok(),
            "{fault:?}"
        );
    }

    #[test]
    fn every_fault_has_a_json_form() {
        round_trip(&Fault::Status(502), r#"{"kind":"status","status":502}"#);
        round_trip(&Fault::Html(503), r#"{"kind":"html","status":503}"#);
        round_trip(&Fault::WrongContentType, r#"{"kind":"wrong_content_type"}"#);
        round_trip(
            &Fault::ResetBeforeResponse,
            r#"{"kind":"reset_before_response"}"#,
        );
        round_trip(
            &Fault::CutBody { after_bytes: 100 },
            r#"{"kind":"cut_body","after_bytes":100}"#,
        );
        round_trip(
            &Fault::StallBeforeHeaders(Duration::from_secs(10)),
            r#"{"kind":"stall_before_headers","stall_ms":10000}"#,
        );
        round_trip(
            &Fault::StallMidBody {
                after_bytes: 7,
                stall: Duration::from_millis(1500),
            },
            r#"{"kind":"stall_mid_body","after_bytes":7,"stall_ms":1500}"#,
        );
        round_trip(&Fault::InvalidShiftJis, r#"{"kind":"invalid_shift_jis"}"#);
        round_trip(
            &Fault::Oversized {
                bytes: 1000,
                chunked: true,
            },
            r#"{"kind":"oversized","bytes":1000,"chunked":true}"#,
        );
        round_trip(
            &Fault::RetryAfter {
                status: 429,
                seconds: 30,
            },
            r#"{"kind":"retry_after","status":429,"seconds":30}"#,
        );
        round_trip(
            &Fault::AnswerCap { items: 10 },
            r#"{"kind":"answer_cap","items":10}"#,
        );
        round_trip(
            &Fault::OverDeliver { items: 1000 },
            r#"{"kind":"over_deliver","items":1000}"#,
        );
        round_trip(
            &Fault::IgnoreStart { claim_start: true },
            r#"{"kind":"ignore_start","claim_start":true}"#,
        );
        round_trip(
            &Fault::Generated {
                prefix: "<a>".to_owned(),
                repeat: "<b/>".to_owned(),
                times: Some(3),
                suffix: "</a>".to_owned(),
            },
            r#"{"kind":"generated","prefix":"<a>","repeat":"<b/>","times":3,"suffix":"</a>"}"#,
        );
        assert!(serde_json::from_str::<Fault>(r#"{"kind":"generated","repeat":""}"#).is_err());
    }

    #[test]
    fn the_json_form_is_checked() {
        let unchunked = serde_json::from_str::<Fault>(r#"{"kind":"oversized","bytes":5}"#);
        assert_eq!(
            unchunked.ok(),
            Some(Fault::Oversized {
                bytes: 5,
                chunked: false
            })
        );
        for bad in [
            r#"{"kind":"status","status":199}"#,
            r#"{"kind":"retry_after","status":600,"seconds":1}"#,
            r#"{"kind":"oversized","bytes":999999999999}"#,
            r#"{"kind":"cut_body"}"#,
            r#"{"kind":"cut_body","after_bytes":-1}"#,
            r#"{"kind":"cut_body","after_bytes":1,"extra":2}"#,
            r#"{"kind":"meltdown"}"#,
            r#"{"status":500}"#,
        ] {
            assert!(serde_json::from_str::<Fault>(bad).is_err(), "{bad}");
        }
        let error =
            faults_from_json(br#"[{"kind":"html","status":503},{"kind":"status","status":42}]"#);
        assert!(
            error
                .as_ref()
                .is_err_and(|e| e.starts_with("fault 1: ") && e.contains("42")),
            "{error:?}"
        );
        assert_eq!(
            faults_from_json(br#"{"kind":"html","status":503}"#),
            Ok(vec![Fault::Html(503)])
        );
    }
}
