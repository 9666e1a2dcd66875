//! The feed's connection: open the socket and start the catch-up from the cursor, and after a
//! failure decide whether and when to reconnect (backoff, refused credentials).

use std::time::Instant;

use super::{LiveFeed, delta};
use crate::live::catchup::{CatchingUp, Window, Windows};
use crate::live::socket::Session;
use crate::live::{FeedItem, FrameId, Gap, GapReason, LiveError};

impl LiveFeed {
    pub(super) fn lose(&mut self, reason: LiveError) {
        self.session = None;
        self.catching = None;
        // Only a connection that stayed up starts the schedule again.
        let stable = self.resolved.config.stable_after;
        if self
            .connected_at
            .take()
            .is_some_and(|at| at.elapsed() >= stable)
        {
            self.attempt = 0;
        }
        self.attempt = self.attempt.saturating_add(1);
        let delay = self.resolved.config.backoff.delay(self.attempt);
        self.retry_after = Some(delay);
        self.ready.push_back(FeedItem::Reconnecting {
            attempt: self.attempt,
            delay,
            reason,
        });
    }

    /// Reconnects after `error`, or returns it when it is fatal.
    pub(super) fn fail(&mut self, error: LiveError) -> Result<(), LiveError> {
        if error.is_fatal() && !self.retry_refusal(&error) {
            return Err(error);
        }
        self.lose(error);
        Ok(())
    }

    /// Refused credentials after the first connection are retried, up to `give_up_after`.
    fn retry_refusal(&mut self, error: &LiveError) -> bool {
        if !self.ever_connected || !error.is_refused_credentials() {
            return false;
        }
        let since = *self.refused_since.get_or_insert_with(Instant::now);
        let limit = self.resolved.config.give_up_after;
        limit.is_none_or(|limit| since.elapsed() < limit)
    }

    pub(super) async fn connect(&mut self) -> Result<(), LiveError> {
        if let Some(delay) = self.retry_after.take() {
            tokio::time::sleep(delay).await;
        }
        match self.open().await {
            Ok(()) => Ok(()),
            Err(error) => self.fail(error),
        }
    }

    /// Opens the socket and starts the catch-up from the cursor (none on a first start).
    async fn open(&mut self) -> Result<(), LiveError> {
        let session = Session::open(&self.resolved).await?;
        let subscriptions = session.subscriptions();
        let now = self.now();
        let config = &self.resolved.config;
        let skew = delta(config.clock_skew);
        let Some(mut from) = self.checkpoint.load()?.resume_from() else {
            // A first start: the socket covers everything from now on.
            self.checkpoint.commit(&[], Some(now))?;
            self.session = Some(session);
            self.connected(subscriptions, 0);
            return Ok(());
        };
        if from > now + skew {
            // A cursor in this clock's future would ask windows that end before they start.
            self.ready.push_back(FeedItem::Gap(Gap {
                from: now - skew,
                to: from,
                reason: GapReason::ClockBehindCursor,
            }));
            self.checkpoint.rewind(now)?;
            from = now;
        }
        let window = Window {
            from,
            now,
            skew,
            retention: delta(config.retention),
            offset: config.server_offset,
            events: if config.events.iter().any(|e| e == "*") {
                vec![None]
            } else {
                config.events.iter().cloned().map(Some).collect()
            },
        };
        let windows = Windows::new(self.catch_up.clone(), window);
        let held = config.held;
        self.catching = Some(CatchingUp::new(windows, subscriptions, held));
        self.session = Some(session);
        Ok(())
    }

    pub(super) fn connected(&mut self, subscriptions: Vec<(String, FrameId)>, caught_up: usize) {
        self.ready.push_back(FeedItem::Connected {
            subscriptions,
            caught_up,
        });
        self.connected_at = Some(Instant::now());
        self.ever_connected = true;
        self.refused_since = None;
    }
}
