//! Parsing on a thread of its own as well ([`Pipelined::in_background`]): the decoder, the parser
//! and the consumer (a JSON-lines or CSV writer, SQLite rows) each get a core. Reports cross in
//! small batches through a bounded channel, so the hand-over costs little and at most a few
//! batches (each cut at [`BATCH_TEXT`] bytes of text) are in flight, whatever the reports hold.

use std::sync::mpsc;
use std::thread::JoinHandle;

use crate::{Error, PharmacyReport, Pipelined};

/// Reports per batch at most.
const BATCH_REPORTS: usize = 64;
/// Decoded text per batch: a batch is sent once its reports were read from this many bytes.
const BATCH_TEXT: u64 = 256 * 1024;
/// Batches waiting for the consumer.
const BATCHES: usize = 2;

type Batch = Vec<Result<PharmacyReport, Error>>;

/// The reports of a [`Pipelined`] reader parsed on a thread of their own, in order, with the
/// same typed errors. [`Background::finish`] gives the reader back (its `result_set`, whether
/// bytes were replaced).
pub struct Background {
    batches: mpsc::Receiver<Batch>,
    current: std::vec::IntoIter<Result<PharmacyReport, Error>>,
    parser: JoinHandle<Pipelined>,
}

impl Pipelined {
    /// Moves the parsing to a thread of its own, leaving this thread to the consumer (see the
    /// `parse` benchmark: writing JSON lines on the parsing thread made it about two thirds slower).
    pub fn in_background(self) -> Background {
        let (tx, batches) = mpsc::sync_channel(BATCHES);
        let parser = std::thread::spawn(move || parse_into(self, &tx));
        Background {
            batches,
            current: Vec::new().into_iter(),
            parser,
        }
    }
}

/// Sends the reports of `reader` in batches until the end, an error or a consumer gone.
fn parse_into(mut reader: Pipelined, tx: &mpsc::SyncSender<Batch>) -> Pipelined {
    let mut batch = Vec::with_capacity(BATCH_REPORTS);
    let mut batch_start = reader.position();
    while let Some(report) = reader.next() {
        batch.push(report);
        if batch.len() < BATCH_REPORTS && reader.position() - batch_start < BATCH_TEXT {
            continue;
        }
        batch_start = reader.position();
        if tx.send(std::mem::take(&mut batch)).is_err() {
            return reader;
        }
        batch.reserve(BATCH_REPORTS);
    }
    if !batch.is_empty() {
        let _ = tx.send(batch);
    }
    reader
}

impl Iterator for Background {
    type Item = Result<PharmacyReport, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(report) = self.current.next() {
                return Some(report);
            }
            self.current = self.batches.recv().ok()?.into_iter();
        }
    }
}

impl Background {
    /// Stops the parser (if reports are left, they are dropped) and gives the reader back.
    pub fn finish(self) -> Pipelined {
        drop(self.batches);
        match self.parser.join() {
            Ok(reader) => reader,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;
    use crate::Limits;
    use crate::decode::InvalidBytes;

    fn answer(reports: usize, tail: &str) -> Vec<u8> {
        let mut doc = format!(
            "<?xml version=\"1.0\"?><ResultSet count=\"{reports}\" position=\"0\" status=\"0\" total=\"{reports}\">"
        );
        for n in 0..reports {
            doc.push_str(&format!(
                "<PHARMACY_REPORT><DATYEAR>{}</DATYEAR></PHARMACY_REPORT>",
                2000 + n % 20
            ));
        }
        doc.push_str(tail);
        doc.into_bytes()
    }

    fn background(doc: Vec<u8>) -> Background {
        Pipelined::new(Cursor::new(doc), InvalidBytes::Fail, Limits::default())
            .unwrap()
            .in_background()
    }

    #[test]
    fn every_report_arrives_in_order_over_several_batches() {
        let count = BATCH_REPORTS * 3 + 5;
        let years: Vec<String> = background(answer(count, "</ResultSet>"))
            .map(|r| r.unwrap().year.unwrap())
            .collect();
        let expected: Vec<String> = (0..count).map(|n| (2000 + n % 20).to_string()).collect();
        assert_eq!(years, expected);
    }

    #[test]
    fn an_error_arrives_typed_after_the_reports_before_it() {
        let mut reports = background(answer(70, "<PHARMACY_REPORT><DATYEAR>"));
        for _ in 0..70 {
            assert!(reports.next().unwrap().is_ok());
        }
        assert!(matches!(reports.next(), Some(Err(Error::Read(_)))));
        assert!(reports.next().is_none());
    }

    #[test]
    fn finish_gives_the_reader_back_even_before_the_end() {
        let mut reports = background(answer(BATCH_REPORTS * 10, "</ResultSet>"));
        assert!(reports.next().unwrap().is_ok());
        let reader = reports.finish();
        assert_eq!(reader.result_set().total, (BATCH_REPORTS * 10) as u64);
    }
}
