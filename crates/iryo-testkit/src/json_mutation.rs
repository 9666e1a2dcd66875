//! Strategies for property tests of JSON decoders: arbitrary JSON built from a wire's own strings
//! and keys, edits at random nodes of a sample, and byte damage.

use std::path::Path;

use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::Config;
use serde_json::{Map, Value};

/// Every `.json` file of `dir`, raw, in name order.
pub fn read_examples(dir: &Path) -> Vec<Vec<u8>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("the examples folder")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| std::fs::read(p).expect("an example"))
        .collect()
}

/// Every object key of the examples plus `extra`, sorted and distinct.
pub fn example_keys(examples: &[Vec<u8>], extra: &[&str]) -> Vec<String> {
    fn walk(value: &Value, keys: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    keys.push(k.clone());
                    walk(v, keys);
                }
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, keys)),
            _ => {}
        }
    }
    let mut keys: Vec<String> = extra.iter().map(|k| (*k).to_owned()).collect();
    for bytes in examples {
        if let Ok(value) = serde_json::from_slice::<Value>(bytes) {
            walk(&value, &mut keys);
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

/// 512 cases (set `PROPTEST_CASES` for a longer run); failures are not persisted to files.
pub fn config() -> Config {
    crate::proptest_config(512)
}

/// Arbitrary JSON made of the wire's own strings and keys and of anything else.
pub fn json_value(
    strings: &'static [&'static str],
    keys: Vec<String>,
) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        prop_oneof![
            Just(0i64),
            Just(1),
            Just(-1),
            Just(65535),
            Just(65536),
            Just(i64::from(u32::MAX))
        ]
        .prop_map(Value::from),
        any::<f64>().prop_map(Value::from), // NaN and infinities become null
        select(strings).prop_map(Value::from),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec((select(keys.clone()), inner), 0..4)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A change to one node of a JSON tree, chosen by its pre-order position.
#[derive(Clone, Debug)]
pub enum Edit {
    /// Put this value there.
    Replace(Value),
    /// Remove one child of an array or object.
    RemoveChild(Index),
    /// Insert this key into an object.
    InsertKey(String, Value),
    /// Rename one key of an object.
    RenameKey(Index, String),
    /// Repeat one child.
    DuplicateChild(Index),
    /// Wrap the node in an array.
    WrapInArray,
}

/// One edit at a random node.
pub fn edit(
    strings: &'static [&'static str],
    keys: Vec<String>,
) -> impl Strategy<Value = (Index, Edit)> {
    let edit = prop_oneof![
        4 => json_value(strings, keys.clone()).prop_map(Edit::Replace),
        2 => any::<Index>().prop_map(Edit::RemoveChild),
        1 => (select(keys.clone()), json_value(strings, keys.clone())).prop_map(|(k, v)| Edit::InsertKey(k, v)),
        1 => (any::<Index>(), select(keys.clone())).prop_map(|(i, k)| Edit::RenameKey(i, k)),
        1 => any::<Index>().prop_map(Edit::DuplicateChild),
        1 => Just(Edit::WrapInArray),
    ];
    (any::<Index>(), edit)
}

/// How many nodes the tree has (the range of a node index).
pub fn count_nodes(value: &Value) -> usize {
    1 + match value {
        Value::Array(items) => items.iter().map(count_nodes).sum(),
        Value::Object(map) => map.values().map(count_nodes).sum(),
        _ => 0,
    }
}

/// Applies `edit` to the node numbered `target` (pre-order); true once applied.
pub fn apply_at(value: &mut Value, target: &mut usize, edit: &Edit) -> bool {
    if *target == 0 {
        apply(value, edit);
        return true;
    }
    *target -= 1;
    match value {
        Value::Array(items) => items.iter_mut().any(|v| apply_at(v, target, edit)),
        Value::Object(map) => map.values_mut().any(|v| apply_at(v, target, edit)),
        _ => false,
    }
}

fn apply(value: &mut Value, edit: &Edit) {
    match (edit, &mut *value) {
        (Edit::Replace(new), _) => *value = new.clone(),
        (Edit::WrapInArray, _) => *value = Value::Array(vec![value.take()]),
        (Edit::RemoveChild(i), Value::Array(items)) if !items.is_empty() => {
            items.remove(i.index(items.len()));
        }
        (Edit::RemoveChild(i), Value::Object(map)) if !map.is_empty() => {
            let key = map
                .keys()
                .nth(i.index(map.len()))
                .cloned()
                .unwrap_or_default();
            map.remove(&key);
        }
        (Edit::InsertKey(k, v), Value::Object(map)) => {
            map.insert(k.clone(), v.clone());
        }
        (Edit::RenameKey(i, new), Value::Object(map)) if !map.is_empty() => {
            let key = map
                .keys()
                .nth(i.index(map.len()))
                .cloned()
                .unwrap_or_default();
            if let Some(v) = map.remove(&key) {
                map.insert(new.clone(), v);
            }
        }
        (Edit::DuplicateChild(i), Value::Array(items)) if !items.is_empty() => {
            let copy = items[i.index(items.len())].clone();
            items.push(copy);
        }
        _ => {}
    }
}

/// Byte-level damage.
#[derive(Clone, Debug)]
pub enum ByteEdit {
    /// Flip one bit of one byte.
    FlipBit(Index, u8),
    /// Cut the bytes there.
    Truncate(Index),
    /// Insert bytes there.
    Insert(Index, Vec<u8>),
    /// Remove this many bytes there.
    Remove(Index, usize),
}

/// One random change of raw bytes.
pub fn byte_edit() -> impl Strategy<Value = ByteEdit> {
    prop_oneof![
        (any::<Index>(), 0..8u8).prop_map(|(i, b)| ByteEdit::FlipBit(i, b)),
        any::<Index>().prop_map(ByteEdit::Truncate),
        (
            any::<Index>(),
            proptest::collection::vec(
                prop_oneof![
                    select(b"{}[]\":,0123456789-+.eE \\ntrufalsn".to_vec()),
                    any::<u8>()
                ],
                1..6
            )
        )
            .prop_map(|(i, b)| ByteEdit::Insert(i, b)),
        (any::<Index>(), 1..16usize).prop_map(|(i, n)| ByteEdit::Remove(i, n)),
    ]
}

/// Applies a byte change.
pub fn damage(bytes: &mut Vec<u8>, edit: &ByteEdit) {
    if bytes.is_empty() {
        return;
    }
    match edit {
        ByteEdit::FlipBit(i, bit) => {
            let at = i.index(bytes.len());
            bytes[at] ^= 1 << bit;
        }
        ByteEdit::Truncate(i) => bytes.truncate(i.index(bytes.len())),
        ByteEdit::Insert(i, new) => {
            let at = i.index(bytes.len() + 1);
            bytes.splice(at..at, new.iter().copied());
        }
        ByteEdit::Remove(i, n) => {
            let at = i.index(bytes.len());
            let end = (at + n).min(bytes.len());
            bytes.drain(at..end);
        }
    }
}

/// JSON equality, except that floating-point numbers may differ in the last bits: serde_json
/// parses floats fast rather than exactly unless its `float_roundtrip` feature is on, so a float
/// kept as received (an unknown body, an extra key) can move by an ulp on each trip.
pub fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            x == y || (x - y).abs() <= 1e-15 * x.abs().max(y.abs())
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}
