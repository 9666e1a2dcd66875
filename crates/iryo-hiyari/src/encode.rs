//! Query values as the API reads them: Shift_JIS (Windows-31J) bytes, every byte outside the
//! RFC 3986 unreserved set percent-encoded (fixup `shift-jis-normalisation`).

use std::fmt::Write as _;

use encoding_rs::SHIFT_JIS;

/// Characters people type that Windows-31J carries under another code point.
const NORMALISE: &[(char, char)] = &[
    ('\u{301C}', '\u{FF5E}'), // WAVE DASH -> FULLWIDTH TILDE
    ('\u{2016}', '\u{2225}'), // DOUBLE VERTICAL LINE -> PARALLEL TO
    ('\u{2014}', '\u{2015}'), // EM DASH -> HORIZONTAL BAR
    ('\u{00A2}', '\u{FFE0}'), // CENT SIGN -> FULLWIDTH CENT SIGN
    ('\u{00A3}', '\u{FFE1}'), // POUND SIGN -> FULLWIDTH POUND SIGN
    ('\u{00AC}', '\u{FFE2}'), // NOT SIGN -> FULLWIDTH NOT SIGN
];

/// A character that Shift_JIS cannot carry, found before anything was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{parameter}` contains {character:?} (U+{code:04X}), which Shift_JIS cannot carry", code = *character as u32)]
pub struct EncodeError {
    /// The query parameter (`word`, `text`, ...).
    pub parameter: &'static str,
    /// The first character refused.
    pub character: char,
}

/// Replaces the characters of [`NORMALISE`].
pub fn normalise(value: &str) -> String {
    value
        .chars()
        .map(|c| {
            NORMALISE
                .iter()
                .find(|(from, _)| *from == c)
                .map_or(c, |(_, to)| *to)
        })
        .collect()
}

/// The Shift_JIS bytes of `value` after normalisation, or the first character that has none.
pub fn shift_jis_bytes(parameter: &'static str, value: &str) -> Result<Vec<u8>, EncodeError> {
    let value = normalise(value);
    let (bytes, _, unmappable) = SHIFT_JIS.encode(&value);
    if !unmappable {
        return Ok(bytes.into_owned());
    }
    // encoding_rs wrote `&#NNNN;` for some character: find which, to name it.
    let character = value
        .chars()
        .find(|c| SHIFT_JIS.encode(c.encode_utf8(&mut [0; 4])).2)
        .unwrap_or('\u{FFFD}');
    Err(EncodeError {
        parameter,
        character,
    })
}

/// Appends `bytes` percent-encoded: A-Z a-z 0-9 `-._~` stay, every other byte becomes `%XX`.
pub fn percent_encode_into(out: &mut String, bytes: &[u8]) {
    for &byte in bytes {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
}

/// `name=value` with the value in Shift_JIS, percent-encoded.
pub fn append_pair(out: &mut String, name: &'static str, value: &str) -> Result<(), EncodeError> {
    let bytes = shift_jis_bytes(name, value)?;
    if !out.is_empty() {
        out.push('&');
    }
    out.push_str(name);
    out.push('=');
    percent_encode_into(out, &bytes);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(value: &str) -> String {
        let mut out = String::new();
        percent_encode_into(&mut out, &shift_jis_bytes("word", value).unwrap());
        out
    }

    /// Each `(value, encoding)` pair, the value named when it fails.
    fn assert_encodes(cases: &[(&str, &str)]) {
        for (value, expected) in cases {
            assert_eq!(encoded(value), *expected, "{value:?}");
        }
    }

    #[test]
    fn the_documents_words() {
        assert_encodes(&[
            ("過労 疲労", "%89%DF%98J%20%94%E6%98J"),
            ("夜勤 長時間", "%96%E9%8B%CE%20%92%B7%8E%9E%8A%D4"),
        ]);
    }

    #[test]
    fn trail_byte_0x5c_is_percent_encoded() {
        assert_encodes(&[("ソ", "%83%5C"), ("表", "%95%5C"), ("ソ表", "%83%5C%95%5C")]);
    }

    #[test]
    fn ascii_reserved_characters_are_encoded_unreserved_are_not() {
        assert_encodes(&[("a-b._~", "a-b._~"), ("a&b=c+d/e?", "a%26b%3Dc%2Bd%2Fe%3F")]);
    }

    #[test]
    fn characters_users_type_are_normalised() {
        // WAVE DASH, as in "〜のため", becomes the Windows-31J FULLWIDTH TILDE 0x8160
        assert_encodes(&[("\u{301C}", "%81%60"), ("\u{FF5E}", "%81%60")]);
        assert_eq!(encoded("\u{2016}"), encoded("\u{2225}"));
        assert_eq!(encoded("\u{2014}"), encoded("\u{2015}"));
        assert_eq!(
            encoded("\u{00A2}\u{00A3}\u{00AC}"),
            encoded("\u{FFE0}\u{FFE1}\u{FFE2}")
        );
    }

    #[test]
    fn cp932_extensions_are_carried() {
        assert!(shift_jis_bytes("word", "①髙﨑ｱｲｳ").is_ok());
    }

    #[test]
    fn unencodable_characters_are_named() {
        let err = shift_jis_bytes("word", "過労😀です").unwrap_err();
        assert_eq!(err.character, '😀');
        assert_eq!(err.parameter, "word");
        assert!(err.to_string().contains("U+1F600"), "{err}");
        let err = shift_jis_bytes("text", "한국").unwrap_err();
        assert_eq!(err.character, '한');
    }
}
