//! Running a [`Search`] over the reports: matching, sorting and paging.

use super::codes;
use super::params::{CodeSet, Condition, Order, Search, WordSet};
use super::report::Element;
use super::tags::{self, RowId};

/// A stored report with the fields sorting and the month range read.
#[derive(Clone, Debug)]
pub(crate) struct Report {
    /// 1-based, in load order; the tiebreaker of every order.
    pub(crate) id: usize,
    pub(crate) root: Element,
    /// `DATYEAR * 12 + DATMONTH - 1`, when both are present and numeric.
    month_number: Option<u32>,
    summary: String,
    /// What a word search sees, each with its element's row in the tag table.
    texts: Vec<(RowId, String)>,
}

impl Report {
    pub(crate) fn new(id: usize, root: Element) -> Self {
        let year = root
            .child("DATYEAR")
            .and_then(|e| e.text.as_deref())
            .and_then(|t| t.parse::<u32>().ok());
        let month = root
            .child("DATMONTH")
            .and_then(|e| e.code.as_deref())
            .and_then(|c| c.parse::<u32>().ok())
            .filter(|m| (1..=12).contains(m));
        let month_number = year.zip(month).map(|(y, m)| y * 12 + m - 1);
        let summary = root
            .child("DATSUMMARY")
            .and_then(|e| e.code.clone())
            .unwrap_or_default();
        let mut texts = Vec::new();
        let table = tags::table();
        searchable_texts(&root, table.root(), &mut texts);
        Report {
            id,
            root,
            month_number,
            summary,
            texts,
        }
    }
}

/// Gathers what a word search sees in `element` (placed at `row` in the tag table) and below: every text, and
/// the Japanese label of every `CODE` the コード検索 table lists, each with the row of the element holding it.
fn searchable_texts(element: &Element, row: RowId, out: &mut Vec<(RowId, String)>) {
    if let Some(label) = element
        .code
        .as_deref()
        .and_then(|code| codes::code_label(&element.name, code))
    {
        out.push((row, label.to_owned()));
    }
    if let Some(text) = &element.text {
        out.push((row, text.clone()));
    }
    for child in &element.children {
        // Reports are checked when they are loaded, so every child has a place; the parent's is a safe fallback.
        let place = tags::table().place(row, &child.name).unwrap_or(row);
        searchable_texts(child, place, out);
    }
}

/// One page of results.
#[derive(Debug)]
pub(crate) struct Page<'a> {
    pub(crate) total: usize,
    pub(crate) position: usize,
    pub(crate) reports: Vec<&'a Report>,
}

/// Every criterion is ANDed; see the crate docs for each one's meaning.
pub(crate) fn run<'a>(reports: &'a [Report], search: &Search) -> Page<'a> {
    let mut hits: Vec<(usize, &Report)> = reports
        .iter()
        .filter(|report| in_range(report, search))
        .filter(|report| search.codes.iter().all(|set| code_set_matches(report, set)))
        .filter_map(|report| word_score(report, &search.words).map(|score| (score, report)))
        .collect();
    let scored = search.order == Order::Score && search.words.iter().any(|set| set.item.is_some());
    let by_summary = |a: &Report, b: &Report| a.summary.cmp(&b.summary).then(a.id.cmp(&b.id));
    match search.order {
        Order::Occurrence => {
            hits.sort_by(|(_, a), (_, b)| b.month_number.cmp(&a.month_number).then(a.id.cmp(&b.id)))
        }
        Order::Score if scored => {
            hits.sort_by(|(sa, a), (sb, b)| sb.cmp(sa).then_with(|| by_summary(a, b)))
        }
        Order::Summary | Order::Score => hits.sort_by(|(_, a), (_, b)| by_summary(a, b)),
    }
    let total = hits.len();
    let page = hits
        .into_iter()
        .skip(search.start)
        .take(search.count.unwrap_or(usize::MAX))
        .map(|(_, report)| report)
        .collect();
    Page {
        total,
        position: search.start,
        reports: page,
    }
}

fn in_range(report: &Report, search: &Search) -> bool {
    if search.from.is_none() && search.to.is_none() {
        return true;
    }
    report.month_number.is_some_and(|month| {
        search.from.is_none_or(|from| from <= month) && search.to.is_none_or(|to| month <= to)
    })
}

/// `Some(number of matched terms)` when every word set matches, `None` otherwise.
fn word_score(report: &Report, sets: &[WordSet]) -> Option<usize> {
    let mut score = 0;
    for set in sets {
        // A search under a tag covers its rows in the tag table and everything below them (the table is the
        // search hierarchy: the three free texts are under LSTFACTOR there).
        let table = tags::table();
        let texts: Vec<&str> = report
            .texts
            .iter()
            .filter(|(row, _)| {
                set.item
                    .as_deref()
                    .is_none_or(|item| table.within(*row, item))
            })
            .map(|(_, text)| text.as_str())
            .collect();
        let found = set
            .terms
            .iter()
            .filter(|term| texts.iter().any(|text| text.contains(term.as_str())))
            .count();
        let matches = match set.condition {
            Condition::All => found == set.terms.len(),
            Condition::Any => found > 0,
            Condition::Not => found == 0,
        };
        if !matches {
            return None;
        }
        if set.condition != Condition::Not {
            score += found;
        }
    }
    Some(score)
}

fn code_set_matches(report: &Report, set: &CodeSet) -> bool {
    set.paths
        .iter()
        .flat_map(|path| report.root.at_path(path))
        .any(|element| {
            let by_code = element
                .code
                .as_ref()
                .is_some_and(|code| set.codes.contains(code));
            let text = element.text.as_deref().unwrap_or_default();
            by_code
                || set
                    .texts
                    .iter()
                    .any(|wanted| text.contains(wanted.as_str()))
        })
}
