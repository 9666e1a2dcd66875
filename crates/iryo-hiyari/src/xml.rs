//! The small XML runtime the generated readers call: a pull reader over UTF-8 text (decoded from
//! Shift_JIS beforehand), text and attribute helpers, and a typed error with the byte position.

use std::borrow::Cow;
use std::io::BufRead;

use quick_xml::events::attributes::{AttrError, Attribute};
use quick_xml::events::{BytesRef, BytesStart, Event};

/// A type the generated code can fill from an element's children.
pub trait XmlElement {
    /// Reads the children of the element whose start tag was just read (`empty` for `<X/>`),
    /// up to and including its end tag.
    fn read_children<R: BufRead>(
        &mut self,
        reader: &mut XmlReader<R>,
        empty: bool,
    ) -> Result<(), ReadError>;
}

/// An element that the schema does not know at that place, kept as received: its name, its
/// attributes and all the text inside it (descendants included).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct UnknownElement {
    /// Tag name.
    pub name: String,
    /// Attributes in document order.
    pub attributes: Vec<(String, String)>,
    /// Text content, descendants' text concatenated.
    pub text: String,
}

impl UnknownElement {
    /// An element with no attributes and no text (a code element without its `CODE`).
    pub fn empty(name: &str) -> Self {
        UnknownElement {
            name: name.to_owned(),
            attributes: Vec::new(),
            text: String::new(),
        }
    }

    /// A second occurrence of an element the schema allows once; its value is kept as text.
    pub fn repeated(name: &str, value: &impl std::fmt::Debug) -> Self {
        UnknownElement {
            name: name.to_owned(),
            attributes: Vec::new(),
            text: format!("{value:?}"),
        }
    }
}

/// A `CODE` attribute value. Codes are short, so they live inline (no allocation per element);
/// a longer value falls back to the heap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeText(CodeRepr);

#[derive(Clone, Debug, PartialEq, Eq)]
enum CodeRepr {
    Inline { bytes: [u8; 22], len: u8 },
    Heap(String),
}

impl CodeText {
    /// Copies `text`.
    pub fn new(text: &str) -> Self {
        if text.len() <= 22 {
            let mut bytes = [0u8; 22];
            bytes[..text.len()].copy_from_slice(text.as_bytes());
            CodeText(CodeRepr::Inline {
                bytes,
                len: text.len() as u8,
            })
        } else {
            CodeText(CodeRepr::Heap(text.to_owned()))
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Only `new` builds `Inline`, from a whole `&str`, so the bytes are UTF-8 and `len` fits.
            CodeRepr::Inline { bytes, len } => bytes
                .get(..usize::from(*len))
                .and_then(|b| std::str::from_utf8(b).ok())
                .unwrap_or_default(),
            CodeRepr::Heap(text) => text,
        }
    }
}

/// What the next child of an element is.
#[derive(Debug)]
pub enum Step {
    /// A child the schema knows: field index, its `CODE` for code elements, and whether it is `<X/>`.
    Field {
        /// Index of the field in the parent's content model.
        index: u16,
        /// `CODE` attribute, for code elements.
        code: Option<CodeText>,
        /// `<X/>`.
        empty: bool,
    },
    /// A child the schema does not know.
    Unknown {
        /// Its name and attributes so far.
        element: UnknownElement,
        /// `<X/>`.
        empty: bool,
    },
    /// The parent's end tag.
    End,
}

/// A streaming XML reader over decoded (UTF-8) input.
pub struct XmlReader<R> {
    inner: quick_xml::Reader<R>,
    buf: Vec<u8>,
}

impl<R: BufRead> XmlReader<R> {
    /// Reads from `input`, which must already be UTF-8.
    pub fn new(input: R) -> Self {
        let mut inner = quick_xml::Reader::from_reader(input);
        inner.config_mut().check_end_names = true;
        XmlReader {
            inner,
            buf: Vec::with_capacity(4096),
        }
    }

    /// The input.
    pub fn get_ref(&self) -> &R {
        self.inner.get_ref()
    }

    /// Byte offset in the decoded input, for error messages.
    pub fn position(&self) -> u64 {
        self.inner.buffer_position()
    }

    /// The next event (the returned value borrows the reader's buffer).
    pub fn next_event(&mut self) -> Result<Event<'_>, ReadError> {
        self.buf.clear();
        let position = self.inner.buffer_position();
        self.inner
            .read_event_into(&mut self.buf)
            .map_err(|e| ReadError::from_quick_xml(e, position))
    }

    /// The next child element of the current element. `classify` sees the child's name and start
    /// tag while they are borrowed and returns its field index and `CODE`, or `None` when unknown.
    /// Whitespace, comments and processing instructions between children are skipped.
    pub fn next_step<F>(&mut self, classify: F) -> Result<Step, ReadError>
    where
        F: Fn(&[u8], &BytesStart<'_>) -> Result<Option<(u16, Option<CodeText>)>, ReadError>,
    {
        loop {
            let position = self.position();
            let step = match self.next_event()? {
                Event::Start(start) => Some(classified(&classify, &start, false)?),
                Event::Empty(start) => Some(classified(&classify, &start, true)?),
                Event::End(_) => Some(Step::End),
                Event::Text(text) if text.iter().all(u8::is_ascii_whitespace) => None,
                Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) => {
                    return Err(ReadError::UnexpectedText { position });
                }
                Event::Eof => return Err(ReadError::UnexpectedEof { position }),
                Event::Comment(_) | Event::PI(_) | Event::Decl(_) | Event::DocType(_) => None,
            };
            if let Some(step) = step {
                return Ok(step);
            }
        }
    }

    /// The text content of the current element, up to its end tag (entities resolved).
    pub fn read_text(&mut self, empty: bool) -> Result<String, ReadError> {
        let mut text = String::new();
        if empty {
            return Ok(text);
        }
        let mut depth = 0usize;
        loop {
            let position = self.position();
            match self.next_event()? {
                Event::Text(t) => text.push_str(utf8(&t, position)?),
                Event::CData(t) => text.push_str(utf8(&t, position)?),
                Event::GeneralRef(r) => text.push_str(&resolve_reference(&r, position)?),
                Event::Start(_) => depth += 1,
                Event::End(_) if depth == 0 => return Ok(text),
                Event::End(_) => depth -= 1,
                Event::Eof => return Err(ReadError::UnexpectedEof { position }),
                Event::Empty(_)
                | Event::Comment(_)
                | Event::PI(_)
                | Event::Decl(_)
                | Event::DocType(_) => {}
            }
        }
    }

    /// Skips to the end tag of the current element.
    pub fn skip_element(&mut self, empty: bool) -> Result<(), ReadError> {
        if !empty {
            self.read_text(false)?;
        }
        Ok(())
    }

    /// Completes an unknown element with its text content.
    pub fn finish_unknown(
        &mut self,
        mut element: UnknownElement,
        empty: bool,
    ) -> Result<UnknownElement, ReadError> {
        element.text = self.read_text(empty)?;
        Ok(element)
    }
}

/// Text bytes as `&str`. The input is already UTF-8 (the decoder made it), so this only checks:
/// simdutf8 does that several times faster than `std` on Japanese text, which is most of the work.
fn utf8(bytes: &[u8], position: u64) -> Result<&str, ReadError> {
    simdutf8::basic::from_utf8(bytes).map_err(|_| ReadError::Xml {
        position,
        message: "text is not UTF-8".to_owned(),
    })
}

fn classified<F>(classify: &F, start: &BytesStart<'_>, empty: bool) -> Result<Step, ReadError>
where
    F: Fn(&[u8], &BytesStart<'_>) -> Result<Option<(u16, Option<CodeText>)>, ReadError>,
{
    let name = start.local_name();
    Ok(match classify(name.as_ref(), start)? {
        Some((index, code)) => Step::Field { index, code, empty },
        None => Step::Unknown {
            element: unknown_start(start)?,
            empty,
        },
    })
}

fn unknown_start(start: &BytesStart<'_>) -> Result<UnknownElement, ReadError> {
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(ReadError::attribute)?;
        let key = String::from_utf8_lossy(attribute.key.as_ref()).into_owned();
        attributes.push((key, attribute_text(&attribute)?.into_owned()));
    }
    Ok(UnknownElement {
        name: String::from_utf8_lossy(start.name().as_ref()).into_owned(),
        attributes,
        text: String::new(),
    })
}

fn resolve_reference(reference: &BytesRef<'_>, position: u64) -> Result<String, ReadError> {
    if let Some(c) = reference.resolve_char_ref().map_err(|e| ReadError::Xml {
        position,
        message: e.to_string(),
    })? {
        return Ok(c.to_string());
    }
    let name = reference
        .decode()
        .map_err(|e| ReadError::text(position, e))?;
    quick_xml::escape::resolve_predefined_entity(&name)
        .map(str::to_owned)
        .ok_or_else(|| ReadError::Xml {
            position,
            message: format!("unknown entity &{name};"),
        })
}

/// `{"code": code, "label": label}` (label `null` for a code its table does not list).
pub fn labeled_code(code: &str, label: Option<&str>) -> serde_json::Value {
    serde_json::json!({ "code": code, "label": label })
}

/// The `CODE` attribute of a code element, unescaped.
pub fn code_attribute(start: &BytesStart<'_>) -> Result<Option<CodeText>, ReadError> {
    for attribute in start.attributes().with_checks(false) {
        let attribute = attribute.map_err(ReadError::attribute)?;
        if attribute.key.as_ref() == b"CODE" {
            return Ok(Some(CodeText::new(&attribute_text(&attribute)?)));
        }
    }
    Ok(None)
}

/// An attribute's value, unescaped.
pub fn attribute_text<'a>(attribute: &'a Attribute<'a>) -> Result<Cow<'a, str>, ReadError> {
    attribute
        .unescape_value()
        .map_err(|e| ReadError::Attribute {
            message: e.to_string(),
        })
}

/// A count attribute (`total`, `position`, `count`).
pub fn parse_count(text: &str) -> Result<u64, ReadError> {
    text.trim().parse().map_err(|_| ReadError::Attribute {
        message: format!("`{text}` is not a non-negative integer"),
    })
}

/// XML that does not fit the schema's reader. Positions are byte offsets in the decoded text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// Malformed XML.
    #[error("malformed XML at byte {position}: {message}")]
    Xml {
        /// Where.
        position: u64,
        /// What the parser said.
        message: String,
    },
    /// The input ended inside an element.
    #[error("the XML ends early (byte {position})")]
    UnexpectedEof {
        /// Where.
        position: u64,
    },
    /// Text where only child elements belong.
    #[error("unexpected text between elements at byte {position}")]
    UnexpectedText {
        /// Where.
        position: u64,
    },
    /// A bad or missing attribute.
    #[error("attribute: {message}")]
    Attribute {
        /// What is wrong.
        message: String,
    },
    /// The root element is not the expected one.
    #[error("expected a <{expected}> root element, found <{found}>")]
    UnexpectedRoot {
        /// The root the schema names.
        expected: &'static str,
        /// What came.
        found: String,
    },
    /// The bytes are not valid in the declared encoding (they are never replaced silently).
    #[error("the response is not valid {encoding} at byte {position}")]
    Encoding {
        /// The encoding.
        encoding: &'static str,
        /// Byte offset in the raw input.
        position: u64,
    },
    /// The XML declaration names an encoding this reader cannot decode.
    #[error("unsupported XML encoding `{0}`")]
    UnsupportedEncoding(String),
    /// Reading the input failed.
    #[error("reading the response failed: {0}")]
    Io(String),
    /// A generator bug: a field index the reader does not know.
    #[error("internal: unknown field index {0}")]
    Internal(u16),
}

impl ReadError {
    /// A bad attribute.
    pub fn attribute(error: AttrError) -> Self {
        ReadError::Attribute {
            message: error.to_string(),
        }
    }

    /// A required attribute is missing.
    pub fn missing_attribute(element: &str, attribute: &str) -> Self {
        ReadError::Attribute {
            message: format!("<{element}> lacks the required attribute `{attribute}`"),
        }
    }

    /// A generator bug.
    pub fn internal(index: u16) -> Self {
        ReadError::Internal(index)
    }

    /// Maps a parser error; decoding failures of the input keep their own variants.
    pub fn from_quick_xml(error: quick_xml::Error, position: u64) -> Self {
        if let quick_xml::Error::Io(io) = &error {
            return ReadError::from_io(io);
        }
        ReadError::Xml {
            position,
            message: error.to_string(),
        }
    }

    /// Maps an input error, recognising the decoder's own errors.
    pub fn from_io(error: &std::io::Error) -> Self {
        let inner = error.get_ref();
        if let Some(e) = inner.and_then(|e| e.downcast_ref::<crate::decode::DecodeError>()) {
            return ReadError::Encoding {
                encoding: e.encoding,
                position: e.offset,
            };
        }
        if let Some(e) = inner.and_then(|e| e.downcast_ref::<crate::decode::UnsupportedEncoding>())
        {
            return ReadError::UnsupportedEncoding(e.0.clone());
        }
        ReadError::Io(error.to_string())
    }

    fn text(position: u64, error: impl std::fmt::Display) -> Self {
        ReadError::Xml {
            position,
            message: error.to_string(),
        }
    }
}
