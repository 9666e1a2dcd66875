//! Dates as the PLAT backend writes them: Gson's default for `java.util.Date`, which is
//! `DateFormat.getDateTimeInstance(DEFAULT, DEFAULT, Locale.US)`. Its text depends on the JDK's locale data, so the
//! mock lets a test pick the JDK generation. No zone is written; the mock stores JST wall-clock times.

use chrono::NaiveDateTime;

/// How dates are written, by the JDK generation the real server would run on. The default is [`DateStyle::Java9`],
/// the form of the document's samples (`Oct 7, 2021, 7:51:02 PM`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum DateStyle {
    /// Java 9 to 19 (CLDR locale data): `Oct 7, 2021, 7:51:02 PM`, with a comma after the year.
    #[default]
    Java9,
    /// Java 8 (JRE locale data): `Oct 7, 2021 7:51:02 PM`, without the comma after the year.
    Java8,
    /// JDK 20 and later (CLDR 42): `Oct 7, 2021, 7:51:02\u{202F}PM`, with U+202F NARROW NO-BREAK SPACE before
    /// AM/PM.
    Jdk20,
}

impl DateStyle {
    /// Every style, for parsing and for tests.
    pub const ALL: [DateStyle; 3] = [DateStyle::Java9, DateStyle::Java8, DateStyle::Jdk20];

    /// The chrono pattern of this style. `%b` and `%p` are always English in chrono, as `Locale.US` is in Java.
    fn pattern(self) -> &'static str {
        match self {
            DateStyle::Java9 => "%b %-d, %Y, %-I:%M:%S %p",
            DateStyle::Java8 => "%b %-d, %Y %-I:%M:%S %p",
            DateStyle::Jdk20 => "%b %-d, %Y, %-I:%M:%S\u{202F}%p",
        }
    }

    /// Writes `at` in this style, e.g. `Oct 7, 2021, 7:51:02 PM`.
    pub fn format(self, at: NaiveDateTime) -> String {
        at.format(self.pattern()).to_string()
    }

    /// Reads a date in any of the three styles, or ISO 8601 without a zone (`2021-10-07T19:51:02`), which is how
    /// the fixtures are written. `None` for anything else.
    pub fn parse_any(text: &str) -> Option<NaiveDateTime> {
        if let Ok(at) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S") {
            return Some(at);
        }
        Self::ALL
            .iter()
            .find_map(|style| NaiveDateTime::parse_from_str(text, style.pattern()).ok())
    }

    /// The style named `java9`, `java8` or `jdk20` (the binary's `--date-style`), ignoring ASCII case.
    pub fn from_name(name: &str) -> Option<Self> {
        let name = name.to_ascii_lowercase();
        match name.as_str() {
            "java9" => Some(DateStyle::Java9),
            "java8" => Some(DateStyle::Java8),
            "jdk20" => Some(DateStyle::Jdk20),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d)
            .and_then(|date| date.and_hms_opt(h, mi, s))
            .unwrap_or_default()
    }

    #[test]
    fn the_document_sample_in_each_style() {
        let sample = at(2021, 10, 7, 19, 51, 2);
        assert_eq!(DateStyle::Java9.format(sample), "Oct 7, 2021, 7:51:02 PM");
        assert_eq!(DateStyle::Java8.format(sample), "Oct 7, 2021 7:51:02 PM");
        assert_eq!(
            DateStyle::Jdk20.format(sample),
            "Oct 7, 2021, 7:51:02\u{202F}PM"
        );
    }

    #[test]
    fn midnight_and_noon_are_twelve() {
        for (time, expected) in [
            (at(2021, 1, 1, 0, 0, 0), "Jan 1, 2021, 12:00:00 AM"),
            (at(2021, 6, 30, 12, 5, 9), "Jun 30, 2021, 12:05:09 PM"),
            (at(2021, 6, 30, 11, 59, 59), "Jun 30, 2021, 11:59:59 AM"),
            (at(2021, 9, 3, 13, 0, 0), "Sep 3, 2021, 1:00:00 PM"),
        ] {
            assert_eq!(DateStyle::Java9.format(time), expected);
        }
    }

    #[test]
    fn days_and_hours_are_not_padded_but_minutes_and_seconds_are() {
        assert_eq!(
            DateStyle::Java8.format(at(2022, 3, 2, 1, 2, 3)),
            "Mar 2, 2022 1:02:03 AM"
        );
        assert_eq!(
            DateStyle::Jdk20.format(at(2022, 12, 25, 23, 9, 0)),
            "Dec 25, 2022, 11:09:00\u{202F}PM"
        );
    }

    #[test]
    fn every_style_and_iso_parse_back() {
        let sample = at(2021, 10, 7, 0, 51, 2);
        for style in DateStyle::ALL {
            assert_eq!(DateStyle::parse_any(&style.format(sample)), Some(sample));
        }
        assert_eq!(DateStyle::parse_any("2021-10-07T00:51:02"), Some(sample));
        assert_eq!(DateStyle::parse_any("2021-10-07 00:51:02"), None);
        assert_eq!(DateStyle::parse_any("yesterday"), None);
    }

    #[test]
    fn names_select_styles() {
        assert_eq!(DateStyle::from_name("java8"), Some(DateStyle::Java8));
        assert_eq!(DateStyle::from_name("JDK20"), Some(DateStyle::Jdk20));
        assert_eq!(DateStyle::from_name("java9"), Some(DateStyle::Java9));
        assert_eq!(DateStyle::from_name("java11"), None);
    }
}
