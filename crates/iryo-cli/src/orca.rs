//! `iryo orca push-events`: ORCA's PUSH通知一括取得 as JSON lines.

use std::io::Write;

use clap::{Args, Subcommand};
use iryo_orca::{Config, Credentials, PushEvent, PushTime};

use crate::error::{CliError, EXIT_CODES_HELP};
use crate::output::Stop;

const PUSH_EVENTS_HELP: &str = "\
Prints the `data` object of each notification, one JSON object per line, with the API's keys
(uuid, id, event, user, body, time, then any others) and the event name exactly as received.
Nothing matched (ORCA code 0007) prints nothing and exits 0.

Example (the ORCA document's sample request, against `iryo mock`):
  export ORCA_USER=ormaster ORCA_PASSWORD=ormaster
  iryo orca push-events --base-url http://127.0.0.1:8000 --event patient_accept --user ormaster \\
      --start \"2018-01-24 13:00\" --end \"2018-01-25 12:59\"
  {\"uuid\":\"2df2ef80-8978-4817-b929-c07e4ba39e6f\",\"id\":1,\"event\":\"patient_accept\",\"user\":\"ormaster\",\"body\":{...},\"time\":\"2018-01-24T16:02:53+0900\"}
  {\"uuid\":\"b5efc60a-bfa9-4c27-b0e1-85802b097cb6\",\"id\":10,...}
";

/// ORCA subcommands.
#[derive(Subcommand)]
pub enum OrcaCommand {
    /// POST {base-url}{base-path}/api01rv2/pusheventgetv2: notifications of the last 7 days.
    #[command(after_help = format!("{PUSH_EVENTS_HELP}\n{EXIT_CODES_HELP}"))]
    PushEvents(PushEventsArgs),
    /// The PUSH通知 socket as JSON lines, every gap fetched with pusheventgetv2, resumable.
    #[command(after_help = format!("{}\n{}\n{EXIT_CODES_HELP}", crate::watch::WATCH_HELP, crate::deliver::DELIVER_HELP))]
    Watch(crate::watch::WatchArgs),
    /// Many clinics in one process, shared between replicas through PostgreSQL leases.
    #[command(after_help = format!("{}\n{EXIT_CODES_HELP}", crate::fleet::FLEET_HELP))]
    Fleet(crate::fleet::FleetArgs),
}

/// Filters of `pusheventgetv2`; every one is optional.
#[derive(Args)]
pub struct PushEventsArgs {
    /// The ORCA server: scheme, host and port (e.g. https://orca.example.jp:8000).
    #[arg(long, value_name = "URL")]
    base_url: String,
    /// A path in front of the API path; WebORCA serves the API under /api.
    #[arg(long, value_name = "PATH")]
    base_path: Option<String>,
    /// Only this event (e.g. patient_accept); half-width characters only.
    #[arg(long, value_name = "NAME")]
    event: Option<String>,
    /// Only notifications caused by this ORCA operator.
    #[arg(long, value_name = "ID")]
    user: Option<String>,
    /// Window start, JST: "YYYY-MM-DD" (from 00:00) or "YYYY-MM-DD HH:MM".
    #[arg(long, value_name = "TIME")]
    start: Option<String>,
    /// Window end, inclusive: "YYYY-MM-DD" (through 23:59:59) or "YYYY-MM-DD HH:MM".
    #[arg(long, value_name = "TIME")]
    end: Option<String>,
    #[command(flatten)]
    insecure: crate::insecure::InsecureHttpArg,
}

/// Runs an ORCA subcommand.
pub async fn run(command: OrcaCommand, verbose: bool) -> Result<(), Stop> {
    match command {
        OrcaCommand::PushEvents(args) => push_events(args, verbose).await,
        OrcaCommand::Watch(args) => crate::watch::watch(args).await,
        OrcaCommand::Fleet(args) => crate::fleet::run(args).await,
    }
}

async fn push_events(args: PushEventsArgs, verbose: bool) -> Result<(), Stop> {
    if verbose {
        crate::output::trace_http_attempts();
    }
    let user = crate::env::ORCA_USER.required()?;
    let password = crate::env::ORCA_PASSWORD.required()?;
    let start = push_time("--start", args.start.as_deref())?;
    let end = push_time("--end", args.end.as_deref())?;
    let mut config = Config::new(&args.base_url, Credentials::basic(user.as_str(), password))
        .allow_insecure_http(args.insecure.allows(&args.base_url));
    if let Some(path) = &args.base_path {
        config = config.base_path(path.as_str());
    }
    let client = config.build()?;
    let mut request = client.push_events();
    if let Some(event) = args.event {
        request = request.event(event);
    }
    if let Some(filter_user) = args.user {
        request = request.user(filter_user);
    }
    if let Some(start) = start {
        request = request.start(start);
    }
    if let Some(end) = end {
        request = request.end(end);
    }
    if verbose {
        eprintln!(
            "POST {}{}/api01rv2/pusheventgetv2 as ORCA user {user}",
            args.base_url.trim_end_matches('/'),
            normalised_path(args.base_path.as_deref()),
        );
    }
    // Typed one at a time, printed and dropped: memory is the answer plus one notification.
    let answer = request.send_lazy().await?;
    let count = answer.len();
    let mut out = std::io::stdout().lock();
    for event in answer {
        match event {
            Ok(event) => write_event_line(&mut out, &event)?,
            // Same rule as the watcher: one that cannot be delivered is named, the others printed.
            Err(undelivered) => eprintln!("warning: {undelivered}"),
        }
    }
    out.flush()?;
    if verbose {
        eprintln!("{count} notifications");
    }
    Ok(())
}

fn push_time(flag: &str, text: Option<&str>) -> Result<Option<PushTime>, CliError> {
    text.map(|t| {
        PushTime::parse(t).map_err(|e| CliError::Input(format!("invalid {flag} `{t}`: {e}")))
    })
    .transpose()
}

fn normalised_path(path: Option<&str>) -> String {
    match path.map(|p| p.trim_matches('/')) {
        Some(p) if !p.is_empty() => format!("/{p}"),
        _ => String::new(),
    }
}

/// The notification's `data` object as one line ([`PushEvent::write_json_line`], the one writer
/// of the line the sinks deliver too).
pub(crate) fn write_event_line(out: &mut impl Write, event: &PushEvent) -> Result<(), Stop> {
    Ok(event.write_json_line(out)?)
}
