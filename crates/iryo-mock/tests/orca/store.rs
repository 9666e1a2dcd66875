//! The store: retention on insert, the id counter, uuid as primary key.

use iryo_mock::orca::{Clock, ControlError, OrcaMock};
use serde_json::{Value, json};

use crate::common::{FIXTURE_UUIDS, api, at, empty_mock, fixture, mock, request};

#[tokio::test]
async fn each_insert_first_deletes_notifications_older_than_seven_days() {
    // Exactly seven days after document sample 1 (fixture 06, 2018-01-24T16:02:53+09:00).
    let built = OrcaMock::builder()
        .clock(Clock::Fixed(at("2018-01-31T16:02:53+09:00")))
        .spawn()
        .await;
    let Ok(mock) = built else {
        panic!("the mock did not start")
    };
    // Retention runs only on insert: loading fixtures and reading do not delete anything.
    assert_eq!(
        api(&mock, request("", "", "", "")).await.uuids(),
        FIXTURE_UUIDS
    );

    let new = mock.push(
        "patient_accept",
        "ormaster",
        json!({"Patient_ID": "00077"}),
        mock.now(),
    );
    let mut expected: Vec<String> = FIXTURE_UUIDS[5..].iter().map(|u| u.to_string()).collect();
    expected.push(new);
    assert_eq!(api(&mock, request("", "", "", "")).await.uuids(), expected);
}

#[tokio::test]
async fn an_old_notification_survives_until_the_next_insert() {
    let mock = empty_mock().await;
    let old = json!({"uuid": "old-1", "id": 7, "event": "accept", "user": "ormaster", "body": {},
                     "time": "2018-01-01T09:00:00+0900"});
    assert_eq!(mock.insert_raw(old), Ok("old-1".to_owned()));
    assert_eq!(api(&mock, request("", "", "", "")).await.uuids(), ["old-1"]);
    let new = mock.push("accept", "ormaster", json!({}), mock.now());
    assert_eq!(api(&mock, request("", "", "", "")).await.uuids(), [new]);
}

#[tokio::test]
async fn moving_the_clock_changes_what_the_next_insert_deletes() {
    let mock = mock().await;
    mock.set_clock(Clock::Fixed(at("2018-02-01T11:11:11+09:00")));
    assert_eq!(mock.now(), at("2018-02-01T11:11:11+09:00"));
    mock.push(
        "user_event",
        "ormaster",
        json!({"sub_event": "tick"}),
        mock.now(),
    );
    let left: Vec<String> = mock
        .events()
        .iter()
        .map(|e| e["uuid"].as_str().unwrap_or("?").to_owned())
        .collect();
    assert_eq!(left.len(), 2);
    assert_eq!(left[0], fixture(16));
}

#[tokio::test]
async fn ids_wrap_from_65535_back_to_1() {
    let mock = empty_mock().await;
    mock.set_next_id(65534);
    for second in 1..=3 {
        let time = at(&format!("2018-01-25T10:00:0{second}+09:00"));
        mock.push("patient_accept", "ormaster", json!({}), time);
    }
    let answer = api(&mock, request("", "", "", "")).await.json();
    let ids: Vec<Value> = answer
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| i["data"]["id"].clone())
        .collect();
    assert_eq!(ids, [json!(65534), json!(65535), json!(1)]);
}

#[tokio::test]
async fn push_writes_what_orca_writes() {
    let mock = empty_mock().await;
    let uuid = mock.push(
        "print002",
        "doctor1",
        json!({"Data_Id": "d-1", "Orca_Uid": "o-1"}),
        at("2018-01-25T03:00:00Z"),
    );
    let parsed = uuid::Uuid::parse_str(&uuid).map(|u| u.get_version_num());
    assert_eq!(parsed, Ok(4));
    let expected = format!(
        r#"[{{"data":{{"uuid":"{uuid}","id":1,"event":"print002","user":"doctor1","body":{{"Data_Id":"d-1","Orca_Uid":"o-1"}},"time":"2018-01-25T12:00:00+0900"}}}}]"#
    );
    assert_eq!(
        api(&mock, request("", "doctor1", "", "")).await.body,
        expected
    );
}

#[tokio::test]
async fn the_uuid_is_the_primary_key() {
    let mock = mock().await;
    let replacement = json!({"uuid": fixture(6), "id": 1, "event": "patient_accept", "user": "ormaster",
                             "body": {"Patient_Mode": "delete"}, "time": "2018-01-24T16:02:53+0900"});
    assert_eq!(
        mock.insert_raw(replacement.clone()),
        Ok(fixture(6).to_owned())
    );
    let answer = api(&mock, request("", "", "", "")).await;
    assert_eq!(answer.uuids().len(), FIXTURE_UUIDS.len());
    let stored: Vec<Value> = mock
        .events()
        .into_iter()
        .filter(|e| e["uuid"] == fixture(6))
        .collect();
    assert_eq!(stored, [replacement]);
}

#[tokio::test]
async fn insert_raw_refuses_what_it_cannot_index() {
    let mock = empty_mock().await;
    assert_eq!(mock.insert_raw(json!([1])), Err(ControlError::NotAnObject));
    assert_eq!(
        mock.insert_raw(json!({"time": "2018-01-24T16:02:53+0900"})),
        Err(ControlError::MissingUuid)
    );
    let no_offset = json!({"uuid": "x", "time": "2018-01-24T16:02:53"});
    assert_eq!(
        mock.insert_raw(no_offset),
        Err(ControlError::BadTime("2018-01-24T16:02:53".to_owned()))
    );
    assert_eq!(
        mock.http_status_next(200),
        Err(ControlError::StatusOutOfRange(200))
    );
    assert!(mock.events().is_empty());
}

#[tokio::test]
async fn users_of_stored_notifications_and_configured_operators_are_registered() {
    let built = OrcaMock::builder()
        .fixtures(false)
        .operator("nurse9")
        .spawn()
        .await;
    let Ok(mock) = built else {
        panic!("the mock did not start")
    };
    assert_eq!(
        api(&mock, request("", "doctor1", "", "")).await.json()["error"]["code"],
        "0099"
    );
    assert_eq!(
        api(&mock, request("", "nurse9", "", "")).await.json()["error"]["code"],
        "0007"
    );
    assert_eq!(
        api(&mock, request("", "ormaster", "", "")).await.json()["error"]["code"],
        "0007"
    );
    mock.push("accept", "doctor1", json!({}), mock.now());
    assert_eq!(
        api(&mock, request("", "doctor1", "", ""))
            .await
            .uuids()
            .len(),
        1
    );
    mock.clear();
    assert!(mock.events().is_empty());
    assert_eq!(
        api(&mock, request("", "doctor1", "", "")).await.json()["error"]["code"],
        "0099"
    );
}

#[tokio::test]
async fn shutdown_stops_the_server() {
    let mock = mock().await;
    let url = format!("{}/api01rv2/pusheventgetv2", mock.base_url());
    assert_eq!(mock.addr().ip().to_string(), "127.0.0.1");
    assert_eq!(mock.shutdown().await.ok(), Some(()));
    assert!(crate::common::client().post(url).send().await.is_err());
}
