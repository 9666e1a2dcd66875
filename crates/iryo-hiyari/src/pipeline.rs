//! The one decode-then-parse path of every answer, whether it comes from the network or a file:
//! a decoder thread turns the raw bytes (as the XML declaration says) into UTF-8 pieces, and the
//! reader parses them report by report within [`Limits`]. Errors travel typed, in order after the
//! text before them, through the same bounded channels as the text: a transport failure or an
//! oversized answer reaches the consumer as the [`Error`] it is.

use std::io::{self, BufReader, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use bytes::Bytes;

use crate::decode::{DecodingReader, InvalidBytes};
use crate::limits::Limits;
use crate::xml::ReadError;
use crate::{Error, PharmacyReport, ReportReader, ResultSet};

/// A piece of bytes, or the typed error that ends them.
pub(crate) type Piece = Result<Bytes, Error>;

/// Pieces of decoded text handed to the parser: big enough that the hand-over costs little.
const TEXT_PIECE: usize = 256 * 1024;
/// Pieces in flight between the decoder and the parser.
const TEXT_PIECES: usize = 8;

/// Raw input of the decoder: a `Read` that may hold the typed error behind an I/O failure.
pub(crate) trait Source: Read + Send + 'static {
    /// The typed error behind the last read failure, if there is one.
    fn take_failure(&mut self) -> Option<Error> {
        None
    }
}

/// A plain reader (a file, stdin) as a [`Source`].
pub(crate) struct Plain<R>(pub(crate) R);

impl<R: Read> Read for Plain<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl<R: Read + Send + 'static> Source for Plain<R> {}

/// `Read` over pieces from a channel: blocks while waiting; an error piece is kept, typed, and
/// read as an I/O error marker.
pub(crate) struct Pieces<C> {
    channel: C,
    current: Bytes,
    failure: Option<Error>,
}

/// The marker I/O error of [`Pieces`]: the typed error is in [`Pieces::take_failure`].
#[derive(Debug, thiserror::Error)]
#[error("the input stopped")]
struct Stopped;

/// A channel of pieces, as [`Pieces`] reads it.
pub(crate) trait Receive {
    /// The next piece, `None` at the end.
    fn receive(&mut self) -> Option<Piece>;
}

impl Receive for mpsc::Receiver<Piece> {
    fn receive(&mut self) -> Option<Piece> {
        self.recv().ok()
    }
}

impl Receive for tokio::sync::mpsc::Receiver<Piece> {
    fn receive(&mut self) -> Option<Piece> {
        self.blocking_recv()
    }
}

impl<C: Receive> Pieces<C> {
    pub(crate) fn new(channel: C) -> Self {
        Pieces {
            channel,
            current: Bytes::new(),
            failure: None,
        }
    }

    pub(crate) fn take_failure(&mut self) -> Option<Error> {
        self.failure.take()
    }
}

impl<C: Receive> Read for Pieces<C> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            if self.failure.is_some() {
                return Err(io::Error::other(Stopped));
            }
            match self.channel.receive() {
                Some(Ok(piece)) => self.current = piece,
                Some(Err(error)) => self.failure = Some(error),
                None => return Ok(0),
            }
        }
        let n = self.current.len().min(buf.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}

impl<C: Receive + Send + 'static> Source for Pieces<C> {
    fn take_failure(&mut self) -> Option<Error> {
        Pieces::take_failure(self)
    }
}

/// Decoded text from the decoder thread.
pub(crate) struct Text {
    pieces: Pieces<mpsc::Receiver<Piece>>,
    replaced: Arc<AtomicBool>,
}

impl Read for Text {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.pieces.read(buf)
    }
}

/// Starts the decoder thread on `source`.
fn decode_on_thread<S: Source>(mut source: S, mode: InvalidBytes) -> Text {
    let (tx, rx) = mpsc::sync_channel(TEXT_PIECES);
    let replaced = Arc::new(AtomicBool::new(false));
    let flag = replaced.clone();
    std::thread::spawn(move || {
        let typed = |source: &mut S, e: io::Error| {
            source
                .take_failure()
                .unwrap_or_else(|| Error::Read(ReadError::from_io(&e)))
        };
        let mut decoded = match DecodingReader::from_declaration(&mut source, mode) {
            Ok(decoded) => decoded,
            Err(e) => {
                let _ = tx.send(Err(typed(&mut source, e)));
                return;
            }
        };
        loop {
            let mut piece = vec![0u8; TEXT_PIECE];
            let next = match decoded.read(&mut piece) {
                Ok(0) => return,
                Ok(n) => {
                    piece.truncate(n);
                    Ok(Bytes::from(piece))
                }
                Err(e) => Err(typed(decoded.get_mut(), e)),
            };
            flag.store(decoded.replaced_any(), Ordering::Relaxed);
            let failed = next.is_err();
            if tx.send(next).is_err() || failed {
                return;
            }
        }
    });
    Text {
        pieces: Pieces::new(rx),
        replaced,
    }
}

/// The reports of one answer, decoded on a second thread and parsed on this one (faster on big
/// inputs than one thread; see the `parse` benchmark), with typed errors.
pub struct Pipelined {
    reader: ReportReader<BufReader<Text>>,
    done: bool,
}

impl Pipelined {
    /// Reads `input` (raw bytes, as the API sends them) within `limits`: the XML declaration
    /// and the `ResultSet` start tag are read before this returns.
    pub fn new<R: Read + Send + 'static>(
        input: R,
        mode: InvalidBytes,
        limits: Limits,
    ) -> Result<Self, Error> {
        Pipelined::start(Plain(input), mode, limits)
    }

    pub(crate) fn start<S: Source>(
        source: S,
        mode: InvalidBytes,
        limits: Limits,
    ) -> Result<Self, Error> {
        // quick-xml reads faster from a large buffer than from the decoder's pieces.
        let text = BufReader::with_capacity(64 * 1024, decode_on_thread(source, mode));
        match ReportReader::open(text, limits) {
            Ok(reader) => Ok(Pipelined {
                reader,
                done: false,
            }),
            Err((error, mut text)) => Err(typed(text.get_mut(), error)),
        }
    }

    /// The `ResultSet` attributes, plus the `Error` message once it has been read.
    pub fn result_set(&self) -> &ResultSet {
        self.reader.result_set()
    }

    /// Bytes of decoded text parsed so far.
    pub(crate) fn position(&self) -> u64 {
        self.reader.position()
    }

    /// Whether [`InvalidBytes::Replace`] had to replace anything so far.
    pub fn replaced_any(&self) -> bool {
        self.reader
            .input()
            .get_ref()
            .replaced
            .load(Ordering::Relaxed)
    }
}

/// The typed error behind `error`: what the input carried, else the reader's own.
fn typed(text: &mut Text, error: ReadError) -> Error {
    text.pieces.take_failure().unwrap_or(Error::Read(error))
}

impl Iterator for Pipelined {
    type Item = Result<PharmacyReport, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let next = self.reader.next()?;
        Some(next.map_err(|error| {
            self.done = true;
            typed(self.reader.input_mut().get_mut(), error)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_error_from_the_source_arrives_after_the_text_before_it() {
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        let doc = "<?xml version=\"1.0\"?><ResultSet count=\"2\" position=\"0\" status=\"0\" total=\"2\">\
                   <PHARMACY_REPORT><DATYEAR>2010</DATYEAR></PHARMACY_REPORT><PHARMACY_REPORT>";
        tx.try_send(Ok(Bytes::from(doc))).unwrap();
        tx.try_send(Err(Error::TooLarge { limit: 7 })).unwrap();
        drop(tx);
        let mut reports =
            Pipelined::start(Pieces::new(rx), InvalidBytes::Fail, Limits::default()).unwrap();
        assert_eq!(reports.result_set().total, 2);
        let first = reports.next().unwrap().unwrap();
        assert_eq!(first.year.as_deref(), Some("2010"));
        assert!(matches!(
            reports.next(),
            Some(Err(Error::TooLarge { limit: 7 }))
        ));
        assert!(reports.next().is_none());
    }

    #[test]
    fn decoding_errors_and_replacement_are_reported() {
        let bad =
            b"<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><ResultSet count=\"0\" position=\"0\" \
                    status=\"0\" total=\"0\"><Error>\xff</Error></ResultSet>"
                .to_vec();
        let mut strict = Pipelined::new(
            io::Cursor::new(bad.clone()),
            InvalidBytes::Fail,
            Limits::default(),
        )
        .unwrap();
        assert!(matches!(
            strict.next(),
            Some(Err(Error::Read(ReadError::Encoding { .. })))
        ));
        let mut lossy = Pipelined::new(
            io::Cursor::new(bad),
            InvalidBytes::Replace,
            Limits::default(),
        )
        .unwrap();
        assert!(lossy.next().is_none());
        assert!(lossy.replaced_any());
        assert_eq!(lossy.result_set().error.as_deref(), Some("\u{FFFD}"));
    }
}
