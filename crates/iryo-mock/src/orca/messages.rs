//! The business error codes of `pusheventgetv2` and their messages, exactly as the ORCA document lists them
//! (full-width characters such as `ＰＵＳＨ`, `ＩＤ` and `＞` included).

/// Every documented code with its message. `0089` has six messages; this table gives the first one, and
/// [`MESSAGES_0089`] lists them all.
pub const MESSAGES: &[(&str, &str)] = &[
    ("0001", "イベント名に半角以外の文字が入力されています。"),
    ("0002", "ユーザ名に半角以外の文字が入力されています。"),
    ("0003", "期間開始日時の日付の入力に誤りがあります。"),
    ("0004", "期間開始日時の時刻の入力に誤りがあります。"),
    ("0005", "期間終了日時の日付の入力に誤りがあります。"),
    ("0006", "期間終了日時の時刻の入力に誤りがあります。"),
    ("0007", "対象となるＰＵＳＨ通知が存在しませんでした。"),
    ("0008", "期間開始日時＞期間終了日時です。"),
    ("4001", "更新処理に失敗しました。"),
    ("4002", "更新処理に失敗しました。"),
    ("0089", MESSAGES_0089[0]),
    ("0097", "送信内容に誤りがあります。"),
    ("0098", "送信内容の読込ができませんでした。"),
    ("0099", "ユーザＩＤが未登録です。"),
];

/// The six messages the document lists for code `0089` (server-side set-up failures), in document order.
pub const MESSAGES_0089: [&str; 6] = [
    "職員情報が取得できません。",
    "医療機関情報が取得できません。",
    "システム日付が取得できません。",
    "患者番号構成情報が取得できません。",
    "グループ医療機関が不整合です。処理を終了して下さい。",
    "システム項目が設定できません。",
];

/// The document's message for `code` (the first one for `0089`), or `None` for a code the document does not list.
pub fn message_for(code: &str) -> Option<&'static str> {
    MESSAGES.iter().find(|(c, _)| *c == code).map(|(_, m)| *m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_finds_listed_codes_only() {
        assert_eq!(message_for("0099"), Some("ユーザＩＤが未登録です。"));
        assert_eq!(message_for("0089"), Some("職員情報が取得できません。"));
        assert_eq!(message_for("9999"), None);
    }
}
