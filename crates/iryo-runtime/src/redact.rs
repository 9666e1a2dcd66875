//! The one path for server text shown to a person (excerpts of unexpected bodies, socket close
//! and error reasons, OAuth `error_description`): short, control characters replaced (no escape
//! sequence reaches a terminal), and never a secret of the request (a server or proxy may echo
//! the request's headers or form back).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use reqwest::header::HeaderValue;

/// Characters an excerpt keeps at most.
pub const EXCERPT_CHARS: usize = 160;
/// Bytes of a body looked at for an excerpt.
const EXCERPT_WINDOW: usize = 1024;
/// Secrets remembered (a token provider may hand out new tokens).
const REMEMBERED: usize = 8;
const REDACTED: &str = "[REDACTED]";

/// The secrets a client has sent (the `Authorization` value, its token or Basic string, the
/// decoded `user:password` and the password), so that excerpts can blank them out. Cheap to clone
/// (shared).
#[derive(Clone, Default)]
pub struct Redactor {
    secrets: Arc<Mutex<VecDeque<String>>>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Redactor([REDACTED])")
    }
}

impl Redactor {
    /// A redactor that knows the secrets of the `Authorization` header a connection sends, if any.
    pub fn remembering(authorization: Option<&HeaderValue>) -> Self {
        let redactor = Redactor::default();
        if let Some(value) = authorization {
            redactor.remember(value);
        }
        redactor
    }

    /// Remembers the secrets inside an `Authorization` header value.
    pub fn remember(&self, authorization: &HeaderValue) {
        let Ok(text) = authorization.to_str() else {
            return;
        };
        let mut found = vec![text.to_owned()];
        if let Some((scheme, credential)) = text.split_once(' ') {
            found.push(credential.trim().to_owned());
            if scheme.eq_ignore_ascii_case("basic")
                && let Ok(pair) =
                    base64::engine::general_purpose::STANDARD.decode(credential.trim())
                && let Ok(pair) = String::from_utf8(pair)
            {
                if let Some((_, password)) = pair.split_once(':') {
                    found.push(password.to_owned());
                }
                found.push(pair);
            }
        }
        self.remember_all(found);
    }

    /// Remembers a secret sent otherwise than in `Authorization` (a refresh token, an
    /// authorization code or PKCE verifier in a form).
    pub fn remember_secret(&self, secret: &str) {
        self.remember_all(vec![secret.to_owned()]);
    }

    fn remember_all(&self, found: Vec<String>) {
        let Ok(mut secrets) = self.secrets.lock() else {
            return;
        };
        for secret in found.into_iter().filter(|s| s.len() >= 3) {
            if !secrets.contains(&secret) {
                if secrets.len() == REMEMBERED * 4 {
                    secrets.pop_front();
                }
                secrets.push_back(secret);
            }
        }
    }

    /// At most [`EXCERPT_CHARS`] characters of the start of `bytes` (lossy UTF-8, `…` when cut),
    /// secrets replaced by `[REDACTED]`, control characters as [`printable`] says.
    pub fn excerpt(&self, bytes: &[u8]) -> String {
        let window = &bytes[..bytes.len().min(EXCERPT_WINDOW)];
        let mut text = String::from_utf8_lossy(window).into_owned();
        if let Ok(secrets) = self.secrets.lock() {
            // Longest first, so that a password inside `user:password` does not split it.
            let mut sorted: Vec<&String> = secrets.iter().collect();
            sorted.sort_by_key(|s| std::cmp::Reverse(s.len()));
            for secret in sorted {
                text = text.replace(secret.as_str(), REDACTED);
                cut_partial_tail(&mut text, secret);
            }
        }
        shorten(&text, bytes.len() > window.len())
    }
}

/// The window may end inside a secret: drop a tail that is a secret's beginning.
fn cut_partial_tail(text: &mut String, secret: &str) {
    let longest = (1..secret.len())
        .rev()
        .filter(|&n| secret.is_char_boundary(n))
        .find(|&n| n >= 3 && text.ends_with(&secret[..n]));
    if let Some(n) = longest {
        text.truncate(text.len() - n);
        text.push_str(REDACTED);
    }
}

fn shorten(text: &str, more: bool) -> String {
    let mut out: String = text
        .chars()
        .take(EXCERPT_CHARS)
        .map(printable_char)
        .collect();
    if more || text.chars().count() > EXCERPT_CHARS {
        out.push('…');
    }
    out
}

/// `text` fit for one line of a terminal or a log: line breaks and tabs become spaces, every other
/// control character (ESC of an escape sequence, BEL, C1 controls) `�`. The rule of every
/// excerpt, and of the lines the CLI prints.
pub fn printable(text: &str) -> String {
    text.chars().map(printable_char).collect()
}

fn printable_char(c: char) -> char {
    match c {
        '\n' | '\r' | '\t' => ' ',
        c if c.is_control() => '\u{FFFD}',
        c => c,
    }
}

/// An excerpt without redaction, for answers to requests that carried no secret.
pub fn body_excerpt(bytes: &[u8]) -> String {
    Redactor::default().excerpt(bytes)
}

/// Reads at most the first KiB of an unexpected answer (the rest is never read) and makes an
/// unredacted excerpt of it.
pub async fn read_excerpt(mut response: reqwest::Response) -> String {
    let mut body = Vec::new();
    while body.len() < 1024 {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            _ => break,
        }
    }
    body.truncate(1024);
    body_excerpt(&body)
}

/// The start of a value that did not parse, as an error quotes it: at most 64 characters.
pub fn quoted_value(text: &str) -> String {
    text.chars().take(64).collect()
}

/// ` (body starts: …)` for error messages, or nothing for an empty excerpt.
pub fn excerpt_suffix(excerpt: &str) -> String {
    if excerpt.is_empty() {
        String::new()
    } else {
        format!(" (body starts: {excerpt})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redactor(header: &str) -> Redactor {
        let redactor = Redactor::default();
        redactor.remember(&HeaderValue::from_str(header).unwrap());
        redactor
    }

    #[test]
    fn echoed_tokens_and_basic_credentials_are_blanked() {
        let r = redactor("Bearer tok-secret-123");
        let shown = r.excerpt(
            b"{\"echo\":\"Authorization: Bearer tok-secret-123\",\"t\":\"tok-secret-123\"}",
        );
        assert!(!shown.contains("tok-secret"), "{shown}");
        assert!(shown.contains(REDACTED), "{shown}");
        // ormaster:s3cret-pw
        let r = redactor("Basic b3JtYXN0ZXI6czNjcmV0LXB3");
        for body in [
            "Basic b3JtYXN0ZXI6czNjcmV0LXB3",
            "pw=s3cret-pw",
            "ormaster:s3cret-pw",
        ] {
            let shown = r.excerpt(body.as_bytes());
            assert!(
                !shown.contains("s3cret") && !shown.contains("b3JtYXN0ZXI6"),
                "{shown}"
            );
        }
    }

    #[test]
    fn a_secret_cut_by_the_window_is_blanked_too() {
        let mut body = vec![b' '; EXCERPT_WINDOW - 6];
        body.extend_from_slice(b"abcdefghijklmnop");
        let text = String::from_utf8_lossy(&body[..EXCERPT_WINDOW]).into_owned();
        let mut tail = text.clone();
        cut_partial_tail(&mut tail, "abcdefghijklmnop");
        assert!(
            !tail.contains("abcdef") && tail.ends_with(REDACTED),
            "{tail}"
        );
    }

    #[test]
    fn a_quoted_value_keeps_64_characters_not_bytes() {
        assert_eq!(quoted_value("2018-13-01"), "2018-13-01");
        let long = "日".repeat(100);
        assert_eq!(quoted_value(&long), "日".repeat(64));
    }

    #[test]
    fn a_redactor_remembering_a_header_blanks_its_secret() {
        let header = HeaderValue::from_static("Bearer tok-do-not-show");
        let redactor = Redactor::remembering(Some(&header));
        assert!(
            !redactor
                .excerpt(b"got tok-do-not-show")
                .contains("tok-do-not-show")
        );
        let none = Redactor::remembering(None);
        assert_eq!(none.excerpt(b"plain"), "plain");
    }

    #[test]
    fn excerpts_are_short_and_without_control_characters() {
        assert_eq!(body_excerpt(b"short"), "short");
        let long = "あ".repeat(300);
        let cut = body_excerpt(long.as_bytes());
        assert_eq!(cut.chars().count(), EXCERPT_CHARS + 1);
        assert!(cut.ends_with('…'));
        let shown = body_excerpt(b"line\r\n\x1b[31mred\x07\xc2\x9b2J");
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
        assert_eq!(shown, "line  \u{FFFD}[31mred\u{FFFD}\u{FFFD}2J");
    }

    #[test]
    fn a_secret_sent_in_a_form_is_blanked() {
        let r = Redactor::default();
        r.remember_secret("refresh-tok-XYZ");
        let shown = r.excerpt(b"Token is not active: refresh-tok-XYZ\x1b]0;owned\x07");
        assert!(!shown.contains("refresh-tok"), "{shown}");
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
    }
}
