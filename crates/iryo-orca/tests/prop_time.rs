//! Property tests of ORCA's two time formats: generated valid values round-trip through their
//! text, and no string at all makes either parser panic.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use iryo_orca::{OrcaTimestamp, PushTime};
use proptest::prelude::*;
use proptest::test_runner::Config;

/// 0001-01-01T00:00:00 and 9999-12-31T23:59:59 as Unix seconds: every four-digit year.
const FIRST: i64 = -62_135_596_800;
const LAST: i64 = 253_402_300_799;

fn naive() -> impl Strategy<Value = NaiveDateTime> {
    prop_oneof![
        // around today, where real data is
        1_500_000_000..2_000_000_000i64,
        FIRST..=LAST,
    ]
    .prop_map(|secs| {
        DateTime::from_timestamp(secs, 0)
            .expect("in range")
            .naive_utc()
    })
}

/// A UTC offset of whole minutes, as `+hhmm` can write it; JST most of the time.
fn offset() -> impl Strategy<Value = FixedOffset> {
    prop_oneof![
        Just(9 * 3600),
        Just(0),
        (-(23 * 60 + 59)..=(23 * 60 + 59)).prop_map(|minutes: i32| minutes * 60),
    ]
    .prop_map(|secs| FixedOffset::east_opt(secs).expect("under a day"))
}

/// Text near the timestamp form: right shape, numbers in or out of range, odd offsets.
fn near_timestamp() -> impl Strategy<Value = String> {
    proptest::string::string_regex(
        "[+-]?[0-9]{1,6}-[0-9]{1,3}-[0-9]{1,3}[T ][0-9]{1,3}:[0-9]{1,3}:[0-9]{1,3}(\\.[0-9]{1,9})?\
         (Z|[+-][0-9]{1,5}|[+-][0-9]{1,3}:[0-9]{1,3}|:|[+-])?",
    )
    .expect("a valid regex")
}

/// Text near the window-bound forms, including non-ASCII digits and odd separators.
fn near_push_time() -> impl Strategy<Value = String> {
    proptest::string::string_regex(
        "[0-9０-９]{0,5}[-/]?[0-9]{0,3}[-/]?[0-9]{0,3}([ T][0-9]{0,3}:?[0-9]{0,3})?",
    )
    .expect("a valid regex")
}

/// 512 cases (set `PROPTEST_CASES` for a longer run); failures are not persisted to files.
fn config() -> Config {
    iryo_testkit::proptest_config(512)
}

proptest! {
    #![proptest_config(config())]

    /// ORCA's own form (`+0900`) round-trips: same instant, same offset, same text.
    #[test]
    fn timestamp_round_trips(at in naive(), offset in offset(), colon in any::<bool>()) {
        let Some(at) = at.and_local_timezone(offset).single() else {
            return Ok(()); // cannot happen with a fixed offset
        };
        let format = if colon { "%Y-%m-%dT%H:%M:%S%:z" } else { "%Y-%m-%dT%H:%M:%S%z" };
        let text = at.format(format).to_string();
        let parsed = OrcaTimestamp::parse(&text);
        prop_assert!(parsed.is_ok(), "{} refused: {:?}", text, parsed);
        let parsed = parsed.unwrap_or_else(|_| OrcaTimestamp::new(at));
        prop_assert_eq!(parsed.date_time(), at);
        prop_assert_eq!(*parsed.date_time().offset(), offset);
        prop_assert_eq!(parsed.to_string(), text.clone());
        // serde keeps the form too.
        let json = serde_json::to_string(&parsed).unwrap_or_default();
        prop_assert_eq!(json, format!("\"{text}\""));
        // `new` writes ORCA's form, which reads back as the same instant.
        let written = OrcaTimestamp::new(at).to_string();
        prop_assert_eq!(OrcaTimestamp::parse(&written).map(|t| t.date_time()), Ok(at));
    }

    /// Any string gives a value or an error; an accepted value writes text that reads back as
    /// itself.
    #[test]
    fn timestamp_never_panics(text in prop_oneof![any::<String>(), near_timestamp()]) {
        if let Ok(t) = OrcaTimestamp::parse(&text) {
            let written = t.to_string();
            prop_assert_eq!(OrcaTimestamp::parse(&written), Ok(t), "{:?} -> {:?}", text, written);
        }
        let _ = serde_json::from_value::<OrcaTimestamp>(serde_json::Value::String(text));
    }

    /// `YYYY-MM-DD` and `YYYY-MM-DD HH:MM` round-trip; the bounds cover the day or the minute.
    #[test]
    fn push_time_round_trips(at in naive(), minute in any::<bool>()) {
        let (expected, text) = if minute {
            let at = at.date().and_time(NaiveTime::from_hms_opt(at.hour(), at.minute(), 0).unwrap_or_default());
            (PushTime::Minute(at), at.format("%Y-%m-%d %H:%M").to_string())
        } else {
            (PushTime::Date(at.date()), at.format("%Y-%m-%d").to_string())
        };
        prop_assert_eq!(PushTime::parse(&text), Ok(expected));
        prop_assert_eq!(expected.to_string(), text.clone());
        prop_assert_eq!(text.parse::<PushTime>(), Ok(expected));
        let (first, last) = (expected.first_second(), expected.last_second());
        prop_assert!(first <= last);
        let span = (last - first).num_seconds();
        prop_assert_eq!(span, if minute { 59 } else { 86_399 });
        // `From` drops seconds.
        prop_assert_eq!(PushTime::from(at).to_string(), at.format("%Y-%m-%d %H:%M").to_string());
        prop_assert_eq!(PushTime::from(at.date()).to_string(), at.format("%Y-%m-%d").to_string());
    }

    /// Any string gives a value or an error; an accepted one writes itself back unchanged
    /// (ORCA's forms have exactly one spelling).
    #[test]
    fn push_time_never_panics(text in prop_oneof![any::<String>(), near_push_time()]) {
        if let Ok(t) = PushTime::parse(&text) {
            prop_assert_eq!(t.to_string(), text.clone());
            prop_assert!(t.first_second() <= t.last_second());
        }
    }

    /// Every calendar date of a four-digit year is accepted; impossible ones are refused.
    #[test]
    fn push_time_dates_match_the_calendar(year in 0..=9999i32, month in 0..=13u32, day in 0..=32u32) {
        let text = format!("{year:04}-{month:02}-{day:02}");
        let real = NaiveDate::from_ymd_opt(year, month, day);
        prop_assert_eq!(PushTime::parse(&text).ok(), real.map(PushTime::Date), "{}", text);
    }
}
