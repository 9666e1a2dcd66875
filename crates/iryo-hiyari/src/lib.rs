//! Typed, streaming client for the **薬局ヒヤリ・ハット事例収集・分析事業 事例検索 API**
//! (`SearchReportApi.action`): searches in Shift_JIS, answers in Shift_JIS XML.
//!
//! ```no_run
//! use iryo_hiyari::{Client, Condition, Count, Item, SearchQuery};
//!
//! # async fn demo() -> Result<(), iryo_hiyari::Error> {
//! let client = Client::new(iryo_hiyari::PUBLIC_BASE_URL)?;
//! let query = SearchQuery::new()
//!     .words(Some(Item::FactorList), "過労 疲労", Condition::Any)
//!     .from(2010, Some(12))
//!     .count(Count::All); // fetched as pages, one request at a time
//! let mut reports = client.search(query);
//! while let Some(report) = reports.next().await {
//!     let report = report?;
//!     let summary = report.summary.as_ref().and_then(|s| s.label());
//!     println!("{:?} {:?} {:?}", report.year, report.month.as_ref().map(|m| m.code()), summary);
//! }
//! # Ok(()) }
//! ```
//!
//! - [`SearchQuery`] holds the API's parameters; repeated sets pair by position. Values are
//!   encoded as Shift_JIS (Windows-31J) with every non-unreserved byte percent-encoded; a character
//!   Shift_JIS lacks is refused before sending ([`EncodeError`]).
//! - [`PharmacyReport`] and its parts are generated from `specs/hiyari/response.xsd`, with every
//!   code as an enum of `iryo-hiyari-codes` that knows its Japanese label.
//! - [`ReportReader`] reads a saved answer report by report; [`Client::search`] streams a search.

#[rustfmt::skip]
#[allow(clippy::all)]
mod generated;
mod background;
mod client;
mod config;
pub mod decode;
mod encode;
mod error;
mod limits;
mod page;
pub mod paging;
mod pipeline;
mod query;
mod query_parse;
mod read_error;
pub mod records;
mod reports;
mod shown;
mod stream;
/// The streaming XML reader the generated readers are built on: for generated code, not a user
/// surface (its types speak `quick_xml`).
#[doc(hidden)]
pub mod xml;

pub use background::Background;
pub use client::Client;
pub use config::{Config, DEFAULT_PATH, Method, NO_RESULTS, PUBLIC_BASE_URL};
pub use decode::InvalidBytes;
pub use encode::EncodeError;
pub use error::Error;
pub use generated::*;
pub use iryo_hiyari_codes::{Item, ItemCode};
pub use iryo_runtime::RetryPolicy;
pub use limits::{Limit, Limits};
pub use page::{CheckedPage, RawPages};
pub use paging::{PageCheck, PageRequest, Paging, PagingError};
pub use pipeline::Pipelined;
pub use query::{CodeSet, Condition, Count, Order, QueryError, SearchQuery, WordSet};
pub use reports::{Decoded, ReportReader, read_result_set};
pub use shown::{SHOWN_CHARS, shown};
pub use stream::{Progress, ReportStream};
pub use xml::{ReadError, UnknownElement};

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
