//! Times on the ORCA wire: the notification timestamp (`2018-01-24T16:02:53+0900`) and the
//! request window (`2018-01-24` or `2018-01-24 13:00`, JST wall clock).

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Timelike};

/// When a notification was pushed, with the server's UTC offset.
///
/// ORCA writes `%Y-%m-%dT%H:%M:%S%z`, an offset without a colon (`+0900`), which is not RFC 3339;
/// some documents show `+09:00`. Both parse, and the value is written back in the form it came in
/// (fixup `time-offset-without-colon`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OrcaTimestamp {
    at: DateTime<FixedOffset>,
    colon_in_offset: bool,
}

impl OrcaTimestamp {
    /// Parses `YYYY-MM-DDTHH:MM:SS+hhmm` or `YYYY-MM-DDTHH:MM:SS+hh:mm`.
    pub fn parse(text: &str) -> Result<Self, TimestampError> {
        let colon_in_offset = has_colon_offset(text);
        let format = if colon_in_offset {
            "%Y-%m-%dT%H:%M:%S%:z"
        } else {
            "%Y-%m-%dT%H:%M:%S%z"
        };
        let at = DateTime::parse_from_str(text, format).map_err(|_| TimestampError {
            text: iryo_runtime::__private::quoted_value(text),
        })?;
        Ok(OrcaTimestamp {
            at,
            colon_in_offset,
        })
    }

    /// A timestamp in ORCA's own form (offset without a colon).
    pub fn new(at: DateTime<FixedOffset>) -> Self {
        OrcaTimestamp {
            at,
            colon_in_offset: false,
        }
    }

    /// The instant with its offset.
    pub fn date_time(&self) -> DateTime<FixedOffset> {
        self.at
    }
}

/// `+0900` is five characters from the end and has no colon; `+09:00` has one at len-3.
fn has_colon_offset(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 6
        && bytes[bytes.len() - 3] == b':'
        && matches!(bytes[bytes.len() - 6], b'+' | b'-')
}

impl fmt::Display for OrcaTimestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let format = if self.colon_in_offset {
            "%Y-%m-%dT%H:%M:%S%:z"
        } else {
            "%Y-%m-%dT%H:%M:%S%z"
        };
        write!(f, "{}", self.at.format(format))
    }
}

iryo_runtime::from_str_by_parse!(OrcaTimestamp: TimestampError);

impl serde::Serialize for OrcaTimestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

iryo_runtime::deserialize_by_parse!(OrcaTimestamp);

/// A notification time that is not `YYYY-MM-DDTHH:MM:SS` followed by `+hhmm` or `+hh:mm`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not an ORCA timestamp (expected e.g. 2018-01-24T16:02:53+0900)")]
pub struct TimestampError {
    text: String,
}

/// A bound of the request window: a whole day or a minute, JST wall clock as ORCA reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PushTime {
    /// A date alone: from 00:00 (as a start) or through 23:59:59 (as an end).
    Date(NaiveDate),
    /// A minute (seconds are dropped): from its first second, or through its last.
    Minute(NaiveDateTime),
}

impl PushTime {
    /// Parses the wire form `YYYY-MM-DD` or `YYYY-MM-DD HH:MM`.
    pub fn parse(text: &str) -> Result<Self, PushTimeError> {
        let shape_ok = matches!(text.len(), 10 | 16)
            && text.bytes().enumerate().all(|(i, b)| match i {
                4 | 7 => b == b'-',
                10 => b == b' ',
                13 => b == b':',
                _ => b.is_ascii_digit(),
            });
        if !shape_ok {
            return Err(PushTimeError::Shape(text.chars().take(32).collect()));
        }
        let date = NaiveDate::parse_from_str(&text[..10], "%Y-%m-%d")
            .map_err(|_| PushTimeError::Date(text.to_owned()))?;
        if text.len() == 10 {
            return Ok(PushTime::Date(date));
        }
        let time = chrono::NaiveTime::parse_from_str(&text[11..], "%H:%M")
            .map_err(|_| PushTimeError::Time(text.to_owned()))?;
        Ok(PushTime::Minute(date.and_time(time)))
    }

    /// The first instant the bound covers (as a window start).
    pub fn first_second(&self) -> NaiveDateTime {
        match self {
            PushTime::Date(date) => date.and_time(chrono::NaiveTime::MIN),
            PushTime::Minute(at) => truncate_to_minute(*at),
        }
    }

    /// The last second the bound covers (as a window end).
    pub fn last_second(&self) -> NaiveDateTime {
        match self {
            PushTime::Date(date) => date.and_hms_opt(23, 59, 59).unwrap_or_default(),
            PushTime::Minute(at) => truncate_to_minute(*at).with_second(59).unwrap_or(*at),
        }
    }
}

fn truncate_to_minute(at: NaiveDateTime) -> NaiveDateTime {
    at.with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(at)
}

impl fmt::Display for PushTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PushTime::Date(date) => write!(f, "{}", date.format("%Y-%m-%d")),
            PushTime::Minute(at) => write!(f, "{}", at.format("%Y-%m-%d %H:%M")),
        }
    }
}

iryo_runtime::from_str_by_parse!(PushTime: PushTimeError);

impl From<NaiveDate> for PushTime {
    fn from(date: NaiveDate) -> Self {
        PushTime::Date(date)
    }
}

impl From<NaiveDateTime> for PushTime {
    fn from(at: NaiveDateTime) -> Self {
        PushTime::Minute(truncate_to_minute(at))
    }
}

/// A window bound that ORCA would refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PushTimeError {
    /// Neither `YYYY-MM-DD` nor `YYYY-MM-DD HH:MM`.
    #[error("`{0}` is neither YYYY-MM-DD nor YYYY-MM-DD HH:MM")]
    Shape(String),
    /// The date part does not exist (ORCA code 0003/0005).
    #[error("`{0}` has an impossible date")]
    Date(String),
    /// The time part does not exist (ORCA code 0004/0006).
    #[error("`{0}` has an impossible time of day")]
    Time(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_without_colon_round_trips() {
        let t = OrcaTimestamp::parse("2018-01-24T16:02:53+0900").unwrap();
        assert_eq!(t.date_time().offset().local_minus_utc(), 9 * 3600);
        assert_eq!(t.date_time().to_rfc3339(), "2018-01-24T16:02:53+09:00");
        assert_eq!(t.to_string(), "2018-01-24T16:02:53+0900");
    }

    #[test]
    fn timestamp_with_colon_round_trips_and_equals_same_instant() {
        let with = OrcaTimestamp::parse("2017-01-12T14:10:17+09:00").unwrap();
        let without = OrcaTimestamp::parse("2017-01-12T14:10:17+0900").unwrap();
        assert_eq!(with.to_string(), "2017-01-12T14:10:17+09:00");
        assert_eq!(with.date_time(), without.date_time());
    }

    #[test]
    fn other_offsets_keep_their_instant() {
        let t = OrcaTimestamp::parse("2018-01-24T07:02:53+0000").unwrap();
        let jst = OrcaTimestamp::parse("2018-01-24T16:02:53+0900").unwrap();
        assert_eq!(t.date_time(), jst.date_time());
    }

    #[test]
    fn bad_timestamps_are_refused() {
        for bad in [
            "2018-01-24 16:02:53+0900",
            "2018-01-24T16:02:53",
            "2018-01-24T16:02:53Z",
            "",
            "2018-02-30T00:00:00+0900",
        ] {
            assert!(OrcaTimestamp::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn push_time_forms() {
        assert_eq!(
            PushTime::parse("2018-01-24").unwrap().to_string(),
            "2018-01-24"
        );
        let minute = PushTime::parse("2018-01-24 13:00").unwrap();
        assert_eq!(minute.to_string(), "2018-01-24 13:00");
        assert_eq!(minute.last_second().to_string(), "2018-01-24 13:00:59");
        let day = PushTime::parse("2018-01-25").unwrap();
        assert_eq!(day.first_second().to_string(), "2018-01-25 00:00:00");
        assert_eq!(day.last_second().to_string(), "2018-01-25 23:59:59");
    }

    #[test]
    fn push_time_errors_name_the_part() {
        let part = |text| match PushTime::parse(text) {
            Err(PushTimeError::Date(_)) => "date",
            Err(PushTimeError::Time(_)) => "time",
            Err(PushTimeError::Shape(_)) => "shape",
            Ok(_) => "parsed",
        };
        assert_eq!(part("2018-13-01"), "date");
        assert_eq!(part("2018-01-01 25:00"), "time");
        assert_eq!(part("2018-01-01T13:00"), "shape");
        assert_eq!(part("１８-01-01"), "shape");
    }

    #[test]
    fn seconds_are_dropped_from_a_minute_bound() {
        let at = NaiveDate::from_ymd_opt(2018, 1, 24)
            .unwrap()
            .and_hms_opt(13, 0, 42)
            .unwrap();
        assert_eq!(PushTime::from(at).to_string(), "2018-01-24 13:00");
    }
}
