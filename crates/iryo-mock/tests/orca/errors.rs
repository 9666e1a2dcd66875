//! Every business error of the document, with its exact message, as HTTP 200 and `{"error":{…}}`.

use iryo_mock::orca::messages::MESSAGES_0089;

use crate::common::{DOC_REQUEST, api, mock, request};

const M0001: &str = "イベント名に半角以外の文字が入力されています。";
const M0002: &str = "ユーザ名に半角以外の文字が入力されています。";
const M0003: &str = "期間開始日時の日付の入力に誤りがあります。";
const M0004: &str = "期間開始日時の時刻の入力に誤りがあります。";
const M0005: &str = "期間終了日時の日付の入力に誤りがあります。";
const M0006: &str = "期間終了日時の時刻の入力に誤りがあります。";
const M0007: &str = "対象となるＰＵＳＨ通知が存在しませんでした。";
const M0008: &str = "期間開始日時＞期間終了日時です。";
const M4001: &str = "更新処理に失敗しました。";
const M0097: &str = "送信内容に誤りがあります。";
const M0098: &str = "送信内容の読込ができませんでした。";
const M0099: &str = "ユーザＩＤが未登録です。";

#[tokio::test]
async fn event_outside_printable_ascii_is_0001() {
    let mock = mock().await;
    for event in [
        "ｐａｔｉｅｎｔ＿ａｃｃｅｐｔ",
        "patient accept",
        "受付",
        "patient_accept\t",
    ] {
        api(&mock, request(event, "", "", ""))
            .await
            .assert_business_error("0001", M0001);
    }
}

#[tokio::test]
async fn user_outside_printable_ascii_is_0002() {
    let mock = mock().await;
    for user in ["オルマスター", "or master"] {
        api(&mock, request("", user, "", ""))
            .await
            .assert_business_error("0002", M0002);
    }
}

#[tokio::test]
async fn a_bad_start_date_is_0003() {
    let mock = mock().await;
    for start in [
        "2018-02-30",
        "2018-1-24",
        "2018/01/24",
        "yesterday",
        "2018-01-24T13:00",
        "2018-13-01 10:00",
    ] {
        api(&mock, request("", "", start, ""))
            .await
            .assert_business_error("0003", M0003);
    }
}

#[tokio::test]
async fn a_bad_start_time_is_0004() {
    let mock = mock().await;
    for start in [
        "2018-01-24 25:00",
        "2018-01-24 12:5",
        "2018-01-24 12:00:00",
        "2018-01-24 12:60",
        "2018-01-24 ",
    ] {
        api(&mock, request("", "", start, ""))
            .await
            .assert_business_error("0004", M0004);
    }
}

#[tokio::test]
async fn a_bad_end_date_is_0005() {
    let mock = mock().await;
    for end in ["2018-02-29", "tomorrow", "18-01-25"] {
        api(&mock, request("", "", "", end))
            .await
            .assert_business_error("0005", M0005);
    }
}

#[tokio::test]
async fn a_bad_end_time_is_0006() {
    let mock = mock().await;
    for end in ["2018-01-25 24:00", "2018-01-25 9:30", "2018-01-25 12:59:59"] {
        api(&mock, request("", "", "", end))
            .await
            .assert_business_error("0006", M0006);
    }
}

#[tokio::test]
async fn no_matching_notification_is_0007() {
    let mock = mock().await;
    let reply = api(
        &mock,
        request("patient_accept", "ormaster", "2018-01-20", "2018-01-21"),
    )
    .await;
    reply.assert_business_error("0007", M0007);
    let reply = api(&mock, request("no_such_event", "", "", "")).await;
    reply.assert_business_error("0007", M0007);
}

#[tokio::test]
async fn a_start_after_the_end_is_0008() {
    let mock = mock().await;
    let reply = api(
        &mock,
        request("", "", "2018-01-25 13:00", "2018-01-25 12:59"),
    )
    .await;
    reply.assert_business_error("0008", M0008);
    let reply = api(&mock, request("", "", "2018-01-25", "2018-01-24 23:59")).await;
    reply.assert_business_error("0008", M0008);
}

#[tokio::test]
async fn a_request_of_the_wrong_shape_is_0097() {
    let mock = mock().await;
    let bodies = [
        "[]",
        "{}",
        "\"pusheventgetv2req\"",
        r#"{"pusheventgetv2req": "patient_accept"}"#,
        r#"{"pusheventgetv2req": null}"#,
        r#"{"pusheventgetv2req": {"event": 1}}"#,
        r#"{"pusheventgetv2req": {"user": null}}"#,
        r#"{"pusheventgetv2req": {"start_time": true}}"#,
        r#"{"pusheventgetv2req": {"end_time": ["2018-01-25"]}}"#,
        // A structural error wins over a bad value in another field.
        r#"{"pusheventgetv2req": {"event": "受付", "user": 7}}"#,
    ];
    for body in bodies {
        api(&mock, body).await.assert_business_error("0097", M0097);
    }
}

#[tokio::test]
async fn an_unreadable_request_is_0098() {
    let mock = mock().await;
    for body in [
        &b""[..],
        b"{",
        b"pusheventgetv2req",
        b"{\"pusheventgetv2req\":{\"event\":\"\xff\"}}",
    ] {
        api(&mock, body.to_vec())
            .await
            .assert_business_error("0098", M0098);
    }
}

#[tokio::test]
async fn an_unregistered_user_is_0099() {
    let mock = mock().await;
    api(&mock, request("", "nurse9", "", ""))
        .await
        .assert_business_error("0099", M0099);
    // Checked last: the window is valid but would match nothing, and still 0099 wins over 0007.
    let reply = api(
        &mock,
        request("patient_accept", "nurse9", "2018-01-01", "2018-01-02"),
    )
    .await;
    reply.assert_business_error("0099", M0099);
}

#[tokio::test]
async fn checks_run_in_document_order() {
    let mock = mock().await;
    let reply = api(&mock, request("受付", "オルマスター", "bad", "bad")).await;
    reply.assert_business_error("0001", M0001);
    let reply = api(&mock, request("", "オルマスター", "bad", "bad")).await;
    reply.assert_business_error("0002", M0002);
    let reply = api(&mock, request("", "nurse9", "bad", "2018-01-24 25:00")).await;
    reply.assert_business_error("0003", M0003);
    let reply = api(&mock, request("", "nurse9", "2018-01-25", "bad")).await;
    reply.assert_business_error("0005", M0005);
    let reply = api(&mock, request("", "nurse9", "2018-01-25", "2018-01-24")).await;
    reply.assert_business_error("0008", M0008);
}

#[tokio::test]
async fn server_side_failures_come_from_injection() {
    let mock = mock().await;
    mock.fail_next("4001", None);
    mock.fail_next("4002", None);
    api(&mock, DOC_REQUEST)
        .await
        .assert_business_error("4001", M4001);
    api(&mock, DOC_REQUEST)
        .await
        .assert_business_error("4002", M4001);
    assert_eq!(api(&mock, DOC_REQUEST).await.uuids().len(), 2);
}

#[tokio::test]
async fn code_0089_carries_each_of_its_six_messages() {
    let expected = [
        "職員情報が取得できません。",
        "医療機関情報が取得できません。",
        "システム日付が取得できません。",
        "患者番号構成情報が取得できません。",
        "グループ医療機関が不整合です。処理を終了して下さい。",
        "システム項目が設定できません。",
    ];
    assert_eq!(MESSAGES_0089, expected);
    let mock = mock().await;
    for message in expected {
        mock.fail_next("0089", Some(message));
        api(&mock, DOC_REQUEST)
            .await
            .assert_business_error("0089", message);
    }
    mock.fail_next("0089", None);
    api(&mock, DOC_REQUEST)
        .await
        .assert_business_error("0089", expected[0]);
}
