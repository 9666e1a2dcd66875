//! Decoding a raw query string (or form body) the way the real server reads it: Shift_JIS bytes behind
//! percent escapes. The bytes are read by hand because every framework decoder assumes UTF-8.

use encoding_rs::SHIFT_JIS;

/// Why one parameter could not be read; the message names the parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DecodeError(pub(crate) String);

/// The parameters of `raw` in order, strictly decoded: `&` separates pairs, `=` name from value (a pair
/// without `=` has an empty value, empty pairs are skipped), `+` is a space, `%XX` a byte (either case of hex),
/// and the bytes are read as Shift_JIS (encoding_rs's table, which is Windows-31J).
pub(crate) fn decode_strict(raw: &[u8]) -> Result<Vec<(String, String)>, DecodeError> {
    let mut params = Vec::new();
    for (raw_name, raw_value) in pairs(raw) {
        let name = decode_component(raw_name, None)?;
        let value = decode_component(raw_value, Some(&name))?;
        params.push((name, value));
    }
    Ok(params)
}

/// The same split, decoded leniently (bad escapes kept as they are, bad Shift_JIS as U+FFFD, UTF-8 read as
/// Shift_JIS), for recording what arrived whatever it was.
pub(crate) fn decode_lossy(raw: &[u8]) -> Vec<(String, String)> {
    let lossy = |component: &[u8]| {
        let bytes = percent_decode(component).unwrap_or_else(|_| component.to_vec());
        SHIFT_JIS.decode_without_bom_handling(&bytes).0.into_owned()
    };
    pairs(raw)
        .map(|(name, value)| (lossy(name), lossy(value)))
        .collect()
}

fn pairs(raw: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    raw.split(|b| *b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.iter().position(|b| *b == b'=') {
            Some(at) => (&pair[..at], &pair[at + 1..]),
            None => (pair, &pair[pair.len()..]),
        })
}

/// Decodes a name (`parameter` is `None`) or the value of `parameter`.
fn decode_component(raw: &[u8], parameter: Option<&str>) -> Result<String, DecodeError> {
    let what = || match parameter {
        Some(name) => format!("パラメータ {name} の値"),
        None => format!(
            "パラメータ名「{}」",
            String::from_utf8_lossy(raw)
                .chars()
                .take(40)
                .collect::<String>()
        ),
    };
    let bytes = percent_decode(raw).map_err(|()| {
        DecodeError(format!(
            "{}に不正なパーセントエンコーディングがあります。",
            what()
        ))
    })?;
    if looks_like_utf8(&bytes) {
        return Err(DecodeError(format!(
            "{}が UTF-8 で符号化されています。Shift_JIS で符号化してください。",
            what()
        )));
    }
    match SHIFT_JIS.decode_without_bom_handling_and_without_replacement(&bytes) {
        Some(text) => Ok(text.into_owned()),
        None => Err(DecodeError(format!(
            "{}が Shift_JIS として読めません。",
            what()
        ))),
    }
}

/// `+` becomes a space and `%XX` a byte; a `%` without two hex digits after it is an error.
fn percent_decode(raw: &[u8]) -> Result<Vec<u8>, ()> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let high = raw.get(i + 1).and_then(|b| hex(*b)).ok_or(())?;
                let low = raw.get(i + 2).and_then(|b| hex(*b)).ok_or(())?;
                out.push(high << 4 | low);
                i += 2;
            }
            other => out.push(other),
        }
        i += 1;
    }
    Ok(out)
}

fn hex(digit: u8) -> Option<u8> {
    char::from(digit)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// UTF-8 text with at least one character of three or more bytes (every kana and kanji is). Two-byte UTF-8
/// alone does not count: pairs of half-width katakana in Shift_JIS (`ﾃｽ` = `C3 BD`) are valid UTF-8 too.
fn looks_like_utf8(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|text| text.chars().any(|c| c.len_utf8() >= 3))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strict(raw: &str) -> Result<Vec<(String, String)>, DecodeError> {
        decode_strict(raw.as_bytes())
    }

    fn pair(name: &str, value: &str) -> (String, String) {
        (name.to_owned(), value.to_owned())
    }

    #[test]
    fn reads_the_documents_sample_in_either_case_of_hex() {
        let expected = vec![
            pair("item", "LSTFACTOR"),
            pair("word", "過労 疲労"),
            pair("condition", "any"),
        ];
        let lower = "item=LSTFACTOR&word=%89%df%98J%20%94%e6%98J&condition=any";
        assert_eq!(strict(lower), Ok(expected.clone()));
        let upper = "item=LSTFACTOR&word=%89%DF%98J%20%94%E6%98J&condition=any";
        assert_eq!(strict(upper), Ok(expected));
    }

    #[test]
    fn splits_plus_empty_pairs_and_trail_bytes() {
        assert_eq!(
            strict("a=%83%5C+%95%5C&&b&c=&=d"),
            Ok(vec![
                pair("a", "ソ 表"),
                pair("b", ""),
                pair("c", ""),
                pair("", "d")
            ])
        );
        assert_eq!(
            strict("w=%87%40%FB%FC%ED%95%81%60"),
            Ok(vec![pair("w", "①髙﨑～")])
        );
        assert_eq!(strict("w=%C3%BD"), Ok(vec![pair("w", "ﾃｽ")]));
    }

    #[test]
    fn refuses_utf8_bad_escapes_and_bad_shift_jis() {
        let utf8 = strict("word=%E9%81%8E%E5%8A%B4").map_err(|e| e.0);
        assert_eq!(
            utf8,
            Err("パラメータ word の値が UTF-8 で符号化されています。Shift_JIS で符号化してください。".to_owned())
        );
        let bad = strict("item=X&word=%85%40").map_err(|e| e.0);
        assert_eq!(
            bad,
            Err("パラメータ word の値が Shift_JIS として読めません。".to_owned())
        );
        let escape = strict("start=%4").map_err(|e| e.0);
        assert_eq!(
            escape,
            Err("パラメータ start の値に不正なパーセントエンコーディングがあります。".to_owned())
        );
        assert!(strict("%zz=1").is_err());
    }

    #[test]
    fn lossy_keeps_whatever_arrived() {
        assert_eq!(
            decode_lossy(b"word=%E9%81%8E&x=%4"),
            vec![pair("word", "驕\u{fffd}"), pair("x", "%4")]
        );
    }
}
