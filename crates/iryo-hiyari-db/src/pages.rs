//! The one place that asks the client for pages: every page of a harvest pass is checked by one
//! paging state machine ([`Paging`]) that lives as long as the pass, so the checks across pages
//! (a repeated page, more requests than `total` justifies) run as they do for a search.

use iryo_hiyari::{
    CheckedPage, Client, Order, PageRequest, Paging, PagingError, PharmacyReport, SearchQuery,
};
use tokio::sync::mpsc;

use crate::HarvestError;

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

    /// The paging of a pass: every report from `start`, in pages of `page_size`.
    pub fn paging(&self, start: u64, page_size: u64) -> Paging {
        Paging::new(start, None, Some(page_size))
    }

    /// The page `request` of `paging`, each report sent into `reports` once it passed the
    /// paging checks; the answer comes back without its reports, and `paging` is left for the
    /// caller to [`Paging::finish`] with the page's check once it decided to keep the page.
    pub async fn stream(
        &self,
        paging: &Paging,
        request: &PageRequest,
        reports: &mpsc::Sender<PharmacyReport>,
    ) -> Result<CheckedPage, HarvestError> {
        Ok(self
            .client
            .stream_page(&self.query, paging, request, reports)
            .await?)
    }
}

/// A paging failure between pages, typed as the client types it.
pub(crate) fn paging_error(start: u64, source: PagingError) -> HarvestError {
    HarvestError::Client(iryo_hiyari::Error::Paging { start, source })
}
