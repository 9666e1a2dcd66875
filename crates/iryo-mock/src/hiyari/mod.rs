//! A mock of the 薬局ヒヤリ・ハット事例収集・分析事業 事例検索 API (`/phsearch/SearchReportApi.action`): see the
//! crate docs for the wire behaviour, the data set and the control routes.

mod builder;
mod changes;
mod codes;
mod control;
mod faults;
mod generator;
mod handler;
mod params;
mod query;
mod report;
mod scenarios;
mod search;
mod synthetic;
mod tags;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use encoding_rs::SHIFT_JIS;

use crate::fault::Fault;
use crate::harness::{Harness, Injected, builder_methods, handle_methods, impl_api, lock, setters};
use crate::server::{MockServer, StopSwitch};
pub use builder::HiyariMockBuilder;
pub use changes::DataChange;
pub(crate) use generator::DEFAULT_GENERATED;
use search::Report;

/// The document's endpoint path, the default of [`HiyariMockBuilder::path`].
pub const DEFAULT_PATH: &str = "/phsearch/SearchReportApi.action";

/// The newer endpoint's path (テキストデータ提供 API Ver.2), served with the same behaviour.
pub const NEW_REPORT_PATH: &str = "/phsearch/SearchNewReportApi.action";

/// The document's sample response, whose report is the first of the data set.
const DOCUMENT_SAMPLE: &str = include_str!("../../fixtures/hiyari/01_document_sample.xml");

/// A misuse of the mock's own control API (not an answer of the service).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ControlError {
    /// An injected HTTP status must be an error status, 400 to 599.
    #[error("an injected HTTP status must be between 400 and 599, got {0}")]
    StatusOutOfRange(u16),
    /// An injected error message must be text Shift_JIS (Windows-31J) can carry.
    #[error("Shift_JIS cannot carry {0:?}")]
    NotShiftJis(char),
}

/// The last request the API paths received, as it arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// `GET` or `POST` (or whatever else was sent).
    pub method: String,
    /// The path requested.
    pub path: String,
    /// The raw text the parameters were read from: the URI's query string and, for a POST, `&` and the body
    /// (read as UTF-8, lossily; a well-formed request is ASCII).
    pub raw_query: String,
    /// Every parameter in order, decoded from Shift_JIS leniently (U+FFFD for bytes that do not decode, a bad
    /// `%` escape kept as it was), so that even a refused request shows what arrived.
    pub params: Vec<(String, String)>,
}

/// The service's own failures, queued with the faults.
#[derive(Debug)]
pub(crate) enum Failure {
    /// `status="1"` and this `<Error>` message.
    Error(String),
    /// These bytes verbatim with this `Content-Type`, HTTP 200.
    Raw { body: Vec<u8>, content_type: String },
}

impl Failure {
    fn error(message: &str) -> Result<Self, ControlError> {
        if let Some(c) = first_unencodable(message) {
            return Err(ControlError::NotShiftJis(c));
        }
        Ok(Failure::Error(message.to_owned()))
    }
}

/// The first character of `text` that Shift_JIS cannot carry.
fn first_unencodable(text: &str) -> Option<char> {
    text.chars().find(|c| {
        let mut buffer = [0; 4];
        SHIFT_JIS.encode(c.encode_utf8(&mut buffer)).2
    })
}

/// State shared by the handlers and the [`HiyariMock`] handle.
struct Shared {
    /// The API paths: the configured one and [`NEW_REPORT_PATH`].
    paths: Vec<String>,
    reports: Vec<Report>,
    /// The size of the synthetic data set, when it replaces `reports`.
    synthetic: Option<AtomicUsize>,
    /// The most reports one answer holds.
    answer_cap: Option<usize>,
    /// Every `n`-th API request without a queued failure takes the next of these faults.
    flaky: Option<(u64, Vec<Fault>)>,
    /// Failures queued for the API, its request counter (GET or POST on an API path), the stop signal.
    harness: Harness<Failure>,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    changes: changes::Changes,
    last_request: Option<RecordedRequest>,
}

impl Shared {
    /// The scheduled fault of the `n`-th API request (see [`HiyariMockBuilder::flaky`]).
    fn flaky_fault(&self, n: u64) -> Option<Injected<Failure>> {
        let (every, faults) = self.flaky.as_ref()?;
        if n == 0 || !n.is_multiple_of(*every) {
            return None;
        }
        let turn = usize::try_from(n / every - 1).unwrap_or(0) % faults.len();
        Some(Injected::Wire(faults[turn].clone()))
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        lock(&self.inner)
    }
}

impl_api!(Shared: "hiyari", Failure, faults::HiyariWire);

fn router(shared: Arc<Shared>) -> Router {
    // The API paths are matched in the fallback rather than registered as routes, so that any configured path
    // works (axum would read `{`, `}` or `*` in a route as a parameter).
    control::routes().fallback(handler::api).with_state(shared)
}

/// A running 事例検索 API mock. Dropping it shuts the server down; every method acts on the live server.
pub struct HiyariMock {
    shared: Arc<Shared>,
    path: String,
    server: MockServer,
}

handle_methods!(HiyariMock(HiyariMockBuilder), path);

impl HiyariMock {
    /// The API's full URL, such as `http://127.0.0.1:49152/phsearch/SearchReportApi.action`.
    pub fn endpoint(&self) -> String {
        self.server.url(&self.path)
    }

    /// The API path this mock was built with.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// How many reports the data set holds.
    pub fn report_count(&self) -> usize {
        match &self.shared.synthetic {
            Some(size) => size.load(Ordering::SeqCst) - self.shared.lock().changes.withdrawn.len(),
            None => self.shared.reports.len(),
        }
    }

    /// Adds `count` newer reports to the synthetic data set (they come first in `order=2`).
    /// Returns the new size.
    ///
    /// # Panics
    ///
    /// If the mock was not built with [`HiyariMockBuilder::synthetic`].
    pub fn add_synthetic(&self, count: usize) -> usize {
        let size = self
            .shared
            .synthetic
            .as_ref()
            .expect("add_synthetic needs a mock built with synthetic(size)");
        size.fetch_add(count, Ordering::SeqCst) + count
    }

    /// Changes the synthetic data set now ([`DataChange`]: withdraw a report, insert new ones),
    /// or, with `before_request` N, just before the N-th API request (counting from 1).
    /// `Err` names a change that cannot be made (no report at that position).
    ///
    /// # Panics
    ///
    /// If the mock was not built with [`HiyariMockBuilder::synthetic`].
    pub fn change(&self, change: DataChange, before_request: Option<u64>) -> Result<(), String> {
        let size = self
            .shared
            .synthetic
            .as_ref()
            .expect("change needs a mock built with synthetic(size)");
        let mut inner = self.shared.lock();
        match before_request {
            Some(request) => {
                inner.changes.schedule(request, change);
                Ok(())
            }
            None => inner.changes.apply(size, &change),
        }
    }

    /// Makes a later API request answer `status="1"` with `<Error>message</Error>` (HTTP 200). Failures queue
    /// up: each API request takes the oldest one, whatever its parameters.
    pub fn fail_next_error(&self, message: &str) -> Result<(), ControlError> {
        let failure = Failure::error(message)?;
        self.shared.harness.push_api(failure);
        Ok(())
    }

    /// Makes a later API request answer HTTP 200 with exactly `body` and `content_type` (for bodies that are
    /// not Shift_JIS, cut short, or not XML). Shares the queue of [`HiyariMock::fail_next_error`].
    pub fn raw_next(&self, body: impl Into<Vec<u8>>, content_type: &str) {
        self.shared.harness.push_api(Failure::Raw {
            body: body.into(),
            content_type: content_type.to_owned(),
        });
    }

    /// The last request any API path received (answered or refused), or `None` before the first.
    pub fn last_request(&self) -> Option<RecordedRequest> {
        self.shared.lock().last_request.clone()
    }

    /// Stops the server gracefully and waits until it has stopped.
    pub async fn shutdown(self) -> io::Result<()> {
        self.server.shutdown().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixture_and_every_generated_report_are_shift_jis_clean() {
        assert_eq!(first_unencodable(DOCUMENT_SAMPLE), None);
        assert_eq!(
            report::parse_reports(DOCUMENT_SAMPLE).map(|r| r.len()),
            Ok(1)
        );
        for i in 0..200 {
            let mut xml = String::new();
            report::write_element(&mut xml, &generator::generated_report(i), 0);
            assert_eq!(first_unencodable(&xml), None, "report {i}");
            assert_eq!(
                report::parse_reports(&xml),
                Ok(vec![generator::generated_report(i)]),
                "report {i} reads back"
            );
        }
        assert_eq!(first_unencodable("〜"), Some('〜'));
        assert_eq!(first_unencodable("～①髙﨑ソ表"), None);
    }
}
