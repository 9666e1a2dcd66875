//! The streaming reader: events within [`Limits`], children classified for the generated code,
//! text read with entities resolved, and every kept byte charged to the report's budget.

use std::io::BufRead;

use quick_xml::events::{BytesRef, BytesStart, Event};

use super::element::unknown_start;
use super::{CodeText, ReadError, Step, UnknownElement};
use crate::limits::{AllowanceSpent, Capped, Limit, Limits, Used};

/// A streaming XML reader over decoded (UTF-8) input, within [`Limits`].
pub struct XmlReader<R> {
    inner: quick_xml::Reader<Capped<R>>,
    buf: Vec<u8>,
    limits: Limits,
    used: Used,
    /// Before the root element, events are capped by what is left of `prolog_bytes`.
    in_prolog: bool,
}

impl<R: BufRead> XmlReader<R> {
    /// Reads from `input`, which must already be UTF-8, with the default [`Limits`].
    pub fn new(input: R) -> Self {
        XmlReader::with_limits(input, Limits::default())
    }

    /// Reads from `input` within `limits`.
    pub fn with_limits(input: R, limits: Limits) -> Self {
        let mut inner = quick_xml::Reader::from_reader(Capped::new(input));
        inner.config_mut().check_end_names = true;
        XmlReader {
            inner,
            buf: Vec::with_capacity(4096),
            limits,
            used: Used::default(),
            in_prolog: false,
        }
    }

    /// The input.
    pub fn get_ref(&self) -> &R {
        self.inner.get_ref().get_ref()
    }

    /// The input, giving the reader up.
    pub fn into_inner(self) -> R {
        self.inner.into_inner().into_inner()
    }

    /// The input, mutably.
    pub fn get_mut(&mut self) -> &mut R {
        self.inner.get_mut().get_mut()
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Byte offset in the decoded input, for error messages.
    pub fn position(&self) -> u64 {
        self.inner.buffer_position()
    }

    /// Until `false`, events are capped by what is left of `prolog_bytes` (see [`Limits`]).
    pub(crate) fn set_prolog(&mut self, in_prolog: bool) {
        self.in_prolog = in_prolog;
    }

    /// What the budget in use has spent.
    pub(crate) fn used(&self) -> Used {
        self.used
    }

    /// Swaps the budget in use (a report's, or the rest of the answer's) for `used`.
    pub(crate) fn swap_budget(&mut self, used: Used) -> Used {
        std::mem::replace(&mut self.used, used)
    }

    /// The next event (the returned value borrows the reader's buffer).
    pub fn next_event(&mut self) -> Result<Event<'_>, ReadError> {
        self.buf.clear();
        let position = self.inner.buffer_position();
        let (limit, allowance) = if self.in_prolog {
            let left = self.limits.prolog_bytes.saturating_sub(position);
            match left < self.limits.element_bytes {
                true => (Limit::PrologBytes, left),
                false => (Limit::ElementBytes, self.limits.element_bytes),
            }
        } else {
            (Limit::ElementBytes, self.limits.element_bytes)
        };
        self.inner.get_mut().allow(allowance);
        let value = match limit {
            Limit::PrologBytes => self.limits.prolog_bytes,
            _ => self.limits.element_bytes,
        };
        self.inner
            .read_event_into(&mut self.buf)
            .map_err(|e| match &e {
                quick_xml::Error::Io(io)
                    if io.get_ref().is_some_and(|e| e.is::<AllowanceSpent>()) =>
                {
                    ReadError::Limit {
                        limit,
                        value,
                        position: position.saturating_add(allowance),
                    }
                }
                _ => ReadError::from_quick_xml(e, position),
            })
    }

    fn charge(&mut self, limit: Limit, amount: u64, position: u64) -> Result<(), ReadError> {
        let (used, value) = match limit {
            Limit::ReportTextBytes => (&mut self.used.text_bytes, self.limits.report_text_bytes),
            Limit::ReportElements => (&mut self.used.elements, self.limits.report_elements),
            _ => (
                &mut self.used.unknown_elements,
                self.limits.report_unknown_elements,
            ),
        };
        *used = used.saturating_add(amount);
        if *used > value {
            return Err(ReadError::Limit {
                limit,
                value,
                position,
            });
        }
        Ok(())
    }

    /// Counts one element whose name and attributes keep `text_bytes` bytes.
    fn charge_element(&mut self, text_bytes: usize, position: u64) -> Result<(), ReadError> {
        self.charge(Limit::ReportElements, 1, position)?;
        self.charge(Limit::ReportTextBytes, text_bytes as u64, position)
    }

    /// Keeps an unknown (or repeated) element, within `report_unknown_elements`.
    pub fn keep_unknown(
        &mut self,
        kept: &mut Vec<UnknownElement>,
        element: UnknownElement,
    ) -> Result<(), ReadError> {
        let position = self.position();
        self.charge(Limit::ReportUnknownElements, 1, position)?;
        self.charge(Limit::ReportTextBytes, element.text.len() as u64, position)?;
        kept.push(element);
        Ok(())
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
            let Some(step) = step else { continue };
            let kept = match &step {
                Step::Field { code, .. } => code.as_ref().map_or(0, |c| c.as_str().len()),
                Step::Unknown { element, .. } => element.kept_bytes(),
                Step::End => return Ok(step),
            };
            self.charge_element(kept, position)?;
            return Ok(step);
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
            let before = text.len();
            let mut element = None;
            match self.next_event()? {
                Event::Text(t) => text.push_str(utf8(&t, position)?),
                Event::CData(t) => text.push_str(utf8(&t, position)?),
                Event::GeneralRef(r) => text.push_str(&resolve_reference(&r, position)?),
                Event::Start(start) => {
                    depth += 1;
                    // quick-xml keeps the names of open elements: they count as kept text.
                    element = Some(start.name().as_ref().len());
                }
                Event::Empty(_) => element = Some(0),
                Event::End(_) if depth == 0 => return Ok(text),
                Event::End(_) => depth -= 1,
                Event::Eof => return Err(ReadError::UnexpectedEof { position }),
                Event::Comment(_) | Event::PI(_) | Event::Decl(_) | Event::DocType(_) => {}
            }
            if let Some(name_bytes) = element {
                self.charge_element(name_bytes, position)?;
            }
            let added = (text.len() - before) as u64;
            self.charge(Limit::ReportTextBytes, added, position)?;
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
