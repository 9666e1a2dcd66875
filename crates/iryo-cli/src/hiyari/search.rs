//! `iryo hiyari search`: flags to a [`SearchQuery`], then the client's paged stream to records.

use std::cell::Cell;
use std::io::{BufWriter, IsTerminal};
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use iryo_hiyari::{CodeSet, Condition, Config, Count, Item, ItemCode, Progress, SearchQuery};

use super::SearchArgs;
use super::raw::RawDir;
use super::records::ReportWriter;
use crate::error::CliError;
use crate::output::Stop;

/// Runs a search and writes every report as it arrives.
pub async fn run(args: SearchArgs, verbose: bool) -> Result<(), Stop> {
    let query = build_query(&args)?;
    // Validation and Shift_JIS encoding happen here, before any request.
    query
        .to_query_string()
        .map_err(|e| CliError::Input(e.to_string()))?;
    let mut config = Config::new(&args.base_url)
        .path(&args.path)
        .method(args.method.into())
        .page_size(args.page_size)
        .page_pause(Duration::from_millis(args.pause_ms))
        .max_response_bytes(args.max_answer_bytes)
        .limits(args.limits.limits());
    if let Some(dir) = &args.save_raw {
        config = config.raw_pages(Arc::new(RawDir::create(dir)?));
    }
    let client = config.build()?;
    if verbose {
        eprintln!("{}", request_summary(&args, &query, client.endpoint()));
    }
    let bar = ProgressDisplay::new(std::io::stderr().is_terminal(), &query);
    let out = BufWriter::new(std::io::stdout().lock());
    let mut writer = ReportWriter::new(out, args.output.format, args.output.bom, true)?;
    let mut reports = client.search(query);
    while let Some(report) = reports.next().await {
        match report {
            // Records and the bar may share a terminal: hide the bar while a record is written.
            Ok(report) => bar.suspend(|| writer.write(&report))?,
            Err(error) => {
                bar.abandon();
                let _ = writer.flush();
                return Err(resumable(error).into());
            }
        }
        bar.update(&reports.progress());
    }
    writer.flush()?;
    let progress = reports.progress();
    bar.finish();
    if verbose || bar.is_shown() {
        eprintln!(
            "fetched {} in {}",
            plural(progress.reports, "report"),
            plural(progress.pages, "page")
        );
    }
    Ok(())
}

/// `GET URL?params (count=all from start=0, pages of 100)`: the search without its paging, and
/// how it will be paged.
fn request_summary(args: &SearchArgs, query: &SearchQuery, endpoint: &str) -> String {
    let method = match args.method {
        super::MethodArg::Get => "GET",
        super::MethodArg::Post => "POST",
    };
    let unpaged = SearchQuery {
        start: None,
        count: None,
        ..query.clone()
    };
    let params = unpaged.to_query_string().unwrap_or_default();
    let count = match query.count {
        Some(Count::All) => "all".to_owned(),
        Some(Count::Limit(n)) => n.to_string(),
        None => "10".to_owned(),
    };
    let separator = if params.is_empty() { "" } else { "?" };
    format!(
        "{method} {endpoint}{separator}{params} (count={count} from start={}, pages of {})",
        query.start.unwrap_or(0),
        args.page_size
    )
}

fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// An interrupted search says how to resume it.
fn resumable(error: iryo_hiyari::Error) -> CliError {
    let next_start = match &error {
        iryo_hiyari::Error::Interrupted { next_start, .. } => Some(*next_start),
        _ => None,
    };
    let mut error = CliError::from(error);
    if let Some(next_start) = next_start {
        let hint = format!(
            "; the reports before it were written: run the same search with --start {next_start} \
             to get the rest"
        );
        match &mut error {
            CliError::Api(m)
            | CliError::Usage(m)
            | CliError::Transport(m)
            | CliError::Input(m)
            | CliError::Incomplete(m)
            | CliError::CorpusChanged(m) => m.push_str(&hint),
        }
    }
    error
}

/// The flags as the API's parameters; pairing and table checks happen here (exit 2 and 4).
pub(super) fn build_query(args: &SearchArgs) -> Result<SearchQuery, CliError> {
    let mut query = SearchQuery::new();
    if args.words.is_empty() && !args.items.is_empty() {
        return Err(CliError::Usage(
            "--item needs a --word to search for".to_owned(),
        ));
    }
    // No --item at all: every --word searches the whole report (fixup blank-item-whole-report).
    if !args.items.is_empty() && args.words.len() != args.items.len() {
        return Err(CliError::Usage(format!(
            "--word is given {} time(s) and --item {} time(s): each --word pairs with the --item \
             at the same position (--item \"\" searches the whole report; leave out every --item \
             to search the whole report with each --word)",
            args.words.len(),
            args.items.len()
        )));
    }
    more_than(
        "--condition",
        args.conditions.len(),
        "--word",
        args.words.len(),
    )?;
    for (i, word) in args.words.iter().enumerate() {
        let condition = args.conditions.get(i).map_or(Condition::All, |&c| c.into());
        let item = match args.items.get(i) {
            Some(item) => known_item(item)?,
            None => None,
        };
        query = query.words(item, word.as_str(), condition);
    }
    check_order_and_range(args, &query)?;
    for (flag, count) in [("--code", args.codes.len()), ("--text", args.texts.len())] {
        more_than(flag, count, "--itemcode", args.itemcodes.len())?;
    }
    for (i, itemcode) in args.itemcodes.iter().enumerate() {
        let itemcode = ItemCode::from_known_code(itemcode).ok_or_else(|| {
            CliError::Input(format!(
                "unknown --itemcode `{itemcode}`: not an item code of the コード検索 table"
            ))
        })?;
        query.code_sets.push(CodeSet {
            itemcode,
            codes: args
                .codes
                .get(i)
                .map(|c| c.split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default(),
            text: args.texts.get(i).cloned().unwrap_or_default(),
        });
    }
    if let Some((i, set)) = query
        .code_sets
        .iter()
        .enumerate()
        .find(|(_, set)| set.codes.is_empty() && set.text.is_empty())
    {
        return Err(CliError::Input(format!(
            "--itemcode {} (set {}) has neither --code nor --text: they pair with --itemcode by \
             position (pass --code \"\" or --text \"\" to leave one of a set empty)",
            set.itemcode,
            i + 1
        )));
    }
    for (month, month_flag, year, year_flag) in [
        (args.fmonth, "--fmonth", args.fyear, "--fyear"),
        (args.tmonth, "--tmonth", args.tyear, "--tyear"),
    ] {
        if month.is_some() && year.is_none() {
            return Err(CliError::Input(format!("{month_flag} needs {year_flag}")));
        }
    }
    query.from_year = args.fyear;
    query.from_month = args.fmonth;
    query.to_year = args.tyear;
    query.to_month = args.tmonth;
    query.start = args.start;
    query.count = args.count;
    query.order = args.order.map(Into::into);
    Ok(query)
}

/// `--order 3` needs an item search; the range must not end before it starts.
fn check_order_and_range(args: &SearchArgs, query: &SearchQuery) -> Result<(), CliError> {
    let score = matches!(args.order, Some(super::OrderArg::Score));
    if score && !query.word_sets.iter().any(|set| set.item.is_some()) {
        return Err(CliError::Usage(
            "--order 3 (score) needs a word search under an --item: without one the API sorts \
             by 1 (事例区分) instead"
                .to_owned(),
        ));
    }
    if let (Some(from), Some(to)) = (args.fyear, args.tyear) {
        let from_month = args.fmonth.unwrap_or(1);
        let to_month = args.tmonth.unwrap_or(12);
        if (from, from_month) > (to, to_month) {
            return Err(CliError::Usage(format!(
                "--fyear {from} --fmonth {from_month} comes after --tyear {to} --tmonth {to_month}: \
                 the range would be empty"
            )));
        }
    }
    Ok(())
}

fn more_than(flag: &str, count: usize, owner: &str, owners: usize) -> Result<(), CliError> {
    if count > owners {
        return Err(CliError::Usage(format!(
            "{flag} is given {count} time(s) but {owner} only {owners}: each pairs with the \
             {owner} at the same position"
        )));
    }
    Ok(())
}

/// `""` is the whole report; anything else must be a tag of the 「XML タグ名」 table.
fn known_item(tag: &str) -> Result<Option<Item>, CliError> {
    if tag.is_empty() {
        return Ok(None);
    }
    Item::from_known_code(tag).map(Some).ok_or_else(|| {
        CliError::Input(format!(
            "unknown --item `{tag}`: not a tag of the XML タグ名 table (e.g. LSTFACTOR, DATCONTENTTEXT)"
        ))
    })
}

/// A progress bar on a terminal; nothing otherwise.
struct ProgressDisplay {
    bar: Option<ProgressBar>,
    start: u64,
    count: Option<Count>,
    sized: Cell<bool>,
}

impl ProgressDisplay {
    fn new(terminal: bool, query: &SearchQuery) -> Self {
        let bar = terminal.then(|| {
            let bar = ProgressBar::new(0);
            // Until the first page says how many reports match, only a spinner.
            let waiting = ProgressStyle::with_template("{spinner} waiting for page 1 ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner());
            bar.set_style(waiting);
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        ProgressDisplay {
            bar,
            start: query.start.unwrap_or(0),
            count: query.count,
            sized: Cell::new(false),
        }
    }

    fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.bar {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }

    fn is_shown(&self) -> bool {
        self.bar.is_some()
    }

    fn update(&self, progress: &Progress) {
        let Some(bar) = &self.bar else { return };
        bar.set_message(progress.pages.to_string());
        if let Some(total) = progress.total {
            if !self.sized.replace(true) {
                let style = ProgressStyle::with_template(
                    "{spinner} [{bar:30}] {pos}/{len} reports, page {msg} ({elapsed})",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
                bar.set_style(style);
            }
            let available = total.saturating_sub(self.start);
            let wanted = match self.count {
                Some(Count::Limit(n)) => n.min(available),
                None => 10.min(available),
                Some(Count::All) => available,
            };
            bar.set_length(wanted);
        }
        bar.set_position(progress.reports);
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    fn abandon(&self) {
        if let Some(bar) = &self.bar {
            bar.abandon();
        }
    }
}
