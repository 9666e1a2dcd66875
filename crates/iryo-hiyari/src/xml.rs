//! The small XML runtime the generated readers call: a pull reader over UTF-8 text (decoded from
//! Shift_JIS beforehand), text and attribute helpers, and a typed error with the byte position.

mod element;
mod reader;

use std::io::BufRead;

pub use crate::read_error::ReadError;
pub use element::{
    CodeText, UnknownElement, attribute_text, attributes, code_attribute, labeled_code, parse_count,
};
pub use reader::XmlReader;

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
