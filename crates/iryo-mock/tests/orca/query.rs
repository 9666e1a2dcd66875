//! Successful answers: the document's sample, filters, windows and verbatim bodies.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{
    API, DOC_REQUEST, DOC_RESPONSE, FIXTURE_UUIDS, api, at, basic, empty_mock, fixture, mock,
    request, send,
};

/// The document's response sample, compacted with its key order kept.
fn doc_response_compact() -> String {
    let parsed: Value = serde_json::from_str(DOC_RESPONSE).unwrap_or(Value::Null);
    parsed.to_string()
}

#[tokio::test]
async fn the_document_request_returns_the_document_response() {
    let mock = mock().await;
    let reply = api(&mock, DOC_REQUEST).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.header("server"), Some("glserver/iryo-mock"));
    assert_eq!(
        reply.json(),
        serde_json::from_str::<Value>(DOC_RESPONSE).unwrap_or(Value::Null)
    );
    // Same keys in the same order, byte for byte once whitespace is removed.
    assert_eq!(reply.body, doc_response_compact());
}

#[tokio::test]
async fn the_weborca_prefix_answers_the_same() {
    let mock = mock().await;
    let auth = basic("ormaster:ormaster");
    let reply = send(
        &mock,
        Method::POST,
        "/api/api01rv2/pusheventgetv2",
        Some(&auth),
        DOC_REQUEST,
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, doc_response_compact());
}

#[tokio::test]
async fn a_query_string_is_ignored() {
    let mock = mock().await;
    let path = format!("{API}?format=json");
    let reply = send(
        &mock,
        Method::POST,
        &path,
        Some(&basic("ormaster:ormaster")),
        DOC_REQUEST,
    )
    .await;
    assert_eq!(reply.body, doc_response_compact());
}

#[tokio::test]
async fn no_filter_lists_everything_by_time_then_insertion() {
    let mock = mock().await;
    let reply = api(&mock, request("", "", "", "")).await;
    assert_eq!(reply.uuids(), FIXTURE_UUIDS);
    let empty_strings =
        r#"{"pusheventgetv2req":{"event":"","user":"","start_time":"","end_time":""}}"#;
    assert_eq!(api(&mock, empty_strings).await.uuids(), FIXTURE_UUIDS);
    let unknown_keys = r#"{"pusheventgetv2req":{"Request_Number":"01"},"extra":true}"#;
    assert_eq!(api(&mock, unknown_keys).await.uuids(), FIXTURE_UUIDS);
}

#[tokio::test]
async fn event_and_user_filters_are_exact() {
    let mock = mock().await;
    let by_doctor = api(&mock, request("", "doctor1", "", "")).await;
    assert_eq!(by_doctor.uuids(), [3, 4, 7, 8, 13, 15].map(fixture));
    let accepts = api(&mock, request("patient_accept", "", "", "")).await;
    assert_eq!(accepts.uuids(), [5, 6, 8, 11].map(fixture));
    let misspelt = api(&mock, request("patient_infomation", "", "", "")).await;
    assert_eq!(misspelt.uuids(), [fixture(1)]);
    let other_spelling = api(&mock, request("patient_information", "", "", "")).await;
    assert_eq!(other_spelling.json()["error"]["code"], "0007");
    let prefix = api(&mock, request("patient", "", "", "")).await;
    assert_eq!(prefix.json()["error"]["code"], "0007");
}

#[tokio::test]
async fn date_only_windows_cover_whole_days() {
    let mock = mock().await;
    let day_24 = api(&mock, request("", "", "2018-01-24", "2018-01-24")).await;
    assert_eq!(day_24.uuids(), FIXTURE_UUIDS[..12]);
    let day_25 = api(&mock, request("", "", "2018-01-25", "2018-01-25")).await;
    assert_eq!(day_25.uuids(), FIXTURE_UUIDS[12..]);
    let from_25 = api(&mock, request("", "", "2018-01-25", "")).await;
    assert_eq!(from_25.uuids(), FIXTURE_UUIDS[12..]);
    let until_24 = api(&mock, request("", "", "", "2018-01-24")).await;
    assert_eq!(until_24.uuids(), FIXTURE_UUIDS[..12]);
}

#[tokio::test]
async fn a_date_only_end_includes_the_last_second_of_the_day() {
    let mock = empty_mock().await;
    let late = mock.push(
        "patient_accept",
        "ormaster",
        json!({}),
        at("2018-01-24T23:59:59+09:00"),
    );
    let midnight = mock.push(
        "patient_accept",
        "ormaster",
        json!({}),
        at("2018-01-25T00:00:00+09:00"),
    );
    assert_eq!(
        api(&mock, request("", "", "", "2018-01-24")).await.uuids(),
        [late.as_str()]
    );
    assert_eq!(
        api(&mock, request("", "", "2018-01-25", "")).await.uuids(),
        [midnight.as_str()]
    );
    assert_eq!(
        api(
            &mock,
            request("", "", "2018-01-24 23:59", "2018-01-25 00:00")
        )
        .await
        .uuids(),
        [late, midnight]
    );
}

#[tokio::test]
async fn an_end_minute_is_inclusive_through_its_59th_second() {
    let mock = mock().await;
    // Fixture 15 was sent at 09:30:59.
    let reply = api(
        &mock,
        request("receive_medicalreq", "", "", "2018-01-25 09:30"),
    )
    .await;
    assert_eq!(reply.uuids(), [fixture(15)]);
    let reply = api(
        &mock,
        request("receive_medicalreq", "", "", "2018-01-25 09:29"),
    )
    .await;
    assert_eq!(reply.json()["error"]["code"], "0007");
    let reply = api(
        &mock,
        request(
            "receive_medicalreq",
            "",
            "2018-01-25 09:30",
            "2018-01-25 09:30",
        ),
    )
    .await;
    assert_eq!(reply.uuids(), [fixture(15)]);
}

#[tokio::test]
async fn a_start_minute_begins_at_its_first_second() {
    let mock = mock().await;
    // Fixture 05 was sent at 12:59:59, one second before the document's window opens.
    let reply = api(
        &mock,
        request(
            "patient_accept",
            "ormaster",
            "2018-01-24 12:59",
            "2018-01-24 16:05",
        ),
    )
    .await;
    assert_eq!(reply.uuids(), [fixture(5), fixture(6)]);
    let reply = api(
        &mock,
        request(
            "patient_accept",
            "ormaster",
            "2018-01-24 13:00",
            "2018-01-24 16:05",
        ),
    )
    .await;
    assert_eq!(reply.uuids(), [fixture(6)]);
}

#[tokio::test]
async fn windows_compare_instants_whatever_the_stored_offset() {
    let mock = empty_mock().await;
    let utc = json!({"uuid": "u-1", "id": 1, "event": "accept", "user": "ormaster", "body": {},
                     "time": "2018-01-24T00:30:00+00:00"});
    let Ok(uuid) = mock.insert_raw(utc) else {
        panic!("insert failed")
    };
    let reply = api(
        &mock,
        request("", "", "2018-01-24 09:30", "2018-01-24 09:30"),
    )
    .await;
    assert_eq!(reply.uuids(), [uuid]);
    let reply = api(
        &mock,
        request("", "", "2018-01-24 00:00", "2018-01-24 00:59"),
    )
    .await;
    assert_eq!(reply.json()["error"]["code"], "0007");
}

#[tokio::test]
async fn bodies_and_extra_keys_come_back_verbatim() {
    let mock = mock().await;
    let unknown = api(&mock, request("patient_future_thing", "", "", "")).await;
    let file: Value = serde_json::from_str(include_str!(
        "../../fixtures/orca/16_patient_future_thing.json"
    ))
    .unwrap_or(Value::Null);
    assert_eq!(unknown.body, json!([{ "data": file }]).to_string());
    assert!(
        unknown
            .body
            .ends_with(r#""time":"2018-01-25T11:11:11+0900","revision":2}}]"#)
    );

    let print = api(&mock, request("print001", "", "", "")).await.json();
    let body = &print[0]["data"]["body"];
    assert_eq!(body.as_array().map(Vec::len), Some(2));
    assert_eq!(body[1]["Report_Name"], "診療費明細書");

    let accept = api(&mock, request("accept", "", "", "")).await.json();
    assert_eq!(accept[0]["data"]["time"], "2018-01-24T09:04:47+09:00");
    assert_eq!(
        accept[0]["data"]["body"]["Medical_Memo"],
        "三日前から咳が続く"
    );

    let custom = api(&mock, request("user_event", "", "", "")).await.json();
    assert_eq!(custom[0]["data"]["body"]["sub_event"], "daily_close");
    assert_eq!(custom[0]["data"]["body"]["Processed"], 42);
}

#[tokio::test]
async fn every_notification_keeps_the_server_key_order() {
    let mock = mock().await;
    let all = api(&mock, request("", "", "", "")).await.json();
    for item in all.as_array().into_iter().flatten() {
        let keys: Vec<&str> = item["data"]
            .as_object()
            .into_iter()
            .flat_map(|o| o.keys())
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys[..6],
            ["uuid", "id", "event", "user", "body", "time"],
            "{item}"
        );
    }
}
