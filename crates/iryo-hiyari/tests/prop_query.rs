//! Property tests of the Shift_JIS query encoder: every string Windows-31J can carry survives the
//! trip to the server byte for byte (after the documented normalisation), and every string it
//! cannot carry is refused, naming the first character at fault.
//!
//! The oracle is `encoding_rs` itself, used the way the server uses Windows-31J: the set of
//! characters is every character that a valid single- or double-byte sequence decodes to.

use std::sync::LazyLock;

use encoding_rs::SHIFT_JIS;
use iryo_hiyari::{Condition, QueryError, SearchQuery};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::Config;

/// What the encoder replaces before encoding (the `shift-jis-normalisation` fixup), written out
/// again here so that the test does not trust the library's table.
const NORMALISE: &[(char, char)] = &[
    ('\u{301C}', '\u{FF5E}'),
    ('\u{2016}', '\u{2225}'),
    ('\u{2014}', '\u{2015}'),
    ('\u{00A2}', '\u{FFE0}'),
    ('\u{00A3}', '\u{FFE1}'),
    ('\u{00AC}', '\u{FFE2}'),
];

fn normalise_char(c: char) -> char {
    NORMALISE
        .iter()
        .find(|(from, _)| *from == c)
        .map_or(c, |(_, to)| *to)
}

fn normalise(text: &str) -> String {
    text.chars().map(normalise_char).collect()
}

/// Every character a valid Shift_JIS (Windows-31J) byte sequence decodes to, sorted, deduplicated.
static DECODED: LazyLock<Vec<char>> = LazyLock::new(|| {
    let mut chars = Vec::new();
    let mut decode = |bytes: &[u8]| {
        if let Some(text) = SHIFT_JIS.decode_without_bom_handling_and_without_replacement(bytes) {
            let mut it = text.chars();
            if let (Some(c), None) = (it.next(), it.next()) {
                chars.push(c);
            }
        }
    };
    for byte in 0..=0xFFu8 {
        decode(&[byte]);
    }
    for lead in (0x81..=0x9Fu8).chain(0xE0..=0xFC) {
        for trail in (0x40..=0x7Eu8).chain(0x80..=0xFC) {
            decode(&[lead, trail]);
        }
    }
    chars.sort_unstable();
    chars.dedup();
    chars
});

/// The user-defined area (外字, `F040`-`F9FC`): decoded to private-use characters, but the
/// WHATWG encoder that encoding_rs implements has no bytes for them, so the client refuses them.
const USER_DEFINED: std::ops::RangeInclusive<char> = '\u{E000}'..='\u{E757}';

/// The characters the client can send: every decoded one except the user-defined area.
static CARRIED: LazyLock<Vec<char>> = LazyLock::new(|| {
    DECODED
        .iter()
        .copied()
        .filter(|c| !USER_DEFINED.contains(c))
        .collect()
});

/// Whether encoding_rs's Windows-31J encoder has bytes for `c`.
fn encodable(c: char) -> bool {
    !SHIFT_JIS.encode(c.encode_utf8(&mut [0; 4])).2
}

/// The characters normalisation turns into carried ones.
fn normalised_sources() -> Vec<char> {
    NORMALISE.iter().map(|(from, _)| *from).collect()
}

/// A character Windows-31J can carry: mostly ASCII or from the decoded set, sometimes one that
/// normalisation replaces.
fn carried_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => proptest::char::range(' ', '~'),
        6 => select(CARRIED.clone()),
        1 => select(normalised_sources()),
    ]
}

/// A character Windows-31J cannot carry even after normalisation.
fn refused_char() -> impl Strategy<Value = char> {
    prop_oneof![
        // emoji, Hangul syllables, Thai, Devanagari, supplementary CJK: well-known gaps
        proptest::char::range('\u{1F300}', '\u{1FAFF}'),
        proptest::char::range('\u{AC00}', '\u{D7A3}'),
        proptest::char::range('\u{0E00}', '\u{0E7F}'),
        proptest::char::range('\u{0900}', '\u{097F}'),
        proptest::char::range('\u{20000}', '\u{2A6DF}'),
        // the user-defined area, which decodes but does not encode
        proptest::char::range(*USER_DEFINED.start(), *USER_DEFINED.end()),
        // anything at all
        any::<char>(),
    ]
    .prop_filter("Windows-31J carries it", |c| !encodable(normalise_char(*c)))
}

fn carried_string() -> impl Strategy<Value = String> {
    proptest::collection::vec(carried_char(), 0..40).prop_map(|v| v.into_iter().collect())
}

/// The `word=` value of a query string, still percent-encoded.
fn word_value(query: &str) -> &str {
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("word="))
        .expect("a word parameter")
}

/// Percent-decoding as a server does it; `None` when a `%` is not followed by two upper-case hex
/// digits or a byte outside the unreserved set appears unencoded.
fn strict_percent_decode(value: &str) -> Option<Vec<u8>> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            if !hex
                .iter()
                .all(|h| h.is_ascii_digit() || (b'A'..=b'F').contains(h))
            {
                return None;
            }
            out.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
            i += 3;
        } else if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b);
            i += 1;
        } else {
            return None;
        }
    }
    Some(out)
}

/// 512 cases (set `PROPTEST_CASES` for a longer run); failures are not persisted to files.
fn config() -> Config {
    iryo_testkit::proptest_config(512)
}

#[test]
fn the_carried_set_is_what_the_encoder_carries() {
    // Thousands of characters: ASCII, half-width katakana, JIS X 0208, NEC and IBM extensions.
    assert!(CARRIED.len() > 7_000, "{}", CARRIED.len());
    for c in [
        'ソ', '表', '①', '髙', '﨑', 'ｱ', '～', '∥', '―', '￠', '￡', '￢', '\\', '~',
    ] {
        assert!(CARRIED.binary_search(&c).is_ok(), "{c:?} missing");
    }
    // Everything decoded is encodable, except exactly the user-defined area.
    let not_encodable: Vec<char> = DECODED.iter().copied().filter(|c| !encodable(*c)).collect();
    assert_eq!(not_encodable.len(), 1880);
    assert!(not_encodable.iter().all(|c| USER_DEFINED.contains(c)));
    let err = SearchQuery::new()
        .words(None, "外字\u{E000}", Condition::All)
        .to_query_string();
    assert!(
        matches!(&err, Err(QueryError::Encode(e)) if e.character == '\u{E000}'),
        "{err:?}"
    );
}

proptest! {
    #![proptest_config(config())]

    /// A carried string reaches the server as itself (normalised), encoded with nothing but
    /// unreserved characters and upper-case `%XX`.
    #[test]
    fn carried_strings_round_trip(word in carried_string()) {
        let query = SearchQuery::new().words(None, word.clone(), Condition::All);
        let text = query.to_query_string().map_err(|e| TestCaseError::fail(format!("{e}")))?;
        let value = word_value(&text);
        let bytes = strict_percent_decode(value);
        prop_assert!(bytes.is_some(), "not strictly percent-encoded: {value}");
        let bytes = bytes.unwrap_or_default();
        let decoded = SHIFT_JIS.decode_without_bom_handling_and_without_replacement(&bytes);
        prop_assert!(decoded.is_some(), "invalid Shift_JIS sent: {value}");
        prop_assert_eq!(decoded.unwrap_or_default(), normalise(&word));
        // The whole query string has the same alphabet.
        prop_assert!(text.bytes().all(|b| b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~' | b'%' | b'&' | b'=')), "{}", text);
    }

    /// A string with a character Windows-31J lacks is refused before sending, and the error names
    /// the first such character and the parameter.
    #[test]
    fn refused_strings_name_the_first_culprit(
        before in carried_string(),
        culprit in refused_char(),
        after in proptest::collection::vec(any::<char>(), 0..10),
    ) {
        let word: String = before.chars().chain([culprit]).chain(after).collect();
        let query = SearchQuery::new().words(None, word.clone(), Condition::Any);
        match query.to_query_string() {
            Err(QueryError::Encode(e)) => {
                prop_assert_eq!(e.parameter, "word");
                prop_assert_eq!(e.character, culprit, "in {:?}", word);
            }
            other => prop_assert!(false, "{:?} gave {:?}", word, other),
        }
    }

    /// The same holds for the free text of a code set (`text=`).
    #[test]
    fn code_text_is_encoded_like_words(text in carried_string().prop_filter("non-empty", |s| !s.is_empty())) {
        let itemcode = iryo_hiyari::ItemCode::from_known_code("9030010").expect("a listed code");
        let query = SearchQuery::new().code_text(itemcode, text.clone());
        let encoded = query.to_query_string().map_err(|e| TestCaseError::fail(format!("{e}")))?;
        let value = encoded
            .split('&')
            .find_map(|pair| pair.strip_prefix("text="))
            .unwrap_or_default();
        let bytes = strict_percent_decode(value).unwrap_or_default();
        // Without BOM sniffing: `EF BB BF` is a valid Shift_JIS sequence (two characters).
        let decoded = SHIFT_JIS.decode_without_bom_handling_and_without_replacement(&bytes);
        prop_assert_eq!(decoded.map(|d| d.into_owned()), Some(normalise(&text)));
    }
}
