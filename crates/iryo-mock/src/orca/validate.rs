//! Reads and checks a `pusheventgetv2` request body, in the order the mock reports problems:
//! 0098 (unreadable), 0097 (wrong shape), 0001, 0002, 0003/0004, 0005/0006, 0008.
//! The 0099 check (unknown operator) needs the store, so the handler makes it afterwards.

use chrono::{
    DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone as _,
};
use serde_json::{Map, Value};

use super::store::jst;

/// A checked request: each filter is `None` when the field was omitted or empty.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Query {
    pub(crate) event: Option<String>,
    pub(crate) user: Option<String>,
    /// First instant in the window (inclusive).
    pub(crate) start: Option<DateTime<FixedOffset>>,
    /// First instant after the window (exclusive): an `HH:MM` end covers HH:MM:00 through HH:MM:59.
    pub(crate) end_before: Option<DateTime<FixedOffset>>,
}

/// A business error code from the document's table.
pub(crate) type Code = &'static str;

pub(crate) fn parse_request(body: &[u8]) -> Result<Query, Code> {
    let text = std::str::from_utf8(body).map_err(|_| "0098")?;
    let json: Value = serde_json::from_str(text).map_err(|_| "0098")?;
    let request = json
        .get("pusheventgetv2req")
        .and_then(Value::as_object)
        .ok_or("0097")?;

    let event = string_field(request, "event")?;
    let user = string_field(request, "user")?;
    let start_time = string_field(request, "start_time")?;
    let end_time = string_field(request, "end_time")?;

    if event.is_some_and(|e| !is_printable_ascii(e)) {
        return Err("0001");
    }
    if user.is_some_and(|u| !is_printable_ascii(u)) {
        return Err("0002");
    }
    let start = start_time
        .map(|t| window_bound(t, Edge::Start).map_err(|part| part.code("0003", "0004")))
        .transpose()?
        .flatten();
    let end_before = end_time
        .map(|t| window_bound(t, Edge::End).map_err(|part| part.code("0005", "0006")))
        .transpose()?
        .flatten();
    if let (Some(start), Some(end_before)) = (start, end_before)
        && start >= end_before
    {
        return Err("0008");
    }
    Ok(Query {
        event: event.map(str::to_owned),
        user: user.map(str::to_owned),
        start,
        end_before,
    })
}

/// An absent field and an empty string both mean "no filter"; any non-string value (null included) is 0097.
fn string_field<'a>(request: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, Code> {
    match request.get(name) {
        None => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err("0097"),
    }
}

/// "半角" in the document's 0001/0002 messages: printable ASCII without the space (0x21-0x7E).
fn is_printable_ascii(text: &str) -> bool {
    text.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

#[derive(Clone, Copy)]
enum Edge {
    Start,
    End,
}

/// Which part of a `YYYY-MM-DD[ HH:MM]` value is wrong.
#[derive(Debug, PartialEq, Eq)]
enum BadPart {
    Date,
    Time,
}

impl BadPart {
    fn code(self, date: Code, time: Code) -> Code {
        match self {
            BadPart::Date => date,
            BadPart::Time => time,
        }
    }
}

/// Turns a request time into an instant: the start of the window, or the first instant after it. A date alone
/// starts at 00:00:00 or ends after 23:59:59; `HH:MM` starts at HH:MM:00 or ends after HH:MM:59. `Ok(None)` only
/// for an end so far in the future that the next instant cannot be represented, which means "no end".
fn window_bound(text: &str, edge: Edge) -> Result<Option<DateTime<FixedOffset>>, BadPart> {
    let (date, time) = match text.split_once(' ') {
        Some((date, time)) => (date, Some(time)),
        None => (text, None),
    };
    let date = parse_date(date).ok_or(BadPart::Date)?;
    let time = time
        .map(|t| parse_hour_minute(t).ok_or(BadPart::Time))
        .transpose()?;
    let first = NaiveDateTime::new(date, time.unwrap_or(NaiveTime::MIN));
    let bound = match (edge, time) {
        (Edge::Start, _) => Some(first),
        (Edge::End, Some(_)) => first.checked_add_signed(TimeDelta::minutes(1)),
        (Edge::End, None) => first.checked_add_signed(TimeDelta::days(1)),
    };
    Ok(bound.and_then(|b| jst().from_local_datetime(&b).single()))
}

/// Exactly `YYYY-MM-DD`, zero-padded, naming a real calendar day.
fn parse_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    NaiveDate::from_ymd_opt(
        digits(&b[0..4])? as i32,
        digits(&b[5..7])?,
        digits(&b[8..10])?,
    )
}

/// Exactly `HH:MM`, zero-padded, 00:00 to 23:59.
fn parse_hour_minute(text: &str) -> Option<NaiveTime> {
    let b = text.as_bytes();
    if b.len() != 5 || b[2] != b':' {
        return None;
    }
    NaiveTime::from_hms_opt(digits(&b[0..2])?, digits(&b[3..5])?, 0)
}

fn digits(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0u32, |acc, b| {
        b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_for(body: &str) -> Option<Code> {
        parse_request(body.as_bytes()).err()
    }

    fn times(start: &str, end: &str) -> Option<Code> {
        code_for(&format!(
            r#"{{"pusheventgetv2req":{{"start_time":"{start}","end_time":"{end}"}}}}"#
        ))
    }

    #[test]
    fn date_and_time_parts_are_told_apart() {
        assert_eq!(times("2018-02-30", ""), Some("0003"));
        assert_eq!(times("yesterday", ""), Some("0003"));
        assert_eq!(times("2018-1-24", ""), Some("0003"));
        assert_eq!(times("2018-01-24T13:00", ""), Some("0003"));
        assert_eq!(times("2018-01-24 25:00", ""), Some("0004"));
        assert_eq!(times("2018-01-24 12:5", ""), Some("0004"));
        assert_eq!(times("2018-01-24 12:00:00", ""), Some("0004"));
        assert_eq!(times("", "2018-13-01"), Some("0005"));
        assert_eq!(times("", "2018-01-24 12:60"), Some("0006"));
        assert_eq!(times("2018-01-24 13:00", "2018-01-24 12:59"), Some("0008"));
        assert_eq!(times("2018-01-24 13:00", "2018-01-24 13:00"), None);
        assert_eq!(times("2018-01-25", "2018-01-24"), Some("0008"));
        assert_eq!(times("2018-01-24", "2018-01-24"), None);
    }

    #[test]
    fn windows_cover_whole_days_and_whole_minutes() {
        let q = parse_request(
            br#"{"pusheventgetv2req":{"start_time":"2018-01-24","end_time":"2018-01-24 12:59"}}"#,
        );
        let q = q.unwrap_or_default();
        let at = |s: &str| DateTime::parse_from_rfc3339(s).ok();
        assert_eq!(q.start, at("2018-01-24T00:00:00+09:00"));
        assert_eq!(q.end_before, at("2018-01-24T13:00:00+09:00"));
    }
}
