//! Streaming decoding of the response bytes into UTF-8, in the encoding the XML declaration names
//! (Shift_JIS for this API), so the XML reader sees text and memory does not grow with the body.

use std::io::{self, BufRead, Read};

use encoding_rs::{DecoderResult, Encoding};

/// What to do with bytes that are not valid in the declared encoding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InvalidBytes {
    /// Stop with [`DecodeError`] naming the byte offset (the default).
    #[default]
    Fail,
    /// Replace them with U+FFFD and go on (explicit opt-in; the damage is counted).
    Replace,
}

/// Bytes that are not valid in the declared encoding, at a byte offset of the raw input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {encoding} bytes at offset {offset}")]
pub struct DecodeError {
    /// The encoding's name.
    pub encoding: &'static str,
    /// Offset of the first bad byte in the raw input.
    pub offset: u64,
}

const RAW_CHUNK: usize = 64 * 1024;
const PROLOG_LIMIT: usize = 1024;

/// A `BufRead` of UTF-8 text decoded from `inner`.
pub struct DecodingReader<R> {
    inner: R,
    encoding: &'static Encoding,
    decoder: encoding_rs::Decoder,
    mode: InvalidBytes,
    raw: Vec<u8>,
    raw_pos: usize,
    raw_offset: u64,
    inner_done: bool,
    out: Vec<u8>,
    out_pos: usize,
    finished: bool,
    replaced: bool,
    /// An invalid byte found after some valid text: reported once that text has been read.
    pending: Option<DecodeError>,
}

impl<R: Read> DecodingReader<R> {
    /// Reads the XML declaration at the start of `inner` and decodes in the encoding it names
    /// (UTF-8 when it names none). Errors when the encoding is unknown or not ASCII-compatible.
    pub fn from_declaration(mut inner: R, mode: InvalidBytes) -> io::Result<Self> {
        let mut raw = Vec::with_capacity(RAW_CHUNK);
        let mut inner_done = false;
        while raw.len() < PROLOG_LIMIT && !raw.windows(2).any(|w| w == b"?>") {
            let mut chunk = [0u8; 256];
            let n = inner.read(&mut chunk)?;
            if n == 0 {
                inner_done = true;
                break;
            }
            raw.extend_from_slice(&chunk[..n]);
        }
        let label = declared_encoding(&raw).unwrap_or_else(|| "UTF-8".to_owned());
        let encoding = Encoding::for_label(label.as_bytes())
            .filter(|e| e.is_ascii_compatible())
            .ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidData, UnsupportedEncoding(label))
            })?;
        let mut reader = DecodingReader::with_encoding(inner, encoding, mode);
        reader.raw = raw;
        reader.inner_done = inner_done;
        Ok(reader)
    }

    /// Decodes `inner` as `encoding`.
    pub fn with_encoding(inner: R, encoding: &'static Encoding, mode: InvalidBytes) -> Self {
        DecodingReader {
            inner,
            encoding,
            decoder: encoding.new_decoder_without_bom_handling(),
            mode,
            raw: Vec::with_capacity(RAW_CHUNK),
            raw_pos: 0,
            raw_offset: 0,
            inner_done: false,
            out: Vec::with_capacity(RAW_CHUNK * 3 / 2),
            out_pos: 0,
            finished: false,
            replaced: false,
            pending: None,
        }
    }

    /// The raw input.
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    /// The encoding in use.
    pub fn encoding(&self) -> &'static Encoding {
        self.encoding
    }

    /// Whether [`InvalidBytes::Replace`] had to replace anything so far.
    pub fn replaced_any(&self) -> bool {
        self.replaced
    }

    /// Decodes the next piece into `out`; false at the end.
    fn refill(&mut self) -> io::Result<bool> {
        self.out.clear();
        self.out_pos = 0;
        while self.out.is_empty() {
            if let Some(error) = self.pending.take() {
                return Err(io::Error::new(io::ErrorKind::InvalidData, error));
            }
            if self.finished {
                return Ok(false);
            }
            if self.raw_pos == self.raw.len() && !self.inner_done {
                self.raw_offset += self.raw.len() as u64;
                self.raw.clear();
                self.raw_pos = 0;
                self.raw.resize(RAW_CHUNK, 0);
                let n = read_some(&mut self.inner, &mut self.raw)?;
                self.raw.truncate(n);
                self.inner_done = n == 0;
            }
            self.decode_pending()?;
        }
        Ok(true)
    }

    fn decode_pending(&mut self) -> io::Result<()> {
        let last = self.inner_done;
        let input = &self.raw[self.raw_pos..];
        let capacity = self
            .decoder
            .max_utf8_buffer_length(input.len())
            .unwrap_or(RAW_CHUNK * 4)
            .max(16);
        self.out.resize(capacity, 0);
        let (read, written) = match self.mode {
            InvalidBytes::Fail => {
                let (result, read, written) =
                    self.decoder
                        .decode_to_utf8_without_replacement(input, &mut self.out, last);
                if let DecoderResult::Malformed(bad, after) = result {
                    let offset = self.raw_offset + (self.raw_pos + read) as u64
                        - u64::from(bad)
                        - u64::from(after);
                    // The text before the bad byte is still handed out; the error comes after it.
                    self.pending = Some(DecodeError {
                        encoding: self.encoding.name(),
                        offset,
                    });
                    self.finished = true;
                }
                (read, written)
            }
            InvalidBytes::Replace => {
                let (_, read, written, replaced) =
                    self.decoder.decode_to_utf8(input, &mut self.out, last);
                self.replaced |= replaced;
                (read, written)
            }
        };
        self.out.truncate(written);
        self.raw_pos += read;
        if last && self.raw_pos == self.raw.len() {
            self.finished = true;
        }
        Ok(())
    }
}

fn read_some(inner: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match inner.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// `encoding="..."` of an XML declaration at the very start, if any.
fn declared_encoding(prolog: &[u8]) -> Option<String> {
    if !prolog.starts_with(b"<?xml") {
        return None;
    }
    let end = prolog.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(&prolog[..end]).ok()?;
    let rest = &decl[decl.find("encoding")? + "encoding".len()..];
    let rest = rest.trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|q| *q == '"' || *q == '\'')?;
    let value = &rest[1..];
    Some(value[..value.find(quote)?].to_owned())
}

/// The declared encoding cannot be decoded here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported XML encoding `{0}`")]
pub struct UnsupportedEncoding(pub String);

impl<R: Read> Read for DecodingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        crate::limits::read_from_buffer(self, buf)
    }
}

impl<R: Read> BufRead for DecodingReader<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.out_pos == self.out.len() && !self.refill()? {
            return Ok(&[]);
        }
        Ok(&self.out[self.out_pos..])
    }

    fn consume(&mut self, amount: usize) {
        self.out_pos = (self.out_pos + amount).min(self.out.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(bytes: &[u8], mode: InvalidBytes) -> io::Result<String> {
        let mut reader = DecodingReader::from_declaration(bytes, mode)?;
        let mut text = String::new();
        reader.read_to_string(&mut text)?;
        Ok(text)
    }

    #[test]
    fn shift_jis_declaration_is_followed() {
        let (bytes, _, _) = encoding_rs::SHIFT_JIS
            .encode("<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><a>ソ表①髙～</a>");
        let text = decode_all(&bytes, InvalidBytes::Fail).unwrap();
        assert!(text.ends_with("<a>ソ表①髙～</a>"), "{text}");
    }

    #[test]
    fn no_declaration_means_utf8() {
        assert_eq!(
            decode_all("<a>日本</a>".as_bytes(), InvalidBytes::Fail).unwrap(),
            "<a>日本</a>"
        );
    }

    #[test]
    fn invalid_bytes_fail_with_their_offset_or_are_replaced_on_request() {
        let mut bytes = b"<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><a>".to_vec();
        let offset = bytes.len() as u64;
        bytes.extend_from_slice(&[0x82, 0xa0, 0xff, 0x82, 0xa2]); // あ, invalid, い
        bytes.extend_from_slice(b"</a>");
        let err = decode_all(&bytes, InvalidBytes::Fail).unwrap_err();
        let inner = err
            .get_ref()
            .unwrap()
            .downcast_ref::<DecodeError>()
            .unwrap();
        assert_eq!(inner.offset, offset + 2);
        let text = decode_all(&bytes, InvalidBytes::Replace).unwrap();
        assert!(text.contains("あ\u{FFFD}い"), "{text}");
    }

    #[test]
    fn a_character_split_across_reads_is_decoded() {
        struct OneByte<'a>(&'a [u8]);
        impl Read for OneByte<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.0.is_empty() || buf.is_empty() {
                    return Ok(0);
                }
                buf[0] = self.0[0];
                self.0 = &self.0[1..];
                Ok(1)
            }
        }
        let (bytes, _, _) =
            encoding_rs::SHIFT_JIS.encode("<?xml version='1.0' encoding='Shift_JIS'?><a>ソ表</a>");
        let mut reader =
            DecodingReader::from_declaration(OneByte(&bytes), InvalidBytes::Fail).unwrap();
        let mut text = String::new();
        reader.read_to_string(&mut text).unwrap();
        assert!(text.ends_with("<a>ソ表</a>"));
    }

    #[test]
    fn unknown_or_ascii_incompatible_encodings_are_refused() {
        for label in ["x-klingon", "UTF-16"] {
            let doc = format!("<?xml version=\"1.0\" encoding=\"{label}\"?><a/>");
            let err = decode_all(doc.as_bytes(), InvalidBytes::Fail).unwrap_err();
            assert!(err.to_string().contains(label), "{err}");
        }
    }
}
