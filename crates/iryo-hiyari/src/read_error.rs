//! The reader's typed error. Text from the answer is shown through [`crate::shown`]: control
//! characters replaced, cut to a sane length.

use quick_xml::events::attributes::AttrError;

use crate::limits::Limit;
use crate::shown::shown;

/// XML that does not fit the schema's reader. Positions are byte offsets in the decoded text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// Malformed XML.
    #[error("malformed XML at byte {position}: {}", shown(message))]
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
    #[error("attribute: {}", shown(message))]
    Attribute {
        /// What is wrong.
        message: String,
    },
    /// The root element is not the expected one.
    #[error("expected a <{expected}> root element, found <{}>", shown(found))]
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
    #[error("unsupported XML encoding `{}`", shown(.0))]
    UnsupportedEncoding(String),
    /// Reading the input failed.
    #[error("reading the response failed: {0}")]
    Io(String),
    /// A limit of [`Limits`](crate::Limits) was hit: the answer is refused from there on.
    #[error(
        "the answer goes past the reader's limit {limit} = {value} at byte {position} \
         (raise it in iryo_hiyari::Limits if the answer is genuine)"
    )]
    Limit {
        /// Which limit.
        limit: Limit,
        /// Its value.
        value: u64,
        /// Byte offset in the decoded text where it was hit.
        position: u64,
    },
    /// An attribute given twice in one start tag.
    #[error(
        "attribute `{}` is given twice in <{}>",
        shown(attribute),
        shown(element)
    )]
    DuplicateAttribute {
        /// The element.
        element: String,
        /// The attribute.
        attribute: String,
    },
    /// A generator bug: a field index the reader does not know.
    #[error("internal: unknown field index {0}")]
    Internal(u16),
}

impl ReadError {
    /// A bad attribute.
    #[doc(hidden)] // for the generated readers and `xml`
    pub fn attribute(error: AttrError) -> Self {
        ReadError::Attribute {
            message: error.to_string(),
        }
    }

    /// A required attribute is missing.
    #[doc(hidden)] // for the generated readers and `xml`
    pub fn missing_attribute(element: &str, attribute: &str) -> Self {
        ReadError::Attribute {
            message: format!("<{element}> lacks the required attribute `{attribute}`"),
        }
    }

    /// An attribute given twice.
    #[doc(hidden)] // for the generated readers and `xml`
    pub fn duplicate_attribute(element: &str, attribute: &[u8]) -> Self {
        ReadError::DuplicateAttribute {
            element: element.to_owned(),
            attribute: String::from_utf8_lossy(attribute).into_owned(),
        }
    }

    /// A generator bug.
    #[doc(hidden)] // for the generated readers and `xml`
    pub fn internal(index: u16) -> Self {
        ReadError::Internal(index)
    }

    /// Maps a parser error; decoding failures of the input keep their own variants.
    pub(crate) fn from_quick_xml(error: quick_xml::Error, position: u64) -> Self {
        if let quick_xml::Error::Io(io) = &error {
            return ReadError::from_io(io);
        }
        ReadError::Xml {
            position,
            message: error.to_string(),
        }
    }

    /// Maps an input error, recognising the decoder's own errors.
    #[doc(hidden)] // for the generated readers and `xml`
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

    pub(crate) fn text(position: u64, error: impl std::fmt::Display) -> Self {
        ReadError::Xml {
            position,
            message: error.to_string(),
        }
    }
}
