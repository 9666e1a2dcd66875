//! 200 concurrent searches against the mock; every answer is checked against a sequential one.

use std::time::Duration;

use iryo_hiyari::{Condition, Config, Count, Item, SearchQuery};
use iryo_mock::hiyari::HiyariMock;

const CONCURRENT: usize = 200;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_searches_all_get_their_answer() {
    let mock = HiyariMock::builder().spawn().await.unwrap();
    let client = Config::new(mock.base_url())
        .page_pause(Duration::ZERO)
        .build()
        .unwrap();
    let queries = [
        SearchQuery::new().words(Some(Item::FactorList), "過労 疲労", Condition::Any),
        SearchQuery::new().from(2010, Some(12)).count(Count::All),
        SearchQuery::new()
            .words(None, "ソ", Condition::All)
            .count(Count::All),
    ];
    let mut expected = Vec::new();
    for query in &queries {
        expected.push(client.search_page(query).await.unwrap());
    }
    let mut calls = tokio::task::JoinSet::new();
    for i in 0..CONCURRENT {
        let (client, query) = (client.clone(), queries[i % queries.len()].clone());
        calls.spawn(async move { (i, client.search_page(&query).await) });
    }
    let mut answered = 0;
    while let Some(joined) = calls.join_next().await {
        let (i, page) = joined.unwrap();
        let page = page.unwrap_or_else(|e| panic!("search {i}: {e}"));
        assert_eq!(page, expected[i % queries.len()], "search {i}");
        answered += 1;
    }
    assert_eq!(answered, CONCURRENT);
}
