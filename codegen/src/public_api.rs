//! A listing of a crate's hand-written public surface, on stable Rust (cargo public-api and
//! rustdoc JSON need nightly): every `pub` item of every hand-written file under `src/`, one
//! line each, with its signature: functions and methods (with the type they belong to), structs
//! with their `pub` fields, enums with their variants, traits, type aliases, constants, modules
//! and `pub use` re-exports (as written: what `generated` re-exports is its spec's business).
//! Left out: `pub(crate)` and narrower, `#[doc(hidden)]`, `#[cfg(test)]`, `src/generated/`, the
//! items re-exported only through a `#[doc(hidden)]` module (`iryo_runtime::__private`: the
//! plumbing of the client crates) and the files of a `#[doc(hidden)]` module (`iryo_hiyari::xml`),
//! with their impls, unless a shown `pub use` re-exports them; trait impls of private types.

use std::collections::BTreeSet;
use std::path::Path;

use quote::ToTokens;

use crate::Error;

mod hidden;
use hidden::{hidden_files, hidden_names, last_name};

/// The listing of the crate at `crate_dir`, sorted by file and then in file order.
pub fn list(crate_dir: &Path) -> Result<String, Error> {
    let mut files = Vec::new();
    collect(&crate_dir.join("src"), &mut files)?;
    files.sort();
    let mut parsed = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let file = syn::parse_file(&text).map_err(|e| Error::Syntax {
            path: path.clone(),
            message: e.to_string(),
        })?;
        parsed.push((path, file));
    }
    let hidden_files = hidden_files(&parsed);
    let (hidden, hidden_in_files) = hidden_names(&parsed, &hidden_files);
    let mut out = String::new();
    for (path, file) in parsed {
        let relative = path.strip_prefix(crate_dir).unwrap_or(&path);
        let name = relative.to_string_lossy().replace('\\', "/");
        let mut lines = Vec::new();
        if hidden_files.contains(&path) {
            items(&file.items, &hidden_in_files, &mut lines);
            lines.retain(|line| !line.starts_with("use "));
        } else {
            items(&file.items, &hidden, &mut lines);
        }
        for line in lines {
            out.push_str(&format!("{name}: {line}\n"));
        }
    }
    Ok(out)
}

fn collect(dir: &Path, files: &mut Vec<std::path::PathBuf>) -> Result<(), Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if entry.file_name() != "generated" {
                collect(&path, files)?;
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    Ok(())
}

fn is_public(vis: &syn::Visibility) -> bool {
    matches!(vis, syn::Visibility::Public(_))
}

/// `#[doc(hidden)]` or `#[cfg(test)]`.
fn is_left_out(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        let text = attr.to_token_stream().to_string();
        text.contains("doc (hidden)") || text.contains("cfg (test)")
    })
}

fn flat(tokens: impl ToTokens) -> String {
    tokens.to_token_stream().to_string()
}

/// `name: Type` or `Type`, without attributes.
fn field(f: &syn::Field) -> String {
    match &f.ident {
        Some(name) => format!("{name}: {}", flat(&f.ty)),
        None => flat(&f.ty),
    }
}

fn items(list: &[syn::Item], hidden: &BTreeSet<String>, out: &mut Vec<String>) {
    let plumbing = |ident: &syn::Ident| hidden.contains(&ident.to_string());
    for item in list {
        match item {
            syn::Item::Fn(f)
                if is_public(&f.vis) && !is_left_out(&f.attrs) && !plumbing(&f.sig.ident) =>
            {
                out.push(flat(&f.sig));
            }
            syn::Item::Struct(s)
                if is_public(&s.vis) && !is_left_out(&s.attrs) && !plumbing(&s.ident) =>
            {
                let public = s.fields.iter().filter(|f| is_public(&f.vis));
                let fields: Vec<String> = public.map(field).collect();
                out.push(format!(
                    "struct {}{} {{ {} }}",
                    s.ident,
                    flat(&s.generics),
                    fields.join(", ")
                ));
            }
            syn::Item::Enum(e)
                if is_public(&e.vis) && !is_left_out(&e.attrs) && !plumbing(&e.ident) =>
            {
                let variants: Vec<String> = e
                    .variants
                    .iter()
                    .map(|v| match &v.fields {
                        syn::Fields::Named(named) => {
                            let fields: Vec<String> = named.named.iter().map(field).collect();
                            format!("{} {{ {} }}", v.ident, fields.join(", "))
                        }
                        syn::Fields::Unnamed(unnamed) => {
                            let fields: Vec<String> = unnamed.unnamed.iter().map(field).collect();
                            format!("{}({})", v.ident, fields.join(", "))
                        }
                        syn::Fields::Unit => v.ident.to_string(),
                    })
                    .collect();
                out.push(format!("enum {} {{ {} }}", e.ident, variants.join(", ")));
            }
            syn::Item::Trait(t)
                if is_public(&t.vis) && !is_left_out(&t.attrs) && !plumbing(&t.ident) =>
            {
                out.push(format!("trait {}{}", t.ident, flat(&t.generics)));
                for member in &t.items {
                    if let syn::TraitItem::Fn(f) = member {
                        out.push(format!("trait {} {}", t.ident, flat(&f.sig)));
                    }
                }
            }
            syn::Item::Type(t)
                if is_public(&t.vis) && !is_left_out(&t.attrs) && !plumbing(&t.ident) =>
            {
                out.push(format!("type {} = {}", t.ident, flat(&t.ty)));
            }
            syn::Item::Const(c)
                if is_public(&c.vis) && !is_left_out(&c.attrs) && !plumbing(&c.ident) =>
            {
                out.push(format!("const {}: {}", c.ident, flat(&c.ty)));
            }
            syn::Item::Use(u) if is_public(&u.vis) && !is_left_out(&u.attrs) => {
                out.push(format!("use {}", flat(&u.tree)));
            }
            syn::Item::Mod(m) if !is_left_out(&m.attrs) && m.ident != "generated" => {
                if is_public(&m.vis) {
                    out.push(format!("mod {}", m.ident));
                }
                if let Some((_, inner)) = &m.content {
                    items(inner, hidden, out);
                }
            }
            syn::Item::Impl(block) if !is_left_out(&block.attrs) => {
                let owner = flat(&block.self_ty);
                let of_trait = block.trait_.as_ref().map(|(_, path, _)| flat(path));
                let names = [Some(owner.as_str()), of_trait.as_deref()];
                if names
                    .into_iter()
                    .flatten()
                    .any(|n| hidden.contains(last_name(n)))
                {
                    continue;
                }
                if let Some(of_trait) = &of_trait {
                    out.push(format!("impl {of_trait} for {owner}"));
                    continue;
                }
                for member in &block.items {
                    match member {
                        syn::ImplItem::Fn(f) if is_public(&f.vis) && !is_left_out(&f.attrs) => {
                            out.push(format!("impl {owner} {}", flat(&f.sig)));
                        }
                        // Methods written once elsewhere (`config_methods!`).
                        syn::ImplItem::Macro(m) => {
                            out.push(format!("impl {owner} macro {}", flat(&m.mac.path)));
                            // `setters!`: each setter's signature, as the listing shows a fn.
                            for setter in setter_signatures(m.mac.tokens.clone()) {
                                out.push(format!("impl {owner} {setter}"));
                            }
                        }
                        _ => {}
                    }
                }
            }
            syn::Item::Macro(m)
                if m.attrs.iter().any(|a| flat(a).contains("macro_export"))
                    && !is_left_out(&m.attrs) =>
            {
                let name = m
                    .ident
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                out.push(format!("macro {name}!"));
            }
            // A type declared through a runtime macro (`client_error!`): the macro, and the
            // item the caller wrote in it (the macro adds the runtime's shared variants).
            syn::Item::Macro(m) if m.ident.is_none() && !is_left_out(&m.attrs) => {
                let path = flat(&m.mac.path);
                if let Some(declared) = declared_item(m.mac.tokens.clone()) {
                    out.push(format!("macro {path}!"));
                    items(&[declared], hidden, out);
                } else if path.starts_with("iryo_runtime") {
                    // An impl written by the runtime (`deserialize_by_parse!(Type)`).
                    out.push(format!("macro {path}!({})", flat(&m.mac.tokens)));
                }
            }
            _ => {}
        }
    }
}

/// The `pub ...` item inside a macro call's tokens, if they end with one.
fn declared_item(tokens: proc_macro2::TokenStream) -> Option<syn::Item> {
    let trees: Vec<proc_macro2::TokenTree> = tokens.into_iter().collect();
    let start = trees
        .iter()
        .position(|t| matches!(t, proc_macro2::TokenTree::Ident(i) if i == "pub"))?;
    syn::parse2(trees[start..].iter().cloned().collect()).ok()
}

/// The setters of a `setters!` call (`name(arg: Type) => ...;`, docs left out) as signatures.
fn setter_signatures(tokens: proc_macro2::TokenStream) -> Vec<String> {
    use proc_macro2::{Delimiter, TokenTree};
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::new();
    for pair in trees.windows(3) {
        if let [
            TokenTree::Ident(name),
            TokenTree::Group(args),
            TokenTree::Punct(arrow),
        ] = pair
            && args.delimiter() == Delimiter::Parenthesis
            && arrow.as_char() == '='
        {
            out.push(format!(
                "fn {name} (mut self , {}) -> Self",
                flat(args.stream())
            ));
        }
    }
    out
}
