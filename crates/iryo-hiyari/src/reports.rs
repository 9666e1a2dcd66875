//! Reading a whole response report by report: the `ResultSet` attributes first, then one
//! [`PharmacyReport`] at a time, so memory does not depend on the number of reports.

use std::io::Read;

use quick_xml::events::Event;

use crate::decode::{DecodingReader, InvalidBytes};
use crate::limits::{Limits, Used};
use crate::xml::{ReadError, Step, UnknownElement, XmlElement, XmlReader};
use crate::{PharmacyReport, ResultSet};

/// An iterator over the reports of one response (raw bytes, as the API sends them).
///
/// `B` is the decoded text: [`ReportReader::new`] decodes raw bytes itself,
/// [`ReportReader::from_decoded`] takes text already decoded.
pub struct ReportReader<B> {
    xml: XmlReader<B>,
    head: ResultSet,
    done: bool,
}

const REPORT: u16 = 0;
const ERROR: u16 = 1;

/// The decoded text of raw input `R`.
pub type Decoded<R> = std::io::BufReader<DecodingReader<R>>;

impl<R: Read> ReportReader<Decoded<R>> {
    /// Reads the XML declaration and the `ResultSet` start tag; invalid bytes are an error.
    pub fn new(input: R) -> Result<Self, ReadError> {
        Self::with_invalid_bytes(input, InvalidBytes::Fail)
    }

    /// As [`new`](Self::new), choosing what invalid bytes do.
    pub fn with_invalid_bytes(input: R, mode: InvalidBytes) -> Result<Self, ReadError> {
        Self::with_limits(input, mode, Limits::default())
    }

    /// As [`with_invalid_bytes`](Self::with_invalid_bytes), within `limits`.
    pub fn with_limits(input: R, mode: InvalidBytes, limits: Limits) -> Result<Self, ReadError> {
        let decoded =
            DecodingReader::from_declaration(input, mode).map_err(|e| ReadError::from_io(&e))?;
        // quick-xml reads faster from a large buffer than from the decoder's pieces.
        let text = std::io::BufReader::with_capacity(64 * 1024, decoded);
        ReportReader::from_decoded_with_limits(text, limits)
    }
}

impl<B: std::io::BufRead> ReportReader<B> {
    /// Reads text that is already UTF-8 (decoded elsewhere, e.g. on another thread); the XML
    /// declaration's encoding is ignored.
    pub fn from_decoded(text: B) -> Result<Self, ReadError> {
        ReportReader::from_decoded_with_limits(text, Limits::default())
    }

    /// As [`from_decoded`](Self::from_decoded), within `limits`.
    pub fn from_decoded_with_limits(text: B, limits: Limits) -> Result<Self, ReadError> {
        ReportReader::open(text, limits).map_err(|(error, _)| error)
    }

    /// As [`from_decoded_with_limits`](Self::from_decoded_with_limits), giving the input back
    /// with the error (it may know more about it).
    pub(crate) fn open(text: B, limits: Limits) -> Result<Self, (ReadError, B)> {
        let mut xml = XmlReader::with_limits(text, limits);
        xml.set_prolog(true);
        let (head, empty) = match read_root(&mut xml) {
            Ok(root) => root,
            Err(error) => return Err((error, xml.into_inner())),
        };
        xml.set_prolog(false);
        Ok(ReportReader {
            xml,
            head,
            done: empty,
        })
    }

    pub(crate) fn input(&self) -> &B {
        self.xml.get_ref()
    }

    pub(crate) fn input_mut(&mut self) -> &mut B {
        self.xml.get_mut()
    }

    /// Bytes of decoded text read so far.
    pub(crate) fn position(&self) -> u64 {
        self.xml.position()
    }

    /// The `ResultSet` attributes (total, position, count, status), plus the `Error` message
    /// once it has been read (it comes before the reports).
    pub fn result_set(&self) -> &ResultSet {
        &self.head
    }

    fn next_report(&mut self) -> Result<Option<PharmacyReport>, ReadError> {
        loop {
            // A report's start tag is its own, not the rest of the answer's.
            let head_used = self.xml.used();
            let step = self.xml.next_step(|name, _| {
                Ok(match name {
                    b"PHARMACY_REPORT" => Some((REPORT, None)),
                    b"Error" => Some((ERROR, None)),
                    _ => None,
                })
            })?;
            match step {
                Step::End => {
                    self.done = true;
                    return Ok(None);
                }
                Step::Field {
                    index: REPORT,
                    empty,
                    ..
                } => {
                    // Each report has its own budget; the rest of the answer keeps one in all.
                    self.xml.swap_budget(Used::default());
                    let mut report = PharmacyReport::default();
                    report.read_children(&mut self.xml, empty)?;
                    self.xml.swap_budget(head_used);
                    return Ok(Some(report));
                }
                Step::Field { empty, .. } => {
                    let message = self.xml.read_text(empty)?;
                    match self.head.error {
                        Some(_) => {
                            let repeated = UnknownElement::repeated("Error", &message);
                            self.xml
                                .keep_unknown(&mut self.head.unknown_elements, repeated)?;
                        }
                        None => self.head.error = Some(message),
                    }
                }
                Step::Unknown { element, empty } => {
                    let element = self.xml.finish_unknown(element, empty)?;
                    self.xml
                        .keep_unknown(&mut self.head.unknown_elements, element)?;
                }
            }
        }
    }
}

fn read_root<R: std::io::BufRead>(xml: &mut XmlReader<R>) -> Result<(ResultSet, bool), ReadError> {
    loop {
        let position = xml.position();
        match xml.next_event()? {
            Event::Start(start) => return Ok((root(&start)?, false)),
            Event::Empty(start) => return Ok((root(&start)?, true)),
            Event::Eof => return Err(ReadError::UnexpectedEof { position }),
            Event::Text(t) if !t.iter().all(u8::is_ascii_whitespace) => {
                return Err(ReadError::UnexpectedText { position });
            }
            _ => {}
        }
    }
}

fn root(start: &quick_xml::events::BytesStart<'_>) -> Result<ResultSet, ReadError> {
    if start.local_name().as_ref() != b"ResultSet" {
        return Err(ReadError::UnexpectedRoot {
            expected: "ResultSet",
            found: String::from_utf8_lossy(start.name().as_ref()).into_owned(),
        });
    }
    ResultSet::from_start(start)
}

impl<B: std::io::BufRead> Iterator for ReportReader<B> {
    type Item = Result<PharmacyReport, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let next = self.next_report();
        if next.is_err() {
            self.done = true;
        }
        next.transpose()
    }
}

/// Reads a whole response into memory (fine for one page; use [`ReportReader`] for big ones).
pub fn read_result_set(input: impl Read) -> Result<ResultSet, ReadError> {
    let mut reader = ReportReader::new(input)?;
    let mut reports = Vec::new();
    for report in reader.by_ref() {
        reports.push(report?);
    }
    let mut head = reader.head;
    head.pharmacy_report = reports;
    Ok(head)
}
