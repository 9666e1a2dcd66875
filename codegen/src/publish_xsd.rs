//! The published, strict form of an XSD: every coded attribute restricted to its table's codes.
//!
//! The source schema types `CODE` as `xs:string`, so a reader keeps codes newer than our tables.
//! The published one gives each table a named simple type (`<Table>Code`, one `xs:enumeration`
//! per code, labelled in Japanese) and each coded element a complex type (`<Table>CodeType`) whose
//! `CODE` attribute has that type. The edit is textual (byte ranges from roxmltree), so the source's
//! comments, layout and annotations survive; types that nothing references afterwards are removed.

use std::collections::BTreeMap;
use std::ops::Range;

use roxmltree::Node;

use crate::Error;
use crate::code_table::CodeTable;

const XS: &str = "http://www.w3.org/2001/XMLSchema";
const IRYO: &str = "urn:iryo:xsd-annotations";

pub(super) struct Published {
    pub text: String,
    /// The schema's `version` attribute.
    pub version: String,
}

/// One replacement of a byte range by new text.
struct Splice {
    range: Range<usize>,
    text: String,
}

pub(super) fn publish(
    path: &str,
    text: &str,
    tables: &BTreeMap<&str, &CodeTable>,
) -> Result<Published, Error> {
    let doc = roxmltree::Document::parse(text).map_err(|e| Error::parse(path, e))?;
    let schema = doc.root_element();
    let version = schema
        .attribute("version")
        .ok_or_else(|| spec(path, "xs:schema has no version attribute"))?
        .to_owned();
    let code_attribute = code_type_attribute(path, schema)?;

    // Tables in order of first use, each with whether an element (complex type) needs it.
    let mut used: Vec<(&CodeTable, bool)> = Vec::new();
    let mut splices = Vec::new();
    for node in schema
        .descendants()
        .filter(|n| is_xs(n, "element") || is_xs(n, "attribute"))
    {
        let Some(table_name) = code_table_of(node) else {
            continue;
        };
        let table = *tables.get(table_name.as_str()).ok_or_else(|| {
            spec(
                path,
                &format!("iryo:codeTable names the unknown table `{table_name}`"),
            )
        })?;
        let type_attr = node
            .attributes()
            .find(|a| a.name() == "type" && a.namespace().is_none())
            .ok_or_else(|| {
                spec(
                    path,
                    &format!("coded declaration of `{table_name}` has no type"),
                )
            })?;
        let base = type_base(&table.table);
        let new_type = if is_xs(&node, "element") {
            if type_attr.value() != "CodeType" {
                return Err(spec(
                    path,
                    &format!(
                        "element `{}` has a code table but type `{}`, not CodeType",
                        node.attribute("name").unwrap_or("?"),
                        type_attr.value()
                    ),
                ));
            }
            format!("{base}CodeType")
        } else {
            format!("{base}Code")
        };
        match used.iter_mut().find(|(t, _)| t.table == table.table) {
            Some((_, element)) => *element |= is_xs(&node, "element"),
            None => used.push((table, is_xs(&node, "element"))),
        }
        splices.push(Splice {
            range: type_attr.range_value(),
            text: new_type,
        });
    }

    let mut generated = String::from(
        "  <!-- Strict types generated from the code tables (codes/*.json): one simple type per table, and one\n       \
         complex type per table used by an element. -->\n",
    );
    for (table, element) in &used {
        generated.push_str(&simple_type(path, table)?);
        if *element {
            generated.push_str(&complex_type(table, &code_attribute));
        }
    }
    let close = schema.range().end - "</xs:schema>".len();
    if !text[close..].starts_with("</xs:schema>") {
        return Err(spec(path, "the schema must end with </xs:schema>"));
    }
    splices.push(Splice {
        range: close..close,
        text: generated + "\n",
    });

    // Types referenced before the edit and not after it are dead: remove their definitions.
    let referenced_before = referenced_types(schema, &[]);
    let replaced: Vec<Range<usize>> = splices.iter().map(|s| s.range.clone()).collect();
    let referenced_after = referenced_types(schema, &replaced);
    for node in schema
        .children()
        .filter(|n| is_xs(n, "simpleType") || is_xs(n, "complexType"))
    {
        let name = node.attribute("name").unwrap_or_default();
        if referenced_before.contains_key(name) && !referenced_after.contains_key(name) {
            splices.push(Splice {
                range: with_leading_blank(text, node.range()),
                text: String::new(),
            });
        }
    }

    splices.sort_by_key(|s| (s.range.start, s.range.end));
    let mut out = String::with_capacity(text.len() * 2);
    let mut at = 0;
    for splice in &splices {
        if splice.range.start < at {
            return Err(spec(
                path,
                "overlapping edits (a coded declaration inside a dead type)",
            ));
        }
        out.push_str(&text[at..splice.range.start]);
        out.push_str(&splice.text);
        at = splice.range.end;
    }
    out.push_str(&text[at..]);
    Ok(Published {
        text: add_header(path, text, &out, &version)?,
        version,
    })
}

fn spec(path: &str, message: &str) -> Error {
    Error::Spec(format!("{path}: {message}"))
}

fn is_xs(node: &Node<'_, '_>, name: &str) -> bool {
    node.is_element() && node.tag_name().namespace() == Some(XS) && node.tag_name().name() == name
}

/// `iryo:codeTable` in the declaration's own `xs:annotation/xs:appinfo`.
fn code_table_of(node: Node<'_, '_>) -> Option<String> {
    let annotation = node.children().find(|n| is_xs(n, "annotation"))?;
    let appinfo = annotation.children().find(|n| is_xs(n, "appinfo"))?;
    appinfo
        .children()
        .find(|n| {
            n.is_element()
                && n.tag_name().namespace() == Some(IRYO)
                && n.tag_name().name() == "codeTable"
        })
        .and_then(|n| n.text())
        .map(|t| t.trim().to_owned())
}

/// The `CODE` attribute of the source's `CodeType`: its `use` and its documentation.
struct CodeAttribute {
    required: String,
    documentation: String,
}

fn code_type_attribute(path: &str, schema: Node<'_, '_>) -> Result<CodeAttribute, Error> {
    let code_type = schema
        .children()
        .find(|n| is_xs(n, "complexType") && n.attribute("name") == Some("CodeType"))
        .ok_or_else(|| spec(path, "no complexType CodeType"))?;
    let attribute = code_type
        .children()
        .find(|n| is_xs(n, "attribute") && n.attribute("name") == Some("CODE"))
        .ok_or_else(|| spec(path, "CodeType has no CODE attribute"))?;
    let documentation = attribute
        .descendants()
        .find(|n| is_xs(n, "documentation"))
        .and_then(|n| n.text())
        .unwrap_or_default()
        .to_owned();
    Ok(CodeAttribute {
        required: attribute.attribute("use").unwrap_or("optional").to_owned(),
        documentation,
    })
}

/// `hiyari-occurrence-month` -> `OccurrenceMonth`: the table name without its API prefix, in
/// UpperCamelCase.
fn type_base(table: &str) -> String {
    let without_api = table.split_once('-').map_or(table, |(_, rest)| rest);
    crate::asyncapi::upper_camel(without_api)
}

fn simple_type(path: &str, table: &CodeTable) -> Result<String, Error> {
    let entries = table
        .entries()
        .map_err(|message| spec(path, &format!("{}: {message}", table.table)))?;
    let mut out = format!(
        "\n  <xs:simpleType name=\"{}Code\">\n    <xs:annotation>\n      <xs:documentation xml:lang=\"ja\">{}: コード表 {} (版 {})。</xs:documentation>\n      <xs:appinfo><iryo:codeTable>{}</iryo:codeTable></xs:appinfo>\n    </xs:annotation>\n    <xs:restriction base=\"xs:string\">\n",
        type_base(&table.table),
        escape(&table.title),
        table.table,
        table.version,
        table.table,
    );
    for entry in &entries {
        out.push_str(&format!(
            "      <xs:enumeration value=\"{}\"><xs:annotation><xs:documentation xml:lang=\"ja\">{}</xs:documentation></xs:annotation></xs:enumeration>\n",
            escape(&entry.code),
            escape(entry.labels.first().map(String::as_str).unwrap_or_default()),
        ));
    }
    out.push_str("    </xs:restriction>\n  </xs:simpleType>\n");
    Ok(out)
}

fn complex_type(table: &CodeTable, code: &CodeAttribute) -> String {
    let base = type_base(&table.table);
    format!(
        "\n  <xs:complexType name=\"{base}CodeType\">\n    <xs:annotation><xs:documentation xml:lang=\"ja\">CODE 属性に表 {} のコードを持つ空要素。</xs:documentation></xs:annotation>\n    <xs:attribute name=\"CODE\" type=\"{base}Code\" use=\"{}\">\n      <xs:annotation><xs:documentation xml:lang=\"ja\">{}</xs:documentation></xs:annotation>\n    </xs:attribute>\n  </xs:complexType>\n",
        table.table,
        escape(&code.required),
        escape(&code.documentation),
    )
}

/// Names used in `type` / `base` attributes, skipping attribute values inside `replaced`.
fn referenced_types(schema: Node<'_, '_>, replaced: &[Range<usize>]) -> BTreeMap<String, usize> {
    let mut names = BTreeMap::new();
    for node in schema.descendants().filter(Node::is_element) {
        for attr in node.attributes() {
            if !matches!(attr.name(), "type" | "base") || attr.namespace().is_some() {
                continue;
            }
            if replaced.contains(&attr.range_value()) {
                continue;
            }
            *names.entry(attr.value().to_owned()).or_insert(0) += 1;
        }
    }
    names
}

/// A top-level definition's range, widened to the line breaks and indentation before it.
fn with_leading_blank(text: &str, range: Range<usize>) -> Range<usize> {
    let start = text[..range.start].trim_end_matches([' ', '\n']).len();
    start..range.end
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A comment after the XML declaration that says what this file is and where it comes from.
fn add_header(path: &str, source: &str, edited: &str, version: &str) -> Result<String, Error> {
    let declaration_end = edited
        .find("?>")
        .filter(|_| edited.starts_with("<?xml"))
        .map(|i| i + 2)
        .ok_or_else(|| spec(path, "no XML declaration"))?;
    let digest = super::sha256_hex(source.as_bytes());
    let comment = format!(
        "\n<!--\n  Published by `{}` from {path} (sha256:{digest}), schema version {version}.\n  \
         This is the STRICT schema: every CODE attribute and ResultSet@status accept only the codes of their\n  \
         table (codes/<table>.json), each xs:enumeration labelled in Japanese. The source schema keeps CODE open\n  \
         (xs:string) so that a reader keeps codes newer than the tables: parse leniently, validate with this one.\n  \
         DO NOT EDIT: change the source and publish again.\n-->",
        super::PUBLISH_COMMAND
    );
    Ok(format!(
        "{}{comment}{}",
        &edited[..declaration_end],
        &edited[declaration_end..]
    ))
}
