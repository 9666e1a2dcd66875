//! A corpus manifest: which reports one search's harvest holds, by digest, without their texts
//! (the publisher's terms forbid redistributing them), so that someone else can rebuild the same
//! corpus from the service and learn which reports were withdrawn, added or corrected since.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::HarvestError;
use crate::fingerprint::{FINGERPRINT_VERSION, Fingerprint};
use crate::schema::SCHEMA_VERSION;
use crate::store::Store;

/// The manifest format's version.
pub const MANIFEST_VERSION: &str = "iryo-hiyari-manifest-v1";
/// The digest's version (`specs/hiyari/digest/README.md`).
pub const DIGEST_VERSION: &str = "hiyari-report-digest-v1";

/// The reports of one search, by digest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`MANIFEST_VERSION`].
    pub manifest: String,
    /// The search endpoint (`{base-url}{path}`).
    pub endpoint: String,
    /// The query string, without `start`, `count` and `order`.
    pub query: String,
    /// How many reports: the length of `digests`.
    pub total: u64,
    /// [`DIGEST_VERSION`].
    pub digest: String,
    /// The reports' digests, lowercase hex, sorted.
    pub digests: Vec<String>,
    /// Per digest (same order), what tells a corrected report from another one.
    pub fingerprints: Fingerprints,
    /// The harvests of the search, oldest first.
    pub harvests: Vec<HarvestTimes>,
    /// The database's schema version.
    pub schema_version: i64,
    /// The iryo version that wrote the manifest.
    pub iryo_version: String,
}

/// [`Fingerprint`]s in the order of [`Manifest::digests`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprints {
    /// [`FINGERPRINT_VERSION`].
    pub version: String,
    /// Per report, its fingerprints.
    pub reports: Vec<Fingerprint>,
}

/// One harvest of the search, as `harvests` records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HarvestTimes {
    /// `harvests.id`.
    pub id: i64,
    /// `full` or `refresh`.
    pub kind: String,
    /// When it started (RFC 3339, UTC).
    pub started_at: String,
    /// When it ran to its end.
    pub finished_at: Option<String>,
    /// The search's `total` on its last page.
    pub total: Option<u64>,
    /// Reports received.
    pub reports: u64,
    /// Reports new to the database.
    pub new_reports: u64,
}

/// One search of a database: its endpoint, its query without `order`, its harvests.
pub(crate) struct Search {
    pub endpoint: String,
    pub query: String,
    pub harvests: Vec<HarvestTimes>,
}

/// The query string without its `order` (a refresh asks `order=2`; the set is the same).
pub(crate) fn without_order(query: &str) -> String {
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("order="))
        .collect();
    kept.join("&")
}

/// The search of harvest `id` (default: the newest full harvest). Refused when the database
/// holds harvests of another search too (a report is stored with the harvest that saw it
/// first, so another search's harvest may hold reports of this one) or when the newest full
/// harvest of the search did not run to its end.
pub(crate) fn search_of(store: &Store, id: Option<i64>) -> Result<Search, HarvestError> {
    let db = store.connection();
    let mut rows: Vec<(HarvestTimes, String, String)> = Vec::new();
    let mut statement = db.prepare(
        "SELECT id, kind, started_at, finished_at, total, reports, new_reports, endpoint, query
         FROM harvests ORDER BY id",
    )?;
    let mut query = statement.query([])?;
    while let Some(r) = query.next()? {
        let times = HarvestTimes {
            id: r.get(0)?,
            kind: r.get(1)?,
            started_at: r.get(2)?,
            finished_at: r.get(3)?,
            total: r.get(4)?,
            reports: r.get(5)?,
            new_reports: r.get(6)?,
        };
        rows.push((times, r.get(7)?, without_order(&r.get::<_, String>(8)?)));
    }
    let chosen = match id {
        Some(id) => rows.iter().find(|(h, _, _)| h.id == id),
        None => rows.iter().rev().find(|(h, _, _)| h.kind == "full"),
    };
    let Some((_, endpoint, query)) = chosen else {
        return Err(manifest_error(match id {
            Some(id) => format!("no harvest {id} in this database"),
            None => "no full harvest in this database".to_owned(),
        }));
    };
    let (endpoint, query) = (endpoint.clone(), query.clone());
    let others: BTreeSet<String> = rows
        .iter()
        .filter(|(_, e, q)| *e != endpoint || *q != query)
        .map(|(h, _, _)| h.id.to_string())
        .collect();
    if !others.is_empty() {
        return Err(manifest_error(format!(
            "the database also holds harvests of other searches (ids {}); a manifest needs a database of one search",
            others.into_iter().collect::<Vec<_>>().join(", ")
        )));
    }
    let harvests: Vec<HarvestTimes> = rows.into_iter().map(|(h, _, _)| h).collect();
    let last_full = harvests.iter().rev().find(|h| h.kind == "full");
    if let Some(full) = last_full
        && full.finished_at.is_none()
    {
        return Err(manifest_error(format!(
            "harvest {} did not run to its end: run the same harvest command again first",
            full.id
        )));
    }
    Ok(Search {
        endpoint,
        query,
        harvests,
    })
}

/// Every stored report's digest and fingerprints, sorted by digest.
pub(crate) fn corpus(store: &Store) -> Result<BTreeMap<String, Fingerprint>, HarvestError> {
    let mut statement = store
        .connection()
        .prepare("SELECT id, digest, json FROM reports")?;
    let mut rows = statement.query(params![])?;
    let mut out = BTreeMap::new();
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let json: String = row.get(2)?;
        let fingerprint = Fingerprint::of_record(&json).ok_or(HarvestError::StoredReport {
            id,
            what: "the json cell is not a JSON object".to_owned(),
        })?;
        out.insert(row.get(1)?, fingerprint);
    }
    Ok(out)
}

impl Manifest {
    /// The manifest of the search of harvest `id` (default: the newest full harvest).
    pub fn of_store(
        store: &Store,
        id: Option<i64>,
        iryo_version: &str,
    ) -> Result<Manifest, HarvestError> {
        let search = search_of(store, id)?;
        let (digests, reports): (Vec<String>, Vec<Fingerprint>) =
            corpus(store)?.into_iter().unzip();
        Ok(Manifest {
            manifest: MANIFEST_VERSION.to_owned(),
            endpoint: search.endpoint,
            query: search.query,
            total: digests.len() as u64,
            digest: DIGEST_VERSION.to_owned(),
            digests,
            fingerprints: Fingerprints {
                version: FINGERPRINT_VERSION.to_owned(),
                reports,
            },
            harvests: search.harvests,
            schema_version: SCHEMA_VERSION,
            iryo_version: iryo_version.to_owned(),
        })
    }

    /// Checks what a rebuild relies on: the versions, one fingerprint per digest, digests of
    /// 64 lowercase hex digits, sorted and unique, `total` their count.
    pub fn check(&self) -> Result<(), HarvestError> {
        let expect = |what: &str, found: &str, wanted: &str| {
            if found == wanted {
                Ok(())
            } else {
                Err(manifest_error(format!(
                    "{what} is {found:?}; this iryo reads {wanted:?}"
                )))
            }
        };
        expect("manifest", &self.manifest, MANIFEST_VERSION)?;
        expect("digest", &self.digest, DIGEST_VERSION)?;
        expect(
            "fingerprints.version",
            &self.fingerprints.version,
            FINGERPRINT_VERSION,
        )?;
        if self.total != self.digests.len() as u64 {
            return Err(manifest_error(format!(
                "total is {} but {} digests are listed",
                self.total,
                self.digests.len()
            )));
        }
        if self.fingerprints.reports.len() != self.digests.len() {
            return Err(manifest_error(format!(
                "{} fingerprints for {} digests",
                self.fingerprints.reports.len(),
                self.digests.len()
            )));
        }
        let hex =
            |d: &String| d.len() == 64 && d.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if let Some((i, bad)) = self.digests.iter().enumerate().find(|(_, d)| !hex(d)) {
            return Err(manifest_error(format!(
                "digests[{i}] = {bad:?} is not 64 lowercase hex digits"
            )));
        }
        if let Some(i) = self.digests.windows(2).position(|w| w[0] >= w[1]) {
            return Err(manifest_error(format!(
                "digests[{}] is not after digests[{i}]: digests must be sorted and unique",
                i + 1
            )));
        }
        Ok(())
    }
}

pub(crate) fn manifest_error(what: String) -> HarvestError {
    HarvestError::Manifest(what)
}
