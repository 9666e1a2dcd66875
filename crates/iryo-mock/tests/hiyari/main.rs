//! End-to-end tests of the 薬局ヒヤリ・ハット 事例検索 API mock over real HTTP on loopback. Query strings are
//! written by hand, percent-encoded Shift_JIS bytes included, because that is what travels on the wire.

#[path = "../support/binary.rs"]
mod binary;
mod cli;
mod common;
mod control;
mod document;
mod encoding;
mod errors;
mod search;
mod xsd;
