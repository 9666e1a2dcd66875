#![doc = include_str!("../README.md")]

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
