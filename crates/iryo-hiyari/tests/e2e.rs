//! `iryo-hiyari` against the `iryo-mock` hiyari server over real HTTP on loopback.

use std::time::Duration;

use iryo_hiyari::{
    Client, Condition, Config, Count, Error, Item, ItemCode, Method, Order, RetryPolicy,
    SearchQuery,
};
use iryo_hiyari_codes::IncidentSummary;
use iryo_mock::hiyari::HiyariMock;
use iryo_testkit::quick_retries;

async fn mock() -> HiyariMock {
    HiyariMock::builder().spawn().await.expect("mock starts")
}

fn config(mock: &HiyariMock) -> Config {
    Config::new(mock.base_url()).page_pause(Duration::ZERO)
}

fn client(mock: &HiyariMock) -> Client {
    config(mock).build().unwrap()
}

async fn collect(
    client: &Client,
    query: SearchQuery,
) -> Result<Vec<iryo_hiyari::PharmacyReport>, Error> {
    let mut stream = client.search(query);
    let mut out = Vec::new();
    while let Some(report) = stream.next().await {
        out.push(report?);
    }
    Ok(out)
}

#[tokio::test]
async fn the_documents_four_sample_searches_find_reports() {
    let mock = mock().await;
    let client = client(&mock);
    let samples = [
        SearchQuery::new().words(Some(Item::FactorList), "過労 疲労", Condition::Any),
        SearchQuery::new().codes(ItemCode::from_known_code("0090010").unwrap(), ["08"]),
        SearchQuery::new()
            .order(Order::OccurredAt)
            .from(2010, Some(12)),
        SearchQuery::new()
            .words(Some(Item::ImprovementText), "夜勤 長時間", Condition::All)
            .from(2011, Some(1)),
    ];
    for query in samples {
        let page = client.search_page(&query).await.unwrap();
        assert!(page.total >= 1, "{query:?}");
        assert!(!page.pharmacy_report.is_empty());
        // what arrived at the server is exactly the document's query string (upper-case hex)
        let arrived = mock.last_request().unwrap();
        assert_eq!(arrived.raw_query, query.to_query_string().unwrap());
    }
}

#[tokio::test]
async fn code_search_returns_only_that_code_with_its_label() {
    let mock = mock().await;
    let query = SearchQuery::new()
        .codes(ItemCode::from_known_code("0090010").unwrap(), ["09"])
        .count(Count::All);
    let reports = collect(&client(&mock), query).await.unwrap();
    assert!(!reports.is_empty());
    for report in &reports {
        assert_eq!(report.summary, Some(IncidentSummary::from("09")));
        assert_eq!(report.summary.as_ref().unwrap().label(), Some("疑義照会"));
        assert!(report.doubt.is_some(), "疑義照会 reports carry GRPDOUBT");
    }
}

#[tokio::test]
async fn count_all_is_fetched_in_pages_without_gaps_or_duplicates() {
    let mock = mock().await;
    let client = config(&mock).page_size(7).build().unwrap();
    let one_request = client
        .search_page(&SearchQuery::new().count(Count::All))
        .await
        .unwrap();
    let total = one_request.total;
    assert_eq!(one_request.pharmacy_report.len() as u64, total);
    let mut stream = client.search(SearchQuery::new().count(Count::All));
    let mut paged = Vec::new();
    while let Some(report) = stream.next().await {
        paged.push(report.unwrap());
    }
    assert_eq!(
        paged, one_request.pharmacy_report,
        "same reports, same order"
    );
    let progress = stream.progress();
    assert_eq!(progress.total, Some(total));
    assert_eq!(progress.reports, total);
    assert_eq!(progress.pages, total.div_ceil(7));
    let last = mock.last_request().unwrap();
    assert!(
        last.raw_query
            .ends_with(&format!("start={}&count=7", (total - 1) / 7 * 7)),
        "{}",
        last.raw_query
    );
}

#[tokio::test]
async fn a_count_larger_than_a_page_stops_at_the_count() {
    let mock = mock().await;
    let client = config(&mock).page_size(4).build().unwrap();
    let reports = collect(&client, SearchQuery::new().start(3).count(Count::Limit(10)))
        .await
        .unwrap();
    assert_eq!(reports.len(), 10);
    let all = client
        .search_page(&SearchQuery::new().count(Count::All))
        .await
        .unwrap();
    assert_eq!(reports, all.pharmacy_report[3..13]);
}

#[tokio::test]
async fn zero_hits_is_an_empty_result() {
    let mock = mock().await;
    let client = client(&mock);
    let query = SearchQuery::new().words(None, "存在しない語句ゼロ件", Condition::All);
    let page = client.search_page(&query).await.unwrap();
    assert_eq!(page.total, 0);
    assert!(page.pharmacy_report.is_empty());
    assert!(
        collect(&client, query.count(Count::All))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn cp932_text_and_0x5c_trail_bytes_arrive_intact_both_ways() {
    let mock = mock().await;
    let client = client(&mock);
    for word in ["ソ", "表", "①", "髙", "～", "〜"] {
        let page = client
            .search_page(
                &SearchQuery::new()
                    .words(None, word, Condition::All)
                    .count(Count::All),
            )
            .await
            .unwrap();
        assert!(page.total >= 1, "{word}");
        let wanted = if word == "〜" { "～" } else { word }; // WAVE DASH is sent as FULLWIDTH TILDE
        let arrived = mock.last_request().unwrap();
        assert!(
            arrived
                .params
                .iter()
                .any(|(k, v)| k == "word" && v == wanted),
            "{:?}",
            arrived.params
        );
        let text = serde_json::to_string(&page.pharmacy_report).unwrap();
        assert!(text.contains(wanted), "{word} in the answer");
    }
}

#[tokio::test]
async fn an_emoji_is_refused_before_any_request() {
    let mock = mock().await;
    let err = client(&mock)
        .search_page(&SearchQuery::new().words(None, "薬😀", Condition::All))
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::Query(_)), "{err:?}");
    assert!(err.to_string().contains("U+1F600"), "{err}");
    assert!(mock.last_request().is_none(), "nothing was sent");
}

#[tokio::test]
async fn post_and_the_newer_path_work_the_same() {
    let mock = mock().await;
    let query = SearchQuery::new().words(Some(Item::FactorList), "過労 疲労", Condition::Any);
    let get = client(&mock).search_page(&query).await.unwrap();
    let post = config(&mock)
        .method(Method::Post)
        .build()
        .unwrap()
        .search_page(&query)
        .await
        .unwrap();
    assert_eq!(mock.last_request().unwrap().method, "POST");
    assert_eq!(get, post);
    let newer = config(&mock)
        .path("/phsearch/SearchNewReportApi.action")
        .build()
        .unwrap()
        .search_page(&query)
        .await
        .unwrap();
    assert_eq!(newer, get);
}

#[tokio::test]
async fn a_transient_server_error_is_retried() {
    let mock = mock().await;
    let client = config(&mock).retry(quick_retries(3)).build().unwrap();
    mock.http_status_next(503).unwrap();
    mock.http_status_next(502).unwrap();
    let page = client.search_page(&SearchQuery::new()).await.unwrap();
    assert!(page.total > 0, "the third attempt succeeds");
    mock.http_status_next(500).unwrap();
    mock.http_status_next(500).unwrap();
    mock.http_status_next(500).unwrap();
    let err = client.search_page(&SearchQuery::new()).await.unwrap_err();
    assert!(
        matches!(err, Error::Http { status: 500, .. }),
        "three attempts, then the error"
    );
    mock.http_status_next(404).unwrap();
    let err = client.search_page(&SearchQuery::new()).await.unwrap_err();
    assert!(
        matches!(err, Error::Http { status: 404, .. }),
        "404 is not retried"
    );
    assert!(client.search_page(&SearchQuery::new()).await.is_ok());
}

#[tokio::test]
async fn api_errors_http_errors_and_damaged_answers_are_typed() {
    let mock = mock().await;
    let client = config(&mock).retry(RetryPolicy::none()).build().unwrap();
    mock.fail_next_error("パラメータ item が不正です").unwrap();
    let err = client.search_page(&SearchQuery::new()).await.unwrap_err();
    assert!(
        matches!(&err, Error::Api { message } if message.contains("item")),
        "{err:?}"
    );

    mock.http_status_next(503).unwrap();
    assert!(matches!(
        client.search_page(&SearchQuery::new()).await.unwrap_err(),
        Error::Http { status: 503, .. }
    ));

    let mut damaged = b"<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><ResultSet count=\"1\" position=\"0\" status=\"0\" total=\"1\"><PHARMACY_REPORT><DATCONTENTTEXT>".to_vec();
    damaged.extend_from_slice(&[0x82, 0xa0, 0x81, 0x20]);
    damaged.extend_from_slice(b"</DATCONTENTTEXT></PHARMACY_REPORT></ResultSet>");
    mock.raw_next(damaged, "text/xml; charset=Shift_JIS");
    let err = client.search_page(&SearchQuery::new()).await.unwrap_err();
    assert!(
        matches!(err, Error::Read(iryo_hiyari::ReadError::Encoding { .. })),
        "{err:?}"
    );

    // a parameter the mock refuses (a month without its year) comes back as an API error
    let err = client
        .search_page(&SearchQuery {
            from_month: Some(3),
            ..SearchQuery::new()
        })
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Api { .. }), "{err:?}");
}

/// A proxy in front of the mock that fails every request for `start=5`: the failure always hits
/// the second page, however fast the stream runs ahead.
async fn failing_proxy(mock: &HiyariMock) -> String {
    let upstream = mock.endpoint();
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
        let upstream = upstream.clone();
        async move {
            let query = uri.query().unwrap_or_default().to_owned();
            if query.contains("start=5&") {
                return (axum::http::StatusCode::INTERNAL_SERVER_ERROR, Vec::new());
            }
            let body = reqwest::get(format!("{upstream}?{query}"))
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            (axum::http::StatusCode::OK, body.to_vec())
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

#[tokio::test]
async fn a_stream_that_fails_mid_way_says_where_to_resume() {
    let mock = mock().await;
    let direct = config(&mock).page_size(5).build().unwrap();
    let full = direct
        .search_page(&SearchQuery::new().count(Count::All))
        .await
        .unwrap()
        .pharmacy_report;
    let proxied = Config::new(failing_proxy(&mock).await)
        .page_size(5)
        .page_pause(Duration::ZERO)
        .retry(quick_retries(2))
        .build()
        .unwrap();
    let mut stream = proxied.search(SearchQuery::new().count(Count::All));
    let mut got = Vec::new();
    let err = loop {
        match stream.next().await.expect("the stream ends with the error") {
            Ok(report) => got.push(report),
            Err(err) => break err,
        }
    };
    assert_eq!(got.len(), 5, "the first page arrived");
    let Error::Interrupted { next_start, source } = err else {
        panic!("{err:?}")
    };
    assert_eq!(next_start, 5);
    assert!(matches!(*source, Error::Http { status: 500, .. }));
    assert!(stream.next().await.is_none());
    let rest = collect(
        &direct,
        SearchQuery::new().start(next_start).count(Count::All),
    )
    .await
    .unwrap();
    got.extend(rest);
    assert_eq!(got, full, "resuming gives no gap and no duplicate");
}

#[tokio::test]
async fn a_failure_on_the_first_page_is_the_plain_error() {
    let mock = mock().await;
    mock.http_status_next(500).unwrap();
    let client = config(&mock).retry(RetryPolicy::none()).build().unwrap();
    let mut stream = client.search(SearchQuery::new().count(Count::All));
    let err = stream.next().await.unwrap().unwrap_err();
    assert!(matches!(err, Error::Http { status: 500, .. }), "{err:?}");
}
