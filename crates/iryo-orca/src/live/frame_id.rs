//! `req.id` and `sub.id`: a string or a number on the wire (fixup socket-ids-string-or-number).

use std::fmt;

/// A request or subscription identifier of the PUSH通知 socket, kept as received: the document
/// does not say whether it is a string or a number, so both are read and written back unchanged.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum FrameId {
    /// A string, such as the UUIDs ORCA's own clients send.
    Text(String),
    /// A number.
    Number(i64),
}

impl FrameId {
    /// A fresh random (v4 UUID) identifier, as this client sends in every request.
    pub fn new_random() -> Self {
        FrameId::Text(uuid::Uuid::new_v4().to_string())
    }
}

impl fmt::Display for FrameId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameId::Text(text) => f.write_str(text),
            FrameId::Number(number) => write!(f, "{number}"),
        }
    }
}

impl From<&str> for FrameId {
    fn from(text: &str) -> Self {
        FrameId::Text(text.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_numbers_come_back_as_they_came() {
        for text in [r#""a-1""#, "42"] {
            let id: FrameId = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::to_string(&id).unwrap(), text);
        }
        assert!(serde_json::from_str::<FrameId>("null").is_err());
    }
}
