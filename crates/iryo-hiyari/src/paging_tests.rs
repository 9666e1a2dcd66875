//! The paging state machine as a table of transitions: each row is a start state and the answers
//! a server gives, and the requests (or the error) that must follow.

use super::*;
use iryo_hiyari_codes::ResultStatus;

/// One answer: `position`, `count` attribute, `total`, and the ids of the reports it holds.
#[derive(Clone)]
struct Answer {
    position: u64,
    declared: u64,
    total: u64,
    reports: Vec<u64>,
}

/// An honest answer to `start` with `ids` (count attribute = their number).
fn honest(start: u64, total: u64, ids: std::ops::Range<u64>) -> Answer {
    let reports: Vec<u64> = ids.collect();
    Answer {
        position: start,
        declared: reports.len() as u64,
        total,
        reports,
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Request(u64, Count),
    Done,
    Failed(PagingError),
}

fn report(id: u64) -> PharmacyReport {
    PharmacyReport {
        year: Some(id.to_string()),
        ..PharmacyReport::default()
    }
}

fn head(answer: &Answer) -> ResultSet {
    ResultSet {
        count: answer.declared,
        position: answer.position,
        status: ResultStatus::from("0"),
        total: answer.total,
        error: None,
        pharmacy_report: Vec::new(),
        unknown_elements: Vec::new(),
    }
}

/// Drives `paging` with `answers`, one per request; records every request and how it ends.
fn run(mut paging: Paging, answers: &[Answer]) -> (Vec<Outcome>, Paging) {
    let mut outcomes = Vec::new();
    let mut answers = answers.iter();
    loop {
        let request = match paging.next_request() {
            Ok(Some(request)) => request,
            Ok(None) => {
                outcomes.push(Outcome::Done);
                break;
            }
            Err(e) => {
                outcomes.push(Outcome::Failed(e));
                break;
            }
        };
        outcomes.push(Outcome::Request(request.start, request.count));
        let Some(answer) = answers.next() else {
            break;
        };
        let result = paging
            .check_head(&request, &head(answer))
            .and_then(|mut check| {
                for id in &answer.reports {
                    check.accept(&report(*id))?;
                }
                paging.finish(check)
            });
        if let Err(e) = result {
            outcomes.push(Outcome::Failed(e));
            break;
        }
    }
    (outcomes, paging)
}

use Outcome::{Done, Failed, Request};
const fn n(count: u64) -> Count {
    Count::Limit(count)
}

#[test]
fn transitions() {
    let max = u64::MAX;
    #[rustfmt::skip]
    let table: Vec<(&str, Paging, Vec<Answer>, Vec<Outcome>)> = vec![
        ("honest pages end at total",
         Paging::new(0, None, Some(10)),
         vec![honest(0, 25, 0..10), honest(10, 25, 10..20), honest(20, 25, 20..25)],
         vec![Request(0, n(10)), Request(10, n(10)), Request(20, n(10)), Done]),
        ("a server capping answers below count is paged on, nothing lost",
         Paging::new(0, None, Some(10)),
         vec![honest(0, 10, 0..4), honest(4, 10, 4..8), honest(8, 10, 8..10)],
         vec![Request(0, n(10)), Request(4, n(10)), Request(8, n(10)), Done]),
        ("start 5 count 15 with a cap of 10",
         Paging::new(5, Some(15), Some(100)),
         vec![honest(5, 25, 5..15), honest(15, 25, 15..20)],
         vec![Request(5, n(15)), Request(15, n(5)), Done]),
        ("the wanted count is reached before total",
         Paging::new(0, Some(12), Some(10)),
         vec![honest(0, 99, 0..10), honest(10, 99, 10..12)],
         vec![Request(0, n(10)), Request(10, n(2)), Done]),
        ("no query count means the API's 10",
         Paging::for_query(None, None, Some(100)),
         vec![honest(0, 99, 0..10)],
         vec![Request(0, n(10)), Done]),
        ("count=all in one request",
         Paging::new(0, None, None),
         vec![honest(0, 3, 0..3)],
         vec![Request(0, Count::All), Done]),
        ("count=all capped by the server goes on from where it stopped",
         Paging::new(0, None, None),
         vec![honest(0, 5, 0..3), honest(3, 5, 3..5)],
         vec![Request(0, Count::All), Request(3, Count::All), Done]),
        ("zero wanted asks nothing",
         Paging::new(0, Some(0), Some(10)),
         vec![],
         vec![Done]),
        ("start at or past total ends after an empty answer",
         Paging::new(50, None, Some(10)),
         vec![honest(50, 41, 0..0)],
         vec![Request(50, n(10)), Done]),
        ("no hits (total 0, position 0) whatever start was asked",
         Paging::new(7, None, Some(10)),
         vec![honest(0, 0, 0..0)],
         vec![Request(7, n(10)), Done]),
        ("a position other than start",
         Paging::new(0, None, Some(10)),
         vec![honest(0, 999_999_999, 0..10), honest(0, 999_999_999, 0..10)],
         vec![Request(0, n(10)), Request(10, n(10)),
              Failed(PagingError::PositionMismatch { asked: 10, answered: 0 })]),
        ("a count attribute above count is refused before any report",
         Paging::new(0, Some(5), Some(10)),
         vec![Answer { position: 0, declared: 1000, total: 1000, reports: (0..1000).collect() }],
         vec![Request(0, n(5)), Failed(PagingError::OverDelivery { allowed: 5, what: "asked" })]),
        ("more reports than asked: the sixth is refused",
         Paging::new(0, Some(5), Some(10)),
         vec![Answer { position: 0, declared: 5, total: 1000, reports: (0..6).collect() }],
         vec![Request(0, n(5)),
              Failed(PagingError::OverDelivery { allowed: 5, what: "asked" })]),
        ("more reports than the count attribute declares: the extra one is refused",
         Paging::new(0, None, Some(10)),
         vec![Answer { position: 0, declared: 3, total: 1000, reports: (0..4).collect() }],
         vec![Request(0, n(10)),
              Failed(PagingError::OverDelivery { allowed: 3, what: "its count attribute declares" })]),
        ("fewer reports than the count attribute declares",
         Paging::new(0, None, Some(10)),
         vec![Answer { position: 0, declared: 10, total: 30, reports: (0..7).collect() }],
         vec![Request(0, n(10)), Failed(PagingError::CountMismatch { declared: 10, received: 7 })]),
        ("no report while start < total",
         Paging::new(0, None, Some(10)),
         vec![honest(0, 30, 0..10), honest(10, 30, 0..0)],
         vec![Request(0, n(10)), Request(10, n(10)),
              Failed(PagingError::NoProgress { start: 10, total: 30 })]),
        ("the same page again at the right position",
         Paging::new(0, None, Some(10)),
         vec![honest(0, 30, 0..10), honest(10, 30, 0..10)],
         vec![Request(0, n(10)), Request(10, n(10)), Failed(PagingError::RepeatedPage { start: 10 })]),
        ("more reports than total leaves",
         Paging::new(0, None, Some(10)),
         vec![Answer { position: 0, declared: 10, total: 3, reports: (0..10).collect() }],
         vec![Request(0, n(10)), Failed(PagingError::BeyondTotal { position: 0, total: 3 })]),
        ("start near u64::MAX: an empty answer ends it",
         Paging::new(max - 15, None, Some(100)),
         vec![honest(max - 15, 41, 0..0)],
         vec![Request(max - 15, n(100)), Done]),
        ("start near u64::MAX: reports up to total = MAX end exactly there",
         Paging::new(max - 15, None, Some(100)),
         vec![honest(max - 15, max, 0..15)],
         vec![Request(max - 15, n(100)), Done]),
        ("start near u64::MAX: a 16th report would pass total",
         Paging::new(max - 15, None, Some(100)),
         vec![honest(max - 15, max, 0..16)],
         vec![Request(max - 15, n(100)), Failed(PagingError::BeyondTotal { position: max - 15, total: max })]),
        ("pages shrinking below the first answer's size hit the request bound",
         Paging::new(0, None, Some(10)),
         vec![honest(0, 10, 0..2), honest(2, 10, 2..3), honest(3, 10, 3..4), honest(4, 10, 4..5),
              honest(5, 10, 5..6), honest(6, 10, 6..7)],
         vec![Request(0, n(10)), Request(2, n(10)), Request(3, n(10)), Request(4, n(10)),
              Request(5, n(10)), Request(6, n(10)),
              Failed(PagingError::TooManyRequests { limit: 6, total: 10 })]),
    ];
    for (name, paging, answers, expected) in table {
        let (outcomes, _) = run(paging, &answers);
        assert_eq!(outcomes, expected, "{name}");
    }
}

#[test]
fn the_resume_point_counts_only_accepted_reports() {
    let (outcomes, paging) = run(
        Paging::new(5, None, Some(10)),
        &[honest(5, 100, 5..15), honest(15, 100, 0..0)],
    );
    assert!(matches!(
        outcomes.last(),
        Some(Failed(PagingError::NoProgress { .. }))
    ));
    assert_eq!(paging.next_start(), 15);
    assert_eq!(paging.received(), 10);
    assert_eq!(paging.requests(), 2);
}

#[test]
fn the_request_bound_allows_an_honest_search_and_no_more() {
    // 1000 reports in pages of 10: 100 requests, plus one in reserve.
    let answers: Vec<Answer> = (0..100)
        .map(|p| honest(p * 10, 1000, p * 10..p * 10 + 10))
        .collect();
    let (outcomes, paging) = run(Paging::new(0, None, Some(10)), &answers);
    assert_eq!(outcomes.last(), Some(&Done));
    assert_eq!(paging.requests(), 100);
}
