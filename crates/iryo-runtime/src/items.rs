//! Counting the list items of a JSON text without decoding it (no allocation per item), so that
//! an answer of millions of tiny items is refused before each becomes a typed value.

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// Array elements at any depth, or `None` when `json` is not one JSON value (nested deeper than
/// serde_json's limit included): the decoder reports those.
pub(crate) fn count_items(json: &[u8]) -> Option<u64> {
    let mut deserializer = serde_json::Deserializer::from_slice(json);
    let count = Count.deserialize(&mut deserializer).ok()?;
    deserializer.end().ok()?;
    Some(count)
}

/// Counts the array elements inside one value.
#[derive(Clone, Copy)]
struct Count;

impl<'de> DeserializeSeed<'de> for Count {
    type Value = u64;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<u64, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Count {
    type Value = u64;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<u64, A::Error> {
        let mut count = 0u64;
        while let Some(inner) = seq.next_element_seed(Count)? {
            count = count.saturating_add(1).saturating_add(inner);
        }
        Ok(count)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<u64, A::Error> {
        let mut count = 0u64;
        while map.next_key::<IgnoredAny>()?.is_some() {
            count = count.saturating_add(map.next_value_seed(Count)?);
        }
        Ok(count)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<u64, E> {
        Ok(0)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<u64, E> {
        Ok(0)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<u64, E> {
        Ok(0)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<u64, E> {
        Ok(0)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<u64, E> {
        Ok(0)
    }
    fn visit_unit<E: de::Error>(self) -> Result<u64, E> {
        Ok(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_counted_at_every_depth() {
        assert_eq!(count_items(b"[]"), Some(0));
        assert_eq!(count_items(br#"[{},{"a":[1,2,[3]]},"x",null]"#), Some(8));
        assert_eq!(count_items(br#"{"a":{"b":[0,0,0]},"c":"[1,2]"}"#), Some(3));
        let many = format!("[{}0]", "{},".repeat(100_000));
        assert_eq!(count_items(many.as_bytes()), Some(100_001));
        assert_eq!(count_items(b"[1,"), None);
        assert_eq!(count_items(b"[1] [2]"), None);
        assert_eq!(
            count_items(&[b'['; 1000]),
            None,
            "deeper than serde_json's limit"
        );
    }
}
