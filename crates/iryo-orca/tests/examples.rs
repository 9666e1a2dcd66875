//! Every file in `specs/orca/examples/` decodes into the generated types, encodes back to the same
//! JSON value, and carries the values we expect.

use std::path::PathBuf;

use iryo_orca::types::{PushEventGetRequest, PushEventGetResponse, PushEventListItem};
use iryo_orca::{PushErrorCode, PushEvent, PushEventBody};
use iryo_orca_codes::{HospitalStayRequest, PatientMode, SendCharacterCode, UpdateCode};
use serde_json::Value;

fn example(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../specs/orca/examples")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn events(name: &str) -> Vec<PushEvent> {
    let value = example(name);
    let PushEventGetResponse::List(list) = serde_json::from_value(value.clone()).unwrap() else {
        panic!("{name} is not a list");
    };
    let events: Vec<PushEvent> = list
        .0
        .into_iter()
        .map(|item| match item {
            PushEventListItem::Envelope(e) => PushEvent::from_data(e.data).unwrap(),
            PushEventListItem::ErrorEnvelope(e) => panic!("unexpected error {e:?}"),
        })
        .collect();
    let back: Vec<Value> = events
        .iter()
        .map(|e| serde_json::json!({ "data": e.to_data().unwrap() }))
        .collect();
    assert_eq!(
        Value::Array(back),
        value,
        "{name} must encode back to the same JSON"
    );
    events
}

#[test]
fn request_samples_round_trip() {
    for name in ["request-sample.json", "request-ruby-sample.json"] {
        let value = example(name);
        let request: PushEventGetRequest = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(serde_json::to_value(&request).unwrap(), value);
        let filter = request.pusheventgetv2req;
        assert_eq!(
            filter.event.as_deref().map(String::as_str),
            Some("patient_accept")
        );
        assert_eq!(filter.user.as_deref().map(String::as_str), Some("ormaster"));
    }
}

#[test]
fn document_response_sample_is_typed() {
    let events = events("response-sample.json");
    assert_eq!(events.len(), 2);
    let first = &events[0];
    assert_eq!(
        first.uuid.to_string(),
        "2df2ef80-8978-4817-b929-c07e4ba39e6f"
    );
    assert_eq!(first.id, 1);
    assert_eq!(first.event, "patient_accept");
    assert_eq!(
        first.time.date_time().to_rfc3339(),
        "2018-01-24T16:02:53+09:00"
    );
    let PushEventBody::PatientAccept(body) = &first.body else {
        panic!("{:?}", first.body)
    };
    assert_eq!(body.patient_mode, Some(PatientMode::Add));
    assert_eq!(body.patient_id.as_deref(), Some("00001"));
    assert_eq!(body.accept_time.as_deref(), Some("16:02:53"));
    assert_eq!(events[1].id, 10);
    assert_eq!(events[1].time.to_string(), "2018-01-24T16:09:32+0900");
}

#[test]
fn every_event_type_of_our_examples_is_typed() {
    let events = events("response-events-iryo.json");
    let names: Vec<(&str, &str)> = events
        .iter()
        .map(|e| (e.event.as_str(), e.body.event_name()))
        .collect();
    assert_eq!(names[0], ("patient_infomation", "patient_infomation"));
    // the PDF spelling is accepted and keeps its received spelling
    assert_eq!(names[1], ("patient_information", "patient_infomation"));
    for event in &events[..13] {
        assert!(
            !matches!(event.body, PushEventBody::Unknown { .. }),
            "{}",
            event.event
        );
    }
    let mut seen: Vec<&str> = events.iter().map(|e| e.body.event_name()).collect();
    seen.sort();
    seen.dedup();
    for known in PushEventBody::KNOWN_EVENTS {
        assert!(seen.contains(known), "no example for {known}");
    }
}

#[test]
fn bodies_carry_codes_arrays_and_free_form_data() {
    let events = events("response-events-iryo.json");
    match &events[2].body {
        PushEventBody::PatientAccount(body) => {
            let info = &body.medical_information;
            assert_eq!(info[0].invoice_number.as_deref(), Some("0000123"));
        }
        other => panic!("{other:?}"),
    }
    match &events[3].body {
        PushEventBody::PatientHospitalStay(body) => {
            assert_eq!(body.request_number, Some(HospitalStayRequest::Admission));
            assert_eq!(
                body.request_number.as_ref().unwrap().label(),
                Some("入院登録")
            );
        }
        other => panic!("{other:?}"),
    }
    match &events[7].body {
        PushEventBody::Account(body) => {
            assert_eq!(body.send_character_code, Some(SendCharacterCode::Utf8));
            assert_eq!(body.update_code, Some(UpdateCode::New));
        }
        other => panic!("{other:?}"),
    }
    match &events[8].body {
        PushEventBody::Print001(forms) => {
            assert_eq!(forms.0.len(), 2);
            assert_eq!(forms.0[1].report_name.as_deref(), Some("診療費明細書"));
        }
        other => panic!("{other:?}"),
    }
    match &events[10].body {
        PushEventBody::UserEvent(body) => {
            assert_eq!(body.get("sub_event").unwrap().get(), "\"nightly_export\"")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_keys_and_unknown_events_are_kept() {
    let events = events("response-events-iryo.json");
    let wrapped = &events[12];
    assert_eq!(wrapped.id, 65535);
    assert_eq!(
        wrapped.extra.get("origin").unwrap().get(),
        "\"extra key on data, must be kept\""
    );
    match &wrapped.body {
        PushEventBody::PatientAccept(body) => {
            assert_eq!(body.patient_mode, Some(PatientMode::Delete));
            assert_eq!(
                body.extra.get("Ward_Hint").unwrap().get(),
                "\"not in the spec, must be kept\""
            );
        }
        other => panic!("{other:?}"),
    }
    match &events[13].body {
        PushEventBody::Unknown { event, body } => {
            assert_eq!(event, "patient_future_thing");
            let body: serde_json::Value = body.parse().unwrap();
            assert_eq!(body["Nested"]["a"][1], 2);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn colon_offset_is_read_and_written_back() {
    let events = events("response-events-iryo.json");
    let accept = &events[6];
    assert_eq!(accept.event, "accept");
    assert_eq!(accept.time.to_string(), "2018-01-24T11:20:00+09:00");
    assert_eq!(
        accept.time.date_time().to_rfc3339(),
        "2018-01-24T11:20:00+09:00"
    );
}

#[test]
fn error_example_is_the_0007_envelope() {
    let response: PushEventGetResponse =
        serde_json::from_value(example("response-error-0007.json")).unwrap();
    let PushEventGetResponse::ErrorEnvelope(envelope) = response else {
        panic!("{response:?}")
    };
    assert_eq!(envelope.error.code, PushErrorCode::NoPushEvents);
    assert_eq!(
        envelope.error.code.label(),
        envelope.error.message.as_deref()
    );
}
