//! Server text made safe to show on a terminal: control characters replaced, cut to a sane length.

/// The most characters of server text an error message shows.
pub const SHOWN_CHARS: usize = 200;

/// `text` with every control character (C0, DEL, C1; newlines and tabs included) replaced by
/// U+FFFD, and cut after [`SHOWN_CHARS`] characters with `…`. Escape sequences from a hostile
/// server cannot reach the terminal this way, and one line stays one line.
pub fn shown(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(SHOWN_CHARS * 3));
    for (i, c) in text.chars().enumerate() {
        if i == SHOWN_CHARS {
            out.push('…');
            break;
        }
        out.push(if c.is_control() { '\u{FFFD}' } else { c });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_replaced_and_long_text_cut() {
        assert_eq!(
            shown("a\u{1b}[31mb\nc\u{9b}d"),
            "a\u{FFFD}[31mb\u{FFFD}c\u{FFFD}d"
        );
        let long = "あ".repeat(1000);
        let cut = shown(&long);
        assert_eq!(cut.chars().count(), SHOWN_CHARS + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(shown("検索結果が存在しません"), "検索結果が存在しません");
    }
}
