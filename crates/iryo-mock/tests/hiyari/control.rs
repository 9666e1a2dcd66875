//! Fault injection (library and `/__mock/hiyari/` routes) and the record of the last request.

use iryo_mock::hiyari::{ControlError, RecordedRequest};
use serde_json::{Value, json};

use crate::common::{Counts, client, get, mock, send};

const SAMPLE_2: &str = "itemcode=0090010&code=08&text=";

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

#[tokio::test]
async fn injected_failures_are_answered_once_each_in_order() {
    let mock = mock().await;
    assert_eq!(mock.fail_next_error("只今メンテナンス中です。"), Ok(()));
    assert_eq!(mock.http_status_next(503), Ok(()));
    // A body a client must refuse: Shift_JIS cut in the middle of 過 (89 DF).
    let broken = b"<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>\n<ResultSet><Error>\x89".to_vec();
    mock.raw_next(broken.clone(), "text/xml; charset=Shift_JIS");

    let error = get(&mock, SAMPLE_2).await;
    assert_eq!(error.parameter_error(), "只今メンテナンス中です。");
    let status = get(&mock, SAMPLE_2).await;
    assert_eq!((status.status, status.body.len()), (503, 0));
    assert_eq!(status.header("content-length"), Some("0"));
    let raw = get(&mock, SAMPLE_2).await;
    assert_eq!(raw.status, 200);
    assert_eq!(
        raw.header("content-type"),
        Some("text/xml; charset=Shift_JIS")
    );
    assert_eq!(raw.body, broken);
    let normal = get(&mock, SAMPLE_2).await;
    assert_eq!(
        normal.counts(),
        Counts {
            count: 10,
            position: 0,
            status: 0,
            total: 23
        }
    );
}

#[tokio::test]
async fn injections_refuse_what_the_service_could_not_send() {
    let mock = mock().await;
    assert_eq!(
        mock.http_status_next(200),
        Err(ControlError::StatusOutOfRange(200))
    );
    assert_eq!(
        mock.http_status_next(600),
        Err(ControlError::StatusOutOfRange(600))
    );
    // WAVE DASH U+301C has no Shift_JIS (Windows-31J) code.
    assert_eq!(
        mock.fail_next_error("10時〜12時は停止します"),
        Err(ControlError::NotShiftJis('〜'))
    );
    assert_eq!(
        get(&mock, SAMPLE_2).await.counts().total,
        23,
        "nothing was queued"
    );
}

#[tokio::test]
async fn the_last_request_is_recorded_decoded_and_raw() {
    let mock = mock().await;
    assert_eq!(mock.last_request(), None);
    let query =
        "item=LSTFACTOR&word=%89%df%98J%20%94%e6%98J&condition=any&item=&word=%87%40+%83%5C";
    get(&mock, query).await;
    let expected = RecordedRequest {
        method: "GET".to_owned(),
        path: "/phsearch/SearchReportApi.action".to_owned(),
        raw_query: query.to_owned(),
        params: pairs(&[
            ("item", "LSTFACTOR"),
            ("word", "過労 疲労"),
            ("condition", "any"),
            ("item", ""),
            ("word", "① ソ"),
        ]),
    };
    assert_eq!(mock.last_request(), Some(expected));
    // A refused UTF-8 request is recorded too, as the mojibake a Shift_JIS server sees.
    get(&mock, "word=%E9%81%8E%E5%8A%B4").await;
    let recorded = mock.last_request().map(|r| r.params);
    assert_eq!(recorded, Some(pairs(&[("word", "驕主感")])));
    // Injected failures still record the request.
    mock.http_status_next(500).ok();
    get(&mock, "order=2").await;
    let recorded = mock.last_request().map(|r| r.raw_query);
    assert_eq!(recorded.as_deref(), Some("order=2"));
}

async fn control(mock: &iryo_mock::hiyari::HiyariMock, route: &str, body: &str) -> (u16, String) {
    let url = format!("{}/__mock/hiyari/{route}", mock.base_url());
    let reply = send(
        client()
            .post(url)
            .header("content-type", "application/json")
            .body(body.to_owned()),
    )
    .await;
    (
        reply.status,
        String::from_utf8_lossy(&reply.body).into_owned(),
    )
}

#[tokio::test]
async fn control_routes_queue_the_same_failures() {
    let mock = mock().await;
    let queued = control(
        &mock,
        "error-next",
        r#"{"message":"検索条件が多すぎます。"}"#,
    )
    .await;
    assert_eq!(queued, (204, String::new()));
    assert_eq!(
        get(&mock, SAMPLE_2).await.parameter_error(),
        "検索条件が多すぎます。"
    );

    assert_eq!(
        control(&mock, "http-status-next", r#"{"status":500}"#)
            .await
            .0,
        204
    );
    assert_eq!(get(&mock, SAMPLE_2).await.status, 500);

    let url = format!("{}/__mock/hiyari/raw-next", mock.base_url());
    let raw = send(
        client()
            .post(url)
            .header("content-type", "text/html; charset=ISO-8859-1")
            .body(b"<html>Service Unavailable</html>".to_vec()),
    )
    .await;
    assert_eq!(raw.status, 204);
    let answered = get(&mock, SAMPLE_2).await;
    assert_eq!(
        answered.header("content-type"),
        Some("text/html; charset=ISO-8859-1")
    );
    assert_eq!(answered.body, b"<html>Service Unavailable</html>");
}

#[tokio::test]
async fn control_routes_refuse_malformed_requests() {
    let mock = mock().await;
    let cases = [
        ("error-next", "not json", "body is not JSON"),
        ("error-next", "[]", "body must be a JSON object"),
        (
            "error-next",
            r#"{"message":1}"#,
            "`message` must be a string",
        ),
        (
            "error-next",
            r#"{"message":"〜"}"#,
            "Shift_JIS cannot carry '〜'",
        ),
        (
            "http-status-next",
            r#"{"status":302}"#,
            "`status` must be an HTTP status from 400 to 599",
        ),
    ];
    for (route, body, reason) in cases {
        let (status, answer) = control(&mock, route, body).await;
        assert_eq!(status, 400, "{route} {body}");
        let error: Value = serde_json::from_str(&answer).unwrap_or_default();
        let text = error["error"].as_str().unwrap_or_default();
        assert!(text.starts_with(reason), "{route} {body}: {text}");
    }
    let wrong_method =
        send(client().get(format!("{}/__mock/hiyari/error-next", mock.base_url()))).await;
    assert_eq!(wrong_method.status, 405);
    assert_eq!(get(&mock, SAMPLE_2).await.counts().total, 23);
}

#[tokio::test]
async fn the_last_request_route_answers_json() {
    let mock = mock().await;
    let url = format!("{}/__mock/hiyari/last-request", mock.base_url());
    let before = send(client().get(&url)).await;
    assert_eq!(before.status, 200);
    assert_eq!(before.body, b"null");
    get(&mock, "item=DATMEDNAME&word=%83%5C").await;
    let after = send(client().get(&url)).await;
    let value: Value = serde_json::from_slice(&after.body).unwrap_or_default();
    assert_eq!(
        value,
        json!({
            "method": "GET",
            "path": "/phsearch/SearchReportApi.action",
            "raw_query": "item=DATMEDNAME&word=%83%5C",
            "params": [["item", "DATMEDNAME"], ["word", "ソ"]],
        })
    );
}

#[tokio::test]
async fn data_changes_withdraw_and_insert_now_or_before_a_request() {
    let mock = crate::common::spawn(iryo_mock::hiyari::HiyariMock::builder().synthetic(100)).await;
    let page = |reply: crate::common::Reply| (reply.counts().total, reply.reports());
    let (total, before) = page(get(&mock, "count=20").await);
    assert_eq!(total, 100);
    // Withdrawn at position 5: total 99, later reports move back by one.
    let withdrawn = control(&mock, "change", r#"{"kind":"withdraw","position":5}"#).await;
    assert_eq!(withdrawn, (204, String::new()));
    let (total, after) = page(get(&mock, "count=20").await);
    assert_eq!(total, 99);
    assert_eq!(after[..5], before[..5]);
    assert_eq!(after[5..19], before[6..20]);
    assert_eq!(mock.report_count(), 99);
    // Scheduled: applied just before the named request, not earlier.
    let next = mock.request_count() + 2;
    let body = format!(r#"{{"kind":"insert","count":3,"before_request":{next}}}"#);
    assert_eq!(control(&mock, "change", &body).await.0, 204);
    assert_eq!(page(get(&mock, "count=1").await).0, 99);
    assert_eq!(page(get(&mock, "count=1").await).0, 102);
    // Refused: no such position, not a change.
    let far = control(&mock, "change", r#"{"kind":"withdraw","position":500}"#).await;
    assert_eq!(far.0, 400);
    assert!(far.1.contains("no report at position 500"), "{}", far.1);
    assert_eq!(control(&mock, "change", r#"{"kind":"melt"}"#).await.0, 400);
    // The default data set does not change.
    let fixed = crate::common::mock().await;
    assert_eq!(
        control(&fixed, "change", r#"{"kind":"insert","count":1}"#)
            .await
            .0,
        400
    );
}

#[tokio::test]
async fn a_text_correction_changes_that_report_only_and_only_its_content_text() {
    let mock = crate::common::spawn(iryo_mock::hiyari::HiyariMock::builder().synthetic(100)).await;
    let page = |reply: crate::common::Reply| (reply.counts().total, reply.reports());
    let (_, before) = page(get(&mock, "count=20").await);
    let corrected = control(&mock, "change", r#"{"kind":"correct_text","position":7}"#).await;
    assert_eq!(corrected, (204, String::new()));
    let (total, after) = page(get(&mock, "count=20").await);
    assert_eq!(total, 100);
    for (i, (b, a)) in before.iter().zip(&after).enumerate() {
        if i != 7 {
            assert_eq!(a, b, "report {i}");
            continue;
        }
        let text = |r: &str| {
            r.split_once("<DATCONTENTTEXT>")
                .and_then(|(_, rest)| rest.split_once("</DATCONTENTTEXT>"))
                .map(|(text, _)| text.to_owned())
                .unwrap()
        };
        assert_eq!(text(a), format!("{}（訂正）", text(b)));
        assert_eq!(a.replace("（訂正）", ""), *b);
    }
    let twice = control(&mock, "change", r#"{"kind":"correct_text","position":7}"#).await;
    assert_eq!(twice.0, 400);
    assert!(twice.1.contains("corrected already"), "{}", twice.1);
}
