//! Property tests of the Gson date reader: every date-time of 1900-2100 (second precision) written
//! in any JDK's form reads back as itself, and no string at all makes the parser panic.

use chrono::{DateTime, NaiveDateTime, Timelike};
use iryo_plat::GsonDateTime;
use proptest::prelude::*;
use proptest::test_runner::Config;

/// 1900-01-01T00:00:00 and 2100-12-31T23:59:59 as Unix seconds.
const FIRST: i64 = -2_208_988_800;
const LAST: i64 = 4_133_980_799;

fn date_time() -> impl Strategy<Value = NaiveDateTime> {
    (FIRST..=LAST).prop_map(|secs| {
        DateTime::from_timestamp(secs, 0)
            .expect("in range")
            .naive_utc()
    })
}

/// The space before AM/PM as JDKs write it: ASCII (Java 8-19), U+202F (Java 20+ CLDR 42), or
/// U+00A0 (seen in the wild).
fn meridiem_space() -> impl Strategy<Value = char> {
    prop_oneof![Just(' '), Just('\u{202F}'), Just('\u{00A0}')]
}

/// Text near the accepted forms: right shape, wrong numbers and names, odd spaces.
fn near_gson() -> impl Strategy<Value = String> {
    proptest::string::string_regex(
        "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Foo|jan|OCT) [0-9]{0,3},? \
         [+-]?[0-9]{0,6},? [0-9]{0,3}:[0-9]{0,3}:[0-9]{0,3}[ \u{202F}\u{00A0}\t]?(AM|PM|am|pm|XM)?",
    )
    .expect("a valid regex")
}

/// Text near ISO 8601 / RFC 3339, including years and offsets at chrono's limits.
fn near_iso() -> impl Strategy<Value = String> {
    proptest::string::string_regex(
        "[+-]?[0-9]{1,6}-[0-9]{1,2}-[0-9]{1,2}[Tt ][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}\
         (\\.[0-9]{0,12})?(Z|z|[+-][0-9]{2}:[0-9]{2}|[+-][0-9]{4})?",
    )
    .expect("a valid regex")
}

/// 512 cases (set `PROPTEST_CASES` for a longer run); failures are not persisted to files.
fn config() -> Config {
    iryo_testkit::proptest_config(512)
}

proptest! {
    #![proptest_config(config())]

    /// `to_string` then `parse` is the identity, and the text is the document's form.
    #[test]
    fn written_form_round_trips(at in date_time()) {
        let text = GsonDateTime::new(at).to_string();
        prop_assert_eq!(GsonDateTime::parse(&text).map(|d| d.local()), Ok(at), "{}", text);
        prop_assert_eq!(text, at.format("%b %-d, %Y, %-I:%M:%S %p").to_string());
    }

    /// The Java 8 form (no comma after the year), zero-padded fields, and U+202F or U+00A0 before
    /// AM/PM all read as the same value; so does ISO 8601, with or without a zone.
    #[test]
    fn every_jdk_form_reads_the_same(at in date_time(), space in meridiem_space(), pad in any::<bool>()) {
        let (day, hour) = if pad { ("%d", "%I") } else { ("%-d", "%-I") };
        for comma in ["", ","] {
            let text = format!(
                "{}{space}{}",
                at.format(&format!("%b {day}, %Y{comma} {hour}:%M:%S")),
                at.format("%p"),
            );
            prop_assert_eq!(GsonDateTime::parse(&text).map(|d| d.local()), Ok(at), "{:?}", text);
            // Surrounding whitespace is trimmed.
            let padded = format!(" {text}\n");
            prop_assert_eq!(GsonDateTime::parse(&padded).map(|d| d.local()), Ok(at), "{:?}", padded);
        }
        let iso = at.format("%Y-%m-%dT%H:%M:%S").to_string();
        prop_assert_eq!(GsonDateTime::parse(&iso).map(|d| d.local()), Ok(at), "{}", iso);
        // An instant in UTC is read as JST wall-clock time.
        let utc = (at - chrono::TimeDelta::hours(9)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
        prop_assert_eq!(GsonDateTime::parse(&utc).map(|d| d.local()), Ok(at), "{}", utc);
    }

    /// serde goes through the same text.
    #[test]
    fn serde_round_trips(at in date_time()) {
        let json = serde_json::to_string(&GsonDateTime::new(at)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back: Result<GsonDateTime, _> = serde_json::from_str(&json);
        prop_assert_eq!(back.map(|d| d.local()).ok(), Some(at), "{}", json);
    }

    /// Any string gives a value or an error; an accepted value writes text that reads back as
    /// itself (dates out of Gson's range included) to the second: the written form has no
    /// fractions, so `2021-10-07T19:51:02.5` comes back as `...:02`.
    #[test]
    fn arbitrary_text_never_panics(text in prop_oneof![any::<String>(), near_gson(), near_iso()]) {
        if let Ok(date) = GsonDateTime::parse(&text) {
            let written = date.to_string();
            // chrono keeps a leap second (`:60`) as 59 s + 1e9 ns; that survives, fractions do not.
            let leap = date.local().nanosecond() / 1_000_000_000 * 1_000_000_000;
            let whole_seconds = date.local().with_nanosecond(leap).map(GsonDateTime::new);
            prop_assert_eq!(GsonDateTime::parse(&written).ok(), whole_seconds, "{:?} -> {:?}", text, written);
        } else {
            // The error message quotes a bounded prefix of the input and is printable.
            let message = GsonDateTime::parse(&text).map(|_| ()).unwrap_err().to_string();
            prop_assert!(message.chars().count() <= 64 + 120, "{}", message);
        }
    }
}
