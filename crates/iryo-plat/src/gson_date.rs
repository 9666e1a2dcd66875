//! Dates as Java's Gson writes `java.util.Date` by default: `Oct 7, 2021, 7:51:02 PM`.

use std::cell::Cell;
use std::fmt;

use chrono::{NaiveDateTime, TimeZone, Timelike};

/// A local date-time (PLAT sends no zone; its servers run on JST), read from Gson's default
/// `java.util.Date` format in any of the forms JDKs produce, or from ISO 8601, and written back in
/// the document's form `Oct 7, 2021, 7:51:02 PM` (fixup `gson-dates`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GsonDateTime(NaiveDateTime);

/// The document's form (Java 9 and later, ASCII space before AM/PM).
const WRITE_FORMAT: &str = "%b %-d, %Y, %-I:%M:%S %p";

/// Java 9+ (`Oct 7, 2021, 7:51:02 PM`) and Java 8 (`Oct 7, 2021 7:51:02 PM`), after the space
/// before AM/PM has been normalised.
const READ_FORMATS: &[&str] = &["%b %d, %Y, %I:%M:%S %p", "%b %d, %Y %I:%M:%S %p"];

impl GsonDateTime {
    /// Wraps a local date-time.
    pub fn new(at: NaiveDateTime) -> Self {
        GsonDateTime(at)
    }

    /// The local date-time.
    pub fn local(&self) -> NaiveDateTime {
        self.0
    }

    /// Parses Gson's forms (with or without the comma after the year; ASCII space, U+00A0 or
    /// U+202F before AM/PM) and ISO 8601 (`2021-10-07T19:51:02`, optionally with fractions and
    /// an offset, which is converted to JST wall-clock time).
    pub fn parse(text: &str) -> Result<Self, GsonDateError> {
        let normalised: String = text
            .trim()
            .chars()
            .map(|c| {
                if matches!(c, '\u{202F}' | '\u{00A0}') {
                    ' '
                } else {
                    c
                }
            })
            .collect();
        for format in READ_FORMATS {
            if let Ok(at) = NaiveDateTime::parse_from_str(&normalised, format) {
                return Ok(GsonDateTime(at));
            }
        }
        parse_iso(&normalised)
            .map(GsonDateTime)
            .ok_or_else(|| GsonDateError {
                text: iryo_runtime::__private::quoted_value(text),
            })
    }
}

/// ISO 8601, with fractions of a second dropped: a Gson date has whole seconds, and the value
/// must read back the same after it is written in Gson's form.
fn parse_iso(text: &str) -> Option<NaiveDateTime> {
    let at = match NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f") {
        Ok(at) => at,
        Err(_) => {
            let with_zone = chrono::DateTime::parse_from_rfc3339(text).ok()?;
            let jst = chrono::FixedOffset::east_opt(9 * 3600)?;
            jst.from_utc_datetime(&with_zone.naive_utc()).naive_local()
        }
    };
    at.with_nanosecond(0)
}

impl fmt::Display for GsonDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format(WRITE_FORMAT))
    }
}

iryo_runtime::from_str_by_parse!(GsonDateTime: GsonDateError);

impl From<NaiveDateTime> for GsonDateTime {
    fn from(at: NaiveDateTime) -> Self {
        GsonDateTime(at)
    }
}

/// ISO 8601 local date-time, as [`IsoDates`] writes dates.
const ISO_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

thread_local! {
    /// Set while an [`IsoDates`] serialises (serialisation is synchronous, so a thread-local scopes it exactly).
    static ISO_OUTPUT: Cell<bool> = const { Cell::new(false) };
}

impl serde::Serialize for GsonDateTime {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match ISO_OUTPUT.get() {
            true => serializer.collect_str(&self.0.format(ISO_FORMAT)),
            false => serializer.collect_str(self),
        }
    }
}

/// Serialises a value with every [`GsonDateTime`] in it written as an ISO 8601 local date-time
/// (`2021-10-07T19:51:02`) instead of Gson's form: for output read by people and tools, not sent to PLAT.
pub struct IsoDates<'a, T: ?Sized>(pub &'a T);

impl<T: serde::Serialize + ?Sized> serde::Serialize for IsoDates<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        /// Puts the previous mode back, even when serialising panics.
        struct Restore(bool);
        impl Drop for Restore {
            fn drop(&mut self) {
                ISO_OUTPUT.set(self.0);
            }
        }
        let _restore = Restore(ISO_OUTPUT.replace(true));
        self.0.serialize(serializer)
    }
}

iryo_runtime::deserialize_by_parse!(GsonDateTime);

/// A date in none of the accepted forms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a Gson date (e.g. `Oct 7, 2021, 7:51:02 PM`) or an ISO 8601 date-time")]
pub struct GsonDateError {
    text: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn iso_dates_are_scoped_to_the_wrapper() {
        let date = GsonDateTime::new(at("2021-10-07 19:51:02"));
        let both = (date, [Some(date)]);
        assert_eq!(
            serde_json::to_string(&IsoDates(&both)).unwrap(),
            r#"["2021-10-07T19:51:02",["2021-10-07T19:51:02"]]"#
        );
        assert_eq!(
            serde_json::to_string(&date).unwrap(),
            r#""Oct 7, 2021, 7:51:02 PM""#
        );
    }

    #[test]
    fn the_documents_dates() {
        assert_eq!(
            GsonDateTime::parse("Oct 7, 2021, 7:51:02 PM")
                .unwrap()
                .local(),
            at("2021-10-07 19:51:02")
        );
        assert_eq!(
            GsonDateTime::parse("Oct 7, 2021, 8:02:04 PM")
                .unwrap()
                .local(),
            at("2021-10-07 20:02:04")
        );
        assert_eq!(
            GsonDateTime::parse("Mar 2, 2021, 1:00:00 AM")
                .unwrap()
                .local(),
            at("2021-03-02 01:00:00")
        );
    }

    #[test]
    fn every_jdk_variant() {
        let expected = at("2021-10-07 19:51:02");
        for text in [
            "Oct 7, 2021 7:51:02 PM",
            "Oct 7, 2021, 7:51:02\u{202F}PM",
            "Oct 7, 2021, 7:51:02\u{00A0}PM",
            "Oct 7, 2021 7:51:02\u{202F}PM",
            "Oct 07, 2021, 07:51:02 PM",
            "2021-10-07T19:51:02",
            "2021-10-07T19:51:02.000",
            "2021-10-07T10:51:02Z",
            "2021-10-07T19:51:02+09:00",
        ] {
            assert_eq!(
                GsonDateTime::parse(text).unwrap().local(),
                expected,
                "{text:?}"
            );
        }
    }

    #[test]
    fn fractions_of_a_second_are_dropped_so_the_value_reads_back() {
        let date = GsonDateTime::parse("2021-10-07T19:51:02.5").unwrap();
        assert_eq!(date.local(), at("2021-10-07 19:51:02"));
        assert_eq!(GsonDateTime::parse(&date.to_string()).unwrap(), date);
    }

    #[test]
    fn midnight_and_noon() {
        assert_eq!(
            GsonDateTime::parse("Jan 1, 2022, 12:00:00 AM")
                .unwrap()
                .local(),
            at("2022-01-01 00:00:00")
        );
        assert_eq!(
            GsonDateTime::parse("Jan 1, 2022, 12:30:00 PM")
                .unwrap()
                .local(),
            at("2022-01-01 12:30:00")
        );
        assert_eq!(
            GsonDateTime::new(at("2022-01-01 00:00:00")).to_string(),
            "Jan 1, 2022, 12:00:00 AM"
        );
        assert_eq!(
            GsonDateTime::new(at("2022-01-01 12:30:00")).to_string(),
            "Jan 1, 2022, 12:30:00 PM"
        );
    }

    #[test]
    fn written_back_in_the_documents_form() {
        let date = GsonDateTime::parse("Oct 7, 2021 7:51:02\u{202F}PM").unwrap();
        assert_eq!(date.to_string(), "Oct 7, 2021, 7:51:02 PM");
        assert_eq!(
            serde_json::to_string(&date).unwrap(),
            "\"Oct 7, 2021, 7:51:02 PM\""
        );
    }

    #[test]
    fn bad_dates_are_refused_with_the_text() {
        for bad in [
            "",
            "Oct 32, 2021, 7:51:02 PM",
            "Foo 7, 2021, 7:51:02 PM",
            "Oct 7, 2021, 13:51:02 PM",
            "Oct 7, 2021, 7:51:02",
            "2021-10-07",
            "07/10/2021 19:51",
            "Feb 29, 2021, 1:00:00 AM",
        ] {
            let err = GsonDateTime::parse(bad).unwrap_err();
            assert!(err.to_string().contains(bad), "{err}");
        }
        assert!(serde_json::from_str::<GsonDateTime>("\"nope\"").is_err());
        assert!(serde_json::from_str::<GsonDateTime>("1633607462000").is_err());
    }
}
