//! `iryo orca watch --exec CMD | --webhook URL`: the events handed to a receiver whose
//! acknowledgement, and nothing else, moves the watcher's cursor.

use std::time::Duration;

use clap::Args;
use iryo_orca::live::LiveFeed;
use iryo_orca_deliver::{
    DeliverError, DeliveryConfig, ExecSink, FailureKind, PostgresError, PostgresSink, Progress,
    Sink, WebhookSecret, WebhookSink, deliver,
};

use crate::error::{CliError, one_line};
use crate::output::Stop;
use crate::watch::{WatchArgs, build_feed, build_feed_with, live_error, report, seconds, stopped};

/// The receivers, one per watcher; without any, events go to stdout.
#[derive(Args, Debug)]
pub struct SinkArgs {
    /// Run `sh -c CMD` per event: its JSON line on stdin, IRYO_EVENT_UUID, IRYO_EVENT_NAME,
    /// IRYO_EVENT_TIME (RFC 3339) and IRYO_TENANT_ID in the environment; exit 0 acknowledges.
    #[arg(long, value_name = "CMD")]
    exec: Option<String>,
    /// POST each event's JSON line to URL (Standard Webhooks headers; signed when
    /// IRYO_WEBHOOK_SECRET=whsec_<base64> is set); a 2xx acknowledges.
    #[arg(long, value_name = "URL", conflicts_with = "exec")]
    webhook: Option<String>,
    /// Write rows to PostgreSQL (`iryo.orca_events`), the cursor in the same transaction; the
    /// URL, or without a value the one in IRYO_POSTGRES_URL (keeps the password off the command
    /// line). Not with --state: the state is in the database.
    #[arg(
        long,
        value_name = "URL",
        num_args = 0..=1,
        default_missing_value = "",
        conflicts_with_all = ["exec", "webhook", "state"]
    )]
    postgres: Option<String>,
    /// Seconds a command may run before it is killed and the attempt counts as failed.
    #[arg(long, value_name = "SECS", default_value_t = 30.0, requires = "exec")]
    exec_timeout: f64,
    /// Seconds a webhook POST may take before the attempt counts as failed.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 10.0,
        requires = "webhook"
    )]
    webhook_timeout: f64,
    /// First wait after a failed delivery, in milliseconds; it doubles (full jitter).
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    sink_retry_initial_ms: u64,
    /// Longest wait between two attempts, in milliseconds (also caps a Retry-After).
    #[arg(long, value_name = "MS", default_value_t = 600_000)]
    sink_retry_max_ms: u64,
    /// Milliseconds the receiver may fail before the watcher lets go of its socket (nothing
    /// piles up for it); what comes meanwhile is fetched from the cursor once it is back.
    #[arg(long, value_name = "MS", default_value_t = 10_000)]
    sink_hold_socket_ms: u64,
    /// Stop (exit 1) when the receiver refused one event N times (webhook 4xx other than
    /// 408/429); nothing after that event is acknowledged. Default: retry without end.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    sink_max_attempts: Option<u32>,
}

/// `--help` text of the receivers.
pub const DELIVER_HELP: &str = "\
With --exec, --webhook or --postgres, an event is acknowledged (and the cursor moves) only when the receiver
acknowledged it: a failure is retried, the same event again and never the next one, with one
stderr line per failed attempt. Receivers may see an event twice (after a kill, or when an
acknowledgement is lost): the event's uuid (IRYO_EVENT_UUID, webhook-id) is the key to drop repeats.
With --postgres the rows and the cursor commit in one transaction: no repeats, none lost; after
each commit, NOTIFY iryo_orca_events with the new uuids.
";

impl SinkArgs {
    /// Whether a receiver other than stdout was chosen.
    pub fn chosen(&self) -> bool {
        self.exec.is_some() || self.webhook.is_some() || self.postgres.is_some()
    }

    fn delivery(&self) -> Result<DeliveryConfig, CliError> {
        if self.sink_retry_initial_ms == 0 || self.sink_retry_max_ms < self.sink_retry_initial_ms {
            return Err(CliError::Input(
                "--sink-retry-initial-ms must be positive and at most --sink-retry-max-ms"
                    .to_owned(),
            ));
        }
        Ok(DeliveryConfig {
            retry_initial: Duration::from_millis(self.sink_retry_initial_ms),
            retry_max: Duration::from_millis(self.sink_retry_max_ms),
            max_refusals: self.sink_max_attempts,
            hold_socket: Duration::from_millis(self.sink_hold_socket_ms),
        })
    }
}

/// Runs the watcher with the chosen receiver until a signal, a fatal error or too many refusals.
pub async fn watch(args: &WatchArgs) -> Result<(), Stop> {
    let sink_args = &args.sink;
    let config = sink_args.delivery()?;
    if let Some(command) = &sink_args.exec {
        let sink = ExecSink::new(command.as_str(), args.tenant_id.as_str())
            .timeout(seconds("--exec-timeout", sink_args.exec_timeout)?);
        return run(args, build_feed(args)?, sink, &config).await;
    }
    if let Some(url) = &sink_args.webhook {
        let sink = webhook_sink(args, url)?;
        return run(args, build_feed(args)?, sink, &config).await;
    }
    if let Some(url) = &sink_args.postgres {
        let url = match url.as_str() {
            "" => crate::env::IRYO_POSTGRES_URL.required()?,
            url => url.to_owned(),
        };
        let (sink, checkpoint) =
            PostgresSink::connect(&url, &args.tenant_id)
                .await
                .map_err(|e| match e {
                    PostgresError::Url | PostgresError::RootCert { .. } => {
                        CliError::Input(e.to_string())
                    }
                    other => CliError::Transport(one_line(&other)),
                })?;
        return run(args, build_feed_with(args, checkpoint)?, sink, &config).await;
    }
    Err(Stop::Failed(CliError::Usage(
        "no receiver chosen".to_owned(),
    )))
}

fn webhook_sink(args: &WatchArgs, url: &str) -> Result<WebhookSink, CliError> {
    let secret = match crate::env::IRYO_WEBHOOK_SECRET.optional()? {
        Some(value) => Some(
            WebhookSecret::parse(&value.into())
                .map_err(|e| CliError::Input(format!("IRYO_WEBHOOK_SECRET: {e}")))?,
        ),
        None => None,
    };
    let mut transport =
        iryo_orca_deliver::Transport::new(concat!("iryo/", env!("CARGO_PKG_VERSION")), 1024);
    transport.timeout = seconds("--webhook-timeout", args.sink.webhook_timeout)?;
    transport.connect_timeout = transport.connect_timeout.min(transport.timeout);
    transport.allow_insecure_http = args.insecure.allows(url);
    WebhookSink::new(url, &transport, secret).map_err(|e| match e {
        iryo_orca_deliver::WebhookError::Transport(
            iryo_orca_deliver::TransportError::InsecureHttp(refused),
        ) => crate::insecure::refused(&refused),
        other => CliError::Input(format!("--webhook: {}", one_line(&other))),
    })
}

async fn run(
    args: &WatchArgs,
    mut feed: LiveFeed,
    mut sink: impl Sink,
    config: &DeliveryConfig,
) -> Result<(), Stop> {
    let mut gaps = 0u64;
    let outcome = until_signal(&mut feed, &mut sink, config, &mut gaps).await;
    crate::watch::finish_watch(&mut feed, outcome, gaps, args.fail_on_gap)
}

async fn until_signal(
    feed: &mut LiveFeed,
    sink: &mut impl Sink,
    config: &DeliveryConfig,
    gaps: &mut u64,
) -> Result<(), Stop> {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|e| CliError::Transport(format!("cannot watch SIGTERM: {e}")))?;
    let delivering = deliver(feed, sink, config, |progress| status(progress, gaps));
    tokio::select! {
        stopped_by = delivering => match stopped_by {
            Err(DeliverError::Feed(error)) => Err(live_error(error).into()),
            Err(error) => Err(CliError::Api(one_line(&error)).into()),
        },
        _ = tokio::signal::ctrl_c() => stopped("SIGINT"),
        _ = terminate.recv() => stopped("SIGTERM"),
    }
}

fn status(progress: Progress<'_>, gaps: &mut u64) {
    match progress {
        Progress::Feed(item) => report(item, gaps),
        Progress::Failed {
            event,
            attempt,
            refusals,
            failure,
            delay,
        } => {
            let refused = match failure.kind {
                FailureKind::Refused => format!(", refused {refusals} time(s)"),
                FailureKind::Failed => String::new(),
            };
            eprintln!(
                "delivery of {} ({}) {failure}; attempt {attempt}{refused}, again in {} ms",
                event.uuid,
                event.event,
                delay.as_millis()
            );
        }
        Progress::Released { down } => eprintln!(
            "the receiver has failed for {} s: the socket is let go, what comes meanwhile is \
             fetched from the cursor once the receiver is back",
            down.as_secs()
        ),
        _ => {}
    }
}
