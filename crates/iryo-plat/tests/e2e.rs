//! `iryo-plat` against the `iryo-mock` PLAT server over real HTTP on loopback.

use chrono::NaiveDateTime;
use iryo_mock::plat::{DEMO_TOKEN, DateStyle, OTHER_ORG_TOKEN, PlatMock};
use iryo_plat::{ApprovalStatus, Client, DeletedFlag, Error, PlatErrorCode, Side};
use serde_json::Value;

async fn mock() -> PlatMock {
    PlatMock::builder().spawn().await.expect("mock starts")
}

fn client(mock: &PlatMock, token: &str) -> Client {
    Client::new(mock.app_url(), token).unwrap()
}

fn local(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").unwrap()
}

#[tokio::test]
async fn the_documents_request_gives_the_documents_response() {
    let mock = mock().await;
    let result = client(&mock, DEMO_TOKEN)
        .delete_provider_permission("2", "\u{301C}のため削除します")
        .await
        .unwrap();
    let sample: Value = serde_json::from_str(include_str!(
        "../../../specs/plat/examples/response-sample.json"
    ))
    .unwrap();
    assert_eq!(serde_json::to_value(&result).unwrap(), sample);
    let group = result.group().unwrap();
    assert_eq!(group.deleted_flg, Some(DeletedFlag::Deleted));
    assert_eq!(group.status, Some(ApprovalStatus::Approved));
    assert_eq!(
        group.requested_datetime.unwrap().local(),
        local("2021-10-07 19:51:02")
    );
    let approval = &result.permission_approval[0];
    assert_eq!(
        approval.permission_approval_id.as_ref().unwrap().as_str(),
        "2"
    );
    assert_eq!(
        approval.approved_datetime.unwrap().local(),
        local("2021-10-07 20:02:04")
    );
}

#[tokio::test]
async fn the_group_is_deleted_only_when_every_approver_has_deleted() {
    let mock = mock().await;
    let client = client(&mock, DEMO_TOKEN);
    let first = client
        .delete_provider_permission("16", "一人目")
        .await
        .unwrap();
    assert_eq!(
        first.group().unwrap().deleted_flg,
        Some(DeletedFlag::NotDeleted)
    );
    let flags: Vec<_> = first
        .permission_approval
        .iter()
        .map(|a| a.deleted_flg.clone())
        .collect();
    assert_eq!(
        flags,
        [Some(DeletedFlag::Deleted), Some(DeletedFlag::NotDeleted)]
    );
    let second = client
        .delete_participant_permission("17", "二人目")
        .await
        .unwrap();
    assert_eq!(
        second.group().unwrap().deleted_flg,
        Some(DeletedFlag::Deleted)
    );
    let comments: Vec<_> = second
        .permission_comment
        .iter()
        .filter_map(|c| c.comment.clone())
        .collect();
    assert!(
        comments.ends_with(&["一人目".to_owned(), "二人目".to_owned()]),
        "{comments:?}"
    );
}

#[tokio::test]
async fn each_error_code_of_the_mock_is_typed() {
    let mock = mock().await;
    let demo = client(&mock, DEMO_TOKEN);
    let cases = [
        ("30", 403, PlatErrorCode::RoleCheckFailed),
        ("40", 400, PlatErrorCode::OptimisticLockViolation),
        ("999", 500, PlatErrorCode::ServerError),
        ("abc", 500, PlatErrorCode::ServerError),
        ("a/b", 500, PlatErrorCode::ServerError),
        ("../2", 500, PlatErrorCode::ServerError),
    ];
    for (id, status, code) in cases {
        match demo.delete_provider_permission(id, "x").await.unwrap_err() {
            Error::Api {
                status: got,
                code: got_code,
                ..
            } => assert_eq!((got, got_code), (status, code), "{id}"),
            other => panic!("{id}: {other:?}"),
        }
    }
    let other = client(&mock, OTHER_ORG_TOKEN);
    let err = other
        .delete_provider_permission("40", "x")
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(&PlatErrorCode::RoleCheckFailed));
    other.delete_provider_permission("30", "x").await.unwrap();
    // deleting twice is an optimistic-lock violation
    let err = other
        .delete_provider_permission("30", "again")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Api {
                status: 400,
                code: PlatErrorCode::OptimisticLockViolation,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn injected_errors_and_statuses() {
    let mock = mock().await;
    let client = client(&mock, DEMO_TOKEN);
    for code in ["PLAT400", "PLAT403", "PLAT500", "PLAT410", "PLAT999"] {
        mock.fail_next(code, Some("注入されたエラー"), None)
            .unwrap();
        let err = client
            .delete_provider_permission("2", "x")
            .await
            .unwrap_err();
        assert_eq!(err.code().map(|c| c.code()), Some(code));
        assert!(err.to_string().contains(code), "{err}");
    }
    mock.fail_next("PLAT500", None, Some(200)).unwrap_err(); // statuses must be 400-599
    mock.http_status_next(502).unwrap();
    assert!(matches!(
        client
            .delete_provider_permission("2", "x")
            .await
            .unwrap_err(),
        Error::Http { status: 502, .. }
    ));
}

#[tokio::test]
async fn missing_or_wrong_tokens_are_unauthorized() {
    let mock = mock().await;
    let err = client(&mock, "not-a-token")
        .delete_provider_permission("2", "x")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unauthorized), "{err:?}");
    assert!(!format!("{err:?}").contains("not-a-token"));
}

#[tokio::test]
async fn every_jdk_date_style_is_read() {
    for style in DateStyle::ALL {
        let mock = PlatMock::builder().date_style(style).spawn().await.unwrap();
        let result = client(&mock, DEMO_TOKEN)
            .delete_provider_permission("2", "x")
            .await
            .unwrap();
        let group = result.group().unwrap();
        assert_eq!(
            group.requested_datetime.unwrap().local(),
            local("2021-10-07 19:51:02"),
            "{style:?}"
        );
    }
}

#[tokio::test]
async fn location_is_sent_when_asked() {
    let mock = mock().await;
    let result = client(&mock, DEMO_TOKEN)
        .delete_permission(Side::Providers, "2", "x", Some(&"remote".into()))
        .await
        .unwrap();
    assert!(result.group().is_some());
}

#[tokio::test]
async fn a_delete_is_never_sent_twice_after_a_server_error() {
    let mock = mock().await;
    let client = client(&mock, DEMO_TOKEN);
    mock.http_status_next(503).unwrap();
    let err = client
        .delete_provider_permission("2", "x")
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Http { status: 503, .. }),
        "not retried: {err:?}"
    );
    // the approval is still there: the 503 consumed the only request
    assert!(client.delete_provider_permission("2", "x").await.is_ok());
}

#[tokio::test]
async fn a_connection_refused_is_retried_then_reported() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/cloudEHR", listener.local_addr().unwrap());
    drop(listener);
    let client = iryo_plat::Config::new(url, DEMO_TOKEN)
        .retry(iryo_plat::RetryPolicy {
            max_attempts: 2,
            initial_backoff: std::time::Duration::from_millis(1),
            ..iryo_plat::RetryPolicy::default()
        })
        .build()
        .unwrap();
    let err = client
        .delete_provider_permission("2", "x")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
}

#[tokio::test]
async fn an_answer_over_the_size_limit_is_refused() {
    let mock = mock().await;
    let client = iryo_plat::Config::new(mock.app_url(), DEMO_TOKEN)
        .max_response_bytes(100)
        .build()
        .unwrap();
    let err = client
        .delete_provider_permission("2", "x")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::TooLarge { limit: 100 }), "{err:?}");
}
