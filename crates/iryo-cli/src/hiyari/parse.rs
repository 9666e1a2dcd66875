//! `iryo hiyari parse`: saved answers (files or stdin) to records, report by report.

use std::fs::File;
use std::io::{self, BufWriter, Read};

use iryo_hiyari::decode::InvalidBytes;
use iryo_hiyari::xml::ReadError;
use iryo_hiyari::{NO_RESULTS, ReportReader, ResultSet};

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
    for file in &args.files {
        let before = writer.written();
        let (name, input) = open(file)?;
        parse_one(&name, input, mode, &mut writer)?;
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
    writer: &mut ReportWriter<W>,
) -> Result<(), Stop> {
    let unreadable = |e: ReadError| CliError::Transport(format!("{name}: {e}"));
    // Decoding runs on a second thread, so a big file converts faster.
    let mut reader = ReportReader::pipelined(input, mode).map_err(unreadable)?;
    for report in reader.by_ref() {
        writer.write(&report.map_err(unreadable)?)?;
    }
    if reader.replaced_any() {
        eprintln!("warning: {name}: invalid Shift_JIS bytes were replaced with U+FFFD");
    }
    saved_error(reader.result_set())
        .map_err(|message| CliError::Api(format!("{name}: {message}")))?;
    Ok(())
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
