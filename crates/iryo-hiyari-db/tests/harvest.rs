//! Harvests against the mock over loopback HTTP: what is stored is what the search yields;
//! interrupted and resumed equals uninterrupted; a refresh adds exactly the new reports.

use std::path::Path;
use std::time::Duration;

use iryo_hiyari::{Client, Condition, Config, Count, Item, SearchQuery};
use iryo_hiyari_db::{HarvestError, Kind, Options, PageSource, Store, harvest};
use iryo_mock::Fault;
use iryo_mock::hiyari::HiyariMock;

fn client(mock: &HiyariMock) -> Client {
    Config::new(mock.base_url())
        .retry(iryo_testkit::quick_retries(3))
        .page_pause(Duration::ZERO)
        .build()
        .unwrap()
}

fn options(kind: Kind, page_size: u64) -> Options {
    Options {
        kind,
        page_size,
        pause: Duration::ZERO,
        ..Options::default()
    }
}

/// Every report the client's own stream yields for `query`, as labelled JSON lines.
async fn searched(client: &Client, query: SearchQuery) -> Vec<String> {
    let mut stream = client.search(query.count(Count::All));
    let mut lines = Vec::new();
    while let Some(report) = stream.next().await {
        let mut line = Vec::new();
        report.unwrap().write_labeled_json(&mut line);
        lines.push(String::from_utf8(line).unwrap());
    }
    lines
}

fn stored(store: &Store) -> Vec<String> {
    let mut lines = Vec::new();
    store
        .for_each_json(|json| {
            lines.push(json.to_owned());
            Ok(())
        })
        .unwrap();
    lines
}

/// Every table, rows in key order, without the clock columns.
fn dump(path: &Path) -> Vec<String> {
    let db = rusqlite::Connection::open(path).unwrap();
    let queries = [
        "SELECT * FROM reports ORDER BY id",
        "SELECT * FROM report_factors ORDER BY report_id, ord",
        "SELECT * FROM report_job_categories ORDER BY report_id, ord",
        "SELECT * FROM report_medicines ORDER BY 1, 2, 3, 4, 5",
        "SELECT id, kind, endpoint, query, page_size, total, pages, reports, new_reports, \
         next_start, finished_at IS NOT NULL FROM harvests ORDER BY id",
    ];
    let mut out = Vec::new();
    for sql in queries {
        let mut statement = db.prepare(sql).unwrap();
        let names: Vec<String> = statement
            .column_names()
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut rows = statement.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            let mut line = String::new();
            for (i, name) in names.iter().enumerate() {
                if name == "seen_at" {
                    continue;
                }
                let value: rusqlite::types::Value = row.get(i).unwrap();
                line.push_str(&format!("{value:?}|"));
            }
            out.push(line);
        }
    }
    out
}

#[tokio::test]
async fn a_full_harvest_holds_exactly_what_the_search_yields() {
    // An answer cap below the page size: pages come back short and the harvest goes on.
    let mock = HiyariMock::builder()
        .with_generated(300)
        .answer_cap(30)
        .spawn()
        .await
        .unwrap();
    let client = client(&mock);
    let query = SearchQuery::new().words(Some(Item::FactorList), "確認 手順", Condition::Any);
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("h.sqlite")).unwrap();
    let source = PageSource::new(client.clone(), query.clone());
    let outcome = harvest(&mut store, &source, &options(Kind::Full, 40), |_| {})
        .await
        .unwrap();
    // The client's stream ends at a short page, so the reference search runs uncapped.
    let uncapped = HiyariMock::builder()
        .with_generated(300)
        .spawn()
        .await
        .unwrap();
    let expected = searched(&self::client(&uncapped), query).await;
    assert!(expected.len() > 60, "the search selects several pages");
    assert_eq!(stored(&store), expected);
    assert_eq!(outcome.new_this_run, expected.len() as u64);
    assert_eq!(outcome.record.total, Some(expected.len() as u64));
    assert!(outcome.record.finished);
    // Labels come from the code tables, joined by the view.
    let db = store.connection();
    {
        let mut statement = db
            .prepare("SELECT summary_label, json FROM reports_labeled ORDER BY position")
            .unwrap();
        let rows = statement
            .query_map([], |r| {
                Ok((r.get::<_, Option<String>>(0)?, r.get::<_, String>(1)?))
            })
            .unwrap();
        for row in rows {
            let (label, json) = row.unwrap();
            let json: serde_json::Value = serde_json::from_str(&json).unwrap();
            assert_eq!(label.as_deref(), json["DATSUMMARY"]["label"].as_str());
        }
    }
    // Run again: complete, nothing requested.
    let before = mock.request_count();
    let again = harvest(&mut store, &source, &options(Kind::Full, 40), |_| {})
        .await
        .unwrap();
    assert!(again.already_complete);
    assert_eq!(mock.request_count(), before);
}

#[tokio::test]
async fn interrupted_and_resumed_equals_uninterrupted() {
    let mock = HiyariMock::builder()
        .synthetic(1_500)
        .answer_cap(200)
        .flaky(
            4,
            [
                Fault::Status(503),
                Fault::StallMidBody {
                    after_bytes: 2_000,
                    stall: Duration::from_millis(50),
                },
            ],
        )
        .spawn()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let source = PageSource::new(client(&mock), SearchQuery::new());
    let whole = dir.path().join("whole.sqlite");
    let mut store = Store::open(&whole).unwrap();
    harvest(&mut store, &source, &options(Kind::Full, 100), |_| {})
        .await
        .unwrap();
    drop(store);

    let parts = dir.path().join("parts.sqlite");
    let mut store = Store::open(&parts).unwrap();
    // More failures in a row than the client retries: the harvest stops after some pages.
    let mut pages = 0;
    let stop_after = 6;
    let result = harvest(&mut store, &source, &options(Kind::Full, 100), |record| {
        pages = record.pages;
        if record.pages == stop_after {
            mock.push_faults([Fault::Status(503), Fault::Status(503), Fault::Status(503)]);
        }
    })
    .await;
    assert!(matches!(result, Err(HarvestError::Client(_))), "{result:?}");
    // The page after `stop_after` was already on its way while that one was written.
    assert!((stop_after..=stop_after + 1).contains(&pages), "{pages}");
    let resumed = harvest(&mut store, &source, &options(Kind::Full, 100), |_| {})
        .await
        .unwrap();
    assert_eq!(resumed.resumed_from, Some(pages * 100));
    drop(store);
    let (whole, parts) = (dump(&whole), dump(&parts));
    assert!(whole.len() > 1_500);
    assert_eq!(parts, whole);
}

#[tokio::test]
async fn a_refresh_adds_exactly_the_new_reports() {
    let mock = HiyariMock::builder().synthetic(700).spawn().await.unwrap();
    let client = client(&mock);
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("h.sqlite")).unwrap();
    let source = PageSource::new(client.clone(), SearchQuery::new());
    harvest(&mut store, &source, &options(Kind::Full, 100), |_| {})
        .await
        .unwrap();
    let nothing = harvest(&mut store, &source, &options(Kind::Refresh, 100), |_| {})
        .await
        .unwrap();
    assert_eq!((nothing.new_this_run, nothing.pages_this_run), (0, 1));
    mock.add_synthetic(237);
    let refresh = harvest(&mut store, &source, &options(Kind::Refresh, 100), |_| {})
        .await
        .unwrap();
    assert_eq!(refresh.new_this_run, 237);
    // Newest first: two pages of new reports, one of the last 37 new and older ones, then one
    // of known reports only, where it stops.
    assert_eq!(refresh.pages_this_run, 4);
    let mut all = searched(&client, SearchQuery::new()).await;
    let mut ours = stored(&store);
    all.sort();
    ours.sort();
    assert_eq!(ours, all);
}

#[tokio::test]
async fn a_page_that_is_not_what_was_asked_is_refused() {
    let mock = HiyariMock::builder().spawn().await.unwrap();
    let answer = "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>\
        <ResultSet count=\"0\" position=\"5\" status=\"0\" total=\"41\"></ResultSet>";
    mock.raw_next(answer.as_bytes().to_vec(), "text/xml; charset=Shift_JIS");
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("h.sqlite")).unwrap();
    let source = PageSource::new(client(&mock), SearchQuery::new());
    let error = harvest(&mut store, &source, &options(Kind::Full, 10), |_| {})
        .await
        .unwrap_err();
    // The client's paging state machine refuses it, typed.
    match error {
        HarvestError::Client(iryo_hiyari::Error::Paging {
            start: 0,
            source:
                iryo_hiyari::PagingError::PositionMismatch {
                    asked: 0,
                    answered: 5,
                },
        }) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(stored(&store), Vec::<String>::new());
}
