//! Section 1 of the document (リクエストパラメータ): decoded parameters to a checked [`Search`], or the message
//! of the first parameter error.

use super::codes::{self, ElementPath};
use super::tags;

/// Enums read from one request parameter, each variant with the value that selects it; `from_param` reads a
/// value, or gives the document's message listing the values.
macro_rules! keywords {
    ($(
        $(#[$doc:meta])*
        enum $name:ident($param:literal) {
            $($(#[$variant_doc:meta])* $variant:ident = $value:literal,)*
        }
    )*) => {
        $(
            $(#[$doc])*
            #[derive(Clone, Copy, Debug, PartialEq, Eq)]
            pub(crate) enum $name {
                $($(#[$variant_doc])* $variant,)*
            }

            impl $name {
                fn from_param(value: &str) -> Result<Self, String> {
                    match value {
                        $($value => Ok($name::$variant),)*
                        other => Err(format!(
                            "パラメータ {} の値「{other}」は {} のいずれでもありません。",
                            $param,
                            [$($value),*].join(", ")
                        )),
                    }
                }
            }
        )*
    };
}

keywords! {
    /// How the terms of one `word` combine.
    enum Condition("condition") {
        /// Every term occurs (`all`, the default).
        All = "all",
        /// At least one term occurs (`any`).
        Any = "any",
        /// No term occurs (`not`).
        Not = "not",
    }

    /// The sort orders of `order`.
    enum Order("order") {
        /// 1, 事例区分: `DATSUMMARY` code, then report id (the default).
        Summary = "1",
        /// 2, 発生年月: newest year and month first, then report id.
        Occurrence = "2",
        /// 3, スコア: most matched terms first, then as [`Order::Summary`].
        Score = "3",
    }
}

/// One `item` / `word` / `condition` set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct WordSet {
    /// The element searched in; `None` for the whole report (an empty `item`).
    pub(crate) item: Option<String>,
    pub(crate) terms: Vec<String>,
    pub(crate) condition: Condition,
}

/// One `itemcode` / `code` / `text` set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CodeSet {
    pub(crate) paths: Vec<ElementPath>,
    pub(crate) codes: Vec<String>,
    pub(crate) texts: Vec<String>,
}

/// A checked request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Search {
    pub(crate) words: Vec<WordSet>,
    pub(crate) codes: Vec<CodeSet>,
    /// Inclusive range of months, counted as `year * 12 + month - 1`.
    pub(crate) from: Option<u32>,
    pub(crate) to: Option<u32>,
    pub(crate) start: usize,
    /// `None` for `count=all`.
    pub(crate) count: Option<usize>,
    pub(crate) order: Order,
}

/// The terms of a `word` or the entries of `code`/`text`: split on half-width and ideographic spaces.
pub(crate) fn split_terms(value: &str) -> Vec<String> {
    value
        .split([' ', '\u{3000}'])
        .filter(|term| !term.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Reads the parameters. Repeated sets pair by position; a single-valued parameter counts at its first
/// occurrence, and an empty one counts as omitted. Unknown parameters are ignored.
pub(crate) fn parse(params: &[(String, String)]) -> Result<Search, String> {
    let all = |name: &str| -> Vec<&str> {
        params
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    };
    let first = |name: &str| -> Option<&str> {
        params
            .iter()
            .find(|(n, v)| n == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    };
    let words = word_sets(&all("item"), &all("word"), &all("condition"))?;
    let codes = code_sets(&all("itemcode"), &all("code"), &all("text"))?;
    let from = month_bound("fyear", first("fyear"), "fmonth", first("fmonth"), 1)?;
    let to = month_bound("tyear", first("tyear"), "tmonth", first("tmonth"), 12)?;
    let start = match first("start") {
        None => 0,
        Some(text) => digits(text).ok_or_else(|| {
            format!("パラメータ start の値「{text}」は 0 以上の整数ではありません。")
        })?,
    };
    let count = match first("count") {
        None => Some(10),
        Some("all") => None,
        Some(text) => Some(digits(text).filter(|n| *n > 0).ok_or_else(|| {
            format!("パラメータ count の値「{text}」は 1 以上の整数でも all でもありません。")
        })?),
    };
    let order = first("order").map_or(Ok(Order::Summary), Order::from_param)?;
    Ok(Search {
        words,
        codes,
        from,
        to,
        start,
        count,
        order,
    })
}

/// A set's optional parameter `name` comes at most as often as the parameter `sets` that opens each set.
fn no_more_than(name: &str, values: &[&str], sets: &str, openers: &[&str]) -> Result<(), String> {
    if values.len() > openers.len() {
        return Err(format!(
            "パラメータ {name} の数 ({}) が {sets} の数 ({}) を超えています。",
            values.len(),
            openers.len()
        ));
    }
    Ok(())
}

fn word_sets(items: &[&str], words: &[&str], conditions: &[&str]) -> Result<Vec<WordSet>, String> {
    if let Some(bad) = items
        .iter()
        .find(|item| !item.is_empty() && !tags::is_tag_name(item))
    {
        return Err(format!(
            "パラメータ item の値「{bad}」は XML タグ名ではありません。"
        ));
    }
    if words.len() != items.len() {
        return Err(format!(
            "パラメータ word の数 ({}) が item の数 ({}) と一致しません。",
            words.len(),
            items.len()
        ));
    }
    no_more_than("condition", conditions, "item", items)?;
    let mut sets = Vec::new();
    for (i, (item, word)) in items.iter().zip(words).enumerate() {
        let condition = match conditions.get(i).copied().unwrap_or_default() {
            "" => Condition::All,
            value => Condition::from_param(value)?,
        };
        let terms = split_terms(word);
        if terms.is_empty() {
            return Err(format!(
                "パラメータ word に検索文字列がありません ({} 番目)。",
                i + 1
            ));
        }
        let item = (!item.is_empty() && *item != "PHARMACY_REPORT").then(|| (*item).to_owned());
        sets.push(WordSet {
            item,
            terms,
            condition,
        });
    }
    Ok(sets)
}

fn code_sets(item_codes: &[&str], codes: &[&str], texts: &[&str]) -> Result<Vec<CodeSet>, String> {
    no_more_than("code", codes, "itemcode", item_codes)?;
    no_more_than("text", texts, "itemcode", item_codes)?;
    let mut sets = Vec::new();
    for (i, item_code) in item_codes.iter().enumerate() {
        let paths = codes::item_code_paths(item_code).ok_or_else(|| {
            format!(
                "パラメータ itemcode の値「{item_code}」はコード検索の項目コードではありません。"
            )
        })?;
        let codes = split_terms(codes.get(i).copied().unwrap_or_default());
        let texts = split_terms(texts.get(i).copied().unwrap_or_default());
        if codes.is_empty() && texts.is_empty() {
            return Err(format!(
                "パラメータ code と text がどちらも空です (itemcode {item_code})。"
            ));
        }
        sets.push(CodeSet {
            paths,
            codes,
            texts,
        });
    }
    Ok(sets)
}

/// `fyear`/`fmonth` (month defaulting to 1) or `tyear`/`tmonth` (defaulting to 12) as a month number.
fn month_bound(
    year_name: &str,
    year: Option<&str>,
    month_name: &str,
    month: Option<&str>,
    default_month: u32,
) -> Result<Option<u32>, String> {
    let month = match month {
        None => None,
        Some(text) => Some(
            digits(text)
                .filter(|_| text.len() <= 2)
                .and_then(|m| u32::try_from(m).ok())
                .filter(|m| (1..=12).contains(m))
                .ok_or_else(|| {
                    format!(
                        "パラメータ {month_name} の値「{text}」は 1 から 12 の月ではありません。"
                    )
                })?,
        ),
    };
    let Some(year) = year else {
        return match month {
            Some(_) => Err(format!(
                "パラメータ {month_name} には {year_name} の指定が必要です。"
            )),
            None => Ok(None),
        };
    };
    let year = digits(year)
        .filter(|_| year.len() == 4)
        .and_then(|y| u32::try_from(y).ok())
        .ok_or_else(|| {
            format!("パラメータ {year_name} の値「{year}」は 4 桁の年ではありません。")
        })?;
    Ok(Some(year * 12 + month.unwrap_or(default_month) - 1))
}

/// ASCII digits only (no sign, no spaces), as a number.
fn digits(text: &str) -> Option<usize> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn defaults() {
        let search = parse(&[]).ok();
        let expected = Search {
            words: vec![],
            codes: vec![],
            from: None,
            to: None,
            start: 0,
            count: Some(10),
            order: Order::Summary,
        };
        assert_eq!(search, Some(expected));
    }

    #[test]
    fn sets_pair_by_position() {
        let search = parse(&params(&[
            ("item", "DATCONTENTTEXT"),
            ("item", ""),
            ("word", "夜勤　長時間 "),
            ("condition", "not"),
            ("word", "①"),
            ("itemcode", "0090010"),
            ("code", "08 09"),
            ("text", ""),
            ("fyear", "2010"),
            ("tyear", "2011"),
            ("tmonth", "02"),
            ("count", "all"),
            ("order", "3"),
        ]));
        let Ok(search) = search else {
            panic!("{search:?}")
        };
        assert_eq!(
            search.words,
            [
                WordSet {
                    item: Some("DATCONTENTTEXT".to_owned()),
                    terms: vec!["夜勤".to_owned(), "長時間".to_owned()],
                    condition: Condition::Not,
                },
                WordSet {
                    item: None,
                    terms: vec!["①".to_owned()],
                    condition: Condition::All,
                }
            ]
        );
        assert_eq!(search.codes[0].codes, ["08", "09"]);
        assert_eq!(search.from, Some(2010 * 12));
        assert_eq!(search.to, Some(2011 * 12 + 1));
        assert_eq!((search.count, search.order), (None, Order::Score));
    }

    #[test]
    fn each_error_names_its_parameter() {
        let cases: [(&[(&str, &str)], &str); 16] = [
            (&[("item", "lstfactor"), ("word", "x")], "item"),
            (&[("item", "DATYEAR")], "word"),
            (&[("word", "x")], "word"),
            (&[("item", "DATYEAR"), ("word", " ")], "word"),
            (
                &[("item", "DATYEAR"), ("word", "x"), ("condition", "or")],
                "condition",
            ),
            (
                &[
                    ("item", "DATYEAR"),
                    ("word", "x"),
                    ("condition", "all"),
                    ("condition", "all"),
                ],
                "condition",
            ),
            (&[("itemcode", "0090011"), ("code", "08")], "itemcode"),
            (
                &[("itemcode", "0090010"), ("code", ""), ("text", "")],
                "code と text",
            ),
            (
                &[("itemcode", "0090010"), ("code", "08"), ("code", "09")],
                "code",
            ),
            (&[("fyear", "10")], "fyear"),
            (&[("fyear", "2010"), ("fmonth", "13")], "fmonth"),
            (&[("tmonth", "3")], "tmonth"),
            (&[("start", "-1")], "start"),
            (&[("count", "0")], "count"),
            (&[("count", "ten")], "count"),
            (&[("order", "4")], "order"),
        ];
        for (pairs, parameter) in cases {
            match parse(&params(pairs)) {
                Ok(search) => panic!("{pairs:?} was accepted: {search:?}"),
                Err(message) => assert!(
                    message.starts_with(&format!("パラメータ {parameter} ")),
                    "{pairs:?}: {message}"
                ),
            }
        }
    }
}
