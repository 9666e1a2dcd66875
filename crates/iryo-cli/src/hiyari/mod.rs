//! `iryo hiyari search` and `iryo hiyari parse`: 薬局ヒヤリ・ハット reports as JSON lines or CSV.

use clap::{Args, Subcommand, ValueEnum};
use iryo_hiyari::{Condition, Count, Method, Order};

use crate::error::{CliError, EXIT_CODES_HELP};
use crate::output::Stop;

mod corpus;
mod harvest;
mod parse;
mod raw;
mod records;
mod search;

pub use records::Format;

const SEARCH_EXAMPLE: &str = "\
Example (the document's first sample search, every hit, against `iryo mock`):
  iryo hiyari search --base-url http://127.0.0.1:8183 --item LSTFACTOR --word \"過労 疲労\" \\
      --condition any --count all --format csv --bom > hiyari.csv
";

const SEARCH_RULES: &str = "\
Repeated sets pair by position, as the API pairs its parameters: the i-th --item with the i-th
--word and the i-th --condition (missing: all); --item \"\" searches the whole report, and so
does every --word when no --item is given at all (--word 疲労 alone is a search of the whole
report). When some --item are given, there must be one per --word. Likewise
the i-th --itemcode with the i-th --code (space-separated codes) and --text; a missing one is
empty (pass --code \"\" to leave a middle set's codes empty). --item and --itemcode must be listed
in the API's tables. Text Shift_JIS cannot carry (an emoji) is refused before any request.

--count larger than --page-size, and --count all, are fetched page by page (one request at a time,
--pause-ms apart). On a terminal, a progress bar shows reports out of the total; otherwise stderr
stays quiet unless -v, which prints the request and `fetched N reports in M pages`. Zero hits
print nothing (CSV: the header line only) and exit 0. Every answer is checked: it must start at
the --start asked and hold no more reports than asked; a server that answers fewer is paged on.
A search that fails after some reports were written says how to resume (--start N).
--save-raw DIR keeps every answer as received (DIR/page-<start>.xml, one document per page),
readable again with `iryo hiyari parse DIR/*.xml`.
";

const PARSE_EXAMPLE: &str = "\
Example (a saved answer of the API, and one from stdin):
  iryo hiyari parse answer.sjis.xml > reports.jsonl
  curl -s \"$URL?item=DATSUMMARY&word=...\" | iryo hiyari parse - --format csv
";

const PARSE_RULES: &str = "\
Files are saved XML answers of the API (such as --save-raw writes), not the JSON lines or CSV
that iryo prints. They are read as their XML declaration says (Shift_JIS for this API), report
by report, in constant memory. Invalid bytes fail naming their byte offset, unless --lossy
replaces them with U+FFFD (with a warning on stderr). A saved <Error> answer other than \"no
results\" fails with exit code 1.

Limits (both commands): a report may hold --max-report-bytes of text (default 1 MiB),
--max-report-elements elements (10000) and --max-unknown-elements unknown ones (1000); one tag
or text node at most --max-element-bytes (1 MiB). An answer past a limit fails naming the limit
and the byte offset.
";

/// hiyari subcommands.
#[derive(Subcommand)]
pub enum HiyariCommand {
    /// Search the 事例検索 API (GET/POST {base-url}{path}) and print the reports.
    #[command(after_help = format!("{SEARCH_EXAMPLE}\nSee --help for the pairing rules and the CSV columns.\n\n{EXIT_CODES_HELP}"))]
    Search(Box<SearchArgs>),
    /// Convert saved Shift_JIS answers (FILE, or - for stdin) into the same records.
    #[command(after_help = format!("{PARSE_EXAMPLE}\nSee --help for the CSV columns.\n\n{EXIT_CODES_HELP}"))]
    Parse(ParseArgs),
    /// Harvest a search (default: everything) into a local SQLite database, resumably.
    #[command(after_help = format!("{}\n{}\n{EXIT_CODES_HELP}", harvest::HARVEST_EXAMPLE, harvest::HARVEST_RULES))]
    Harvest(Box<harvest::HarvestArgs>),
    /// Write a harvest database as JSON lines or CSV (as `search` prints them) or a data package.
    #[command(after_help = format!("{}\n{EXIT_CODES_HELP}", harvest::EXPORT_EXAMPLE))]
    Export(harvest::ExportArgs),
    /// Print a harvest's reports by digest as a JSON manifest, for others to rebuild the corpus.
    #[command(after_help = format!("{}\n{}\n{EXIT_CODES_HELP}", corpus::MANIFEST_EXAMPLE, corpus::REBUILD_RULES))]
    Manifest(corpus::ManifestArgs),
    /// Harvest a manifest's search again and say which reports are missing, new or corrected.
    #[command(after_help = format!("{}\n{}\n{EXIT_CODES_HELP}", corpus::MANIFEST_EXAMPLE, corpus::REBUILD_RULES))]
    Rebuild(Box<corpus::RebuildArgs>),
}

/// `--help` of `search`: example, rules, CSV columns, exit codes.
pub fn search_long_help() -> String {
    format!(
        "{SEARCH_EXAMPLE}\n{SEARCH_RULES}\n{}\n{EXIT_CODES_HELP}",
        records::columns_help()
    )
}

/// `--help` of `parse`.
pub fn parse_long_help() -> String {
    format!(
        "{PARSE_EXAMPLE}\n{PARSE_RULES}\n{}\n{EXIT_CODES_HELP}",
        records::columns_help()
    )
}

/// The API's parameters, under their own names.
#[derive(Args)]
pub struct SearchArgs {
    /// The service (scheme and host).
    #[arg(long, value_name = "URL", default_value = iryo_hiyari::PUBLIC_BASE_URL)]
    base_url: String,
    /// The endpoint path (the newer service: /phsearch/SearchNewReportApi.action).
    #[arg(long, value_name = "P", default_value = iryo_hiyari::DEFAULT_PATH)]
    path: String,
    /// XML tag to search under (repeatable; "" = the whole report), e.g. LSTFACTOR.
    #[arg(long = "item", value_name = "TAG")]
    items: Vec<String>,
    /// Words separated by half-width spaces, for the --item at the same position (repeatable).
    #[arg(long = "word", value_name = "W1 W2")]
    words: Vec<String>,
    /// How the words combine, for the --item at the same position (repeatable; default all).
    #[arg(long = "condition", value_enum, value_name = "all|any|not")]
    conditions: Vec<ConditionArg>,
    /// 発生年 from (4 digits).
    #[arg(long, value_name = "Y")]
    fyear: Option<u16>,
    /// 発生月 from (1-12; needs --fyear).
    #[arg(long, value_name = "M")]
    fmonth: Option<u8>,
    /// 発生年 to (4 digits).
    #[arg(long, value_name = "Y")]
    tyear: Option<u16>,
    /// 発生月 to (1-12; needs --tyear).
    #[arg(long, value_name = "M")]
    tmonth: Option<u8>,
    /// Item code of a code search (repeatable), e.g. 0090010 (事例の概要).
    #[arg(long = "itemcode", value_name = "C")]
    itemcodes: Vec<String>,
    /// Codes, any of which matches, for the --itemcode at the same position (repeatable).
    #[arg(long = "code", value_name = "C1 C2")]
    codes: Vec<String>,
    /// Text matched partially, for the --itemcode at the same position (repeatable).
    #[arg(long = "text", value_name = "T")]
    texts: Vec<String>,
    /// Index of the first report (default 0).
    #[arg(long, value_name = "N")]
    start: Option<u64>,
    /// How many reports: a number (the API's default is 10) or `all`.
    #[arg(long, value_name = "N|all", value_parser = parse_count)]
    count: Option<Count>,
    /// Sort order: 1 事例区分 (default), 2 発生年月 newest first, 3 score.
    #[arg(long, value_enum, value_name = "1|2|3")]
    order: Option<OrderArg>,
    /// Reports per request when fetching page by page (at least 1).
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = parse_page_size)]
    page_size: u64,
    /// Pause between two page requests, in milliseconds (be polite to the public service).
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pause_ms: u64,
    /// GET with a query string, or POST with a form body.
    #[arg(long, value_enum, default_value_t = MethodArg::Get)]
    method: MethodArg,
    /// Keep every answer as received in DIR (page-<start>.xml), for `iryo hiyari parse`.
    #[arg(long, value_name = "DIR")]
    save_raw: Option<std::path::PathBuf>,
    /// The largest answer to one request, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 64 * 1024 * 1024)]
    max_answer_bytes: u64,
    #[command(flatten)]
    limits: LimitArgs,
    #[command(flatten)]
    output: OutputArgs,
}

/// What one report may hold (see `iryo_hiyari::Limits`).
#[derive(Args)]
struct LimitArgs {
    /// Text one report may hold, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = iryo_hiyari::Limits::new().report_text_bytes)]
    max_report_bytes: u64,
    /// Elements one report may hold.
    #[arg(long, value_name = "N", default_value_t = iryo_hiyari::Limits::new().report_elements)]
    max_report_elements: u64,
    /// Unknown elements one report may keep.
    #[arg(long, value_name = "N", default_value_t = iryo_hiyari::Limits::new().report_unknown_elements)]
    max_unknown_elements: u64,
    /// The largest tag or text node, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = iryo_hiyari::Limits::new().element_bytes)]
    max_element_bytes: u64,
}

impl LimitArgs {
    fn limits(&self) -> iryo_hiyari::Limits {
        iryo_hiyari::Limits::new()
            .report_text_bytes(self.max_report_bytes)
            .report_elements(self.max_report_elements)
            .report_unknown_elements(self.max_unknown_elements)
            .element_bytes(self.max_element_bytes)
    }
}

/// Saved answers to convert.
#[derive(Args)]
pub struct ParseArgs {
    /// Saved answers of the API; `-` reads stdin.
    #[arg(value_name = "FILE", required = true)]
    files: Vec<String>,
    /// Replace invalid Shift_JIS bytes with U+FFFD instead of failing.
    #[arg(long)]
    lossy: bool,
    #[command(flatten)]
    limits: LimitArgs,
    #[command(flatten)]
    output: OutputArgs,
}

/// How reports are written.
#[derive(Args)]
struct OutputArgs {
    /// jsonl: one JSON object per report; csv: one row per report, fixed columns (see --help).
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    format: Format,
    /// Start the output with a UTF-8 byte order mark, for Excel (CSV only); cells starting with
    /// = + - @ then get a leading ' so that Excel does not run them as formulas.
    #[arg(long)]
    bom: bool,
}

impl OutputArgs {
    fn check(&self) -> Result<(), CliError> {
        if self.bom && self.format != Format::Csv {
            return Err(CliError::Usage(
                "--bom is for --format csv (a BOM would break JSON lines)".to_owned(),
            ));
        }
        Ok(())
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum ConditionArg {
    /// Every word occurs.
    All,
    /// At least one word occurs.
    Any,
    /// None of the words occurs.
    Not,
}

impl From<ConditionArg> for Condition {
    fn from(value: ConditionArg) -> Self {
        match value {
            ConditionArg::All => Condition::All,
            ConditionArg::Any => Condition::Any,
            ConditionArg::Not => Condition::Not,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum OrderArg {
    /// 事例区分.
    #[value(name = "1")]
    Category,
    /// 発生年月, newest first.
    #[value(name = "2")]
    OccurredAt,
    /// Score (needs an --item search).
    #[value(name = "3")]
    Score,
}

impl From<OrderArg> for Order {
    fn from(value: OrderArg) -> Self {
        match value {
            OrderArg::Category => Order::Category,
            OrderArg::OccurredAt => Order::OccurredAt,
            OrderArg::Score => Order::Score,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum MethodArg {
    /// GET with a query string.
    Get,
    /// POST with a form body.
    Post,
}

impl From<MethodArg> for Method {
    fn from(value: MethodArg) -> Self {
        match value {
            MethodArg::Get => Method::Get,
            MethodArg::Post => Method::Post,
        }
    }
}

fn parse_count(text: &str) -> Result<Count, String> {
    match Count::parse(text) {
        Some(Count::Limit(0)) => Err("--count must be at least 1 (or `all`)".to_owned()),
        Some(count) => Ok(count),
        None => Err(format!("`{text}` is neither a number nor `all`")),
    }
}

fn parse_page_size(text: &str) -> Result<u64, String> {
    match text.parse::<u64>() {
        Ok(0) => Err("--page-size must be at least 1".to_owned()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("`{text}` is not a number")),
    }
}

/// Runs a hiyari subcommand.
pub async fn run(command: HiyariCommand, verbose: bool) -> Result<(), Stop> {
    match command {
        HiyariCommand::Search(args) => {
            args.output.check()?;
            search::run(*args, verbose).await
        }
        HiyariCommand::Parse(args) => {
            args.output.check()?;
            parse::run(args, verbose)
        }
        HiyariCommand::Harvest(args) => harvest::run(*args, verbose).await,
        HiyariCommand::Export(args) => harvest::export(args, verbose),
        HiyariCommand::Manifest(args) => corpus::manifest(args),
        HiyariCommand::Rebuild(args) => corpus::rebuild(*args, verbose).await,
    }
}
