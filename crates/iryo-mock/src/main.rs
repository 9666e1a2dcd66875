//! `iryo-mock`: runs the iryo mock servers from the command line, for test suites in any language.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use chrono::DateTime;
use clap::{Args, Parser, Subcommand};
use iryo_mock::hiyari::HiyariMock;
use iryo_mock::orca::{Clock, OrcaMock};
use iryo_mock::plat::{Actor, DateStyle, OTHER_ORG_TOKEN, PlatMock};

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
    /// Mock of PLAneTs' permission APIs (PRV_ROL_001-010, PTP twins under {app}/participants) and its Keycloak
    /// (/realms/{org}/protocol/openid-connect/auth|token), with fixtures.
    Plat(PlatArgs),
    /// Mock of the 薬局ヒヤリ・ハット 事例検索 API (GET/POST /phsearch/SearchReportApi.action, Shift_JIS).
    Hiyari(HiyariArgs),
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

#[derive(Args)]
struct PlatArgs {
    /// Port to listen on; 0 picks a free one (the banner shows it).
    #[arg(long, default_value_t = 8182)]
    port: u16,
    /// Address to listen on. The /__mock control routes need no credentials: keep this on loopback.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    bind: IpAddr,
    /// Bearer token of the demo actor (organization 1310000001); `other-org-token` is accepted too.
    #[arg(long, default_value = "demo-token")]
    token: String,
    /// The {applicationPath} the API lives under.
    #[arg(long, default_value = "/cloudEHR")]
    app_path: String,
    /// How dates are written: java9 (`Oct 7, 2021, 7:51:02 PM`), java8 (no comma after the year) or jdk20
    /// (U+202F before AM/PM).
    #[arg(long, default_value = "java9", value_parser = parse_date_style)]
    date_style: DateStyle,
    /// Start with an empty store instead of the built-in fixtures.
    #[arg(long)]
    no_fixtures: bool,
    /// The path before Keycloak's /realms: "" or /auth (Keycloak before 17).
    #[arg(long, default_value = "")]
    keycloak_prefix: String,
}

#[derive(Args)]
struct HiyariArgs {
    /// Port to listen on; 0 picks a free one (the banner shows it).
    #[arg(long, default_value_t = 8183)]
    port: u16,
    /// Address to listen on. The /__mock control routes need no credentials: keep this on loopback.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    bind: IpAddr,
    /// How many synthetic reports follow the document's sample report.
    #[arg(long, default_value_t = 40)]
    generated: usize,
    /// The API path (/phsearch/SearchNewReportApi.action is served too).
    #[arg(long, default_value = iryo_mock::hiyari::DEFAULT_PATH)]
    path: String,
}

fn parse_date_style(text: &str) -> Result<DateStyle, String> {
    DateStyle::from_name(text).ok_or_else(|| "expected java9, java8 or jdk20".to_owned())
}

#[tokio::main]
async fn main() -> ExitCode {
    let outcome = match Cli::parse().command {
        Command::Orca(args) => run_orca(args).await,
        Command::Plat(args) => run_plat(args).await,
        Command::Hiyari(args) => run_hiyari(args).await,
    };
    match outcome {
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

async fn run_plat(args: PlatArgs) -> std::io::Result<()> {
    let mock = PlatMock::builder()
        .token(OTHER_ORG_TOKEN, Actor::other_organization())
        .token(args.token.as_str(), Actor::demo())
        .app_path(args.app_path)
        .date_style(args.date_style)
        .fixtures(!args.no_fixtures)
        .keycloak_prefix(args.keycloak_prefix)
        .bind(SocketAddr::new(args.bind, args.port))
        .spawn()
        .await?;
    if !args.bind.is_loopback() {
        eprintln!(
            "iryo-mock: warning: listening beyond loopback; the /__mock control routes need no credentials"
        );
    }
    println!(
        "PLAT mock listening on {} (Bearer token {})",
        mock.app_url(),
        args.token
    );
    tokio::signal::ctrl_c().await?;
    mock.shutdown().await
}

async fn run_hiyari(args: HiyariArgs) -> std::io::Result<()> {
    let mock = HiyariMock::builder()
        .with_generated(args.generated)
        .path(args.path)
        .bind(SocketAddr::new(args.bind, args.port))
        .spawn()
        .await?;
    if !args.bind.is_loopback() {
        eprintln!(
            "iryo-mock: warning: listening beyond loopback; the /__mock control routes need no credentials"
        );
    }
    println!("hiyari mock listening on {}", mock.endpoint());
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
