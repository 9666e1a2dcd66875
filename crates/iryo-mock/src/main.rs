//! `iryo-mock`: runs the iryo mock servers from the command line, for test suites in any language.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use chrono::DateTime;
use clap::{Args, Parser, Subcommand};
use iryo_mock::orca::{Clock, OrcaMock};

#[derive(Parser)]
#[command(
    name = "iryo-mock",
    version,
    about = "Local mock servers for Japanese healthcare web APIs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Mock of ORCA's POST /api01rv2/pusheventgetv2 (also under /api for WebORCA), with fixtures loaded.
    Orca(OrcaArgs),
}

#[derive(Args)]
struct OrcaArgs {
    /// Port to listen on; 0 picks a free one (the banner shows it).
    #[arg(long, default_value_t = 8000)]
    port: u16,
    /// Address to listen on. The /__mock control routes need no credentials: keep this on loopback.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    bind: IpAddr,
    /// ORCA operator ID accepted by Basic auth (default ormaster).
    #[arg(long, requires = "password")]
    user: Option<String>,
    /// Password for --user (default ormaster).
    #[arg(long, requires = "user")]
    password: Option<String>,
    /// The mock's "now" for the 7-day retention: an RFC 3339 instant, or `system` for the machine clock.
    #[arg(long, default_value = "2018-01-25T12:00:00+09:00", value_parser = parse_clock)]
    now: Clock,
    /// Start with an empty store instead of the built-in fixtures.
    #[arg(long)]
    no_fixtures: bool,
    /// Another registered ORCA operator ID (repeatable), so a `user` filter naming it is not answered 0099.
    #[arg(long = "operator", value_name = "ID")]
    operators: Vec<String>,
}

fn parse_clock(text: &str) -> Result<Clock, String> {
    if text == "system" {
        return Ok(Clock::System);
    }
    DateTime::parse_from_rfc3339(text)
        .map(Clock::Fixed)
        .map_err(|e| format!("expected an RFC 3339 instant or `system`: {e}"))
}

#[tokio::main]
async fn main() -> ExitCode {
    let Command::Orca(args) = Cli::parse().command;
    match run_orca(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("iryo-mock: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run_orca(args: OrcaArgs) -> std::io::Result<()> {
    let user = args.user.unwrap_or_else(|| "ormaster".to_owned());
    let password = args.password.unwrap_or_else(|| "ormaster".to_owned());
    let mut builder = OrcaMock::builder()
        .account(user.as_str(), password.as_str())
        .clock(args.now)
        .fixtures(!args.no_fixtures)
        .bind(SocketAddr::new(args.bind, args.port));
    for operator in args.operators {
        builder = builder.operator(operator);
    }
    let mock = builder.spawn().await?;
    if !args.bind.is_loopback() {
        eprintln!(
            "iryo-mock: warning: listening beyond loopback; the /__mock control routes need no credentials"
        );
    }
    println!(
        "ORCA mock listening on {} (user {user} / password {password})",
        mock.base_url()
    );
    tokio::signal::ctrl_c().await?;
    mock.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_is_an_instant_or_system() {
        assert_eq!(parse_clock("system"), Ok(Clock::System));
        let noon = DateTime::parse_from_rfc3339("2018-01-25T12:00:00+09:00")
            .ok()
            .map(Clock::Fixed);
        assert_eq!(parse_clock("2018-01-25T12:00:00+09:00").ok(), noon);
        assert_eq!(noon, Some(Clock::fixtures_default()));
        assert!(parse_clock("2018-01-25 12:00").is_err());
    }
}
