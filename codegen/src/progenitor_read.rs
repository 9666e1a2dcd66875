//! What the request types are read from: progenitor's output (its client methods' arguments and
//! answer types, and the answers made of an error variant and one result), and the `Answer` impl
//! rendered for each such answer.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

/// What progenitor wrote for one operation: its arguments and its answer and error types.
pub(crate) struct Method {
    pub args: Vec<(syn::Ident, syn::Type)>,
    pub answer: syn::Type,
    pub error: syn::Type,
}

/// A documented answer: an untagged enum of the error body and one result.
pub(crate) struct Answer {
    pub name: syn::Ident,
    pub ok_variant: syn::Ident,
    pub ok: TokenStream,
    pub error_variant: syn::Ident,
    pub error: TokenStream,
    /// Whether the result keeps the keys no schema lists (`extra`).
    pub has_extra: bool,
}

pub(crate) fn render_answer(answer: &Answer, answer_trait: &syn::Path) -> TokenStream {
    let Answer {
        name,
        ok_variant,
        ok,
        error_variant,
        error,
        ..
    } = answer;
    let extra = match answer.has_extra {
        true => quote!(Some(&ok.extra)),
        false => quote!(None),
    };
    quote! {
        impl #answer_trait for types::#name {
            type Ok = #ok;
            fn into_result(self) -> Result<#ok, #error> {
                match self {
                    Self::#ok_variant(ok) => Ok(ok),
                    Self::#error_variant(error) => Err(error),
                }
            }
            fn unknown_fields(&self) -> Option<&::iryo_runtime::UnknownFields> {
                match self {
                    #[allow(unused_variables)]
                    Self::#ok_variant(ok) => #extra,
                    Self::#error_variant(_) => None,
                }
            }
        }
    }
}

/// progenitor's client methods by name.
pub(crate) fn methods(file: &syn::File) -> BTreeMap<String, Method> {
    let mut out = BTreeMap::new();
    for item in &file.items {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        let ty = &block.self_ty;
        if block.trait_.is_some() || quote!(#ty).to_string() != "Client" {
            continue;
        }
        for member in &block.items {
            let syn::ImplItem::Fn(function) = member else {
                continue;
            };
            if let Some(method) = method(&function.sig) {
                out.insert(function.sig.ident.to_string(), method);
            }
        }
    }
    out
}

fn method(sig: &syn::Signature) -> Option<Method> {
    let args = sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            syn::FnArg::Typed(typed) => match &*typed.pat {
                syn::Pat::Ident(ident) => Some((ident.ident.clone(), (*typed.ty).clone())),
                _ => None,
            },
            syn::FnArg::Receiver(_) => None,
        })
        .collect();
    let syn::ReturnType::Type(_, result) = &sig.output else {
        return None;
    };
    let [value, error] = generic_args(result)?.try_into().ok()?;
    let [answer] = generic_args(&value)?.try_into().ok()?;
    let [error] = generic_args(&error)?.try_into().ok()?;
    Some(Method {
        args,
        answer,
        error,
    })
}

/// The arguments and types of a method, as text.
pub(crate) fn signature(method: &Method) -> String {
    let args = method.args.iter().map(|(arg, ty)| quote!(#arg: #ty,));
    let (answer, error) = (&method.answer, &method.error);
    quote!(#(#args)* #answer #error).to_string()
}

/// `A<B, C>` -> `[B, C]`.
fn generic_args(ty: &syn::Type) -> Option<Vec<syn::Type>> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let syn::PathArguments::AngleBracketed(args) = &path.path.segments.last()?.arguments else {
        return None;
    };
    let types = args.args.iter().filter_map(|arg| match arg {
        syn::GenericArgument::Type(ty) => Some(ty.clone()),
        _ => None,
    });
    Some(types.collect())
}

/// `types::PermissionGroupAnswer` -> `PermissionGroupAnswer`.
pub(crate) fn type_name(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(path) => path
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// The untagged enums of progenitor's `mod types` made of `error_variant` and one result.
pub(crate) fn answers(file: &syn::File, error_variant: &str) -> BTreeMap<String, Answer> {
    let items = file.items.iter().find_map(|item| match item {
        syn::Item::Mod(module) if module.ident == "types" => module.content.as_ref(),
        _ => None,
    });
    let items = items.map(|(_, items)| items.as_slice()).unwrap_or_default();
    let with_extra: Vec<String> = items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s)
                if s.fields
                    .iter()
                    .any(|f| f.ident.as_ref().is_some_and(|i| i == "extra")) =>
            {
                Some(s.ident.to_string())
            }
            _ => None,
        })
        .collect();
    let mut out = BTreeMap::new();
    for item in items {
        let syn::Item::Enum(e) = item else {
            continue;
        };
        let single = |v: &syn::Variant| match &v.fields {
            syn::Fields::Unnamed(f) if f.unnamed.len() == 1 => {
                Some((v.ident.clone(), f.unnamed[0].ty.clone()))
            }
            _ => None,
        };
        let variants: Vec<_> = e.variants.iter().filter_map(single).collect();
        let (errors, oks): (Vec<_>, Vec<_>) = variants
            .into_iter()
            .partition(|(_, ty)| type_name(ty) == error_variant);
        let ([(error_variant, error)], [(ok_variant, ok)]) = (errors.as_slice(), oks.as_slice())
        else {
            continue;
        };
        if e.variants.len() != 2 {
            continue;
        }
        out.insert(
            e.ident.to_string(),
            Answer {
                name: e.ident.clone(),
                ok_variant: ok_variant.clone(),
                has_extra: with_extra.contains(&type_name(ok)) && generic_args(ok).is_none(),
                ok: quote!(#ok),
                error_variant: error_variant.clone(),
                error: quote!(#error),
            },
        );
    }
    out
}
