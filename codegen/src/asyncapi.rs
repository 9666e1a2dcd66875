//! AsyncAPI 3 document -> socket frame types: one struct per message payload and one enum per
//! direction (`ClientFrame` for `send` operations, `ServerFrame` for `receive` ones and replies),
//! internally tagged by the payload's `command` constant.

use std::collections::BTreeMap;

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use crate::Error;
use crate::code_table::CodeTable;

/// Rust-side settings of an AsyncAPI document (the `asyncapi:` key of `rust.yaml`).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AsyncApiConfig {
    /// The document, relative to the workspace root.
    pub spec: String,
    /// Schema name -> hand-written Rust type used instead of a generated one.
    #[serde(default)]
    pub replace: BTreeMap<String, String>,
    /// `Schema.property` -> Rust field name, for wire names that are Rust keywords (`for`).
    #[serde(default)]
    pub rename: BTreeMap<String, String>,
}

const LOCAL_SCHEMA: &str = "#/components/schemas/";
const OPENAPI_SCHEMA: &str = "openapi.yaml#/components/schemas/";
const TAG: &str = "command";

struct Frame {
    variant: String,
    schema: String,
    tag: String,
    summary: String,
}

/// Renders the frames module of `doc` (the AsyncAPI document read from `path`).
pub(crate) fn render(
    doc: &Value,
    path: &str,
    config: &AsyncApiConfig,
    tables: &[CodeTable],
) -> Result<TokenStream, Error> {
    let spec = |m: String| Error::Spec(format!("{path}: {m}"));
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .ok_or_else(|| spec("no components.schemas".into()))?;
    let (client, server) = frames_by_direction(doc, schemas, path)?;
    let mut structs = Vec::new();
    for frame in client.iter().chain(&server) {
        let schema = &schemas[&frame.schema];
        structs.push(render_struct(
            &frame.schema,
            schema,
            &frame.tag,
            config,
            tables,
            path,
        )?);
    }
    let client_enum = render_enum(
        "ClientFrame",
        " Frames the client sends (`send` operations), tagged by `command`.",
        &client,
    );
    let server_enum = render_enum(
        "ServerFrame",
        " Frames the server sends (`receive` operations and replies), tagged by `command`.",
        &server,
    );
    Ok(quote! {
        #[allow(unused_imports)]
        use super::types;
        #(#structs)*
        #client_enum
        #server_enum
    })
}

/// Messages of `send` operations, then those of `receive` operations and of replies, each once,
/// in document order.
fn frames_by_direction(
    doc: &Value,
    schemas: &serde_json::Map<String, Value>,
    path: &str,
) -> Result<(Vec<Frame>, Vec<Frame>), Error> {
    let spec = |m: String| Error::Spec(format!("{path}: {m}"));
    let operations = doc
        .get("operations")
        .and_then(Value::as_object)
        .ok_or_else(|| spec("no operations".into()))?;
    let (mut client, mut server) = (Vec::new(), Vec::new());
    let mut seen = std::collections::BTreeSet::new();
    let mut add = |list: &mut Vec<Frame>, reference: &Value| -> Result<(), Error> {
        let key = message_key(doc, reference)
            .ok_or_else(|| spec(format!("message reference {reference} does not resolve")))?;
        if !seen.insert(key.clone()) {
            return Ok(());
        }
        let message = &doc["components"]["messages"][&key];
        let schema = message["payload"]["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix(LOCAL_SCHEMA))
            .filter(|name| schemas.contains_key(*name))
            .ok_or_else(|| spec(format!("message `{key}` has no local payload schema")))?;
        let tag = schemas[schema]["properties"][TAG]["const"]
            .as_str()
            .ok_or_else(|| spec(format!("schema `{schema}` has no `{TAG}` const")))?;
        list.push(Frame {
            variant: upper_camel(&key),
            schema: schema.to_owned(),
            tag: tag.to_owned(),
            summary: message["summary"].as_str().unwrap_or_default().to_owned(),
        });
        Ok(())
    };
    for operation in operations.values() {
        let messages = operation["messages"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        match operation["action"].as_str() {
            Some("send") => messages.iter().try_for_each(|m| add(&mut client, m))?,
            Some("receive") => messages.iter().try_for_each(|m| add(&mut server, m))?,
            other => return Err(spec(format!("operation action {other:?}"))),
        }
    }
    for operation in operations.values() {
        let replies = operation["reply"]["messages"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let list = match operation["action"].as_str() {
            Some("send") => &mut server,
            _ => &mut client,
        };
        replies.iter().try_for_each(|m| add(list, m))?;
    }
    Ok((client, server))
}

/// `#/channels/ws/messages/x` or `#/components/messages/x` -> the components key `x`.
fn message_key(doc: &Value, reference: &Value) -> Option<String> {
    let pointer = reference.get("$ref")?.as_str()?.strip_prefix('#')?;
    let target = doc.pointer(pointer)?;
    let key = match target.get("$ref").and_then(Value::as_str) {
        Some(inner) => inner.strip_prefix("#/components/messages/")?,
        None => pointer.strip_prefix("/components/messages/")?,
    };
    doc.pointer(&format!("/components/messages/{key}"))?;
    Some(key.to_owned())
}

fn render_struct(
    name: &str,
    schema: &Value,
    tag: &str,
    config: &AsyncApiConfig,
    tables: &[CodeTable],
    path: &str,
) -> Result<TokenStream, Error> {
    let spec = |m: String| Error::Spec(format!("{path}: {name}: {m}"));
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let properties = schema["properties"]
        .as_object()
        .ok_or_else(|| spec("no properties".into()))?;
    let mut fields = Vec::new();
    for (wire, property) in properties {
        if wire == TAG {
            if property["const"].as_str() != Some(tag) {
                return Err(spec(format!("`{TAG}` must be the const `{tag}`")));
            }
            continue;
        }
        let ident = field_ident(name, wire, config).map_err(spec)?;
        let ty = field_type(property, config, tables).map_err(spec)?;
        let doc = format!(" {}", property["description"].as_str().unwrap_or_default());
        let wire_name = Literal::string(wire);
        fields.push(if required.contains(&wire.as_str()) {
            quote! { #[doc = #doc] #[serde(rename = #wire_name)] pub #ident: #ty, }
        } else {
            quote! {
                #[doc = #doc]
                #[serde(rename = #wire_name, default, skip_serializing_if = "Option::is_none")]
                pub #ident: Option<#ty>,
            }
        });
    }
    let ident = format_ident!("{name}");
    let doc = format!(" {}", schema["description"].as_str().unwrap_or_default());
    Ok(quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
        pub struct #ident { #(#fields)* }
    })
}

fn field_ident(schema: &str, wire: &str, config: &AsyncApiConfig) -> Result<syn::Ident, String> {
    let name = match config.rename.get(&format!("{schema}.{wire}")) {
        Some(name) => name.clone(),
        None => wire
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect(),
    };
    syn::parse_str::<syn::Ident>(&name).map_err(|_| {
        format!("`{wire}` gives the field name `{name}`, which is not an identifier; add `rename: {{{schema}.{wire}: ...}}` to rust.yaml")
    })
}

fn field_type(
    property: &Value,
    config: &AsyncApiConfig,
    tables: &[CodeTable],
) -> Result<TokenStream, String> {
    if let Some(reference) = property.get("$ref").and_then(Value::as_str) {
        if let Some(local) = reference.strip_prefix(LOCAL_SCHEMA) {
            return match config.replace.get(local) {
                Some(path) => path.parse().map_err(|_| format!("bad Rust path `{path}`")),
                None => {
                    let ident = format_ident!("{local}");
                    Ok(quote!(#ident))
                }
            };
        }
        if let Some(shared) = reference.strip_prefix(OPENAPI_SCHEMA) {
            let ident = format_ident!("{shared}");
            return Ok(quote!(types::#ident));
        }
        return Err(format!("unsupported $ref `{reference}`"));
    }
    if let Some(table) = property.get("x-iryo-code-table").and_then(Value::as_str) {
        let table = tables
            .iter()
            .find(|t| t.table == table)
            .ok_or_else(|| format!("x-iryo-code-table `{table}` has no table file"))?;
        let krate = format_ident!("{}", table.rust.krate.replace('-', "_"));
        let ty = format_ident!("{}", table.rust.type_name);
        return Ok(quote!(::#krate::#ty));
    }
    match property["type"].as_str() {
        Some("string") => Ok(quote!(String)),
        Some("integer") => Ok(quote!(i64)),
        Some("boolean") => Ok(quote!(bool)),
        other => Err(format!("unsupported property type {other:?}")),
    }
}

fn render_enum(name: &str, doc: &str, frames: &[Frame]) -> TokenStream {
    let ident = format_ident!("{name}");
    let variants = frames.iter().map(|f| {
        let variant = format_ident!("{}", f.variant);
        let schema = format_ident!("{}", f.schema);
        let tag = Literal::string(&f.tag);
        let doc = format!(" `{}`: {}", f.tag, f.summary);
        quote! { #[doc = #doc] #[serde(rename = #tag)] #variant(#schema), }
    });
    let tags = frames.iter().map(|f| Literal::string(&f.tag));
    let arms = frames.iter().map(|f| {
        let variant = format_ident!("{}", f.variant);
        let tag = Literal::string(&f.tag);
        quote! { #ident::#variant(_) => #tag, }
    });
    // Decoded from the frame's text, never through serde's buffered `Content` (which cannot hold
    // the raw JSON text of event bodies).
    let attempts = frames.iter().map(|f| {
        let variant = format_ident!("{}", f.variant);
        let tag = Literal::string(&f.tag);
        quote! { (#tag, |raw| ::serde_json::from_str(raw).map(#ident::#variant)), }
    });
    let label = Literal::string(name);
    let tag_key = Literal::string(TAG);
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq, ::serde::Serialize)]
        #[serde(tag = "command")]
        pub enum #ident { #(#variants)* }

        impl<'de> ::serde::Deserialize<'de> for #ident {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: ::serde::Deserializer<'de>,
            {
                ::iryo_runtime::__private::tagged(deserializer, #label, #tag_key, &[#(#attempts)*])
            }
        }

        impl #ident {
            /// Every `command` value of this direction.
            pub const COMMANDS: &'static [&'static str] = &[#(#tags),*];

            /// The frame's `command`.
            pub fn command(&self) -> &'static str {
                match self { #(#arms)* }
            }
        }
    }
}

/// `job-category` -> `JobCategory` (any other character separates words too).
pub(crate) fn upper_camel(key: &str) -> String {
    key.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}
