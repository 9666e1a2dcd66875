//! The client: one checked page at a time ([`Client::search_page`], [`Client::fetch_page`]) or
//! every match as a stream of reports fetched page by page, politely ([`Client::search`]).

use std::sync::Arc;

use crate::config::Config;
use crate::page::{CheckedPage, Endpoint, page_query};
use crate::paging::{PageRequest, Paging};
use crate::query::SearchQuery;
use crate::stream::ReportStream;
use crate::{Error, ResultSet};

/// A client of one service. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Client {
    endpoint: Arc<Endpoint>,
}

impl Client {
    pub(crate) fn from_endpoint(endpoint: Endpoint) -> Self {
        Client {
            endpoint: Arc::new(endpoint),
        }
    }

    /// A client of `base_url` with default settings.
    pub fn new(base_url: impl Into<String>) -> Result<Self, Error> {
        Config::new(base_url).build()
    }

    /// The endpoint URL, without query.
    pub fn endpoint(&self) -> &str {
        &self.endpoint.url
    }

    /// One request for `query` as given (retried as configured), read whole and checked like
    /// every page: `position` is the `start` asked, no more reports than `count` (or than the
    /// answer declares), none missing. No hits is an empty result.
    pub async fn search_page(&self, query: &SearchQuery) -> Result<ResultSet, Error> {
        query.validate()?;
        let mut paging = Paging::for_query(query.start, query.count, None);
        let request = paging
            .next_request()
            .map_err(|e| paging_error(&paging, e))?
            .ok_or_else(|| Error::Query(crate::QueryError::Invalid("count 0".to_owned())))?;
        let page = self.endpoint.fetch_page(query, &paging, &request).await?;
        paging
            .finish(page.check)
            .map_err(|e| paging_error(&paging, e))?;
        Ok(page.result)
    }

    /// The paging of `query` with this client's page size, for [`Client::fetch_page`].
    pub fn paging(&self, query: &SearchQuery) -> Paging {
        let page_size = self.endpoint.config.paging_page_size();
        Paging::for_query(query.start, query.count, page_size)
    }

    /// The page `request` (from [`Paging::next_request`]) of `query`, read whole, every report
    /// checked against `paging` (retried as configured). Hand `check` to [`Paging::finish`]
    /// once the page is stored: a caller that writes each page to a database pages like this.
    ///
    /// ```no_run
    /// # async fn demo(client: iryo_hiyari::Client, query: iryo_hiyari::SearchQuery) -> Result<(), Box<dyn std::error::Error>> {
    /// let mut paging = client.paging(&query);
    /// while let Some(request) = paging.next_request()? {
    ///     let page = client.fetch_page(&query, &paging, &request).await?;
    ///     // store page.result.pharmacy_report, with paging.next_start() as the resume point
    ///     paging.finish(page.check)?;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn fetch_page(
        &self,
        query: &SearchQuery,
        paging: &Paging,
        request: &PageRequest,
    ) -> Result<CheckedPage, Error> {
        let sent = page_query(query, request);
        self.endpoint.fetch_page(&sent, paging, request).await
    }

    /// As [`Client::fetch_page`], but each report is sent into `reports` as soon as it passed
    /// its checks instead of being collected: memory stays bounded by the channel whatever the
    /// page size (a harvest writes each report to its database as it arrives). The returned
    /// page's `result` holds no reports. The page is retried only while none was sent; should
    /// the receiver go away, the page fails.
    pub async fn stream_page(
        &self,
        query: &SearchQuery,
        paging: &Paging,
        request: &PageRequest,
        reports: &tokio::sync::mpsc::Sender<crate::PharmacyReport>,
    ) -> Result<CheckedPage, Error> {
        let sent = page_query(query, request);
        self.endpoint
            .stream_page(&sent, paging, request, reports)
            .await
    }

    /// Every report `query` selects, as a stream that yields each report while the answer is
    /// still arriving. `count` is honoured (default 10, as the API); larger counts and
    /// `Count::All` are fetched as pages of `page_size` over `start`, one request at a time with
    /// `page_pause` between them, each page checked by the paging state machine.
    pub fn search(&self, query: SearchQuery) -> ReportStream {
        ReportStream::spawn(self.endpoint.clone(), query)
    }
}

fn paging_error(paging: &Paging, source: crate::PagingError) -> Error {
    Error::Paging {
        start: paging.next_start(),
        source,
    }
}
