//! The one conversion of a notification, for `pusheventgetv2` answers and socket frames alike:
//! a body that does not decode is kept raw ([`PushEventBody::Unknown`]); a notification that cannot
//! be delivered at all (no usable `uuid` or `time`, or a time no cursor can store) becomes an
//! [`Undelivered`] that names it, and never holds back the others.

use std::fmt;

use chrono::{DateTime, Datelike as _, FixedOffset};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::events::PushEventBody;
use crate::push_events::PushEvent;
use crate::types::PushEventData;

/// At most this many characters of each field are kept to name an [`Undelivered`].
const FIELD_EXCERPT: usize = 64;

/// A notification that cannot be delivered: what it had, shortened, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Undelivered {
    /// Its index in the `pusheventgetv2` answer (`None` when it came over the socket).
    pub position: Option<usize>,
    /// Its `uuid` member, when it had one (a string's content, another value's JSON text; at
    /// most 64 characters, control characters escaped; so are the others).
    pub uuid: Option<String>,
    /// Its `id` member.
    pub id: Option<String>,
    /// Its `event` member.
    pub event: Option<String>,
    /// Its `time` member.
    pub time: Option<String>,
    /// Why it cannot be delivered.
    pub reason: String,
}

impl fmt::Display for Undelivered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("notification")?;
        if let Some(position) = self.position {
            write!(f, " #{position} of the answer")?;
        }
        let fields = [
            ("uuid", &self.uuid),
            ("id", &self.id),
            ("event", &self.event),
            ("time", &self.time),
        ];
        for (name, value) in fields {
            match value {
                Some(value) => write!(f, " {name}={value}")?,
                None => write!(f, " (no {name})")?,
            }
        }
        write!(f, " cannot be delivered: {}", self.reason)
    }
}

impl std::error::Error for Undelivered {}

/// The members that name a notification, whatever their type.
#[derive(Deserialize)]
struct Naming<'a> {
    #[serde(borrow, default)]
    uuid: Option<&'a RawValue>,
    #[serde(borrow, default)]
    id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    event: Option<&'a RawValue>,
    #[serde(borrow, default)]
    time: Option<&'a RawValue>,
}

impl Undelivered {
    /// Names the notification whose `data` is `raw` (as much of it as can be read).
    pub(crate) fn naming(raw: &str, reason: String) -> Self {
        let naming = serde_json::from_str::<Naming<'_>>(raw).unwrap_or(Naming {
            uuid: None,
            id: None,
            event: None,
            time: None,
        });
        // A string's content, any other value's JSON text.
        let field = |value: Option<&RawValue>| {
            value.map(|v| match serde_json::from_str::<String>(v.get()) {
                Ok(text) => shorten(&text),
                Err(_) => shorten(v.get()),
            })
        };
        Undelivered {
            position: None,
            uuid: field(naming.uuid),
            id: field(naming.id),
            event: field(naming.event),
            time: field(naming.time),
            reason: shorten(&reason),
        }
    }

    pub(crate) fn at(mut self, position: usize) -> Self {
        self.position = Some(position);
        self
    }
}

/// The first characters, with control characters escaped (server text, shown to people).
fn shorten(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().take(FIELD_EXCERPT) {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether `at` can be written and read back by every checkpoint: RFC 3339 has four-digit years.
pub(crate) fn storable(at: DateTime<FixedOffset>) -> bool {
    (0..=9999).contains(&at.year()) && (0..=9999).contains(&at.naive_utc().year())
}

impl PushEvent {
    /// Types a wire notification. A body without its event's documented shape, or over 64 KiB
    /// (ORCA stores at most 2 KiB; typing a larger one would copy it), is kept raw as
    /// [`PushEventBody::Unknown`]; a time that no cursor can store (outside the years
    /// 0000–9999) makes it [`Undelivered`].
    pub fn from_data(data: PushEventData) -> Result<Self, Box<Undelivered>> {
        let at = data.time.date_time();
        if !storable(at) {
            return Err(Box::new(Undelivered {
                position: None,
                uuid: Some(data.uuid.to_string()),
                id: Some(data.id.to_string()),
                event: Some(shorten(&data.event)),
                time: Some(shorten(&data.time.to_string())),
                reason: "its time is outside the years 0000-9999".to_owned(),
            }));
        }
        let body = typed_body(&data.event, data.body);
        Ok(PushEvent {
            uuid: data.uuid,
            id: data.id,
            event: data.event,
            user: data.user,
            time: data.time,
            body,
            extra: data.extra,
        })
    }

    /// Types a notification from the JSON text of its `data` object (see [`PushEvent::from_data`]).
    pub fn from_json(raw: &str) -> Result<Self, Box<Undelivered>> {
        match serde_json::from_str::<PushEventData>(raw) {
            Ok(data) => PushEvent::from_data(data),
            Err(error) => Err(Box::new(Undelivered::naming(raw, error.to_string()))),
        }
    }
}

/// Bodies up to this size are typed (a copy of the text is kept in case it does not decode).
/// ORCA stores at most 2 KiB per notification; a larger, hostile, body stays as received (raw,
/// never copied: from an answer it is a part of the answer's text), so memory stays at one body.
pub(crate) const KEEP_RAW_UP_TO: usize = 64 * 1024;

/// The typed body; one that does not have its event's shape, or is too large, stays raw.
fn typed_body(event: &str, body: iryo_runtime::RawJson) -> PushEventBody {
    let raw = |body| PushEventBody::Unknown {
        event: event.to_owned(),
        body,
    };
    if body.get().len() > KEEP_RAW_UP_TO {
        return raw(body);
    }
    PushEventBody::from_wire(event, body.clone()).unwrap_or_else(|_| raw(body))
}

/// A `pusheventgetv2` answer: the notifications delivered, in answer order, and those that could
/// not be. Reads like the list of events (`len`, `iter`, indexing, `into_iter`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PushEvents {
    /// The notifications.
    pub events: Vec<PushEvent>,
    /// Notifications of the answer that cannot be delivered (each named).
    pub undelivered: Vec<Undelivered>,
}

impl std::ops::Deref for PushEvents {
    type Target = Vec<PushEvent>;
    fn deref(&self) -> &Vec<PushEvent> {
        &self.events
    }
}

impl IntoIterator for PushEvents {
    type Item = PushEvent;
    type IntoIter = std::vec::IntoIter<PushEvent>;
    fn into_iter(self) -> Self::IntoIter {
        self.events.into_iter()
    }
}

impl<'a> IntoIterator for &'a PushEvents {
    type Item = &'a PushEvent;
    type IntoIter = std::slice::Iter<'a, PushEvent>;
    fn into_iter(self) -> Self::IntoIter {
        self.events.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_outside_four_digit_years_are_not_storable() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap();
        assert!(storable(at("0000-01-01T12:00:00+00:00")));
        assert!(storable(at("9999-12-31T12:00:00+00:00")));
        assert!(!storable(at("0000-01-01T00:30:00+09:00")), "UTC year -1");
    }
}
