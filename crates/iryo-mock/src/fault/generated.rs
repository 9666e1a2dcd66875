//! [`Fault::Generated`](super::Fault::Generated): a body produced while it is sent, so that a hostile answer
//! of any size (or an endless one) costs the mock no memory.

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::http::HeaderValue;
use axum::http::header::CONTENT_TYPE;
use axum::response::Response;
use futures_core::Stream;

use super::Wire;

/// Bytes per chunk sent.
const CHUNK: usize = 64 * 1024;

/// HTTP 200, chunked, in the mock's content type.
pub(super) fn response<W: Wire>(
    prefix: String,
    repeat: String,
    times: Option<u64>,
    suffix: String,
) -> Response {
    let body = Body::from_stream(Generated {
        prefix: Some(Bytes::from(prefix)),
        repeat: repeated_chunk(&repeat),
        unit: repeat.len() as u64,
        left: times.map(|t| t.saturating_mul(repeat.len() as u64)),
        suffix: Some(Bytes::from(suffix)),
    });
    let mut response = Response::new(body);
    let content_type = HeaderValue::from_static(W::CONTENT_TYPE);
    response.headers_mut().insert(CONTENT_TYPE, content_type);
    response
}

/// `repeat` as many whole times as fit in about one chunk (at least once).
fn repeated_chunk(repeat: &str) -> Bytes {
    let copies = (CHUNK / repeat.len().max(1)).max(1);
    Bytes::from(repeat.repeat(copies))
}

struct Generated {
    prefix: Option<Bytes>,
    repeat: Bytes,
    unit: u64,
    /// Bytes of repeats still to send; `None` for ever.
    left: Option<u64>,
    suffix: Option<Bytes>,
}

impl Stream for Generated {
    type Item = Result<Bytes, std::convert::Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Some(prefix) = self.prefix.take().filter(|p| !p.is_empty()) {
            return Poll::Ready(Some(Ok(prefix)));
        }
        match self.left {
            None if self.unit > 0 => return Poll::Ready(Some(Ok(self.repeat.clone()))),
            Some(left) if left > 0 => {
                let n = left.min(self.repeat.len() as u64);
                self.left = Some(left - n);
                return Poll::Ready(Some(Ok(self.repeat.slice(..n as usize))));
            }
            _ => {}
        }
        Poll::Ready(self.suffix.take().filter(|s| !s.is_empty()).map(Ok))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(mut stream: Generated, most: usize) -> Vec<u8> {
        let waker = std::task::Waker::noop();
        let mut cx = Context::from_waker(waker);
        let mut out = Vec::new();
        while out.len() < most {
            match Pin::new(&mut stream).poll_next(&mut cx) {
                Poll::Ready(Some(Ok(chunk))) => out.extend_from_slice(&chunk),
                _ => break,
            }
        }
        out
    }

    fn generated(repeat: &str, times: Option<u64>) -> Generated {
        Generated {
            prefix: Some(Bytes::from_static(b"<a>")),
            repeat: repeated_chunk(repeat),
            unit: repeat.len() as u64,
            left: times.map(|t| t * repeat.len() as u64),
            suffix: Some(Bytes::from_static(b"</a>")),
        }
    }

    #[test]
    fn prefix_repeats_and_suffix_in_order() {
        let body = collect(generated("<b/>", Some(40_000)), usize::MAX);
        assert_eq!(body.len(), 3 + 40_000 * 4 + 4);
        assert!(body.starts_with(b"<a><b/><b/>") && body.ends_with(b"<b/></a>"));
        let endless = collect(generated("x", None), 1_000_000);
        assert!(endless.len() >= 1_000_000 && !endless.ends_with(b"</a>"));
    }
}
