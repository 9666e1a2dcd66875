//! Faults of the network and of what stands between a client and the server (a proxy, a load balancer, a
//! crashing process), injected into one answer of any mock, for testing how clients cope: timeouts, retries,
//! body limits, content checks. See the crate docs' "Fault injection" for what a client observes.
//!
//! Every mock queues faults with `push_fault` (first in, first out; each API request takes one) next to its
//! own failures (business errors, raw bodies), and counts its API requests with `request_count`.

mod conn;
mod form;
mod generated;

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use axum::response::Response;
use futures_core::Stream;
use serde::{Deserialize, Serialize};

pub(crate) use conn::{Connection, FaultListener};
use conn::{Plan, StallEnd};
use form::FaultForm;
pub(crate) use form::faults_from_json;

use crate::server::Stopping;

/// A fault for one answer of a mock's API. Queue it with the mock's `push_fault`; the next API request (one
/// the mock would otherwise answer: for ORCA and PLAT, one that passed authentication) takes it.
///
/// Faults marked *normal answer* first answer the request as usual, store changes included (a PLAT deletion
/// happens even when its answer is then cut), and then spoil that answer; the others replace it without looking
/// at the request. The JSON form, for the `POST /__mock/<mock>/fault` control routes, is given with each
/// variant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "FaultForm", into = "FaultForm")]
#[non_exhaustive]
pub enum Fault {
    /// This status (200-599) with an empty body and `Content-Length: 0`, in the mock's own style (ORCA adds
    /// `Content-Type: text/plain`). `{"kind":"status","status":502}`
    Status(u16),
    /// This status (200-599) with the HTML error page of a proxy or load balancer in front of the API
    /// (`Content-Type: text/html; charset=utf-8`, `<html>…<h1>503 Service Unavailable</h1>…</html>`).
    /// `{"kind":"html","status":503}`
    Html(u16),
    /// *Normal answer*, labelled `Content-Type: text/plain` (ORCA, PLAT) or `application/json` (hiyari).
    /// `{"kind":"wrong_content_type"}`
    WrongContentType,
    /// Reads the request, then resets the TCP connection (an RST) without a byte of response.
    /// `{"kind":"reset_before_response"}`
    ResetBeforeResponse,
    /// *Normal answer*: its head, with the full `Content-Length`, and the first `after_bytes` bytes of its body
    /// (all of it if shorter), then the connection is closed (a FIN). `{"kind":"cut_body","after_bytes":100}`
    CutBody {
        /// Body bytes sent before the connection closes.
        after_bytes: usize,
    },
    /// *Normal answer*, after this long; no bytes go out meanwhile. The stall ends early if the client goes
    /// away or the mock stops (then the connection is reset). `{"kind":"stall_before_headers","stall_ms":10000}`
    StallBeforeHeaders(Duration),
    /// *Normal answer*: its head and the first `after_bytes` bytes of its body, then nothing for `stall`, then
    /// the rest. Nothing stalls if the body is not longer than `after_bytes`; the stall ends early if the client
    /// goes away or the mock stops (then the connection is closed).
    /// `{"kind":"stall_mid_body","after_bytes":100,"stall_ms":10000}`
    StallMidBody {
        /// Body bytes sent before the stall.
        after_bytes: usize,
        /// How long nothing more is sent.
        stall: Duration,
    },
    /// *Normal answer* with the bytes `81 20 FF` inserted into a text: `<DATCONTENTTEXT>` (else `<Error>`) for
    /// hiyari, where they are not Shift_JIS (a lead byte without its trail byte, and a byte Shift_JIS never
    /// uses); the first JSON string for ORCA and PLAT, where they are not UTF-8 either.
    /// `{"kind":"invalid_shift_jis"}`
    InvalidShiftJis,
    /// A well-formed HTTP 200 answer of at least `bytes` bytes (up to 512 MiB), generated without looking at the
    /// request: ORCA, an array of notifications; PLAT, a group with a long `permissionComment` list; hiyari, a
    /// `ResultSet` of generated reports. With `chunked`, it is sent with `Transfer-Encoding: chunked` and no
    /// `Content-Length`, so a client must count the bytes itself.
    /// `{"kind":"oversized","bytes":1000000,"chunked":true}` (`chunked` defaults to `false`)
    Oversized {
        /// The least size of the body.
        bytes: usize,
        /// Whether to leave out `Content-Length`.
        chunked: bool,
    },
    /// *Normal answer* holding at most its first `items` items: a server that caps its answers below the
    /// `count` asked. hiyari: reports, with `count` saying how many are left; ORCA and PLAT do not page, their
    /// answer is unchanged. `{"kind":"answer_cap","items":10}`
    AnswerCap {
        /// The most items the answer holds.
        items: usize,
    },
    /// *Normal answer* with its items repeated until there are `items` of them, more than asked (hiyari:
    /// reports, with `count` saying so; ORCA and PLAT unchanged). `{"kind":"over_deliver","items":1000}`
    OverDeliver {
        /// How many items the answer holds.
        items: usize,
    },
    /// The answer to the same request without its `start`: the first page again, `position="0"`, whatever
    /// was asked (a server that ignores paging). With `claim_start`, `position` says the `start` asked, so
    /// only the content repeats. hiyari only; ORCA and PLAT answer normally.
    /// `{"kind":"ignore_start","claim_start":false}`
    IgnoreStart {
        /// Whether `position` pretends to be the `start` asked.
        claim_start: bool,
    },
    /// HTTP 200 in the mock's content type with a chunked body generated while it is sent: `prefix`, then
    /// `repeat` `times` times (forever without `times`, until the client goes away), then `suffix`. Hostile
    /// bodies (millions of elements, one huge text, endless text, zeros) without building them in memory.
    /// `{"kind":"generated","prefix":"<a>","repeat":"<b/>","times":5000000,"suffix":"</a>"}`
    Generated {
        /// Sent first.
        prefix: String,
        /// Sent `times` times (must not be empty).
        repeat: String,
        /// How many times; `None` for ever.
        times: Option<u64>,
        /// Sent last (never, when `times` is `None`).
        suffix: String,
    },
    /// `status` (200-599, typically 429 or 503) with `Retry-After: <seconds>` and an empty body.
    /// `{"kind":"retry_after","status":503,"seconds":120}`
    RetryAfter {
        /// The status answered.
        status: u16,
        /// The `Retry-After` value, in seconds.
        seconds: u64,
    },
}

/// The largest [`Fault::Oversized`] answer, 512 MiB: the answer is built in memory.
pub const MAX_OVERSIZED_BYTES: usize = 512 * 1024 * 1024;

/// A [`Fault`] the mocks cannot carry out.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidFault {
    /// Statuses must be final statuses, 200 to 599.
    #[error("a fault's HTTP status must be between 200 and 599, got {0}")]
    StatusOutOfRange(u16),
    /// [`Fault::Oversized`] is limited to [`MAX_OVERSIZED_BYTES`].
    #[error("an oversized answer is limited to {MAX_OVERSIZED_BYTES} bytes, got {0}")]
    TooLarge(usize),
    /// [`Fault::Generated`] needs something to repeat.
    #[error("a generated answer needs a non-empty `repeat`")]
    NothingToRepeat,
}

impl Fault {
    /// Checks that the mocks can carry the fault out: statuses 200 to 599, an oversized answer within
    /// [`MAX_OVERSIZED_BYTES`]. The mocks' `push_fault` panics on a fault that fails this check; the control
    /// routes answer 400.
    pub fn check(&self) -> Result<(), InvalidFault> {
        match *self {
            Fault::Status(status) | Fault::Html(status) | Fault::RetryAfter { status, .. }
                if !(200..=599).contains(&status) =>
            {
                Err(InvalidFault::StatusOutOfRange(status))
            }
            Fault::Oversized { bytes, .. } if bytes > MAX_OVERSIZED_BYTES => {
                Err(InvalidFault::TooLarge(bytes))
            }
            Fault::Generated { ref repeat, .. } if repeat.is_empty() => {
                Err(InvalidFault::NothingToRepeat)
            }
            _ => Ok(()),
        }
    }

    /// Panics on a fault [`Fault::check`] refuses, at the caller of `push_fault`.
    #[track_caller]
    pub(crate) fn checked(self) -> Self {
        if let Err(error) = self.check() {
            panic!("cannot inject {self:?}: {error}");
        }
        self
    }
}

/// The bytes [`Fault::InvalidShiftJis`] inserts.
pub(crate) const INVALID_BYTES: [u8; 3] = [0x81, 0x20, 0xFF];

/// How one mock words the answers that faults borrow from it.
pub(crate) trait Wire {
    /// The `Content-Type` of its normal answers (JSON unless told).
    const CONTENT_TYPE: &'static str = "application/json";
    /// The wrong `Content-Type` of [`Fault::WrongContentType`].
    const WRONG_CONTENT_TYPE: &'static str = "text/plain";
    /// Its answer to an error status with nothing to say.
    fn empty(status: StatusCode) -> Response;
    /// A well-formed answer body of at least `bytes` bytes.
    fn oversized_body(bytes: usize) -> Vec<u8>;
    /// Where [`INVALID_BYTES`] go in a normal answer body: an offset inside a text (in JSON unless told).
    fn text_offset(body: &[u8]) -> Option<usize> {
        json_text_offset(body)
    }
    /// [`Fault::AnswerCap`] (`repeat` false) and [`Fault::OverDeliver`] (`repeat` true): a normal answer
    /// body with `items` items. APIs that do not page keep the body as it is.
    fn with_items(body: &[u8], _items: usize, _repeat: bool) -> Vec<u8> {
        body.to_vec()
    }
}

/// Answers a request that took `fault`. `normal` answers it as usual; it runs only for faults that spoil the
/// normal answer. `connection` is the request's, for the faults that break it.
pub(crate) async fn respond<W: Wire>(
    fault: Fault,
    connection: &Connection,
    stopping: &Stopping,
    normal: impl Future<Output = Response>,
) -> Response {
    tracing::debug!(?fault, "answering with a fault");
    match fault {
        Fault::Status(status) => W::empty(status_code(status)),
        Fault::Html(status) => html_page(status_code(status)),
        Fault::RetryAfter { status, seconds } => {
            let mut response = W::empty(status_code(status));
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(seconds));
            response
        }
        Fault::ResetBeforeResponse => {
            connection.arm(Plan::reset());
            W::empty(StatusCode::INTERNAL_SERVER_ERROR)
        }
        Fault::Oversized { bytes, chunked } => oversized::<W>(bytes, chunked),
        Fault::Generated {
            prefix,
            repeat,
            times,
            suffix,
        } => generated::response::<W>(prefix, repeat, times, suffix),
        // The mock answered the request without its `start` already (only hiyari pages).
        Fault::IgnoreStart { .. } => normal.await,
        Fault::AnswerCap { items } | Fault::OverDeliver { items } => {
            let repeat = matches!(fault, Fault::OverDeliver { .. });
            let (response, body) = buffered(normal.await).await;
            with_body(response, Body::from(W::with_items(&body, items, repeat)))
        }
        Fault::WrongContentType => {
            let mut response = normal.await;
            let wrong = HeaderValue::from_static(W::WRONG_CONTENT_TYPE);
            response.headers_mut().insert(CONTENT_TYPE, wrong);
            response
        }
        Fault::InvalidShiftJis => {
            let (response, body) = buffered(normal.await).await;
            let at = W::text_offset(&body).unwrap_or(0).min(body.len());
            let mut spoiled = Vec::with_capacity(body.len() + INVALID_BYTES.len());
            spoiled.extend_from_slice(&body[..at]);
            spoiled.extend_from_slice(&INVALID_BYTES);
            spoiled.extend_from_slice(&body[at..]);
            with_body(response, Body::from(spoiled))
        }
        Fault::CutBody { after_bytes } => {
            let (response, body) = buffered(normal.await).await;
            connection.arm(Plan::close_after(after_bytes.min(body.len())));
            with_body(response, Body::from(body))
        }
        Fault::StallBeforeHeaders(duration) => {
            let response = normal.await;
            if stall(duration, stopping.clone()).await == StallEnd::Stopping {
                connection.arm(Plan::reset());
            }
            response
        }
        Fault::StallMidBody {
            after_bytes,
            stall: duration,
        } => {
            let (response, body) = buffered(normal.await).await;
            if after_bytes < body.len() {
                let stall = Box::pin(stall(duration, stopping.clone()));
                connection.arm(Plan::stall_after(after_bytes, stall));
            }
            with_body(response, Body::from(body))
        }
    }
}

/// Waits `duration`, or less if the server stops first.
async fn stall(duration: Duration, stopping: Stopping) -> StallEnd {
    tokio::select! {
        () = tokio::time::sleep(duration) => StallEnd::Elapsed,
        () = stopping.wait() => StallEnd::Stopping,
    }
}

/// Statuses were checked when the fault was queued.
fn status_code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// The error page of a proxy in front of the API, in nginx's layout.
fn html_page(status: StatusCode) -> Response {
    let title = format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Error")
    );
    let page = format!(
        "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n\
         <hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    );
    let mut response = Response::new(Body::from(page));
    *response.status_mut() = status;
    let content_type = HeaderValue::from_static("text/html; charset=utf-8");
    response.headers_mut().insert(CONTENT_TYPE, content_type);
    response
}

fn oversized<W: Wire>(bytes: usize, chunked: bool) -> Response {
    let body = Bytes::from(W::oversized_body(bytes));
    let body = if chunked {
        Body::from_stream(Chunks(body))
    } else {
        Body::from(body)
    };
    let mut response = Response::new(body);
    let content_type = HeaderValue::from_static(W::CONTENT_TYPE);
    response.headers_mut().insert(CONTENT_TYPE, content_type);
    response
}

/// A body in 16 KiB pieces, of no announced length, so that hyper sends it chunked.
struct Chunks(Bytes);

impl Stream for Chunks {
    type Item = Result<Bytes, std::convert::Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.0.is_empty() {
            return Poll::Ready(None);
        }
        let size = self.0.len().min(16 * 1024);
        Poll::Ready(Some(Ok(self.0.split_to(size))))
    }
}

/// A normal answer with its body read into memory (normal answers are never streamed).
async fn buffered(response: Response) -> (Response, Bytes) {
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    (Response::from_parts(parts, Body::empty()), bytes)
}

/// `response` with another body; hyper writes its length.
fn with_body(response: Response, body: Body) -> Response {
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(CONTENT_LENGTH);
    Response::from_parts(parts, body)
}

/// Just inside the first JSON string value (after the first `":"`), for [`Fault::InvalidShiftJis`].
fn json_text_offset(body: &[u8]) -> Option<usize> {
    body.windows(3).position(|w| w == b"\":\"").map(|at| at + 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_refuse_what_cannot_be_answered() {
        assert_eq!(
            Fault::Status(101).check(),
            Err(InvalidFault::StatusOutOfRange(101))
        );
        assert_eq!(Fault::Html(200).check(), Ok(()));
        let huge = Fault::Oversized {
            bytes: MAX_OVERSIZED_BYTES + 1,
            chunked: false,
        };
        assert_eq!(
            huge.check(),
            Err(InvalidFault::TooLarge(MAX_OVERSIZED_BYTES + 1))
        );
    }

    #[test]
    fn json_text_goes_inside_the_first_string() {
        assert_eq!(json_text_offset(br#"[{"data":{"uuid":"abc"}}]"#), Some(18));
        assert_eq!(json_text_offset(b"[]"), None);
    }
}
