//! A query string back into its [`SearchQuery`]: the inverse of
//! [`SearchQuery::to_query_string`], so that a search written down (a harvest's `query`, a corpus
//! manifest) can be run again.

use encoding_rs::SHIFT_JIS;

use crate::query::{QueryError, SearchQuery};
use crate::query_terms::{CodeSet, Condition, Count, Order, WordSet};
use iryo_hiyari_codes::{Item, ItemCode};

impl SearchQuery {
    /// Parses a query string such as [`to_query_string`](Self::to_query_string) writes: values
    /// percent-encoded Shift_JIS (Windows-31J), `item`/`word`/`condition` and
    /// `itemcode`/`code`/`text` as complete triples in that order. Anything else (an unknown
    /// parameter, a broken triple, bytes that are not Shift_JIS) is [`QueryError::Invalid`]
    /// naming it. The result is validated as every query is.
    pub fn from_query_string(text: &str) -> Result<SearchQuery, QueryError> {
        let mut pairs = Vec::new();
        for pair in text.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            pairs.push((name, decode(name, value)?));
        }
        let mut query = SearchQuery::new();
        let mut rest = pairs.into_iter().peekable();
        while let Some((name, value)) = rest.next() {
            let mut next = |expected: &str| match rest.next() {
                Some((n, v)) if n == expected => Ok(v),
                _ => Err(invalid(format!(
                    "`{name}` must be followed by `{expected}`"
                ))),
            };
            match name {
                "item" => {
                    let word = next("word")?;
                    let condition = next("condition")?;
                    let condition = Condition::parse(&condition)
                        .ok_or_else(|| invalid(format!("condition `{condition}`")))?;
                    let item = (!value.is_empty()).then(|| Item::from(value.as_str()));
                    query.word_sets.push(WordSet {
                        item,
                        word,
                        condition,
                    });
                }
                "itemcode" => {
                    let codes = next("code")?;
                    let text = next("text")?;
                    let itemcode: ItemCode = value
                        .parse()
                        .map_err(|_| invalid(format!("itemcode `{value}`")))?;
                    let codes = codes.split(' ').filter(|c| !c.is_empty());
                    query.code_sets.push(CodeSet {
                        itemcode,
                        codes: codes.map(str::to_owned).collect(),
                        text,
                    });
                }
                "fyear" => query.from_year = Some(number(name, &value)?),
                "fmonth" => query.from_month = Some(number(name, &value)?),
                "tyear" => query.to_year = Some(number(name, &value)?),
                "tmonth" => query.to_month = Some(number(name, &value)?),
                "start" => query.start = Some(number(name, &value)?),
                "count" => {
                    query.count = Some(
                        Count::parse(&value).ok_or_else(|| invalid(format!("count `{value}`")))?,
                    );
                }
                "order" => {
                    query.order = Some(
                        Order::parse(&value).ok_or_else(|| invalid(format!("order `{value}`")))?,
                    );
                }
                other => return Err(invalid(format!("unknown parameter `{other}`"))),
            }
        }
        query.validate()?;
        Ok(query)
    }
}

fn invalid(what: String) -> QueryError {
    QueryError::Invalid(format!("query string: {what}"))
}

fn number<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, QueryError> {
    value
        .parse()
        .map_err(|_| invalid(format!("`{name}={value}` is not a number in range")))
}

/// Percent-decoded (`+` is a space, as in a form), then Shift_JIS-decoded strictly.
fn decode(name: &str, value: &str) -> Result<String, QueryError> {
    let raw = value.as_bytes();
    let mut bytes = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'%' => {
                let hex = raw
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| invalid(format!("`{name}` has a broken % escape")))?;
                bytes.push(hex);
                i += 3;
            }
            b'+' => {
                bytes.push(b' ');
                i += 1;
            }
            byte => {
                bytes.push(byte);
                i += 1;
            }
        }
    }
    SHIFT_JIS
        .decode_without_bom_handling_and_without_replacement(&bytes)
        .map(|text| text.into_owned())
        .ok_or_else(|| invalid(format!("`{name}` is not Shift_JIS")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_to_query_string_writes_parses_back() {
        let queries = [
            SearchQuery::new(),
            SearchQuery::new()
                .words(Some(Item::from("LSTFACTOR")), "過労 疲労", Condition::Any)
                .words(None, "ソ表", Condition::Not),
            SearchQuery::new()
                .order(Order::OccurredAt)
                .from(2010, Some(12))
                .to(2024, None)
                .codes("0090010".parse().unwrap(), ["08", "01"])
                .code_text("0090010".parse().unwrap(), "テキスト&=+%")
                .start(30)
                .count(Count::All),
            SearchQuery::new().count(Count::Limit(7)),
        ];
        for query in queries {
            let text = query.to_query_string().unwrap();
            assert_eq!(
                SearchQuery::from_query_string(&text).unwrap(),
                query,
                "{text}"
            );
        }
    }

    #[test]
    fn what_it_did_not_write_is_refused_naming_why() {
        for (text, why) in [
            ("item=LSTFACTOR&word=a", "must be followed by `condition`"),
            ("item=&condition=all&word=a", "must be followed by `word`"),
            ("color=red", "unknown parameter `color`"),
            ("fyear=20x0", "not a number"),
            ("fmonth=13&fyear=2010", "month 13"),
            ("item=&word=%8&condition=all", "broken % escape"),
            ("item=&word=%82&condition=all", "not Shift_JIS"),
            ("order=9", "order `9`"),
        ] {
            let error = SearchQuery::from_query_string(text)
                .unwrap_err()
                .to_string();
            assert!(error.contains(why), "{text}: {error}");
        }
    }
}
