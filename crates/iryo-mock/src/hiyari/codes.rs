//! The document's コード検索 table (設定資料), reconstructed as a map from `itemcode` to element paths, plus the
//! Japanese labels of the codes. The other table, the XML tag names, is `tags.rs`.

/// A path of element names below `PHARMACY_REPORT`.
pub(crate) type ElementPath = Vec<&'static str>;

/// `itemcode` values whose target is a single element right below the report, or below one group.
const PLAIN_ITEM_CODES: [(&str, &[&str]); 15] = [
    ("0010010", &["DATYEAR"]),
    ("0020010", &["DATMONTH"]),
    ("0030010", &["DATDAY"]),
    ("0040010", &["DATTIMEZONE"]),
    ("0050010", &["DATEXECUTION"]),
    ("0070010", &["DATLEVEL"]),
    ("0090010", &["DATSUMMARY"]),
    ("0120010", &["GRPPATIENT", "DATPATIENT"]),
    ("0120020", &["GRPPATIENT", "DATPATIENTAGE"]),
    ("0120030", &["GRPPATIENT", "DATPATIENTSEX"]),
    ("0160010", &["DATDISCOVERER"]),
    ("0170020", &["LSTCONCERNED", "DATCATEGORY"]),
    ("0210010", &["LSTFACTOR", "DATFACTOR"]),
    ("4010010", &["GRPDOUBT", "DATINFLUENCE"]),
    ("4020010", &["GRPDOUBT", "DATGROUND"]),
];

const MORE_PLAIN_ITEM_CODES: [(&str, &[&str]); 5] = [
    ("4030010", &["GRPDOUBT", "DATCHANGE"]),
    ("4040010", &["GRPSALES", "DATCLASSIFICATION"]),
    ("9010010", &["DATCONTENTTEXT"]),
    ("9020010", &["DATFACTORTEXT"]),
    ("9030010", &["DATIMPROVEMENTTEXT"]),
];

/// 発生場面 (three `itemcode`s, one per kind of scene) and 事例の内容 (four): the element in any group.
const SCENE_ITEM_CODES: [&str; 3] = ["0190100", "0190110", "0190120"];
const CONTENTS_ITEM_CODES: [&str; 4] = ["0200100", "0200110", "0200120", "0200130"];

/// The medicine groups of rows 18-26: `itemcode` = prefix + one of [`MEDICINE_FIELDS`].
const MEDICINE_GROUPS: [(&str, [&str; 3]); 9] = [
    ("405", ["GRPCOMPOUND", "LSTMEDICINE", "GRPMEDICINE_A"]),
    ("406", ["GRPCOMPOUND", "LSTMEDICINE", "GRPMEDICINE_B"]),
    ("407", ["GRPCOMPOUND", "LSTRELATED", "GRPMEDICINE_A"]),
    ("408", ["GRPDOUBT", "LSTMEDICINE", "GRPMEDICINE_A"]),
    ("409", ["GRPDOUBT", "LSTMEDICINE", "GRPMEDICINE_B"]),
    ("410", ["GRPMATERIAL", "LSTMEDICINE", "GRPMEDICINE_A"]),
    ("411", ["GRPMATERIAL", "LSTMEDICINE", "GRPMEDICINE_B"]),
    ("412", ["GRPMATERIAL", "LSTRELATED", "GRPMEDICINE_A"]),
    ("413", ["GRPSALES", "LSTSALES_MEDICINE", "GRPMEDICINE_A"]),
];

/// 販売名, 製造販売業者名, 厚労省コード.
const MEDICINE_FIELDS: [(&str, &str); 3] = [
    ("0010", "DATMEDNAME"),
    ("0030", "DATMANNAME"),
    ("0040", "DATMEDCODE"),
];

/// The element paths an `itemcode` searches, or `None` for a code the コード検索 table does not list.
pub(crate) fn item_code_paths(item_code: &str) -> Option<Vec<ElementPath>> {
    let plain = PLAIN_ITEM_CODES.iter().chain(&MORE_PLAIN_ITEM_CODES);
    if let Some((_, path)) = plain.into_iter().find(|(code, _)| *code == item_code) {
        return Some(vec![path.to_vec()]);
    }
    let in_groups = |leaf: &'static str, groups: &[&'static str]| {
        groups.iter().map(|group| vec![*group, leaf]).collect()
    };
    if SCENE_ITEM_CODES.contains(&item_code) {
        return Some(in_groups("DATSCENE", &["GRPCOMPOUND", "GRPMATERIAL"]));
    }
    if CONTENTS_ITEM_CODES.contains(&item_code) {
        return Some(in_groups(
            "DATCONTENTS",
            &["GRPCOMPOUND", "GRPMATERIAL", "GRPSALES"],
        ));
    }
    let (prefix, field) = (item_code.get(..3)?, item_code.get(3..)?);
    let (_, group) = MEDICINE_GROUPS.iter().find(|(p, _)| *p == prefix)?;
    let (_, leaf) = MEDICINE_FIELDS.iter().find(|(f, _)| *f == field)?;
    let mut path = group.to_vec();
    path.push(leaf);
    Some(vec![path])
}

/// The Japanese label of `code` in the code list of the element `element`, as the コード検索 table prints it.
pub(crate) fn code_label(element: &str, code: &str) -> Option<&'static str> {
    let (_, table) = CODE_LABELS.iter().find(|(name, _)| *name == element)?;
    table
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, label)| *label)
}

type Labels = &'static [(&'static str, &'static str)];

const CODE_LABELS: [(&str, Labels); 17] = [
    (
        "DATMONTH",
        &[
            ("01", "1月"),
            ("02", "2月"),
            ("03", "3月"),
            ("04", "4月"),
            ("05", "5月"),
            ("06", "6月"),
            ("07", "7月"),
            ("08", "8月"),
            ("09", "9月"),
            ("10", "10月"),
            ("11", "11月"),
            ("12", "12月"),
        ],
    ),
    (
        "DATDAY",
        &[
            ("01", "日曜日"),
            ("02", "月曜日"),
            ("03", "火曜日"),
            ("04", "水曜日"),
            ("05", "木曜日"),
            ("06", "金曜日"),
            ("07", "土曜日"),
        ],
    ),
    (
        "DATTIMEZONE",
        &[
            ("01", "0:00～1:59"),
            ("03", "2:00～3:59"),
            ("05", "4:00～5:59"),
            ("07", "6:00～7:59"),
            ("09", "8:00～9:59"),
            ("11", "10:00～11:59"),
            ("13", "12:00～13:59"),
            ("15", "14:00～15:59"),
            ("17", "16:00～17:59"),
            ("19", "18:00～19:59"),
            ("21", "20:00～21:59"),
            ("23", "22:00～23:59"),
            ("90", "不明"),
        ],
    ),
    ("DATEXECUTION", &[("01", "実施あり"), ("02", "実施なし")]),
    (
        "DATLEVEL",
        &[("02", "軽微な治療"), ("03", "治療なし"), ("90", "不明")],
    ),
    (
        "DATSUMMARY",
        &[
            ("08", "調剤"),
            ("09", "疑義照会"),
            ("10", "特定保険医療材料"),
            ("11", "医薬品の販売"),
        ],
    ),
    ("DATPATIENT", &[("01", "1人"), ("02", "複数")]),
    ("DATPATIENTSEX", &[("01", "男"), ("02", "女")]),
    (
        "DATDISCOVERER",
        &[
            ("01", "当事者本人"),
            ("02", "同職種者"),
            ("03", "他職種者"),
            ("04", "患者本人"),
            ("05", "家族・付き添い"),
            ("06", "他患者"),
            ("99", "その他"),
        ],
    ),
    (
        "DATCATEGORY",
        &[
            ("05", "薬剤師"),
            ("20", "登録販売者"),
            ("21", "事務員"),
            ("99", "その他"),
        ],
    ),
    (
        "DATSCENE",
        &[
            ("100100", "調剤"),
            ("100101", "内服薬調剤"),
            ("100102", "外用薬調剤"),
            ("100103", "注射薬調剤"),
            ("100199", "その他の調剤に関する場面"),
            ("110100", "管理"),
            ("110201", "内服薬管理"),
            ("110202", "外用薬管理"),
            ("110203", "注射薬管理"),
            ("110299", "その他の管理に関する場面"),
            ("120100", "交付"),
        ],
    ),
    (
        "DATCONTENTS",
        &[
            ("100101", "調剤忘れ"),
            ("100102", "処方せん監査間違い"),
            ("100103", "秤量間違い"),
            ("100104", "数量間違い"),
            ("100105", "分包間違い"),
            ("100106", "規格・剤形間違い"),
            ("100107", "薬剤取違い"),
            ("100108", "説明文書の取違い"),
            ("100109", "分包紙の情報間違い"),
            ("100110", "薬袋の記載間違い"),
            ("100111", "規格間違い"),
            ("100112", "材料の取違え"),
            ("100199", "その他"),
            ("110101", "充填間違い"),
            ("110102", "異物混入"),
            ("110103", "期限切れ"),
            ("110199", "その他"),
            ("120101", "患者間違い"),
            ("120102", "説明間違い"),
            ("120103", "交付忘れ"),
            ("120199", "その他"),
            ("130101", "商品間違い"),
            ("130102", "説明違い"),
            ("130103", "期限切れ"),
            ("130199", "その他"),
        ],
    ),
    (
        "DATFACTOR",
        &[
            ("010101", "確認を怠った"),
            ("010103", "報告が遅れた(怠った)"),
            ("010104", "記録などに不備があった"),
            ("010105", "連携ができていなかった"),
            ("010106", "患者への説明が不十分であった(怠った)"),
            ("010107", "判断を誤った"),
            ("020101", "知識が不足していた"),
            ("020102", "技術・手技が未熟だった"),
            ("020103", "勤務状況が繁忙だった"),
            ("020104", "通常とは異なる身体的条件下にあった"),
            ("020105", "通常とは異なる心理的状況下にあった"),
            ("020199", "その他"),
            ("020201", "コンピュータシステム"),
            ("020202", "医薬品"),
            ("020204", "施設・設備"),
            ("020205", "諸物品"),
            ("020206", "患者側"),
            ("020299", "その他"),
            ("020301", "教育・訓練"),
            ("020302", "仕組み"),
            ("020303", "ルールの不備"),
            ("020399", "その他"),
        ],
    ),
    (
        "DATINFLUENCE",
        &[
            ("01", "患者に健康被害があったと推測される。"),
            (
                "02",
                "患者に健康被害が生じなかったが、医師の意図した薬効が得られなかったと推測される。",
            ),
        ],
    ),
    (
        "DATGROUND",
        &[
            ("01", "当該処方せんのみで判断"),
            ("02", "当該処方せんと薬局で管理している情報で判断"),
            ("03", "上記以外で判断"),
        ],
    ),
    (
        "DATCHANGE",
        &[
            ("01", "薬剤変更"),
            ("02", "用法変更"),
            ("03", "用量変更"),
            ("04", "分量変更"),
            ("05", "薬剤削除"),
            ("99", "その他"),
        ],
    ),
    (
        "DATCLASSIFICATION",
        &[
            ("01", "医療用医薬品"),
            ("02", "第一類医薬品"),
            ("03", "指定第二類医薬品"),
            ("04", "第二類医薬品"),
            ("05", "第三類医薬品"),
            ("06", "要指導医薬品"),
        ],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hiyari::tags::is_tag_name;

    #[test]
    fn every_listed_item_code_maps_to_paths_of_known_tags() {
        let mut codes: Vec<String> = PLAIN_ITEM_CODES
            .iter()
            .chain(&MORE_PLAIN_ITEM_CODES)
            .map(|(code, _)| (*code).to_owned())
            .collect();
        codes.extend(SCENE_ITEM_CODES.iter().map(|c| (*c).to_owned()));
        codes.extend(CONTENTS_ITEM_CODES.iter().map(|c| (*c).to_owned()));
        for (prefix, _) in MEDICINE_GROUPS {
            for (field, _) in MEDICINE_FIELDS {
                codes.push(format!("{prefix}{field}"));
            }
        }
        // 20 plain rows, 7 scene/contents rows, 27 medicine rows.
        assert_eq!(codes.len(), 54);
        for code in &codes {
            let paths = item_code_paths(code).unwrap_or_default();
            assert!(!paths.is_empty(), "{code}");
            assert!(paths.iter().flatten().all(|tag| is_tag_name(tag)), "{code}");
        }
        assert_eq!(
            item_code_paths("4090030"),
            Some(vec![vec![
                "GRPDOUBT",
                "LSTMEDICINE",
                "GRPMEDICINE_B",
                "DATMANNAME"
            ]])
        );
        for unknown in ["", "0090011", "4140010", "4050020", "405001", "abc"] {
            assert_eq!(item_code_paths(unknown), None, "{unknown}");
        }
    }

    #[test]
    fn labels_are_per_element() {
        assert_eq!(code_label("DATSCENE", "100101"), Some("内服薬調剤"));
        assert_eq!(code_label("DATCONTENTS", "100101"), Some("調剤忘れ"));
        assert_eq!(code_label("DATFACTOR", "020399"), Some("その他"));
        assert_eq!(code_label("DATTIMEZONE", "23"), Some("22:00～23:59"));
        assert_eq!(code_label("DATFACTOR", "999999"), None);
        assert_eq!(code_label("DATYEAR", "2009"), None);
        assert!(CODE_LABELS.iter().all(|(tag, _)| is_tag_name(tag)));
    }
}
