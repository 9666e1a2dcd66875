//! Typed, streaming client for the 薬局ヒヤリ・ハット事例検索 API.

#[rustfmt::skip]
#[allow(clippy::all)]
mod generated;
pub mod decode;
mod reports;
pub mod xml;

pub use generated::*;
pub use reports::{ReportReader, read_result_set};
