//! Writing records to stdout, and how a command ends: done, stdout closed by its reader (a quiet
//! stop, e.g. `| head`), or failed.

use std::io::{self, BufWriter, Write};

use serde::Serialize;

use crate::error::CliError;

/// Why a command stopped before the end.
#[derive(Debug)]
pub enum Stop {
    /// The reader of stdout went away (broken pipe): stop quietly, exit 0.
    Closed,
    /// A failure, reported as one `error:` line.
    Failed(CliError),
}

impl From<CliError> for Stop {
    fn from(error: CliError) -> Self {
        Stop::Failed(error)
    }
}

impl From<io::Error> for Stop {
    fn from(error: io::Error) -> Self {
        if error.kind() == io::ErrorKind::BrokenPipe {
            Stop::Closed
        } else {
            Stop::Failed(CliError::output(error))
        }
    }
}

impl From<csv::Error> for Stop {
    fn from(error: csv::Error) -> Self {
        match error.into_kind() {
            csv::ErrorKind::Io(io) => Stop::from(io),
            other => Stop::Failed(CliError::Transport(format!(
                "writing CSV failed: {other:?}"
            ))),
        }
    }
}

macro_rules! stop_from_client_error {
    ($($error:ty),*) => {$(
        impl From<$error> for Stop {
            fn from(error: $error) -> Self {
                Stop::Failed(CliError::from(error))
            }
        }
    )*};
}

stop_from_client_error!(iryo_orca::Error, iryo_plat::Error, iryo_hiyari::Error);

/// Bytes gathered before one write to stdout (whose own buffer is a line's).
const OUT_BUFFER: usize = 64 * 1024;

/// One JSON object and a newline, written member by member: values given as JSON text (a body
/// kept as text) or as typed values. The line is byte for byte what serde_json prints for the
/// same object as a `serde_json::Value` (compact; strings and numbers re-encoded as serde_json
/// does), but no tree is built: memory is the largest typed value's text, any nesting depth
/// prints (a `Value` stops at 128 levels). Duplicate keys inside a text are printed as they are
/// (a `Value` keeps the last one). Shared by the ORCA and PLAneTs commands.
pub struct JsonLine<'a, W: Write> {
    out: BufWriter<&'a mut W>,
    members: usize,
}

impl<'a, W: Write> JsonLine<'a, W> {
    /// Starts the object.
    pub fn start(out: &'a mut W) -> Result<Self, Stop> {
        let mut out = BufWriter::with_capacity(OUT_BUFFER, out);
        out.write_all(b"{")?;
        Ok(JsonLine { out, members: 0 })
    }

    fn key(&mut self, key: &str) -> Result<(), Stop> {
        if self.members > 0 {
            self.out.write_all(b",")?;
        }
        self.members += 1;
        serde_json::to_writer(&mut self.out, key).map_err(json_error)?;
        self.out.write_all(b":")?;
        Ok(())
    }

    /// A member whose value is JSON text.
    pub fn text(&mut self, key: &str, json: &str) -> Result<(), Stop> {
        self.key(key)?;
        write_compact(&mut self.out, json)?;
        Ok(())
    }

    /// A member whose value is typed (encoded as text first: a typed value holds no tree).
    pub fn value(&mut self, key: &str, value: &impl Serialize) -> Result<(), Stop> {
        let json = serde_json::to_string(value).map_err(json_error)?;
        self.text(key, &json)
    }

    /// Ends the object and the line.
    pub fn finish(mut self) -> Result<(), Stop> {
        self.out.write_all(b"}\n")?;
        self.out.flush()?;
        Ok(())
    }
}

fn json_error(e: serde_json::Error) -> Stop {
    match e.io_error_kind() {
        Some(kind) => Stop::from(io::Error::from(kind)),
        None => Stop::Failed(CliError::Transport(format!("writing JSON failed: {e}"))),
    }
}

/// Writes valid JSON `text` compact, each string and number as serde_json encodes it, in one
/// pass without recursion. Whitespace outside strings is dropped; a string with escapes is
/// decoded and encoded again (kept as it is when it does not decode, e.g. a lone surrogate).
pub fn write_compact(out: &mut impl Write, text: &str) -> io::Result<()> {
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b' ' | b'\t' | b'\n' | b'\r' => at += 1,
            b'{' | b'}' | b'[' | b']' | b':' | b',' => {
                out.write_all(&bytes[at..=at])?;
                at += 1;
            }
            b'"' => {
                let end = string_end(bytes, at)?;
                write_string(out, &text[at..end])?;
                at = end;
            }
            _ => {
                let end = bytes[at..]
                    .iter()
                    .position(|b| b" \t\n\r{}[]:,\"".contains(b))
                    .map_or(bytes.len(), |n| at + n);
                write_scalar(out, &text[at..end])?;
                at = end;
            }
        }
    }
    Ok(())
}

/// The index after the closing quote of the string starting at `start`.
fn string_end(bytes: &[u8], start: usize) -> io::Result<usize> {
    let mut at = start + 1;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 2,
            b'"' => return Ok(at + 1),
            _ => at += 1,
        }
    }
    Err(invalid("an unterminated string"))
}

fn write_string(out: &mut impl Write, token: &str) -> io::Result<()> {
    // Without escapes a valid JSON string is already what serde_json writes.
    if !token.contains('\\') {
        return out.write_all(token.as_bytes());
    }
    match serde_json::from_str::<String>(token) {
        Ok(decoded) => serde_json::to_writer(out, &decoded).map_err(io::Error::from),
        Err(_) => out.write_all(token.as_bytes()),
    }
}

fn write_scalar(out: &mut impl Write, token: &str) -> io::Result<()> {
    if matches!(token, "true" | "false" | "null") {
        return out.write_all(token.as_bytes());
    }
    let number: serde_json::Number =
        serde_json::from_str(token).map_err(|_| invalid("a token that is not JSON"))?;
    serde_json::to_writer(out, &number).map_err(io::Error::from)
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("JSON text with {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compact(text: &str) -> String {
        let mut out = Vec::new();
        write_compact(&mut out, text).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn compact_text_is_what_a_value_prints() {
        for text in [
            r#" { "a" : [ 1 , 2.50, -0, 1e3, 1E-2, 18446744073709551616, -9223372036854775809 ] } "#,
            r#"{"s":"\u3042\/\n\t\"\\\u001f\u007f","t":"plain あ","n":null,"b":[true,false]}"#,
            r#"[ {"z":1, "a":{"y":[[],{}]}} , "x" ]"#,
            "0.1",
            "123456789012345678901234567890.5e-10",
        ] {
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(
                compact(text),
                serde_json::to_string(&value).unwrap(),
                "{text}"
            );
        }
    }

    #[test]
    fn any_depth_prints_where_a_value_stops() {
        let depth = 100_000;
        let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        assert!(serde_json::from_str::<serde_json::Value>(&text).is_err());
        assert_eq!(compact(&text), text);
    }

    #[test]
    fn a_line_of_members_is_what_a_value_prints() {
        let mut out = Vec::new();
        let mut line = JsonLine::start(&mut out).unwrap();
        line.value("id", &7u16).unwrap();
        line.text("body", r#"{ "k" : "\u00e9" }"#).unwrap();
        line.value("s", &"q\"").unwrap();
        line.finish().unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"id\":7,\"body\":{\"k\":\"é\"},\"s\":\"q\\\"\"}\n"
        );
    }
}
