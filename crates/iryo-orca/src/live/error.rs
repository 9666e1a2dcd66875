//! What the feed yields (items) and what it fails with (errors).

use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use iryo_orca_codes::SocketErrorCode;

use crate::PushEvent;

/// One thing the feed has to say, in order.
#[derive(Debug)]
#[non_exhaustive]
// Events are nearly every item; boxing them would cost an allocation each for the rare others.
#[allow(clippy::large_enum_variant)]
pub enum FeedItem {
    /// A notification, delivered once. Acknowledge it when it is processed.
    Event(PushEvent),
    /// A span of time whose notifications cannot be recovered: said, never skipped in silence.
    Gap(Gap),
    /// The socket is up and subscribed; the gap since the last connection was fetched.
    Connected {
        /// The subscriptions, event name (or `*`) and the server's `sub.id`.
        subscriptions: Vec<(String, super::FrameId)>,
        /// Notifications fetched through `pusheventgetv2` to close the gap (before deduplication).
        caught_up: usize,
    },
    /// The connection failed or was lost; the next attempt starts after `delay`.
    Reconnecting {
        /// 1 for the first retry after a failure, then 2, 3, ...
        attempt: u32,
        /// How long the feed waits before that attempt.
        delay: Duration,
        /// Why.
        reason: LiveError,
    },
}

/// Notifications between `from` and `to` that the feed cannot deliver.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gap {
    /// The last instant known to be covered (the cursor).
    pub from: DateTime<FixedOffset>,
    /// The first instant covered again.
    pub to: DateTime<FixedOffset>,
    /// Why the span is lost.
    pub reason: GapReason,
}

/// Why a [`Gap`] cannot be closed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum GapReason {
    /// Older than the server's retention (7 days): `pusheventgetv2` no longer has it.
    BeyondRetention,
    /// The server has no `pusheventgetv2` (HTTP 404, on-premises ORCA), or no catch-up client was given.
    CatchUpUnavailable {
        /// The HTTP status, when the server answered one.
        status: Option<u16>,
    },
    /// Even a one-minute window is larger than the catch-up client's answer limit.
    TooLarge,
    /// One notification that cannot be delivered (no uuid, say), named; the others were.
    Undelivered(Box<crate::Undelivered>),
    /// The cursor is later than this machine's clock plus the skew margin: the clock was set
    /// back (or the cursor was written by a clock that ran ahead). The catch-up starts from the
    /// clock; notifications between the real end of the last connection and `from` may be missing.
    ClockBehindCursor,
}

impl std::fmt::Display for Gap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let reason = match &self.reason {
            GapReason::BeyondRetention => "older than the server's 7-day retention".to_owned(),
            GapReason::CatchUpUnavailable {
                status: Some(status),
            } => {
                format!("pusheventgetv2 is not available (HTTP {status})")
            }
            GapReason::CatchUpUnavailable { status: None } => {
                "no catch-up client configured".to_owned()
            }
            GapReason::TooLarge => "a one-minute window exceeds the answer limit".to_owned(),
            GapReason::Undelivered(undelivered) => undelivered.to_string(),
            GapReason::ClockBehindCursor => {
                "the state's cursor is after this machine's clock (was the clock set back?)"
                    .to_owned()
            }
        };
        write!(
            f,
            "from {} to {}: {reason}",
            self.from.to_rfc3339(),
            self.to.to_rfc3339()
        )
    }
}

/// Everything the feed can fail with. [`LiveError::is_fatal`] says whether the feed gives up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LiveError {
    /// The configuration cannot work (bad URL, credentials over plain `ws://`, TLS setup).
    #[error("invalid live feed configuration: {0}")]
    Config(String),
    /// Credentials over plain `ws://` to a host that is not loopback, not allowed
    /// ([`LiveConfig::allow_insecure_http`](crate::live::LiveConfig::allow_insecure_http)).
    #[error(transparent)]
    InsecureHttp(iryo_runtime::InsecureHttp),
    /// The upgrade was refused with 401: credentials missing or wrong.
    #[error("HTTP 401 on the socket upgrade: the ORCA server refused the user or password")]
    Unauthorized,
    /// The upgrade was refused with 403: malformed credentials or a client certificate required.
    #[error(
        "HTTP 403 on the socket upgrade: malformed credentials, or a client certificate is required"
    )]
    Forbidden,
    /// The upgrade was refused with another status.
    #[error("HTTP {status} on the socket upgrade")]
    Upgrade {
        /// The status.
        status: u16,
    },
    /// The socket could not be opened, or broke.
    #[error("socket: {0}")]
    Socket(String),
    /// No pong within the keepalive timeout: the connection is dead (half-open).
    #[error("no pong within {0:?}: the connection is dead")]
    KeepaliveTimeout(Duration),
    /// The server sent something the protocol does not allow.
    #[error("protocol violation: {0}")]
    Protocol(String),
    /// The server refused a subscription (`error` frame with `for` = `subscribe`).
    #[error("subscription to `{event}` refused: {code}{}", reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default())]
    SubscribeRefused {
        /// The event name asked for.
        event: String,
        /// The server's code.
        code: SocketErrorCode,
        /// The server's reason.
        reason: Option<String>,
    },
    /// The server sent an `error` frame outside a subscribe.
    #[error("the server reported {code}{}", reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default())]
    Server {
        /// The server's code.
        code: SocketErrorCode,
        /// The server's reason.
        reason: Option<String>,
    },
    /// More live notifications arrived during a catch-up (or while the subscriptions were
    /// answered) than the buffer holds.
    #[error("more than {0} live notifications arrived while the feed could not deliver them")]
    BufferFull(usize),
    /// More bytes of live notifications arrived during a catch-up (or while the subscriptions
    /// were answered) than the buffer holds.
    #[error(
        "more than {0} bytes of live notifications arrived while the feed could not deliver them"
    )]
    BufferBytesFull(usize),
    /// The catch-up call (`pusheventgetv2`) failed.
    #[error("catch-up through pusheventgetv2 failed: {0}")]
    CatchUp(#[source] crate::Error),
    /// The checkpoint could not be read or written.
    #[error("checkpoint: {0}")]
    Checkpoint(#[from] super::CheckpointError),
}

impl LiveError {
    /// Refused credentials (401/403 on the upgrade or on the catch-up call).
    pub fn is_refused_credentials(&self) -> bool {
        matches!(
            self,
            LiveError::Unauthorized
                | LiveError::Forbidden
                | LiveError::CatchUp(crate::Error::Unauthorized | crate::Error::Forbidden)
        )
    }

    /// Whether the feed stops (configuration, credentials, a refused subscription, the checkpoint)
    /// instead of reconnecting. Refused credentials are fatal only on the first connection:
    /// after it the feed retries them with the backoff (servers restarting and rotated
    /// credentials answer 401 for a while), up to [`LiveConfig::give_up_after`](super::LiveConfig::give_up_after).
    pub fn is_fatal(&self) -> bool {
        match self {
            LiveError::Config(_)
            | LiveError::Unauthorized
            | LiveError::Forbidden
            | LiveError::Checkpoint(_) => true,
            LiveError::SubscribeRefused { code, .. } => *code != SocketErrorCode::InternalError,
            LiveError::CatchUp(error) => {
                matches!(
                    error,
                    crate::Error::Unauthorized | crate::Error::Forbidden | crate::Error::Config(_)
                )
            }
            _ => false,
        }
    }
}
