//! `iryo orca fleet --config FILE --postgres URL`: one watcher for many clinics, the tenants
//! shared with the other replicas through leases in PostgreSQL.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, ValueEnum};
use iryo_orca_fleet::{Fleet, FleetConfig, FleetOptions, Registry};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

use crate::error::CliError;
use crate::output::Stop;

/// `--help` text after the options.
pub const FLEET_HELP: &str = "\
Runs every tenant of the TOML file whose lease this replica holds: its live feed, caught up from
its own cursor in PostgreSQL, its events delivered to its sink: rows in iryo.orca_events (the
cursor in the same transaction), a signed webhook or a command (the cursor moved after the
receiver acknowledged; at least once). Start the same command on several machines: they divide
the tenants evenly; when one dies or is cut off from PostgreSQL, the others take its tenants
over within about 7 s, and a replica whose lease ended writes or sends nothing more. SIGHUP
reads the file again (tenants added, removed or changed; the others untouched; a bad file is
logged and the old one kept). SIGINT or SIGTERM stops the tenants and gives the leases back. One
log line per state change on stderr.

See docs/orca-fleet.md for the file's keys (specs/orca/fleet-config.schema.json).
";

/// How log lines are written.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum LogFormat {
    /// One human-readable line per event.
    Text,
    /// One JSON object per line.
    Json,
}

/// `iryo orca fleet`.
#[derive(Args, Debug)]
pub struct FleetArgs {
    /// The tenants (TOML; secrets by reference only).
    #[arg(long, value_name = "FILE")]
    config: PathBuf,
    /// The PostgreSQL holding the leases, cursors and rows; without a value the one in
    /// IRYO_POSTGRES_URL (keeps the password off the command line).
    #[arg(long, value_name = "URL", num_args = 0..=1, default_missing_value = "")]
    postgres: String,
    /// Where /healthz and /metrics listen.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9464")]
    metrics_addr: SocketAddr,
    /// Log lines as text or JSON.
    #[arg(long, value_enum, default_value = "text")]
    log_format: LogFormat,
    /// PostgreSQL connections shared by this replica's tenants for their writes.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    connections: u16,
}

fn init_logging(format: LogFormat) {
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::INFO)
        .with_target(false);
    let _ = match format {
        LogFormat::Text => builder.with_ansi(false).try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

/// Runs the replica until SIGINT or SIGTERM.
pub async fn run(args: FleetArgs) -> Result<(), Stop> {
    init_logging(args.log_format);
    let config = FleetConfig::load(&args.config)
        .map_err(|e| CliError::Input(format!("--config {}: {e}", args.config.display())))?;
    let url = match args.postgres.as_str() {
        "" => crate::env::IRYO_POSTGRES_URL.required()?,
        url => url.to_owned(),
    };
    let registry = Arc::new(Registry::default());
    let options = FleetOptions {
        connections: usize::from(args.connections),
        ..FleetOptions::default()
    };
    let fleet = Fleet::start(config, &url, options, registry.clone())
        .await
        .map_err(|e| CliError::Transport(e.to_string()))?;
    let bound = iryo_orca_fleet::metrics::serve(args.metrics_addr, registry)
        .await
        .map_err(|e| CliError::Transport(format!("--metrics-addr {}: {e}", args.metrics_addr)))?;
    tracing::info!(metrics = %bound, replica = %fleet.replica(), "serving /healthz and /metrics");
    let watch = |kind: SignalKind, name: &str| {
        signal(kind).map_err(|e| CliError::Transport(format!("cannot watch {name}: {e}")))
    };
    let mut hangup = watch(SignalKind::hangup(), "SIGHUP")?;
    let mut terminate = watch(SignalKind::terminate(), "SIGTERM")?;
    let (reload, reloads) = mpsc::channel(1);
    let path = args.config.clone();
    tokio::spawn(async move {
        while hangup.recv().await.is_some() {
            match FleetConfig::load(&path) {
                Ok(config) => {
                    let _ = reload.send(config).await;
                }
                Err(error) => {
                    tracing::error!(%error, "SIGHUP: the file is refused, the running configuration is kept");
                }
            }
        }
    });
    let shutdown = async move {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate.recv() => {}
        }
    };
    fleet.run(reloads, shutdown).await;
    // The leases are given back; let the last log lines out.
    tokio::time::sleep(Duration::from_millis(10)).await;
    Ok(())
}
