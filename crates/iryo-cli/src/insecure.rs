//! `--allow-insecure-http HOST`: the user's consent to send credentials over plain http to one
//! named host that is not loopback.

use clap::Args;

use crate::error::CliError;

/// Help shared by the subcommands that send credentials.
pub const RISK: &str = "Plain http carries the credentials readable by anyone on the network \
path (proxies included): allow it only on a network you trust, e.g. a clinic LAN. Loopback \
(127.0.0.1, localhost) never needs it and never goes through a proxy.";

/// The consent flag.
#[derive(Args, Debug, Default)]
pub struct InsecureHttpArg {
    /// Allow credentials over plain http:// to this host (not loopback). RISK: anyone on the
    /// network path, a proxy too, can read them; only on a network you trust.
    #[arg(
        long,
        value_name = "HOST",
        env = crate::env::IRYO_ALLOW_INSECURE_HTTP.name,
        global = true
    )]
    allow_insecure_http: Option<String>,
}

impl InsecureHttpArg {
    /// Whether the user allowed plain http to the host of `base_url`.
    pub fn allows(&self, base_url: &str) -> bool {
        let host = reqwest_host(base_url);
        match (&self.allow_insecure_http, host) {
            (Some(allowed), Some(host)) => allowed
                .trim_matches(['[', ']'])
                .eq_ignore_ascii_case(host.trim_matches(['[', ']'])),
            _ => false,
        }
    }
}

/// The host of `scheme://host[:port]/...` (a base URL with a user in it is refused later).
fn reqwest_host(base_url: &str) -> Option<String> {
    let (_, rest) = base_url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next()?,
        None => authority.split(':').next()?,
    };
    Some(host.to_owned())
}

/// The CLI's words for a refused plain-http target: the flag and the variable, not a method.
pub fn refused(error: &iryo_orca::InsecureHttp) -> CliError {
    CliError::Input(format!(
        "{error}. To allow it: --allow-insecure-http {host} (or IRYO_ALLOW_INSECURE_HTTP={host}). {RISK}",
        host = error.host
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowing(host: &str) -> InsecureHttpArg {
        InsecureHttpArg {
            allow_insecure_http: Some(host.to_owned()),
        }
    }

    #[test]
    fn consent_is_for_the_named_host_only() {
        assert!(allowing("192.168.1.10").allows("http://192.168.1.10:8000"));
        assert!(allowing("ORCA.lan").allows("http://orca.lan/api"));
        assert!(allowing("::1").allows("http://[::1]:8000"));
        assert!(!allowing("192.168.1.10").allows("http://192.168.1.11:8000"));
        assert!(!InsecureHttpArg::default().allows("http://192.168.1.10:8000"));
    }

    #[test]
    fn the_refusal_names_the_flag_the_variable_and_the_risk() {
        let refused = refused(&iryo_orca::InsecureHttp {
            host: "192.168.1.10".to_owned(),
        });
        let CliError::Input(message) = refused else {
            panic!("an input error")
        };
        for said in [
            "--allow-insecure-http 192.168.1.10",
            "IRYO_ALLOW_INSECURE_HTTP=192.168.1.10",
            "proxies included",
        ] {
            assert!(message.contains(said), "{said}: {message}");
        }
        assert!(!message.contains("Config::"), "no Rust method: {message}");
    }
}
