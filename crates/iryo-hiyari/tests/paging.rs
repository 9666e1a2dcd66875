//! Paging against servers that do not page as asked, end to end over loopback: a cap below
//! `count`, the same page again, over-delivery, a start near `u64::MAX`, hostile bodies.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use iryo_hiyari::ReadError;
use iryo_hiyari::decode::InvalidBytes;
use iryo_hiyari::{
    Client, Condition, Config, Count, Error, Limit, Limits, PageRequest, PagingError,
    PharmacyReport, Pipelined, RawPages, RetryPolicy, SearchQuery,
};
use iryo_mock::Fault;
use iryo_mock::hiyari::HiyariMock;

async fn mock() -> HiyariMock {
    HiyariMock::builder().spawn().await.expect("mock starts")
}

fn config(mock: &HiyariMock) -> Config {
    Config::new(mock.base_url())
        .page_pause(Duration::ZERO)
        .retry(RetryPolicy::none())
}

async fn collect(client: &Client, query: SearchQuery) -> (Vec<PharmacyReport>, Option<Error>) {
    let mut stream = client.search(query);
    let mut out = Vec::new();
    while let Some(report) = stream.next().await {
        match report {
            Ok(report) => out.push(report),
            Err(e) => return (out, Some(e)),
        }
    }
    (out, None)
}

/// The paging error under an interruption, and where to resume.
fn paging_error(error: Error) -> (Option<u64>, PagingError) {
    match error {
        Error::Interrupted { next_start, source } => match *source {
            Error::Paging { source, .. } => (Some(next_start), source),
            other => panic!("{other:?}"),
        },
        Error::Paging { source, .. } => (None, source),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_server_capping_answers_below_count_loses_nothing() {
    let mock = mock().await;
    let client = config(&mock).page_size(25).build().unwrap();
    let (honest, error) = collect(&client, SearchQuery::new().count(Count::All)).await;
    assert!(error.is_none());
    assert_eq!(honest.len(), mock.report_count());
    mock.push_faults((0..10).map(|_| Fault::AnswerCap { items: 10 }));
    let before = mock.request_count();
    let (capped, error) = collect(&client, SearchQuery::new().count(Count::All)).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(capped, honest, "every report, in order, once");
    assert_eq!(
        mock.request_count() - before,
        5,
        "41 reports in answers of 10"
    );
    // --start 5 --count 15 against the same server: 15 reports, from the 6th
    mock.push_faults((0..10).map(|_| Fault::AnswerCap { items: 10 }));
    let query = SearchQuery::new().start(5).count(Count::Limit(15));
    let (some, error) = collect(&client, query).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(some, honest[5..20]);
}

#[tokio::test]
async fn the_same_page_forever_is_a_typed_error_after_two_requests() {
    let mock = mock().await;
    let client = config(&mock).page_size(10).build().unwrap();
    // the first page (start=0) is answered as asked; every later one is the first again
    mock.push_faults((0..100).map(|_| Fault::IgnoreStart { claim_start: false }));
    let (reports, error) = collect(&client, SearchQuery::new().count(Count::All)).await;
    assert_eq!(reports.len(), 10);
    let (next_start, error) = paging_error(error.expect("an error"));
    assert_eq!(next_start, Some(10));
    assert_eq!(
        error,
        PagingError::PositionMismatch {
            asked: 10,
            answered: 0
        }
    );
    assert_eq!(mock.request_count(), 2);
    // the same content with a position that pretends to be the start asked
    let mock = self::mock().await;
    let client = config(&mock).page_size(10).build().unwrap();
    mock.push_faults((0..100).map(|_| Fault::IgnoreStart { claim_start: true }));
    let (reports, error) = collect(&client, SearchQuery::new().count(Count::All)).await;
    assert_eq!(
        reports.len(),
        10,
        "no report of the repeated page is yielded"
    );
    let (_, error) = paging_error(error.expect("an error"));
    assert_eq!(error, PagingError::RepeatedPage { start: 10 });
    assert_eq!(mock.request_count(), 2);
}

#[tokio::test]
async fn over_delivery_is_refused_before_any_report() {
    let mock = mock().await;
    let client = config(&mock).build().unwrap();
    mock.push_fault(Fault::OverDeliver { items: 1000 });
    let (reports, error) = collect(&client, SearchQuery::new().count(Count::Limit(5))).await;
    assert!(reports.is_empty());
    let (next_start, error) = paging_error(error.expect("an error"));
    assert_eq!(next_start, None);
    assert!(
        matches!(error, PagingError::OverDelivery { allowed: 5, .. }),
        "{error:?}"
    );
    mock.push_fault(Fault::OverDeliver { items: 1000 });
    let page = client
        .search_page(&SearchQuery::new().count(Count::Limit(5)))
        .await;
    assert!(matches!(page, Err(Error::Paging { .. })), "{page:?}");
}

#[tokio::test]
async fn a_start_near_u64_max_ends_after_one_request() {
    let mock = mock().await;
    let client = config(&mock).build().unwrap();
    let query = SearchQuery::new()
        .start(18_446_744_073_709_551_600)
        .count(Count::All);
    let (reports, error) = collect(&client, query).await;
    assert!(reports.is_empty() && error.is_none(), "{error:?}");
    assert_eq!(mock.request_count(), 1);
}

#[tokio::test]
async fn no_report_below_total_is_no_progress() {
    let mock = mock().await;
    let client = config(&mock).page_size(10).build().unwrap();
    mock.push_fault(Fault::IgnoreStart { claim_start: false });
    mock.push_fault(Fault::Generated {
        prefix: "<?xml version=\"1.0\"?><ResultSet count=\"0\" position=\"10\" status=\"0\" \
                 total=\"999999999\">"
            .to_owned(),
        repeat: " ".to_owned(),
        times: Some(1),
        suffix: "</ResultSet>".to_owned(),
    });
    let (reports, error) = collect(&client, SearchQuery::new().count(Count::All)).await;
    assert_eq!(reports.len(), 10);
    let (next_start, error) = paging_error(error.expect("an error"));
    assert_eq!(next_start, Some(10));
    assert_eq!(
        error,
        PagingError::NoProgress {
            start: 10,
            total: 999_999_999
        }
    );
}

const HEAD: &str = "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>\
                    <ResultSet count=\"1\" position=\"0\" status=\"0\" total=\"1\">";

/// Hostile bodies streamed by the mock, read by a client with small limits: each ends in the
/// typed error of its limit.
#[tokio::test]
async fn hostile_bodies_end_in_the_error_of_their_limit() {
    let mock = mock().await;
    let limits = Limits::new()
        .report_elements(1000)
        .report_unknown_elements(100)
        .element_bytes(16 * 1024)
        .prolog_bytes(4096);
    let client = config(&mock).limits(limits).build().unwrap();
    let report = format!("{HEAD}<PHARMACY_REPORT>");
    let cases = [
        (
            report.clone(),
            "<X/>",
            Some(5_000_000),
            Limit::ReportUnknownElements,
        ),
        (
            format!("{report}<LSTFACTOR>"),
            "<DATFACTOR CODE=\"01\"/>",
            Some(4_000_000),
            Limit::ReportElements,
        ),
        (
            format!("{report}<DATCONTENTTEXT>"),
            "text ",
            Some(40_000_000),
            Limit::ElementBytes,
        ),
        (
            format!("{report}<X"),
            " a=\"1\"",
            Some(200_000),
            Limit::ElementBytes,
        ),
        (String::new(), "\0", None, Limit::PrologBytes),
        (
            "<?xml version=\"1.0\"?>".to_owned(),
            "endless text ",
            None,
            Limit::PrologBytes,
        ),
    ];
    for (prefix, repeat, times, limit) in cases {
        mock.push_fault(Fault::Generated {
            prefix,
            repeat: repeat.to_owned(),
            times,
            suffix: "</PHARMACY_REPORT></ResultSet>".to_owned(),
        });
        let (_, error) = collect(&client, SearchQuery::new().count(Count::Limit(1))).await;
        match error {
            Some(Error::Read(ReadError::Limit { limit: hit, .. })) => assert_eq!(hit, limit),
            other => panic!("{repeat:?}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_word_without_item_searches_the_whole_report() {
    let mock = mock().await;
    let client = config(&mock).build().unwrap();
    let query = SearchQuery::new().words(None, "調剤", Condition::All);
    let page = client.search_page(&query).await.unwrap();
    assert!(page.total >= 1);
    let sent = mock.last_request().unwrap().raw_query;
    assert!(
        sent.starts_with("item=&word=%92%B2%8D%DC&condition=all"),
        "{sent}"
    );
}

/// One raw page: its start and its bytes.
type RawPage = (u64, Arc<Mutex<Vec<u8>>>);

/// Raw pages kept in memory, in request order.
#[derive(Default)]
struct Kept(Arc<Mutex<Vec<RawPage>>>);

struct Shared(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl RawPages for Kept {
    fn page(&self, request: &PageRequest) -> std::io::Result<Box<dyn std::io::Write + Send>> {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        self.0.lock().unwrap().push((request.start, buffer.clone()));
        Ok(Box::new(Shared(buffer)))
    }
}

#[tokio::test]
async fn raw_pages_are_kept_as_received_and_read_back_the_same() {
    let mock = mock().await;
    let kept = Arc::new(Kept::default());
    let client = config(&mock)
        .page_size(15)
        .raw_pages(kept.clone())
        .build()
        .unwrap();
    let (reports, error) = collect(&client, SearchQuery::new().count(Count::All)).await;
    assert!(error.is_none());
    // every byte up to `</ResultSet>` was copied before the parser read it
    let pages = kept.0.lock().unwrap().clone();
    assert_eq!(
        pages.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        [0, 15, 30]
    );
    let mut again = Vec::new();
    for (_, bytes) in pages {
        let bytes = bytes.lock().unwrap().clone();
        let parsed = Pipelined::new(
            std::io::Cursor::new(bytes),
            InvalidBytes::Fail,
            Limits::new(),
        );
        again.extend(parsed.unwrap().map(Result::unwrap));
    }
    assert_eq!(again, reports);
}
