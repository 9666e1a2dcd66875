//! Every fault mode of the mock, end to end. A delete is not idempotent: nothing that may have
//! reached the server is sent again, and each fault is a typed error.

use std::time::Duration;

use iryo_mock::Fault;
use iryo_mock::plat::{DEMO_TOKEN, PlatMock};
use iryo_plat::{Client, Config, Error, PlatErrorCode};

async fn setup() -> (PlatMock, Client) {
    setup_with_timeout(Duration::from_millis(500)).await
}

/// The mock builds an oversized answer slowly in a debug build: such tests wait longer.
async fn setup_with_timeout(timeout: Duration) -> (PlatMock, Client) {
    let mock = PlatMock::builder().spawn().await.unwrap();
    let client = Config::new(mock.app_url(), DEMO_TOKEN)
        .timeout(timeout)
        .max_response_bytes(1024 * 1024)
        .build()
        .unwrap();
    (mock, client)
}

#[tokio::test]
async fn each_fault_is_a_typed_error_and_nothing_is_resent() {
    let (mock, client) = setup().await;
    let delete = || client.delete_provider_permission("16", "x");
    mock.push_fault(Fault::Status(503));
    assert!(matches!(
        delete().await,
        Err(Error::Http { status: 503, .. })
    ));
    mock.push_fault(Fault::Html(502));
    assert!(
        matches!(delete().await, Err(Error::Http { status: 502, body_excerpt }) if body_excerpt.contains("<html"))
    );
    mock.push_fault(Fault::RetryAfter {
        status: 429,
        seconds: 1,
    });
    assert!(matches!(
        delete().await,
        Err(Error::Http { status: 429, .. })
    ));
    mock.push_fault(Fault::ResetBeforeResponse);
    assert!(matches!(delete().await, Err(Error::Transport(_))));
    mock.push_fault(Fault::StallBeforeHeaders(Duration::from_secs(30)));
    assert!(matches!(delete().await, Err(Error::Transport(e)) if e.is_timeout()));
    assert_eq!(mock.request_count(), 5, "no fault was retried");
}

#[tokio::test]
async fn a_cut_answer_means_the_delete_happened() {
    let (mock, client) = setup().await;
    mock.push_fault(Fault::CutBody { after_bytes: 30 });
    let cut = client
        .delete_provider_permission("16", "x")
        .await
        .unwrap_err();
    assert!(
        matches!(
            &cut,
            Error::Cut {
                effect: Some(_),
                ..
            }
        ),
        "a cut answer is its own error: {cut:?}"
    );
    let shown = cut.to_string();
    for said in [
        "the deletion may have happened",
        "check before repeating",
        "/providers/permission/delete/16",
        "after 30 bytes",
    ] {
        assert!(shown.contains(said), "{said:?} in {shown}");
    }
    assert!(
        !shown.contains("no.url.provided") && !shown.contains("could not reach"),
        "{shown}"
    );
    let again = client
        .delete_provider_permission("16", "x")
        .await
        .unwrap_err();
    assert_eq!(again.code(), Some(&PlatErrorCode::OptimisticLockViolation));
}

#[tokio::test]
async fn damaged_oversized_and_mislabelled_answers() {
    let (mock, client) = setup_with_timeout(Duration::from_secs(30)).await;
    mock.push_fault(Fault::InvalidShiftJis); // invalid UTF-8 inside the JSON
    assert!(matches!(
        client.delete_provider_permission("16", "x").await,
        Err(Error::Decode { .. })
    ));
    for chunked in [false, true] {
        mock.push_fault(Fault::Oversized {
            bytes: 2 * 1024 * 1024,
            chunked,
        });
        let err = client
            .delete_provider_permission("17", "x")
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::TooLarge { limit: 1_048_576 }),
            "chunked={chunked}: {err:?}"
        );
    }
    mock.push_fault(Fault::WrongContentType);
    assert!(client.delete_provider_permission("2", "x").await.is_ok());
}
