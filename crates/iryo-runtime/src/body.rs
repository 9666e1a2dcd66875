//! Reading an answer's body whole, within a size limit, telling a cut body from other failures.
//! The clients send through [`send_bounded`] (from progenitor's `exec` hook).

use std::error::Error as StdError;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use reqwest::ResponseBuilderExt as _;

use crate::gathered::Gathered;

/// A response body grew past the configured maximum; reading stopped there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the response is larger than the limit of {limit} bytes")]
pub struct BodyTooLarge {
    /// The limit, in bytes.
    pub limit: u64,
}

/// A JSON answer holding more list items (array elements, at any depth) than the client allows:
/// each becomes a typed value of hundreds of bytes, so their number, not the answer's size,
/// bounds the typed decode's memory. Counted before any decoding, without allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the answer holds {count} list items, more than the limit of {limit}")]
pub struct TooManyItems {
    /// The items in the answer.
    pub count: u64,
    /// The limit.
    pub limit: u64,
}

/// The server answered (status and headers came), but the body ended early: the connection
/// closed before `Content-Length` bytes, or broke in the middle of the body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the server answered {url} with HTTP {status}, but the body was cut after {received} bytes{}",
    match declared { Some(d) => format!(" of {d}"), None => String::new() }
)]
pub struct BodyCut {
    /// The URL asked (never with credentials: base URLs with a user or password are refused).
    pub url: String,
    /// The status of the answer.
    pub status: u16,
    /// Bytes received before the cut.
    pub received: u64,
    /// The `Content-Length` the server announced, if any.
    pub declared: Option<u64>,
}

/// Sends `request` and reads the whole body (at most `limit` bytes) before handing the response
/// on, so that a cut or oversized body is found here, with the real URL. A body that cannot be
/// read is replaced by one that fails with [`BodyCut`] or [`BodyTooLarge`] (find them with
/// [`body_failure`]); timeouts keep reqwest's own error.
pub async fn send_bounded(
    client: &reqwest::Client,
    request: reqwest::Request,
    limit: u64,
) -> reqwest::Result<reqwest::Response> {
    send_bounded_items(client, request, limit, None).await
}

/// [`send_bounded`], and a JSON body of more than `max_items` list items fails with
/// [`TooManyItems`] before it is decoded (a body that is not JSON is left to the decoder).
pub async fn send_bounded_items(
    client: &reqwest::Client,
    request: reqwest::Request,
    limit: u64,
    max_items: Option<u64>,
) -> reqwest::Result<reqwest::Response> {
    let mut response = client.execute(request).await?;
    let builder = http::Response::builder()
        .status(response.status())
        .version(response.version())
        .url(response.url().clone());
    let headers = response.headers().clone();
    let read = read_body(&mut response, limit).await.and_then(|bytes| {
        match (max_items, crate::items::count_items(&bytes)) {
            (Some(limit), Some(count)) if count > limit => {
                Err(BodyFailure::TooManyItems(TooManyItems { count, limit }))
            }
            _ => Ok(bytes),
        }
    });
    let body = match read {
        Ok(bytes) => reqwest::Body::from(bytes),
        Err(failure) => reqwest::Body::wrap_stream(FailedBody(Some(failure))),
    };
    let mut builder = builder;
    if let Some(slot) = builder.headers_mut() {
        *slot = headers;
    }
    Ok(match builder.body(body) {
        Ok(rebuilt) => reqwest::Response::from(rebuilt),
        // Unreachable: every part comes from a valid response.
        Err(_) => response,
    })
}

/// The one count of a body's bytes against its limit: checked against the announced
/// `Content-Length` before reading, then chunk by chunk. Every client that reads a body (whole or
/// streamed) counts through it.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit {
    limit: u64,
    received: u64,
}

impl BodyLimit {
    /// A count for a body announced as `declared` bytes (if at all); refused at once when the
    /// announcement is over `limit`.
    pub fn new(limit: u64, declared: Option<u64>) -> Result<Self, BodyTooLarge> {
        if declared.is_some_and(|length| length > limit) {
            return Err(BodyTooLarge { limit });
        }
        Ok(BodyLimit { limit, received: 0 })
    }

    /// Counts `chunk` bytes more; fails once the body would pass the limit.
    pub fn take(&mut self, chunk: usize) -> Result<(), BodyTooLarge> {
        self.received = self.received.saturating_add(chunk as u64);
        match self.received > self.limit {
            true => Err(BodyTooLarge { limit: self.limit }),
            false => Ok(()),
        }
    }
}

async fn read_body(response: &mut reqwest::Response, limit: u64) -> Result<Bytes, BodyFailure> {
    let declared = response.content_length();
    let mut count = BodyLimit::new(limit, declared).map_err(BodyFailure::TooLarge)?;
    let mut body = Gathered::new(declared);
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                count.take(chunk.len()).map_err(BodyFailure::TooLarge)?;
                body.push(&chunk);
            }
            Ok(None) if declared.is_some_and(|d| (body.len() as u64) < d) => {
                return Err(cut(response, body.len(), declared));
            }
            Ok(None) => return Ok(Bytes::from(body.join())),
            Err(e) if e.is_timeout() => return Err(BodyFailure::Transport(e)),
            Err(_) => return Err(cut(response, body.len(), declared)),
        }
    }
}

fn cut(response: &reqwest::Response, received: usize, declared: Option<u64>) -> BodyFailure {
    BodyFailure::Cut(BodyCut {
        url: response.url().to_string(),
        status: response.status().as_u16(),
        received: received as u64,
        declared,
    })
}

/// Why a body could not be read.
#[derive(Debug, thiserror::Error)]
enum BodyFailure {
    #[error(transparent)]
    TooLarge(BodyTooLarge),
    #[error(transparent)]
    Cut(BodyCut),
    #[error(transparent)]
    TooManyItems(TooManyItems),
    #[error(transparent)]
    Transport(reqwest::Error),
}

/// A body that yields its failure once.
struct FailedBody(Option<BodyFailure>);

impl Stream for FailedBody {
    type Item = Result<Bytes, Box<dyn StdError + Send + Sync>>;

    fn poll_next(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Poll::Ready(self.0.take().map(|failure| Err(failure.into())))
    }
}

/// What [`send_bounded`] (or [`send_bounded_items`]) found wrong with a body, from anywhere in an error's source chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyProblem {
    /// See [`BodyTooLarge`].
    TooLarge(BodyTooLarge),
    /// See [`BodyCut`].
    Cut(BodyCut),
    /// See [`TooManyItems`].
    TooManyItems(TooManyItems),
}

/// The [`BodyTooLarge`] or [`BodyCut`] in an error's source chain.
pub fn body_failure(error: &(dyn StdError + 'static)) -> Option<BodyProblem> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<BodyTooLarge>() {
            return Some(BodyProblem::TooLarge(*found));
        }
        if let Some(found) = e.downcast_ref::<BodyCut>() {
            return Some(BodyProblem::Cut(found.clone()));
        }
        if let Some(BodyFailure::TooLarge(found)) = e.downcast_ref::<BodyFailure>() {
            return Some(BodyProblem::TooLarge(*found));
        }
        if let Some(BodyFailure::Cut(found)) = e.downcast_ref::<BodyFailure>() {
            return Some(BodyProblem::Cut(found.clone()));
        }
        if let Some(BodyFailure::TooManyItems(found)) = e.downcast_ref::<BodyFailure>() {
            return Some(BodyProblem::TooManyItems(*found));
        }
        current = e.source();
    }
    None
}
