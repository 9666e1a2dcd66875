//! How to reach the socket and how patient to be with it.

use std::sync::Arc;
use std::time::Duration;

use chrono::{FixedOffset, Offset as _};
use iryo_runtime::{ClientIdentity, Credentials};
use reqwest::header::HeaderValue;

use super::{Backoff, Checkpoint, LiveError, LiveFeed};
use crate::Client;

/// The settings of a [`LiveFeed`]. Start with [`LiveConfig::new`] and the socket URL:
/// `ws://HOST:9400/ws` (日レセ), `ws://HOST:8000/ws` (WebORCA on premises) or
/// `wss://weborca.cloud.orcamo.jp/ws` (cloud).
///
/// `Debug` shows no password and no key material.
#[derive(Clone, Debug)]
pub struct LiveConfig {
    pub(crate) ws_url: String,
    pub(crate) tenant_id: String,
    pub(crate) credentials: Credentials,
    pub(crate) identity: Option<ClientIdentity>,
    pub(crate) allow_insecure_http: bool,
    pub(crate) events: Vec<String>,
    pub(crate) ping_interval: Duration,
    pub(crate) pong_timeout: Duration,
    pub(crate) backoff: Backoff,
    pub(crate) connect_timeout: Duration,
    pub(crate) clock_skew: Duration,
    pub(crate) retention: Duration,
    pub(crate) server_offset: FixedOffset,
    pub(crate) max_frame_bytes: usize,
    pub(crate) max_buffered: usize,
    pub(crate) max_buffered_bytes: usize,
    pub(crate) ack_batch: usize,
    pub(crate) stable_after: Duration,
    pub(crate) give_up_after: Option<Duration>,
    pub(crate) catch_up_answer_bytes: u64,
}

/// What a connection attempt needs, resolved once.
#[derive(Clone, Debug)]
pub(crate) struct Resolved {
    pub config: LiveConfig,
    pub authorization: Option<HeaderValue>,
    /// Blanks the credentials out of every server text the feed shows (reasons, excerpts).
    pub redactor: iryo_runtime::Redactor,
    pub tenant: HeaderValue,
    pub tls: Option<Arc<rustls::ClientConfig>>,
}

impl LiveConfig {
    /// The socket at `ws_url`, tenant 1, no credentials, every event (`*`), ping every 10 s,
    /// dead after 30 s without a pong, reconnects backing off from 1 s to 600 s, a 2-minute
    /// clock-skew margin, 7-day retention, JST server clock.
    pub fn new(ws_url: impl Into<String>) -> Self {
        LiveConfig {
            ws_url: ws_url.into(),
            tenant_id: "1".to_owned(),
            credentials: Credentials::None,
            identity: None,
            allow_insecure_http: false,
            events: Vec::new(),
            ping_interval: Duration::from_secs(10),
            pong_timeout: Duration::from_secs(30),
            backoff: Backoff::default(),
            connect_timeout: Duration::from_secs(10),
            clock_skew: Duration::from_secs(120),
            retention: Duration::from_secs(7 * 24 * 3600),
            server_offset: jst(),
            max_frame_bytes: 1024 * 1024,
            max_buffered: 100_000,
            max_buffered_bytes: 24 * 1024 * 1024,
            ack_batch: 1024,
            stable_after: Duration::from_secs(30),
            give_up_after: None,
            catch_up_answer_bytes: 8 * 1024 * 1024,
        }
    }

    /// `X-GINBEE-TENANT-ID` (default `1`; the cloud ignores it).
    pub fn tenant_id(mut self, tenant: impl Into<String>) -> Self {
        self.tenant_id = tenant.into();
        self
    }

    /// Credentials sent on the upgrade (`Authorization: Basic`); none by default.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// A TLS client certificate (the cloud selects the tenant by it).
    pub fn client_identity(mut self, identity: ClientIdentity) -> Self {
        self.identity = Some(identity);
        self
    }

    /// Allows credentials over plain `ws://` to a host that is not loopback (off by default).
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Subscribes to `event` (call again for more; several subscriptions share one socket).
    /// Without any call the feed subscribes to `*`.
    pub fn event(mut self, event: impl Into<String>) -> Self {
        self.events.push(event.into());
        self
    }

    /// RFC 6455 pings every `every`; the connection is dead after `timeout` without a pong.
    pub fn keepalive(mut self, every: Duration, timeout: Duration) -> Self {
        self.ping_interval = every;
        self.pong_timeout = timeout;
        self
    }

    /// The reconnect schedule (full jitter, exponential).
    pub fn backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// How long a connection must stay up before the reconnect schedule starts again at its
    /// first attempt (default 30 s); a server that drops every connection sooner is retried
    /// with ever longer waits.
    pub fn stable_after(mut self, up: Duration) -> Self {
        self.stable_after = up;
        self
    }

    /// After the first connection, refused credentials (401/403) are retried with the backoff;
    /// this ends the feed with the refusal once they have been refused for `limit` without a
    /// success in between (default: retried for ever).
    pub fn give_up_after(mut self, limit: Duration) -> Self {
        self.give_up_after = Some(limit);
        self
    }

    /// The largest catch-up answer read at once (default 8 MiB, at most the catch-up client's own
    /// limit): a larger window is split, down to one minute (a minute above it is a `TooLarge`
    /// gap: about 30,000 notifications of ORCA's usual size). It bounds the catch-up's memory:
    /// one answer is held, as received text, while its notifications are typed and delivered.
    pub fn catch_up_answer_bytes(mut self, limit: u64) -> Self {
        self.catch_up_answer_bytes = limit;
        self
    }

    /// Time allowed for TCP, TLS, the upgrade and the `subscribed` answers.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How far the server's clock may be off: catch-up starts this much before the cursor and
    /// ends this much after now.
    pub fn clock_skew(mut self, margin: Duration) -> Self {
        self.clock_skew = margin;
        self
    }

    /// How long the server keeps notifications (ORCA: 7 days); older gaps are reported.
    pub fn retention(mut self, retention: Duration) -> Self {
        self.retention = retention;
        self
    }

    /// The server's UTC offset, used for the catch-up window (ORCA: JST, +09:00).
    pub fn server_offset(mut self, offset: FixedOffset) -> Self {
        self.server_offset = offset;
        self
    }

    /// The largest frame accepted (default 1 MiB; ORCA stores at most 2 KiB per notification).
    pub fn max_frame_bytes(mut self, limit: usize) -> Self {
        self.max_frame_bytes = limit;
        self
    }

    /// Live notifications kept while a catch-up runs (default 100,000); more drops the socket and
    /// starts again (nothing is lost: the next catch-up asks for them).
    pub fn max_buffered(mut self, limit: usize) -> Self {
        self.max_buffered = limit;
        self
    }

    /// Bytes of live notifications kept while a catch-up runs or the subscriptions are answered
    /// (default 24 MiB, about 40,000 typical notifications); more drops the socket and starts
    /// again, as [`max_buffered`](Self::max_buffered) does.
    pub fn max_buffered_bytes(mut self, limit: usize) -> Self {
        self.max_buffered_bytes = limit;
        self
    }

    pub(crate) fn held_limits(&self) -> super::held::HeldLimits {
        super::held::HeldLimits {
            items: self.max_buffered,
            bytes: self.max_buffered_bytes,
        }
    }

    /// Acknowledgements written to the checkpoint together (they are always written before the
    /// feed waits for the socket, so an idle feed has written every one).
    pub fn ack_batch(mut self, batch: usize) -> Self {
        self.ack_batch = batch.max(1);
        self
    }

    /// The feed. `catch_up` is the `pusheventgetv2` client that closes gaps (`None`: every gap is
    /// reported); `checkpoint` keeps the cursor ([`SqliteCheckpoint`](super::SqliteCheckpoint),
    /// [`MemoryCheckpoint`](super::MemoryCheckpoint)).
    pub fn build(
        self,
        catch_up: Option<Client>,
        checkpoint: impl Checkpoint + 'static,
    ) -> Result<LiveFeed, LiveError> {
        let catch_up = catch_up.map(|c| c.with_answer_limit(self.catch_up_answer_bytes));
        let resolved = self.resolve()?;
        LiveFeed::new(resolved, catch_up, Box::new(checkpoint))
    }

    fn resolve(mut self) -> Result<Resolved, LiveError> {
        if self.events.is_empty() {
            self.events.push("*".to_owned());
        }
        if let Some(bad) = self
            .events
            .iter()
            .find(|e| e.is_empty() || !e.bytes().all(|b| (0x21..=0x7e).contains(&b)))
        {
            return Err(LiveError::Config(format!(
                "event name {bad:?} is not printable ASCII"
            )));
        }
        let url = reqwest::Url::parse(&self.ws_url)
            .map_err(|e| LiveError::Config(format!("socket URL: {e}")))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(LiveError::Config(
                "the socket URL must not contain a user or password".to_owned(),
            ));
        }
        let sends = !matches!(self.credentials, Credentials::None);
        if !matches!(url.scheme(), "ws" | "wss") {
            return Err(LiveError::Config(
                "the socket URL must start with ws:// or wss://".to_owned(),
            ));
        }
        let mut transport = iryo_runtime::Transport::new("iryo-orca", 0);
        transport.allow_insecure_http = self.allow_insecure_http;
        transport.route(&self.ws_url, sends).map_err(|e| match e {
            iryo_runtime::TransportError::InsecureHttp(refused) => LiveError::InsecureHttp(refused),
            other => LiveError::Config(other.to_string()),
        })?;
        let authorization = self
            .credentials
            .authorization_header()
            .map_err(|e| LiveError::Config(e.to_string()))?;
        let tenant = HeaderValue::from_str(&self.tenant_id)
            .ok()
            .filter(|_| {
                !self.tenant_id.is_empty() && self.tenant_id.bytes().all(|b| b.is_ascii_digit())
            })
            .ok_or_else(|| {
                LiveError::Config(format!("tenant id {:?} is not a number", self.tenant_id))
            })?;
        let tls = if url.scheme() == "wss" {
            let tls = iryo_runtime::rustls_client_config(self.identity.as_ref())
                .map_err(|e| LiveError::Config(e.to_string()))?;
            Some(tls)
        } else {
            None
        };
        let redactor = iryo_runtime::Redactor::default();
        if let Some(authorization) = &authorization {
            redactor.remember(authorization);
        }
        Ok(Resolved {
            config: self,
            authorization,
            redactor,
            tenant,
            tls,
        })
    }
}

/// +09:00, the offset every ORCA server writes.
fn jst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).unwrap_or_else(|| chrono::Utc.fix())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_ws_with_credentials_off_loopback_is_refused_and_nothing_leaks() {
        let creds = || Credentials::basic("ormaster", "pw-not-shown");
        let err = LiveConfig::new("ws://192.168.1.9:9400/ws")
            .credentials(creds())
            .resolve()
            .unwrap_err();
        assert!(
            matches!(&err, LiveError::InsecureHttp(refused) if refused.host == "192.168.1.9"),
            "{err}"
        );
        assert!(
            LiveConfig::new("ws://127.0.0.1:9400/ws")
                .credentials(creds())
                .resolve()
                .is_ok()
        );
        let shown = format!(
            "{:?}",
            LiveConfig::new("ws://127.0.0.1:1/ws").credentials(creds())
        );
        assert!(!shown.contains("pw-not-shown"), "{shown}");
        for bad in ["http://h/ws", "ws://u:p@h/ws", "not a url"] {
            assert!(LiveConfig::new(bad).resolve().is_err(), "{bad}");
        }
        assert!(
            LiveConfig::new("ws://127.0.0.1:1/ws")
                .tenant_id("x")
                .resolve()
                .is_err()
        );
    }
}
