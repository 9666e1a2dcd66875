//! Names in the XSD renderers: struct and field names from the schema and the tree table, and
//! which complex types become structs.

use std::collections::BTreeMap;

use quote::format_ident;

use crate::code_table::CodeTable;
use crate::xsd::{ComplexType, ElementDecl, Schema};

/// What the generator needs besides the schema.
pub(crate) struct Naming<'a> {
    /// Element name -> neutral identifier (from the tree table), for field names.
    pub field_ids: BTreeMap<String, String>,
    /// Every code table, for `iryo:codeTable`.
    pub tables: &'a [CodeTable],
    /// Where the messages of errors point.
    pub path: &'a str,
}

/// The struct name of a complex type: its name without a `Type` suffix.
pub(crate) fn struct_name(type_name: &str) -> String {
    type_name
        .strip_suffix("Type")
        .unwrap_or(type_name)
        .to_owned()
}

/// `PatientAge` -> `patient_age`, `MedicineA` -> `medicine_a`, `DATMEDNAME` -> `datmedname`.
pub(crate) fn snake_case(id: &str) -> String {
    if id
        .chars()
        .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
    {
        return id.to_ascii_lowercase();
    }
    let mut out = String::new();
    for (i, c) in id.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The struct types to render: every complex type reachable from the root that is not a code
/// carrier (a type with no elements whose only attribute is `CODE`).
pub(crate) fn struct_types(schema: &Schema) -> Vec<&ComplexType> {
    schema
        .complex_types
        .iter()
        .filter(|t| !is_code_carrier(t))
        .collect()
}

pub(crate) fn is_code_carrier(t: &ComplexType) -> bool {
    t.elements.is_empty() && t.attributes.len() == 1 && t.attributes[0].name == "CODE"
}

pub(crate) fn field_ident(element: &ElementDecl, naming: &Naming<'_>) -> proc_macro2::Ident {
    let id = naming
        .field_ids
        .get(&element.name)
        .cloned()
        .unwrap_or_else(|| element.name.clone());
    format_ident!("{}", snake_case(&id))
}

impl Naming<'_> {
    pub(crate) fn path_element(&self, ty: &ComplexType) -> String {
        struct_name(&ty.name)
    }
}
