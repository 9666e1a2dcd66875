//! The fleet's TOML file: defaults, then one `[[tenants]]` table per clinic. Secrets are never in
//! the file: a tenant names the environment variable or the file that holds each one. Everything
//! is checked (and every secret read) before anything starts; an error names the tenant and the
//! field.

use std::collections::BTreeSet;
use std::hash::{Hash as _, Hasher as _};
use std::path::Path;

use iryo_orca::{ClientIdentity, Credentials};

mod receiver;
mod secrets;
pub(crate) use receiver::Receiver;
pub use receiver::{CommandFields, WebhookFields};
use secrets::{credentials, identity};
use serde::Deserialize;

/// Tenants one file may hold.
pub const MAX_TENANTS: usize = 10_000;
/// The longest file read.
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// A configuration the fleet refuses, naming where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{field}: {reason}", tenant.as_ref().map(|t| format!("tenant {t:?}: ")).unwrap_or_default())]
pub struct ConfigError {
    /// The tenant (its `id`, or `#N` when it has none), `None` for the file as a whole.
    pub tenant: Option<String>,
    /// The field, e.g. `password_env`.
    pub field: String,
    /// What is wrong (never a secret's value).
    pub reason: String,
}

fn error(tenant: Option<&str>, field: &str, reason: impl Into<String>) -> ConfigError {
    ConfigError {
        tenant: tenant.map(str::to_owned),
        field: field.to_owned(),
        reason: reason.into(),
    }
}

/// Where delivered events go.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SinkKind {
    /// Rows in `iryo.orca_events` of the fleet's own database, the cursor in the same
    /// transaction (exactly-once effect).
    #[default]
    Postgres,
    /// A signed POST per event to the tenant's `webhook` (at least once, `webhook-id` = uuid).
    Webhook,
    /// `sh -c` the tenant's `command` per event (at least once, `IRYO_EVENT_UUID`).
    Command,
}

/// A client certificate: a PKCS#12 file and the reference of its password, or a PEM file holding
/// the certificate and an unencrypted key.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateFile {
    /// PKCS#12 (`.p12`/`.pfx`) archive.
    pub pkcs12_file: Option<String>,
    /// PEM bundle: certificate chain and private key.
    pub pem_file: Option<String>,
    /// The environment variable holding the PKCS#12 password.
    pub password_env: Option<String>,
    /// The file holding the PKCS#12 password.
    pub password_file: Option<String>,
}

/// Keys a tenant may set, and `[defaults]` too (a tenant's own value wins).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantFields {
    /// Stable key of the tenant: the `tenant_id` of its rows and cursor, and of its lease.
    pub id: Option<String>,
    /// `X-GINBEE-TENANT-ID` sent on the socket's upgrade and the API requests.
    pub tenant_header: Option<String>,
    /// The push socket, `ws://` or `wss://`.
    pub ws_url: Option<String>,
    /// The API server for the catch-up (`http://` or `https://`).
    pub base_url: Option<String>,
    /// A path in front of the API path (WebORCA: `/api`).
    pub base_path: Option<String>,
    /// Events subscribed (default every event, `*`).
    pub events: Option<Vec<String>>,
    /// The ORCA operator, as text (not a secret).
    pub user: Option<String>,
    /// The environment variable holding the operator.
    pub user_env: Option<String>,
    /// The environment variable holding the password.
    pub password_env: Option<String>,
    /// The file holding the password (one line; a final newline is dropped).
    pub password_file: Option<String>,
    /// The client certificate.
    pub client_cert: Option<CertificateFile>,
    /// Where the events go.
    pub sink: Option<SinkKind>,
    /// The receiver when `sink = "webhook"`.
    pub webhook: Option<WebhookFields>,
    /// The command when `sink = "command"`.
    pub command: Option<CommandFields>,
}

impl TenantFields {
    fn or(self, defaults: &TenantFields) -> TenantFields {
        let d = defaults.clone();
        TenantFields {
            id: self.id,
            tenant_header: self.tenant_header.or(d.tenant_header),
            ws_url: self.ws_url.or(d.ws_url),
            base_url: self.base_url.or(d.base_url),
            base_path: self.base_path.or(d.base_path),
            events: self.events.or(d.events),
            user: self.user.or(d.user),
            user_env: self.user_env.or(d.user_env),
            password_env: self.password_env.or(d.password_env),
            password_file: self.password_file.or(d.password_file),
            client_cert: self.client_cert.or(d.client_cert),
            sink: self.sink.or(d.sink),
            webhook: self.webhook.or(d.webhook),
            command: self.command.or(d.command),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    defaults: Option<toml::Value>,
    #[serde(default)]
    tenants: Vec<toml::Value>,
}

/// One tenant, checked, with its secrets read.
#[derive(Clone)]
pub struct TenantSpec {
    /// The tenant's settings (defaults applied).
    pub fields: TenantFields,
    /// Its id (`fields.id`).
    pub id: String,
    /// The `X-GINBEE-TENANT-ID` value.
    pub tenant_header: String,
    /// The socket.
    pub ws_url: String,
    /// The API server.
    pub base_url: String,
    /// The credentials (Basic, or none).
    pub credentials: Credentials,
    /// The client certificate, when one is set.
    pub identity: Option<ClientIdentity>,
    /// Where the events go.
    pub sink: SinkKind,
    /// The receiver, checked, its secret read.
    pub(crate) receiver: Receiver,
    /// Digest of the settings and secrets, to tell a changed tenant on reload.
    fingerprint: u64,
}

impl TenantSpec {
    /// Whether a reload changed anything of this tenant (settings, a secret, the certificate).
    pub fn changed_from(&self, other: &TenantSpec) -> bool {
        self.fingerprint != other.fingerprint
    }
}

iryo_runtime::debug_fields!(TenantSpec { id, ws_url });

/// The whole file, checked.
#[derive(Clone, Debug)]
pub struct FleetConfig {
    /// Tenants in file order, ids unique.
    pub tenants: Vec<TenantSpec>,
}

impl FleetConfig {
    /// Reads and checks `path`.
    pub fn load(path: &Path) -> Result<FleetConfig, ConfigError> {
        let text = read_small(path).map_err(|reason| error(None, "file", reason))?;
        FleetConfig::parse(&text)
    }

    /// Checks a file's text.
    pub fn parse(text: &str) -> Result<FleetConfig, ConfigError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| error(None, "file", one_line(&e)))?;
        let defaults: TenantFields = match raw.defaults {
            None => TenantFields::default(),
            Some(value) => value
                .try_into()
                .map_err(|e| error(None, "defaults", one_line(&e)))?,
        };
        if defaults.id.is_some() {
            return Err(error(None, "defaults.id", "an id belongs to one tenant"));
        }
        if raw.tenants.is_empty() {
            return Err(error(None, "tenants", "no [[tenants]] table"));
        }
        if raw.tenants.len() > MAX_TENANTS {
            return Err(error(
                None,
                "tenants",
                format!("at most {MAX_TENANTS} tenants"),
            ));
        }
        let mut seen = BTreeSet::new();
        let mut tenants = Vec::with_capacity(raw.tenants.len());
        for (index, value) in raw.tenants.into_iter().enumerate() {
            let label = value
                .get("id")
                .and_then(toml::Value::as_str)
                .map_or_else(|| format!("#{}", index + 1), str::to_owned);
            let fields: TenantFields = value
                .try_into()
                .map_err(|e| error(Some(&label), "tenant", one_line(&e)))?;
            let spec = resolve(fields.or(&defaults), &label)?;
            if !seen.insert(spec.id.clone()) {
                return Err(error(Some(&label), "id", "used by an earlier tenant"));
            }
            tenants.push(spec);
        }
        // A tenant's command never sees a secret the file names, its own or another tenant's.
        let names = receiver::secret_env_names(tenants.iter().map(|t| &t.fields));
        for tenant in &mut tenants {
            tenant.receiver.withhold(&names);
        }
        Ok(FleetConfig { tenants })
    }
}

fn one_line(error: &impl std::fmt::Display) -> String {
    error
        .to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn read_small(path: &Path) -> Result<String, String> {
    let size = std::fs::metadata(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(format!("{} is larger than 16 MiB", path.display()));
    }
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Whether `id` can key rows: 1 to 64 of `A-Z a-z 0-9 . _ -`.
fn valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

fn resolve(fields: TenantFields, label: &str) -> Result<TenantSpec, ConfigError> {
    let fail = |field: &str, reason: &str| error(Some(label), field, reason);
    let id = fields.id.clone().ok_or_else(|| fail("id", "missing"))?;
    if !valid_id(&id) {
        return Err(fail("id", "1 to 64 letters, digits, '.', '_' or '-'"));
    }
    let header = fields
        .tenant_header
        .clone()
        .unwrap_or_else(|| "1".to_owned());
    if header.is_empty() || header.len() > 20 || !header.bytes().all(|b| b.is_ascii_digit()) {
        return Err(fail("tenant_header", "1 to 20 ASCII digits"));
    }
    let ws_url = fields
        .ws_url
        .clone()
        .ok_or_else(|| fail("ws_url", "missing"))?;
    if !(ws_url.starts_with("ws://") || ws_url.starts_with("wss://")) {
        return Err(fail("ws_url", "must start with ws:// or wss://"));
    }
    let base_url = fields
        .base_url
        .clone()
        .ok_or_else(|| fail("base_url", "missing"))?;
    if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
        return Err(fail("base_url", "must start with http:// or https://"));
    }
    if let Some(path) = &fields.base_path
        && !path.is_empty()
        && !path.starts_with('/')
    {
        return Err(fail("base_path", "must start with /"));
    }
    if let Some(events) = &fields.events
        && (events.is_empty() || events.iter().any(|e| e.is_empty() || e.len() > 64))
    {
        return Err(fail("events", "one or more names of 1 to 64 characters"));
    }
    let mut digest = std::collections::hash_map::DefaultHasher::new();
    format!("{fields:?}").hash(&mut digest);
    let credentials = credentials(&fields, label, &mut digest)?;
    let identity = match &fields.client_cert {
        None => None,
        Some(cert) => Some(identity(cert, label, &mut digest)?),
    };
    let receiver = receiver::resolve(&fields, label, &mut digest)?;
    Ok(TenantSpec {
        receiver,
        id,
        tenant_header: header,
        ws_url,
        base_url,
        credentials,
        identity,
        sink: fields.sink.unwrap_or_default(),
        fields,
        fingerprint: digest.finish(),
    })
}
