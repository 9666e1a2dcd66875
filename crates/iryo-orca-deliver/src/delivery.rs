//! The loop: take events from the feed, hand them to the sink, acknowledge to the feed only what
//! the sink acknowledged, retry the first one that did not get through.

use std::convert::Infallible;
use std::time::{Duration, Instant};

use futures_util::FutureExt as _;
use iryo_orca::PushEvent;
use iryo_orca::live::{FeedItem, LiveError, LiveFeed};
use iryo_runtime::RetryPolicy;
use uuid::Uuid;

use crate::sink::{FailureKind, Sink, SinkFailure};

/// Acknowledgements are saved to the feed's checkpoint at least this often while events flow
/// (the feed itself saves when the socket goes quiet, or every 1,024): a kill repeats at most
/// what was acknowledged in this span.
pub const SAVE_EVERY: Duration = Duration::from_millis(250);

/// The default [`DeliveryConfig::hold_socket`]: longer than most receiver hiccups, shorter than
/// the time a server's buffers take to fill at a clinic's rates.
pub const HOLD_SOCKET: Duration = Duration::from_secs(10);

/// How failed deliveries are retried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryConfig {
    /// The first backoff; it doubles on each failure of the same event (full jitter).
    pub retry_initial: Duration,
    /// The longest backoff, and the cap on a receiver's `Retry-After`.
    pub retry_max: Duration,
    /// Stop when one event was refused this many times (`None`: never stop).
    pub max_refusals: Option<u32>,
    /// How long the feed keeps its socket while the receiver fails: past it the feed lets go
    /// ([`LiveFeed::release`]), so that nothing piles up for the receiver, and fetches what came
    /// meanwhile through the catch-up from its cursor once the receiver is back.
    pub hold_socket: Duration,
}

impl Default for DeliveryConfig {
    /// 1 s doubling up to 10 min, refusals retried without end, the socket let go after 10 s of
    /// failures.
    fn default() -> Self {
        DeliveryConfig {
            retry_initial: Duration::from_millis(1000),
            retry_max: Duration::from_millis(600_000),
            max_refusals: None,
            hold_socket: HOLD_SOCKET,
        }
    }
}

impl DeliveryConfig {
    fn policy(&self) -> RetryPolicy {
        RetryPolicy {
            max_attempts: u32::MAX,
            initial_backoff: self.retry_initial,
            max_backoff: self.retry_max,
            max_elapsed: Duration::MAX,
            jitter: true,
        }
    }
}

/// What the loop reports while it runs.
#[derive(Debug)]
#[non_exhaustive]
pub enum Progress<'a> {
    /// A feed item other than an event (connected, a gap, reconnecting).
    Feed(&'a FeedItem),
    /// An attempt to deliver `event` did not get through; the same event is tried again after
    /// `delay`.
    Failed {
        /// The event (not acknowledged).
        event: &'a PushEvent,
        /// Failed attempts of this event so far.
        attempt: u32,
        /// Of which refusals.
        refusals: u32,
        /// Why.
        failure: &'a SinkFailure,
        /// Wait before the next attempt.
        delay: Duration,
    },
    /// These events were acknowledged by the receiver (and to the feed).
    Acknowledged(&'a [PushEvent]),
    /// The receiver has failed for `down`, longer than [`DeliveryConfig::hold_socket`]: the
    /// feed let go of its socket; it catches up from its cursor once the receiver is back.
    Released {
        /// Since when the receiver fails.
        down: Duration,
    },
}

/// Why the loop stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeliverError {
    /// The feed failed for good (see [`LiveError::is_fatal`]).
    #[error(transparent)]
    Feed(#[from] LiveError),
    /// The receiver refused one event `refusals` times (the limit): it and everything after it
    /// stay unacknowledged.
    #[error(
        "the receiver refused event {uuid} ({event}) {refusals} times, the limit; it and the \
         events after it are not acknowledged: {last}"
    )]
    Refused {
        /// The event's uuid.
        uuid: Uuid,
        /// Its name.
        event: String,
        /// Refusals counted.
        refusals: u32,
        /// The last refusal.
        last: SinkFailure,
    },
}

/// Delivers the feed's events to `sink` until the feed fails or the receiver refuses an event
/// too often; it returns only then. Cancel it (drop the future) to stop, then call
/// [`LiveFeed::flush`]: what the receiver acknowledged is saved, the rest comes again.
pub async fn deliver<S: Sink>(
    feed: &mut LiveFeed,
    sink: &mut S,
    config: &DeliveryConfig,
    mut progress: impl FnMut(Progress<'_>),
) -> Result<Infallible, DeliverError> {
    let policy = config.policy();
    let mut held: Option<Result<FeedItem, LiveError>> = None;
    let mut batch = Vec::new();
    let mut saved = Instant::now();
    loop {
        let item = match held.take() {
            Some(item) => item?,
            None => feed.next().await?,
        };
        let FeedItem::Event(event) = item else {
            progress(Progress::Feed(&item));
            continue;
        };
        batch.push(event);
        // A batch is what has already arrived, never a wait for more: events that come while
        // the receiver writes make the next batch larger.
        while batch.len() < sink.max_batch().max(1) {
            match feed.next().now_or_never() {
                Some(Ok(FeedItem::Event(event))) => batch.push(event),
                Some(other) => {
                    held = Some(other);
                    break;
                }
                None => break,
            }
        }
        deliver_batch(feed, sink, config, &policy, &batch, &mut progress).await?;
        batch.clear();
        if saved.elapsed() >= SAVE_EVERY {
            feed.flush()?;
            saved = Instant::now();
        }
    }
}

async fn deliver_batch<S: Sink>(
    feed: &mut LiveFeed,
    sink: &mut S,
    config: &DeliveryConfig,
    policy: &RetryPolicy,
    batch: &[PushEvent],
    progress: &mut impl FnMut(Progress<'_>),
) -> Result<(), DeliverError> {
    let mut start = 0;
    let (mut attempt, mut refusals) = (0u32, 0u32);
    // When the receiver started failing, while it still does and the socket is held.
    let mut failing_since: Option<Instant> = None;
    let mut released = false;
    while start < batch.len() {
        let rest = &batch[start..];
        let delivered = sink.deliver(rest).await;
        let acknowledged = delivered.acknowledged.min(rest.len());
        for event in &rest[..acknowledged] {
            feed.ack(event)?;
        }
        if acknowledged > 0 {
            progress(Progress::Acknowledged(&rest[..acknowledged]));
            (attempt, refusals) = (0, 0);
            failing_since = None;
        }
        start += acknowledged;
        if start == batch.len() {
            break;
        }
        let failure = delivered.failure.unwrap_or_else(|| {
            SinkFailure::failed("the receiver acknowledged only part of a batch and said nothing")
        });
        let event = &batch[start];
        attempt = attempt.saturating_add(1);
        if failure.kind == FailureKind::Refused {
            refusals = refusals.saturating_add(1);
            if config.max_refusals.is_some_and(|max| refusals >= max) {
                return Err(DeliverError::Refused {
                    uuid: event.uuid,
                    event: event.event.clone(),
                    refusals,
                    last: failure,
                });
            }
        }
        let since = *failing_since.get_or_insert_with(Instant::now);
        if since.elapsed() >= config.hold_socket && !released {
            feed.release()?;
            released = true;
            progress(Progress::Released {
                down: since.elapsed(),
            });
        }
        let asked = failure.retry_after.map(|after| after.min(config.retry_max));
        let delay = policy.backoff(attempt, asked);
        progress(Progress::Failed {
            event,
            attempt,
            refusals,
            failure: &failure,
            delay,
        });
        tokio::time::sleep(delay).await;
    }
    Ok(())
}
