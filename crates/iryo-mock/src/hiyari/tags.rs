//! The document's 「XML タグ名」 table as the *search* hierarchy, read from the project's code table
//! `specs/codes/hiyari-xml-tag.json` (one source of truth) when first used.
//!
//! The table and the response disagree in one place (FIXUPS.md, `free-texts-under-factor-items`): the table puts
//! rows 79-81 (`DATCONTENTTEXT`, `DATFACTORTEXT`, `DATIMPROVEMENTTEXT`) under 77 `LSTFACTOR`, while the response
//! writes them as children of `PHARMACY_REPORT`. An element of a report therefore takes its place in the table as
//! the nearest row of its name below its XML parent's row; a word search under a tag covers every element placed
//! at or below that tag's rows.

use std::sync::LazyLock;

use serde_json::Value;

// Copied into the crate by `cargo xtask regenerate` (so that the crate packages on its own).
const SOURCE: &str = crate::generated::HIYARI_XML_TAG_JSON;

static TABLE: LazyLock<TagTable> = LazyLock::new(|| {
    TagTable::parse(SOURCE)
        .unwrap_or_else(|e| panic!("specs/codes/hiyari-xml-tag.json is not a tag table: {e}"))
});

/// The rows of the tag table, in table order.
#[derive(Debug)]
pub(crate) struct TagTable {
    rows: Vec<Row>,
}

#[derive(Debug)]
struct Row {
    code: String,
    /// Index of the parent row; `None` for `PHARMACY_REPORT`.
    parent: Option<usize>,
}

/// A row of the table, as an index.
pub(crate) type RowId = usize;

/// The table, parsed on first use.
pub(crate) fn table() -> &'static TagTable {
    &TABLE
}

/// Whether `name` is a tag of the table, a value `item` accepts (case-sensitive).
pub(crate) fn is_tag_name(name: &str) -> bool {
    table().rows.iter().any(|row| row.code == name)
}

impl TagTable {
    fn parse(json: &str) -> Result<Self, String> {
        let value: Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
        let rows = value
            .get("rows")
            .and_then(Value::as_array)
            .ok_or("no rows")?;
        // `no` numbers the rows from 1 in table order; `parent` is a `no`.
        let mut parsed = Vec::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            let no = row.get("no").and_then(Value::as_u64);
            if no != Some(i as u64 + 1) {
                return Err(format!("row {} is numbered {no:?}", i + 1));
            }
            let code = row
                .get("code")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("row {} has no code", i + 1))?;
            let parent = match row.get("parent") {
                None | Some(Value::Null) => None,
                Some(parent) => match parent.as_u64() {
                    Some(p) if p >= 1 && (p as usize) <= i => Some(p as usize - 1),
                    _ => {
                        return Err(format!(
                            "row {} has parent {parent}, not an earlier row",
                            i + 1
                        ));
                    }
                },
            };
            parsed.push(Row {
                code: code.to_owned(),
                parent,
            });
        }
        match parsed.iter().filter(|row| row.parent.is_none()).count() {
            1 if parsed[0].parent.is_none() => Ok(TagTable { rows: parsed }),
            roots => Err(format!(
                "{roots} rows without a parent; only row 1 may have none"
            )),
        }
    }

    /// The row of `PHARMACY_REPORT`, the whole report.
    pub(crate) fn root(&self) -> RowId {
        0
    }

    /// Where an element named `name` sits when its XML parent sits at `parent`: the nearest row of that name at
    /// or below `parent` (a direct child, or a deeper row such as `LSTFACTOR/DATFACTORTEXT` for the free texts
    /// the response writes directly in the report), the first in table order on a tie; `None` if there is none.
    pub(crate) fn place(&self, parent: RowId, name: &str) -> Option<RowId> {
        (0..self.rows.len())
            .filter(|&row| self.rows[row].code == name)
            .filter_map(|row| self.steps_below(parent, row).map(|steps| (steps, row)))
            .filter(|&(steps, _)| steps > 0)
            .min()
            .map(|(_, row)| row)
    }

    /// How many parent links lead from `row` up to `ancestor`, if it is one (0 for `row` itself).
    fn steps_below(&self, ancestor: RowId, row: RowId) -> Option<usize> {
        let mut steps = 0;
        let mut current = Some(row);
        while let Some(r) = current {
            if r == ancestor {
                return Some(steps);
            }
            steps += 1;
            current = self.rows[r].parent;
        }
        None
    }

    /// Whether `row` is `tag`'s row or lies below one of its rows: whether a word search on `tag` covers it.
    pub(crate) fn within(&self, row: RowId, tag: &str) -> bool {
        let mut current = Some(row);
        while let Some(r) = current {
            if self.rows[r].code == tag {
                return true;
            }
            current = self.rows[r].parent;
        }
        false
    }

    /// The `GRP…` groups right below `PHARMACY_REPORT` that hold `tag`, in table order, each with `tag`: where a
    /// bare tag of the コード検索 table (発生場面 `DATSCENE`, 事例の内容 `DATCONTENTS`) stands in a report.
    pub(crate) fn group_paths(&'static self, tag: &str) -> Vec<Vec<&'static str>> {
        let mut paths = Vec::new();
        for row in self.rows.iter().filter(|row| row.code == tag) {
            let Some(group) = row.parent.map(|parent| &self.rows[parent]) else {
                continue;
            };
            if group.parent == Some(self.root()) && group.code.starts_with("GRP") {
                paths.push(vec![group.code.as_str(), row.code.as_str()]);
            }
        }
        paths
    }

    /// The tags of the table without repeats, in table order.
    #[cfg(test)]
    fn tags(&self) -> Vec<&str> {
        let mut tags: Vec<&str> = Vec::new();
        for row in &self.rows {
            if !tags.contains(&row.code.as_str()) {
                tags.push(&row.code);
            }
        }
        tags
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The path of codes from the root to `row`.
    fn path(row: RowId) -> Vec<&'static str> {
        let mut path = Vec::new();
        let mut current = Some(row);
        while let Some(r) = current {
            path.push(table().rows[r].code.as_str());
            current = table().rows[r].parent;
        }
        path.reverse();
        path
    }

    #[test]
    fn the_table_has_its_81_rows_and_39_tags() {
        assert_eq!(table().rows.len(), 81);
        let tags = table().tags();
        assert_eq!(tags.len(), 39);
        assert_eq!(tags[0], "PHARMACY_REPORT");
        assert!(is_tag_name("DATIMPROVEMENTTEXT"));
        assert!(!is_tag_name("datyear"));
        assert!(!is_tag_name("ResultSet"));
    }

    #[test]
    fn the_free_texts_of_the_report_are_placed_under_lstfactor() {
        let t = table();
        for text in ["DATCONTENTTEXT", "DATFACTORTEXT", "DATIMPROVEMENTTEXT"] {
            let row = t.place(t.root(), text);
            assert_eq!(
                row.map(path),
                Some(vec!["PHARMACY_REPORT", "LSTFACTOR", text])
            );
            assert!(row.is_some_and(|r| t.within(r, "LSTFACTOR")), "{text}");
            assert!(row.is_some_and(|r| !t.within(r, "DATFACTOR")), "{text}");
        }
        let factors = t.place(t.root(), "LSTFACTOR");
        let factor = factors.and_then(|r| t.place(r, "DATFACTOR"));
        assert_eq!(
            factor.map(path),
            Some(vec!["PHARMACY_REPORT", "LSTFACTOR", "DATFACTOR"])
        );
    }

    #[test]
    fn other_elements_are_placed_at_their_xml_parent() {
        let t = table();
        let doubt = t.place(t.root(), "GRPDOUBT");
        let list = doubt.and_then(|r| t.place(r, "LSTMEDICINE"));
        let group = list.and_then(|r| t.place(r, "GRPMEDICINE_B"));
        let name = group.and_then(|r| t.place(r, "DATMEDNAME"));
        assert_eq!(name.map(|r| r + 1), Some(44));
        assert!(name.is_some_and(|r| t.within(r, "GRPDOUBT") && !t.within(r, "GRPCOMPOUND")));
        assert!(name.is_some_and(|r| t.within(r, "PHARMACY_REPORT")));
        // A row is never placed under itself, and a tag the table has nowhere below is not placed.
        assert_eq!(name.and_then(|r| t.place(r, "DATMEDNAME")), None);
        assert_eq!(doubt.and_then(|r| t.place(r, "DATYEAR")), None);
    }
}
