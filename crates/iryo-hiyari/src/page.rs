//! One page request, checked: the request goes out, the body is pumped (the one place that
//! applies `max_response_bytes`) into the shared decode-then-parse pipeline on blocking threads,
//! and each report passes the [`PageCheck`] of the paging state machine before it is handed on.

use std::io::{self, Read, Write};
use std::time::Duration;

use iryo_runtime::__private::{BodyLimit, RetryClass, RetryDecision};
use tokio::sync::mpsc;

use crate::config::{Config, Method, NO_RESULTS};
use crate::paging::{PageCheck, PageRequest, Paging};
use crate::pipeline::{Piece, Pieces, Pipelined, Source};
use crate::query::SearchQuery;
use crate::xml::ReadError;
use crate::{Error, PharmacyReport, ResultSet};

/// Body pieces in flight between the network and the decoder.
const BODY_PIECES: usize = 8;
/// Parsed items in flight between the parser and the page's consumer.
const PAGE_ITEMS: usize = 8;

/// Where raw answers are kept, as received (see [`Config::raw_pages`]).
pub trait RawPages: Send + Sync {
    /// A writer for the raw answer to `request`. A retried request asks again: the writer should
    /// start the page anew (truncate), so that each page holds one answer.
    fn page(&self, request: &PageRequest) -> io::Result<Box<dyn Write + Send>>;
}

/// A page whose every report passed its checks: the answer (reports included) and the check to
/// hand to [`Paging::finish`].
#[derive(Debug)]
pub struct CheckedPage {
    /// The answer, its reports included.
    pub result: ResultSet,
    /// The page's checks, for [`Paging::finish`].
    pub check: PageCheck,
}

/// The service as built from a [`Config`].
#[derive(Debug)]
pub(crate) struct Endpoint {
    pub(crate) url: String,
    http: reqwest::Client,
    pub(crate) config: Config,
}

/// What a page's reports go to, one by one.
pub(crate) trait Sink {
    /// The answer's attributes, before its reports.
    fn head(&mut self, _head: &ResultSet) {}
    /// Takes one checked report; `false` when nobody wants more.
    async fn take(&mut self, report: PharmacyReport) -> bool;
}

impl Sink for Vec<PharmacyReport> {
    async fn take(&mut self, report: PharmacyReport) -> bool {
        self.push(report);
        true
    }
}

/// A harvest's sink: each report goes on through a bounded channel (to a database writer on
/// another thread), so a page is never held whole.
impl Sink for mpsc::Sender<PharmacyReport> {
    async fn take(&mut self, report: PharmacyReport) -> bool {
        self.send(report).await.is_ok()
    }
}

/// A failed page attempt: how many of its reports were passed on, the error, and the server's
/// `Retry-After`.
#[derive(Debug)]
pub(crate) struct PageFailure {
    pub(crate) accepted: u64,
    pub(crate) error: Error,
    pub(crate) retry_after: Option<Duration>,
}

impl PageFailure {
    fn new(accepted: u64, error: Error) -> Self {
        PageFailure {
            accepted,
            error,
            retry_after: None,
        }
    }

    /// A page is requested again only while none of its reports was passed on.
    /// Searches are reads: the runtime's read class decides.
    pub(crate) fn decision(&self) -> RetryDecision {
        let read = RetryClass::Read;
        let worth_it = match &self.error {
            Error::Transport(e) => read.allows_transport(e),
            Error::Http { status, .. } => read.allows_status(*status),
            _ => false,
        };
        match self.accepted == 0 && worth_it {
            true => RetryDecision::Retry {
                after: self.retry_after,
            },
            false => RetryDecision::Stop,
        }
    }
}

/// One item of an answer, as the parser thread passes it on (reports dominate: boxing them would
/// cost an allocation each for nothing).
#[allow(clippy::large_enum_variant)]
enum Item {
    Head(ResultSet),
    Report(PharmacyReport),
    End(ResultSet),
}

impl Endpoint {
    pub(crate) fn new(url: String, http: reqwest::Client, config: Config) -> Self {
        Endpoint { url, http, config }
    }

    /// Sends one request; a status other than 200 is an error (with its `Retry-After`).
    async fn send(&self, query: &SearchQuery) -> Result<reqwest::Response, PageFailure> {
        let fail = |error| PageFailure::new(0, error);
        let encoded = query.to_query_string().map_err(|e| fail(e.into()))?;
        let request = match self.config.method {
            Method::Get if encoded.is_empty() => self.http.get(&self.url),
            Method::Get => self.http.get(format!("{}?{encoded}", self.url)),
            Method::Post => self
                .http
                .post(&self.url)
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded; charset=Shift_JIS",
                )
                .body(encoded),
        };
        let response = request
            .send()
            .await
            .map_err(|e| fail(Error::Transport(e)))?;
        let status = response.status().as_u16();
        if status != 200 {
            let retry_after = iryo_runtime::__private::retry_after(response.headers());
            let body_excerpt = iryo_runtime::__private::read_excerpt(response).await;
            let error = Error::Http {
                status,
                body_excerpt,
            };
            return Err(PageFailure {
                retry_after,
                ..fail(error)
            });
        }
        Ok(response)
    }

    /// Requests one page and starts reading it; items arrive as they are parsed.
    async fn open(
        &self,
        query: &SearchQuery,
        request: &PageRequest,
    ) -> Result<(mpsc::Receiver<Result<Item, Error>>, AbortOnDrop), PageFailure> {
        let response = self.send(query).await?;
        let copy = match &self.config.raw_pages {
            Some(pages) => Some(
                pages
                    .page(request)
                    .map_err(|e| PageFailure::new(0, Error::RawPage(e)))?,
            ),
            None => None,
        };
        let (body_tx, body_rx) = mpsc::channel(BODY_PIECES);
        let pump = tokio::spawn(pump(response, self.config.max_response_bytes, body_tx));
        let source = Tee {
            inner: Pieces::new(body_rx),
            copy,
            failure: None,
        };
        let (items_tx, items) = mpsc::channel(PAGE_ITEMS);
        let (mode, limits) = (self.config.invalid_bytes, self.config.limits);
        tokio::task::spawn_blocking(move || parse_items(source, mode, limits, &items_tx));
        Ok((items, AbortOnDrop(pump)))
    }

    /// One attempt at a page: each report that passes `paging`'s checks goes to `sink`. `None`
    /// when the sink wanted no more.
    /// `sent` is the query as sent: [`page_query`] of the search, or a search as given.
    pub(crate) async fn run_page<S: Sink>(
        &self,
        sent: &SearchQuery,
        paging: &Paging,
        request: &PageRequest,
        sink: &mut S,
    ) -> Result<Option<(PageCheck, ResultSet)>, PageFailure> {
        let (mut items, _pump) = self.open(sent, request).await?;
        let paging_error = |e| Error::Paging {
            start: request.start,
            source: e,
        };
        let head = match items.recv().await {
            Some(Ok(Item::Head(head))) => head,
            Some(Err(e)) => return Err(PageFailure::new(0, e)),
            _ => return Err(PageFailure::new(0, parser_stopped())),
        };
        sink.head(&head);
        let mut check = paging
            .check_head(request, &head)
            .map_err(|e| PageFailure::new(0, paging_error(e)))?;
        loop {
            let fail = |check: &PageCheck, e| PageFailure::new(check.received(), e);
            match items.recv().await {
                Some(Ok(Item::Report(report))) => {
                    check
                        .accept(&report)
                        .map_err(|e| fail(&check, paging_error(e)))?;
                    if !sink.take(report).await {
                        return Ok(None);
                    }
                }
                Some(Ok(Item::End(end))) => {
                    check_error(&end).map_err(|e| fail(&check, e))?;
                    return Ok(Some((check, end)));
                }
                Some(Err(e)) => return Err(fail(&check, e)),
                Some(Ok(Item::Head(_))) | None => return Err(fail(&check, parser_stopped())),
            }
        }
    }

    /// One page, read whole, retried as configured while none of it was taken. `sent` as for
    /// [`Endpoint::run_page`].
    pub(crate) async fn fetch_page(
        &self,
        sent: &SearchQuery,
        paging: &Paging,
        request: &PageRequest,
    ) -> Result<CheckedPage, Error> {
        let attempt = || async {
            let mut reports = Vec::new();
            let (check, mut result) = self
                .run_page(sent, paging, request, &mut reports)
                .await?
                .ok_or_else(|| PageFailure::new(0, parser_stopped()))?;
            result.pharmacy_report = reports;
            Ok(CheckedPage { result, check })
        };
        iryo_runtime::__private::retry(&self.config.retry, attempt, PageFailure::decision)
            .await
            .map_err(|failure| failure.error)
    }
}

impl Endpoint {
    /// One page, each checked report sent into `reports` as it is parsed, retried as configured
    /// while none of it was sent. The answer comes back without its reports.
    pub(crate) async fn stream_page(
        &self,
        sent: &SearchQuery,
        paging: &Paging,
        request: &PageRequest,
        reports: &mpsc::Sender<PharmacyReport>,
    ) -> Result<CheckedPage, Error> {
        let attempt = || async {
            let mut sink = reports.clone();
            match self.run_page(sent, paging, request, &mut sink).await? {
                Some((check, result)) => Ok(CheckedPage { result, check }),
                // The receiver went away: whoever reads `reports` knows why; never retried.
                None => Err(PageFailure::new(1, consumer_stopped())),
            }
        };
        iryo_runtime::__private::retry(&self.config.retry, attempt, PageFailure::decision)
            .await
            .map_err(|failure| failure.error)
    }
}

fn consumer_stopped() -> Error {
    Error::Read(ReadError::Io("the page's consumer stopped".to_owned()))
}

/// The query of one page of a search: its `start` and `count` replaced by the request's.
pub(crate) fn page_query(query: &SearchQuery, request: &PageRequest) -> SearchQuery {
    SearchQuery {
        start: Some(request.start),
        count: Some(request.count),
        ..query.clone()
    }
}

fn parser_stopped() -> Error {
    Error::Read(ReadError::Io("the parser thread stopped".to_owned()))
}

/// Forwards the body's chunks, failing typed past `limit` bytes or when the connection fails.
async fn pump(mut response: reqwest::Response, limit: u64, pieces: mpsc::Sender<Piece>) {
    let mut count = match BodyLimit::new(limit, response.content_length()) {
        Ok(count) => count,
        Err(too_large) => {
            let _ = pieces.send(Err(Error::too_large(too_large))).await;
            return;
        }
    };
    loop {
        let piece = match response.chunk().await {
            Ok(Some(chunk)) => match count.take(chunk.len()) {
                Ok(()) => Ok(chunk),
                Err(too_large) => Err(Error::too_large(too_large)),
            },
            Ok(None) => return,
            Err(e) => Err(Error::Transport(e)),
        };
        let failed = piece.is_err();
        if pieces.send(piece).await.is_err() || failed {
            return;
        }
    }
}

/// Runs on a blocking thread: the answer's attributes, its reports, then its final `ResultSet`.
fn parse_items<S: Source>(
    source: S,
    mode: crate::decode::InvalidBytes,
    limits: crate::Limits,
    items: &mpsc::Sender<Result<Item, Error>>,
) {
    let mut reports = match Pipelined::start(source, mode, limits) {
        Ok(reports) => reports,
        Err(e) => {
            let _ = items.blocking_send(Err(e));
            return;
        }
    };
    if items
        .blocking_send(Ok(Item::Head(reports.result_set().clone())))
        .is_err()
    {
        return;
    }
    for report in reports.by_ref() {
        let failed = report.is_err();
        if items.blocking_send(report.map(Item::Report)).is_err() || failed {
            return;
        }
    }
    let _ = items.blocking_send(Ok(Item::End(reports.result_set().clone())));
}

/// The raw body as the decoder reads it, copied to a [`RawPages`] writer on the way.
struct Tee<S> {
    inner: S,
    copy: Option<Box<dyn Write + Send>>,
    failure: Option<Error>,
}

impl<S: Source> Read for Tee<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(copy) = &mut self.copy {
            let written = match n {
                0 => copy.flush(),
                _ => copy.write_all(&buf[..n]),
            };
            if let Err(e) = written {
                self.failure = Some(Error::RawPage(e));
                return Err(io::Error::other("the raw answer could not be kept"));
            }
        }
        Ok(n)
    }
}

impl<S: Source> Source for Tee<S> {
    fn take_failure(&mut self) -> Option<Error> {
        self.failure.take().or_else(|| self.inner.take_failure())
    }
}

/// An `Error` element: no hits is fine, anything else is the API's error.
pub(crate) fn check_error(result: &ResultSet) -> Result<(), Error> {
    match &result.error {
        Some(message) if message.contains(NO_RESULTS) => Ok(()),
        Some(message) => Err(Error::Api {
            message: message.clone(),
        }),
        None if result.status.code() == "1" => Err(Error::Api {
            message: "status=\"1\" without an error message".to_owned(),
        }),
        None => Ok(()),
    }
}

/// Stops the body pump when a page is given up (the rest of the pipeline then ends by itself).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
