//! XSD -> record writers that serialise straight from the typed value, with no JSON tree:
//! `write_labeled_json` for every struct (the bytes `labeled_json()` prints, key order
//! included) and, for the root's repeated element, `CSV_COLUMNS` and `write_csv_row` (one column
//! per leaf of the tree, codes followed by their `_label` column, repeated values joined).
//! The runtime they call is the hand-written `crate::records`.
//! Also `labeled_json()`: the same value as a `serde_json::Value`, for callers that want one.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use crate::Error;
use crate::xsd::{ComplexType, ElementDecl, Schema};
use crate::xsd_naming::{Naming, field_ident, snake_case, struct_name, struct_types};
use crate::xsd_render::{Kind as ElementKind, element_kind};

/// What an element holds.
enum Kind<'a> {
    Text,
    Code,
    Child(&'a ComplexType),
}

fn kind<'a>(schema: &'a Schema, element: &ElementDecl) -> Result<Kind<'a>, Error> {
    if element.type_name == "xs:string" {
        return Ok(Kind::Text);
    }
    let target = schema.complex_type(&element.type_name).ok_or_else(|| {
        Error::Spec(format!(
            "element {} has unsupported type {}",
            element.name, element.type_name
        ))
    })?;
    let code_carrier = target.elements.is_empty()
        && target.attributes.len() == 1
        && target.attributes[0].name == "CODE";
    Ok(if code_carrier {
        Kind::Code
    } else {
        Kind::Child(target)
    })
}

/// The module: one `impl` per struct, plus the CSV row of the root's repeated elements.
/// `table_order` lists element names in the tag table's order (the CSV column order).
pub(crate) fn render_writers(
    schema: &Schema,
    naming: &Naming<'_>,
    table_order: &[String],
) -> Result<TokenStream, Error> {
    let mut items = Vec::new();
    for ty in struct_types(schema) {
        items.push(render_json(schema, ty, naming)?);
    }
    let root = schema
        .complex_type(&schema.root.type_name)
        .ok_or_else(|| Error::Spec("root type missing".to_owned()))?;
    for element in root.elements.iter().filter(|e| e.repeated) {
        if let Kind::Child(ty) = kind(schema, element)? {
            items.push(render_csv(schema, ty, naming, table_order)?);
        }
    }
    Ok(quote! { #(#items)* })
}

fn render_json(
    schema: &Schema,
    ty: &ComplexType,
    naming: &Naming<'_>,
) -> Result<TokenStream, Error> {
    let name = format_ident!("{}", struct_name(&ty.name));
    let mut parts = Vec::new();
    for attribute in &ty.attributes {
        let f = format_ident!("{}", snake_case(&attribute.name));
        let key = key_literal(&format!("@{}", attribute.name));
        // Required: the field itself (`self.f`); optional: `value`, a reference to its content.
        let write = |place: TokenStream, copied: TokenStream, borrowed: TokenStream| {
            if attribute.code_table.is_some() {
                quote! { crate::records::labeled_code(out, #place.code(), #place.label()); }
            } else if attribute.type_name == "xs:nonNegativeInteger" {
                quote! { crate::records::number(out, #copied); }
            } else {
                quote! { crate::records::string(out, #borrowed); }
            }
        };
        parts.push(if attribute.required {
            let value = write(quote! { self.#f }, quote! { self.#f }, quote! { &self.#f });
            quote! { crate::records::key(out, &mut first, #key); #value }
        } else {
            // An absent optional attribute has no key, as in `labeled_json`.
            let value = write(quote! { value }, quote! { *value }, quote! { value });
            quote! {
                if let Some(value) = &self.#f {
                    crate::records::key(out, &mut first, #key);
                    #value
                }
            }
        });
    }
    for element in &ty.elements {
        let f = field_ident(element, naming);
        let key = key_literal(&element.name);
        let one = match kind(schema, element)? {
            Kind::Text => quote! { crate::records::string(out, value); },
            Kind::Code => {
                quote! { crate::records::labeled_code(out, value.code(), value.label()); }
            }
            Kind::Child(_) => quote! { value.write_labeled_json(out); },
        };
        parts.push(if element.repeated {
            quote! {
                if !self.#f.is_empty() {
                    crate::records::key(out, &mut first, #key);
                    out.push(b'[');
                    for (i, value) in self.#f.iter().enumerate() {
                        if i > 0 { out.push(b','); }
                        #one
                    }
                    out.push(b']');
                }
            }
        } else {
            quote! {
                if let Some(value) = &self.#f {
                    crate::records::key(out, &mut first, #key);
                    #one
                }
            }
        });
    }
    Ok(quote! {
        impl super::#name {
            /// Appends [`labeled_json`](Self::labeled_json) as compact JSON, byte for byte what
            /// `serde_json` prints for it (keys in schema order), without building the tree.
            #[allow(unused_assignments)]
            pub fn write_labeled_json(&self, out: &mut Vec<u8>) {
                out.push(b'{');
                let mut first = true;
                #(#parts)*
                if !self.unknown_elements.is_empty() {
                    crate::records::key(out, &mut first, "\"_unknown\":");
                    crate::records::unknown(out, &self.unknown_elements);
                }
                out.push(b'}');
            }
        }
    })
}

/// `"KEY":`, ready to append.
fn key_literal(name: &str) -> Literal {
    Literal::string(&format!("\"{name}\":"))
}

/// One step from a struct to a field on the way to a leaf.
#[derive(Clone)]
struct Step {
    field: proc_macro2::Ident,
    repeated: bool,
}

/// A CSV column: its name, the steps to it, and whether it is a code (or its label).
struct Column {
    name: String,
    steps: Vec<Step>,
    leaf: Leaf,
}

enum Leaf {
    Text,
    Code,
    Label,
}

fn columns(
    schema: &Schema,
    ty: &ComplexType,
    naming: &Naming<'_>,
    order: &[String],
    prefix: &str,
    steps: &mut Vec<Step>,
    out: &mut Vec<Column>,
) -> Result<(), Error> {
    let mut elements: Vec<&ElementDecl> = ty.elements.iter().collect();
    // A type of leaves only (the medicine's `xs:all` has no order of its own) takes the tag
    // table's order; groups keep the schema's sequence.
    let leaves_only = elements
        .iter()
        .all(|e| !matches!(kind(schema, e), Ok(Kind::Child(_))));
    if leaves_only {
        let rank = |e: &ElementDecl| {
            order
                .iter()
                .position(|n| *n == e.name)
                .unwrap_or(usize::MAX)
        };
        elements.sort_by_key(|e| rank(e));
    }
    for element in elements {
        let name = format!("{prefix}{}", element.name);
        steps.push(Step {
            field: field_ident(element, naming),
            repeated: element.repeated,
        });
        let column = |name: String, leaf| Column {
            name,
            steps: steps.clone(),
            leaf,
        };
        match kind(schema, element)? {
            Kind::Text => out.push(column(name, Leaf::Text)),
            Kind::Code => {
                out.push(column(name.clone(), Leaf::Code));
                out.push(column(format!("{name}_label"), Leaf::Label));
            }
            Kind::Child(child) => columns(
                schema,
                child,
                naming,
                order,
                &format!("{name}."),
                steps,
                out,
            )?,
        }
        steps.pop();
    }
    Ok(())
}

fn render_csv(
    schema: &Schema,
    ty: &ComplexType,
    naming: &Naming<'_>,
    order: &[String],
) -> Result<TokenStream, Error> {
    let name = format_ident!("{}", struct_name(&ty.name));
    let mut columns_found = Vec::new();
    columns(
        schema,
        ty,
        naming,
        order,
        "",
        &mut Vec::new(),
        &mut columns_found,
    )?;
    let columns = columns_found;
    let names = columns.iter().map(|c| Literal::string(&c.name));
    let cells = columns.iter().map(render_cell);
    Ok(quote! {
        impl super::#name {
            /// The CSV columns: one per leaf of the tag tree in the tag table's order, named by
            /// the path of XML tags; a code is followed by its `_label` column.
            pub const CSV_COLUMNS: &'static [&'static str] = &[#(#names),*];

            /// Fills `row` with this value's cells, one per [`CSV_COLUMNS`](Self::CSV_COLUMNS)
            /// entry; repeated values are joined with ` | `, position by position.
            pub fn write_csv_row(&self, row: &mut crate::records::CsvRow) {
                row.clear();
                #(#cells)*
            }
        }
    })
}

fn render_cell(column: &Column) -> TokenStream {
    let leaf = |value: TokenStream| match column.leaf {
        Leaf::Text => quote! { #value.as_str() },
        Leaf::Code => quote! { #value.code() },
        Leaf::Label => quote! { #value.label() },
    };
    let last_repeated = column.steps.iter().rposition(|s| s.repeated);
    // The single values after the last repeated element: an Option chain to the leaf.
    let single_leaf = |start: TokenStream, steps: &[Step]| {
        let mut expr = start;
        for step in steps {
            let f = &step.field;
            expr = quote! { #expr.and_then(|v| v.#f.as_ref()) };
        }
        let value = leaf(quote! { v });
        match column.leaf {
            Leaf::Label => quote! { #expr.and_then(|v| #value) },
            _ => quote! { #expr.map(|v| #value) },
        }
    };
    let Some(split) = last_repeated else {
        let value = single_leaf(quote! { Some(self) }, &column.steps);
        return quote! { row.push_single(#value); };
    };
    let mut iter = quote! { ::std::iter::once(self) };
    for step in &column.steps[..=split] {
        let f = &step.field;
        iter = if step.repeated {
            quote! { #iter.flat_map(|v| v.#f.iter()) }
        } else {
            quote! { #iter.filter_map(|v| v.#f.as_ref()) }
        };
    }
    let value = single_leaf(quote! { Some(v) }, &column.steps[split + 1..]);
    quote! { row.push_joined(#iter.map(|v| #value)); }
}

/// `labeled_json()`: the value with XML names as keys, codes as `{"code", "label"}` (label `null`
/// when the table does not list the code), repeated elements as arrays, groups as objects.
pub(crate) fn render_labeled_json(
    ty: &ComplexType,
    name: &proc_macro2::Ident,
    schema: &Schema,
    naming: &Naming<'_>,
) -> Result<TokenStream, Error> {
    let mut inserts = Vec::new();
    for attribute in &ty.attributes {
        let field = format_ident!("{}", snake_case(&attribute.name));
        let key = Literal::string(&format!("@{}", attribute.name));
        // Required: the field itself (`self.f`); optional: `value`, a reference to its content.
        let labeled = |place: TokenStream| {
            if attribute.code_table.is_some() {
                quote! { crate::xml::labeled_code(#place.code(), #place.label()) }
            } else {
                quote! { ::serde_json::json!(#place) }
            }
        };
        inserts.push(if attribute.required {
            let value = labeled(quote! { self.#field });
            quote! { map.insert(#key.to_owned(), #value); }
        } else {
            // An absent optional attribute has no key (not `null`), as in `write_labeled_json`.
            let value = labeled(quote! { value });
            quote! {
                if let Some(value) = &self.#field {
                    map.insert(#key.to_owned(), #value);
                }
            }
        });
    }
    for element in &ty.elements {
        let field = field_ident(element, naming);
        let key = Literal::string(&element.name);
        let one = match element_kind(schema, element, naming)? {
            ElementKind::Text => quote! { ::serde_json::Value::String(value.clone()) },
            ElementKind::Code(_) => {
                quote! { crate::xml::labeled_code(value.code(), value.label()) }
            }
            ElementKind::Child(_) => quote! { value.labeled_json() },
        };
        inserts.push(if element.repeated {
            quote! {
                if !self.#field.is_empty() {
                    let values = self.#field.iter().map(|value| #one).collect();
                    map.insert(#key.to_owned(), ::serde_json::Value::Array(values));
                }
            }
        } else {
            quote! {
                if let Some(value) = &self.#field {
                    map.insert(#key.to_owned(), #one);
                }
            }
        });
    }
    Ok(quote! {
        impl #name {
            /// This value as JSON for people: XML names as keys, each code as
            /// `{"code": ..., "label": ...}`, repeated elements as arrays, unknown elements under `_unknown`.
            pub fn labeled_json(&self) -> ::serde_json::Value {
                let mut map = ::serde_json::Map::new();
                #(#inserts)*
                if !self.unknown_elements.is_empty() {
                    map.insert("_unknown".to_owned(), ::serde_json::json!(self.unknown_elements));
                }
                ::serde_json::Value::Object(map)
            }
        }
    })
}
