//! Property tests of the Shift_JIS XML reader on bad input: arbitrary bytes, bytes after a valid
//! header, sequences of the sample's own tags, and damaged copies of the document's sample all give
//! a value or an error, never a panic, in both [`InvalidBytes`] modes.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::LazyLock;

use iryo_hiyari::ReadError;
use iryo_hiyari::decode::InvalidBytes;
use iryo_hiyari::{ReportReader, ResultSet, read_result_set};
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::Config;

const HEADER: &[u8] = b"<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>\
<ResultSet count=\"1\" position=\"0\" status=\"0\" total=\"1\"><PHARMACY_REPORT>";

/// `specs/hiyari/examples/response-sample.sjis.xml`, raw.
static SAMPLE: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../specs/hiyari/examples/response-sample.sjis.xml");
    std::fs::read(path).expect("the sample")
});

/// The sample cut into tags and the text between them (raw Shift_JIS bytes), deduplicated, so
/// that sequences of them are XML-shaped enough to reach the typed readers.
static TOKENS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    let mut tokens: Vec<Vec<u8>> = Vec::new();
    let mut rest = &SAMPLE[..];
    while !rest.is_empty() {
        let end = if rest[0] == b'<' {
            rest.iter()
                .position(|&b| b == b'>')
                .map_or(rest.len(), |i| i + 1)
        } else {
            rest.iter().position(|&b| b == b'<').unwrap_or(rest.len())
        };
        tokens.push(rest[..end].to_vec());
        rest = &rest[end..];
    }
    tokens.extend(
        [
            "&amp;",
            "&#x2460;",
            "&#0;",
            "&#xD800;",
            "&bogus;",
            "<![CDATA[x]]>",
            "<!-- c -->",
            "<?pi x?>",
            "<Error>",
            "</Error>",
            "<!DOCTYPE x>",
            "</ResultSet>",
            " ",
            "\r\n",
        ]
        .map(|t| t.as_bytes().to_vec()),
    );
    tokens.sort();
    tokens.dedup();
    tokens
});

/// Everything the reader can do with `bytes`, in every mode. A panic fails the test with the
/// input named; errors and values are both fine.
fn read_everything(bytes: &[u8]) -> Result<(), TestCaseError> {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let whole = read_result_set(bytes);
        let mut by_mode = Vec::new();
        for mode in [InvalidBytes::Fail, InvalidBytes::Replace] {
            by_mode.push(read_streaming(bytes, mode));
        }
        (whole, by_mode)
    }));
    let Ok((whole, by_mode)) = outcome else {
        return Err(TestCaseError::fail(format!(
            "panic on {} bytes: {:?}",
            bytes.len(),
            String::from_utf8_lossy(bytes)
        )));
    };
    // `read_result_set` is `ReportReader::new` collected.
    prop_assert_eq!(&whole, &by_mode[0]);
    // Input without invalid bytes reads the same in both modes; `Replace` never reports an
    // encoding error.
    if whole.is_ok() {
        prop_assert_eq!(&by_mode[0], &by_mode[1]);
    }
    prop_assert!(
        !matches!(by_mode[1], Err(ReadError::Encoding { .. })),
        "{:?}",
        by_mode[1]
    );
    Ok(())
}

/// `ReportReader` driven to its end, collected like `read_result_set` does.
fn read_streaming(bytes: &[u8], mode: InvalidBytes) -> Result<ResultSet, ReadError> {
    let mut reader = ReportReader::with_invalid_bytes(bytes, mode)?;
    let mut reports = Vec::new();
    for report in reader.by_ref() {
        reports.push(report?);
    }
    // After the end (or an error) the iterator stays finished.
    assert!(reader.next().is_none());
    let mut head = reader.result_set().clone();
    head.pharmacy_report = reports;
    Ok(head)
}

#[derive(Clone, Debug)]
enum Mutation {
    FlipBit(Index, u8),
    SetByte(Index, u8),
    Truncate(Index),
    Insert(Index, Vec<u8>),
    Remove(Index, usize),
    Duplicate(Index, usize),
    InsertToken(Index, Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), 0..8u8).prop_map(|(i, b)| Mutation::FlipBit(i, b)),
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::SetByte(i, b)),
        any::<Index>().prop_map(Mutation::Truncate),
        (any::<Index>(), proptest::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(i, b)| Mutation::Insert(i, b)),
        (any::<Index>(), 1..64usize).prop_map(|(i, n)| Mutation::Remove(i, n)),
        (any::<Index>(), 1..256usize).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
        (any::<Index>(), select(TOKENS.clone())).prop_map(|(i, t)| Mutation::InsertToken(i, t)),
    ]
}

fn apply(bytes: &mut Vec<u8>, mutation: &Mutation) {
    if bytes.is_empty() {
        return;
    }
    match mutation {
        Mutation::FlipBit(i, bit) => {
            let at = i.index(bytes.len());
            bytes[at] ^= 1 << bit;
        }
        Mutation::SetByte(i, b) => {
            let at = i.index(bytes.len());
            bytes[at] = *b;
        }
        Mutation::Truncate(i) => bytes.truncate(i.index(bytes.len())),
        Mutation::Insert(i, new) | Mutation::InsertToken(i, new) => {
            let at = i.index(bytes.len() + 1);
            bytes.splice(at..at, new.iter().copied());
        }
        Mutation::Remove(i, n) => {
            let at = i.index(bytes.len());
            let end = (at + n).min(bytes.len());
            bytes.drain(at..end);
        }
        Mutation::Duplicate(i, n) => {
            let at = i.index(bytes.len());
            let end = (at + n).min(bytes.len());
            let copy = bytes[at..end].to_vec();
            bytes.splice(end..end, copy);
        }
    }
}

/// 384 cases (set `PROPTEST_CASES` for a longer run); failures are not persisted to files.
fn config() -> Config {
    iryo_testkit::proptest_config(384)
}

#[test]
fn the_sample_itself_reads() {
    let set = read_result_set(&SAMPLE[..]).expect("the sample reads");
    assert_eq!(set.pharmacy_report.len(), 1);
    read_everything(&SAMPLE).unwrap();
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        read_everything(&bytes)?;
    }

    #[test]
    fn arbitrary_bytes_after_a_valid_header(tail in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let mut bytes = HEADER.to_vec();
        bytes.extend_from_slice(&tail);
        read_everything(&bytes)?;
    }

    /// Tags and text of the sample in any order and nesting, after a valid header: deep enough to
    /// reach every typed reader with wrong structure.
    #[test]
    fn shuffled_tags_after_a_valid_header(
        tokens in proptest::collection::vec(select(TOKENS.clone()), 0..200),
        close in any::<bool>(),
    ) {
        let mut bytes = HEADER.to_vec();
        for token in &tokens {
            bytes.extend_from_slice(token);
        }
        if close {
            bytes.extend_from_slice(b"</PHARMACY_REPORT></ResultSet>");
        }
        read_everything(&bytes)?;
    }

    /// The document's sample with bit flips, truncation, inserted, removed and repeated bytes.
    #[test]
    fn damaged_sample(mutations in proptest::collection::vec(mutation(), 1..8)) {
        let mut bytes = SAMPLE.clone();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        read_everything(&bytes)?;
    }
}
