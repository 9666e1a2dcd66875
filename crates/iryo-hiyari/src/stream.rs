//! Streaming a search: a driver task walks the paging state machine, one page request at a time;
//! each page's reports come out of the shared pipeline (see `page`) and are yielded as soon as
//! they pass their checks. Every channel is bounded, so memory does not depend on the answers.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use tokio::sync::mpsc;

use crate::page::{Endpoint, Sink, page_query};
use crate::paging::Paging;
use crate::query::SearchQuery;
use crate::{Error, PharmacyReport, ResultSet};

/// Reports in flight between the driver and the consumer.
const REPORTS: usize = 16;

/// How far a stream has got.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// `total` of the last page's `ResultSet`: how many reports match.
    pub total: Option<u64>,
    /// Pages requested so far.
    pub pages: u64,
    /// Reports yielded so far.
    pub reports: u64,
    /// The `start` from which the rest would be fetched (to resume after a failure).
    pub next_start: u64,
}

/// The reports of a search, in order, as they arrive. Implements `futures_core::Stream`; without a
/// futures crate, call [`ReportStream::next`].
pub struct ReportStream {
    reports: mpsc::Receiver<Result<PharmacyReport, Error>>,
    progress: Arc<Mutex<Progress>>,
    driver: tokio::task::JoinHandle<()>,
}

impl ReportStream {
    pub(crate) fn spawn(endpoint: Arc<Endpoint>, query: SearchQuery) -> Self {
        let (tx, reports) = mpsc::channel(REPORTS);
        let progress = Arc::new(Mutex::new(Progress {
            next_start: query.start.unwrap_or(0),
            ..Progress::default()
        }));
        let driver = tokio::spawn(drive(endpoint, query, tx, progress.clone()));
        ReportStream {
            reports,
            progress,
            driver,
        }
    }

    /// The next report, `None` at the end. After an error the stream ends.
    pub async fn next(&mut self) -> Option<Result<PharmacyReport, Error>> {
        self.reports.recv().await
    }

    /// How far the stream has got.
    pub fn progress(&self) -> Progress {
        lock(&self.progress).clone()
    }
}

impl Drop for ReportStream {
    fn drop(&mut self) {
        self.driver.abort();
    }
}

impl futures_core::Stream for ReportStream {
    type Item = Result<PharmacyReport, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.reports.poll_recv(cx)
    }
}

fn lock(progress: &Mutex<Progress>) -> std::sync::MutexGuard<'_, Progress> {
    progress
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

type ReportSender = mpsc::Sender<Result<PharmacyReport, Error>>;

/// The consumer, as a page's [`Sink`]: each report sent on, progress counted.
struct Consumer<'a> {
    tx: &'a ReportSender,
    progress: &'a Mutex<Progress>,
}

impl Sink for Consumer<'_> {
    fn head(&mut self, head: &ResultSet) {
        lock(self.progress).total = Some(head.total);
    }

    async fn take(&mut self, report: PharmacyReport) -> bool {
        if self.tx.send(Ok(report)).await.is_err() {
            return false;
        }
        let mut progress = lock(self.progress);
        progress.reports += 1;
        progress.next_start = progress.next_start.saturating_add(1);
        true
    }
}

/// Requests pages until the paging state machine is done or fails.
async fn drive(
    endpoint: Arc<Endpoint>,
    query: SearchQuery,
    tx: ReportSender,
    progress: Arc<Mutex<Progress>>,
) {
    let config = &endpoint.config;
    let first_start = query.start.unwrap_or(0);
    let mut paging = Paging::for_query(query.start, query.count, config.paging_page_size());
    let fail = |next_start: u64, error: Error| {
        lock(&progress).next_start = next_start;
        match next_start > first_start {
            true => Error::Interrupted {
                next_start,
                source: Box::new(error),
            },
            false => error,
        }
    };
    if let Err(e) = query.validate() {
        let _ = tx.send(Err(e.into())).await;
        return;
    }
    loop {
        let request = match paging.next_request() {
            Ok(Some(request)) => request,
            Ok(None) => return,
            Err(source) => {
                let start = paging.next_start();
                let error = Error::Paging { start, source };
                let _ = tx.send(Err(fail(start, error))).await;
                return;
            }
        };
        if paging.requests() > 1 && !config.page_pause.is_zero() {
            tokio::time::sleep(config.page_pause).await;
        }
        lock(&progress).pages += 1;
        let sent = page_query(&query, &request);
        let (endpoint, sent, paging_now, tx, progress) =
            (&*endpoint, &sent, &paging, &tx, &*progress);
        // A page is requested again only while none of its reports was yielded.
        let attempt = || async move {
            let mut consumer = Consumer { tx, progress };
            endpoint
                .run_page(sent, paging_now, &request, &mut consumer)
                .await
        };
        let outcome = iryo_runtime::__private::retry(
            &config.retry,
            attempt,
            crate::page::PageFailure::decision,
        )
        .await;
        let check = match outcome {
            Ok(Some((check, _))) => check,
            Ok(None) => return, // the consumer went away
            Err(failure) => {
                let next_start = request.start.saturating_add(failure.accepted);
                let _ = tx.send(Err(fail(next_start, failure.error))).await;
                return;
            }
        };
        let next_start = request.start.saturating_add(check.received());
        if let Err(source) = paging.finish(check) {
            let error = Error::Paging {
                start: request.start,
                source,
            };
            let _ = tx.send(Err(fail(next_start, error))).await;
            return;
        }
        lock(progress).next_start = paging.next_start();
    }
}
