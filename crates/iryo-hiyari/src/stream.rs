//! Streaming a search: a driver task requests pages one after another; for each page, a pump task
//! forwards the body's chunks to a blocking parser thread, which decodes Shift_JIS, parses and
//! sends each report to the consumer as soon as it is complete. Every channel is bounded, so memory
//! does not depend on the size of the answer.

use std::io::{self, Read};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use tokio::sync::mpsc;

use crate::client::{Client, check_error, page_count, retryable};
use crate::query::{Count, SearchQuery};
use crate::{Error, PharmacyReport, ReportReader, ResultSet};

const BODY_CHUNKS: usize = 8;
const REPORTS: usize = 64;

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
    pub(crate) fn spawn(client: Client, query: SearchQuery) -> Self {
        let (tx, reports) = mpsc::channel(REPORTS);
        let progress = Arc::new(Mutex::new(Progress {
            next_start: query.start.unwrap_or(0),
            ..Progress::default()
        }));
        let driver = tokio::spawn(drive(client, query, tx, progress.clone()));
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

/// Requests pages until the wanted count or the total is reached.
async fn drive(
    client: Client,
    query: SearchQuery,
    tx: ReportSender,
    progress: Arc<Mutex<Progress>>,
) {
    let config = &client.inner.config;
    let mut start = query.start.unwrap_or(0);
    let mut remaining = match query.count {
        Some(Count::Limit(n)) => Some(n),
        Some(Count::All) => None,
        None => Some(10),
    };
    let mut first = true;
    while remaining != Some(0) {
        if !first && !config.page_pause.is_zero() {
            tokio::time::sleep(config.page_pause).await;
        }
        first = false;
        let count = page_count(config, remaining);
        let page_query = SearchQuery {
            start: Some(start),
            count: Some(count),
            ..query.clone()
        };
        lock(&progress).pages += 1;
        // A page is requested again only while none of its reports has been yielded.
        let attempt = || fetch_page(&client, &page_query, &tx, &progress);
        let decide = |failure: &PageError| match failure.sent == 0 && retryable(&failure.error) {
            true => iryo_runtime::RetryDecision::Retry {
                after: failure.retry_after,
            },
            false => iryo_runtime::RetryDecision::Stop,
        };
        let page = match iryo_runtime::retry(&config.retry, attempt, decide).await {
            Ok(page) => page,
            Err(PageError { sent, error, .. }) => {
                let next_start = start + sent;
                lock(&progress).next_start = next_start;
                let error = if next_start > query.start.unwrap_or(0) {
                    Error::Interrupted {
                        next_start,
                        source: Box::new(error),
                    }
                } else {
                    error
                };
                let _ = tx.send(Err(error)).await;
                return;
            }
        };
        start += page.sent;
        remaining = remaining.map(|r| r.saturating_sub(page.sent));
        let requested = match count {
            Count::Limit(n) => n,
            Count::All => u64::MAX,
        };
        if page.sent == 0 || page.sent < requested || start >= page.total {
            return;
        }
    }
}

struct PageDone {
    sent: u64,
    total: u64,
}

struct PageError {
    sent: u64,
    error: Error,
    retry_after: Option<std::time::Duration>,
}

impl PageError {
    fn new(sent: u64, error: Error) -> Self {
        PageError {
            sent,
            error,
            retry_after: None,
        }
    }
}

/// Why the body pump stopped early, so that the parser's I/O error can be told precisely.
#[derive(Default)]
struct PumpFailure {
    transport: Option<reqwest::Error>,
    too_large: Option<u64>,
}

/// One page: request, pump the body into the parser thread, wait for it.
async fn fetch_page(
    client: &Client,
    query: &SearchQuery,
    tx: &ReportSender,
    progress: &Arc<Mutex<Progress>>,
) -> Result<PageDone, PageError> {
    let response = client.send(query).await.map_err(|failure| PageError {
        sent: 0,
        error: failure.error,
        retry_after: failure.retry_after,
    })?;
    let (chunk_tx, chunk_rx) = mpsc::channel(BODY_CHUNKS);
    let pump_failure = Arc::new(Mutex::new(PumpFailure::default()));
    let limit = client.inner.config.max_response_bytes;
    let pump = tokio::spawn(pump_body(response, chunk_tx, limit, pump_failure.clone()));
    let mode = client.inner.config.invalid_bytes;
    // Decoding and parsing run on two threads: together they go past what one thread can do.
    let (text_tx, text_rx) = mpsc::channel(BODY_CHUNKS);
    let decoder = tokio::task::spawn_blocking(move || {
        decode_body(ChannelReader::new(chunk_rx), mode, &text_tx)
    });
    let (tx, progress) = (tx.clone(), progress.clone());
    let parsed = tokio::task::spawn_blocking(move || {
        parse_page(ChannelReader::new(text_rx), &tx, &progress)
    })
    .await;
    pump.abort();
    decoder.abort();
    let result = match parsed {
        Ok(result) => result,
        Err(join) => Err(PageError::new(
            0,
            Error::Read(crate::xml::ReadError::Io(format!(
                "parser thread failed: {join}"
            ))),
        )),
    };
    result.map_err(|failure| precise(failure, &pump_failure))
}

/// The parser only saw an I/O error; say what the pump saw.
fn precise(failure: PageError, pump: &Mutex<PumpFailure>) -> PageError {
    let mut pump = pump.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let error = match (pump.too_large, pump.transport.take()) {
        (Some(limit), _) => Error::TooLarge { limit },
        (None, Some(transport)) => Error::Transport(transport),
        (None, None) => return failure,
    };
    PageError::new(failure.sent, error)
}

async fn pump_body(
    mut response: reqwest::Response,
    chunks: mpsc::Sender<io::Result<Bytes>>,
    limit: u64,
    failure: Arc<Mutex<PumpFailure>>,
) {
    let mut received = 0u64;
    loop {
        let next = match response.chunk().await {
            Ok(Some(chunk)) => {
                received += chunk.len() as u64;
                if received > limit {
                    failure.lock().unwrap_or_else(|p| p.into_inner()).too_large = Some(limit);
                    Err(io::Error::other("the answer is too large"))
                } else {
                    Ok(chunk)
                }
            }
            Ok(None) => return,
            Err(e) => {
                failure.lock().unwrap_or_else(|p| p.into_inner()).transport = Some(e);
                Err(io::Error::other(
                    "the connection failed while the answer was arriving",
                ))
            }
        };
        let failed = next.is_err();
        if chunks.send(next).await.is_err() || failed {
            return;
        }
    }
}

const TEXT_CHUNK: usize = 64 * 1024;

/// Runs on a blocking thread: decodes the raw body (as its XML declaration says) into UTF-8
/// pieces for the parser; a decoding failure is passed on as the parser's input error.
fn decode_body(
    raw: ChannelReader,
    mode: crate::decode::InvalidBytes,
    text: &mpsc::Sender<io::Result<Bytes>>,
) {
    let mut decoded = match crate::decode::DecodingReader::from_declaration(raw, mode) {
        Ok(decoded) => decoded,
        Err(e) => {
            let _ = text.blocking_send(Err(e));
            return;
        }
    };
    loop {
        let mut piece = vec![0u8; TEXT_CHUNK];
        let next = match decoded.read(&mut piece) {
            Ok(0) => return,
            Ok(n) => {
                piece.truncate(n);
                Ok(Bytes::from(piece))
            }
            Err(e) => Err(e),
        };
        let failed = next.is_err();
        if text.blocking_send(next).is_err() || failed {
            return;
        }
    }
}

/// Runs on a blocking thread: parses the decoded text, sends each report on.
fn parse_page(
    input: ChannelReader,
    tx: &ReportSender,
    progress: &Mutex<Progress>,
) -> Result<PageDone, PageError> {
    let mut sent = 0;
    let fail = |sent, error: Error| PageError::new(sent, error);
    let text = std::io::BufReader::with_capacity(TEXT_CHUNK, input);
    let mut reader = ReportReader::from_decoded(text).map_err(|e| fail(0, e.into()))?;
    let total = reader.result_set().total;
    lock(progress).total = Some(total);
    for report in reader.by_ref() {
        let report = report.map_err(|e| fail(sent, e.into()))?;
        if tx.blocking_send(Ok(report)).is_err() {
            return Ok(PageDone { sent, total: 0 }); // the consumer went away
        }
        sent += 1;
        let mut progress = lock(progress);
        progress.reports += 1;
        progress.next_start += 1;
    }
    let head: &ResultSet = reader.result_set();
    check_error(head).map_err(|e| fail(sent, e))?;
    Ok(PageDone { sent, total })
}

/// `Read` over the body chunks the pump sends; blocks the (blocking) parser thread while waiting.
pub(crate) struct ChannelReader {
    chunks: mpsc::Receiver<io::Result<Bytes>>,
    current: Bytes,
}

impl ChannelReader {
    fn new(chunks: mpsc::Receiver<io::Result<Bytes>>) -> Self {
        ChannelReader {
            chunks,
            current: Bytes::new(),
        }
    }
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            match self.chunks.blocking_recv() {
                Some(chunk) => self.current = chunk?,
                None => return Ok(0),
            }
        }
        let n = self.current.len().min(buf.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}
