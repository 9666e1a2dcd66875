//! The one error type of the hiyari client.

use crate::paging::PagingError;
use crate::query::QueryError;
use crate::xml::ReadError;

/// Everything a search can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with an `Error` element other than "no results".
    #[error("the search API refused the search: {}", crate::shown(message))]
    Api {
        /// The API's message.
        message: String,
    },
    /// A status other than 200.
    #[error(
        "HTTP {status} from the search API{}",
        iryo_runtime::__private::excerpt_suffix(&crate::shown(body_excerpt))
    )]
    Http {
        /// The status code.
        status: u16,
        /// The first bytes of the body.
        body_excerpt: String,
    },
    /// The request could not be sent or the answer not received.
    #[error("could not reach the search API: {0}")]
    Transport(#[source] reqwest::Error),
    /// An answer is bigger than the configured maximum.
    #[error("the answer is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// The answer is not the XML of `response.xsd` in its declared encoding.
    #[error("the answer does not read: {0}")]
    Read(#[from] ReadError),
    /// An answer breaks the paging contract (a wrong position, more reports than asked, no
    /// progress, ...): see [`PagingError`].
    #[error("the answer to start={start} cannot be trusted: {source}")]
    Paging {
        /// The `start` of the request answered.
        start: u64,
        /// What is wrong.
        source: PagingError,
    },
    /// The search cannot be sent (a character Shift_JIS lacks, a month 13, ...); nothing was sent.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// A stream failed after it had yielded reports: resume with `start = next_start` to get the
    /// rest without duplicates or gaps.
    #[error("the search stopped at start={next_start}: {source}")]
    Interrupted {
        /// Where to resume.
        next_start: u64,
        /// What happened.
        source: Box<Error>,
    },
    /// A raw answer could not be kept (see `Config::raw_pages`).
    #[error("could not keep the raw answer: {0}")]
    RawPage(#[source] std::io::Error),
    /// The client cannot be built from this configuration.
    #[error("invalid client configuration: {0}")]
    Config(String),
}

impl Error {
    /// An answer over the size limit (not a `From`: the runtime's type is plumbing).
    pub(crate) fn too_large(too_large: iryo_runtime::__private::BodyTooLarge) -> Self {
        Error::TooLarge {
            limit: too_large.limit,
        }
    }
}
