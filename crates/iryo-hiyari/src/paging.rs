//! Paging as an explicit state machine, free of I/O: which page to ask for next, what an answer
//! must satisfy, and where to go from it. Every client path (a stream, one page, a harvest that
//! writes each page to a database) drives this one machine:
//!
//! ```text
//! let mut paging = Paging::new(start, wanted, page_size);
//! while let Some(request) = paging.next_request()? {   // bounded number of requests
//!     let mut check = paging.check_head(&request, &head)?;  // position, count attribute
//!     for report in answer { check.accept(&report)?; }      // never more than asked or left
//!     paging.finish(check)?;                                // progress, next start
//! }
//! ```
//!
//! The document promises that an answer starts at the `position` asked and holds `count`
//! reports of the `total`; it never promises that `count` is what was asked (a server may cap
//! its answers), so a short page is followed by the next one from `position + received`.

use std::hash::{Hash, Hasher};

use crate::query_terms::Count;
use crate::{PharmacyReport, ResultSet};

/// The API's default `count` when none is given.
pub const DEFAULT_COUNT: u64 = 10;

/// One page to request: `start` and `count` (at most the page size and what is still wanted).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    /// `start` of the request.
    pub start: u64,
    /// `count` of the request.
    pub count: Count,
}

impl PageRequest {
    /// The most reports the answer may hold (`None` for `count=all`).
    pub fn limit(&self) -> Option<u64> {
        match self.count {
            Count::Limit(n) => Some(n),
            Count::All => None,
        }
    }
}

/// An answer that breaks the paging contract. Each names what was asked and what came.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PagingError {
    /// The answer starts elsewhere than asked (`position` is not the `start` sent).
    #[error("the answer starts at position {answered}, not at the start {asked} asked")]
    PositionMismatch {
        /// `start` sent.
        asked: u64,
        /// `position` answered.
        answered: u64,
    },
    /// More reports than the request's `count` (or than the answer's own `count` attribute).
    #[error("the answer holds more reports than the {allowed} {what}")]
    OverDelivery {
        /// The count that was exceeded.
        allowed: u64,
        /// `"asked"` or `"its count attribute declares"`.
        what: &'static str,
    },
    /// More reports than `total` leaves from `position`.
    #[error("the answer holds more reports than total={total} leaves after position={position}")]
    BeyondTotal {
        /// `position` answered.
        position: u64,
        /// `total` answered.
        total: u64,
    },
    /// Fewer reports than the answer's `count` attribute declares.
    #[error("the answer declares count={declared} but holds {received} reports")]
    CountMismatch {
        /// `count` attribute.
        declared: u64,
        /// Reports received.
        received: u64,
    },
    /// No report although `start` is below `total`: asking again would loop.
    #[error("no report at start={start} although total={total}")]
    NoProgress {
        /// `start` asked.
        start: u64,
        /// `total` answered.
        total: u64,
    },
    /// The page's first report is the previous page's first report: the server repeats a page.
    #[error("the page at start={start} repeats the previous page")]
    RepeatedPage {
        /// `start` of the repeated page.
        start: u64,
    },
    /// `position + reports` does not fit in 64 bits.
    #[error("position {position} + {received} reports overflows")]
    Overflow {
        /// `position` answered.
        position: u64,
        /// Reports received.
        received: u64,
    },
    /// More requests than `total` and the page size can justify.
    #[error("more than {limit} requests for total={total}: the server does not page as it says")]
    TooManyRequests {
        /// The bound.
        limit: u64,
        /// `total` of the first answer.
        total: u64,
    },
}

/// The paging of one search: from `start`, `wanted` reports (`None`: all) in pages of
/// `page_size` (`None`: one `count=all` request, repeated only if a server answers less).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paging {
    next_start: u64,
    remaining: Option<u64>,
    page_size: Option<u64>,
    requests: u64,
    /// Set by the first answer: the most requests the rest may take.
    max_requests: Option<(u64, u64)>,
    previous_first: Option<u64>,
    done: bool,
    received: u64,
}

impl Paging {
    /// Paging from `start` for `wanted` reports (`None`: every match) in pages of `page_size`
    /// (at least 1; `None`: `count=all` requests).
    pub fn new(start: u64, wanted: Option<u64>, page_size: Option<u64>) -> Self {
        Paging {
            next_start: start,
            remaining: wanted,
            page_size: page_size.map(|n| n.max(1)),
            requests: 0,
            max_requests: None,
            previous_first: None,
            done: wanted == Some(0),
            received: 0,
        }
    }

    /// The paging of a query's `start` and `count` (absent: 0 and the API's 10).
    pub fn for_query(start: Option<u64>, count: Option<Count>, page_size: Option<u64>) -> Self {
        let wanted = match count {
            Some(Count::Limit(n)) => Some(n),
            Some(Count::All) => None,
            None => Some(DEFAULT_COUNT),
        };
        Paging::new(start.unwrap_or(0), wanted, page_size)
    }

    /// Where the rest would start: the resume point after a failure.
    pub fn next_start(&self) -> u64 {
        self.next_start
    }

    /// Reports accepted so far.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// Requests made so far.
    pub fn requests(&self) -> u64 {
        self.requests
    }

    /// Whether every wanted report has been received (or no more exist).
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The next page to request, `None` when done. Fails once more requests would be needed
    /// than the first answer's `total` and the page size justify.
    pub fn next_request(&mut self) -> Result<Option<PageRequest>, PagingError> {
        if self.done {
            return Ok(None);
        }
        if let Some((limit, total)) = self.max_requests
            && self.requests >= limit
        {
            return Err(PagingError::TooManyRequests { limit, total });
        }
        let count = match (self.page_size, self.remaining) {
            (Some(size), Some(left)) => Count::Limit(size.min(left)),
            (Some(size), None) => Count::Limit(size),
            (None, Some(left)) => Count::Limit(left),
            (None, None) => Count::All,
        };
        self.requests += 1;
        Ok(Some(PageRequest {
            start: self.next_start,
            count,
        }))
    }

    /// Checks the answer's `ResultSet` attributes against `request`, before any report is
    /// taken, and returns the check its reports go through.
    pub fn check_head(
        &self,
        request: &PageRequest,
        head: &ResultSet,
    ) -> Result<PageCheck, PagingError> {
        // "No results" answers (total 0) carry position 0 whatever was asked.
        let empty = head.total == 0 && head.count == 0;
        if head.position != request.start && !empty {
            return Err(PagingError::PositionMismatch {
                asked: request.start,
                answered: head.position,
            });
        }
        if let Some(asked) = request.limit()
            && head.count > asked
        {
            return Err(PagingError::OverDelivery {
                allowed: asked,
                what: "asked",
            });
        }
        Ok(PageCheck {
            request: *request,
            position: request.start,
            declared: head.count,
            total: head.total,
            received: 0,
            previous_first: self.previous_first,
            first: None,
        })
    }

    /// Moves on after a page whose reports all passed `check`.
    pub fn finish(&mut self, check: PageCheck) -> Result<(), PagingError> {
        let PageCheck {
            position,
            declared,
            total,
            received,
            ..
        } = check;
        if received < declared {
            return Err(PagingError::CountMismatch { declared, received });
        }
        let next = position
            .checked_add(received)
            .ok_or(PagingError::Overflow { position, received })?;
        if self.max_requests.is_none() {
            self.max_requests = Some((self.request_bound(&check, total), total));
        }
        self.next_start = next;
        self.received = self.received.saturating_add(received);
        self.remaining = self.remaining.map(|left| left.saturating_sub(received));
        if check.first.is_some() {
            self.previous_first = check.first;
        }
        if self.remaining == Some(0) || next >= total {
            self.done = true;
            return Ok(());
        }
        if received == 0 {
            return Err(PagingError::NoProgress {
                start: position,
                total,
            });
        }
        Ok(())
    }

    /// The most requests this search may take in all, from the first answer: the reports left
    /// (up to `total`, at most the wanted count) over the page size, or over the first answer's
    /// size when the server answered less than asked (it caps its answers); plus one in reserve.
    fn request_bound(&self, first: &PageCheck, total: u64) -> u64 {
        let span = total.saturating_sub(first.position);
        let span = self.remaining.map_or(span, |wanted| span.min(wanted));
        let mut per_page = first.request.limit().unwrap_or(span).max(1);
        if first.received > 0 && first.received < per_page {
            per_page = first.received;
        }
        span.div_ceil(per_page).saturating_add(1).max(1)
    }
}

/// The checks of one page's reports, in order, before each one is passed on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageCheck {
    request: PageRequest,
    position: u64,
    declared: u64,
    total: u64,
    received: u64,
    previous_first: Option<u64>,
    first: Option<u64>,
}

impl PageCheck {
    /// Takes the next report of the page, or refuses it: more than asked, than the answer's
    /// `count`, or than `total` leaves; or a first report equal to the previous page's.
    pub fn accept(&mut self, report: &PharmacyReport) -> Result<(), PagingError> {
        let next = self.received.saturating_add(1);
        if let Some(asked) = self.request.limit()
            && next > asked
        {
            return Err(PagingError::OverDelivery {
                allowed: asked,
                what: "asked",
            });
        }
        if next > self.declared {
            return Err(PagingError::OverDelivery {
                allowed: self.declared,
                what: "its count attribute declares",
            });
        }
        if next > self.total.saturating_sub(self.position) {
            return Err(PagingError::BeyondTotal {
                position: self.position,
                total: self.total,
            });
        }
        if self.received == 0 {
            let first = fingerprint(report);
            if self.previous_first == Some(first) {
                return Err(PagingError::RepeatedPage {
                    start: self.position,
                });
            }
            self.first = Some(first);
        }
        self.received = next;
        Ok(())
    }

    /// Reports accepted so far.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// The answer's `total`.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The request this page answers.
    pub fn request(&self) -> PageRequest {
        self.request
    }
}

/// A hash of a report's whole content (its `Debug` form, streamed into the hasher).
fn fingerprint(report: &PharmacyReport) -> u64 {
    struct Hashing(std::collections::hash_map::DefaultHasher);
    impl std::fmt::Write for Hashing {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            s.hash(&mut self.0);
            Ok(())
        }
    }
    let mut hashing = Hashing(std::collections::hash_map::DefaultHasher::new());
    let _ = std::fmt::write(&mut hashing, format_args!("{report:?}"));
    hashing.0.finish()
}

#[cfg(test)]
#[path = "paging_tests.rs"]
mod tests;
