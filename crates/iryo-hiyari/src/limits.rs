//! Resource limits of the XML reader: what one report (and the part of the answer outside the
//! reports) may hold, how big one event may be, and how much may come before the root element.
//! Whatever the input, the reader's memory stays within these limits and its time linear.

use std::io::{self, BufRead, Read};

/// The limits of one answer's reader. Every limit that is hit is a
/// [`ReadError::Limit`](crate::xml::ReadError::Limit) naming it and the byte offset.
///
/// The defaults are far above anything the service sends (a report is a few KiB) and keep a
/// stream's memory within tens of MiB whatever a server sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Text kept per report, in bytes (element text, and names and attributes of unknown
    /// elements). Default 1 MiB. The part of the answer outside reports has the same budget.
    pub report_text_bytes: u64,
    /// Elements per report, at any depth. Default 10,000.
    pub report_elements: u64,
    /// Unknown (or repeated) elements kept per report. Default 1,000.
    pub report_unknown_elements: u64,
    /// The largest single piece of XML (a start tag with its attributes, one text node, a
    /// comment), in bytes. Default 1 MiB.
    pub element_bytes: u64,
    /// Bytes up to and including the root element's start tag. Default 64 KiB.
    pub prolog_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            report_text_bytes: 1024 * 1024,
            report_elements: 10_000,
            report_unknown_elements: 1_000,
            element_bytes: 1024 * 1024,
            prolog_bytes: 64 * 1024,
        }
    }
}

impl Limits {
    /// The defaults.
    pub fn new() -> Self {
        Limits::default()
    }

    iryo_runtime::setters! {
        /// Sets [`Limits::report_text_bytes`].
        report_text_bytes(bytes: u64) => report_text_bytes;
        /// Sets [`Limits::report_elements`].
        report_elements(elements: u64) => report_elements;
        /// Sets [`Limits::report_unknown_elements`].
        report_unknown_elements(elements: u64) => report_unknown_elements;
        /// Sets [`Limits::element_bytes`] (at least 64, the size of the declaration and root tag).
        element_bytes(bytes: u64) => element_bytes = bytes.max(64);
        /// Sets [`Limits::prolog_bytes`] (at least 64).
        prolog_bytes(bytes: u64) => prolog_bytes = bytes.max(64);
    }
}

/// Which limit was hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Limit {
    /// [`Limits::report_text_bytes`].
    ReportTextBytes,
    /// [`Limits::report_elements`].
    ReportElements,
    /// [`Limits::report_unknown_elements`].
    ReportUnknownElements,
    /// [`Limits::element_bytes`].
    ElementBytes,
    /// [`Limits::prolog_bytes`].
    PrologBytes,
}

impl Limit {
    /// The limit's name, as in [`Limits`] (and the CLI flag without `--max-`).
    pub fn name(self) -> &'static str {
        match self {
            Limit::ReportTextBytes => "report_text_bytes",
            Limit::ReportElements => "report_elements",
            Limit::ReportUnknownElements => "report_unknown_elements",
            Limit::ElementBytes => "element_bytes",
            Limit::PrologBytes => "prolog_bytes",
        }
    }
}

impl std::fmt::Display for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What a report (or the rest of the answer) has used of its budget so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Used {
    pub(crate) text_bytes: u64,
    pub(crate) elements: u64,
    pub(crate) unknown_elements: u64,
}

/// The reader's input with an allowance per XML event: quick-xml buffers a whole event (a text
/// node, a start tag), so without this one event could take any amount of memory.
pub(crate) struct Capped<R> {
    inner: R,
    allowance: u64,
}

/// The marker error of [`Capped`], turned into a [`Limit`] error by the reader.
#[derive(Debug, thiserror::Error)]
#[error("an XML event is larger than the reader allows")]
pub(crate) struct AllowanceSpent;

impl<R> Capped<R> {
    pub(crate) fn new(inner: R) -> Self {
        Capped {
            inner,
            allowance: u64::MAX,
        }
    }

    pub(crate) fn allow(&mut self, bytes: u64) {
        self.allowance = bytes;
    }

    pub(crate) fn get_ref(&self) -> &R {
        &self.inner
    }

    pub(crate) fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    pub(crate) fn into_inner(self) -> R {
        self.inner
    }
}

impl<R: BufRead> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        crate::limits::read_from_buffer(self, buf)
    }
}

impl<R: BufRead> BufRead for Capped<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let allowance = self.allowance;
        let available = self.inner.fill_buf()?;
        if available.is_empty() {
            return Ok(available);
        }
        if allowance == 0 {
            return Err(io::Error::other(AllowanceSpent));
        }
        let n = usize::try_from(allowance).unwrap_or(usize::MAX);
        Ok(&available[..available.len().min(n)])
    }

    fn consume(&mut self, amount: usize) {
        self.allowance = self.allowance.saturating_sub(amount as u64);
        self.inner.consume(amount);
    }
}

/// `Read::read` of a reader whose `BufRead` does the work: copies what `fill_buf` has.
pub(crate) fn read_from_buffer(reader: &mut impl BufRead, buf: &mut [u8]) -> io::Result<usize> {
    let available = reader.fill_buf()?;
    let n = available.len().min(buf.len());
    buf[..n].copy_from_slice(&available[..n]);
    reader.consume(n);
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allowance_cuts_reads_and_then_fails() {
        let mut capped = Capped::new(&b"abcdef"[..]);
        capped.allow(4);
        let mut out = Vec::new();
        let error = capped.read_to_end(&mut out).unwrap_err();
        assert_eq!(out, b"abcd");
        assert!(error.get_ref().unwrap().is::<AllowanceSpent>());
        capped.allow(10);
        out.clear();
        capped.read_to_end(&mut out).unwrap();
        assert_eq!(out, b"ef");
    }
}
