//! How to reach the service, how politely to page through it, and what an answer may hold.

use std::sync::Arc;
use std::time::Duration;

use iryo_runtime::RetryPolicy;

use crate::Error;
use crate::client::Client;
use crate::decode::InvalidBytes;
use crate::limits::Limits;
use crate::page::{Endpoint, RawPages};

/// The public service (the document names http; it is served over https today).
pub const PUBLIC_BASE_URL: &str = "https://www.yakkyoku-hiyari.jcqhc.or.jp";
/// The documented endpoint.
pub const DEFAULT_PATH: &str = "/phsearch/SearchReportApi.action";
/// The zero-hits message (fixup `zero-hits-error`).
pub const NO_RESULTS: &str = "検索結果が存在しません";

/// GET with a query string, or POST with a form body (same encoding).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Method {
    /// `GET path?query` (the default).
    #[default]
    Get,
    /// `POST path` with the query as an `application/x-www-form-urlencoded` body.
    Post,
}

/// How to reach the service and how politely to page through it.
#[derive(Clone)]
pub struct Config {
    base_url: String,
    path: String,
    pub(crate) method: Method,
    pub(crate) page_size: u64,
    pub(crate) page_pause: Duration,
    pub(crate) unbounded_all: bool,
    pub(crate) invalid_bytes: InvalidBytes,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_response_bytes: u64,
    pub(crate) limits: Limits,
    pub(crate) raw_pages: Option<Arc<dyn RawPages>>,
    read_timeout: Duration,
    connect_timeout: Duration,
}

impl Config {
    /// A service at `base_url` (scheme and host), the documented path, GET, pages of 100
    /// reports with a 1 s pause between them, 3 attempts per page for failures worth retrying,
    /// pages of at most 64 MiB read within the default [`Limits`], a 10 s connect and a 60 s
    /// read timeout.
    pub fn new(base_url: impl Into<String>) -> Self {
        Config {
            base_url: base_url.into(),
            path: DEFAULT_PATH.to_owned(),
            method: Method::Get,
            page_size: 100,
            page_pause: Duration::from_secs(1),
            unbounded_all: false,
            invalid_bytes: InvalidBytes::Fail,
            retry: RetryPolicy::default(),
            max_response_bytes: 64 * 1024 * 1024,
            limits: Limits::default(),
            raw_pages: None,
            read_timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
        }
    }

    iryo_runtime::setters! {
        /// The endpoint path, e.g. `/phsearch/SearchNewReportApi.action` for the newer service.
        path(path: impl Into<String>) => path = path.into();
        /// GET or POST.
        method(method: Method) => method;
        /// Reports per request when a search is fetched page by page (at least 1).
        page_size(page_size: u64) => page_size = page_size.max(1);
        /// Pause between two page requests (requests are never concurrent).
        page_pause(pause: Duration) => page_pause;
        /// Send `count=all` as one request instead of pages. The public service is known to time out
        /// on big answers: use with care.
        unbounded_all(yes: bool) => unbounded_all;
        /// What invalid Shift_JIS bytes in an answer do: fail (default) or become U+FFFD.
        invalid_bytes(mode: InvalidBytes) => invalid_bytes;
        /// Retries of a page request (searches are safe to repeat) on connection failures, timeouts,
        /// 408, 429 and 5xx, honouring `Retry-After`, as long as nothing of that page was yielded.
        retry(policy: RetryPolicy) => retry;
        /// The largest answer to one request; a bigger one is [`Error::TooLarge`].
        max_response_bytes(limit: u64) => max_response_bytes;
        /// What one report (and the rest of an answer) may hold: see [`Limits`].
        limits(limits: Limits) => limits;
        /// Keeps every answer's raw bytes, as received: `pages` gives a writer per page request.
        raw_pages(pages: Arc<dyn RawPages>) => raw_pages = Some(pages);
        /// The longest wait for the next bytes of an answer (a stalled server), without limiting
        /// how long a large answer may take in all.
        read_timeout(timeout: Duration) => read_timeout;
        /// Time allowed to open a connection.
        connect_timeout(timeout: Duration) => connect_timeout;
    }

    /// The client.
    pub fn build(self) -> Result<Client, Error> {
        let base = iryo_runtime::__private::join_base_url(&self.base_url, "")
            .map_err(|e| Error::Config(e.to_string()))?;
        if !self.path.starts_with('/') {
            return Err(Error::Config(format!(
                "path `{}` must start with /",
                self.path
            )));
        }
        // The public service sends no credentials; answers stream at any length, so a read
        // timeout stands in for the total one.
        let mut transport = iryo_runtime::Transport::new(
            concat!("iryo-hiyari/", env!("CARGO_PKG_VERSION")),
            self.max_response_bytes,
        );
        transport.read_timeout = Some(self.read_timeout);
        transport.connect_timeout = self.connect_timeout;
        let http = transport
            .http_client(&base, false)
            .map_err(|e| Error::Config(e.to_string()))?;
        let url = format!("{base}{}", self.path);
        Ok(Client::from_endpoint(Endpoint::new(url, http, self)))
    }

    /// The page size of paging, `None` for one `count=all` request.
    pub(crate) fn paging_page_size(&self) -> Option<u64> {
        (!self.unbounded_all).then_some(self.page_size)
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("base_url", &self.base_url)
            .field("path", &self.path)
            .field("method", &self.method)
            .field("page_size", &self.page_size)
            .field("page_pause", &self.page_pause)
            .field("unbounded_all", &self.unbounded_all)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("limits", &self.limits)
            .field("raw_pages", &self.raw_pages.is_some())
            .finish_non_exhaustive()
    }
}
