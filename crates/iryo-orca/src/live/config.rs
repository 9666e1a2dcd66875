//! How to reach the socket and how patient to be with it.

use std::sync::Arc;
use std::time::Duration;

use chrono::{FixedOffset, Offset as _};
use iryo_runtime::{ClientIdentity, Credentials, Transport};
use reqwest::header::HeaderValue;

use super::held::HeldLimits;
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
    pub(crate) transport: Transport,
    pub(crate) events: Vec<String>,
    pub(crate) ping_interval: Duration,
    pub(crate) pong_timeout: Duration,
    pub(crate) backoff: Backoff,
    pub(crate) connect_timeout: Duration,
    pub(crate) clock_skew: Duration,
    pub(crate) retention: Duration,
    pub(crate) server_offset: FixedOffset,
    pub(crate) max_frame_bytes: usize,
    pub(crate) held: HeldLimits,
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
    pub redactor: iryo_runtime::__private::Redactor,
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
            // Only its TLS client identity and its consent to plain `ws://` are used.
            transport: Transport::new("iryo-orca", 0),
            events: Vec::new(),
            ping_interval: Duration::from_secs(10),
            pong_timeout: Duration::from_secs(30),
            backoff: Backoff::default(),
            connect_timeout: Duration::from_secs(10),
            clock_skew: Duration::from_secs(120),
            retention: Duration::from_secs(7 * 24 * 3600),
            server_offset: jst(),
            max_frame_bytes: 1024 * 1024,
            held: HeldLimits {
                items: 100_000,
                bytes: 24 * 1024 * 1024,
            },
            ack_batch: 1024,
            stable_after: Duration::from_secs(30),
            give_up_after: None,
            catch_up_answer_bytes: 8 * 1024 * 1024,
        }
    }

    iryo_runtime::setters! {
        /// `X-GINBEE-TENANT-ID` (default `1`; the cloud ignores it).
        tenant_id(tenant: impl Into<String>) => tenant_id = tenant.into();
        /// Credentials sent on the upgrade (`Authorization: Basic`); none by default.
        credentials(credentials: Credentials) => credentials;
        /// A TLS client certificate (the cloud selects the tenant by it).
        client_identity(identity: ClientIdentity) => transport.identity = Some(identity);
    }

    iryo_runtime::allow_insecure_http!(transport);

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

    iryo_runtime::setters! {
        /// The reconnect schedule (full jitter, exponential).
        backoff(backoff: Backoff) => backoff;
        /// How long a connection must stay up before the reconnect schedule starts again at its
        /// first attempt (default 30 s); a server that drops every connection sooner is retried
        /// with ever longer waits.
        stable_after(up: Duration) => stable_after;
        /// After the first connection, refused credentials (401/403) are retried with the backoff;
        /// this ends the feed with the refusal once they have been refused for `limit` without a
        /// success in between (default: retried for ever).
        give_up_after(limit: Duration) => give_up_after = Some(limit);
        /// The largest catch-up answer read at once (default 8 MiB, at most the catch-up client's own
        /// limit): a larger window is split, down to one minute (a minute above it is a `TooLarge`
        /// gap: about 30,000 notifications of ORCA's usual size). It bounds the catch-up's memory:
        /// one answer is held, as received text, while its notifications are typed and delivered.
        catch_up_answer_bytes(limit: u64) => catch_up_answer_bytes;
        /// Time allowed for TCP, TLS, the upgrade and the `subscribed` answers.
        connect_timeout(timeout: Duration) => connect_timeout;
        /// How far the server's clock may be off: catch-up starts this much before the cursor and
        /// ends this much after now.
        clock_skew(margin: Duration) => clock_skew;
        /// How long the server keeps notifications (ORCA: 7 days); older gaps are reported.
        retention(retention: Duration) => retention;
        /// The server's UTC offset, used for the catch-up window (ORCA: JST, +09:00).
        server_offset(offset: FixedOffset) => server_offset;
        /// The largest frame accepted (default 1 MiB; ORCA stores at most 2 KiB per notification).
        max_frame_bytes(limit: usize) => max_frame_bytes;
        /// Live notifications kept while a catch-up runs (default 100,000); more drops the socket
        /// and starts again (nothing is lost: the next catch-up asks for them).
        max_buffered(limit: usize) => held.items;
        /// Bytes of live notifications kept while a catch-up runs or the subscriptions are
        /// answered (default 24 MiB, about 40,000 typical notifications); more drops the socket
        /// and starts again, as [`max_buffered`](Self::max_buffered) does.
        max_buffered_bytes(limit: usize) => held.bytes;
        /// Acknowledgements written to the checkpoint together (they are always written before the
        /// feed waits for the socket, so an idle feed has written every one).
        ack_batch(batch: usize) => ack_batch = batch.max(1);
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
        self.transport
            .route(&self.ws_url, sends)
            .map_err(|e| e.into_client_error(LiveError::InsecureHttp, LiveError::Config))?;
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
            let tls =
                iryo_runtime::__private::rustls_client_config(self.transport.identity.as_ref())
                    .map_err(|e| LiveError::Config(e.to_string()))?;
            Some(tls)
        } else {
            None
        };
        let redactor = iryo_runtime::__private::Redactor::remembering(authorization.as_ref());
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
