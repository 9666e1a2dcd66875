use std::path::PathBuf;

/// Everything that can stop a generation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A spec, table or generated file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// A spec or table file is not valid YAML/JSON of the expected shape.
    #[error("{path}: {message}")]
    Parse {
        /// The file concerned.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// A spec breaks one of the generator's rules (a duplicate code, an unknown table, ...).
    #[error("{0}")]
    Spec(String),
    /// progenitor refused the OpenAPI document.
    #[error("progenitor: {0}")]
    Progenitor(String),
    /// Generated tokens did not parse as Rust (a generator bug).
    #[error("generated code for {path} does not parse: {message}")]
    Syntax {
        /// The output file concerned.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// No API of that name is registered.
    #[error("unknown API `{0}`; known: {1}")]
    UnknownApi(String, String),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn parse(path: impl Into<PathBuf>, message: impl ToString) -> Self {
        Error::Parse {
            path: path.into(),
            message: message.to_string(),
        }
    }
}
