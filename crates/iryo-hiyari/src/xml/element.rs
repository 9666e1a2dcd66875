//! What the readers keep of an element: an unknown element as received, a `CODE` value, and the
//! attribute helpers.

use std::borrow::Cow;

use quick_xml::events::BytesStart;
use quick_xml::events::attributes::{Attribute, Attributes};

use super::ReadError;

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

    /// Bytes of name and attributes, as charged to [`Limits::report_text_bytes`](crate::Limits::report_text_bytes).
    pub(super) fn kept_bytes(&self) -> usize {
        let attributes: usize = self.attributes.iter().map(|(k, v)| k.len() + v.len()).sum();
        self.name.len() + attributes
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

pub(super) fn unknown_start(start: &BytesStart<'_>) -> Result<UnknownElement, ReadError> {
    let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
    let mut attributes = Vec::new();
    // quick-xml's own duplicate check is quadratic in the number of attributes: a set is linear.
    let mut seen = std::collections::HashSet::new();
    for attribute in self::attributes(start) {
        let attribute = attribute.map_err(ReadError::attribute)?;
        if !seen.insert(attribute.key.as_ref().to_vec()) {
            return Err(ReadError::duplicate_attribute(
                &name,
                attribute.key.as_ref(),
            ));
        }
        let key = String::from_utf8_lossy(attribute.key.as_ref()).into_owned();
        attributes.push((key, attribute_text(&attribute)?.into_owned()));
    }
    Ok(UnknownElement {
        name,
        attributes,
        text: String::new(),
    })
}

/// The attributes of a start tag, without quick-xml's duplicate check (quadratic in their
/// number); callers that keep attributes check duplicates themselves, in linear time.
pub fn attributes<'a>(start: &'a BytesStart<'a>) -> Attributes<'a> {
    let mut attributes = start.attributes();
    attributes.with_checks(false);
    attributes
}

/// `{"code": code, "label": label}` (label `null` for a code its table does not list).
pub fn labeled_code(code: &str, label: Option<&str>) -> serde_json::Value {
    serde_json::json!({ "code": code, "label": label })
}

/// The `CODE` attribute of a code element, unescaped.
pub fn code_attribute(start: &BytesStart<'_>) -> Result<Option<CodeText>, ReadError> {
    for attribute in attributes(start) {
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
