//! Closing the gap after a (re)connect: `pusheventgetv2` from the cursor (minus the clock-skew
//! margin, minute resolution, inclusive bounds) to now (plus the margin), one window at a time in
//! time order, each delivered before the next is asked for. What cannot be fetched becomes a
//! [`Gap`].

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeDelta, Timelike as _};

use super::held::{Held, HeldLimits};
use super::socket::{Incoming, Session};
use super::{FrameId, Gap, GapReason, LiveError};
use crate::answer::PushAnswer;
use crate::{Client, Error, PushEvent, PushTime, Undelivered};

/// The parameters of one catch-up.
#[derive(Clone, Debug)]
pub(crate) struct Window {
    pub from: DateTime<FixedOffset>,
    pub now: DateTime<FixedOffset>,
    pub skew: TimeDelta,
    pub retention: TimeDelta,
    pub offset: FixedOffset,
    /// Event names to ask for; `None` is every event.
    pub events: Vec<Option<String>>,
}

/// At most this many requests per catch-up (windows split because an answer was too large).
const MAX_REQUESTS: usize = 4096;

/// What one window brought: its notifications in time order, and what it could not fetch.
#[derive(Debug, Default)]
pub(crate) struct Answer {
    pub delivery: Delivery,
    pub gaps: Vec<Gap>,
}

/// One window's notifications in time order, kept as the answers' text and typed one at a time
/// as they are delivered (a notification costs its wire size plus about 56 bytes until then).
#[derive(Debug, Default)]
pub(crate) struct Delivery {
    answers: Vec<PushAnswer>,
    /// Time, answer and position of each notification, the next one first.
    order: std::vec::IntoIter<(Option<DateTime<FixedOffset>>, usize, usize)>,
    /// The window, for the gap naming a notification that cannot be delivered.
    span: (DateTime<FixedOffset>, DateTime<FixedOffset>),
}

impl Delivery {
    fn new(answers: Vec<PushAnswer>, span: (DateTime<FixedOffset>, DateTime<FixedOffset>)) -> Self {
        let mut order = Vec::with_capacity(answers.iter().map(PushAnswer::len).sum());
        for (index, answer) in answers.iter().enumerate() {
            order.extend((0..answer.len()).map(|at| (answer.time(at), index, at)));
        }
        // Answers come in no promised order; the cursor needs time order (stable: the server's
        // order within a second; a notification without a usable time first, to be named).
        order.sort_by_key(|(time, ..)| *time);
        Delivery {
            answers,
            order: order.into_iter(),
            span,
        }
    }

    /// Notifications not delivered yet.
    pub(crate) fn len(&self) -> usize {
        self.order.len()
    }
}

impl Iterator for Delivery {
    /// A notification, or the gap naming one that cannot be delivered.
    type Item = Result<PushEvent, Gap>;

    fn next(&mut self) -> Option<Self::Item> {
        let (_, answer, at) = self.order.next()?;
        let typed = self.answers[answer].event(at);
        Some(typed.map_err(|named| undelivered_gap(named, self.span)))
    }
}

/// The windows of one catch-up still to fetch, earliest first.
pub(crate) struct Windows {
    client: Option<Client>,
    window: Window,
    /// Minute bounds, the earliest window last (popped first).
    pending: Vec<(NaiveDateTime, NaiveDateTime)>,
    /// Gaps known before any request (beyond retention, no client).
    known: Vec<Gap>,
    requests: usize,
}

impl Windows {
    pub(crate) fn new(client: Option<Client>, window: Window) -> Self {
        let mut known = Vec::new();
        let oldest = window.now - window.retention;
        let mut start = window.from - window.skew;
        if window.from < oldest {
            known.push(Gap {
                from: window.from,
                to: oldest,
                reason: GapReason::BeyondRetention,
            });
            start = oldest;
        }
        let pending = if client.is_some() {
            let end = window.now + window.skew;
            vec![(minute(start, window.offset), minute(end, window.offset))]
        } else {
            known.push(Gap {
                from: window.from,
                to: window.now,
                reason: GapReason::CatchUpUnavailable { status: None },
            });
            Vec::new()
        };
        Windows {
            client,
            window,
            pending,
            known,
            requests: 0,
        }
    }

    /// The next window (every event name asked for it), or `None` when the gap is closed.
    pub(crate) async fn next(&mut self) -> Result<Option<Answer>, LiveError> {
        if !self.known.is_empty() {
            let gaps = std::mem::take(&mut self.known);
            return Ok(Some(Answer {
                delivery: Delivery::default(),
                gaps,
            }));
        }
        let Some(client) = self.client.clone() else {
            return Ok(None);
        };
        'windows: while let Some((lo, hi)) = self.pending.pop() {
            let mut answer = Answer::default();
            let mut answers = Vec::with_capacity(self.window.events.len());
            for event in &self.window.events {
                self.requests += 1;
                if self.requests > MAX_REQUESTS {
                    return Err(LiveError::Protocol(format!(
                        "catch-up needed more than {MAX_REQUESTS} requests"
                    )));
                }
                let mut request = client
                    .push_events()
                    .start(PushTime::Minute(lo))
                    .end(PushTime::Minute(hi));
                if let Some(event) = event {
                    request = request.event(event.clone());
                }
                match request.send_lazy().await {
                    Ok(found) => answers.push(found),
                    Err(Error::Http { status: 404, .. }) => {
                        self.pending.clear();
                        answer.gaps.push(Gap {
                            from: self.window.from,
                            to: self.window.now,
                            reason: GapReason::CatchUpUnavailable { status: Some(404) },
                        });
                        return Ok(Some(answer));
                    }
                    // Too big to read at once: split the window in two, down to one minute, and
                    // ask again for every event name (the window's notifications go out together).
                    Err(Error::TooLarge { .. }) if hi > lo => {
                        let minutes = (hi - lo).num_minutes();
                        let middle = lo + TimeDelta::minutes(minutes / 2);
                        self.pending.push((middle + TimeDelta::minutes(1), hi));
                        self.pending.push((lo, middle));
                        continue 'windows;
                    }
                    Err(Error::TooLarge { .. }) => {
                        let (from, to) = self.span(lo, hi);
                        answer.gaps.push(Gap {
                            from,
                            to,
                            reason: GapReason::TooLarge,
                        });
                    }
                    Err(error) => return Err(LiveError::CatchUp(error)),
                }
            }
            answer.delivery = Delivery::new(answers, self.span(lo, hi));
            return Ok(Some(answer));
        }
        Ok(None)
    }

    fn span(
        &self,
        lo: NaiveDateTime,
        hi: NaiveDateTime,
    ) -> (DateTime<FixedOffset>, DateTime<FixedOffset>) {
        let at = |t: NaiveDateTime, or| {
            t.and_local_timezone(self.window.offset)
                .single()
                .unwrap_or(or)
        };
        (at(lo, self.window.from), at(hi, self.window.now))
    }
}

/// A notification that cannot be delivered, as a gap item naming it.
pub(crate) fn undelivered_gap(
    undelivered: Box<Undelivered>,
    (from, to): (DateTime<FixedOffset>, DateTime<FixedOffset>),
) -> Gap {
    Gap {
        from,
        to,
        reason: GapReason::Undelivered(undelivered),
    }
}

/// A catch-up under way on an open socket.
pub(crate) struct CatchingUp {
    pub windows: Windows,
    /// Live notifications that arrived meanwhile, delivered (deduplicated) when it ends.
    pub live: Vec<PushEvent>,
    pub live_gaps: Vec<Gap>,
    held: Held,
    pub fetched: usize,
    pub subscriptions: Vec<(String, FrameId)>,
}

impl CatchingUp {
    pub(crate) fn new(
        windows: Windows,
        subscriptions: Vec<(String, FrameId)>,
        limits: HeldLimits,
    ) -> Self {
        CatchingUp {
            windows,
            live: Vec::new(),
            live_gaps: Vec::new(),
            held: Held::new(limits),
            fetched: 0,
            subscriptions,
        }
    }

    /// The next window, holding what the socket delivers meanwhile (within the held limits).
    pub(crate) async fn step(
        &mut self,
        session: &mut Session,
        now: DateTime<FixedOffset>,
    ) -> Result<Option<Answer>, LiveError> {
        let fetch = self.windows.next();
        tokio::pin!(fetch);
        loop {
            let incoming = tokio::select! {
                answer = &mut fetch => return answer,
                incoming = session.next() => incoming?,
            };
            self.held.hold(&incoming)?;
            match incoming {
                Incoming::Event(data) => match PushEvent::from_data(*data) {
                    Ok(event) => self.live.push(event),
                    Err(named) => self.live_gaps.push(undelivered_gap(named, (now, now))),
                },
                Incoming::Undelivered(named) => {
                    self.live_gaps.push(undelivered_gap(named, (now, now)));
                }
                Incoming::Error(frame) => {
                    return Err(LiveError::Server {
                        code: frame.code,
                        reason: frame.reason,
                    });
                }
            }
        }
    }
}

/// The wall-clock minute of `at` in the server's offset.
fn minute(at: DateTime<FixedOffset>, offset: FixedOffset) -> NaiveDateTime {
    let local = at.with_timezone(&offset).naive_local();
    local
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(local)
}
