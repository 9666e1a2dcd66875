//! Writing records to stdout, and how a command ends: done, stdout closed by its reader (a quiet
//! stop, e.g. `| head`), or failed.

use std::io;

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
