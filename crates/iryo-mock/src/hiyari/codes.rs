//! The document's コード検索 table (設定資料), from `specs/codes/` through the generated `iryo-hiyari-codes`: the
//! element paths an `itemcode` searches (`hiyari-itemcode`'s `element` column, our reconstruction, FIXUPS.md
//! `itemcode-element-mapping`) and the Japanese labels of the codes (the table its `values` column names).
//! The other table, the XML tag names, is `tags.rs`.

use iryo_hiyari_codes::{ItemCode, label_in};

use super::tags;

/// A path of element names below `PHARMACY_REPORT`.
pub(crate) type ElementPath = Vec<&'static str>;

/// The element paths an `itemcode` searches, or `None` for a code the コード検索 table does not list. A bare
/// tag stands right below the report (the free texts too, FIXUPS.md `free-texts-under-factor-items`), unless
/// the tag table puts it in groups (発生場面 `DATSCENE`, 事例の内容 `DATCONTENTS`): then in each of them.
pub(crate) fn item_code_paths(item_code: &str) -> Option<Vec<ElementPath>> {
    let element = ItemCode::from_known_code(item_code)?.element()?;
    let in_groups = tags::table().group_paths(element);
    if element.contains('/') || in_groups.is_empty() {
        return Some(vec![element.split('/').collect()]);
    }
    Some(in_groups)
}

/// The Japanese label of `code` in the code list of the element `element`, as the コード検索 table prints it.
pub(crate) fn code_label(element: &str, code: &str) -> Option<&'static str> {
    let searches = |item: &&ItemCode| {
        let leaf = item.element().and_then(|path| path.rsplit('/').next());
        leaf == Some(element)
    };
    let table = ItemCode::KNOWN.iter().find(searches)?.values()?;
    label_in(table, code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hiyari::tags::is_tag_name;

    #[test]
    fn every_listed_item_code_maps_to_paths_of_known_tags() {
        // 20 plain rows, 7 scene/contents rows, 27 medicine rows.
        assert_eq!(ItemCode::KNOWN.len(), 54);
        for item in ItemCode::KNOWN {
            let paths = item_code_paths(item.code()).unwrap_or_default();
            assert!(!paths.is_empty(), "{item}");
            assert!(paths.iter().flatten().all(|tag| is_tag_name(tag)), "{item}");
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
        assert_eq!(
            item_code_paths("0190110"),
            Some(vec![
                vec!["GRPCOMPOUND", "DATSCENE"],
                vec!["GRPMATERIAL", "DATSCENE"]
            ])
        );
        assert_eq!(
            item_code_paths("0200130"),
            Some(vec![
                vec!["GRPCOMPOUND", "DATCONTENTS"],
                vec!["GRPMATERIAL", "DATCONTENTS"],
                vec!["GRPSALES", "DATCONTENTS"]
            ])
        );
        assert_eq!(
            item_code_paths("9020010"),
            Some(vec![vec!["DATFACTORTEXT"]])
        );
        assert_eq!(item_code_paths("0090010"), Some(vec![vec!["DATSUMMARY"]]));
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
        assert_eq!(code_label("DATCLASSIFICATION", "06"), Some("要指導医薬品"));
        assert_eq!(code_label("DATFACTOR", "999999"), None);
        assert_eq!(code_label("DATYEAR", "2009"), None);
        assert_eq!(code_label("DATMEDNAME", "01"), None);
    }
}
