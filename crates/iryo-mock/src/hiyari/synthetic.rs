//! A large synthetic data set (e.g. 100,000 reports) that is never stored: report `i` is built
//! when a page holds it, from the generator's report `i` with a month that grows with `i`
//! ([`REPORTS_PER_MONTH`] a month from 2009-01), so the set can grow at the new end while the
//! mock runs ([`HiyariMock::add_synthetic`](super::HiyariMock::add_synthetic)). Sorting is closed
//! form: `order=2` is newest month first and, within a month, the newest report first (so it is
//! exactly the reverse of `i`); `order=1` is by `DATSUMMARY` code, then `i`. Only searches without
//! criteria (no word, code or month range) are answered.

use std::collections::{BTreeSet, HashMap};

use encoding_rs::SHIFT_JIS;

use super::generator::generated_report;
use super::params::{Order, Search};
use super::report::Element;
use super::scenarios::SCENARIOS;

/// How many synthetic reports fall in one month.
pub(crate) const REPORTS_PER_MONTH: usize = 500;

/// Synthetic report `i` (0-based).
pub(crate) fn synthetic_report(i: usize) -> Element {
    let mut report = generated_report(i);
    let months = i / REPORTS_PER_MONTH;
    for child in &mut report.children {
        match child.name.as_str() {
            "DATYEAR" => child.text = Some((2009 + months / 12).to_string()),
            "DATMONTH" => child.code = Some(format!("{:02}", months % 12 + 1)),
            _ => {}
        }
    }
    report
}

/// The page of a search over `size` synthetic reports: `(total, reports)`, or the message of a
/// search this data set does not answer.
/// Reports in `withdrawn` are left out, those in `corrected` carry their corrected text (see
/// `changes`).
pub(crate) fn page(
    size: usize,
    withdrawn: &BTreeSet<usize>,
    corrected: &BTreeSet<usize>,
    search: &Search,
    cap: Option<usize>,
) -> Result<(usize, Vec<Element>), String> {
    if !search.words.is_empty()
        || !search.codes.is_empty()
        || search.from.is_some()
        || search.to.is_some()
    {
        return Err("the synthetic data set answers searches without criteria only".to_owned());
    }
    let count = search
        .count
        .unwrap_or(usize::MAX)
        .min(cap.unwrap_or(usize::MAX));
    if !withdrawn.is_empty() {
        // Rare (tests of a changing data set): walk the order, skipping the withdrawn.
        let reports = super::changes::visible(size, search.order, withdrawn)
            .skip(search.start)
            .take(count)
            .map(|index| changed_report(index, corrected))
            .collect();
        return Ok((size - withdrawn.len(), reports));
    }
    let end = search.start.saturating_add(count).min(size);
    let reports = (search.start.min(end)..end)
        .map(|position| changed_report(index_at(size, search.order, position), corrected))
        .collect();
    Ok((size, reports))
}

/// Report `index`, with its corrected text when it is in `corrected`.
fn changed_report(index: usize, corrected: &BTreeSet<usize>) -> Element {
    let mut report = synthetic_report(index);
    if corrected.contains(&index) {
        for child in &mut report.children {
            if child.name == "DATCONTENTTEXT" {
                let text = child.text.get_or_insert_with(String::new);
                text.push_str(super::changes::CORRECTION);
            }
        }
    }
    report
}

/// Appends `xml` in Shift_JIS. The synthetic reports repeat their Japanese texts, so each run of
/// non-ASCII text is encoded once per answer (`cache`) and ASCII is copied: a large page costs
/// little more than its bytes. `false` if some character has no Shift_JIS form.
pub(crate) fn encode_cached(
    out: &mut Vec<u8>,
    xml: &str,
    cache: &mut HashMap<String, Vec<u8>>,
) -> bool {
    let mut rest = xml;
    while !rest.is_empty() {
        let ascii = rest
            .bytes()
            .position(|b| !b.is_ascii())
            .unwrap_or(rest.len());
        out.extend_from_slice(&rest.as_bytes()[..ascii]);
        rest = &rest[ascii..];
        let run = rest
            .bytes()
            .position(|b| b.is_ascii())
            .unwrap_or(rest.len());
        if run == 0 {
            continue;
        }
        let (text, tail) = rest.split_at(run);
        rest = tail;
        if let Some(bytes) = cache.get(text) {
            out.extend_from_slice(bytes);
            continue;
        }
        let (bytes, _, unmappable) = SHIFT_JIS.encode(text);
        if unmappable {
            return false;
        }
        out.extend_from_slice(&bytes);
        cache.insert(text.to_owned(), bytes.into_owned());
    }
    true
}

/// The report at `position` (< `size`) in `order`.
pub(crate) fn index_at(size: usize, order: Order, position: usize) -> usize {
    match order {
        Order::Occurrence => size - 1 - position,
        // Without a word search, score falls back to the default order.
        Order::Summary | Order::Score => by_summary(size, position),
    }
}

/// `order=1`: groups of residues `i % 17` with the same summary code, codes ascending; within a
/// group the reports ascend, so its k-th one is `(k / |group|) * 17 + group[k % |group|]`.
fn by_summary(size: usize, mut position: usize) -> usize {
    let cycle = SCENARIOS.len();
    let mut summaries: Vec<&str> = SCENARIOS.iter().map(|s| s.details.summary()).collect();
    summaries.sort_unstable();
    summaries.dedup();
    for summary in summaries {
        let group: Vec<usize> = (0..cycle)
            .filter(|&r| SCENARIOS[r].details.summary() == summary)
            .collect();
        let in_group: usize = group
            .iter()
            .map(|&r| {
                if r < size {
                    (size - 1 - r) / cycle + 1
                } else {
                    0
                }
            })
            .sum();
        if position < in_group {
            return (position / group.len()) * cycle + group[position % group.len()];
        }
        position -= in_group;
    }
    unreachable!("position is below size")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary_of(i: usize) -> String {
        synthetic_report(i)
            .child("DATSUMMARY")
            .and_then(|e| e.code.clone())
            .unwrap_or_default()
    }

    /// The closed form is the sort the small data set does, for sizes around every cycle edge.
    #[test]
    fn closed_form_orders_are_sorts() {
        for size in [1, 2, 16, 17, 18, 35, 100, 1001] {
            let mut expected: Vec<usize> = (0..size).collect();
            expected.sort_by(|&a, &b| summary_of(a).cmp(&summary_of(b)).then(a.cmp(&b)));
            let ours: Vec<usize> = (0..size).map(|p| by_summary(size, p)).collect();
            assert_eq!(ours, expected, "size {size}");
        }
    }

    #[test]
    fn cached_encoding_is_plain_encoding() {
        let mut cache = HashMap::new();
        for i in 0..200 {
            let mut xml = String::new();
            super::super::report::write_element(&mut xml, &synthetic_report(i), 1);
            let mut ours = Vec::new();
            assert!(encode_cached(&mut ours, &xml, &mut cache));
            assert_eq!(ours, SHIFT_JIS.encode(&xml).0.as_ref(), "report {i}");
        }
        assert!(!encode_cached(&mut Vec::new(), "a〜b", &mut cache));
    }

    #[test]
    fn months_never_go_back_and_reports_are_distinct() {
        let month = |i: usize| {
            let r = synthetic_report(i);
            let number = |name, value: fn(&Element) -> &Option<String>| -> usize {
                let text = r.child(name).and_then(|e| value(e).as_deref());
                text.unwrap().parse().unwrap()
            };
            number("DATYEAR", |e| &e.text) * 12 + number("DATMONTH", |e| &e.code)
        };
        for i in 1..3000 {
            assert!(month(i - 1) <= month(i));
        }
        let mut seen = std::collections::HashSet::new();
        for i in 0..3000 {
            let mut xml = String::new();
            super::super::report::write_element(&mut xml, &synthetic_report(i), 0);
            assert!(seen.insert(xml), "report {i} repeats another");
        }
    }
}
