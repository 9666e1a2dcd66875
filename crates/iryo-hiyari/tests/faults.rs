//! Every fault mode of the mock, end to end: a successful retry (searches are safe to repeat),
//! a resumable interruption, or the typed error that says what happened.

use std::time::{Duration, Instant};

use iryo_hiyari::decode::InvalidBytes;
use iryo_hiyari::{Client, Config, Count, Error, RetryPolicy, SearchQuery};
use iryo_mock::Fault;
use iryo_mock::hiyari::HiyariMock;
use iryo_testkit::quick_retries;

fn config(mock: &HiyariMock, retry: RetryPolicy) -> Config {
    Config::new(mock.base_url())
        .page_pause(Duration::ZERO)
        .retry(retry)
        .read_timeout(Duration::from_millis(500))
        .max_response_bytes(1024 * 1024)
}

async fn stream_all(client: &Client, query: SearchQuery) -> (usize, Option<Error>) {
    let mut stream = client.search(query);
    let mut count = 0;
    while let Some(item) = stream.next().await {
        match item {
            Ok(_) => count += 1,
            Err(e) => return (count, Some(e)),
        }
    }
    (count, None)
}

#[tokio::test]
async fn transient_faults_are_retried_for_pages_and_streams() {
    let mock = HiyariMock::builder().spawn().await.unwrap();
    let client = config(&mock, quick_retries(3)).build().unwrap();
    let total = client
        .search_page(&SearchQuery::new().count(Count::All))
        .await
        .unwrap()
        .total as usize;
    for fault in [
        Fault::Status(503),
        Fault::Html(502),
        Fault::ResetBeforeResponse,
        Fault::CutBody { after_bytes: 40 },
        Fault::StallBeforeHeaders(Duration::from_secs(30)),
        Fault::StallMidBody {
            after_bytes: 40,
            stall: Duration::from_secs(30),
        },
    ] {
        mock.push_fault(fault.clone());
        let page = client
            .search_page(&SearchQuery::new().count(Count::All))
            .await;
        assert_eq!(
            page.unwrap_or_else(|e| panic!("{fault:?}: {e}"))
                .pharmacy_report
                .len(),
            total
        );
        // the first page of a stream fails before any report is yielded: retried too
        mock.push_fault(fault.clone());
        let (count, error) = stream_all(&client, SearchQuery::new().count(Count::All)).await;
        assert!(error.is_none(), "{fault:?}: {error:?}");
        assert_eq!(count, total, "{fault:?}");
    }
}

#[tokio::test]
async fn without_retries_each_fault_is_a_typed_error() {
    let mock = HiyariMock::builder().spawn().await.unwrap();
    let client = config(&mock, RetryPolicy::none()).build().unwrap();
    let query = SearchQuery::new();
    mock.push_fault(Fault::Status(503));
    assert!(matches!(
        client.search_page(&query).await,
        Err(Error::Http { status: 503, .. })
    ));
    mock.push_fault(Fault::Html(503));
    assert!(
        matches!(client.search_page(&query).await, Err(Error::Http { status: 503, body_excerpt }) if body_excerpt.contains("<html"))
    );
    mock.push_fault(Fault::ResetBeforeResponse);
    assert!(matches!(
        client.search_page(&query).await,
        Err(Error::Transport(_))
    ));
    mock.push_fault(Fault::CutBody { after_bytes: 40 });
    assert!(matches!(
        client.search_page(&query).await,
        Err(Error::Transport(_))
    ));
    mock.push_fault(Fault::StallBeforeHeaders(Duration::from_secs(30)));
    assert!(matches!(client.search_page(&query).await, Err(Error::Transport(e)) if e.is_timeout()));
    assert!(
        client.search_page(&query).await.is_ok(),
        "the next search is normal"
    );
}

#[tokio::test]
async fn a_stream_cut_after_some_reports_says_where_to_resume() {
    let mock = HiyariMock::builder().spawn().await.unwrap();
    let client = config(&mock, quick_retries(3))
        .page_size(1000)
        .build()
        .unwrap();
    let all = client
        .search_page(&SearchQuery::new().count(Count::All))
        .await
        .unwrap()
        .pharmacy_report;
    mock.push_fault(Fault::CutBody { after_bytes: 8000 }); // a few reports, then the cut
    let mut stream = client.search(SearchQuery::new().count(Count::All));
    let mut got = Vec::new();
    let error = loop {
        match stream.next().await.expect("ends with the error") {
            Ok(report) => got.push(report),
            Err(e) => break e,
        }
    };
    assert!(!got.is_empty() && got.len() < all.len());
    let Error::Interrupted { next_start, source } = error else {
        panic!("{error:?}")
    };
    assert_eq!(next_start as usize, got.len());
    assert!(matches!(*source, Error::Transport(_)), "{source:?}");
    let rest = client
        .search_page(&SearchQuery::new().start(next_start).count(Count::All))
        .await
        .unwrap();
    got.extend(rest.pharmacy_report);
    assert_eq!(got, all, "no gap, no duplicate");
}

#[tokio::test]
async fn invalid_shift_jis_fails_unless_lossy_is_chosen() {
    let mock = HiyariMock::builder().spawn().await.unwrap();
    let strict = config(&mock, quick_retries(3)).build().unwrap();
    mock.push_fault(Fault::InvalidShiftJis);
    let err = strict.search_page(&SearchQuery::new()).await.unwrap_err();
    assert!(
        matches!(err, Error::Read(iryo_hiyari::ReadError::Encoding { .. })),
        "{err:?}"
    );
    assert_eq!(mock.request_count(), 1, "not retried");
    mock.push_fault(Fault::InvalidShiftJis);
    let (count, error) = stream_all(&strict, SearchQuery::new().count(Count::All)).await;
    assert_eq!(count, 0, "the damage is in the first report");
    assert!(
        matches!(
            error,
            Some(Error::Read(iryo_hiyari::ReadError::Encoding { .. }))
        ),
        "{error:?}"
    );
    let lossy = config(&mock, quick_retries(3))
        .invalid_bytes(InvalidBytes::Replace)
        .build()
        .unwrap();
    mock.push_fault(Fault::InvalidShiftJis);
    let page = lossy.search_page(&SearchQuery::new()).await.unwrap();
    let text = page.pharmacy_report[0]
        .content_text
        .clone()
        .unwrap_or_default();
    assert!(text.contains('\u{FFFD}'), "{text}");
}

#[tokio::test]
async fn oversized_answers_are_refused_pages_and_streams() {
    let mock = HiyariMock::builder().spawn().await.unwrap();
    // The mock builds a big answer slowly in a debug build: wait for it, and never retry. The
    // oversized answer declares count=total=its reports: asked with count=all (one request),
    // only the size limit stops it (a page of 10 would be refused as over-delivery first).
    let client = config(&mock, RetryPolicy::none())
        .read_timeout(Duration::from_secs(30))
        .unbounded_all(true)
        .build()
        .unwrap();
    for chunked in [false, true] {
        mock.push_fault(Fault::Oversized {
            bytes: 3 * 1024 * 1024,
            chunked,
        });
        let all = SearchQuery::new().count(Count::All);
        let err = client.search_page(&all).await.unwrap_err();
        assert!(
            matches!(err, Error::TooLarge { limit: 1_048_576 }),
            "chunked={chunked}: {err:?}"
        );
        mock.push_fault(Fault::Oversized {
            bytes: 3 * 1024 * 1024,
            chunked,
        });
        let (_, error) = stream_all(&client, SearchQuery::new().count(Count::All)).await;
        let error = error.expect("the stream fails");
        let inner = match error {
            Error::Interrupted { source, .. } => *source,
            other => other,
        };
        assert!(
            matches!(inner, Error::TooLarge { .. }),
            "chunked={chunked}: {inner:?}"
        );
    }
}

#[tokio::test]
async fn mislabelled_answers_and_retry_after() {
    let mock = HiyariMock::builder().spawn().await.unwrap();
    let client = config(&mock, quick_retries(2)).build().unwrap();
    mock.push_fault(Fault::WrongContentType);
    assert!(client.search_page(&SearchQuery::new()).await.is_ok());
    mock.push_fault(Fault::RetryAfter {
        status: 503,
        seconds: 1,
    });
    let started = Instant::now();
    assert!(client.search_page(&SearchQuery::new()).await.is_ok());
    assert!(started.elapsed() >= Duration::from_secs(1));
}
