//! One request type per operation (as async-stripe renders a request struct per operation): its
//! path, query and body fields, its answer type and its operation (with the retry class), behind
//! the runtime's `Request` trait, and a `send` that goes through the client's one call path.
//! Provider/participant twins (`x-iryo-twin`) become one type with a `side` field. The fields are
//! the arguments of progenitor's method, read from its output, so both always agree.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde::Deserialize;

use crate::op_model::{self, Op};
use crate::progenitor_read::{Method, answers, methods, render_answer, signature, type_name};
use crate::spec_config::RustConfig;
use crate::{Error, Rendered, format, split};

/// `requests:` in `rust.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RequestsConfig {
    /// The enum whose variants name a twin's side (the path's first segment, capitalised).
    pub side: String,
    /// The client crate's trait for a documented answer (its result, or its error variant).
    pub answer: String,
    /// The variant of an answer that is the API's error body.
    pub error_variant: String,
    /// The folder (under `crates/`) of the mock's generated routes, when the API has a mock.
    #[serde(default)]
    pub mock: Option<String>,
}

/// The `requests` module of an API with `requests:` in its `rust.yaml`, and its mock's routes
/// (written to `out` with `head`).
pub(crate) fn hook(
    doc: &serde_json::Value,
    progenitor: &syn::File,
    config: &RustConfig,
    path: &str,
    head: &str,
    out: &mut Rendered,
) -> Result<Option<split::Module>, Error> {
    let Some(settings) = &config.requests else {
        return Ok(None);
    };
    let ops = op_model::read(doc, path)?;
    if let Some(mock) = &settings.mock {
        crate::mock_routes::render(&ops, mock, head, out)?;
    }
    let dir = RustConfig::generated_dir(&config.krate);
    let tokens = render(&ops, progenitor, settings, path)?;
    Ok(Some(split::Module {
        name: "requests".to_owned(),
        visibility: split::Visibility::Public,
        file: format::tokens_to_file(&dir.join("requests.rs"), tokens)?,
        header: None,
    }))
}

/// The `requests` module.
pub(crate) fn render(
    ops: &[Op],
    progenitor: &syn::File,
    config: &RequestsConfig,
    path: &str,
) -> Result<TokenStream, Error> {
    let methods = methods(progenitor);
    let answers = answers(progenitor, &config.error_variant);
    let answer_trait = parse_path(&config.answer, path)?;
    let side: syn::Path = parse_path(&config.side, path)?;
    let mut items = Vec::new();
    for group in twin_groups(ops, path)? {
        let first = group[0];
        let method = methods
            .get(&first.snake())
            .ok_or_else(|| spec(path, &first.id, "progenitor wrote no method for it"))?;
        for other in &group[1..] {
            let same = methods
                .get(&other.snake())
                .is_some_and(|m| signature(m) == signature(method));
            if !same || other.effect != first.effect {
                return Err(spec(path, &other.id, "differs from its twin"));
            }
        }
        let answer = answers.get(&type_name(&method.answer)).ok_or_else(|| {
            spec(
                path,
                &first.id,
                "its answer has no error variant and one result",
            )
        })?;
        items.push(render_request(&group, method, &answer.ok, &side, path)?);
    }
    let impls = answers.values().map(|a| render_answer(a, &answer_trait));
    Ok(quote! {
        #![allow(clippy::needless_lifetimes)]
        #[allow(unused_imports)]
        use super::types::{self, *};

        #(#items)*
        #(#impls)*
    })
}

/// Each operation alone, or a twin pair (the operation that names its twin first).
fn twin_groups<'a>(ops: &'a [Op], path: &str) -> Result<Vec<Vec<&'a Op>>, Error> {
    let twins: Vec<&str> = ops.iter().filter_map(|op| op.twin.as_deref()).collect();
    let mut groups = Vec::new();
    for op in ops.iter().filter(|op| !twins.contains(&op.id.as_str())) {
        let mut group = vec![op];
        if let Some(twin) = &op.twin {
            let other = ops
                .iter()
                .find(|o| &o.id == twin)
                .ok_or_else(|| spec(path, &op.id, "x-iryo-twin names no operation"))?;
            if other.side() == op.side() || other.twin.is_some() {
                return Err(spec(path, &op.id, "a twin acts for the other side"));
            }
            group.push(other);
        }
        groups.push(group);
    }
    Ok(groups)
}

fn render_request(
    group: &[&Op],
    method: &Method,
    ok: &TokenStream,
    side: &syn::Path,
    path: &str,
) -> Result<TokenStream, Error> {
    let first = group[0];
    let name = match group {
        [_, twin] => op_model::twin_name(&first.id, &twin.id)
            .ok_or_else(|| spec(path, &first.id, "twin ids differ by more than one word"))?,
        _ => op_model::upper_camel(&first.id),
    };
    let ident = format_ident!("{}", name);
    let borrows = method
        .args
        .iter()
        .any(|(_, ty)| quote!(#ty).to_string().contains("'a"));
    let lifetime = borrows.then(|| quote!(<'a>));
    let mut fields = Vec::new();
    let mut segments = Vec::new();
    for (arg, ty) in &method.args {
        let param = first
            .params
            .iter()
            .find(|p| *arg == crate::operations::screaming_snake(&p.name).to_ascii_lowercase());
        let doc = match param {
            Some(p) => format!(
                " `{}` ({}): {}",
                p.name,
                p.location,
                one_line(p.description.as_deref())
            ),
            None => " The request body.".to_owned(),
        };
        fields.push(quote! { #[doc = #doc] pub #arg: #ty, });
        let is_str = quote!(#ty).to_string().replace(' ', "") == "&'astr";
        if let Some(p) = param.filter(|p| p.location == "path" && is_str) {
            let error_name = &p.error_name;
            segments.push(quote! { (#error_name, self.#arg) });
        }
    }
    let args: Vec<_> = method
        .args
        .iter()
        .map(|(arg, _)| quote!(self.#arg))
        .collect();
    let call = |op: &Op| {
        let m = format_ident!("{}", op.snake());
        quote! { raw.#m(#(#args),*).await }
    };
    let constant = |op: &Op| {
        let c = format_ident!("{}", op.snake());
        quote! { &super::operations::#c }
    };
    let (side_field, operation, send) = match group {
        [_, twin] => {
            let (a, b) = (
                format_ident!("{}", first.side()),
                format_ident!("{}", twin.side()),
            );
            let (ca, cb) = (constant(first), constant(twin));
            let (sa, sb) = (call(first), call(twin));
            (
                quote! { #[doc = " Which side the call is for."] pub side: #side, },
                quote! { match self.side { #side::#a => #ca, #side::#b => #cb } },
                quote! { match self.side { #side::#a => #sa, #side::#b => #sb } },
            )
        }
        _ => (quote!(), constant(first), call(first)),
    };
    let effect = match &first.effect {
        Some(effect) => quote!(Some(#effect)),
        None => quote!(None),
    };
    let (answer, error) = (&method.answer, &method.error);
    let ids: Vec<String> = group.iter().map(|op| format!("`{}`", op.id)).collect();
    let doc = format!(
        " {} ({} `{}`): {}.",
        ids.join(" / "),
        first.method.to_ascii_uppercase(),
        first.path,
        one_line(first.summary.as_deref())
    );
    Ok(quote! {
        #[doc = #doc]
        #[derive(Clone, Copy, Debug)]
        pub struct #ident #lifetime {
            #side_field
            #(#fields)*
        }

        impl #lifetime ::iryo_runtime::__private::Request for #ident #lifetime {
            type Client = super::Client;
            type Answer = #answer;
            type ErrorBody = #error;
            fn operation(&self) -> &'static ::iryo_runtime::__private::Operation {
                #operation
            }
            fn effect(&self) -> Option<&'static str> {
                #effect
            }
            fn path_segments(&self) -> Vec<(&'static str, &str)> {
                vec![#(#segments),*]
            }
            fn send_once(
                &self,
                raw: super::Client,
            ) -> impl ::std::future::Future<
                Output = Result<
                    progenitor_client::ResponseValue<#answer>,
                    progenitor_client::Error<#error>,
                >,
            > + Send {
                async move { #send }
            }
        }

        impl #lifetime #ident #lifetime {
            /// Sends it through the client's call path (retried by the operation's class).
            pub async fn send(&self, client: &crate::Client) -> Result<#ok, crate::Error> {
                client.send(self).await
            }
        }
    })
}

/// A description on one line, for a one-line doc comment.
fn one_line(text: Option<&str>) -> String {
    let words: Vec<&str> = text.unwrap_or("").split_whitespace().collect();
    words.join(" ")
}

fn parse_path(text: &str, path: &str) -> Result<syn::Path, Error> {
    syn::parse_str(text).map_err(|e| Error::Spec(format!("{path}: `{text}` is not a path: {e}")))
}

fn spec(path: &str, id: &str, what: &str) -> Error {
    Error::Spec(format!("{path}: {id}: {what}"))
}
