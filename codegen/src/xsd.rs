//! A reader for the XSD subset our specs use: one root element, named complex types with a
//! sequence, `all` or (repeated) choice of elements, attributes, and named simple types.
//! `iryo:codeTable` annotations tie elements and attributes to code tables.

use crate::Error;

const XS: &str = "http://www.w3.org/2001/XMLSchema";
const IRYO: &str = "urn:iryo:xsd-annotations";

/// The parsed schema.
#[derive(Debug, Clone)]
pub(crate) struct Schema {
    pub root: ElementDecl,
    pub complex_types: Vec<ComplexType>,
}

/// A named complex type.
#[derive(Debug, Clone)]
pub(crate) struct ComplexType {
    pub name: String,
    pub doc: String,
    pub elements: Vec<ElementDecl>,
    pub attributes: Vec<AttributeDecl>,
}

/// An element declaration inside a content model.
#[derive(Debug, Clone)]
pub(crate) struct ElementDecl {
    pub name: String,
    pub type_name: String,
    pub repeated: bool,
    pub doc: String,
    pub code_table: Option<String>,
}

/// An attribute declaration.
#[derive(Debug, Clone)]
pub(crate) struct AttributeDecl {
    pub name: String,
    pub type_name: String,
    pub required: bool,
    pub doc: String,
    pub code_table: Option<String>,
}

impl Schema {
    pub(crate) fn complex_type(&self, name: &str) -> Option<&ComplexType> {
        self.complex_types.iter().find(|t| t.name == name)
    }
}

pub(crate) fn parse(path: &str, text: &str) -> Result<Schema, Error> {
    let doc = roxmltree::Document::parse(text).map_err(|e| Error::parse(path, e))?;
    let schema = doc.root_element();
    let mut root = None;
    let mut complex_types = Vec::new();
    for child in schema.children().filter(|n| n.is_element()) {
        match (child.tag_name().namespace(), child.tag_name().name()) {
            (Some(XS), "element") => {
                if root.replace(element_decl(path, child, false)?).is_some() {
                    return Err(Error::Spec(format!(
                        "{path}: only one top-level element is supported"
                    )));
                }
            }
            (Some(XS), "complexType") => complex_types.push(complex_type(path, child)?),
            (Some(XS), "simpleType" | "annotation") => {}
            (_, other) => {
                return Err(Error::Spec(format!(
                    "{path}: unsupported top-level <{other}>"
                )));
            }
        }
    }
    let root = root.ok_or_else(|| Error::Spec(format!("{path}: no top-level element")))?;
    Ok(Schema {
        root,
        complex_types,
    })
}

fn complex_type(path: &str, node: roxmltree::Node<'_, '_>) -> Result<ComplexType, Error> {
    let name = required_attr(path, node, "name")?;
    let mut elements = Vec::new();
    let mut attributes = Vec::new();
    for child in node.children().filter(|n| n.is_element()) {
        match child.tag_name().name() {
            "sequence" | "all" => {
                for element in xs_children(child, "element") {
                    elements.push(element_decl(path, element, false)?);
                }
            }
            "choice" => {
                let repeated = child.attribute("maxOccurs").is_some_and(|m| m != "1");
                for element in xs_children(child, "element") {
                    elements.push(element_decl(path, element, repeated)?);
                }
            }
            "attribute" => attributes.push(attribute_decl(path, child)?),
            "annotation" => {}
            other => {
                return Err(Error::Spec(format!(
                    "{path}: {name}: unsupported <{other}>"
                )));
            }
        }
    }
    Ok(ComplexType {
        doc: documentation(node),
        name,
        elements,
        attributes,
    })
}

fn xs_children<'a, 'input>(
    node: roxmltree::Node<'a, 'input>,
    name: &'static str,
) -> impl Iterator<Item = roxmltree::Node<'a, 'input>> {
    node.children()
        .filter(move |n| n.tag_name().namespace() == Some(XS) && n.tag_name().name() == name)
}

fn element_decl(
    path: &str,
    node: roxmltree::Node<'_, '_>,
    in_repeated_choice: bool,
) -> Result<ElementDecl, Error> {
    let max = node.attribute("maxOccurs").unwrap_or("1");
    Ok(ElementDecl {
        name: required_attr(path, node, "name")?,
        type_name: required_attr(path, node, "type")?,
        repeated: in_repeated_choice || max != "1",
        doc: documentation(node),
        code_table: appinfo(node, "codeTable"),
    })
}

fn attribute_decl(path: &str, node: roxmltree::Node<'_, '_>) -> Result<AttributeDecl, Error> {
    Ok(AttributeDecl {
        name: required_attr(path, node, "name")?,
        type_name: required_attr(path, node, "type")?,
        required: node.attribute("use") == Some("required"),
        doc: documentation(node),
        code_table: appinfo(node, "codeTable"),
    })
}

fn required_attr(path: &str, node: roxmltree::Node<'_, '_>, name: &str) -> Result<String, Error> {
    node.attribute(name).map(str::to_owned).ok_or_else(|| {
        Error::Spec(format!(
            "{path}: <{}> without `{name}`",
            node.tag_name().name()
        ))
    })
}

fn annotation<'a, 'input>(
    node: roxmltree::Node<'a, 'input>,
) -> Option<roxmltree::Node<'a, 'input>> {
    xs_children(node, "annotation").next()
}

fn documentation(node: roxmltree::Node<'_, '_>) -> String {
    annotation(node)
        .and_then(|a| xs_children(a, "documentation").next())
        .and_then(|d| d.text())
        .unwrap_or_default()
        .trim()
        .to_owned()
}

fn appinfo(node: roxmltree::Node<'_, '_>, name: &str) -> Option<String> {
    let appinfo = xs_children(annotation(node)?, "appinfo").next()?;
    appinfo
        .children()
        .find(|n| n.tag_name().namespace() == Some(IRYO) && n.tag_name().name() == name)
        .and_then(|n| n.text())
        .map(|t| t.trim().to_owned())
}

/// Every `iryo:fixup` named anywhere in the schema (for the fixup cross-check).
#[allow(dead_code)]
pub(crate) fn fixup_names(text: &str) -> Vec<String> {
    let Ok(doc) = roxmltree::Document::parse(text) else {
        return vec![];
    };
    doc.descendants()
        .filter(|n| n.tag_name().namespace() == Some(IRYO) && n.tag_name().name() == "fixup")
        .filter_map(|n| n.text().map(|t| t.trim().to_owned()))
        .collect()
}
