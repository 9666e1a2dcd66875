//! The synthetic data set changing while a client pages through it, as the real one does: a
//! report withdrawn, new reports inserted; at once, or scheduled before a later API request
//! (so a client in another process meets the change between two of its pages).

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::params::Order;
use super::synthetic::index_at;

/// A change of the synthetic data set. JSON form (control route `POST /__mock/hiyari/change`):
/// `{"kind":"withdraw","position":5}`, `{"kind":"insert","count":1}`,
/// `{"kind":"correct_text","position":5}`, optionally with
/// `"before_request":N` (applied just before the N-th API request, counting from 1).
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DataChange {
    /// The report at `position` of the default order (`order=1`, as the set stands) leaves the
    /// data set: later positions move back by one and `total` drops by one.
    Withdraw {
        /// Its position (0-based).
        position: usize,
    },
    /// `count` new reports join, as [`HiyariMock::add_synthetic`](super::HiyariMock::add_synthetic):
    /// in `order=1` they fall among the others (by summary code), in `order=2` first.
    Insert {
        /// How many.
        count: usize,
    },
    /// The publisher corrects the report at `position` (of the default order, as the set
    /// stands): its 事例の内容 (`DATCONTENTTEXT`) gets another text; codes, place and `total`
    /// stay. Correcting a report twice is refused.
    CorrectText {
        /// Its position (0-based).
        position: usize,
    },
}

/// What a corrected report's 事例の内容 ends with.
pub(crate) const CORRECTION: &str = "（訂正）";

/// The withdrawn reports and the changes still to come.
#[derive(Debug, Default)]
pub(crate) struct Changes {
    pub(crate) withdrawn: BTreeSet<usize>,
    /// Reports (by index) whose text was corrected.
    pub(crate) corrected: BTreeSet<usize>,
    scheduled: Vec<(u64, DataChange)>,
}

impl Changes {
    /// Applies `change` to the data set of `size` reports now. `Err` names what cannot be done.
    pub(crate) fn apply(&mut self, size: &AtomicUsize, change: &DataChange) -> Result<(), String> {
        match change {
            DataChange::Withdraw { position } => {
                let all = size.load(Ordering::SeqCst);
                let index = visible(all, Order::Summary, &self.withdrawn).nth(*position);
                let Some(index) = index else {
                    return Err(format!("no report at position {position}"));
                };
                self.withdrawn.insert(index);
            }
            DataChange::Insert { count } => {
                size.fetch_add(*count, Ordering::SeqCst);
            }
            DataChange::CorrectText { position } => {
                let all = size.load(Ordering::SeqCst);
                let index = visible(all, Order::Summary, &self.withdrawn).nth(*position);
                let Some(index) = index else {
                    return Err(format!("no report at position {position}"));
                };
                if !self.corrected.insert(index) {
                    return Err(format!(
                        "the report at position {position} is corrected already"
                    ));
                }
            }
        }
        Ok(())
    }

    /// Keeps `change` for just before the `request`-th API request.
    pub(crate) fn schedule(&mut self, request: u64, change: DataChange) {
        self.scheduled.push((request, change));
    }

    /// Applies the scheduled changes due before the `request`-th API request.
    pub(crate) fn before_request(&mut self, request: u64, size: &AtomicUsize) {
        let due: Vec<DataChange> = self
            .scheduled
            .extract_if(.., |(at, _)| *at <= request)
            .map(|(_, change)| change)
            .collect();
        for change in due {
            if let Err(reason) = self.apply(size, &change) {
                tracing::warn!(%reason, "a scheduled data change was not applied");
            }
        }
    }
}

/// The indices of the reports still in the set, in `order`.
pub(crate) fn visible(
    size: usize,
    order: Order,
    withdrawn: &BTreeSet<usize>,
) -> impl Iterator<Item = usize> + '_ {
    (0..size)
        .map(move |position| index_at(size, order, position))
        .filter(|index| !withdrawn.contains(index))
}
