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
//!
//! For shared research: [`Manifest::of_store`] lists a harvest's reports by [`digest`] (specified
//! for any language in `specs/hiyari/digest/`), [`compare`] tells a re-harvest's missing, new and
//! corrected reports from it, and [`write_datapackage`] writes the database as a Frictionless
//! Data Package (CSV tables and `datapackage.json`).

mod compare;
mod datapackage;
mod file;
mod fingerprint;
mod harvest;
mod manifest;
mod pages;
mod row;
pub mod schema;
mod store;
mod write;

pub use compare::{Changed, Comparison, check_rebuild_target, compare};
pub use datapackage::{PackageSummary, TERMS_URL, write_datapackage};
pub use fingerprint::{FINGERPRINT_VERSION, Fingerprint};
pub use harvest::{Completeness, Options, Outcome, TotalChange, harvest};
pub use manifest::{DIGEST_VERSION, Fingerprints, HarvestTimes, MANIFEST_VERSION, Manifest};
pub use pages::PageSource;
pub use row::{MedicineRow, ReportRow, canonical, digest};
pub use store::{HarvestRecord, Kind, Store};

/// What a harvest or an export can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HarvestError {
    /// The search failed (after the client's retries).
    #[error(transparent)]
    Client(#[from] iryo_hiyari::Error),
    /// The database failed.
    #[error("database: {0}")]
    Db(#[from] rusqlite::Error),
    /// Another harvest holds the database file (one harvest per file at a time).
    #[error("{}: another harvest is writing this database (the file is locked); wait for it to end or use another --db", path.display())]
    Locked {
        /// The database file.
        path: std::path::PathBuf,
    },
    /// The file is not a harvest database of this version; nothing was written to it.
    #[error("{}: {what}", path.display())]
    NotHarvestDatabase {
        /// The database file.
        path: std::path::PathBuf,
        /// What was found.
        what: String,
    },
    /// A stored report (row `id` of `reports`) is not what a harvest writes.
    #[error("stored report id={id}: {what}")]
    StoredReport {
        /// `reports.id`.
        id: i64,
        /// What is wrong with it.
        what: String,
    },
    /// A manifest cannot be written or read (what is wrong is named).
    #[error("manifest: {0}")]
    Manifest(String),
    /// A consumer of an export failed.
    #[error("{0}")]
    Output(String),
}

impl From<rusqlite::types::FromSqlError> for HarvestError {
    fn from(error: rusqlite::types::FromSqlError) -> Self {
        HarvestError::Db(error.into())
    }
}
