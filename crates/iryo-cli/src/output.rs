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

/// `-v` for the commands that call an API through the client shell: one stderr line per HTTP
/// attempt, from the `iryo.http` span the runtime emits (API, operation, attempt, status, retry
/// delay; the runtime records no header, token or password). Other spans and events stay off.
pub fn trace_http_attempts() {
    use tracing_subscriber::filter::filter_fn;
    use tracing_subscriber::fmt::format::FmtSpan;
    use tracing_subscriber::prelude::*;

    let attempts = tracing_subscriber::fmt::layer()
        .with_writer(io::stderr)
        .with_ansi(false)
        .without_time()
        .with_level(false)
        .with_target(false)
        .with_span_events(FmtSpan::CLOSE)
        .with_filter(filter_fn(|meta| {
            meta.is_span() && meta.name() == "iryo.http"
        }));
    let _ = tracing_subscriber::registry().with(attempts).try_init();
}
