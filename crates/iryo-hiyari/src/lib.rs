#![doc = include_str!("../README.md")]

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
mod query_terms;
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
pub use query::{QueryError, SearchQuery};
pub use query_terms::{CodeSet, Condition, Count, Order, WordSet};
pub use reports::{Decoded, ReportReader, read_result_set};
pub use shown::{SHOWN_CHARS, shown};
pub use stream::{Progress, ReportStream};
pub use xml::{ReadError, UnknownElement};

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
