//! XSD -> Rust: one struct per complex type (serde `Serialize` with the XML names) and an
//! event-driven reader (`read_children`) over the hand-written runtime in `crate::xml`.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use crate::Error;
use crate::xsd::{AttributeDecl, ComplexType, ElementDecl, Schema};
use crate::xsd_naming::{Naming, field_ident, is_code_carrier, snake_case, struct_name};

/// How one child element is read.
pub(crate) enum Kind {
    Text,
    Code(TokenStream),
    Child(proc_macro2::Ident),
}

/// Renders one struct and its reader.
pub(crate) fn render_struct(
    schema: &Schema,
    ty: &ComplexType,
    naming: &Naming<'_>,
) -> Result<TokenStream, Error> {
    let name = format_ident!("{}", struct_name(&ty.name));
    let mut fields = Vec::new();
    let mut arms = Vec::new();
    let mut dispatch = Vec::new();
    for (index, element) in ty.elements.iter().enumerate() {
        let index = u16::try_from(index).map_err(|_| spec_error(naming, "too many elements"))?;
        let kind = element_kind(schema, element, naming)?;
        let field = field_ident(element, naming);
        fields.push(render_field(element, &kind, &field, naming));
        arms.push(render_classify_arm(element, &kind, index));
        dispatch.push(render_dispatch_arm(element, &kind, &field, index));
    }
    let attribute_fields = ty
        .attributes
        .iter()
        .map(|a| render_attribute_field(a, naming))
        .collect::<Result<Vec<_>, _>>()?;
    let doc = format!(" {}\n\n XML type `{}`.", ty.doc, ty.name);
    let has_code = ty
        .elements
        .iter()
        .any(|e| matches!(element_kind(schema, e, naming), Ok(Kind::Code(_))));
    let start_param = if has_code {
        format_ident!("start")
    } else {
        format_ident!("_start")
    };
    let derives = if ty.attributes.is_empty() {
        quote! { #[derive(Clone, Debug, Default, PartialEq, ::serde::Serialize)] }
    } else {
        quote! { #[derive(Clone, Debug, PartialEq, ::serde::Serialize)] }
    };
    let labeled = crate::xsd_json::render_labeled_json(ty, &name, schema, naming)?;
    let from_start = if ty.attributes.is_empty() {
        quote! {}
    } else {
        render_from_start(ty, &name, naming)?
    };
    Ok(quote! {
        #[doc = #doc]
        #derives
        pub struct #name {
            #(#attribute_fields)*
            #(#fields)*
            /// Child elements the schema does not list (or repeats of single ones), kept as received.
            #[serde(rename = "_unknown", skip_serializing_if = "Vec::is_empty")]
            pub unknown_elements: Vec<crate::xml::UnknownElement>,
        }

        #from_start

        #labeled

        impl crate::xml::XmlElement for #name {
            fn read_children<R: ::std::io::BufRead>(
                &mut self,
                reader: &mut crate::xml::XmlReader<R>,
                empty: bool,
            ) -> Result<(), crate::xml::ReadError> {
                use crate::xml::Step;
                if empty {
                    return Ok(());
                }
                loop {
                    let step = reader.next_step(|name, #start_param| {
                        Ok(match name {
                            #(#arms)*
                            _ => None,
                        })
                    })?;
                    match step {
                        Step::End => return Ok(()),
                        Step::Unknown { element, empty } => {
                            let element = reader.finish_unknown(element, empty)?;
                            reader.keep_unknown(&mut self.unknown_elements, element)?;
                        }
                        #(#dispatch)*
                        Step::Field { index, .. } => return Err(crate::xml::ReadError::internal(index)),
                    }
                }
            }
        }
    })
}

fn spec_error(naming: &Naming<'_>, message: &str) -> Error {
    Error::Spec(format!("{}: {message}", naming.path))
}

pub(crate) fn element_kind(
    schema: &Schema,
    element: &ElementDecl,
    naming: &Naming<'_>,
) -> Result<Kind, Error> {
    if element.type_name == "xs:string" {
        return Ok(Kind::Text);
    }
    let target = schema.complex_type(&element.type_name).ok_or_else(|| {
        spec_error(
            naming,
            &format!(
                "element {} has unsupported type {}",
                element.name, element.type_name
            ),
        )
    })?;
    if is_code_carrier(target) {
        let table = element.code_table.as_deref().ok_or_else(|| {
            spec_error(
                naming,
                &format!("code element {} needs an iryo:codeTable", element.name),
            )
        })?;
        return Ok(Kind::Code(code_type(table, naming)?));
    }
    if !target.attributes.is_empty() {
        return Err(spec_error(
            naming,
            &format!("{}: attributes are supported on the root only", target.name),
        ));
    }
    Ok(Kind::Child(format_ident!("{}", struct_name(&target.name))))
}

fn code_type(table: &str, naming: &Naming<'_>) -> Result<TokenStream, Error> {
    let table = naming
        .tables
        .iter()
        .find(|t| t.table == table)
        .ok_or_else(|| {
            spec_error(
                naming,
                &format!("iryo:codeTable `{table}` has no table file"),
            )
        })?;
    let krate = format_ident!("{}", table.rust.krate.replace('-', "_"));
    let ty = format_ident!("{}", table.rust.type_name);
    Ok(quote! { ::#krate::#ty })
}

fn field_doc(doc: &str, xml_name: &str, table: Option<&str>) -> String {
    match table {
        Some(table) => format!(" {doc} (`{xml_name}`, table `{table}`)"),
        None => format!(" {doc} (`{xml_name}`)"),
    }
}

fn render_field(
    element: &ElementDecl,
    kind: &Kind,
    field: &proc_macro2::Ident,
    _naming: &Naming<'_>,
) -> TokenStream {
    let value = match kind {
        Kind::Text => quote! { String },
        Kind::Code(ty) => ty.clone(),
        Kind::Child(ty) => quote! { super::#ty },
    };
    let doc = field_doc(&element.doc, &element.name, element.code_table.as_deref());
    let xml_name = Literal::string(&element.name);
    if element.repeated {
        quote! {
            #[doc = #doc]
            #[serde(rename = #xml_name, skip_serializing_if = "Vec::is_empty")]
            pub #field: Vec<#value>,
        }
    } else {
        quote! {
            #[doc = #doc]
            #[serde(rename = #xml_name, skip_serializing_if = "Option::is_none")]
            pub #field: Option<#value>,
        }
    }
}

/// In the borrow scope of the start tag: which field, and the `CODE` value for code elements.
fn render_classify_arm(element: &ElementDecl, kind: &Kind, index: u16) -> TokenStream {
    let bytes = proc_macro2::Literal::byte_string(element.name.as_bytes());
    match kind {
        Kind::Code(_) => quote! { #bytes => Some((#index, crate::xml::code_attribute(start)?)), },
        _ => quote! { #bytes => Some((#index, None)), },
    }
}

/// After the start tag is released: read the element's content into its field.
fn render_dispatch_arm(
    element: &ElementDecl,
    kind: &Kind,
    field: &proc_macro2::Ident,
    index: u16,
) -> TokenStream {
    let xml_name = Literal::string(&element.name);
    let read = match kind {
        Kind::Text => quote! { reader.read_text(empty)? },
        Kind::Code(ty) => quote! {
            {
                reader.skip_element(empty)?;
                match code {
                    Some(code) => #ty::from(code.as_str()),
                    // An element without its CODE carries nothing; it is kept as unknown.
                    None => {
                        reader.keep_unknown(&mut self.unknown_elements, crate::xml::UnknownElement::empty(#xml_name))?;
                        continue;
                    }
                }
            }
        },
        Kind::Child(ty) => quote! {
            {
                let mut child = super::#ty::default();
                crate::xml::XmlElement::read_children(&mut child, reader, empty)?;
                child
            }
        },
    };
    let store = if element.repeated {
        quote! { self.#field.push(value); }
    } else {
        quote! {
            if self.#field.is_some() {
                reader.keep_unknown(&mut self.unknown_elements, crate::xml::UnknownElement::repeated(#xml_name, &value))?;
            } else {
                self.#field = Some(value);
            }
        }
    };
    let code_binding = if matches!(kind, Kind::Code(_)) {
        quote! { code }
    } else {
        quote! { code: _ }
    };
    quote! {
        Step::Field { index: #index, #code_binding, empty } => {
            let value = #read;
            #store
        }
    }
}

fn attribute_type(
    attribute: &AttributeDecl,
    naming: &Naming<'_>,
) -> Result<(TokenStream, TokenStream), Error> {
    if let Some(table) = &attribute.code_table {
        let ty = code_type(table, naming)?;
        return Ok((ty.clone(), quote! { #ty::from(text.as_ref()) }));
    }
    match attribute.type_name.as_str() {
        "xs:nonNegativeInteger" => Ok((quote! { u64 }, quote! { crate::xml::parse_count(&text)? })),
        _ => Ok((quote! { String }, quote! { text.into_owned() })),
    }
}

fn render_attribute_field(
    attribute: &AttributeDecl,
    naming: &Naming<'_>,
) -> Result<TokenStream, Error> {
    let field = format_ident!("{}", snake_case(&attribute.name));
    let (ty, _) = attribute_type(attribute, naming)?;
    let doc = field_doc(
        &attribute.doc,
        &format!("@{}", attribute.name),
        attribute.code_table.as_deref(),
    );
    let xml_name = Literal::string(&format!("@{}", attribute.name));
    Ok(if attribute.required {
        quote! { #[doc = #doc] #[serde(rename = #xml_name)] pub #field: #ty, }
    } else {
        quote! {
            #[doc = #doc]
            #[serde(rename = #xml_name, skip_serializing_if = "Option::is_none")]
            pub #field: Option<#ty>,
        }
    })
}

/// `from_start`: the attributes of the start tag, children still empty.
fn render_from_start(
    ty: &ComplexType,
    name: &proc_macro2::Ident,
    naming: &Naming<'_>,
) -> Result<TokenStream, Error> {
    let mut locals = Vec::new();
    let mut arms = Vec::new();
    let mut inits = Vec::new();
    for attribute in &ty.attributes {
        let field = format_ident!("{}", snake_case(&attribute.name));
        let (_, convert) = attribute_type(attribute, naming)?;
        let key = proc_macro2::Literal::byte_string(attribute.name.as_bytes());
        let xml_name = Literal::string(&attribute.name);
        let element_name = Literal::string(&naming.path_element(ty));
        locals.push(quote! { let mut #field = None; });
        arms.push(quote! {
            #key if #field.is_some() => return Err(crate::xml::ReadError::duplicate_attribute(#element_name, #key)),
            #key => #field = Some(#convert),
        });
        inits.push(if attribute.required {
            quote! { #field: #field.ok_or_else(|| crate::xml::ReadError::missing_attribute(#element_name, #xml_name))?, }
        } else {
            quote! { #field, }
        });
    }
    let children = ty.elements.iter().map(|e| {
        let field = field_ident(e, naming);
        if e.repeated {
            quote! { #field: Vec::new(), }
        } else {
            quote! { #field: None, }
        }
    });
    Ok(quote! {
        impl #name {
            /// A value holding the start tag's attributes and no children yet.
            pub fn from_start(start: &::quick_xml::events::BytesStart<'_>) -> Result<Self, crate::xml::ReadError> {
                #(#locals)*
                // Duplicates are checked per attribute above: quick-xml's own check is quadratic.
                for attribute in crate::xml::attributes(start) {
                    let attribute = attribute.map_err(crate::xml::ReadError::attribute)?;
                    let text = crate::xml::attribute_text(&attribute)?;
                    match attribute.key.local_name().as_ref() {
                        #(#arms)*
                        _ => {}
                    }
                }
                Ok(#name {
                    #(#inits)*
                    #(#children)*
                    unknown_elements: Vec::new(),
                })
            }
        }
    })
}
