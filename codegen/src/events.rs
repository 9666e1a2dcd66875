//! `x-iryo-event-bodies`: an enum over an envelope whose `event` string selects the body's schema,
//! with aliases and an `Unknown` fallback that keeps the raw JSON.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use serde::Deserialize;
use serde_json::Value;

use crate::Error;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EventBodies {
    #[serde(rename = "enum")]
    enum_name: String,
    variants: Vec<EventVariant>,
}

#[derive(Debug, Deserialize)]
struct EventVariant {
    event: String,
    #[serde(default)]
    aliases: Vec<String>,
    variant: String,
    schema: String,
    description: String,
}

/// Finds the (single) schema carrying `x-iryo-event-bodies` and renders its enum.
pub(crate) fn render(doc: &Value, path: &str) -> Result<Option<TokenStream>, Error> {
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    let Some(schemas) = schemas else {
        return Ok(None);
    };
    let mut found = schemas
        .iter()
        .filter_map(|(name, schema)| Some((name, schema.get("x-iryo-event-bodies")?)));
    let Some((owner, raw)) = found.next() else {
        return Ok(None);
    };
    if found.next().is_some() {
        return Err(Error::Spec(format!(
            "{path}: only one schema may carry x-iryo-event-bodies"
        )));
    }
    let bodies: EventBodies = serde_json::from_value(raw.clone())
        .map_err(|e| Error::parse(path, format!("x-iryo-event-bodies of {owner}: {e}")))?;
    check(&bodies, schemas, path)?;
    Ok(Some(render_enum(owner, &bodies)))
}

fn check(
    bodies: &EventBodies,
    schemas: &serde_json::Map<String, Value>,
    path: &str,
) -> Result<(), Error> {
    let mut names = std::collections::BTreeSet::new();
    for v in &bodies.variants {
        if !schemas.contains_key(&v.schema) {
            return Err(Error::Spec(format!(
                "{path}: event body schema `{}` is not defined",
                v.schema
            )));
        }
        for name in std::iter::once(&v.event).chain(&v.aliases) {
            if !names.insert(name.clone()) {
                return Err(Error::Spec(format!(
                    "{path}: event name `{name}` listed twice"
                )));
            }
        }
        if !crate::code_table::is_upper_camel(&v.variant) || v.variant == "Unknown" {
            return Err(Error::Spec(format!(
                "{path}: bad variant name `{}`",
                v.variant
            )));
        }
    }
    Ok(())
}

fn render_enum(owner: &str, bodies: &EventBodies) -> TokenStream {
    let ty = format_ident!("{}", bodies.enum_name);
    let variants: Vec<_> = bodies
        .variants
        .iter()
        .map(|v| format_ident!("{}", v.variant))
        .collect();
    let schemas: Vec<_> = bodies
        .variants
        .iter()
        .map(|v| format_ident!("{}", v.schema))
        .collect();
    let events: Vec<_> = bodies
        .variants
        .iter()
        .map(|v| Literal::string(&v.event))
        .collect();
    let patterns: Vec<_> = bodies
        .variants
        .iter()
        .map(|v| {
            let names = std::iter::once(&v.event)
                .chain(&v.aliases)
                .map(|n| Literal::string(n));
            quote! { #(#names)|* }
        })
        .collect();
    let docs: Vec<_> = bodies
        .variants
        .iter()
        .map(|v| {
            let mut doc = format!(" `{}`: {}", v.event, v.description);
            if !v.aliases.is_empty() {
                doc.push_str(&format!(" Also accepted as `{}`.", v.aliases.join("`, `")));
            }
            doc
        })
        .collect();
    let enum_doc = format!(
        " The body of a [`{owner}`](super::types::{owner}), typed by its `event` name.\n\n\
         Known event names decode into their schema; any other name is kept as [`{}::Unknown`].",
        bodies.enum_name
    );
    quote! {
        use super::types;

        #[doc = #enum_doc]
        #[non_exhaustive]
        #[derive(Clone, Debug, PartialEq)]
        pub enum #ty {
            #(
                #[doc = #docs]
                #variants(types::#schemas),
            )*
            /// An event name this spec does not list, with its body kept as received.
            Unknown {
                /// The event name as received.
                event: String,
                /// The body as received (its JSON text).
                body: ::iryo_runtime::RawJson,
            },
        }

        impl #ty {
            /// The event names this spec lists (aliases not included).
            pub const KNOWN_EVENTS: &'static [&'static str] = &[#(#events),*];

            /// Decodes `body` according to `event`. Unknown event names never fail; a known one
            /// fails only when its body does not have the documented shape.
            pub fn from_wire(event: &str, body: ::iryo_runtime::RawJson) -> Result<Self, ::serde_json::Error> {
                Ok(match event {
                    #(#patterns => #ty::#variants(body.parse()?),)*
                    _ => #ty::Unknown { event: event.to_owned(), body },
                })
            }

            /// The event name to send on the wire (the spec's spelling, never an alias).
            pub fn event_name(&self) -> &str {
                match self {
                    #(#ty::#variants(_) => #events,)*
                    #ty::Unknown { event, .. } => event,
                }
            }

            /// The body as JSON, unknown keys included.
            pub fn to_wire_body(&self) -> Result<::iryo_runtime::RawJson, ::serde_json::Error> {
                match self {
                    #(#ty::#variants(body) => ::iryo_runtime::RawJson::from_value(body),)*
                    #ty::Unknown { body, .. } => Ok(body.clone()),
                }
            }
        }
    }
}
