//! The one error type of `iryo`, with its exit code, and how the clients' errors map onto it.

use std::fmt::Write as _;

/// Exit code: the API answered with its own error (ORCA `0089`, `PLAT500`, hiyari's `<Error>`).
pub const EXIT_API: u8 = 1;
/// Exit code: the command line does not parse (clap's own code for usage errors).
pub const EXIT_USAGE: u8 = 2;
/// Exit code: transport, HTTP status, an answer or file that does not decode, output I/O.
pub const EXIT_TRANSPORT: u8 = 3;
/// Exit code: input refused before anything was sent (a missing variable, an unknown item, ...).
pub const EXIT_INPUT: u8 = 4;
/// Exit code: the job ended without all it was asked for, and says what may be missing (a
/// harvest whose search changed on every pass).
pub const EXIT_INCOMPLETE: u8 = 5;
/// Exit code: a rebuilt corpus differs from its manifest (reports missing or changed); the
/// summary is on stdout, the counts on stderr.
pub const EXIT_CORPUS_CHANGED: u8 = 6;

/// The exit codes as `--help` shows them.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success (no match is success too, with no records)
  1  the API reported an error; the line names its code (ORCA 0089, PLAT500, hiyari's <Error> text)
  2  usage: the command line does not parse, or repeated flags do not pair
  3  transport, HTTP status (401 included), or an answer or file that does not decode
  4  bad input, refused before anything was sent (missing ORCA_USER, unknown --item, an emoji, ...)
  5  incomplete: what was fetched is stored, but some may be missing (the line says what)
  6  hiyari rebuild: the corpus differs from its manifest (reports missing or changed; counts on stderr)";

/// Why a command failed. Each variant has one exit code; the message is printed as one
/// `error: ...` line on stderr and never contains a password or token.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The API answered with its own error code or message.
    #[error("{0}")]
    Api(String),
    /// The command line is inconsistent in a way clap cannot check (pairing of repeated flags).
    #[error("{0}")]
    Usage(String),
    /// The request or the answer failed on the way (connection, HTTP status, decoding, I/O).
    #[error("{0}")]
    Transport(String),
    /// Input refused before sending.
    #[error("{0}")]
    Input(String),
    /// The job ended, but not with everything it was asked for.
    #[error("{0}")]
    Incomplete(String),
    /// A rebuilt corpus differs from its manifest.
    #[error("{0}")]
    CorpusChanged(String),
}

impl CliError {
    /// The process exit code of this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Api(_) => EXIT_API,
            CliError::Usage(_) => EXIT_USAGE,
            CliError::Transport(_) => EXIT_TRANSPORT,
            CliError::Input(_) => EXIT_INPUT,
            CliError::Incomplete(_) => EXIT_INCOMPLETE,
            CliError::CorpusChanged(_) => EXIT_CORPUS_CHANGED,
        }
    }

    /// Writing the records failed (stdout closed early is handled by the caller).
    pub fn output(error: std::io::Error) -> Self {
        CliError::Transport(format!("writing the output failed: {error}"))
    }
}

/// The error and its sources on one line: `a: b: c`, without repeating a source whose text the
/// line already holds (several clients print their source inside their own message), no control
/// character left (an escape sequence in a server's text never reaches the terminal).
pub fn one_line(error: &dyn std::error::Error) -> String {
    let mut line = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !line.contains(&text) {
            let _ = write!(line, ": {text}");
        }
        source = cause.source();
    }
    // The same control-character rule as every server text the clients excerpt.
    iryo_runtime::__private::printable(&line)
}

/// A client's error as the command's: plain http refused, the API's own answer (exit 1), a refused
/// input (exit 4, the variants listed), anything else a transport failure.
macro_rules! from_client_error {
    ($($error:ident)::+, input: $($input:pat),+) => {
        impl From<$($error)::+> for CliError {
            fn from(error: $($error)::+) -> Self {
                let message = one_line(&error);
                match error {
                    $($error)::+::InsecureHttp(refused) => crate::insecure::refused(&refused),
                    $($error)::+::Api { .. } => CliError::Api(message),
                    $($input)|+ => CliError::Input(message),
                    _ => CliError::Transport(message),
                }
            }
        }
    };
}

from_client_error!(
    iryo_orca::Error,
    input: iryo_orca::Error::InvalidInput { .. },
    iryo_orca::Error::Config(_)
);
from_client_error!(
    iryo_plat::Error,
    input: iryo_plat::Error::InvalidInput { .. },
    iryo_plat::Error::Config(_),
    iryo_plat::Error::Token(_)
);

impl From<iryo_hiyari::Error> for CliError {
    fn from(error: iryo_hiyari::Error) -> Self {
        let message = one_line(&error);
        match hiyari_kind(&error) {
            EXIT_API => CliError::Api(message),
            EXIT_INPUT => CliError::Input(message),
            _ => CliError::Transport(message),
        }
    }
}

/// An interrupted stream fails for the reason underneath; its message keeps the resume point.
fn hiyari_kind(error: &iryo_hiyari::Error) -> u8 {
    use iryo_hiyari::Error as E;
    match error {
        E::Api { .. } => EXIT_API,
        E::Query(_) | E::Config(_) => EXIT_INPUT,
        E::Interrupted { source, .. } => hiyari_kind(source),
        _ => EXIT_TRANSPORT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_variant_has_its_code() {
        assert_eq!(CliError::Api(String::new()).exit_code(), 1);
        assert_eq!(CliError::Usage(String::new()).exit_code(), 2);
        assert_eq!(CliError::Transport(String::new()).exit_code(), 3);
        assert_eq!(CliError::Input(String::new()).exit_code(), 4);
    }

    #[test]
    fn client_errors_are_classified() {
        let api = iryo_orca::Error::Api {
            code: "0089".parse().unwrap(),
            message: Some("line\nbreak".to_owned()),
        };
        let mapped = CliError::from(api);
        assert_eq!(mapped.exit_code(), EXIT_API);
        assert_eq!(mapped.to_string(), "ORCA error 0089: line break");
        assert_eq!(
            CliError::from(iryo_orca::Error::Unauthorized).exit_code(),
            EXIT_TRANSPORT
        );
        let interrupted = iryo_hiyari::Error::Interrupted {
            next_start: 7,
            source: Box::new(iryo_hiyari::Error::Api {
                message: "只今メンテナンス中です。".to_owned(),
            }),
        };
        let mapped = CliError::from(interrupted);
        assert_eq!(mapped.exit_code(), EXIT_API);
        assert!(mapped.to_string().contains("start=7"), "{mapped}");
    }
}
