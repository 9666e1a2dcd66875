//! Splits one generated syntax tree into small files: `types.rs` (progenitor's `mod types`),
//! `client.rs` (the rest), plus any extra modules, declared by a generated `mod.rs`.

use std::path::Path;

use quote::{format_ident, quote};

use crate::{Error, Rendered, format};

/// One generated module file.
pub(crate) struct Module {
    pub name: String,
    pub visibility: Visibility,
    pub file: syn::File,
    /// A header of its own, when the module comes from other inputs than the rest.
    pub header: Option<String>,
}

/// How `mod.rs` declares a module.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Visibility {
    /// `pub mod name;`
    Public,
    /// `mod name; pub use name::*;`
    Reexported,
    /// `mod name;`: trait impls only.
    Private,
}

/// `mod types { .. }` becomes its own file (its hand-written `Deserialize` impls go to
/// `deserialize.rs`, to keep files short); everything else goes to `client`.
pub(crate) fn split_progenitor_output(file: syn::File, dir: &Path) -> Result<Vec<Module>, Error> {
    // Allowed unused: an API without typed operations does not refer to its types.
    let mut client_items: Vec<syn::Item> = vec![syn::parse_quote!(
        #[allow(unused_imports)]
        use super::types;
    )];
    let mut types = None;
    let mut impls = Vec::new();
    for item in file.items {
        match item {
            syn::Item::Mod(module) if module.ident == "types" => {
                let (_, items) = module
                    .content
                    .ok_or_else(|| syn_error(dir, "mod types has no body"))?;
                let (file, deserialize) = crate::raw_json::rewrite(syn::File {
                    shebang: None,
                    attrs: vec![],
                    items,
                })?;
                types = Some(file);
                impls = deserialize;
            }
            other => client_items.push(other),
        }
    }
    let types = types.ok_or_else(|| syn_error(dir, "progenitor output has no mod types"))?;
    let mut modules = vec![
        Module {
            name: "types".to_owned(),
            visibility: Visibility::Public,
            file: types,
            header: None,
        },
        Module {
            name: "client".to_owned(),
            visibility: Visibility::Reexported,
            file: file_of(client_items),
            header: None,
        },
    ];
    if !impls.is_empty() {
        impls.insert(
            0,
            syn::parse_quote!(
                use super::types::*;
            ),
        );
        modules.push(Module {
            name: "deserialize".to_owned(),
            visibility: Visibility::Private,
            file: file_of(impls),
            header: None,
        });
    }
    Ok(modules)
}

fn file_of(items: Vec<syn::Item>) -> syn::File {
    syn::File {
        shebang: None,
        attrs: vec![],
        items,
    }
}

fn syn_error(dir: &Path, message: &str) -> Error {
    Error::Syntax {
        path: dir.to_owned(),
        message: message.to_owned(),
    }
}

/// Writes each module to `<dir>/<name>.rs` and a `mod.rs` that declares them; the private
/// `client` module is re-exported whole.
pub(crate) fn write_modules(
    dir: &Path,
    header: &str,
    modules: Vec<Module>,
    out: &mut Rendered,
) -> Result<(), Error> {
    let declarations = modules.iter().map(|m| {
        let ident = format_ident!("{}", m.name);
        match m.visibility {
            Visibility::Public => quote! { pub mod #ident; },
            Visibility::Reexported => quote! { mod #ident; pub use #ident::*; },
            Visibility::Private => quote! { mod #ident; },
        }
    });
    let mod_path = dir.join("mod.rs");
    let mod_file = format::tokens_to_file(&mod_path, quote! { #(#declarations)* })?;
    out.files
        .insert(mod_path, format::render_file(header, &mod_file));
    for module in modules {
        let path = dir.join(format!("{}.rs", module.name));
        let header = module.header.as_deref().unwrap_or(header);
        out.files
            .insert(path, format::render_file(header, &module.file));
    }
    Ok(())
}
