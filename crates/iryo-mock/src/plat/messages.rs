//! PLAT error codes and the mock's messages for them. The PLAneTs documents name the codes (API 共通仕様:
//! PLAT400 楽観的ロック違反, PLAT500 システムエラー; PLAT403 ロール権限チェック失敗 on the develop branch) but print
//! no message text, so these messages are the mock's own wording.

/// Every code the mock knows, with its message and its default HTTP status.
pub const MESSAGES: &[(&str, &str, u16)] = &[
    (
        "PLAT400",
        "対象データは他の処理により更新されています。",
        400,
    ),
    ("PLAT403", "この操作を行う権限がありません。", 403),
    ("PLAT500", "システムエラーが発生しました。", 500),
];

/// The mock's message for `code`, or `None` for a code it does not know.
pub fn message_for(code: &str) -> Option<&'static str> {
    MESSAGES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, m, _)| *m)
}

/// The HTTP status a `code` is answered with: 400 for PLAT400, 403 for PLAT403, 500 for anything else.
pub fn status_for(code: &str) -> u16 {
    MESSAGES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map_or(500, |(_, _, status)| *status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_finds_listed_codes_only() {
        assert_eq!(
            message_for("PLAT500"),
            Some("システムエラーが発生しました。")
        );
        assert_eq!(message_for("PLAT401"), None);
        assert_eq!(status_for("PLAT400"), 400);
        assert_eq!(status_for("PLAT403"), 403);
        assert_eq!(status_for("PLAT500"), 500);
        assert_eq!(status_for("PLAT420"), 500);
    }
}
