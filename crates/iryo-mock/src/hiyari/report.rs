//! One `PHARMACY_REPORT` as a tree of elements, read from XML text (the fixtures) and written back in the
//! layout of the document's sample response.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::tags::{self, RowId};

/// An element of a report: a `CODE` attribute, text, or children (never two of them: a coded element is empty,
/// as the schema's `CodeType` is).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Element {
    pub(crate) name: String,
    pub(crate) code: Option<String>,
    pub(crate) text: Option<String>,
    pub(crate) children: Vec<Element>,
}

impl Element {
    /// `<name CODE="code" />`.
    pub(crate) fn coded(name: &str, code: &str) -> Self {
        Element {
            name: name.to_owned(),
            code: Some(code.to_owned()),
            text: None,
            children: Vec::new(),
        }
    }

    /// `<name>text</name>`.
    pub(crate) fn text(name: &str, text: &str) -> Self {
        Element {
            name: name.to_owned(),
            code: None,
            text: Some(text.to_owned()),
            children: Vec::new(),
        }
    }

    /// A group or list.
    pub(crate) fn group(name: &str, children: Vec<Element>) -> Self {
        Element {
            name: name.to_owned(),
            code: None,
            text: None,
            children,
        }
    }

    /// The first child named `name`.
    pub(crate) fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|child| child.name == name)
    }

    /// Every element at `path` below this one (names may repeat at each level, so there can be several).
    pub(crate) fn at_path<'a>(&'a self, path: &[&str]) -> Vec<&'a Element> {
        let mut found = vec![self];
        for name in path {
            found = found
                .into_iter()
                .flat_map(|element| element.children.iter().filter(|c| c.name == *name))
                .collect();
        }
        found
    }
}

/// Appends `element` at `depth` levels of two-space indentation, one element per line, as the document's sample
/// response does: `<X CODE="01" />` for an empty element, `<X>text</X>`, or children on their own lines.
pub(crate) fn write_element(out: &mut String, element: &Element, depth: usize) {
    indent(out, depth);
    out.push('<');
    out.push_str(&element.name);
    if let Some(code) = &element.code {
        out.push_str(" CODE=\"");
        escape_into(out, code);
        out.push('"');
    }
    if let Some(text) = &element.text {
        out.push('>');
        escape_into(out, text);
    } else if element.children.is_empty() {
        out.push_str(" />\n");
        return;
    } else {
        out.push_str(">\n");
        for child in &element.children {
            write_element(out, child, depth + 1);
        }
        indent(out, depth);
    }
    out.push_str("</");
    out.push_str(&element.name);
    out.push_str(">\n");
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

/// Escapes the five XML special characters.
pub(crate) fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
}

/// Reads every `PHARMACY_REPORT` in `xml`: a whole `ResultSet` document (like the document's sample response)
/// or bare report elements. Every element must be a tag of the 「XML タグ名」 table with a place below its
/// parent's in the table, carry at most a `CODE` attribute, and hold text or child elements, or nothing when
/// it has a `CODE`.
pub(crate) fn parse_reports(xml: &str) -> Result<Vec<Element>, String> {
    let mut reader = Reader::from_str(xml);
    // Open elements inside the current report, outermost first, each with the text gathered so far.
    let mut open: Vec<(Element, String)> = Vec::new();
    let mut reports = Vec::new();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("at byte {}: {e}", reader.buffer_position()))?;
        match event {
            Event::Start(start) => {
                if let Some(element) = start_element(&start, &open)? {
                    open.push((element, String::new()));
                }
            }
            Event::Empty(start) => {
                if let Some(element) = start_element(&start, &open)? {
                    close(element, String::new(), &mut open, &mut reports)?;
                }
            }
            Event::End(_) => {
                if let Some((element, text)) = open.pop() {
                    close(element, text, &mut open, &mut reports)?;
                }
            }
            Event::Text(text) => {
                if let Some((_, gathered)) = open.last_mut() {
                    gathered.push_str(&text.xml_content().map_err(|e| e.to_string())?);
                }
            }
            Event::GeneralRef(reference) => {
                let Some((_, gathered)) = open.last_mut() else {
                    continue;
                };
                if let Some(c) = reference.resolve_char_ref().map_err(|e| e.to_string())? {
                    gathered.push(c);
                } else {
                    let name = reference.decode().map_err(|e| e.to_string())?;
                    let resolved = quick_xml::escape::resolve_predefined_entity(&name)
                        .ok_or_else(|| format!("unknown entity &{name};"))?;
                    gathered.push_str(resolved);
                }
            }
            Event::CData(data) => {
                if let Some((_, gathered)) = open.last_mut() {
                    gathered.push_str(&data.decode().map_err(|e| e.to_string())?);
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if let Some((element, _)) = open.first() {
        return Err(format!("<{}> is not closed", element.name));
    }
    let table = tags::table();
    for report in &reports {
        check_places(report, table.root())?;
    }
    Ok(reports)
}

/// Checks that every child of `element` (placed at `row`) has a place below it in the tag table.
fn check_places(element: &Element, row: RowId) -> Result<(), String> {
    for child in &element.children {
        let place = tags::table().place(row, &child.name);
        let place =
            place.ok_or_else(|| format!("<{}> cannot be inside <{}>", child.name, element.name))?;
        check_places(child, place)?;
    }
    Ok(())
}

/// The element `start` opens, or `None` outside any report (the `ResultSet` wrapper and the like).
fn start_element(
    start: &BytesStart<'_>,
    open: &[(Element, String)],
) -> Result<Option<Element>, String> {
    let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
    if open.is_empty() && name != "PHARMACY_REPORT" {
        return Ok(None);
    }
    if !tags::is_tag_name(&name) || (name == "PHARMACY_REPORT" && !open.is_empty()) {
        return Err(format!("<{name}> is not a report element"));
    }
    let mut code = None;
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| e.to_string())?;
        if attribute.key.as_ref() != b"CODE" {
            let key = String::from_utf8_lossy(attribute.key.as_ref());
            return Err(format!("<{name}> has attribute {key}; only CODE is known"));
        }
        code = Some(
            attribute
                .unescape_value()
                .map_err(|e| e.to_string())?
                .into_owned(),
        );
    }
    Ok(Some(Element {
        name,
        code,
        text: None,
        children: Vec::new(),
    }))
}

/// Finishes `element` with the `text` gathered inside it and attaches it to its parent (or to `reports`).
fn close(
    mut element: Element,
    text: String,
    open: &mut [(Element, String)],
    reports: &mut Vec<Element>,
) -> Result<(), String> {
    if element.code.is_some() && !(text.is_empty() && element.children.is_empty()) {
        // The schema's `CodeType` is empty: the writer could only write `<X CODE="…" />`.
        return Err(format!("<{} CODE> holds text or elements", element.name));
    }
    if element.children.is_empty() {
        // A leaf keeps its text exactly; `<X></X>` is an empty text, `<X />` none.
        element.text = (!text.is_empty()).then_some(text);
    } else if !text.trim().is_empty() {
        return Err(format!("<{}> mixes text and elements", element.name));
    }
    match open.last_mut() {
        Some((parent, _)) => parent.children.push(element),
        None => reports.push(element),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_back_the_same_layout() {
        let xml = "<ResultSet>\n  <PHARMACY_REPORT>\n    <DATYEAR>2012</DATYEAR>\n    \
                   <DATMONTH CODE=\"04\" />\n    <LSTFACTOR>\n      \
                   <DATFACTOR CODE=\"020104\" />\n    </LSTFACTOR>\n    \
                   <DATFACTORTEXT>夜勤明けで&lt;過労&gt; &amp; 疲労</DATFACTORTEXT>\n  \
                   </PHARMACY_REPORT>\n</ResultSet>\n";
        let reports = parse_reports(xml).unwrap_or_default();
        assert_eq!(reports.len(), 1);
        let mut out = String::new();
        for report in &reports {
            write_element(&mut out, report, 1);
        }
        let start = xml.find("  <PHARMACY_REPORT>").unwrap_or(0);
        let end = xml.find("</ResultSet>").unwrap_or(0);
        assert_eq!(out, xml[start..end]);
        let factor = &reports[0].at_path(&["LSTFACTOR", "DATFACTOR"])[0];
        assert_eq!(factor, &&Element::coded("DATFACTOR", "020104"));
        let text = &reports[0].at_path(&["DATFACTORTEXT"])[0];
        assert_eq!(text.text.as_deref(), Some("夜勤明けで<過労> & 疲労"));
    }

    #[test]
    fn refuses_what_the_writer_could_not_reproduce() {
        for bad in [
            "<PHARMACY_REPORT><DATFOO>1</DATFOO></PHARMACY_REPORT>",
            "<PHARMACY_REPORT><DATDAY KODE=\"01\" /></PHARMACY_REPORT>",
            "<PHARMACY_REPORT><GRPPATIENT>x<DATPATIENT CODE=\"01\" /></GRPPATIENT></PHARMACY_REPORT>",
            "<PHARMACY_REPORT><PHARMACY_REPORT /></PHARMACY_REPORT>",
            "<PHARMACY_REPORT><DATYEAR>2009</DATYEAR>",
            // A coded element is empty (the schema's CodeType).
            "<PHARMACY_REPORT><LSTFACTOR><DATFACTOR CODE=\"020104\">過労</DATFACTOR></LSTFACTOR></PHARMACY_REPORT>",
            "<PHARMACY_REPORT><DATDAY CODE=\"01\"><DATYEAR>2009</DATYEAR></DATDAY></PHARMACY_REPORT>",
            // Out of the tag table's places.
            "<PHARMACY_REPORT><GRPPATIENT><DATYEAR>2009</DATYEAR></GRPPATIENT></PHARMACY_REPORT>",
            "<PHARMACY_REPORT><LSTFACTOR><DATSUMMARY CODE=\"08\" /></LSTFACTOR></PHARMACY_REPORT>",
        ] {
            assert!(parse_reports(bad).is_err(), "{bad}");
        }
    }
}
