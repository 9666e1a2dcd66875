//! The one place that asks the client for a page: everything else sees checked [`Page`]s.
//! (When the client's checked paging state machine lands, this adapter is what switches to it.)

use iryo_hiyari::{Client, Count, Order, PharmacyReport, SearchQuery};

use crate::HarvestError;

/// One page of a search, checked against what was asked.
#[derive(Debug)]
pub struct Page {
    /// The `start` asked for (and answered as `position`).
    pub start: u64,
    /// How many reports match the search now.
    pub total: u64,
    /// The page's reports, in order.
    pub reports: Vec<PharmacyReport>,
}

/// Pages of one search.
#[derive(Clone, Debug)]
pub struct PageSource {
    client: Client,
    query: SearchQuery,
}

impl PageSource {
    /// `query` without its `start` and `count` (the harvest pages through it).
    pub fn new(client: Client, query: SearchQuery) -> Self {
        let query = SearchQuery {
            start: None,
            count: None,
            ..query
        };
        PageSource { client, query }
    }

    /// The same search in another order.
    pub fn with_order(&self, order: Order) -> Self {
        let mut source = self.clone();
        source.query.order = Some(order);
        source
    }

    /// The search as identified in the `harvests` table: endpoint and query string, without
    /// paging parameters.
    pub fn identity(&self) -> Result<(String, String), HarvestError> {
        let query = self
            .query
            .to_query_string()
            .map_err(|e| HarvestError::Client(e.into()))?;
        Ok((self.client.endpoint().to_owned(), query))
    }

    /// The reports from `start`, at most `count` of them. The answer must be at `start`, hold
    /// as many reports as it says, and not go past `total`; an empty page before `total` is
    /// no progress. Zero hits is an empty page with `total` 0.
    pub async fn fetch(&self, start: u64, count: u64) -> Result<Page, HarvestError> {
        let query = SearchQuery {
            start: Some(start),
            count: Some(Count::Limit(count)),
            ..self.query.clone()
        };
        let answer = self.client.search_page(&query).await?;
        let got = answer.pharmacy_report.len() as u64;
        let wrong = |what: String| Err(HarvestError::Paging { start, what });
        if answer.total == 0 && got == 0 {
            return Ok(Page {
                start,
                total: 0,
                reports: Vec::new(),
            });
        }
        if answer.position != start {
            return wrong(format!("the answer is at position {}", answer.position));
        }
        if answer.count != got {
            return wrong(format!("count=\"{}\" but {got} reports", answer.count));
        }
        if got > count {
            return wrong(format!("{got} reports, {count} asked for"));
        }
        if start + got > answer.total {
            return wrong(format!("{got} reports go past total=\"{}\"", answer.total));
        }
        if got == 0 && start < answer.total {
            return wrong(format!("no reports though total=\"{}\"", answer.total));
        }
        Ok(Page {
            start,
            total: answer.total,
            reports: answer.pharmacy_report,
        })
    }
}
