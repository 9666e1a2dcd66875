//! The one place that asks the client for a page: everything else sees checked [`Page`]s. The
//! checks are the client's paging state machine ([`Paging`]).

use iryo_hiyari::{Client, Order, Paging, PagingError, PharmacyReport, SearchQuery};

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

    /// The reports from `start`, at most `count` of them, checked by the client's paging state
    /// machine: the answer must be at `start`, hold as many reports as it says, not go past
    /// `total` nor `count`; an empty page before `total` is no progress. Zero hits is an empty
    /// page with `total` 0.
    pub async fn fetch(&self, start: u64, count: u64) -> Result<Page, HarvestError> {
        let wrong = |e: PagingError| HarvestError::Paging {
            start,
            what: e.to_string(),
        };
        let mut paging = Paging::new(start, Some(count), Some(count));
        let Some(request) = paging.next_request().map_err(wrong)? else {
            return Ok(Page {
                start,
                total: 0,
                reports: Vec::new(),
            });
        };
        let page = self
            .client
            .fetch_page(&self.query, &paging, &request)
            .await?;
        let total = page.result.total;
        paging.finish(page.check).map_err(wrong)?;
        Ok(Page {
            start,
            total,
            reports: page.result.pharmacy_report,
        })
    }
}
