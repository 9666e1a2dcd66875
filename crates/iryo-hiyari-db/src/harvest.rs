//! The harvest loop: passes over the search, each with one paging state machine, each page
//! streamed into its own transaction; resuming where an interrupted run of the same search
//! stopped; re-checking from the start when the search's `total` changes while paging.

use std::time::Duration;

use iryo_hiyari::{Order, PageRequest, Paging};
use tokio::sync::{mpsc, oneshot};

use crate::HarvestError;
use crate::pages::{PageSource, paging_error};
use crate::store::{HarvestRecord, Kind, Store};
use crate::write::write_streamed;

/// Reports in flight between the network and the database writer: the whole of what a harvest
/// holds of a page, whatever its size.
const REPORTS_IN_FLIGHT: usize = 16;

/// How to harvest.
#[derive(Clone, Debug)]
pub struct Options {
    /// Full harvest or refresh.
    pub kind: Kind,
    /// Reports per request.
    pub page_size: u64,
    /// Pause between two requests.
    pub pause: Duration,
    /// Passes from the start after the one where `total` changed, before giving up.
    pub rechecks: u32,
}

impl Default for Options {
    /// A full harvest, pages of 100, 1 s apart, two re-checks.
    fn default() -> Self {
        Options {
            kind: Kind::Full,
            page_size: 100,
            pause: Duration::from_secs(1),
            rechecks: 2,
        }
    }
}

/// The search's `total` changed between two pages of a pass (or between an interrupted run and
/// its resume): reports were withdrawn or added, and positions after them shifted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TotalChange {
    /// `start` of the page that answered the new total.
    pub at_start: u64,
    /// The total before.
    pub from: u64,
    /// The total that page answered.
    pub to: u64,
}

/// Whether the harvest holds every report of its search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Completeness {
    /// The last pass saw one `total` on every page (and, resumed, the same as before the
    /// interruption): every report of the search was stored. A refresh: every new report.
    Complete,
    /// `total` changed in every pass, re-checks included: reports may be missing. The harvest
    /// is left unfinished at start 0, so running it again re-checks.
    MayHaveMissed,
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
    /// Passes from the start this run made after a change of `total`.
    pub rechecks: u32,
    /// Every change of `total` this run saw, in order (at most one per pass).
    pub total_changes: Vec<TotalChange>,
    /// Whether every report is stored.
    pub completeness: Completeness,
}

/// Harvests `source` into `store`. `progress` sees the record after every page.
///
/// A full harvest resumes the newest unfinished full harvest of the same search at its resume
/// point; one that ran to its end is not repeated (`already_complete`). A refresh asks for
/// `order=2` (newest first) and stops after the first page that holds no new report; an
/// interrupted refresh resumes likewise. When a page answers another `total` than the pages
/// before it, the pass stops there and the search is passed again from the start (reports
/// already stored are skipped by digest), up to [`Options::rechecks`] times; a last pass that
/// still sees `total` change ends with [`Completeness::MayHaveMissed`].
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
    let (record, resumed_from) = match latest {
        Some(record) if !record.finished => {
            let from = record.next_start;
            (record, Some(from))
        }
        Some(record) if options.kind == Kind::Full => {
            return Ok(Outcome::new(record, None, true));
        }
        _ => {
            let record = store.start(options.kind, &endpoint, &query, options.page_size, 0)?;
            (record, None)
        }
    };
    // Resumed, the pages before the interruption count as this pass's first pages.
    let mut known_total = record.total;
    let mut outcome = Outcome::new(record, resumed_from, false);
    loop {
        let change = pass(
            store,
            &source,
            options,
            &mut outcome,
            known_total,
            &mut progress,
        )
        .await?;
        let Some(change) = change else {
            store.finish(&mut outcome.record)?;
            return Ok(outcome);
        };
        outcome.total_changes.push(change);
        store.rewind(&mut outcome.record, 0)?;
        if outcome.rechecks >= options.rechecks {
            outcome.completeness = Completeness::MayHaveMissed;
            return Ok(outcome);
        }
        outcome.rechecks += 1;
        known_total = None;
    }
}

impl Outcome {
    fn new(record: HarvestRecord, resumed_from: Option<u64>, already_complete: bool) -> Self {
        Outcome {
            record,
            resumed_from,
            already_complete,
            pages_this_run: 0,
            new_this_run: 0,
            rechecks: 0,
            total_changes: Vec::new(),
            completeness: Completeness::Complete,
        }
    }
}

/// One pass from the record's resume point to the end (a refresh: to the first page with
/// nothing new), with one paging state machine; stops early at a change of `total`.
async fn pass(
    store: &mut Store,
    source: &PageSource,
    options: &Options,
    outcome: &mut Outcome,
    mut known_total: Option<u64>,
    progress: &mut impl FnMut(&HarvestRecord),
) -> Result<Option<TotalChange>, HarvestError> {
    let mut paging = source.paging(outcome.record.next_start, options.page_size);
    loop {
        let request = match paging.next_request() {
            Ok(Some(request)) => request,
            Ok(None) => return Ok(None),
            Err(e) => return Err(paging_error(paging.next_start(), e)),
        };
        if outcome.pages_this_run > 0 && !options.pause.is_zero() {
            tokio::time::sleep(options.pause).await;
        }
        let (total, new) = page(store, source, &mut paging, request, &mut outcome.record).await?;
        outcome.pages_this_run += 1;
        outcome.new_this_run += new;
        progress(&outcome.record);
        if let Some(from) = known_total
            && from != total
        {
            let at_start = request.start;
            return Ok(Some(TotalChange {
                at_start,
                from,
                to: total,
            }));
        }
        known_total = Some(total);
        if options.kind == Kind::Refresh && new == 0 {
            return Ok(None);
        }
    }
}

/// One page: its reports stream into a transaction on a blocking thread while they arrive; the
/// transaction commits once the page passed every check (then `paging` moves on). Returns the
/// page's `total` and how many reports were new.
async fn page(
    store: &mut Store,
    source: &PageSource,
    paging: &mut Paging,
    request: PageRequest,
    record: &mut HarvestRecord,
) -> Result<(u64, u64), HarvestError> {
    let (reports, received) = mpsc::channel(REPORTS_IN_FLIGHT);
    let (verdict, verdict_rx) = oneshot::channel();
    let mut written = record.clone();
    let write = store.with_connection_blocking(move |db| {
        let new = write_streamed(db, &mut written, request.start, received, verdict_rx);
        (written, new)
    });
    let fetch = async {
        let fetched = source.stream(paging, &request, &reports).await;
        drop(reports);
        let checked = fetched.and_then(|page| {
            let total = page.result.total;
            paging
                .finish(page.check)
                .map_err(|e| paging_error(request.start, e))?;
            Ok(total)
        });
        let _ = verdict.send(checked.as_ref().ok().copied());
        checked
    };
    let ((written, new), total) = tokio::join!(write, fetch);
    // A failed writer closes its channel, which fails the fetch: its own error comes first.
    let new = new?;
    let total = total?;
    *record = written;
    Ok((total, new))
}
