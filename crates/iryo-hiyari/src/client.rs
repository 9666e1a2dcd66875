//! The client: one page at a time ([`Client::search_page`]) or every match as a stream of reports
//! fetched page by page, politely ([`Client::search`]).

use std::sync::Arc;
use std::time::Duration;

use iryo_runtime::{RetryDecision, RetryPolicy, body_excerpt};

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
    pub(crate) retry: RetryPolicy,
    pub(crate) max_response_bytes: u64,
    read_timeout: Duration,
    connect_timeout: Duration,
}

impl Config {
    /// A service at `base_url` (scheme and host), the documented path, GET, pages of 100
    /// reports with a 1 s pause between them, 3 attempts per page for failures worth retrying,
    /// pages of at most 64 MiB, a 10 s connect and a 60 s read timeout.
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
            read_timeout: Duration::from_secs(60),
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

    /// Retries of a page request (searches are safe to repeat) on connection failures, timeouts,
    /// 408, 429 and 5xx, honouring `Retry-After`, as long as nothing of that page was yielded.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The largest answer to one request; a bigger one is [`Error::TooLarge`].
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// The longest wait for the next bytes of an answer (a stalled server), without limiting
    /// how long a large answer may take in all.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
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
            .read_timeout(self.read_timeout)
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

    /// One request for `query` as given (retried as configured), read whole. No hits is an
    /// empty result.
    pub async fn search_page(&self, query: &SearchQuery) -> Result<ResultSet, Error> {
        let policy = &self.inner.config.retry;
        iryo_runtime::retry(policy, || self.search_page_once(query), |f| f.decision())
            .await
            .map_err(|f| f.error)
    }

    async fn search_page_once(&self, query: &SearchQuery) -> Result<ResultSet, Failure> {
        let response = self.send(query).await?;
        let limit = self.inner.config.max_response_bytes;
        if response
            .content_length()
            .is_some_and(|length| length > limit)
        {
            return Err(Error::TooLarge { limit }.into());
        }
        let body = read_limited(response, limit).await?;
        Ok(self.read_page(&body)?)
    }

    fn read_page(&self, body: &[u8]) -> Result<ResultSet, Error> {
        let mut reader =
            crate::ReportReader::with_invalid_bytes(body, self.inner.config.invalid_bytes)?;
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
    pub(crate) async fn send(&self, query: &SearchQuery) -> Result<reqwest::Response, Failure> {
        let encoded = query.to_query_string().map_err(Error::from)?;
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
            let retry_after = iryo_runtime::retry_after(response.headers());
            let body = read_limited(response, 1024).await.unwrap_or_default();
            let error = Error::Http {
                status,
                body_excerpt: body_excerpt(&body),
            };
            return Err(Failure { error, retry_after });
        }
        Ok(response)
    }
}

/// The body, failing with [`Error::TooLarge`] past `limit` bytes (an error page is cut there).
async fn read_limited(mut response: reqwest::Response, limit: u64) -> Result<Vec<u8>, Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(Error::Transport)? {
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(Error::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A failed attempt: the error, and the server's `Retry-After` when it sent one.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) error: Error,
    pub(crate) retry_after: Option<Duration>,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure {
            error,
            retry_after: None,
        }
    }
}

impl Failure {
    pub(crate) fn decision(&self) -> RetryDecision {
        if retryable(&self.error) {
            RetryDecision::Retry {
                after: self.retry_after,
            }
        } else {
            RetryDecision::Stop
        }
    }
}

/// Connection failures, timeouts, 408, 429 and 5xx.
pub(crate) fn retryable(error: &Error) -> bool {
    match error {
        Error::Transport(e) => iryo_runtime::is_retryable_transport(e),
        Error::Http { status, .. } => iryo_runtime::is_retryable_status(*status),
        _ => false,
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
