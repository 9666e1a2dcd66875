//! Closing the gap after a (re)connect: `pusheventgetv2` from the cursor (minus the clock-skew
//! margin, minute resolution, inclusive bounds) to now (plus the margin). What cannot be fetched
//! becomes a [`Gap`].

use chrono::{DateTime, FixedOffset, TimeDelta, Timelike as _};

use super::{Gap, GapReason, LiveError};
use crate::{Client, Error, PushEvent, PushTime};

/// What one catch-up found.
#[derive(Debug, Default)]
pub(crate) struct CatchUp {
    pub events: Vec<PushEvent>,
    pub gaps: Vec<Gap>,
}

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

pub(crate) async fn run(client: Option<Client>, window: Window) -> Result<CatchUp, LiveError> {
    let mut found = CatchUp::default();
    let Some(client) = client else {
        found.gaps.push(Gap {
            from: window.from,
            to: window.now,
            reason: GapReason::CatchUpUnavailable { status: None },
        });
        return Ok(found);
    };
    let oldest = window.now - window.retention;
    let mut start = window.from - window.skew;
    if window.from < oldest {
        found.gaps.push(Gap {
            from: window.from,
            to: oldest,
            reason: GapReason::BeyondRetention,
        });
        start = oldest;
    }
    let first = minute(start, window.offset);
    let last = minute(window.now + window.skew, window.offset);
    let mut requests = 0;
    for event in &window.events {
        let mut pending = vec![(first, last)];
        while let Some((lo, hi)) = pending.pop() {
            requests += 1;
            if requests > MAX_REQUESTS {
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
            match request.send().await {
                Ok(events) => found.events.extend(events),
                Err(Error::Http { status: 404, .. }) => {
                    found.gaps.push(Gap {
                        from: window.from,
                        to: window.now,
                        reason: GapReason::CatchUpUnavailable { status: Some(404) },
                    });
                    return Ok(found);
                }
                // Too big to read at once: split the window in two, down to one minute.
                Err(Error::TooLarge { .. }) if hi > lo => {
                    let minutes = (hi - lo).num_minutes();
                    let middle = lo + TimeDelta::minutes(minutes / 2);
                    pending.push((middle + TimeDelta::minutes(1), hi));
                    pending.push((lo, middle));
                }
                Err(Error::TooLarge { .. }) => found.gaps.push(Gap {
                    from: lo
                        .and_local_timezone(window.offset)
                        .single()
                        .unwrap_or(window.from),
                    to: hi
                        .and_local_timezone(window.offset)
                        .single()
                        .unwrap_or(window.now),
                    reason: GapReason::TooLarge,
                }),
                Err(error) => return Err(LiveError::CatchUp(error)),
            }
        }
    }
    Ok(found)
}

/// The wall-clock minute of `at` in the server's offset.
fn minute(at: DateTime<FixedOffset>, offset: FixedOffset) -> chrono::NaiveDateTime {
    let local = at.with_timezone(&offset).naive_local();
    local
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(local)
}

/// Merges fetched and live notifications: stable by time (the server's order within a second),
/// fetched first, each uuid once. `is_new` says whether a uuid was delivered before.
pub(crate) fn merge(
    fetched: Vec<PushEvent>,
    live: Vec<PushEvent>,
    mut is_new: impl FnMut(&PushEvent) -> Result<bool, LiveError>,
) -> Result<Vec<PushEvent>, LiveError> {
    let mut fetched = fetched;
    fetched.sort_by_key(|e| e.time.date_time());
    let mut all = fetched;
    all.extend(live);
    all.sort_by_key(|e| e.time.date_time());
    let mut seen = std::collections::HashSet::with_capacity(all.len());
    let mut out = Vec::with_capacity(all.len());
    for event in all {
        if seen.insert(event.uuid) && is_new(&event)? {
            out.push(event);
        }
    }
    Ok(out)
}
