//! A search, as the API's own parameters: word sets, a year/month range, code sets, paging and
//! order. Sets keep their order and pair by position, as the API reads them.

use iryo_hiyari_codes::{Item, ItemCode};

use crate::encode::{EncodeError, append_pair};
use crate::query_terms::{CodeSet, Condition, Count, Order, WordSet};

/// A search. Build it with the methods, then hand it to the client.
///
/// ```
/// use iryo_hiyari::{Condition, Item, SearchQuery};
///
/// let query = SearchQuery::new().words(Some(Item::FactorList), "過労 疲労", Condition::Any);
/// assert_eq!(
///     query.to_query_string().unwrap(),
///     "item=LSTFACTOR&word=%89%DF%98J%20%94%E6%98J&condition=any"
/// );
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchQuery {
    /// Word sets, in order.
    pub word_sets: Vec<WordSet>,
    /// Code sets, in order.
    pub code_sets: Vec<CodeSet>,
    /// `fyear`.
    pub from_year: Option<u16>,
    /// `fmonth`.
    pub from_month: Option<u8>,
    /// `tyear`.
    pub to_year: Option<u16>,
    /// `tmonth`.
    pub to_month: Option<u8>,
    /// `start`: index of the first report.
    pub start: Option<u64>,
    /// `count`.
    pub count: Option<Count>,
    /// `order`.
    pub order: Option<Order>,
}

impl SearchQuery {
    /// An empty search (every report).
    pub fn new() -> Self {
        SearchQuery::default()
    }

    /// Adds a word set.
    pub fn words(
        mut self,
        item: Option<Item>,
        word: impl Into<String>,
        condition: Condition,
    ) -> Self {
        self.word_sets.push(WordSet {
            item,
            word: word.into(),
            condition,
        });
        self
    }

    /// Adds a code set searching by codes.
    pub fn codes<I, S>(mut self, itemcode: ItemCode, codes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.code_sets.push(CodeSet {
            itemcode,
            codes: codes.into_iter().map(Into::into).collect(),
            text: String::new(),
        });
        self
    }

    /// Adds a code set searching by text.
    pub fn code_text(mut self, itemcode: ItemCode, text: impl Into<String>) -> Self {
        self.code_sets.push(CodeSet {
            itemcode,
            codes: Vec::new(),
            text: text.into(),
        });
        self
    }

    /// Occurrence from this year (and month, when given).
    pub fn from(mut self, year: u16, month: Option<u8>) -> Self {
        self.from_year = Some(year);
        self.from_month = month;
        self
    }

    /// Occurrence up to this year (and month, when given).
    pub fn to(mut self, year: u16, month: Option<u8>) -> Self {
        self.to_year = Some(year);
        self.to_month = month;
        self
    }

    /// Index of the first report.
    pub fn start(mut self, start: u64) -> Self {
        self.start = Some(start);
        self
    }

    /// How many reports.
    pub fn count(mut self, count: Count) -> Self {
        self.count = Some(count);
        self
    }

    /// Sort order.
    pub fn order(mut self, order: Order) -> Self {
        self.order = Some(order);
        self
    }

    /// Checks what the API would refuse: months 1-12, years of 4 digits, code sets with codes or text.
    pub fn validate(&self) -> Result<(), QueryError> {
        for month in [self.from_month, self.to_month].into_iter().flatten() {
            if !(1..=12).contains(&month) {
                return Err(QueryError::Invalid(format!("month {month} is not 1-12")));
            }
        }
        for year in [self.from_year, self.to_year].into_iter().flatten() {
            if !(1000..=9999).contains(&year) {
                return Err(QueryError::Invalid(format!("year {year} is not 4 digits")));
            }
        }
        if let Some(set) = self
            .code_sets
            .iter()
            .find(|s| s.codes.is_empty() && s.text.is_empty())
        {
            return Err(QueryError::Invalid(format!(
                "itemcode {} has neither codes nor text",
                set.itemcode
            )));
        }
        if self.count == Some(Count::Limit(0)) {
            return Err(QueryError::Invalid("count 0".to_owned()));
        }
        Ok(())
    }

    /// The query string, Shift_JIS percent-encoded. Parameters come in this order: `order`, the
    /// word sets, `fyear`, `fmonth`, `tyear`, `tmonth`, the code sets, `start`, `count` — the order
    /// of the document's samples, which this reproduces byte for byte (upper-case hex).
    pub fn to_query_string(&self) -> Result<String, QueryError> {
        self.validate()?;
        let mut out = String::new();
        if let Some(order) = self.order {
            append_pair(&mut out, "order", order.as_str())?;
        }
        for set in &self.word_sets {
            append_pair(&mut out, "item", set.item.as_ref().map_or("", |i| i.code()))?;
            append_pair(&mut out, "word", &set.word)?;
            append_pair(&mut out, "condition", set.condition.as_str())?;
        }
        let numbers = [
            ("fyear", self.from_year.map(u64::from)),
            ("fmonth", self.from_month.map(u64::from)),
            ("tyear", self.to_year.map(u64::from)),
            ("tmonth", self.to_month.map(u64::from)),
        ];
        for (name, value) in numbers {
            if let Some(value) = value {
                append_pair(&mut out, name, &value.to_string())?;
            }
        }
        for set in &self.code_sets {
            append_pair(&mut out, "itemcode", set.itemcode.code())?;
            append_pair(&mut out, "code", &set.codes.join(" "))?;
            append_pair(&mut out, "text", &set.text)?;
        }
        if let Some(start) = self.start {
            append_pair(&mut out, "start", &start.to_string())?;
        }
        match self.count {
            Some(Count::Limit(n)) => append_pair(&mut out, "count", &n.to_string())?,
            Some(Count::All) => append_pair(&mut out, "count", "all")?,
            None => {}
        }
        Ok(out)
    }
}

/// A search that cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// A character Shift_JIS cannot carry.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// A value the API refuses.
    #[error("invalid search: {0}")]
    Invalid(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The document's four sample query strings, with upper-case hex.
    #[test]
    fn the_documents_samples_byte_for_byte() {
        let full_text =
            SearchQuery::new().words(Some(Item::FactorList), "過労 疲労", Condition::Any);
        assert_eq!(
            full_text.to_query_string().unwrap(),
            "item=LSTFACTOR&word=%89%df%98J%20%94%e6%98J&condition=any".to_uppercase_hex()
        );
        let code = SearchQuery::new().codes(ItemCode::from_known_code("0090010").unwrap(), ["08"]);
        assert_eq!(
            code.to_query_string().unwrap(),
            "itemcode=0090010&code=08&text="
        );
        let ordered = SearchQuery::new()
            .order(Order::OccurredAt)
            .from(2010, Some(12));
        assert_eq!(
            ordered.to_query_string().unwrap(),
            "order=2&fyear=2010&fmonth=12"
        );
        let both = SearchQuery::new()
            .words(Some(Item::ImprovementText), "夜勤 長時間", Condition::All)
            .from(2011, Some(1));
        assert_eq!(
            both.to_query_string().unwrap(),
            "item=DATIMPROVEMENTTEXT&word=%96%e9%8b%ce%20%92%b7%8e%9e%8a%d4&condition=all&fyear=2011&fmonth=1"
                .to_uppercase_hex()
        );
    }

    trait UpperHex {
        fn to_uppercase_hex(&self) -> String;
    }

    impl UpperHex for str {
        /// `%89%df` -> `%89%DF`, leaving everything else alone.
        fn to_uppercase_hex(&self) -> String {
            let mut out = String::new();
            let mut rest = self;
            while let Some(i) = rest.find('%') {
                out.push_str(&rest[..i]);
                out.push('%');
                out.push_str(&rest[i + 1..i + 3].to_ascii_uppercase());
                rest = &rest[i + 3..];
            }
            out.push_str(rest);
            out
        }
    }

    #[test]
    fn sets_keep_their_order_and_stay_complete() {
        let query = SearchQuery::new()
            .words(None, "a", Condition::All)
            .words(Some(Item::MedicineName), "b c", Condition::Not)
            .code_text(ItemCode::from_known_code("9030010").unwrap(), "確認")
            .codes(
                ItemCode::from_known_code("0210010").unwrap(),
                ["010101", "020101"],
            );
        assert_eq!(
            query.to_query_string().unwrap(),
            "item=&word=a&condition=all&item=DATMEDNAME&word=b%20c&condition=not\
             &itemcode=9030010&code=&text=%8Am%94F\
             &itemcode=0210010&code=010101%20020101&text="
        );
    }

    #[test]
    fn paging_parameters() {
        let query = SearchQuery::new().start(20).count(Count::Limit(10));
        assert_eq!(query.to_query_string().unwrap(), "start=20&count=10");
        assert_eq!(
            SearchQuery::new()
                .count(Count::All)
                .to_query_string()
                .unwrap(),
            "count=all"
        );
    }

    #[test]
    fn bad_searches_are_refused_before_sending() {
        let emoji = SearchQuery::new().words(None, "薬😀", Condition::All);
        match emoji.to_query_string() {
            Err(QueryError::Encode(e)) => assert_eq!((e.parameter, e.character), ("word", '😀')),
            other => panic!("{other:?}"),
        }
        assert!(
            SearchQuery::new()
                .from(2010, Some(13))
                .to_query_string()
                .is_err()
        );
        assert!(SearchQuery::new().from(99, None).to_query_string().is_err());
        assert!(
            SearchQuery::new()
                .count(Count::Limit(0))
                .to_query_string()
                .is_err()
        );
        let empty_set =
            SearchQuery::new().code_text(ItemCode::from_known_code("9030010").unwrap(), "");
        assert!(empty_set.to_query_string().is_err());
    }

    #[test]
    fn wave_dash_in_a_word_is_sent_as_fullwidth_tilde() {
        let query = SearchQuery::new().words(None, "〜", Condition::All);
        assert_eq!(
            query.to_query_string().unwrap(),
            "item=&word=%81%60&condition=all"
        );
    }
}
