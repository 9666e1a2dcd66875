//! `iryo hiyari parse`: saved answers (files or stdin) to records, report by report.

use std::fs::File;
use std::io::{self, BufWriter, Read};

use iryo_hiyari::decode::InvalidBytes;
use iryo_hiyari::{Limits, NO_RESULTS, Pipelined, ResultSet};

use super::ParseArgs;
use super::records::ReportWriter;
use crate::error::CliError;
use crate::output::Stop;

/// Converts every file in order into one output (one CSV header in all).
pub fn run(args: ParseArgs, verbose: bool) -> Result<(), Stop> {
    let mode = if args.lossy {
        InvalidBytes::Replace
    } else {
        InvalidBytes::Fail
    };
    let out = BufWriter::new(io::stdout().lock());
    let mut writer = ReportWriter::new(out, args.output.format, args.output.bom, false)?;
    let limits = args.limits.limits();
    for file in &args.files {
        let before = writer.written();
        let (name, input) = open(file)?;
        let input = refuse_records(&name, input)?;
        parse_one(&name, input, mode, limits, &mut writer)?;
        if verbose {
            eprintln!("{name}: {} reports", writer.written() - before);
        }
    }
    writer.flush()
}

fn open(file: &str) -> Result<(String, Box<dyn Read + Send>), CliError> {
    if file == "-" {
        return Ok(("stdin".to_owned(), Box::new(io::stdin())));
    }
    let input = File::open(file).map_err(|e| CliError::Input(format!("{file}: {e}")))?;
    Ok((file.to_owned(), Box::new(input)))
}

fn parse_one<W: io::Write>(
    name: &str,
    input: Box<dyn Read + Send>,
    mode: InvalidBytes,
    limits: Limits,
    writer: &mut ReportWriter<W>,
) -> Result<(), Stop> {
    let unreadable = |e: iryo_hiyari::Error| match e {
        iryo_hiyari::Error::Read(e) => CliError::Transport(format!("{name}: {e}")),
        other => CliError::Transport(format!("{name}: {}", crate::error::one_line(&other))),
    };
    // Decoding and parsing run on threads of their own, so a big file converts faster.
    let mut reports = Pipelined::new(input, mode, limits)
        .map_err(unreadable)?
        .in_background();
    for report in reports.by_ref() {
        writer.write(&report.map_err(unreadable)?)?;
    }
    let reader = reports.finish();
    if reader.replaced_any() {
        eprintln!("warning: {name}: invalid Shift_JIS bytes were replaced with U+FFFD");
    }
    saved_error(reader.result_set())
        .map_err(|message| CliError::Api(format!("{name}: {message}")))?;
    Ok(())
}

/// The first bytes of `input`, looked at: JSON lines (what `iryo hiyari search` prints) are
/// refused with a message saying what `parse` expects; anything else is read on.
fn refuse_records(
    name: &str,
    mut input: Box<dyn Read + Send>,
) -> Result<Box<dyn Read + Send>, CliError> {
    let mut head = Vec::new();
    while head.len() < 256 && first_meaningful(&head).is_none() {
        let mut piece = [0u8; 64];
        let n = input
            .read(&mut piece)
            .map_err(|e| CliError::Transport(format!("{name}: {e}")))?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&piece[..n]);
    }
    let first = first_meaningful(&head);
    if matches!(first, Some(b'{' | b'[')) {
        return Err(CliError::Input(format!(
            "{name} holds JSON (such as `iryo hiyari search` prints), but `parse` reads saved XML \
             answers of the API (<?xml ...?><ResultSet ...>); keep those with `iryo hiyari search \
             --save-raw DIR`"
        )));
    }
    Ok(Box::new(io::Cursor::new(head).chain(input)))
}

/// The first byte that is neither whitespace nor part of a UTF-8 BOM.
fn first_meaningful(head: &[u8]) -> Option<u8> {
    head.iter()
        .copied()
        .find(|b| !b.is_ascii_whitespace() && ![0xEF, 0xBB, 0xBF].contains(b))
}

/// A saved `<Error>` answer: "no results" is an empty answer, anything else the API's error.
fn saved_error(result: &ResultSet) -> Result<(), String> {
    match &result.error {
        Some(message) if message.contains(NO_RESULTS) => Ok(()),
        Some(message) => Err(format!("the search API refused the search: {message}")),
        None if result.status.code() == "1" => Err(
            "the search API refused the search: status=\"1\" without an error message".to_owned(),
        ),
        None => Ok(()),
    }
}
