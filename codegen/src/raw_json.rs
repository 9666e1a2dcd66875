//! Open JSON without amplification: progenitor's `serde_json::Value` and flattened
//! `serde_json::Map` become `iryo_runtime::RawJson` and `iryo_runtime::UnknownFields` (kept as
//! text), and the `Deserialize` of structs with unknown keys and of untagged enums is written
//! here instead of derived (serde's derive buffers such values in memory first, about 100 times
//! their size).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::Error;

/// Rewrites progenitor's `mod types`; returns it and the `Deserialize` impls written here.
pub(crate) fn rewrite(file: syn::File) -> Result<(syn::File, Vec<syn::Item>), Error> {
    let text = quote!(#file)
        .to_string()
        .replace(
            ":: serde_json :: Map < :: std :: string :: String , :: serde_json :: Value >",
            ":: iryo_runtime :: UnknownFields",
        )
        .replace(":: serde_json :: Value", ":: iryo_runtime :: RawJson");
    let mut file: syn::File = syn::parse_str(&text).map_err(syntax)?;
    let mut impls = Vec::new();
    for item in &mut file.items {
        match item {
            syn::Item::Struct(item) if has_flatten(item) => {
                drop_derived_deserialize(&mut item.attrs);
                impls.push(struct_deserialize(item)?);
            }
            syn::Item::Enum(item) if has_serde_word(&item.attrs, "untagged") => {
                drop_derived_deserialize(&mut item.attrs);
                impls.push(untagged_deserialize(item)?);
            }
            _ => {}
        }
    }
    let impls = impls
        .into_iter()
        .map(|tokens| syn::parse2(tokens).map_err(syntax))
        .collect::<Result<_, _>>()?;
    Ok((file, impls))
}

fn syntax(e: syn::Error) -> Error {
    Error::Syntax {
        path: "types.rs".into(),
        message: e.to_string(),
    }
}

fn serde_args(attrs: &[syn::Attribute]) -> Vec<String> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("serde"))
        .filter_map(|a| a.meta.require_list().ok())
        .map(|list| list.tokens.to_string())
        .collect()
}

fn has_serde_word(attrs: &[syn::Attribute], word: &str) -> bool {
    serde_args(attrs)
        .iter()
        .any(|args| args.split(',').any(|part| part.trim() == word))
}

fn has_flatten(item: &syn::ItemStruct) -> bool {
    item.fields
        .iter()
        .any(|f| has_serde_word(&f.attrs, "flatten"))
}

/// `#[derive(::serde::Deserialize, ...)]` loses its `Deserialize`.
fn drop_derived_deserialize(attrs: &mut [syn::Attribute]) {
    for attr in attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
        let Ok(list) = attr.meta.require_list() else {
            continue;
        };
        let kept: Vec<String> = list
            .tokens
            .to_string()
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.ends_with("Deserialize"))
            .collect();
        let kept: TokenStream = kept.join(", ").parse().unwrap_or_default();
        *attr = syn::parse_quote!(#[derive(#kept)]);
    }
}

/// The JSON name of a field: its `rename`, else its identifier.
pub(crate) fn json_name(field: &syn::Field, ident: &syn::Ident) -> String {
    for args in serde_args(&field.attrs) {
        if let Some(rest) = args.split("rename =").nth(1)
            && let Some(name) = rest.split('"').nth(1)
        {
            return name.to_owned();
        }
    }
    ident.to_string()
}

fn struct_deserialize(item: &syn::ItemStruct) -> Result<TokenStream, Error> {
    let name = &item.ident;
    let expecting = format!("struct {name}");
    let mut slots = Vec::new();
    let mut arms = Vec::new();
    let mut builds = Vec::new();
    let mut extra = None;
    for field in &item.fields {
        let ident = field.ident.clone().ok_or_else(|| {
            Error::Spec(format!(
                "{name}: a struct with unknown keys needs named fields"
            ))
        })?;
        if has_serde_word(&field.attrs, "flatten") {
            extra = Some(ident);
            continue;
        }
        let ty = &field.ty;
        let slot = format_ident!("__{}", ident);
        let key = json_name(field, &ident);
        let is_option = quote!(#ty)
            .to_string()
            .starts_with(":: std :: option :: Option");
        let missing = if is_option || has_serde_word(&field.attrs, "default") {
            quote!(::std::default::Default::default())
        } else {
            quote!(return Err(::serde::de::Error::missing_field(#key)))
        };
        slots.push(quote!(let mut #slot: ::std::option::Option<#ty> = None;));
        arms.push(quote! {
            #key => {
                if #slot.is_some() {
                    return Err(::serde::de::Error::duplicate_field(#key));
                }
                #slot = Some(map.next_value()?);
            }
        });
        builds.push(quote!(#ident: match #slot { Some(value) => value, None => #missing },));
    }
    let extra = extra.ok_or_else(|| Error::Spec(format!("{name}: no flattened field")))?;
    Ok(quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: ::serde::Deserializer<'de>,
            {
                struct Fields;
                impl<'de> ::serde::de::Visitor<'de> for Fields {
                    type Value = #name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(#expecting)
                    }
                    fn visit_map<A>(self, mut map: A) -> ::std::result::Result<#name, A::Error>
                    where
                        A: ::serde::de::MapAccess<'de>,
                    {
                        #(#slots)*
                        let mut #extra = ::iryo_runtime::UnknownFields::new();
                        while let Some(key) = map.next_key::<::std::borrow::Cow<'de, str>>()? {
                            match &*key {
                                #(#arms)*
                                other => map.next_value_seed(#extra.member(other))?,
                            }
                        }
                        Ok(#name { #(#builds)* #extra })
                    }
                }
                deserializer.deserialize_map(Fields)
            }
        }
    })
}

fn untagged_deserialize(item: &syn::ItemEnum) -> Result<TokenStream, Error> {
    let name = &item.ident;
    let label = name.to_string();
    let mut attempts = Vec::new();
    for variant in &item.variants {
        let syn::Fields::Unnamed(fields) = &variant.fields else {
            return Err(Error::Spec(format!(
                "{name}::{}: untagged variants must wrap one type",
                variant.ident
            )));
        };
        if fields.unnamed.len() != 1 {
            return Err(Error::Spec(format!("{name}::{}: one type", variant.ident)));
        }
        let ident = &variant.ident;
        let label = ident.to_string();
        attempts.push(quote!((#label, |raw| ::serde_json::from_str(raw).map(#name::#ident)),));
    }
    Ok(quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: ::serde::Deserializer<'de>,
            {
                ::iryo_runtime::__private::untagged(deserializer, #label, &[#(#attempts)*])
            }
        }
    })
}
