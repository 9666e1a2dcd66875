//! Unions decoded without serde's buffering ([`untagged`], [`tagged`]), and the raw text of one
//! JSON value that they and [`UnknownFields`](crate::UnknownFields) read, borrowed when possible.

use std::borrow::Cow;
use std::fmt;

use serde::Deserializer;
use serde::de::{self, DeserializeSeed, MapAccess, Visitor};

use crate::raw_json::RAW_TOKEN;

/// One variant of [`untagged`]: its name, and how to decode it from JSON text.
pub type Variant<T> = (&'static str, fn(&str) -> serde_json::Result<T>);

/// Decodes an untagged union without serde's buffering: the value's text (borrowed when read
/// from a slice) is tried against each variant in turn. The error names every attempt.
pub fn untagged<'de, D: Deserializer<'de>, T>(
    deserializer: D,
    name: &str,
    variants: &[Variant<T>],
) -> Result<T, D::Error> {
    with_text(deserializer, |raw| {
        let mut reasons = Vec::new();
        for (variant, decode) in variants {
            match decode(raw) {
                Ok(value) => return Ok(value),
                Err(e) => reasons.push(format!("as {variant}: {e}")),
            }
        }
        Err(format!("not a {name} ({})", reasons.join("; ")))
    })
}

/// Decodes an internally tagged union without serde's buffering: the value's text is read once,
/// its `tag` member picks the variant (named by its tag value), which decodes the same text.
pub fn tagged<'de, D: Deserializer<'de>, T>(
    deserializer: D,
    name: &str,
    tag: &str,
    variants: &[Variant<T>],
) -> Result<T, D::Error> {
    with_text(deserializer, |raw| {
        let value = serde_json::Deserializer::from_str(raw)
            .deserialize_map(TagOf(tag))
            .map_err(|e| format!("not a {name}: {e}"))?
            .ok_or_else(|| format!("a {name} without `{tag}`"))?;
        match variants.iter().find(|(variant, _)| *variant == value) {
            Some((_, decode)) => decode(raw).map_err(|e| format!("{name} `{value}`: {e}")),
            None => Err(format!("a {name} with the unknown `{tag}` {value:?}")),
        }
    })
}

/// One value's text (borrowed when possible), decoded by `decode`; its refusal is the error.
fn with_text<'de, D: Deserializer<'de>, T>(
    deserializer: D,
    decode: impl FnOnce(&str) -> Result<T, String>,
) -> Result<T, D::Error> {
    let mut text = String::new();
    let refusal = "a union can only be decoded by serde_json";
    let borrowed = raw_text(deserializer, &mut text, refusal)?;
    decode(borrowed.unwrap_or(&text)).map_err(de::Error::custom)
}

/// The string value of one member of an object, the others skipped.
struct TagOf<'t>(&'t str);

impl<'de> Visitor<'de> for TagOf<'_> {
    type Value = Option<String>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an object with a `{}` string", self.0)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if key != self.0 {
                map.next_value::<de::IgnoredAny>()?;
            } else if found.is_some() {
                // Two tags: which variant was meant is unknowable.
                return Err(de::Error::duplicate_field("the tag"));
            } else {
                found = Some(map.next_value::<String>()?);
            }
        }
        Ok(found)
    }
}

/// One JSON value's text, through serde_json's raw-value marker: borrowed from the input when
/// possible (`Some`), else appended to `text`. Any other deserializer is refused with `refusal`.
pub(crate) fn raw_text<'de, D: Deserializer<'de>>(
    deserializer: D,
    text: &mut String,
    refusal: &'static str,
) -> Result<Option<&'de str>, D::Error> {
    deserializer.deserialize_newtype_struct(RAW_TOKEN, RawOrBorrowed(text, refusal))
}

struct RawOrBorrowed<'a>(&'a mut String, &'static str);

impl<'de> Visitor<'de> for RawOrBorrowed<'_> {
    type Value = Option<&'de str>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value (read by serde_json)")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        if map.next_key::<Cow<'de, str>>()?.as_deref() != Some(RAW_TOKEN) {
            return Err(de::Error::custom(self.1));
        }
        map.next_value_seed(BorrowText(self.0))
    }
}

struct BorrowText<'a>(&'a mut String);

impl<'de> DeserializeSeed<'de> for BorrowText<'_> {
    type Value = Option<&'de str>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for BorrowText<'_> {
    type Value = Option<&'de str>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("raw JSON text")
    }
    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Self::Value, E> {
        Ok(Some(text))
    }
    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        self.0.push_str(text);
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RawJson;
    use serde::Deserialize;

    #[test]
    fn tagged_picks_the_variant_by_its_tag_and_refuses_two_tags() {
        #[derive(Debug, PartialEq)]
        enum Frame {
            Ping(serde_json::Value),
            Data(RawJson),
        }
        struct Wire(Frame);
        impl<'de> Deserialize<'de> for Wire {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                tagged(
                    d,
                    "Frame",
                    "command",
                    &[
                        ("ping", |raw| serde_json::from_str(raw).map(Frame::Ping)),
                        ("data", |raw| serde_json::from_str(raw).map(Frame::Data)),
                    ],
                )
                .map(Wire)
            }
        }
        let data = r#"{"big":[1,2],"command":"data"}"#;
        let Wire(frame) = serde_json::from_str(data).unwrap();
        assert_eq!(
            frame,
            Frame::Data(RawJson::from_string(data.to_owned()).unwrap())
        );
        for (bad, says) in [
            (r#"{"command":"data","command":"ping"}"#, "duplicate"),
            (r#"{"x":1}"#, "without `command`"),
            (r#"{"command":"pong"}"#, "unknown `command`"),
            (r#"{"command":7}"#, "not a Frame"),
        ] {
            let err = serde_json::from_str::<Wire>(bad).err().unwrap().to_string();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }

    #[test]
    fn untagged_tries_each_variant_on_the_text() {
        fn decode<'de, D: Deserializer<'de>>(d: D) -> Result<Result<u8, String>, D::Error> {
            untagged(
                d,
                "Thing",
                &[
                    ("Number", |raw| serde_json::from_str::<u8>(raw).map(Ok)),
                    ("Text", |raw| serde_json::from_str::<String>(raw).map(Err)),
                ],
            )
        }
        let mut de = serde_json::Deserializer::from_str(r#""hi""#);
        assert_eq!(decode(&mut de).unwrap(), Err("hi".to_owned()));
        let mut de = serde_json::Deserializer::from_reader(&b"12"[..]);
        assert_eq!(decode(&mut de).unwrap(), Ok(12));
        let mut de = serde_json::Deserializer::from_str("[]");
        let err = decode(&mut de).unwrap_err().to_string();
        assert!(
            err.contains("as Number") && err.contains("as Text"),
            "{err}"
        );
    }
}
