//! `iryo mock`: the three mock servers in one process, with how to try each command on them.

use std::io::Write;
use std::net::IpAddr;

use clap::Args;
use iryo_mock::cli::{ORCA_DEMO_PASSWORD, ORCA_DEMO_USER, interrupted};
use iryo_mock::orca::OrcaMock;
use iryo_mock::plat::DEMO_TOKEN;

use crate::error::CliError;

/// The mock servers: `iryo-mock`'s flags (one set for both front ends).
#[derive(Args)]
#[group(skip)]
#[command(after_help = "\
Example:
  iryo mock                      # ORCA on 8000, hiyari on 8183, PLAT on 8182; Ctrl-C stops them
  iryo mock --orca-port 0 --hiyari-port 0 --plat-port 0   # free ports, printed on stdout
  iryo mock plat --port 0 --date-style java8              # one mock alone, with its own options

It prints each server's base URL and the mock's demo credentials (ORCA ormaster / ormaster, PLAT
Bearer demo-token), then one ready-to-paste command per API. The ORCA mock's clock is frozen at
2018-01-25 12:00 JST so that the document's samples are within its 7 days.

Exit codes: 0 after Ctrl-C, 3 when a port cannot be bound.")]
pub struct MockArgs {
    #[command(flatten)]
    mock: iryo_mock::cli::MockArgs,
}

/// Serves until Ctrl-C (SIGINT).
pub async fn run(args: MockArgs) -> Result<(), CliError> {
    let bind = args.mock.bind;
    let interrupted =
        interrupted().map_err(|e| CliError::Transport(format!("cannot wait for Ctrl-C: {e}")))?;
    let servers = args
        .mock
        .spawn()
        .await
        .map_err(|e| CliError::Transport(e.to_string()))?;
    if !bind.is_loopback() {
        eprintln!(
            "warning: listening beyond loopback; the /__mock control routes need no credentials"
        );
    }
    let text = match (&servers.orca, &servers.hiyari, &servers.plat) {
        (Some(orca), Some(hiyari), Some(plat)) => {
            let mut text = banner(
                &reachable(&orca.base_url(), bind),
                &reachable(&hiyari.base_url(), bind),
                &reachable(&plat.app_url(), bind),
                insecure_flag(bind),
            );
            text.push_str(&watch_lines(orca, bind));
            text
        }
        _ => servers.listening.iter().map(|l| format!("{l}\n")).collect(),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(CliError::output)?;
    drop(out);
    interrupted.await;
    servers
        .shutdown()
        .await
        .map_err(|e| CliError::Transport(format!("stopping a mock failed: {e}")))?;
    eprintln!("mock servers stopped");
    Ok(())
}

/// The ORCA sockets and a watch command, with how to raise a notification.
fn watch_lines(orca: &OrcaMock, bind: IpAddr) -> String {
    let base_url = reachable(&orca.base_url(), bind);
    let mut lines = format!(
        "  iryo orca watch --ws-url {} --base-url {base_url}{} --state watch.sqlite   # raise one: curl -d '{{\"event\":\"patient_accept\"}}' {base_url}/__mock/orca/live/raise\n",
        reachable(&orca.ws_url(), bind),
        insecure_flag(bind),
    );
    if let Some(pusher) = orca.pusher_url() {
        lines.push_str(&format!("ORCA pusher port (日レセ style): {pusher}\n"));
    }
    lines
}

/// A URL a client on this machine can use: listening on every address (`0.0.0.0`, `::`) is
/// reached through loopback.
fn reachable(url: &str, bind: IpAddr) -> String {
    if !bind.is_unspecified() {
        return url.to_owned();
    }
    let loopback = match bind {
        IpAddr::V4(_) => "127.0.0.1",
        IpAddr::V6(_) => "[::1]",
    };
    url.replacen(&bind_host(bind), loopback, 1)
}

fn bind_host(bind: IpAddr) -> String {
    match bind {
        IpAddr::V4(ip) => ip.to_string(),
        IpAddr::V6(ip) => format!("[{ip}]"),
    }
}

/// Bound to one address off loopback, the commands need the user's consent to plain http.
fn insecure_flag(bind: IpAddr) -> String {
    if bind.is_loopback() || bind.is_unspecified() {
        String::new()
    } else {
        format!(" --allow-insecure-http {bind}")
    }
}

/// URLs, demo credentials and one command per API. The command name is the one this process was
/// started as, so the lines paste as they are (`iryo`, or `target/debug/iryo` under cargo).
fn banner(orca: &str, hiyari: &str, plat: &str, insecure: String) -> String {
    let iryo = std::env::args()
        .next()
        .filter(|name| !name.is_empty() && !name.contains(char::is_whitespace))
        .unwrap_or_else(|| "iryo".to_owned());
    format!(
        "\
iryo mock servers (Ctrl-C stops them)
ORCA    {orca}  Basic user {ORCA_DEMO_USER}, password {ORCA_DEMO_PASSWORD} (demo account of this mock)
hiyari  {hiyari}  no credentials
PLAT    {plat}  Bearer token {DEMO_TOKEN} (demo token of this mock)

Try:
  export ORCA_USER={ORCA_DEMO_USER} ORCA_PASSWORD={ORCA_DEMO_PASSWORD} PLAT_TOKEN={DEMO_TOKEN}
  {iryo} orca push-events --base-url {orca} --event patient_accept --user ormaster --start \"2018-01-24 13:00\" --end \"2018-01-25 12:59\"{insecure}
  {iryo} hiyari search --base-url {hiyari} --item LSTFACTOR --word \"過労 疲労\" --condition any --count all --pause-ms 0
  {iryo} plat delete-permission --base-url {plat} --id 2 --comment \"〜のため削除します\"{insecure}
"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn listening_everywhere_prints_loopback_urls_that_need_no_consent() {
        let any = IpAddr::V4(Ipv4Addr::UNSPECIFIED);
        let url = reachable("http://0.0.0.0:8000", any);
        assert_eq!(url, "http://127.0.0.1:8000");
        assert_eq!(insecure_flag(any), "");
        let text = banner(&url, &url, &format!("{url}/cloudEHR"), insecure_flag(any));
        assert!(!text.contains("0.0.0.0"), "{text}");
    }

    #[test]
    fn one_lan_address_prints_the_consent_flag() {
        let lan: IpAddr = "192.168.1.10".parse().unwrap();
        assert_eq!(
            reachable("http://192.168.1.10:8000", lan),
            "http://192.168.1.10:8000"
        );
        let text = banner("o", "h", "p", insecure_flag(lan));
        let commands: Vec<&str> = text.lines().filter(|l| l.contains("--base-url")).collect();
        assert_eq!(commands.len(), 3);
        assert!(
            commands[0].ends_with("--allow-insecure-http 192.168.1.10"),
            "{text}"
        );
        assert!(
            !commands[1].contains("--allow-insecure-http"),
            "hiyari sends no credentials"
        );
        assert!(
            commands[2].ends_with("--allow-insecure-http 192.168.1.10"),
            "{text}"
        );
    }
}
