//! `iryo hiyari harvest` (a search into a local SQLite database, page by page, resumable) and
//! `iryo hiyari export` (the database back out as the records `search` prints).

use std::io::BufWriter;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use iryo_hiyari::Config;
use iryo_hiyari_db::{
    Completeness, HarvestError, HarvestRecord, Kind, Options, Outcome, PageSource, Store,
};

use super::SearchArgs;
use super::records::{Format, ReportWriter};
use crate::error::CliError;
use crate::output::Stop;

pub const HARVEST_EXAMPLE: &str = "\
Example (every 発生要因 search hit, then later only what is new, against `iryo mock`):
  iryo hiyari harvest --db hiyari.sqlite --base-url http://127.0.0.1:8183 \\
      --item LSTFACTOR --word \"過労 疲労\" --condition any
  iryo hiyari harvest --db hiyari.sqlite --base-url http://127.0.0.1:8183 \\
      --item LSTFACTOR --word \"過労 疲労\" --condition any --refresh
  sqlite3 hiyari.sqlite 'SELECT summary_label, count(*) FROM reports_labeled GROUP BY 1'
";

pub const HARVEST_RULES: &str = "\
Each page is written in one transaction, with the resume point: stopped at any moment (Ctrl-C,
kill -9, a failure after the client's retries), the same command goes on where it stopped, and
the database never holds part of a page. A report is stored once, keyed by a digest of its
content (the API has no report id), with where it was first seen (harvest, position). A full
harvest that ran to its end is not repeated; --refresh asks newest first (order=2) and stops at
the first page holding nothing new, printing how many reports were new. --start, --count,
--format and --bom do not apply (see `iryo hiyari export`).

Every page of a pass is checked by one paging state machine, as `search` is: a repeated page, a
page elsewhere than asked or more requests than the total justifies stop the harvest (exit 3).
Reports stream into the database as they arrive (memory does not grow with --page-size). When
the search's total changes between two pages (or since an interrupted run), reports were
withdrawn or added and positions moved: the harvest passes the search again from the start,
skipping stored reports, up to 2 times. A pass with a steady total ends it (complete); if the
total still moves, it ends with exit 5 naming the changes, and running it again re-checks.
One harvest at a time per --db: a second one is refused while the file is locked (exit 4).
";

pub const EXPORT_EXAMPLE: &str = "\
Example:
  iryo hiyari export --db hiyari.sqlite > reports.jsonl
  iryo hiyari export --db hiyari.sqlite --format csv --bom > reports.csv
  iryo hiyari export --db hiyari.sqlite --format datapackage --out hiyari-package
";

/// `harvest`: the search flags, the database, refresh or not.
#[derive(Args)]
pub struct HarvestArgs {
    /// The SQLite database (created when missing).
    #[arg(long, value_name = "FILE")]
    db: PathBuf,
    /// Newest first (order=2), stopping at the first page with nothing new.
    #[arg(long)]
    refresh: bool,
    #[command(flatten)]
    search: SearchArgs,
}

/// `export`: the database and the output format.
#[derive(Args)]
pub struct ExportArgs {
    /// A database written by `iryo hiyari harvest`.
    #[arg(long, value_name = "FILE")]
    db: PathBuf,
    /// jsonl or csv: the records `search` prints, on stdout; datapackage: a Frictionless Data
    /// Package (one UTF-8 CSV per table and datapackage.json) written into --out.
    #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
    format: ExportFormat,
    /// Start the output with a UTF-8 byte order mark, for Excel (--format csv only).
    #[arg(long)]
    bom: bool,
    /// The folder for --format datapackage (created; it must be empty).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// What `export` writes.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// One JSON object per report, as `search` prints it.
    Jsonl,
    /// One row per report, as `search --format csv` prints it.
    Csv,
    /// A Frictionless Data Package in --out.
    Datapackage,
}

/// Harvests, printing a summary (and with -v one line per page) on stderr.
pub async fn run(args: HarvestArgs, verbose: bool) -> Result<(), Stop> {
    let search = &args.search;
    if search.start.is_some() || search.count.is_some() || search.output.bom {
        return Err(CliError::Usage(
            "harvest takes every report of the search: --start, --count and --bom do not apply"
                .to_owned(),
        )
        .into());
    }
    let query = super::search::build_query(search)?;
    query
        .to_query_string()
        .map_err(|e| CliError::Input(e.to_string()))?;
    let client = Config::new(&search.base_url)
        .path(&search.path)
        .method(search.method.into())
        .build()?;
    let mut store = open(&args.db)?;
    let options = Options {
        kind: if args.refresh {
            Kind::Refresh
        } else {
            Kind::Full
        },
        page_size: search.page_size,
        pause: Duration::from_millis(search.pause_ms),
        ..Options::default()
    };
    let source = PageSource::new(client, query);
    let report_page = |record: &HarvestRecord| {
        if verbose {
            eprintln!(
                "page {}: {} of {} reports, {} new",
                record.pages,
                record.next_start,
                record.total.unwrap_or(0),
                record.new_reports
            );
        }
    };
    let outcome = iryo_hiyari_db::harvest(&mut store, &source, &options, report_page)
        .await
        .map_err(|e| harvest_error(e, &args.db))?;
    summary(&outcome, args.refresh)
}

/// The last stderr line: complete (with the changes of total re-checked), or exit 5 naming
/// what may be missing.
fn summary(outcome: &Outcome, refresh: bool) -> Result<(), Stop> {
    let record = &outcome.record;
    if outcome.already_complete {
        eprintln!(
            "harvest {} is complete ({} reports of {}); use --refresh for new reports",
            record.id,
            record.reports,
            record.total.unwrap_or(0)
        );
        return Ok(());
    }
    let resumed = outcome
        .resumed_from
        .map(|s| format!(", resumed at start={s}"))
        .unwrap_or_default();
    let changes: Vec<String> = outcome
        .total_changes
        .iter()
        .map(|c| format!("{}->{} at start={}", c.from, c.to, c.at_start))
        .collect();
    let kind = if refresh { "refresh" } else { "harvest" };
    let head = format!(
        "{kind} {}: {} new reports ({} pages this run{resumed})",
        record.id, outcome.new_this_run, outcome.pages_this_run
    );
    match outcome.completeness {
        Completeness::Complete if changes.is_empty() => {
            let total = record.total.unwrap_or(0);
            eprintln!("{head}; complete: total {total} steady on every page");
            Ok(())
        }
        Completeness::Complete => {
            eprintln!(
                "{head}; complete after {} re-check(s) from the start: the total changed ({}), then held steady at {}",
                outcome.rechecks,
                changes.join(", "),
                record.total.unwrap_or(0)
            );
            Ok(())
        }
        Completeness::MayHaveMissed => Err(CliError::Incomplete(format!(
            "{head}; may have missed reports: the search's total changed on every pass ({}); \
             what was received is stored; run the same command again to re-check",
            changes.join(", ")
        ))
        .into()),
    }
}

/// Streams every stored report out, in the order first seen, or writes the data package.
pub fn export(args: ExportArgs, verbose: bool) -> Result<(), Stop> {
    let datapackage = args.format == ExportFormat::Datapackage;
    if args.bom && args.format != ExportFormat::Csv {
        return Err(CliError::Usage("--bom is for --format csv".to_owned()).into());
    }
    if datapackage != args.out.is_some() {
        return Err(CliError::Usage(
            "--out DIR goes with --format datapackage, and only with it".to_owned(),
        )
        .into());
    }
    if !args.db.exists() {
        return Err(CliError::Input(format!("{}: no such database", args.db.display())).into());
    }
    let store = Store::open_read_only(&args.db).map_err(|e| harvest_error(e, &args.db))?;
    if let Some(dir) = &args.out {
        let summary = iryo_hiyari_db::write_datapackage(&store, dir, env!("CARGO_PKG_VERSION"))
            .map_err(|e| harvest_error(e, &args.db))?;
        if verbose {
            for (name, rows) in summary.resources {
                eprintln!("{}/{name}.csv: {rows} rows", dir.display());
            }
        }
        return Ok(());
    }
    let format = match args.format {
        ExportFormat::Csv => Format::Csv,
        _ => Format::Jsonl,
    };
    let out = BufWriter::new(std::io::stdout().lock());
    let mut writer = ReportWriter::new(out, format, args.bom, false)?;
    let mut stop = None;
    let result = store.for_each_json(|json| {
        writer.write_stored(json).map_err(|e| {
            stop = Some(e);
            HarvestError::Output("output stopped".to_owned())
        })
    });
    if let Some(stop) = stop {
        return Err(stop);
    }
    let count = result.map_err(|e| harvest_error(e, &args.db))?;
    writer.flush()?;
    if verbose {
        eprintln!("exported {count} reports");
    }
    Ok(())
}

fn open(path: &std::path::Path) -> Result<Store, CliError> {
    Store::open(path).map_err(|e| harvest_error(e, path))
}

pub(super) fn harvest_error(error: HarvestError, db: &std::path::Path) -> CliError {
    match error {
        HarvestError::Client(e) => {
            let mut error = CliError::from(e);
            if let CliError::Transport(message) | CliError::Api(message) = &mut error {
                message.push_str("; the pages before are stored: run the same command to resume");
            }
            error
        }
        HarvestError::Db(e) => CliError::Transport(format!("{}: {e}", db.display())),
        e @ (HarvestError::Locked { .. }
        | HarvestError::NotHarvestDatabase { .. }
        | HarvestError::Manifest(_)) => CliError::Input(e.to_string()),
        e @ HarvestError::StoredReport { .. } => {
            CliError::Transport(format!("{}: {e}", db.display()))
        }
        other => CliError::Transport(format!(
            "{}; the pages before are stored: run the same command to resume",
            crate::error::one_line(&other)
        )),
    }
}
