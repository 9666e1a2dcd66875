//! JSON that a spec leaves open (an unknown event's body, keys a schema does not list), kept as
//! its own text. A `serde_json::Value` costs up to a hundred times the text it came from (each
//! `0` of `[0,0,...]` becomes a 32-byte node, and serde's buffering of untagged enums and
//! flattened maps doubles that); text costs its size.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

/// serde_json's marker for raw values (`serde_json::value::RawValue`'s own implementation uses
/// it; a test checks that it still works).
pub(crate) const RAW_TOKEN: &str = "$serde_json::private::RawValue";

/// One JSON value kept as received (whitespace included): its own text, or a part of a larger
/// text it shares (an answer read once, so that a large value is not copied out of it).
#[derive(Clone)]
pub struct RawJson(Text);

#[derive(Clone)]
enum Text {
    Own(Box<RawValue>),
    /// `range` of `whole`, checked to be one JSON value when made.
    Shared {
        whole: Arc<String>,
        range: Range<usize>,
    },
}

impl RawJson {
    /// The JSON text.
    pub fn get(&self) -> &str {
        match &self.0 {
            Text::Own(raw) => raw.get(),
            Text::Shared { whole, range } => &whole[range.clone()],
        }
    }

    /// Decodes the text as `T`.
    pub fn parse<'a, T: Deserialize<'a>>(&'a self) -> serde_json::Result<T> {
        serde_json::from_str(self.get())
    }

    /// Encodes `value` as raw JSON.
    pub fn from_value<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Self> {
        serde_json::value::to_raw_value(value).map(|raw| RawJson(Text::Own(raw)))
    }

    /// Checks that `text` is one JSON value and keeps it.
    pub fn from_string(text: String) -> serde_json::Result<Self> {
        RawValue::from_string(text).map(|raw| RawJson(Text::Own(raw)))
    }

    /// Checks that `range` of `whole` is one JSON value and keeps it without a copy (the value
    /// keeps `whole` alive).
    pub fn shared(whole: &Arc<String>, range: Range<usize>) -> serde_json::Result<Self> {
        let Some(text) = whole.get(range.clone()) else {
            return Err(de::Error::custom("the range is not within the text"));
        };
        serde_json::from_str::<&RawValue>(text)?;
        Ok(RawJson(Text::Shared {
            whole: Arc::clone(whole),
            range,
        }))
    }
}

impl PartialEq for RawJson {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl fmt::Debug for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.get())
    }
}

impl Serialize for RawJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Text::Own(raw) => raw.serialize(serializer),
            // Checked when made; read again as a borrowed raw value (no copy).
            Text::Shared { .. } => serde_json::from_str::<&RawValue>(self.get())
                .map_err(serde::ser::Error::custom)?
                .serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for RawJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Box::<RawValue>::deserialize(deserializer).map(|raw| RawJson(Text::Own(raw)))
    }
}

/// The members of a JSON object that a schema does not list, in order (duplicates included),
/// kept as the text of one JSON object.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct UnknownFields {
    /// `,"key":value` per member; the object is `{` + this without its first comma + `}`.
    members: String,
    len: usize,
}

impl UnknownFields {
    /// No members.
    pub fn new() -> Self {
        UnknownFields::default()
    }

    /// How many members.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The members' JSON text in bytes: what they hold in memory.
    pub fn text_len(&self) -> usize {
        self.members.len()
    }

    /// The members as one JSON object.
    pub fn to_json(&self) -> String {
        format!("{{{}}}", self.members.strip_prefix(',').unwrap_or(""))
    }

    /// The members in order (decoded from the text each time).
    pub fn iter(&self) -> impl Iterator<Item = (Cow<'_, str>, &RawValue)> {
        let object = self.members.strip_prefix(',').unwrap_or("");
        let mut members: Vec<(Cow<'_, str>, &RawValue)> = Vec::with_capacity(self.len);
        let mut rest = object;
        // Each member was written by `push`: a JSON string key, `:`, a raw value, `,`.
        while !rest.is_empty() {
            let mut keys = serde_json::Deserializer::from_str(rest).into_iter::<Cow<'_, str>>();
            let Some(Ok(key)) = keys.next() else { break };
            let after_key = &rest[keys.byte_offset() + 1..];
            let mut values = serde_json::Deserializer::from_str(after_key).into_iter::<&RawValue>();
            let Some(Ok(value)) = values.next() else {
                break;
            };
            rest = after_key[values.byte_offset()..]
                .strip_prefix(',')
                .unwrap_or("");
            members.push((key, value));
        }
        members.into_iter()
    }

    /// The first member named `key`.
    pub fn get(&self, key: &str) -> Option<&RawValue> {
        self.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Whether a member named `key` is there.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Adds a member (the value's text as it is).
    pub fn push(&mut self, key: &str, value: &RawValue) {
        self.push_key(key);
        self.members.push_str(value.get());
    }

    fn push_key(&mut self, key: &str) {
        self.members.push(',');
        // A string always encodes.
        self.members
            .push_str(&serde_json::to_string(key).unwrap_or_default());
        self.members.push(':');
        self.len += 1;
    }

    /// A seed that reads the value of member `key` straight into the text (no copy of it on
    /// the way): for a hand-written or generated `visit_map`.
    #[doc(hidden)] // plumbing: the runtime and the client crates call it
    pub fn member<'a>(&'a mut self, key: &str) -> MemberSeed<'a> {
        self.push_key(key);
        MemberSeed(&mut self.members)
    }
}

impl fmt::Debug for UnknownFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json())
    }
}

impl Serialize for UnknownFields {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len))?;
        for (key, value) in self.iter() {
            map.serialize_entry(&key, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for UnknownFields {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Members;
        impl<'de> Visitor<'de> for Members {
            type Value = UnknownFields;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<UnknownFields, A::Error> {
                let mut fields = UnknownFields::new();
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    map.next_value_seed(fields.member(&key))?;
                }
                Ok(fields)
            }
        }
        deserializer.deserialize_map(Members)
    }
}

/// Appends one JSON value's text to a string; see [`UnknownFields::member`].
pub struct MemberSeed<'a>(&'a mut String);

impl<'de> DeserializeSeed<'de> for MemberSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        let refusal = "unknown JSON can only be kept when read by serde_json";
        if let Some(text) = crate::union::raw_text(deserializer, self.0, refusal)? {
            self.0.push_str(text);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Known {
        a: Option<u32>,
        extra: UnknownFields,
    }

    impl<'de> Deserialize<'de> for Known {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Known;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("Known")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Known, A::Error> {
                    let (mut a, mut extra) = (None, UnknownFields::new());
                    while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                        match &*key {
                            "a" => a = map.next_value()?,
                            other => map.next_value_seed(extra.member(other))?,
                        }
                    }
                    Ok(Known { a, extra })
                }
            }
            d.deserialize_map(V)
        }
    }

    #[test]
    fn unknown_members_are_kept_as_text_from_slices_and_readers() {
        let json = r#"{"x":[1, {"y":"\u3042"}],"a":7,"x":null,"q\"k":1.50}"#;
        let from_slice: Known = serde_json::from_slice(json.as_bytes()).unwrap();
        let from_reader: Known = serde_json::from_reader(json.as_bytes()).unwrap();
        assert_eq!(from_slice, from_reader);
        assert_eq!(from_slice.a, Some(7));
        assert_eq!(from_slice.extra.len(), 3);
        assert_eq!(
            from_slice.extra.get("x").unwrap().get(),
            r#"[1, {"y":"\u3042"}]"#
        );
        assert_eq!(from_slice.extra.get("q\"k").unwrap().get(), "1.50");
        assert_eq!(
            serde_json::to_string(&from_slice.extra).unwrap(),
            r#"{"x":[1, {"y":"\u3042"}],"x":null,"q\"k":1.50}"#
        );
        let alone: UnknownFields = serde_json::from_str(r#"{"k": true}"#).unwrap();
        assert_eq!(alone.to_json(), r#"{"k":true}"#);
    }

    #[test]
    fn raw_json_round_trips_and_compares_by_text() {
        let raw: RawJson = serde_json::from_str(r#" [0,0] "#).unwrap();
        assert_eq!(raw.get(), "[0,0]");
        assert_eq!(raw.parse::<Vec<u8>>().unwrap(), vec![0, 0]);
        assert_eq!(serde_json::to_string(&raw).unwrap(), "[0,0]");
        assert_eq!(raw, RawJson::from_value(&[0, 0]).unwrap());
    }

    #[test]
    fn shared_raw_json_is_a_checked_part_of_its_text() {
        let whole = Arc::new(r#"{"body":[0, 0],"x":1}"#.to_owned());
        let raw = RawJson::shared(&whole, 8..14).unwrap();
        assert_eq!(raw.get(), "[0, 0]");
        assert_eq!(serde_json::to_string(&raw).unwrap(), "[0, 0]");
        assert_eq!(raw, RawJson::from_string("[0, 0]".to_owned()).unwrap());
        assert_eq!(raw.parse::<Vec<u8>>().unwrap(), vec![0, 0]);
        assert!(RawJson::shared(&whole, 8..12).is_err(), "not one value");
        assert!(RawJson::shared(&whole, 8..99).is_err(), "outside the text");
    }
}
