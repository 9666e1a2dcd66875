//! A rebuilt corpus against its manifest: which digests matched, which reports are missing or
//! new, and which missing/new pairs are one report whose texts were corrected.

use std::collections::HashMap;

use serde::Serialize;

use crate::HarvestError;
use crate::manifest::{Manifest, corpus, manifest_error, search_of, without_order};
use crate::store::Store;

/// What a rebuild found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Comparison {
    /// Digests of the manifest found again.
    pub matched: u64,
    /// Digests of the manifest not found (and not paired in `changed`), sorted.
    pub missing: Vec<String>,
    /// Digests found that the manifest does not list (and not paired in `changed`), sorted.
    pub new: Vec<String>,
    /// A report of the manifest found with other texts: same codes and structure.
    pub changed: Vec<Changed>,
}

/// One corrected report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Changed {
    /// Its digest in the manifest.
    pub missing: String,
    /// Its digest now.
    pub new: String,
    /// The top-level elements whose texts differ (`DATCONTENTTEXT`, `GRPCOMPOUND`, ...).
    pub fields: Vec<String>,
}

impl Comparison {
    /// Nothing missing, nothing changed (new reports alone are not a difference of the corpus).
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty() && self.changed.is_empty()
    }
}

/// Checks, before a rebuild harvests into `store`, that it holds nothing but harvests of the
/// manifest's search (a new database holds none), so that the comparison can be made after.
pub fn check_rebuild_target(manifest: &Manifest, store: &Store) -> Result<(), HarvestError> {
    let mut statement = store
        .connection()
        .prepare("SELECT id, query FROM harvests ORDER BY id")?;
    let rows = statement.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    for row in rows {
        let (id, query) = row?;
        if without_order(&query) != manifest.query {
            return Err(manifest_error(format!(
                "the database holds harvest {id} of another search ({query:?}); rebuild into a new database"
            )));
        }
    }
    Ok(())
}

/// Compares the reports of `store` (a database of the manifest's search alone) with `manifest`.
/// A missing and a new report pair up as changed when their `coded` fingerprints agree and
/// some `texts` fingerprint differs; each pairs at most once, in digest order.
pub fn compare(manifest: &Manifest, store: &Store) -> Result<Comparison, HarvestError> {
    manifest.check()?;
    let search = search_of(store, None)?;
    if search.query != manifest.query {
        return Err(manifest_error(format!(
            "the database holds the search {:?}, the manifest {:?}",
            search.query, manifest.query
        )));
    }
    let mut found = corpus(store)?;
    let mut comparison = Comparison::default();
    let mut missing = Vec::new();
    for (digest, fingerprint) in manifest.digests.iter().zip(&manifest.fingerprints.reports) {
        if found.remove(digest).is_some() {
            comparison.matched += 1;
        } else {
            missing.push((digest, fingerprint));
        }
    }
    // What is left of `found` is new; index it by codes for the pairing.
    let mut by_coded: HashMap<&str, Vec<&str>> = HashMap::new();
    for (digest, fingerprint) in &found {
        by_coded
            .entry(fingerprint.coded.as_str())
            .or_default()
            .push(digest.as_str());
    }
    let mut paired = std::collections::HashSet::new();
    for (digest, fingerprint) in missing {
        let candidates = by_coded.get_mut(fingerprint.coded.as_str());
        let pair = candidates.and_then(|list| {
            let at = list
                .iter()
                .position(|new| !fingerprint.text_differences(&found[*new]).is_empty())?;
            Some(list.remove(at))
        });
        match pair {
            Some(new) => {
                paired.insert(new);
                comparison.changed.push(Changed {
                    missing: digest.clone(),
                    new: new.to_owned(),
                    fields: fingerprint.text_differences(&found[new]),
                });
            }
            None => comparison.missing.push(digest.clone()),
        }
    }
    comparison.new = found
        .keys()
        .filter(|d| !paired.contains(d.as_str()))
        .cloned()
        .collect();
    Ok(comparison)
}
