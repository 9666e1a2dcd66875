//! The generated half of a client's shell: the hooks progenitor's client runs (a call of the
//! runtime's `generated_client!`), and one `Operation` constant per operation (named like its
//! method) with its retry class (`x-iryo-retry: read | write`, else from the HTTP method).
//! Also trims progenitor's output: no `api-version` header (no API here asks for it), no
//! `Client::new` (it builds an HTTP client; only the runtime does).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::Error;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The `operations` module: the runtime's hooks for the client, and the constants.
pub(crate) fn render(doc: &Value, api: &str, path: &str) -> Result<TokenStream, Error> {
    let mut constants = Vec::new();
    for (method, operation) in operations(doc) {
        let Some(id) = operation.get("operationId").and_then(Value::as_str) else {
            continue;
        };
        let class = match retry_class(operation, method) {
            Some(class) => class,
            None => {
                return Err(Error::Spec(format!(
                    "{path}: {id}: x-iryo-retry must be `read` or `write`"
                )));
            }
        };
        // Named like progenitor's method, so a call site names both the same way.
        let ident = format_ident!("{}", screaming_snake(id).to_ascii_lowercase());
        let class = format_ident!("{}", class);
        let doc = format!(" `{id}` (`{}`).", method.to_ascii_uppercase());
        constants.push(quote! {
            #[doc = #doc]
            #[allow(non_upper_case_globals)]
            pub const #ident: ::iryo_runtime::__private::Operation = ::iryo_runtime::__private::Operation {
                api: #api,
                name: #id,
                retry: ::iryo_runtime::__private::RetryClass::#class,
            };
        });
    }
    Ok(quote! {
        ::iryo_runtime::generated_client!(super::Client);

        #(#constants)*
    })
}

/// `read`, `write`, or `None` for any other `x-iryo-retry` value.
fn retry_class(operation: &Value, method: &str) -> Option<&'static str> {
    match operation.get("x-iryo-retry") {
        None if matches!(method, "get" | "head" | "options") => Some("Read"),
        None => Some("Write"),
        Some(value) => match value.as_str()? {
            "read" => Some("Read"),
            "write" => Some("Write"),
            _ => None,
        },
    }
}

/// Every operation in spec order, with its method.
fn operations(doc: &Value) -> impl Iterator<Item = (&'static str, &Value)> {
    operations_with_paths(doc).map(|(method, operation, _)| (method, operation))
}

/// Every operation in spec order, with its method and path template.
pub(crate) fn operations_with_paths(
    doc: &Value,
) -> impl Iterator<Item = (&'static str, &Value, &str)> {
    doc.get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|paths| paths.iter())
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter_map(move |method| Some((*method, item.get(*method)?, path.as_str())))
        })
}

/// `pushEventGetV2` -> `PUSH_EVENT_GET_V2`.
pub(crate) fn screaming_snake(id: &str) -> String {
    let mut out = String::new();
    let mut previous_lower = false;
    for c in id.chars() {
        if c.is_ascii_uppercase() && previous_lower {
            out.push('_');
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(if c == '-' {
            '_'
        } else {
            c.to_ascii_uppercase()
        });
    }
    out
}

/// Removes every statement that adds progenitor's `api-version` header, and progenitor's
/// `Client::new`, which builds an HTTP client of its own (only the runtime builds them).
pub(crate) fn trim_progenitor_output(file: &mut syn::File) {
    for item in &mut file.items {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        block.items.retain(|member| {
            !matches!(member, syn::ImplItem::Fn(f) if f.sig.ident == "new"
                && quote!(#f).to_string().contains("ClientBuilder"))
        });
        let mut dropped = false;
        for member in &mut block.items {
            if let syn::ImplItem::Fn(function) = member {
                let before = function.block.stmts.len();
                function.block.stmts.retain(|statement| {
                    !quote!(#statement).to_string().contains("\"api-version\"")
                });
                dropped |= function.block.stmts.len() != before;
            }
        }
        // progenitor's `let mut header_map` may now be left unchanged.
        if dropped {
            block.attrs.push(syn::parse_quote!(#[allow(unused_mut)]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_ids_become_constant_names() {
        assert_eq!(screaming_snake("pushEventGetV2"), "PUSH_EVENT_GET_V2");
        assert_eq!(
            screaming_snake("listProviderPermissions"),
            "LIST_PROVIDER_PERMISSIONS"
        );
    }

    #[test]
    fn the_class_comes_from_the_extension_else_the_method() {
        let plain = serde_json::json!({});
        assert_eq!(retry_class(&plain, "get"), Some("Read"));
        assert_eq!(retry_class(&plain, "post"), Some("Write"));
        let read = serde_json::json!({"x-iryo-retry": "read"});
        assert_eq!(retry_class(&read, "post"), Some("Read"));
        let bad = serde_json::json!({"x-iryo-retry": "sometimes"});
        assert_eq!(retry_class(&bad, "get"), None);
    }
}
