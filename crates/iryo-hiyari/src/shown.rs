//! Server text made safe to show on a terminal, through the one path of every iryo client
//! ([`iryo_runtime::__private::Redactor::excerpt`]): control characters replaced, secrets of the request
//! blanked, cut to a sane length.

/// The most characters of server text an error message shows.
pub const SHOWN_CHARS: usize = iryo_runtime::__private::EXCERPT_CHARS;

/// `text` as [`iryo_runtime::__private::printable`] shows it (line breaks and tabs as spaces, every other
/// control character, C0, DEL and C1, as U+FFFD), cut after [`SHOWN_CHARS`] characters with `…`.
/// Escape sequences from a hostile server cannot reach the terminal this way, and one line stays
/// one line. The search API takes no credentials, so there is no secret to blank.
pub fn shown(text: &str) -> String {
    iryo_runtime::__private::body_excerpt(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_replaced_and_long_text_cut() {
        assert_eq!(
            shown("a\u{1b}[31mb\nc\u{9b}d\u{7f}"),
            "a\u{FFFD}[31mb c\u{FFFD}d\u{FFFD}"
        );
        let long = "あ".repeat(1000);
        let cut = shown(&long);
        assert_eq!(cut.chars().count(), SHOWN_CHARS + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(shown("検索結果が存在しません"), "検索結果が存在しません");
    }
}
