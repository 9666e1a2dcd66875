//! Each operation retries by the class the spec gives it (`x-iryo-retry`, else the method), end to end
//! against the mock: every read is sent again after a 503 or a reset connection; a write is not, once the
//! request may have reached the server.

use std::time::Duration;

use iryo_mock::Fault;
use iryo_mock::plat::{DEMO_TOKEN, PlatMock};
use iryo_plat::{Client, Config, Error, GrantStatus, RetryPolicy, Side};

fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(2),
        max_elapsed: Duration::from_secs(10),
        jitter: false,
    }
}

async fn setup() -> (PlatMock, Client) {
    let mock = PlatMock::builder().spawn().await.unwrap();
    let client = Config::new(mock.app_url(), DEMO_TOKEN)
        .timeout(Duration::from_secs(5))
        .retry(quick_retries())
        .build()
        .unwrap();
    (mock, client)
}

/// Runs one read after `fault`: it must have been sent twice, and the fault must not reach the caller.
async fn read_after(
    mock: &PlatMock,
    fault: Fault,
    name: &str,
    read: impl AsyncFnOnce() -> Result<(), Error>,
) {
    let before = mock.request_count();
    mock.push_fault(fault);
    let outcome = read().await;
    assert!(
        !matches!(outcome, Err(Error::Http { .. } | Error::Transport(_))),
        "{name}: {outcome:?}"
    );
    assert_eq!(
        mock.request_count() - before,
        2,
        "{name} was sent again once"
    );
}

/// An answer, a PLAT error (a missing id) included: the fault did not reach the caller.
fn ok<T>(result: Result<T, Error>) -> Result<(), Error> {
    match result {
        Ok(_) | Err(Error::Api { .. }) => Ok(()),
        Err(other) => Err(other),
    }
}

#[tokio::test]
async fn the_ten_reads_are_retried_after_a_503_and_a_reset() {
    let (mock, client) = setup().await;
    for fault in [Fault::Status(503), Fault::ResetBeforeResponse] {
        let kind = format!("{fault:?}");
        read_after(
            &mock,
            fault.clone(),
            &format!("list_permissions {kind}"),
            async || ok(client.list_permissions(None, None, None, None).await),
        )
        .await;
        read_after(&mock, fault.clone(), "get_permission", async || {
            ok(client.get_permission("1", None, None).await)
        })
        .await;
        for side in [Side::Providers, Side::Participants] {
            read_after(&mock, fault.clone(), "permission_requests", async || {
                ok(client.permission_requests(side, None, None, None).await)
            })
            .await;
            read_after(&mock, fault.clone(), "permission_request", async || {
                ok(client
                    .permission_requests(side, Some("1"), None, None)
                    .await)
            })
            .await;
            read_after(&mock, fault.clone(), "permission_approvals", async || {
                ok(client.permission_approvals(side, None, None).await)
            })
            .await;
            read_after(&mock, fault.clone(), "permission_approval", async || {
                ok(client.permission_approval(side, "1", None).await)
            })
            .await;
        }
    }
}

#[tokio::test]
async fn a_write_that_may_have_reached_the_server_is_not_sent_again() {
    let (mock, client) = setup().await;
    let decide =
        || client.decide_permission(Side::Providers, "16", GrantStatus::Approve, "ok", None);
    mock.push_fault(Fault::Status(503));
    assert!(matches!(
        decide().await,
        Err(Error::Http { status: 503, .. })
    ));
    mock.push_fault(Fault::ResetBeforeResponse);
    assert!(matches!(decide().await, Err(Error::Transport(_))));
    assert_eq!(mock.request_count(), 2, "no write was sent twice");
}
