//! The permission-approval id: a string in the document's table, a number in its sample.

use std::fmt;

/// A 権限承認 ID. Reads a JSON string or integer (fixup `approval-id-string-or-number`) and writes
/// back the same JSON type; as text it is the decimal digits or the string.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ApprovalId {
    text: String,
    numeric: bool,
}

impl ApprovalId {
    /// The id as text, e.g. `"2"`.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether it arrived as a JSON number.
    pub fn is_numeric(&self) -> bool {
        self.numeric
    }
}

impl fmt::Display for ApprovalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl From<u64> for ApprovalId {
    fn from(id: u64) -> Self {
        ApprovalId {
            text: id.to_string(),
            numeric: true,
        }
    }
}

impl From<&str> for ApprovalId {
    fn from(id: &str) -> Self {
        ApprovalId {
            text: id.to_owned(),
            numeric: false,
        }
    }
}

impl From<String> for ApprovalId {
    fn from(id: String) -> Self {
        ApprovalId {
            text: id,
            numeric: false,
        }
    }
}

impl serde::Serialize for ApprovalId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.text.parse::<u64>() {
            Ok(number) if self.numeric => serializer.serialize_u64(number),
            _ => serializer.serialize_str(&self.text),
        }
    }
}

impl<'de> serde::Deserialize<'de> for ApprovalId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IdVisitor;

        impl serde::de::Visitor<'_> for IdVisitor {
            type Value = ApprovalId;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a permission approval id (string or integer)")
            }

            fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<ApprovalId, E> {
                Ok(ApprovalId::from(value))
            }

            fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<ApprovalId, E> {
                Ok(ApprovalId {
                    text: value.to_string(),
                    numeric: true,
                })
            }

            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<ApprovalId, E> {
                Ok(ApprovalId::from(value))
            }
        }

        deserializer.deserialize_any(IdVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_and_string_both_read_and_write_back_as_received() {
        let number: ApprovalId = serde_json::from_str("2").unwrap();
        assert_eq!(number.as_str(), "2");
        assert!(number.is_numeric());
        assert_eq!(serde_json::to_string(&number).unwrap(), "2");
        let text: ApprovalId = serde_json::from_str("\"16\"").unwrap();
        assert_eq!(text.to_string(), "16");
        assert_eq!(serde_json::to_string(&text).unwrap(), "\"16\"");
        assert!(serde_json::from_str::<ApprovalId>("[1]").is_err());
    }
}
