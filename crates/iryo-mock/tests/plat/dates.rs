//! Dates on the wire, in each JDK's Gson default.

use iryo_mock::plat::{DateStyle, PlatMock};

use crate::common::{G2, delete, group, spawn};

/// requestedDatetime and approvedDatetime of G1, then of G2's two approvals.
async fn dates_in(style: DateStyle) -> [String; 4] {
    let mock = spawn(PlatMock::builder().date_style(style)).await;
    let answer = delete(&mock, "2", "x").await.ok();
    let g2 = group(&mock, G2);
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("?").to_owned();
    [
        text(&answer["permissionGroup"]["requestedDatetime"]),
        text(&answer["permissionApproval"][0]["approvedDatetime"]),
        text(&g2["permissionApproval"][0]["approvedDatetime"]),
        text(&g2["permissionApproval"][1]["approvedDatetime"]),
    ]
}

#[tokio::test]
async fn java9_is_the_default_and_the_documents_form() {
    let mock = spawn(PlatMock::builder()).await;
    let answer = delete(&mock, "2", "x").await.ok();
    assert_eq!(
        answer["permissionGroup"]["requestedDatetime"],
        "Oct 7, 2021, 7:51:02 PM"
    );
    assert_eq!(
        dates_in(DateStyle::Java9).await,
        [
            "Oct 7, 2021, 7:51:02 PM",
            "Oct 7, 2021, 8:02:04 PM",
            "Nov 1, 2021, 12:00:00 PM",
            "Nov 2, 2021, 12:30:15 AM",
        ]
    );
}

#[tokio::test]
async fn java8_has_no_comma_after_the_year() {
    assert_eq!(
        dates_in(DateStyle::Java8).await,
        [
            "Oct 7, 2021 7:51:02 PM",
            "Oct 7, 2021 8:02:04 PM",
            "Nov 1, 2021 12:00:00 PM",
            "Nov 2, 2021 12:30:15 AM",
        ]
    );
}

#[tokio::test]
async fn jdk20_puts_a_narrow_no_break_space_before_am_pm() {
    assert_eq!(
        dates_in(DateStyle::Jdk20).await,
        [
            "Oct 7, 2021, 7:51:02\u{202F}PM",
            "Oct 7, 2021, 8:02:04\u{202F}PM",
            "Nov 1, 2021, 12:00:00\u{202F}PM",
            "Nov 2, 2021, 12:30:15\u{202F}AM",
        ]
    );
}

#[tokio::test]
async fn the_style_can_change_while_running() {
    let mock = spawn(PlatMock::builder()).await;
    mock.set_date_style(DateStyle::Java8);
    let answer = delete(&mock, "16", "x").await.ok();
    assert_eq!(
        answer["permissionGroup"]["requestedDatetime"],
        "Nov 1, 2021 9:05:00 AM"
    );
}
