//! A tenant's receiver: PostgreSQL rows, a signed webhook or a command, checked when the file is
//! read (the webhook's signing secret read by reference and parsed), so that a mistake stops the
//! fleet before anything starts, naming the tenant and the field.

use std::collections::BTreeSet;
use std::hash::Hash as _;
use std::time::Duration;

use iryo_orca_deliver::{Transport, WEBHOOK_DEFAULT_TIMEOUT, WebhookSecret};
use serde::Deserialize;

use super::secrets::SecretRef;
use super::{ConfigError, SinkKind, TenantFields, error};

/// The longest per-attempt timeout of a webhook POST or a command.
const MAX_TIMEOUT_MS: u64 = 600_000;
/// A command's default timeout (its process group is killed past it).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// `webhook = { … }`: the receiver of a tenant with `sink = "webhook"`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookFields {
    /// `https://…`, or `http://` to loopback (the bodies are medical data).
    pub url: Option<String>,
    /// The environment variable holding the signing secret (`whsec_` + base64 key).
    pub secret_env: Option<String>,
    /// The file holding the signing secret.
    pub secret_file: Option<String>,
    /// Per-attempt timeout in milliseconds (default 10,000).
    pub timeout_ms: Option<u64>,
}

/// `command = { … }`: the command of a tenant with `sink = "command"`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandFields {
    /// Run as `sh -c RUN` per event, the event's JSON line on stdin; exit 0 acknowledges.
    pub run: Option<String>,
    /// Milliseconds after which the command's process group is killed (default 30,000).
    pub timeout_ms: Option<u64>,
}

/// The checked receiver of one tenant.
#[derive(Clone)]
pub(crate) enum Receiver {
    /// Rows in the fleet's database.
    Postgres,
    /// Standard Webhooks POSTs.
    Webhook {
        url: String,
        secret: Option<WebhookSecret>,
        timeout: Duration,
    },
    /// `sh -c` per event.
    Command {
        run: String,
        timeout: Duration,
        /// Environment variables the command does not inherit (every secret the file names).
        withheld: Vec<String>,
    },
}

impl Receiver {
    pub(super) fn withhold(&mut self, names: &BTreeSet<String>) {
        if let Receiver::Command { withheld, .. } = self {
            withheld.extend(names.iter().cloned());
        }
    }
}

fn timeout(
    ms: Option<u64>,
    default: Duration,
    field: &str,
    label: &str,
) -> Result<Duration, ConfigError> {
    match ms {
        None => Ok(default),
        Some(ms) if (1..=MAX_TIMEOUT_MS).contains(&ms) => Ok(Duration::from_millis(ms)),
        Some(_) => Err(error(
            Some(label),
            field,
            format!("1 to {MAX_TIMEOUT_MS} milliseconds"),
        )),
    }
}

pub(super) fn resolve(
    fields: &TenantFields,
    label: &str,
    digest: &mut impl std::hash::Hasher,
) -> Result<Receiver, ConfigError> {
    let fail = |field: &str, reason: &str| error(Some(label), field, reason);
    match fields.sink.unwrap_or_default() {
        SinkKind::Postgres => Ok(Receiver::Postgres),
        SinkKind::Command => {
            let command = fields
                .command
                .as_ref()
                .ok_or_else(|| fail("command", "sink = \"command\" needs command = { run = … }"))?;
            let run = command.run.clone().unwrap_or_default();
            if run.trim().is_empty() {
                return Err(fail("command.run", "missing or empty"));
            }
            let timeout = timeout(
                command.timeout_ms,
                COMMAND_TIMEOUT,
                "command.timeout_ms",
                label,
            )?;
            Ok(Receiver::Command {
                run,
                timeout,
                withheld: Vec::new(),
            })
        }
        SinkKind::Webhook => {
            let webhook = fields
                .webhook
                .as_ref()
                .ok_or_else(|| fail("webhook", "sink = \"webhook\" needs webhook = { url = … }"))?;
            let url = webhook
                .url
                .clone()
                .ok_or_else(|| fail("webhook.url", "missing"))?;
            check_url(&url).map_err(|reason| fail("webhook.url", &reason))?;
            let timeout = timeout(
                webhook.timeout_ms,
                WEBHOOK_DEFAULT_TIMEOUT,
                "webhook.timeout_ms",
                label,
            )?;
            let reference = SecretRef::new(
                &webhook.secret_env,
                &webhook.secret_file,
                ["webhook.secret_env", "webhook.secret_file"],
            );
            let secret = match reference.read(label)? {
                None => None,
                Some(text) => {
                    text.hash(digest);
                    let parsed = WebhookSecret::parse(&text.into())
                        .map_err(|e| error(Some(label), reference.field(), e.to_string()))?;
                    Some(parsed)
                }
            };
            Ok(Receiver::Webhook {
                url,
                secret,
                timeout,
            })
        }
    }
}

/// An http(s) URL without credentials, plain http to loopback only (the plain-http rule of
/// every client: [`Transport::route`]).
fn check_url(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or("must start with https:// or http://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err("must not hold a user or password".to_owned());
    }
    Transport::new("iryo", 0)
        .route(url, true)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Every environment variable the file names for a secret (or the operator), for commands to
/// go without.
pub(super) fn secret_env_names<'a>(
    tenants: impl Iterator<Item = &'a TenantFields>,
) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for t in tenants {
        let cert = t.client_cert.as_ref().and_then(|c| c.password_env.clone());
        let webhook = t.webhook.as_ref().and_then(|w| w.secret_env.clone());
        names.extend(
            [t.user_env.clone(), t.password_env.clone(), cert, webhook]
                .into_iter()
                .flatten(),
        );
    }
    names
}
