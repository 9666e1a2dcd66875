//! `iryo orca watch`: the PUSH通知 live feed as JSON lines, gaps closed through pusheventgetv2, a
//! durable state file so that a restarted watcher goes on after the last event it printed.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use iryo_orca::live::{
    Backoff, Checkpoint, FeedItem, LiveConfig, LiveError, LiveFeed, MemoryCheckpoint,
    SqliteCheckpoint,
};
use iryo_orca::{Config, Credentials};

use crate::error::{CliError, one_line};
use crate::output::Stop;

/// `--help` text after the options.
pub const WATCH_HELP: &str = "\
Prints the `data` object of every notification, one JSON object per line, exactly as
`iryo orca push-events` prints them; status lines go to stderr, and a span whose notifications
cannot be recovered is one stderr line starting `warning: gap`. After every (re)connect the gap
since the last printed event is fetched with pusheventgetv2 (needs ORCA_USER / ORCA_PASSWORD;
without them every gap is reported). SIGINT or SIGTERM saves the state and exits 0.

With --state FILE (SQLite), a watcher started again, even after SIGKILL, goes on after the last
event it printed: none lost. Printed events are saved in batches: when the socket is quiet before
the next one arrives, so at a few events a second only the line printed in the instant before a
kill may be printed again; under load at most the last 1,024 lines (and only those printed in the
last ~0.1 s) are printed once more.

Example (against `iryo mock`):
  export ORCA_USER=ormaster ORCA_PASSWORD=ormaster
  iryo orca watch --ws-url ws://127.0.0.1:8000/ws --base-url http://127.0.0.1:8000 --state feed.sqlite
";

/// Where to listen and where to catch up.
#[derive(Args)]
pub struct WatchArgs {
    /// The socket: ws://HOST:9400/ws (日レセ), ws://HOST:8000/ws (WebORCA), wss://.../ws (cloud).
    #[arg(long, value_name = "URL")]
    ws_url: String,
    /// The API server for pusheventgetv2 (scheme, host and port).
    #[arg(long, value_name = "URL")]
    base_url: String,
    /// A path in front of the API path; WebORCA serves the API under /api.
    #[arg(long, value_name = "PATH")]
    base_path: Option<String>,
    /// Subscribe to this event (repeatable); default every event (`*`).
    #[arg(long = "event", value_name = "NAME")]
    events: Vec<String>,
    /// X-GINBEE-TENANT-ID sent on the upgrade.
    #[arg(long, value_name = "N", default_value = "1")]
    pub(crate) tenant_id: String,
    /// SQLite file keeping the cursor and the uuids seen; without it the state lives in memory.
    #[arg(long, value_name = "FILE")]
    pub(crate) state: Option<PathBuf>,
    /// Exit non-zero at the end if any gap was reported.
    #[arg(long)]
    pub(crate) fail_on_gap: bool,
    /// Seconds between keepalive pings.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    ping_interval: f64,
    /// Seconds without a pong after which the connection is dead.
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pong_timeout: f64,
    /// The longest wait between reconnect attempts, in seconds (they start at up to 1 s).
    #[arg(long, value_name = "SECS", default_value_t = 600.0)]
    max_backoff: f64,
    /// After the first connection, refused credentials (401/403) are retried with the backoff,
    /// one status line each; give up (exit status 3) once they were refused this long
    /// (default: retry for ever). On the first connection a refusal ends the watch at once.
    #[arg(long, value_name = "SECS")]
    give_up_after: Option<f64>,
    #[command(flatten)]
    pub(crate) insecure: crate::insecure::InsecureHttpArg,
    #[command(flatten)]
    pub(crate) sink: crate::deliver::SinkArgs,
}

pub(crate) fn seconds(flag: &str, value: f64) -> Result<Duration, CliError> {
    Duration::try_from_secs_f64(value)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| CliError::Input(format!("{flag} must be a positive number of seconds")))
}

fn credentials() -> Result<Credentials, CliError> {
    match (crate::env::ORCA_USER.raw(), crate::env::ORCA_PASSWORD.raw()) {
        (Some(user), Some(password)) if !user.is_empty() => {
            Ok(Credentials::basic(user.as_str(), password))
        }
        (None, None) => Ok(Credentials::None),
        _ => Err(CliError::Input(
            "set both ORCA_USER and ORCA_PASSWORD, or neither".to_owned(),
        )),
    }
}

pub(crate) fn build_feed(args: &WatchArgs) -> Result<LiveFeed, CliError> {
    match &args.state {
        Some(path) => {
            let checkpoint = SqliteCheckpoint::open(path)
                .map_err(|e| CliError::Input(format!("--state {}: {e}", path.display())))?;
            build_feed_with(args, checkpoint)
        }
        None => build_feed_with(args, MemoryCheckpoint::new()),
    }
}

/// The feed the flags describe, its cursor in `checkpoint`.
pub(crate) fn build_feed_with(
    args: &WatchArgs,
    checkpoint: impl Checkpoint + 'static,
) -> Result<LiveFeed, CliError> {
    let credentials = credentials()?;
    let catch_up = if matches!(credentials, Credentials::None) {
        None
    } else {
        let mut config = Config::new(&args.base_url, credentials.clone())
            .allow_insecure_http(args.insecure.allows(&args.base_url));
        if let Some(path) = &args.base_path {
            config = config.base_path(path.as_str());
        }
        Some(config.build()?)
    };
    let mut config = LiveConfig::new(&args.ws_url)
        .allow_insecure_http(args.insecure.allows(&args.ws_url))
        .tenant_id(&args.tenant_id)
        .credentials(credentials)
        .keepalive(
            seconds("--ping-interval", args.ping_interval)?,
            seconds("--pong-timeout", args.pong_timeout)?,
        )
        .backoff(Backoff {
            base: Duration::from_secs(1).min(seconds("--max-backoff", args.max_backoff)?),
            max: seconds("--max-backoff", args.max_backoff)?,
        });
    if let Some(limit) = args.give_up_after {
        config = config.give_up_after(seconds("--give-up-after", limit)?);
    }
    for event in &args.events {
        config = config.event(event);
    }
    config.build(catch_up, checkpoint).map_err(live_error)
}

pub(crate) fn live_error(error: LiveError) -> CliError {
    let message = one_line(&error);
    match error {
        LiveError::Config(_) => CliError::Input(message),
        LiveError::InsecureHttp(refused) => crate::insecure::refused(&refused),
        LiveError::SubscribeRefused { .. } | LiveError::Server { .. } => CliError::Api(message),
        _ => CliError::Transport(message),
    }
}

/// Runs the watcher until a signal, a fatal error or a closed stdout.
pub async fn watch(args: WatchArgs) -> Result<(), Stop> {
    if args.sink.chosen() {
        return crate::deliver::watch(&args).await;
    }
    let mut feed = build_feed(&args)?;
    let mut gaps = 0u64;
    let outcome = watch_until_signal(&mut feed, &mut gaps).await;
    finish_watch(&mut feed, outcome, gaps, args.fail_on_gap)
}

/// Whatever ended the watch, what was acknowledged (printed, or taken by the receiver) is saved;
/// then the outcome, then `--fail-on-gap`.
pub(crate) fn finish_watch(
    feed: &mut LiveFeed,
    outcome: Result<(), Stop>,
    gaps: u64,
    fail_on_gap: bool,
) -> Result<(), Stop> {
    let saved = feed.flush().map_err(live_error);
    outcome?;
    saved?;
    if fail_on_gap && gaps > 0 {
        return Err(Stop::Failed(CliError::Api(format!(
            "{gaps} gap(s) reported (--fail-on-gap)"
        ))));
    }
    Ok(())
}

async fn watch_until_signal(feed: &mut LiveFeed, gaps: &mut u64) -> Result<(), Stop> {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|e| CliError::Transport(format!("cannot watch SIGTERM: {e}")))?;
    let interrupt = tokio::signal::ctrl_c();
    tokio::pin!(interrupt);
    loop {
        let item = tokio::select! {
            item = feed.next() => item.map_err(live_error)?,
            _ = &mut interrupt => return stopped("SIGINT"),
            _ = terminate.recv() => return stopped("SIGTERM"),
        };
        match item {
            FeedItem::Event(event) => {
                let mut out = std::io::stdout().lock();
                crate::orca::write_event_line(&mut out, &event)?;
                out.flush()?;
                feed.ack(&event).map_err(live_error)?;
            }
            other => report(&other, gaps),
        }
    }
}

/// The stderr line of a feed item other than an event; counts the gaps.
pub(crate) fn report(item: &FeedItem, gaps: &mut u64) {
    match item {
        FeedItem::Gap(gap) => {
            *gaps += 1;
            eprintln!("warning: gap {gap}");
        }
        FeedItem::Connected {
            subscriptions,
            caught_up,
        } => {
            let events: Vec<&str> = subscriptions.iter().map(|(e, _)| e.as_str()).collect();
            eprintln!(
                "connected: subscribed to {}; {caught_up} notifications fetched to close the gap",
                events.join(", ")
            );
        }
        FeedItem::Reconnecting {
            attempt,
            delay,
            reason,
        } => {
            eprintln!(
                "reconnecting in {} ms (attempt {attempt}): {}",
                delay.as_millis(),
                one_line(&reason)
            );
        }
        _ => {}
    }
}

pub(crate) fn stopped(signal: &str) -> Result<(), Stop> {
    eprintln!("{signal}: state saved, stopping");
    Ok(())
}
