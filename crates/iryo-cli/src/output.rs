//! Writing records to stdout, and how a command ends: done, stdout closed by its reader (a quiet
//! stop, e.g. `| head`), or failed.

use std::io::{self, Write};

use crate::error::CliError;

/// Why a command stopped before the end.
#[derive(Debug)]
pub enum Stop {
    /// The reader of stdout went away (broken pipe): stop quietly, exit 0.
    Closed,
    /// A failure, reported as one `error:` line.
    Failed(CliError),
}

impl From<CliError> for Stop {
    fn from(error: CliError) -> Self {
        Stop::Failed(error)
    }
}

impl From<io::Error> for Stop {
    fn from(error: io::Error) -> Self {
        if error.kind() == io::ErrorKind::BrokenPipe {
            Stop::Closed
        } else {
            Stop::Failed(CliError::output(error))
        }
    }
}

impl From<csv::Error> for Stop {
    fn from(error: csv::Error) -> Self {
        match error.into_kind() {
            csv::ErrorKind::Io(io) => Stop::from(io),
            other => Stop::Failed(CliError::Transport(format!(
                "writing CSV failed: {other:?}"
            ))),
        }
    }
}

macro_rules! stop_from_client_error {
    ($($error:ty),*) => {$(
        impl From<$error> for Stop {
            fn from(error: $error) -> Self {
                Stop::Failed(CliError::from(error))
            }
        }
    )*};
}

stop_from_client_error!(iryo_orca::Error, iryo_plat::Error, iryo_hiyari::Error);

/// Writes one JSON value and a newline.
pub fn write_json_line(out: &mut impl Write, value: &serde_json::Value) -> Result<(), Stop> {
    serde_json::to_writer(&mut *out, value).map_err(|e| match e.io_error_kind() {
        Some(kind) => Stop::from(io::Error::from(kind)),
        None => Stop::Failed(CliError::Transport(format!("writing JSON failed: {e}"))),
    })?;
    out.write_all(b"\n")?;
    Ok(())
}

/// A credential from the environment. Unset, empty or not UTF-8 is refused (exit 4), and the
/// message names the variable, never its value.
pub fn required_env(name: &str, what: &str) -> Result<String, CliError> {
    match std::env::var(name) {
        Ok(value) if !value.is_empty() => Ok(value),
        Ok(_) | Err(std::env::VarError::NotPresent) => Err(CliError::Input(format!(
            "{name} is not set: export {name} with {what}"
        ))),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(CliError::Input(format!("{name} is not valid UTF-8")))
        }
    }
}
