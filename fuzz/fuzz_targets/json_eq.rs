//! JSON equality up to the last bits of floating-point numbers.
//!
//! serde_json parses floats fast rather than exactly unless its `float_roundtrip` feature is on,
//! so a float kept as received (an unknown body, an extra key) can move by an ulp on each trip:
//! `-4.127278236410852e180` reads back as `-4.1272782364108515e180`. That is serde_json's
//! documented behaviour, not a bug of the decoders under test.

use serde_json::Value;

/// `a` and `b` are the same JSON, floats compared to 1e-15 relative.
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
