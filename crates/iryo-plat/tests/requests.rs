//! The generated request types (`iryo_plat::requests`) used directly, end to end against the mock:
//! a twin's `side` picks the path and the operation (with its retry class), the path ids are
//! checked by the names the spec gives (`x-iryo-name`), and a write is sent once.

use std::time::Duration;

use iryo_mock::plat::{DEMO_TOKEN, PlatMock};
use iryo_plat::requests::{DeletePermission, GetPermissionApproval, GetPermissionRequest};
use iryo_plat::types::PermissionDeleteRequest;
use iryo_plat::{Client, Config, DeletedFlag, Error, RetryPolicy, Side};
use iryo_runtime::__private::{Request, RetryClass};

async fn setup() -> (PlatMock, Client) {
    let mock = PlatMock::builder().spawn().await.unwrap();
    let retry = RetryPolicy {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(2),
        max_elapsed: Duration::from_secs(10),
        jitter: false,
    };
    let client = Config::new(mock.app_url(), DEMO_TOKEN)
        .retry(retry)
        .build()
        .unwrap();
    (mock, client)
}

#[tokio::test]
async fn a_request_type_sends_its_operation_on_its_side() {
    let (mock, client) = setup().await;
    let body = &PermissionDeleteRequest {
        comment: "〜のため削除します".to_owned(),
    };
    let delete = DeletePermission {
        side: Side::Providers,
        permission_approval_id: "2",
        location: None,
        body,
    };
    assert_eq!(delete.operation().name, "deleteProviderPermission");
    assert_eq!(delete.operation().retry, RetryClass::Write);
    assert_eq!(delete.effect(), Some("the deletion"));
    let group = delete.send(&client).await.unwrap();
    let deleted = group.permission_approval[0].deleted_flg.as_ref();
    assert_eq!(deleted, Some(&DeletedFlag::Deleted));
    let participants = DeletePermission {
        side: Side::Participants,
        ..delete
    };
    assert_eq!(participants.operation().name, "deleteParticipantPermission");
    // A write is sent once: a 503 reaches the caller.
    let before = mock.request_count();
    mock.http_status_next(503).unwrap();
    let refused = participants.send(&client).await.unwrap_err();
    assert!(
        matches!(refused, Error::Http { status: 503, .. }),
        "{refused:?}"
    );
    assert_eq!(
        mock.request_count() - before,
        1,
        "a write is not sent again"
    );
    // A read is: the 503 is retried, then the answer comes.
    let read = GetPermissionApproval {
        side: Side::Providers,
        permission_approval_id: "3",
        location: None,
    };
    assert_eq!(read.operation().retry, RetryClass::Read);
    mock.http_status_next(503).unwrap();
    let before = mock.request_count();
    let _ = read.send(&client).await;
    assert_eq!(mock.request_count() - before, 2, "a read is sent again");
}

#[tokio::test]
async fn path_ids_are_checked_by_the_names_the_spec_gives_before_sending() {
    let (mock, client) = setup().await;
    let before = mock.request_count();
    let request = GetPermissionRequest {
        side: Side::Participants,
        id: "..",
        location: None,
        status: None,
    };
    assert_eq!(request.path_segments(), vec![("permissionGroupId", "..")]);
    let refused = request.send(&client).await.unwrap_err();
    assert!(
        matches!(
            refused,
            Error::InvalidInput {
                field: "permissionGroupId",
                ..
            }
        ),
        "{refused:?}"
    );
    assert_eq!(mock.request_count(), before, "nothing was sent");
}
