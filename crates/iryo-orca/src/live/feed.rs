//! The feed: connect, subscribe, catch up, deliver each notification once, reconnect, repeat.

use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::ops::ControlFlow;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use futures_util::FutureExt as _;
use uuid::Uuid;

use super::catchup::{self, Window};
use super::config::Resolved;
use super::socket::{Incoming, Session};
use super::{Acked, Checkpoint, FeedItem, LiveError};
use crate::events::PushEventBody;
use crate::types::PushEventData;
use crate::{Client, PushEvent};

/// While the socket is quiet, the feed wakes this often to record that it was covered.
const IDLE_COMMIT: Duration = Duration::from_secs(60);
/// Acknowledgements between two prunes of old uuids.
const PRUNE_EVERY: usize = 10_000;

/// A never-miss feed of ORCA's PUSH通知: live over the socket, gaps closed through
/// `pusheventgetv2`, every notification once (see the crate README for the guarantees).
///
/// Pull items with [`LiveFeed::next`] and [`LiveFeed::ack`] each event once it is processed, or use
/// [`LiveFeed::into_stream`] (acknowledges an event when the next item is asked for) or
/// [`LiveFeed::run`] (acknowledges when the handler returns).
pub struct LiveFeed {
    resolved: Resolved,
    catch_up: Option<Client>,
    checkpoint: Box<dyn Checkpoint>,
    session: Option<Session>,
    ready: VecDeque<FeedItem>,
    /// Queued or delivered and not yet committed, so that no second copy gets through.
    delivered: HashSet<Uuid>,
    acks: Vec<Acked>,
    attempt: u32,
    retry_after: Option<Duration>,
    acked_since_prune: usize,
}

impl std::fmt::Debug for LiveFeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveFeed")
            .field("config", &self.resolved.config)
            .field("connected", &self.session.is_some())
            .finish_non_exhaustive()
    }
}

impl LiveFeed {
    pub(crate) fn new(
        resolved: Resolved,
        catch_up: Option<Client>,
        checkpoint: Box<dyn Checkpoint>,
    ) -> Result<Self, LiveError> {
        let mut feed = LiveFeed {
            resolved,
            catch_up,
            checkpoint,
            session: None,
            ready: VecDeque::new(),
            delivered: HashSet::new(),
            acks: Vec::new(),
            attempt: 0,
            retry_after: None,
            acked_since_prune: 0,
        };
        feed.prune()?;
        Ok(feed)
    }

    /// The next item. Errors are fatal ([`LiveError::is_fatal`]); everything else becomes a
    /// [`FeedItem::Reconnecting`] and the feed goes on.
    pub async fn next(&mut self) -> Result<FeedItem, LiveError> {
        loop {
            if let Some(item) = self.ready.pop_front() {
                return Ok(item);
            }
            let Some(session) = self.session.as_mut() else {
                self.flush()?;
                self.connect().await?;
                continue;
            };
            // Take what has already arrived before writing acknowledgements, so that they are
            // written in batches under load and at once when the socket goes quiet.
            let incoming = match session.next().now_or_never() {
                Some(incoming) => Some(incoming),
                None => {
                    self.flush()?;
                    let Some(session) = self.session.as_mut() else {
                        continue;
                    };
                    tokio::time::timeout(IDLE_COMMIT, session.next()).await.ok()
                }
            };
            match incoming {
                None => {}
                Some(Ok(Incoming::Event(data))) => self.accept(*data)?,
                Some(Ok(Incoming::Error(frame))) => self.lose(LiveError::Server {
                    code: frame.code,
                    reason: frame.reason,
                }),
                Some(Err(error)) => self.lose(error),
            }
        }
    }

    /// Marks an event as processed. It is written to the checkpoint in the next batch, and
    /// always before the feed waits for the socket.
    pub fn ack(&mut self, event: &PushEvent) -> Result<(), LiveError> {
        self.ack_key(Acked {
            uuid: event.uuid,
            time: event.time.date_time(),
        })
    }

    fn ack_key(&mut self, acked: Acked) -> Result<(), LiveError> {
        self.acks.push(acked);
        if self.acks.len() >= self.resolved.config.ack_batch {
            self.commit(None)?;
        }
        Ok(())
    }

    /// Writes pending acknowledgements now (and, when connected and idle, that the feed is
    /// covered up to now). Call it before exiting.
    pub fn flush(&mut self) -> Result<(), LiveError> {
        let idle = self.session.is_some()
            && self.ready.is_empty()
            && self.delivered.len() == self.acks.len();
        let covered = idle.then(|| self.now());
        if self.acks.is_empty() && covered.is_none() {
            return Ok(());
        }
        self.commit(covered)
    }

    fn commit(&mut self, covered: Option<DateTime<FixedOffset>>) -> Result<(), LiveError> {
        self.checkpoint.commit(&self.acks, covered)?;
        for acked in self.acks.drain(..) {
            self.delivered.remove(&acked.uuid);
        }
        self.acked_since_prune += 1;
        if self.acked_since_prune >= PRUNE_EVERY {
            self.prune()?;
        }
        Ok(())
    }

    fn prune(&mut self) -> Result<(), LiveError> {
        self.acked_since_prune = 0;
        let config = &self.resolved.config;
        let keep = delta(config.retention) + delta(config.clock_skew);
        self.checkpoint.prune(self.now() - keep)?;
        Ok(())
    }

    /// As a [`Stream`](futures_core::Stream): an event is acknowledged when the next item is
    /// asked for, so a consumer that stops in the middle gets that event again after a restart.
    pub fn into_stream(
        self,
    ) -> impl futures_core::Stream<Item = Result<FeedItem, LiveError>> + Send {
        futures_util::stream::unfold(Some((self, None)), |state| async move {
            let (mut feed, to_ack) = state?;
            if let Some(acked) = to_ack
                && let Err(error) = feed.ack_key(acked)
            {
                return Some((Err(error), None));
            }
            match feed.next().await {
                Ok(item) => {
                    let ack = ack_key_of(&item);
                    Some((Ok(item), Some((feed, ack))))
                }
                Err(error) => Some((Err(error), None)),
            }
        })
    }

    /// Calls `handler` with every item until it answers `Break` or a fatal error; each event is
    /// acknowledged when its handler call returns. The checkpoint is flushed before returning.
    pub async fn run<F, Fut>(mut self, mut handler: F) -> Result<(), LiveError>
    where
        F: FnMut(FeedItem) -> Fut,
        Fut: Future<Output = ControlFlow<()>>,
    {
        loop {
            let item = self.next().await?;
            let ack = ack_key_of(&item);
            let flow = handler(item).await;
            if let Some(acked) = ack {
                self.ack_key(acked)?;
            }
            if flow.is_break() {
                return self.flush();
            }
        }
    }

    fn now(&self) -> DateTime<FixedOffset> {
        Utc::now().with_timezone(&self.resolved.config.server_offset)
    }

    fn lose(&mut self, reason: LiveError) {
        self.session = None;
        self.attempt = self.attempt.saturating_add(1);
        let delay = self.resolved.config.backoff.delay(self.attempt);
        self.retry_after = Some(delay);
        self.ready.push_back(FeedItem::Reconnecting {
            attempt: self.attempt,
            delay,
            reason,
        });
    }

    async fn connect(&mut self) -> Result<(), LiveError> {
        if let Some(delay) = self.retry_after.take() {
            tokio::time::sleep(delay).await;
        }
        match self.open_and_catch_up().await {
            Ok(()) => {
                self.attempt = 0;
                Ok(())
            }
            Err(error) if error.is_fatal() => Err(error),
            Err(error) => {
                self.lose(error);
                Ok(())
            }
        }
    }

    async fn open_and_catch_up(&mut self) -> Result<(), LiveError> {
        let mut session = Session::open(&self.resolved).await?;
        let subscriptions = session.subscriptions();
        let now = self.now();
        let Some(from) = self.checkpoint.load()?.resume_from() else {
            // A first start: the socket covers everything from now on.
            self.checkpoint.commit(&[], Some(now))?;
            self.ready.push_back(FeedItem::Connected {
                subscriptions,
                caught_up: 0,
            });
            self.session = Some(session);
            return Ok(());
        };
        let config = &self.resolved.config;
        let window = Window {
            from,
            now,
            skew: delta(config.clock_skew),
            retention: delta(config.retention),
            offset: config.server_offset,
            events: if config.events.iter().any(|e| e == "*") {
                vec![None]
            } else {
                config.events.iter().cloned().map(Some).collect()
            },
        };
        let max_buffered = config.max_buffered;
        let fetch = catchup::run(self.catch_up.clone(), window);
        tokio::pin!(fetch);
        let mut live = Vec::new();
        let found = loop {
            tokio::select! {
                found = &mut fetch => break found?,
                incoming = session.next() => match incoming? {
                    Incoming::Event(data) => {
                        live.push(to_event(*data));
                        if live.len() > max_buffered {
                            return Err(LiveError::BufferFull(max_buffered));
                        }
                    }
                    Incoming::Error(frame) => {
                        return Err(LiveError::Server { code: frame.code, reason: frame.reason });
                    }
                },
            }
        };
        let caught_up = found.events.len();
        let merged = catchup::merge(found.events, live, |event| self.is_new(event))?;
        self.ready.push_back(FeedItem::Connected {
            subscriptions,
            caught_up,
        });
        self.ready.extend(found.gaps.into_iter().map(FeedItem::Gap));
        for event in merged {
            self.delivered.insert(event.uuid);
            self.ready.push_back(FeedItem::Event(event));
        }
        self.session = Some(session);
        Ok(())
    }

    fn accept(&mut self, data: PushEventData) -> Result<(), LiveError> {
        let event = to_event(data);
        if self.is_new(&event)? {
            self.delivered.insert(event.uuid);
            self.ready.push_back(FeedItem::Event(event));
        }
        Ok(())
    }

    fn is_new(&mut self, event: &PushEvent) -> Result<bool, LiveError> {
        Ok(!self.delivered.contains(&event.uuid) && !self.checkpoint.is_seen(&event.uuid)?)
    }
}

fn ack_key_of(item: &FeedItem) -> Option<Acked> {
    match item {
        FeedItem::Event(event) => Some(Acked {
            uuid: event.uuid,
            time: event.time.date_time(),
        }),
        _ => None,
    }
}

fn delta(duration: Duration) -> TimeDelta {
    TimeDelta::from_std(duration).unwrap_or(TimeDelta::MAX)
}

/// Types a notification; a known event whose body does not have the documented shape is kept
/// with its raw body, never dropped.
fn to_event(data: PushEventData) -> PushEvent {
    // The copy is the body's JSON text (no tree), kept for a known event that does not decode.
    let body = PushEventBody::from_wire(&data.event, data.body.clone()).unwrap_or_else(|_| {
        PushEventBody::Unknown {
            event: data.event.clone(),
            body: data.body,
        }
    });
    PushEvent {
        uuid: data.uuid,
        id: data.id,
        event: data.event,
        user: data.user,
        time: data.time,
        body,
        extra: data.extra,
    }
}
