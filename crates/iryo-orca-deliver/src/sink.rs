//! What a receiver of events implements, and how it says that an event did not get through.

use std::future::Future;
use std::time::Duration;

use iryo_orca::PushEvent;

/// A receiver of events in delivery order. The delivery loop hands it the events not yet
/// acknowledged, from the oldest; it acknowledges a prefix of them.
pub trait Sink: Send {
    /// How many events one [`deliver`](Sink::deliver) call may take (1 unless the receiver
    /// writes batches).
    fn max_batch(&self) -> usize {
        1
    }

    /// Delivers `events` (never empty) in order and says how many of the first ones the
    /// receiver acknowledged; when not all of them, why the next one was not.
    fn deliver(&mut self, events: &[PushEvent]) -> impl Future<Output = Delivered> + Send;
}

/// The answer of one [`Sink::deliver`] call.
#[derive(Debug)]
pub struct Delivered {
    /// Events acknowledged, from the first one handed over.
    pub acknowledged: usize,
    /// Why the event after them was not acknowledged (`None` when all of them were).
    pub failure: Option<SinkFailure>,
}

impl Delivered {
    /// Every event acknowledged.
    pub fn all(count: usize) -> Self {
        Delivered {
            acknowledged: count,
            failure: None,
        }
    }

    /// `acknowledged` events got through, the next one failed.
    pub fn failed_after(acknowledged: usize, failure: SinkFailure) -> Self {
        Delivered {
            acknowledged,
            failure: Some(failure),
        }
    }

    /// A batch of `count` events written in one transaction: all of them, or none with the
    /// failure.
    pub fn whole(count: usize, written: Result<(), SinkFailure>) -> Self {
        match written {
            Ok(()) => Delivered::all(count),
            Err(failure) => Delivered::failed_after(0, failure),
        }
    }

    /// `events` handed to `deliver_one` one at a time, in order, up to the first failure: the
    /// delivery of a receiver that takes one event per request.
    pub(crate) async fn one_by_one<'a, F>(
        events: &'a [PushEvent],
        mut deliver_one: impl FnMut(&'a PushEvent) -> F,
    ) -> Self
    where
        F: Future<Output = Result<(), SinkFailure>>,
    {
        for (done, event) in events.iter().enumerate() {
            if let Err(failure) = deliver_one(event).await {
                return Delivered::failed_after(done, failure);
            }
        }
        Delivered::all(events.len())
    }
}

/// Whether a receiver may answer differently next time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// Down, slow, overloaded, cut: retried until it works.
    Failed,
    /// The receiver answered that it will not take this event (a webhook's 4xx): retried the
    /// same way, but counted against [`DeliveryConfig::max_refusals`](crate::DeliveryConfig).
    Refused,
}

/// Why an event was not acknowledged. The message names no secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SinkFailure {
    /// Failure or refusal.
    pub kind: FailureKind,
    /// What happened, on one line.
    pub message: String,
    /// The receiver asked to wait at least this long (a webhook's `Retry-After`).
    pub retry_after: Option<Duration>,
}

impl SinkFailure {
    /// A failure worth retrying.
    pub fn failed(message: impl Into<String>) -> Self {
        SinkFailure {
            kind: FailureKind::Failed,
            message: message.into(),
            retry_after: None,
        }
    }

    /// A refusal by the receiver.
    pub fn refused(message: impl Into<String>) -> Self {
        SinkFailure {
            kind: FailureKind::Refused,
            message: message.into(),
            retry_after: None,
        }
    }
}

impl std::fmt::Display for SinkFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            FailureKind::Failed => write!(f, "failed: {}", self.message),
            FailureKind::Refused => write!(f, "refused: {}", self.message),
        }
    }
}
