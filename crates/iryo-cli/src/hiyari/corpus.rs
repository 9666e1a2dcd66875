//! `iryo hiyari manifest` (the reports of a harvest by digest, for others to rebuild) and
//! `iryo hiyari rebuild` (a manifest's search harvested again and compared with it).

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use iryo_hiyari::{Config, SearchQuery};
use iryo_hiyari_db::{Kind, Manifest, Options, PageSource, Store, check_rebuild_target, compare};
use serde_json::json;

use super::harvest::harvest_error;
use crate::error::CliError;
use crate::output::Stop;

pub const MANIFEST_EXAMPLE: &str = "\
Example (share the manifest, not the database: the publisher's terms forbid redistribution):
  iryo hiyari manifest --db hiyari.sqlite > corpus.json
  iryo hiyari rebuild --manifest corpus.json --db rebuilt.sqlite
";

pub const REBUILD_RULES: &str = "\
The manifest's search is harvested into --db (resumable as `harvest` is), then every report is
compared by digest: `matched` counts the manifest's digests found again, `missing` lists those not
found, `new` those found that the manifest does not list, and `changed` pairs a missing and a new
report that agree on every code and differ in texts only (`fields`: the elements whose texts
differ). The JSON summary is printed on stdout; exit 0 when nothing is missing or changed, exit 6
otherwise, with the counts on stderr.
";

/// The largest manifest read (about 3 million reports).
const MAX_MANIFEST_BYTES: u64 = 1 << 30;

/// `manifest`.
#[derive(Args)]
pub struct ManifestArgs {
    /// A database written by `iryo hiyari harvest` (of one search).
    #[arg(long, value_name = "FILE")]
    db: PathBuf,
    /// The harvest whose search to describe (default: the newest full harvest).
    #[arg(long, value_name = "N")]
    harvest: Option<i64>,
}

/// `rebuild`.
#[derive(Args)]
pub struct RebuildArgs {
    /// A manifest written by `iryo hiyari manifest`.
    #[arg(long, value_name = "FILE")]
    manifest: PathBuf,
    /// The database to harvest into (created when missing).
    #[arg(long, value_name = "FILE")]
    db: PathBuf,
    /// Another service (scheme and host) than the manifest's endpoint; its path is kept.
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Pause between two page requests, in milliseconds.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pause_ms: u64,
    /// Reports per request (at least 1).
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = super::parse_page_size)]
    page_size: u64,
}

/// Prints the manifest of `--db` on stdout.
pub fn manifest(args: ManifestArgs) -> Result<(), Stop> {
    if !args.db.exists() {
        return Err(CliError::Input(format!("{}: no such database", args.db.display())).into());
    }
    let store = Store::open_read_only(&args.db).map_err(|e| harvest_error(e, &args.db))?;
    let manifest = Manifest::of_store(&store, args.harvest, env!("CARGO_PKG_VERSION"))
        .map_err(|e| harvest_error(e, &args.db))?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    serde_json::to_writer(&mut out, &manifest).map_err(std::io::Error::from)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

/// Harvests the manifest's search into `--db` and prints the comparison.
pub async fn rebuild(args: RebuildArgs, verbose: bool) -> Result<(), Stop> {
    let manifest = read_manifest(&args.manifest)?;
    let query = SearchQuery::from_query_string(&manifest.query)
        .map_err(|e| CliError::Input(format!("{}: {e}", args.manifest.display())))?;
    let (base, path) = split_endpoint(&manifest.endpoint)
        .ok_or_else(|| CliError::Input(format!("endpoint {:?} is not a URL", manifest.endpoint)))?;
    let base = args.base_url.as_deref().unwrap_or(base);
    let client = Config::new(base).path(path).build()?;
    let mut store = Store::open(&args.db).map_err(|e| harvest_error(e, &args.db))?;
    check_rebuild_target(&manifest, &store).map_err(|e| harvest_error(e, &args.db))?;
    let options = Options {
        kind: Kind::Full,
        page_size: args.page_size,
        pause: Duration::from_millis(args.pause_ms),
        ..Options::default()
    };
    let source = PageSource::new(client, query);
    let outcome = iryo_hiyari_db::harvest(&mut store, &source, &options, |_| {})
        .await
        .map_err(|e| harvest_error(e, &args.db))?;
    if outcome.completeness != iryo_hiyari_db::Completeness::Complete {
        return Err(CliError::Incomplete(
            "the search's total changed on every pass: run the same rebuild again to re-check"
                .to_owned(),
        )
        .into());
    }
    let comparison = compare(&manifest, &store).map_err(|e| harvest_error(e, &args.db))?;
    let record = &outcome.record;
    let summary = json!({
        "matched": comparison.matched,
        "missing": comparison.missing,
        "new": comparison.new,
        "changed": comparison.changed,
        "harvest": {"id": record.id, "pages": record.pages, "reports": record.reports, "total": record.total},
    });
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, &summary).map_err(std::io::Error::from)?;
    out.write_all(b"\n")?;
    out.flush()?;
    let counts = format!(
        "{} matched, {} missing, {} changed, {} new (manifest: {})",
        comparison.matched,
        comparison.missing.len(),
        comparison.changed.len(),
        comparison.new.len(),
        manifest.total
    );
    if !comparison.is_complete() {
        return Err(CliError::CorpusChanged(format!(
            "rebuild: the corpus differs from its manifest: {counts}"
        ))
        .into());
    }
    if verbose {
        eprintln!("rebuild: {counts}");
    }
    Ok(())
}

/// The manifest file, bounded in size and checked.
fn read_manifest(path: &std::path::Path) -> Result<Manifest, CliError> {
    let fail = |what: String| CliError::Input(format!("{}: {what}", path.display()));
    let file = std::fs::File::open(path).map_err(|e| fail(e.to_string()))?;
    let size = file.metadata().map_err(|e| fail(e.to_string()))?.len();
    if size > MAX_MANIFEST_BYTES {
        return Err(fail(format!(
            "{size} bytes; a manifest may hold {MAX_MANIFEST_BYTES}"
        )));
    }
    let reader = std::io::BufReader::new(file);
    let manifest: Manifest = serde_json::from_reader(reader).map_err(|e| fail(e.to_string()))?;
    manifest.check().map_err(|e| fail(e.to_string()))?;
    Ok(manifest)
}

/// `http://host:port/path?x` -> (`http://host:port`, `/path?x`).
fn split_endpoint(endpoint: &str) -> Option<(&str, &str)> {
    let scheme_end = endpoint.find("://")? + 3;
    let path_start = endpoint[scheme_end..]
        .find('/')
        .map_or(endpoint.len(), |i| scheme_end + i);
    let (base, path) = endpoint.split_at(path_start);
    Some((base, if path.is_empty() { "/" } else { path }))
}
