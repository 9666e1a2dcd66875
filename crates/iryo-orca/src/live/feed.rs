//! The feed: connect, subscribe, catch up, deliver each notification once, reconnect, repeat.

use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use futures_util::FutureExt as _;
use uuid::Uuid;

mod connect;

use super::catchup::{self, CatchingUp, undelivered_gap};
use super::config::Resolved;
use super::socket::{Incoming, Session};
use super::{Acked, Checkpoint, FeedItem, LiveError};
use crate::types::PushEventData;
use crate::{Client, PushEvent};

/// While the socket is quiet, the feed wakes this often to record that it was covered.
const IDLE_COMMIT: Duration = Duration::from_secs(60);
/// Under load acknowledgements are written in batches, and at least this often.
const COMMIT_EVERY: Duration = Duration::from_millis(100);
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
    /// The catch-up under way on the open socket, if any.
    catching: Option<CatchingUp>,
    /// The rest of the catch-up window being delivered (typed one event at a time).
    window: catchup::Delivery,
    /// When the current connection was up and caught up (its stability resets the backoff).
    connected_at: Option<Instant>,
    ever_connected: bool,
    /// Since when credentials are refused on reconnects.
    refused_since: Option<Instant>,
    last_commit: Instant,
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
            catching: None,
            window: catchup::Delivery::default(),
            connected_at: None,
            ever_connected: false,
            refused_since: None,
            last_commit: Instant::now(),
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
            while let Some(typed) = self.window.next() {
                match typed {
                    Ok(event) if self.is_new(&event)? => {
                        self.delivered.insert(event.uuid);
                        return Ok(FeedItem::Event(event));
                    }
                    Ok(_) => {}
                    Err(gap) => return Ok(FeedItem::Gap(gap)),
                }
            }
            let Some(session) = self.session.as_mut() else {
                self.flush()?;
                self.connect().await?;
                continue;
            };
            if let Some(catching) = self.catching.as_mut() {
                let config = &self.resolved.config;
                let now = Utc::now().with_timezone(&config.server_offset);
                match catching.step(session, now).await {
                    Ok(Some(answer)) => self.deliver_window(answer)?,
                    Ok(None) => self.finish_catch_up()?,
                    Err(error) => self.fail(error)?,
                }
                // Acknowledgements of the window just delivered go out before the next request.
                self.flush()?;
                continue;
            }
            // Take what has already arrived before writing acknowledgements, so that they are
            // written in batches under load (and at least every COMMIT_EVERY) and at once when
            // the socket goes quiet.
            let incoming = match session.next().now_or_never() {
                Some(incoming) => {
                    if self.last_commit.elapsed() >= COMMIT_EVERY {
                        self.flush()?;
                    }
                    Some(incoming)
                }
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
                Some(Ok(Incoming::Undelivered(named))) => {
                    let now = self.now();
                    let gap = undelivered_gap(named, (now, now));
                    self.ready.push_back(FeedItem::Gap(gap));
                }
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

    fn ack_key(&mut self, mut acked: Acked) -> Result<(), LiveError> {
        // The cursor never moves past this clock plus the margin, whatever the server stamped.
        acked.time = acked
            .time
            .min(self.now() + delta(self.resolved.config.clock_skew));
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
            && self.catching.is_none()
            && self.ready.is_empty()
            && self.window.len() == 0
            && self.delivered.len() == self.acks.len();
        let covered = idle.then(|| self.now());
        if self.acks.is_empty() && covered.is_none() {
            return Ok(());
        }
        self.commit(covered)
    }

    /// Lets go of the socket and of every event handed out but not acknowledged, after writing
    /// the acknowledgements: for a consumer that cannot take events for a while (its receiver is
    /// down), so that nothing piles up for it, neither here nor in the server's socket. The next
    /// [`next`](Self::next) reconnects and catches up from the cursor, which brings those events
    /// again (a gap only for what is beyond the retention by then). An event handed out before
    /// may still be acknowledged; it then does not come again.
    pub fn release(&mut self) -> Result<(), LiveError> {
        if !self.acks.is_empty() {
            self.commit(None)?;
        }
        self.session = None;
        self.catching = None;
        self.connected_at = None;
        self.retry_after = None;
        self.window = catchup::Delivery::default();
        self.ready
            .retain(|item| !matches!(item, FeedItem::Event(_)));
        self.delivered.clear();
        Ok(())
    }

    fn commit(&mut self, covered: Option<DateTime<FixedOffset>>) -> Result<(), LiveError> {
        self.checkpoint.commit(&self.acks, covered)?;
        self.last_commit = Instant::now();
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

    /// Delivers one catch-up window (in time order) before the next is fetched, each uuid once.
    fn deliver_window(&mut self, answer: catchup::Answer) -> Result<(), LiveError> {
        self.ready
            .extend(answer.gaps.into_iter().map(FeedItem::Gap));
        if let Some(catching) = self.catching.as_mut() {
            catching.fetched += answer.delivery.len();
        }
        self.window = answer.delivery;
        Ok(())
    }

    /// The gap is closed: the live notifications held meanwhile follow, each uuid once.
    fn finish_catch_up(&mut self) -> Result<(), LiveError> {
        let Some(catching) = self.catching.take() else {
            return Ok(());
        };
        self.ready
            .extend(catching.live_gaps.into_iter().map(FeedItem::Gap));
        self.connected(catching.subscriptions, catching.fetched);
        let mut live = catching.live;
        live.sort_by_key(|e| e.time.date_time());
        for event in live {
            self.deliver(event)?;
        }
        Ok(())
    }

    fn deliver(&mut self, event: PushEvent) -> Result<(), LiveError> {
        if self.is_new(&event)? {
            self.delivered.insert(event.uuid);
            self.ready.push_back(FeedItem::Event(event));
        }
        Ok(())
    }

    fn accept(&mut self, data: PushEventData) -> Result<(), LiveError> {
        match PushEvent::from_data(data) {
            Ok(event) => self.deliver(event),
            Err(named) => {
                let now = self.now();
                let gap = undelivered_gap(named, (now, now));
                self.ready.push_back(FeedItem::Gap(gap));
                Ok(())
            }
        }
    }

    fn is_new(&mut self, event: &PushEvent) -> Result<bool, LiveError> {
        let time = event.time.date_time();
        Ok(!self.delivered.contains(&event.uuid)
            && !self.checkpoint.is_seen_at(&event.uuid, time)?)
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
