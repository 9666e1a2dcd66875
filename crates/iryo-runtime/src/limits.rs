//! Transport safety shared by the clients: a cap on response bodies, and no credentials over plain
//! HTTP to another host unless the user says so.

use std::error::Error as StdError;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;

/// A response body grew past the configured maximum; reading stopped there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the response is larger than the limit of {limit} bytes")]
pub struct BodyTooLarge {
    /// The limit, in bytes.
    pub limit: u64,
}

/// The same response, whose body fails with [`BodyTooLarge`] once more than `limit` bytes have
/// arrived (at once when `Content-Length` already says so). Status and headers are kept.
pub fn limit_response_body(response: reqwest::Response, limit: u64) -> reqwest::Response {
    let declared = response.content_length();
    let mut builder = http::Response::builder()
        .status(response.status())
        .version(response.version());
    if let Some(headers) = builder.headers_mut() {
        *headers = response.headers().clone();
    }
    let inner: BoxStream = Box::pin(response.bytes_stream());
    let limited = LimitedBody {
        inner,
        remaining: limit,
        limit,
        failed: declared.is_some_and(|length| length > limit),
    };
    match builder.body(reqwest::Body::wrap_stream(limited)) {
        Ok(limited) => reqwest::Response::from(limited),
        Err(_) => unreachable_response(),
    }
}

/// `http::Response::builder` only fails on invalid parts, and ours come from a valid response.
fn unreachable_response() -> reqwest::Response {
    reqwest::Response::from(http::Response::new(reqwest::Body::from(Vec::<u8>::new())))
}

type BoxStream = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>;

struct LimitedBody {
    inner: BoxStream,
    remaining: u64,
    limit: u64,
    failed: bool,
}

impl Stream for LimitedBody {
    type Item = Result<Bytes, Box<dyn StdError + Send + Sync>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.failed {
            return Poll::Ready(Some(Err(Box::new(BodyTooLarge { limit: self.limit }))));
        }
        match self.inner.as_mut().poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                let size = chunk.len() as u64;
                if size > self.remaining {
                    self.failed = true;
                    return Poll::Ready(Some(Err(Box::new(BodyTooLarge { limit: self.limit }))));
                }
                self.remaining -= size;
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(Box::new(e)))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Sends `request` and caps the answer's body at `limit` bytes (see [`limit_response_body`]).
pub async fn execute_limited(
    client: &reqwest::Client,
    request: reqwest::Request,
    limit: u64,
) -> reqwest::Result<reqwest::Response> {
    let response = client.execute(request).await?;
    Ok(limit_response_body(response, limit))
}

/// The [`BodyTooLarge`] somewhere in an error's source chain.
pub fn body_too_large(error: &(dyn StdError + 'static)) -> Option<BodyTooLarge> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<BodyTooLarge>() {
            return Some(*found);
        }
        current = e.source();
    }
    None
}

/// Refuses to send credentials over plain `http://` to a host that is not loopback, unless
/// `allow_insecure_http` is set (some clinic networks need it). The message names the setting.
pub fn check_plain_http(
    base_url: &str,
    sends_credentials: bool,
    allow_insecure_http: bool,
) -> Result<(), String> {
    let Ok(url) = reqwest::Url::parse(base_url) else {
        return Err("the base URL is not a URL".to_owned());
    };
    if url.scheme() != "http" || !sends_credentials || allow_insecure_http {
        return Ok(());
    }
    let loopback = match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    if loopback {
        return Ok(());
    }
    Err(format!(
        "refusing to send credentials over plain http to {}; use https, or set allow_insecure_http(true) \
         on a network you trust",
        url.host_str().unwrap_or("?")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_over_http_only_to_loopback_or_when_allowed() {
        for ok in [
            "http://127.0.0.1:8000",
            "http://localhost/",
            "http://[::1]:9/",
            "https://orca.example.jp",
        ] {
            assert!(check_plain_http(ok, true, false).is_ok(), "{ok}");
        }
        let err = check_plain_http("http://192.168.1.10:8000", true, false).unwrap_err();
        assert!(err.contains("allow_insecure_http"), "{err}");
        assert!(check_plain_http("http://192.168.1.10:8000", true, true).is_ok());
        assert!(
            check_plain_http("http://example.jp", false, false).is_ok(),
            "nothing secret to send"
        );
    }
}
