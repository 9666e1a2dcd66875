//! Arbitrary UTF-8 as a search word and as a code-set text: the query string is built or the
//! character Shift_JIS lacks is named, never a panic; what is built is only unreserved
//! characters, `%XX`, `&` and `=`, and the word decodes back to the (normalised) input.

#![no_main]

use iryo_hiyari::{Condition, ItemCode, QueryError, SearchQuery};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let query = SearchQuery::new().words(None, text, Condition::All);
    match query.to_query_string() {
        Ok(built) => {
            assert!(
                built.bytes().all(|b| b.is_ascii_alphanumeric()
                    || matches!(b, b'-' | b'.' | b'_' | b'~' | b'%' | b'&' | b'=')),
                "{built}"
            );
            let word = built
                .split('&')
                .find_map(|pair| pair.strip_prefix("word="))
                .expect("a word parameter");
            let bytes = percent_decode(word);
            let decoded = encoding_rs::SHIFT_JIS
                .decode_without_bom_handling_and_without_replacement(&bytes)
                .expect("valid Shift_JIS");
            // Every character sent comes back as itself or as what normalisation (or the
            // Windows-31J encoder's own one-way mappings, like U+00A5 -> `\`) made of it.
            assert_eq!(
                decoded.chars().count(),
                text.chars().count(),
                "{text:?} -> {decoded:?}"
            );
        }
        Err(QueryError::Encode(e)) => {
            assert_eq!(e.parameter, "word");
            assert!(text.contains(e.character), "{text:?}: {e}");
        }
        Err(other) => panic!("{text:?}: {other}"),
    }
    if let Some(itemcode) = ItemCode::from_known_code("9030010") {
        let _ = SearchQuery::new()
            .code_text(itemcode, text)
            .to_query_string();
    }
});

fn percent_decode(value: &str) -> Vec<u8> {
    let bytes = value.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("ASCII");
            out.push(u8::from_str_radix(hex, 16).expect("hex"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}
