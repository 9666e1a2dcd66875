//! `iryo-orca` against the `iryo-mock` ORCA server over real HTTP on loopback.

use chrono::{DateTime, Duration};
use iryo_mock::orca::{Clock, OrcaMock};
use iryo_orca::types::PushEventFilter;
use iryo_orca::{
    Client, Config, Credentials, Error, PushErrorCode, PushEventBody, PushTime, RetryPolicy,
};
use iryo_orca_codes::PatientMode;
use iryo_testkit::quick_retries;

async fn mock() -> OrcaMock {
    OrcaMock::builder().spawn().await.expect("mock starts")
}

fn client(mock: &OrcaMock) -> Client {
    Client::new(mock.base_url(), Credentials::basic("ormaster", "ormaster")).unwrap()
}

fn t(text: &str) -> PushTime {
    text.parse().unwrap()
}

#[tokio::test]
async fn the_documents_request_returns_the_documents_two_events_typed() {
    let mock = mock().await;
    let events = client(&mock)
        .push_events()
        .event("patient_accept")
        .user("ormaster")
        .start(t("2018-01-24 13:00"))
        .end(t("2018-01-25 12:59"))
        .send()
        .await
        .unwrap();
    let uuids: Vec<String> = events.iter().map(|e| e.uuid.to_string()).collect();
    assert_eq!(
        uuids,
        [
            "2df2ef80-8978-4817-b929-c07e4ba39e6f",
            "b5efc60a-bfa9-4c27-b0e1-85802b097cb6"
        ]
    );
    let PushEventBody::PatientAccept(body) = &events[1].body else {
        panic!("{:?}", events[1].body)
    };
    assert_eq!(body.patient_id.as_deref(), Some("00005"));
    assert_eq!(body.accept_id.as_deref(), Some("00004"));
    assert_eq!(body.patient_mode, Some(PatientMode::Add));
    assert_eq!(events[1].id, 10);
    assert_eq!(events[1].time.to_string(), "2018-01-24T16:09:32+0900");
}

#[tokio::test]
async fn every_fixture_comes_back_typed_and_unknowns_are_kept() {
    let mock = mock().await;
    let events = client(&mock).push_events().send().await.unwrap();
    assert_eq!(events.len(), mock.events().len());
    for known in PushEventBody::KNOWN_EVENTS {
        assert!(
            events.iter().any(|e| e.body.event_name() == *known
                && !matches!(e.body, PushEventBody::Unknown { .. })),
            "{known} missing"
        );
    }
    let future = events
        .iter()
        .find(|e| e.event == "patient_future_thing")
        .unwrap();
    let PushEventBody::Unknown { event, body } = &future.body else {
        panic!("{:?}", future.body)
    };
    assert_eq!(event, "patient_future_thing");
    let body: serde_json::Value = body.parse().unwrap();
    assert_eq!(body["Unheard_Of_Key"]["Level"], "2");
    assert_eq!(
        future.extra.get("revision").unwrap().get(),
        "2",
        "unknown keys of data are kept"
    );
    let print = events.iter().find(|e| e.event == "print001").unwrap();
    assert!(matches!(&print.body, PushEventBody::Print001(forms) if !forms.0.is_empty()));
}

#[tokio::test]
async fn user_and_date_only_filters() {
    let mock = mock().await;
    let client = client(&mock);
    let by_doctor = client.push_events().user("doctor1").send().await.unwrap();
    assert!(!by_doctor.is_empty());
    assert!(by_doctor.iter().all(|e| e.user == "doctor1"));

    let day = client
        .push_events()
        .start(t("2018-01-25"))
        .end(t("2018-01-25"))
        .send()
        .await
        .unwrap();
    assert!(!day.is_empty());
    assert!(
        day.iter()
            .all(|e| e.time.date_time().format("%F").to_string() == "2018-01-25")
    );
}

#[tokio::test]
async fn no_match_0007_is_an_empty_list() {
    let mock = mock().await;
    let events = client(&mock)
        .push_events()
        .event("no_such_event")
        .send()
        .await
        .unwrap();
    assert!(events.is_empty());
}

#[tokio::test]
async fn every_documented_error_code_is_typed() {
    let mock = mock().await;
    let client = client(&mock);
    for row in PushErrorCode::KNOWN
        .iter()
        .filter(|c| **c != PushErrorCode::NoPushEvents)
    {
        for message in row.labels() {
            mock.fail_next(row.code(), Some(message));
            let err = client.push_events().send().await.unwrap_err();
            match &err {
                Error::Api { code, message: got } => {
                    assert_eq!(code, row);
                    assert_eq!(got.as_deref(), Some(*message));
                }
                other => panic!("{} gave {other:?}", row.code()),
            }
            assert!(err.to_string().contains(row.code()), "{err}");
            assert_eq!(err.code(), Some(row));
        }
    }
}

#[tokio::test]
async fn an_unlisted_error_code_is_kept() {
    let mock = mock().await;
    mock.fail_next("9999", Some("未知のエラー"));
    let err = client(&mock).push_events().send().await.unwrap_err();
    let Error::Api { code, message } = err else {
        panic!("{err:?}")
    };
    assert_eq!(code.code(), "9999");
    assert!(!code.is_known());
    assert_eq!(message.as_deref(), Some("未知のエラー"));
}

/// The typed builder refuses these before sending; the raw client sends them so that the
/// server's own validation shows up as typed errors.
#[tokio::test]
async fn server_side_validation_codes_through_the_raw_client() {
    let mock = mock().await;
    let client = client(&mock);
    let cases = [
        (
            r#"{"start_time":"2018-13-01"}"#,
            PushErrorCode::InvalidStartDate,
        ),
        (
            r#"{"start_time":"2018-01-24 25:00"}"#,
            PushErrorCode::InvalidStartTime,
        ),
        (
            r#"{"end_time":"2018-02-30"}"#,
            PushErrorCode::InvalidEndDate,
        ),
        (
            r#"{"end_time":"2018-01-24 12:60"}"#,
            PushErrorCode::InvalidEndTime,
        ),
        (
            r#"{"start_time":"2018-01-26","end_time":"2018-01-25 23:59"}"#,
            PushErrorCode::StartAfterEnd,
        ),
        (r#"{"user":"nobody"}"#, PushErrorCode::UnknownUser),
    ];
    for (filter, expected) in cases {
        let filter: PushEventFilter = serde_json::from_str(filter).unwrap();
        let err = client.push_event_get_v2(filter.clone()).await.unwrap_err();
        assert_eq!(err.code(), Some(&expected), "{filter:?}: {err}");
    }
}

#[tokio::test]
async fn wrong_and_malformed_credentials_are_http_errors() {
    let mock = mock().await;
    let wrong = Client::new(
        mock.base_url(),
        Credentials::basic("ormaster", "wrong-password"),
    )
    .unwrap();
    let err = wrong.push_events().send().await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized), "{err:?}");
    assert!(!format!("{err} {err:?}").contains("wrong-password"));

    let none = Client::new(mock.base_url(), Credentials::None).unwrap();
    assert!(matches!(
        none.push_events().send().await.unwrap_err(),
        Error::Unauthorized
    ));

    let malformed = Client::new(mock.base_url(), Credentials::basic("bad user", "x")).unwrap();
    assert!(matches!(
        malformed.push_events().send().await.unwrap_err(),
        Error::Forbidden
    ));
}

#[tokio::test]
async fn http_404_and_500_have_their_own_variant() {
    let mock = mock().await;
    let client = Config::new(mock.base_url(), Credentials::basic("ormaster", "ormaster"))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    for status in [404u16, 500, 503] {
        mock.http_status_next(status).unwrap();
        let err = client.push_events().send().await.unwrap_err();
        match err {
            Error::Http {
                status: got,
                body_excerpt,
            } => {
                assert_eq!(got, status);
                assert_eq!(body_excerpt, "", "ORCA sends an empty body");
            }
            other => panic!("{status}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn weborca_prefix_reaches_the_same_api() {
    let mock = mock().await;
    let client = Config::new(mock.base_url(), Credentials::basic("ormaster", "ormaster"))
        .weborca()
        .build()
        .unwrap();
    let events = client.push_events().event("print002").send().await.unwrap();
    assert_eq!(events.len(), 1);
}

#[tokio::test]
async fn offsets_are_kept_and_windows_compare_instants() {
    let mock = OrcaMock::builder().fixtures(false).spawn().await.unwrap();
    // 07:30 UTC is 16:30 JST: inside a JST window 16:00-16:59, written with a UTC offset.
    mock.insert_raw(serde_json::json!({
        "uuid": "0b7c6f4e-5d4b-4b8a-9c1d-2e3f4a5b6c7d", "id": 7, "event": "patient_accept",
        "user": "ormaster", "body": {"Patient_ID": "00077"}, "time": "2018-01-24T07:30:00+0000"
    }))
    .unwrap();
    mock.insert_raw(serde_json::json!({
        "uuid": "1b7c6f4e-5d4b-4b8a-9c1d-2e3f4a5b6c7d", "id": 8, "event": "accept",
        "user": "ormaster", "body": {"Patient_ID": "00078"}, "time": "2018-01-24T16:40:00+09:00"
    }))
    .unwrap();
    let events = client(&mock)
        .push_events()
        .start(t("2018-01-24 16:00"))
        .end(t("2018-01-24 16:59"))
        .send()
        .await
        .unwrap();
    let times: Vec<String> = events.iter().map(|e| e.time.to_string()).collect();
    assert_eq!(
        times,
        ["2018-01-24T07:30:00+0000", "2018-01-24T16:40:00+09:00"]
    );
    assert_eq!(
        events[0].time.date_time(),
        DateTime::parse_from_rfc3339("2018-01-24T16:30:00+09:00").unwrap()
    );
}

#[tokio::test]
async fn ids_wrap_but_uuids_stay_unique() {
    let mock = OrcaMock::builder().fixtures(false).spawn().await.unwrap();
    mock.set_next_id(65535);
    let now = mock.now();
    let a = mock.push(
        "patient_accept",
        "ormaster",
        serde_json::json!({"Patient_ID": "1"}),
        now,
    );
    let b = mock.push(
        "patient_accept",
        "ormaster",
        serde_json::json!({"Patient_ID": "2"}),
        now,
    );
    assert_ne!(a, b);
    let events = client(&mock).push_events().send().await.unwrap();
    let ids: Vec<u16> = events.iter().map(|e| e.id).collect();
    assert_eq!(ids, [65535, 1]);
}

#[tokio::test]
async fn notifications_older_than_seven_days_are_gone_after_the_next_push() {
    let now = DateTime::parse_from_rfc3339("2018-02-10T12:00:00+09:00").unwrap();
    let mock = OrcaMock::builder()
        .fixtures(false)
        .clock(Clock::Fixed(now))
        .spawn()
        .await
        .unwrap();
    mock.push(
        "patient_accept",
        "ormaster",
        serde_json::json!({}),
        now - Duration::days(8),
    );
    mock.push(
        "patient_accept",
        "ormaster",
        serde_json::json!({}),
        now - Duration::days(6),
    );
    mock.push("patient_accept", "ormaster", serde_json::json!({}), now);
    let events = client(&mock).push_events().send().await.unwrap();
    assert_eq!(
        events.len(),
        2,
        "the 8-day-old notification is deleted on insert"
    );
}

#[tokio::test]
async fn transient_http_failures_are_retried_and_the_call_succeeds() {
    let mock = mock().await;
    let client = Config::new(mock.base_url(), Credentials::basic("ormaster", "ormaster"))
        .retry(quick_retries(3))
        .build()
        .unwrap();
    mock.http_status_next(503).unwrap();
    mock.http_status_next(500).unwrap();
    let events = client.push_events().event("print002").send().await.unwrap();
    assert_eq!(events.len(), 1);
    // per call: no retries
    mock.http_status_next(503).unwrap();
    let err = client
        .push_events()
        .retry(RetryPolicy::none())
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Http { status: 503, .. }), "{err:?}");
    // ORCA's own errors are answers, never retried
    mock.fail_next("4001", None);
    let err = client.push_events().send().await.unwrap_err();
    assert_eq!(err.code().map(|c| c.code()), Some("4001"));
    assert!(client.push_events().event("print002").send().await.is_ok());
}

#[tokio::test]
async fn an_answer_over_the_size_limit_is_refused() {
    let mock = mock().await;
    let client = Config::new(mock.base_url(), Credentials::basic("ormaster", "ormaster"))
        .max_response_bytes(1024)
        .build()
        .unwrap();
    let err = client.push_events().send().await.unwrap_err();
    assert!(matches!(err, Error::TooLarge { limit: 1024 }), "{err:?}");
    let small = client.push_events().event("print002").send().await.unwrap();
    assert_eq!(small.len(), 1, "a small answer still passes");
}
