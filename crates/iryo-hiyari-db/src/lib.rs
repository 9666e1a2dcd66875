//! Harvest 薬局ヒヤリ・ハット searches into a local SQLite database, for research: resumable
//! (each page is one transaction; run again after any interruption and it goes on), incremental
//! (a refresh fetches newest first until a page holds nothing new) and labelled (every code
//! table of `specs/codes/` is a table, views join the Japanese labels).
//!
//! ```no_run
//! use iryo_hiyari::{Client, SearchQuery};
//! use iryo_hiyari_db::{Options, PageSource, Store, harvest};
//!
//! # async fn demo() -> Result<(), iryo_hiyari_db::HarvestError> {
//! let mut store = Store::open("hiyari.sqlite".as_ref())?;
//! let client = Client::new(iryo_hiyari::PUBLIC_BASE_URL)?;
//! let source = PageSource::new(client, SearchQuery::new().from(2012, Some(1)));
//! let outcome = harvest(&mut store, &source, &Options::default(), |_| {}).await?;
//! println!("{} new reports", outcome.new_this_run);
//! # Ok(()) }
//! ```
//!
//! Tables: `reports` (one row per report, keyed by a content digest, one typed column per
//! single-valued element, the labelled JSON, where it was first seen), `report_factors`,
//! `report_job_categories`, `report_medicines`, one table per code table (`hiyari_factor`, ...),
//! `harvests`; views `reports_labeled`, `report_factors_labeled`, `report_job_categories_labeled`.

mod harvest;
mod pages;
mod row;
pub mod schema;
mod store;

pub use harvest::{Options, Outcome, harvest};
pub use pages::{Page, PageSource};
pub use row::{MedicineRow, ReportRow, digest};
pub use store::{HarvestRecord, Kind, Store};

/// What a harvest or an export can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HarvestError {
    /// The search failed (after the client's retries).
    #[error(transparent)]
    Client(#[from] iryo_hiyari::Error),
    /// A page is not what was asked for.
    #[error("the page at start={start} is wrong: {what}")]
    Paging {
        /// The `start` asked for.
        start: u64,
        /// What was wrong.
        what: String,
    },
    /// The database failed.
    #[error("database: {0}")]
    Db(#[from] rusqlite::Error),
    /// A consumer of an export failed.
    #[error("{0}")]
    Output(String),
}

impl From<rusqlite::types::FromSqlError> for HarvestError {
    fn from(error: rusqlite::types::FromSqlError) -> Self {
        HarvestError::Db(error.into())
    }
}
