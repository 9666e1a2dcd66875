//! The parts of a [`SearchQuery`](crate::SearchQuery): how a word set's terms combine, the sort
//! order, the count, and the word and code sets themselves.

use iryo_hiyari_codes::{Item, ItemCode};

/// How the terms of a word set combine (`condition`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Condition {
    /// `all`: every term occurs (the default).
    #[default]
    All,
    /// `not`: none of the terms occurs.
    Not,
    /// `any`: at least one term occurs.
    Any,
}

impl Condition {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Condition::All => "all",
            Condition::Not => "not",
            Condition::Any => "any",
        }
    }

    /// Parses `all`, `not` or `any`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "all" => Some(Condition::All),
            "not" => Some(Condition::Not),
            "any" => Some(Condition::Any),
            _ => None,
        }
    }
}

/// Sort order (`order`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Order {
    /// `1`: by 事例区分 (the default).
    #[default]
    Category,
    /// `2`: by 発生年月, newest first.
    OccurredAt,
    /// `3`: by score (falls back to `1` without an `item` search).
    Score,
}

impl Order {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Order::Category => "1",
            Order::OccurredAt => "2",
            Order::Score => "3",
        }
    }

    /// Parses `1`, `2` or `3`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "1" => Some(Order::Category),
            "2" => Some(Order::OccurredAt),
            "3" => Some(Order::Score),
            _ => None,
        }
    }
}

/// How many reports a search returns (`count`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Count {
    /// At most this many.
    Limit(u64),
    /// Every match (fetched page by page unless asked otherwise).
    All,
}

impl Count {
    /// Parses a number or `all`.
    pub fn parse(text: &str) -> Option<Self> {
        if text == "all" {
            return Some(Count::All);
        }
        text.parse().ok().map(Count::Limit)
    }
}

/// One `item`/`word`/`condition` set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WordSet {
    /// The tag searched under; `None` searches the whole report.
    pub item: Option<Item>,
    /// Terms separated by half-width spaces.
    pub word: String,
    /// How the terms combine.
    pub condition: Condition,
}

/// One `itemcode`/`code`/`text` set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeSet {
    /// The item searched.
    pub itemcode: ItemCode,
    /// Codes, any of which matches (empty when searching by text).
    pub codes: Vec<String>,
    /// Text matched partially (empty when searching by code).
    pub text: String,
}
