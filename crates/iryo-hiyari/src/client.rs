//! The client: one page at a time ([`Client::search_page`]) or every match as a stream of reports
//! fetched page by page, politely ([`Client::search`]).

use std::sync::Arc;
use std::time::Duration;

use iryo_runtime::body_excerpt;

use crate::decode::InvalidBytes;
use crate::query::{Count, SearchQuery};
use crate::stream::ReportStream;
use crate::{Error, ResultSet};

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
#[derive(Clone, Debug)]
pub struct Config {
    base_url: String,
    path: String,
    method: Method,
    pub(crate) page_size: u64,
    pub(crate) page_pause: Duration,
    pub(crate) unbounded_all: bool,
    pub(crate) invalid_bytes: InvalidBytes,
    timeout: Duration,
    connect_timeout: Duration,
}

impl Config {
    /// A service at `base_url` (scheme and host), the documented path, GET, pages of 100
    /// reports with a 1 s pause between them.
    pub fn new(base_url: impl Into<String>) -> Self {
        Config {
            base_url: base_url.into(),
            path: DEFAULT_PATH.to_owned(),
            method: Method::Get,
            page_size: 100,
            page_pause: Duration::from_secs(1),
            unbounded_all: false,
            invalid_bytes: InvalidBytes::Fail,
            timeout: Duration::from_secs(120),
            connect_timeout: Duration::from_secs(10),
        }
    }

    /// The endpoint path, e.g. `/phsearch/SearchNewReportApi.action` for the newer service.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// GET or POST.
    pub fn method(mut self, method: Method) -> Self {
        self.method = method;
        self
    }

    /// Reports per request when a search is fetched page by page (at least 1).
    pub fn page_size(mut self, page_size: u64) -> Self {
        self.page_size = page_size.max(1);
        self
    }

    /// Pause between two page requests (requests are never concurrent).
    pub fn page_pause(mut self, pause: Duration) -> Self {
        self.page_pause = pause;
        self
    }

    /// Send `count=all` as one request instead of pages. The public service is known to time out
    /// on big answers: use with care.
    pub fn unbounded_all(mut self, yes: bool) -> Self {
        self.unbounded_all = yes;
        self
    }

    /// What invalid Shift_JIS bytes in an answer do: fail (default) or become U+FFFD.
    pub fn invalid_bytes(mut self, mode: InvalidBytes) -> Self {
        self.invalid_bytes = mode;
        self
    }

    /// Total time allowed for one request, answer included.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time allowed to open a connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The client.
    pub fn build(self) -> Result<Client, Error> {
        let base = iryo_runtime::join_base_url(&self.base_url, "")
            .map_err(|e| Error::Config(e.to_string()))?;
        if !self.path.starts_with('/') {
            return Err(Error::Config(format!(
                "path `{}` must start with /",
                self.path
            )));
        }
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .user_agent(concat!("iryo-hiyari/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Config(e.to_string()))?;
        Ok(Client {
            inner: Arc::new(Inner {
                endpoint: format!("{base}{}", self.path),
                http,
                config: self,
            }),
        })
    }
}

/// A client of one service. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) endpoint: String,
    pub(crate) http: reqwest::Client,
    pub(crate) config: Config,
}

impl Client {
    /// A client of `base_url` with default settings.
    pub fn new(base_url: impl Into<String>) -> Result<Self, Error> {
        Config::new(base_url).build()
    }

    /// The endpoint URL, without query.
    pub fn endpoint(&self) -> &str {
        &self.inner.endpoint
    }

    /// Exactly one request for `query` as given, read whole. No hits is an empty result.
    pub async fn search_page(&self, query: &SearchQuery) -> Result<ResultSet, Error> {
        let response = self.send(query).await?;
        let body = response.bytes().await.map_err(Error::Transport)?;
        let mut reader =
            crate::ReportReader::with_invalid_bytes(&body[..], self.inner.config.invalid_bytes)?;
        let mut reports = Vec::new();
        for report in reader.by_ref() {
            reports.push(report?);
        }
        let mut result = reader.result_set().clone();
        check_error(&result)?;
        result.pharmacy_report = reports;
        Ok(result)
    }

    /// Every report `query` selects, as a stream that yields each report while the answer is
    /// still arriving. `count` is honoured (default 10, as the API); larger counts and
    /// `Count::All` are fetched as pages of `page_size` over `start`, one request at a time with
    /// `page_pause` between them.
    pub fn search(&self, query: SearchQuery) -> ReportStream {
        ReportStream::spawn(self.clone(), query)
    }

    /// Sends one request; a non-200 status is an error.
    pub(crate) async fn send(&self, query: &SearchQuery) -> Result<reqwest::Response, Error> {
        let encoded = query.to_query_string()?;
        let inner = &self.inner;
        let request = match inner.config.method {
            Method::Get if encoded.is_empty() => inner.http.get(&inner.endpoint),
            Method::Get => inner.http.get(format!("{}?{encoded}", inner.endpoint)),
            Method::Post => inner
                .http
                .post(&inner.endpoint)
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded; charset=Shift_JIS",
                )
                .body(encoded),
        };
        let response = request.send().await.map_err(Error::Transport)?;
        let status = response.status().as_u16();
        if status != 200 {
            let body = response.bytes().await.unwrap_or_default();
            return Err(Error::Http {
                status,
                body_excerpt: body_excerpt(&body[..body.len().min(1024)]),
            });
        }
        Ok(response)
    }
}

/// The count of one page request: what is still wanted, capped by the page size.
pub(crate) fn page_count(config: &Config, remaining: Option<u64>) -> Count {
    match remaining {
        None if config.unbounded_all => Count::All,
        None => Count::Limit(config.page_size),
        Some(n) => Count::Limit(n.min(config.page_size)),
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
