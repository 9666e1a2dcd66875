//! A harvest pages as carefully as a search, against the mock over loopback HTTP: a server that
//! repeats a page is stopped after two requests; reports withdrawn or inserted while paging (or
//! between an interrupted run and its resume) are re-checked from the start, or the harvest ends
//! saying it may have missed some; one harvest per database file.

use std::collections::BTreeSet;
use std::time::Duration;

use iryo_hiyari::{Client, Config, Count, PagingError, SearchQuery};
use iryo_hiyari_db::{
    Completeness, HarvestError, Kind, Options, Outcome, PageSource, Store, TotalChange, harvest,
};
use iryo_mock::Fault;
use iryo_mock::hiyari::{DataChange, HiyariMock};

fn client(mock: &HiyariMock) -> Client {
    Config::new(mock.base_url())
        .retry(iryo_testkit::quick_retries(2))
        .page_pause(Duration::ZERO)
        .build()
        .unwrap()
}

fn options() -> Options {
    Options {
        kind: Kind::Full,
        page_size: 100,
        pause: Duration::ZERO,
        ..Options::default()
    }
}

/// The labelled JSON of every report the search selects now.
async fn searched(client: &Client) -> BTreeSet<String> {
    let mut stream = client.search(SearchQuery::new().count(Count::All));
    let mut lines = BTreeSet::new();
    while let Some(report) = stream.next().await {
        let mut line = Vec::new();
        report.unwrap().write_labeled_json(&mut line);
        lines.insert(String::from_utf8(line).unwrap());
    }
    lines
}

fn stored(store: &Store) -> BTreeSet<String> {
    let mut lines = BTreeSet::new();
    store
        .for_each_json(|json| {
            lines.insert(json.to_owned());
            Ok(())
        })
        .unwrap();
    lines
}

/// Every report the search selects now is stored.
async fn holds_every_report(store: &Store, mock: &HiyariMock) {
    let now = searched(&client(mock)).await;
    assert_eq!(now.len(), mock.report_count());
    let missing = now.difference(&stored(store)).count();
    assert_eq!(
        missing, 0,
        "reports of the search missing from the database"
    );
}

#[tokio::test]
async fn a_server_repeating_a_page_stops_the_harvest_after_two_requests() {
    let mock = HiyariMock::builder()
        .synthetic(1_000)
        .spawn()
        .await
        .unwrap();
    // Every answer is the first page, claiming the `start` asked.
    mock.push_faults((0..50).map(|_| Fault::IgnoreStart { claim_start: true }));
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("h.sqlite")).unwrap();
    let source = PageSource::new(client(&mock), SearchQuery::new());
    let error = harvest(&mut store, &source, &options(), |_| {})
        .await
        .unwrap_err();
    match error {
        HarvestError::Client(iryo_hiyari::Error::Paging {
            source: PagingError::RepeatedPage { start: 100 },
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(mock.request_count(), 2);
    assert_eq!(stored(&store).len(), 100, "the first page stays stored");
}

#[tokio::test]
async fn a_report_withdrawn_mid_harvest_is_rechecked() {
    let mock = HiyariMock::builder().synthetic(500).spawn().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("h.sqlite")).unwrap();
    let source = PageSource::new(client(&mock), SearchQuery::new());
    let outcome = harvest(&mut store, &source, &options(), |record| {
        if record.pages == 2 {
            // Positions from 10 on move back by one: position 200 now holds what was at 201.
            mock.change(DataChange::Withdraw { position: 10 }, None)
                .unwrap();
        }
    })
    .await
    .unwrap();
    holds_every_report(&store, &mock).await;
    let change = TotalChange {
        at_start: 200,
        from: 500,
        to: 499,
    };
    assert_eq!(outcome.total_changes, vec![change]);
    assert_eq!(
        (outcome.rechecks, outcome.completeness),
        (1, Completeness::Complete)
    );
    assert!(outcome.record.finished);
    assert_eq!(outcome.record.total, Some(499));
}

#[tokio::test]
async fn a_report_inserted_mid_harvest_is_rechecked() {
    let mock = HiyariMock::builder().synthetic(500).spawn().await.unwrap();
    let before = searched(&client(&mock)).await;
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("h.sqlite")).unwrap();
    let source = PageSource::new(client(&mock), SearchQuery::new());
    let outcome = harvest(&mut store, &source, &options(), |record| {
        if record.pages == 4 {
            mock.change(DataChange::Insert { count: 1 }, None).unwrap();
        }
    })
    .await
    .unwrap();
    // The new report falls before position 400, where the pass had already been.
    let client = client(&mock);
    let mut stream = client.search(SearchQuery::new().count(Count::Limit(400)));
    let mut first = BTreeSet::new();
    while let Some(report) = stream.next().await {
        let mut line = Vec::new();
        report.unwrap().write_labeled_json(&mut line);
        first.insert(String::from_utf8(line).unwrap());
    }
    assert_eq!(
        first.difference(&before).count(),
        1,
        "inserted behind the pass"
    );
    holds_every_report(&store, &mock).await;
    assert_eq!(outcome.total_changes.len(), 1);
    assert_eq!(
        (outcome.total_changes[0].from, outcome.total_changes[0].to),
        (500, 501)
    );
    assert_eq!(outcome.completeness, Completeness::Complete);
}

#[tokio::test]
async fn a_total_that_keeps_changing_ends_saying_what_may_be_missing() {
    let mock = HiyariMock::builder().synthetic(500).spawn().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("h.sqlite")).unwrap();
    let source = PageSource::new(client(&mock), SearchQuery::new());
    let outcome: Outcome = harvest(&mut store, &source, &options(), |_| {
        mock.change(DataChange::Withdraw { position: 0 }, None)
            .unwrap();
    })
    .await
    .unwrap();
    assert_eq!(outcome.completeness, Completeness::MayHaveMissed);
    // The first pass and two re-checks, each stopped at its second page.
    assert_eq!(outcome.rechecks, 2);
    assert_eq!(outcome.total_changes.len(), 3);
    assert_eq!(outcome.pages_this_run, 6);
    // Unfinished at start 0: the next run re-checks the whole search.
    assert!(!outcome.record.finished);
    assert_eq!(outcome.record.next_start, 0);
    let again = harvest(&mut store, &source, &options(), |_| {})
        .await
        .unwrap();
    assert_eq!(again.resumed_from, Some(0));
    assert_eq!(again.completeness, Completeness::Complete);
    holds_every_report(&store, &mock).await;
}

#[tokio::test]
async fn a_change_between_an_interrupted_run_and_its_resume_is_rechecked() {
    let mock = HiyariMock::builder().synthetic(500).spawn().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("h.sqlite")).unwrap();
    let source = PageSource::new(client(&mock), SearchQuery::new());
    let interrupted = harvest(&mut store, &source, &options(), |record| {
        if record.pages == 2 {
            mock.push_faults([Fault::Status(503), Fault::Status(503), Fault::Status(503)]);
        }
    })
    .await;
    assert!(matches!(interrupted, Err(HarvestError::Client(_))));
    mock.change(DataChange::Withdraw { position: 50 }, None)
        .unwrap();
    let resumed = harvest(&mut store, &source, &options(), |_| {})
        .await
        .unwrap();
    holds_every_report(&store, &mock).await;
    assert_eq!(resumed.resumed_from, Some(200));
    let change = TotalChange {
        at_start: 200,
        from: 500,
        to: 499,
    };
    assert_eq!(resumed.total_changes, vec![change]);
    assert_eq!(resumed.completeness, Completeness::Complete);
}

#[test]
fn a_second_harvest_of_the_same_file_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.sqlite");
    let first = Store::open(&path).unwrap();
    match Store::open(&path) {
        Err(HarvestError::Locked { path: named }) => assert_eq!(named, path),
        Err(other) => panic!("{other}"),
        Ok(_) => panic!("two harvests opened one file"),
    }
    // An export reads alongside.
    assert!(Store::open_read_only(&path).is_ok());
    drop(first);
    assert!(Store::open(&path).is_ok(), "free again once the first ends");
}
