//! The one command-line front end of the mocks, shared by the `iryo-mock` binary and `iryo mock` (which
//! flattens [`MockArgs`]), so that both take the same flags: without a subcommand the three mocks, each on its
//! port; with `orca`, `plat` or `hiyari` that mock alone, with its own options.

use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use chrono::DateTime;
use clap::{Args, Subcommand};

use crate::hiyari::{self, HiyariMock};
use crate::orca::{Clock, OrcaMock};
use crate::plat::{Actor, DEMO_TOKEN, DateStyle, OTHER_ORG_TOKEN, PlatMock};

/// The ORCA mock's default account (not a secret: it only opens the local mock).
pub const ORCA_DEMO_USER: &str = "ormaster";
/// The password of [`ORCA_DEMO_USER`].
pub const ORCA_DEMO_PASSWORD: &str = "ormaster";

/// Which mocks to serve, where and how.
#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct MockArgs {
    /// Serve one mock alone, with its own options; without, all three.
    #[command(subcommand)]
    pub only: Option<Only>,
    /// Address to listen on. The /__mock control routes need no credentials: keep this on loopback.
    #[arg(long, global = true, value_name = "ADDR", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,
    /// Port of the ORCA mock (0 = a free port).
    #[arg(long, value_name = "P", default_value_t = 8000)]
    pub orca_port: u16,
    /// Port of the hiyari mock (0 = a free port).
    #[arg(long, value_name = "P", default_value_t = 8183)]
    pub hiyari_port: u16,
    /// Port of the PLAT mock (0 = a free port).
    #[arg(long, value_name = "P", default_value_t = 8182)]
    pub plat_port: u16,
    /// Also serve the ORCA PUSH通知 socket on a port of its own (日レセ style, tenant header required);
    /// `/ws` on the ORCA port is always there (WebORCA style).
    #[arg(long, value_name = "P")]
    pub orca_pusher_port: Option<u16>,
    /// Run the ORCA mock on the machine's clock instead of 2018-01-25 12:00 JST, so that notifications
    /// raised now are within pusheventgetv2's 7 days (what `iryo orca watch` needs to catch up).
    #[arg(long)]
    pub orca_system_clock: bool,
}

/// One mock alone.
#[derive(Subcommand, Debug)]
pub enum Only {
    /// Mock of ORCA's POST /api01rv2/pusheventgetv2 (also under /api for WebORCA), with fixtures loaded.
    Orca(OrcaArgs),
    /// Mock of PLAneTs' permission APIs (PRV_ROL_001-010, PTP twins under {app}/participants) and its Keycloak
    /// (/realms/{org}/protocol/openid-connect/auth|token), with fixtures.
    Plat(PlatArgs),
    /// Mock of the 薬局ヒヤリ・ハット 事例検索 API (GET/POST /phsearch/SearchReportApi.action, Shift_JIS).
    Hiyari(HiyariArgs),
}

/// `orca`: the ORCA mock alone.
#[derive(Args, Debug)]
pub struct OrcaArgs {
    /// Port to listen on; 0 picks a free one (the banner shows it).
    #[arg(long, default_value_t = 8000)]
    port: u16,
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
    /// Also serve the PUSH通知 socket on a port of its own (日レセ style, tenant header required).
    #[arg(long, value_name = "P")]
    pusher_port: Option<u16>,
}

/// `plat`: the PLAT mock alone.
#[derive(Args, Debug)]
pub struct PlatArgs {
    /// Port to listen on; 0 picks a free one (the banner shows it).
    #[arg(long, default_value_t = 8182)]
    port: u16,
    /// Bearer token of the demo actor (organization 1310000001); `other-org-token` is accepted too.
    #[arg(long, default_value = DEMO_TOKEN)]
    token: String,
    /// The {applicationPath} the API lives under.
    #[arg(long, default_value = crate::plat::DEFAULT_APP_PATH)]
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

/// `hiyari`: the hiyari mock alone.
#[derive(Args, Debug)]
pub struct HiyariArgs {
    /// Port to listen on; 0 picks a free one (the banner shows it).
    #[arg(long, default_value_t = 8183)]
    port: u16,
    /// How many synthetic reports follow the document's sample report.
    #[arg(long, default_value_t = hiyari::DEFAULT_GENERATED)]
    generated: usize,
    /// The API path (/phsearch/SearchNewReportApi.action is served too).
    #[arg(long, default_value = hiyari::DEFAULT_PATH)]
    path: String,
}

fn parse_clock(text: &str) -> Result<Clock, String> {
    if text == "system" {
        return Ok(Clock::System);
    }
    DateTime::parse_from_rfc3339(text)
        .map(Clock::Fixed)
        .map_err(|e| format!("expected an RFC 3339 instant or `system`: {e}"))
}

fn parse_date_style(text: &str) -> Result<DateStyle, String> {
    DateStyle::from_name(text).ok_or_else(|| "expected java9, java8 or jdk20".to_owned())
}

/// A mock that did not start: its address could not be bound, or an option was refused.
#[derive(Debug, thiserror::Error)]
#[error("the {api} mock cannot listen on {addr}: {source}")]
pub struct SpawnError {
    /// `ORCA`, `PLAT` or `hiyari`.
    pub api: &'static str,
    /// The address asked for.
    pub addr: SocketAddr,
    /// Why.
    #[source]
    pub source: io::Error,
}

/// The running mocks, with a line each saying where it listens and with which credentials.
#[derive(Debug, Default)]
pub struct Servers {
    /// The ORCA mock, unless another was asked for alone.
    pub orca: Option<OrcaMock>,
    /// The hiyari mock, unless another was asked for alone.
    pub hiyari: Option<HiyariMock>,
    /// The PLAT mock, unless another was asked for alone.
    pub plat: Option<PlatMock>,
    /// `<API> mock listening on <url> (<credentials>)`, one line per mock.
    pub listening: Vec<String>,
}

impl MockArgs {
    /// Starts the mocks asked for on the current tokio runtime.
    pub async fn spawn(self) -> Result<Servers, SpawnError> {
        let mut servers = Servers::default();
        match self.only {
            Some(Only::Orca(args)) => servers.orca(args, self.bind).await?,
            Some(Only::Plat(args)) => servers.plat(args, self.bind).await?,
            Some(Only::Hiyari(args)) => servers.hiyari(args, self.bind).await?,
            None => {
                let orca = OrcaArgs {
                    port: self.orca_port,
                    user: None,
                    password: None,
                    now: if self.orca_system_clock {
                        Clock::System
                    } else {
                        Clock::fixtures_default()
                    },
                    no_fixtures: false,
                    operators: Vec::new(),
                    pusher_port: self.orca_pusher_port,
                };
                servers.orca(orca, self.bind).await?;
                let hiyari = HiyariArgs {
                    port: self.hiyari_port,
                    generated: hiyari::DEFAULT_GENERATED,
                    path: hiyari::DEFAULT_PATH.to_owned(),
                };
                servers.hiyari(hiyari, self.bind).await?;
                let plat = PlatArgs {
                    port: self.plat_port,
                    token: DEMO_TOKEN.to_owned(),
                    app_path: crate::plat::DEFAULT_APP_PATH.to_owned(),
                    date_style: DateStyle::default(),
                    no_fixtures: false,
                    keycloak_prefix: String::new(),
                };
                servers.plat(plat, self.bind).await?;
            }
        }
        Ok(servers)
    }
}

impl Servers {
    async fn orca(&mut self, args: OrcaArgs, bind: IpAddr) -> Result<(), SpawnError> {
        let addr = SocketAddr::new(bind, args.port);
        let user = args.user.unwrap_or_else(|| ORCA_DEMO_USER.to_owned());
        let password = args
            .password
            .unwrap_or_else(|| ORCA_DEMO_PASSWORD.to_owned());
        let mut builder = OrcaMock::builder()
            .account(user.as_str(), password.as_str())
            .clock(args.now)
            .fixtures(!args.no_fixtures)
            .bind(addr);
        for operator in args.operators {
            builder = builder.operator(operator);
        }
        if let Some(port) = args.pusher_port {
            builder = builder.pusher(SocketAddr::new(bind, port));
        }
        let mock = builder.spawn().await.map_err(refused("ORCA", addr))?;
        self.listening.push(format!(
            "ORCA mock listening on {} (user {user} / password {password})",
            mock.base_url()
        ));
        self.orca = Some(mock);
        Ok(())
    }

    async fn plat(&mut self, args: PlatArgs, bind: IpAddr) -> Result<(), SpawnError> {
        let addr = SocketAddr::new(bind, args.port);
        let mock = PlatMock::builder()
            .token(OTHER_ORG_TOKEN, Actor::other_organization())
            .token(args.token.as_str(), Actor::demo())
            .app_path(args.app_path)
            .date_style(args.date_style)
            .fixtures(!args.no_fixtures)
            .keycloak_prefix(args.keycloak_prefix)
            .bind(addr)
            .spawn()
            .await
            .map_err(refused("PLAT", addr))?;
        self.listening.push(format!(
            "PLAT mock listening on {} (Bearer token {})",
            mock.app_url(),
            args.token
        ));
        self.plat = Some(mock);
        Ok(())
    }

    async fn hiyari(&mut self, args: HiyariArgs, bind: IpAddr) -> Result<(), SpawnError> {
        let addr = SocketAddr::new(bind, args.port);
        let mock = HiyariMock::builder()
            .with_generated(args.generated)
            .path(args.path)
            .bind(addr)
            .spawn()
            .await
            .map_err(refused("hiyari", addr))?;
        self.listening
            .push(format!("hiyari mock listening on {}", mock.endpoint()));
        self.hiyari = Some(mock);
        Ok(())
    }

    /// Stops every mock gracefully; the first failure is returned after all were stopped.
    pub async fn shutdown(self) -> io::Result<()> {
        let mut stopped = Vec::new();
        if let Some(orca) = self.orca {
            stopped.push(orca.shutdown().await);
        }
        if let Some(hiyari) = self.hiyari {
            stopped.push(hiyari.shutdown().await);
        }
        if let Some(plat) = self.plat {
            stopped.push(plat.shutdown().await);
        }
        stopped.into_iter().collect()
    }
}

fn refused(api: &'static str, addr: SocketAddr) -> impl FnOnce(io::Error) -> SpawnError {
    move |source| SpawnError { api, addr, source }
}

/// Resolves on Ctrl-C (SIGINT). The handler is installed when this is called, before the caller prints the
/// banner that a test (or a script) waits for before it interrupts.
pub fn interrupted() -> io::Result<impl Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        Ok(async move {
            interrupt.recv().await;
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
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
