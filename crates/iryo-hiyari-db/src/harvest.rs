//! The harvest loop: page after page, politely, each page written in one transaction, resuming
//! where an interrupted run of the same search stopped.

use std::time::Duration;

use iryo_hiyari::Order;

use crate::HarvestError;
use crate::pages::{Page, PageSource};
use crate::row::ReportRow;
use crate::store::{HarvestRecord, Kind, Store};

/// How to harvest.
#[derive(Clone, Debug)]
pub struct Options {
    /// Full harvest or refresh.
    pub kind: Kind,
    /// Reports per request.
    pub page_size: u64,
    /// Pause between two requests.
    pub pause: Duration,
}

impl Default for Options {
    /// A full harvest, pages of 100, 1 s apart.
    fn default() -> Self {
        Options {
            kind: Kind::Full,
            page_size: 100,
            pause: Duration::from_secs(1),
        }
    }
}

/// What a harvest did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The harvest's row in `harvests`, as it stands.
    pub record: HarvestRecord,
    /// Where this run started when it resumed an interrupted one.
    pub resumed_from: Option<u64>,
    /// A full harvest of this search had already run to its end: nothing was requested.
    pub already_complete: bool,
    /// Pages this run wrote.
    pub pages_this_run: u64,
    /// New reports this run wrote.
    pub new_this_run: u64,
}

/// Harvests `source` into `store`. `progress` sees the record after every page.
///
/// A full harvest resumes the newest unfinished full harvest of the same search at its resume
/// point; one that ran to its end is not repeated (`already_complete`). A refresh asks for
/// `order=2` (newest first) and stops after the first page that holds no new report; an
/// interrupted refresh resumes likewise.
pub async fn harvest(
    store: &mut Store,
    source: &PageSource,
    options: &Options,
    mut progress: impl FnMut(&HarvestRecord),
) -> Result<Outcome, HarvestError> {
    let source = match options.kind {
        Kind::Full => source.clone(),
        Kind::Refresh => source.with_order(Order::OccurredAt),
    };
    let (endpoint, query) = source.identity()?;
    let latest = store.latest(options.kind, &endpoint, &query)?;
    let (mut record, resumed_from) = match latest {
        Some(record) if !record.finished => {
            let from = record.next_start;
            (record, Some(from))
        }
        Some(record) if options.kind == Kind::Full => {
            return Ok(Outcome {
                record,
                resumed_from: None,
                already_complete: true,
                pages_this_run: 0,
                new_this_run: 0,
            });
        }
        _ => {
            let record = store.start(options.kind, &endpoint, &query, options.page_size, 0)?;
            (record, None)
        }
    };
    let mut outcome = Outcome {
        record: record.clone(),
        resumed_from,
        already_complete: false,
        pages_this_run: 0,
        new_this_run: 0,
    };
    if options.kind == Kind::Full {
        return pipelined(store, &source, options, record, outcome, progress).await;
    }
    loop {
        if outcome.pages_this_run > 0 && !options.pause.is_zero() {
            tokio::time::sleep(options.pause).await;
        }
        let page = source.fetch(record.next_start, options.page_size).await?;
        let new = write(store, &mut record, &page)?;
        outcome.pages_this_run += 1;
        outcome.new_this_run += new;
        progress(&record);
        let at_end = page.reports.is_empty() || record.next_start >= page.total;
        if at_end || new == 0 {
            store.finish(&mut record)?;
            outcome.record = record;
            return Ok(outcome);
        }
    }
}

/// A full harvest: while a page is written (on a blocking thread), the next is fetched, after
/// the pause. Requests stay one at a time.
async fn pipelined(
    store: &mut Store,
    source: &PageSource,
    options: &Options,
    mut record: HarvestRecord,
    mut outcome: Outcome,
    mut progress: impl FnMut(&HarvestRecord),
) -> Result<Outcome, HarvestError> {
    let mut page = source.fetch(record.next_start, options.page_size).await?;
    loop {
        let next_start = page.start + page.reports.len() as u64;
        let at_end = page.reports.is_empty() || next_start >= page.total;
        let next = async {
            if at_end {
                return None;
            }
            if !options.pause.is_zero() {
                tokio::time::sleep(options.pause).await;
            }
            Some(source.fetch(next_start, options.page_size).await)
        };
        let mut written = record.clone();
        let write = store.with_connection_blocking(move |db| {
            let rows: Vec<ReportRow> = page.reports.iter().map(ReportRow::from_report).collect();
            let new = crate::store::write_page(db, &mut written, page.start, page.total, &rows);
            (written, new)
        });
        let ((written, new), next) = tokio::join!(write, next);
        let new = new?;
        record = written;
        outcome.pages_this_run += 1;
        outcome.new_this_run += new;
        progress(&record);
        match next {
            None => {
                store.finish(&mut record)?;
                outcome.record = record;
                return Ok(outcome);
            }
            Some(next) => page = next?,
        }
    }
}

fn write(store: &mut Store, record: &mut HarvestRecord, page: &Page) -> Result<u64, HarvestError> {
    let rows: Vec<ReportRow> = page.reports.iter().map(ReportRow::from_report).collect();
    Ok(store.write_page(record, page.start, page.total, &rows)?)
}
