//! Every fault mode of the mock, end to end: a successful retry, or the typed error that says
//! what happened.

use std::time::{Duration, Instant};

use iryo_mock::Fault;
use iryo_mock::orca::OrcaMock;
use iryo_orca::{Client, Config, Credentials, Error, RetryPolicy};
use iryo_testkit::quick_retries;

async fn setup(retry: RetryPolicy) -> (OrcaMock, Client) {
    setup_with_timeout(retry, Duration::from_millis(500)).await
}

/// The mock builds an oversized answer slowly in a debug build: such tests wait longer.
async fn setup_with_timeout(retry: RetryPolicy, timeout: Duration) -> (OrcaMock, Client) {
    let mock = OrcaMock::builder().spawn().await.unwrap();
    let client = Config::new(mock.base_url(), Credentials::basic("ormaster", "ormaster"))
        .retry(retry)
        .timeout(timeout)
        .max_response_bytes(1024 * 1024)
        .build()
        .unwrap();
    (mock, client)
}

async fn fetch(client: &Client) -> Result<usize, Error> {
    client
        .push_events()
        .event("print002")
        .send()
        .await
        .map(|events| events.len())
}

#[tokio::test]
async fn transient_faults_are_retried_and_the_call_succeeds() {
    for fault in [
        Fault::Status(503),
        Fault::Html(502),
        Fault::ResetBeforeResponse,
        Fault::CutBody { after_bytes: 20 },
        Fault::StallBeforeHeaders(Duration::from_secs(30)),
        Fault::StallMidBody {
            after_bytes: 20,
            stall: Duration::from_secs(30),
        },
    ] {
        let (mock, client) = setup(quick_retries(3)).await;
        mock.push_fault(fault.clone());
        assert_eq!(
            fetch(&client)
                .await
                .unwrap_or_else(|e| panic!("{fault:?}: {e}")),
            1
        );
        assert_eq!(mock.request_count(), 2, "{fault:?}: one retry");
    }
}

#[tokio::test]
async fn without_retries_each_fault_is_a_typed_error() {
    let (mock, client) = setup(RetryPolicy::none()).await;
    mock.push_fault(Fault::Status(503));
    assert!(matches!(
        fetch(&client).await,
        Err(Error::Http { status: 503, .. })
    ));
    mock.push_fault(Fault::Html(502));
    match fetch(&client).await {
        Err(Error::Http {
            status: 502,
            body_excerpt,
        }) => assert!(body_excerpt.contains("<html"), "{body_excerpt}"),
        other => panic!("{other:?}"),
    }
    mock.push_fault(Fault::ResetBeforeResponse);
    assert!(matches!(fetch(&client).await, Err(Error::Transport(_))));
    mock.push_fault(Fault::CutBody { after_bytes: 20 });
    match fetch(&client).await {
        Err(error @ Error::Cut(_)) => {
            let shown = error.to_string();
            assert!(shown.contains(&mock.base_url()), "the real URL: {shown}");
            assert!(
                shown.contains("after 20 bytes") && !shown.contains("no.url"),
                "{shown}"
            );
        }
        other => panic!("a cut body is its own error: {other:?}"),
    }
    mock.push_fault(Fault::StallBeforeHeaders(Duration::from_secs(30)));
    assert!(matches!(fetch(&client).await, Err(Error::Transport(e)) if e.is_timeout()));
    mock.push_fault(Fault::StallMidBody {
        after_bytes: 20,
        stall: Duration::from_secs(30),
    });
    assert!(matches!(fetch(&client).await, Err(Error::Transport(_))));
    assert_eq!(fetch(&client).await.unwrap(), 1, "the next call is normal");
}

#[tokio::test]
async fn damaged_or_oversized_answers_are_not_retried() {
    let (mock, client) = setup_with_timeout(quick_retries(3), Duration::from_secs(30)).await;
    mock.push_fault(Fault::InvalidShiftJis); // invalid UTF-8 inside the JSON
    assert!(matches!(fetch(&client).await, Err(Error::Decode { .. })));
    assert_eq!(mock.request_count(), 1);
    for chunked in [false, true] {
        mock.push_fault(Fault::Oversized {
            bytes: 2 * 1024 * 1024,
            chunked,
        });
        assert!(
            matches!(
                fetch(&client).await,
                Err(Error::TooLarge { limit: 1_048_576 })
            ),
            "chunked={chunked}"
        );
    }
    assert_eq!(mock.request_count(), 3);
}

#[tokio::test]
async fn a_wrong_content_type_does_not_matter_when_the_body_is_right() {
    let (mock, client) = setup(RetryPolicy::none()).await;
    mock.push_fault(Fault::WrongContentType);
    assert_eq!(fetch(&client).await.unwrap(), 1);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let (mock, client) = setup(quick_retries(2)).await;
    mock.push_fault(Fault::RetryAfter {
        status: 503,
        seconds: 1,
    });
    let started = Instant::now();
    assert_eq!(fetch(&client).await.unwrap(), 1);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited for Retry-After"
    );
    assert_eq!(mock.request_count(), 2);
}
