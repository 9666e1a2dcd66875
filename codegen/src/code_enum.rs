//! Code-table enums: one enum per table, in the shape described in STYLE.md §5.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use crate::code_table::{CodeTable, Entry, TableKind, WireType};
use crate::header::{self, Input};
use crate::spec_config::RustConfig;
use crate::{Error, Rendered, format};

/// Renders `crates/<codes_crate>/src/generated/`: one module per table, the shared `UnknownCode`,
/// and a `mod.rs` that declares and re-exports them.
pub(crate) fn render_crate(
    api: &str,
    config: &RustConfig,
    tables: &[&CodeTable],
    out: &mut Rendered,
) -> Result<(), Error> {
    if tables.is_empty() {
        // No tables, no codes crate: nothing to own.
        return Ok(());
    }
    let dir = RustConfig::generated_dir(&config.codes_crate);
    for table in tables {
        let path = dir.join(format!("{}.rs", module_name(&table.table)));
        let file = format::tokens_to_file(&path, render_code_enum(table)?)?;
        let head = header::render(
            api,
            &[Input {
                path: &table.path,
                bytes: &table.raw,
            }],
        );
        out.files.insert(path, format::render_file(&head, &file));
    }
    let unknown_path = dir.join("unknown_code.rs");
    let unknown = format::tokens_to_file(&unknown_path, render_unknown_code())?;
    let tables_inputs: Vec<Input<'_>> = tables
        .iter()
        .map(|t| Input {
            path: &t.path,
            bytes: &t.raw,
        })
        .collect();
    let head = header::render(api, &tables_inputs);
    out.files
        .insert(unknown_path, format::render_file(&head, &unknown));
    let mod_path = dir.join("mod.rs");
    let module = format::tokens_to_file(&mod_path, render_mod(tables))?;
    out.files
        .insert(mod_path, format::render_file(&head, &module));
    out.owned_dirs.insert(dir);
    Ok(())
}

pub(crate) fn module_name(table: &str) -> String {
    table.replace('-', "_")
}

fn render_mod(tables: &[&CodeTable]) -> TokenStream {
    let mods = tables.iter().map(|t| {
        let module = format_ident!("{}", module_name(&t.table));
        let ty = format_ident!("{}", t.rust.type_name);
        quote! {
            mod #module;
            pub use #module::#ty;
        }
    });
    let arms = tables.iter().map(|t| {
        let name = Literal::string(&t.table);
        let ty = format_ident!("{}", t.rust.type_name);
        quote! { #name => #ty::from_known_code(code)?.label(), }
    });
    quote! {
        mod unknown_code;
        pub use unknown_code::UnknownCode;
        #(#mods)*

        /// The label of `code` in the table named `table` (its name in `specs/codes/`, such as a row's
        /// `values` column names it), or `None` for a table or code not listed.
        pub fn label_in(table: &str, code: &str) -> Option<&'static str> {
            match table {
                #(#arms)*
                _ => None,
            }
        }
    }
}

fn render_unknown_code() -> TokenStream {
    quote! {
        /// A code that its table does not list, kept exactly as received.
        ///
        /// Only parsing creates one, so an `Unknown` never holds a listed code.
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct UnknownCode(String);

        impl UnknownCode {
            pub(crate) fn new(code: &str) -> Self {
                UnknownCode(code.to_owned())
            }

            /// The code as received.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl ::std::fmt::Display for UnknownCode {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    }
}

/// One enum with its `code`, `label`, `labels`, parsing, `Display` and serde impls, plus
/// `parents()` for tree tables and one accessor per extra column.
pub(crate) fn render_code_enum(table: &CodeTable) -> Result<TokenStream, Error> {
    let entries = table
        .entries()
        .map_err(|message| Error::Spec(format!("{}: {message}", table.path)))?;
    let ty = format_ident!("{}", table.rust.type_name);
    let variants: Vec<_> = entries.iter().map(|e| format_ident!("{}", e.id)).collect();
    let codes: Vec<_> = entries.iter().map(|e| Literal::string(&e.code)).collect();
    let labels: Vec<_> = entries
        .iter()
        .map(|e| Literal::string(&e.labels[0]))
        .collect();
    let all_labels: Vec<_> = entries
        .iter()
        .map(|e| {
            let all = e.labels.iter().map(|l| Literal::string(l));
            quote! { &[#(#all),*] }
        })
        .collect();
    let variant_docs: Vec<_> = entries
        .iter()
        .map(|e| format!(" `{}`: {}", e.code, e.labels.join(" / ")))
        .collect();
    let extras = render_extra_accessors(table, &ty, &variants, &entries);
    let enum_doc = format!(
        " {}\n\n {}\n\n Table `{}`.",
        table.title, table.description, table.table
    );
    let serde_impls = match table.wire {
        WireType::String => render_string_serde(&ty),
        WireType::Integer => render_integer_serde(&ty),
    };
    Ok(quote! {
        use super::UnknownCode;

        #[doc = #enum_doc]
        #[non_exhaustive]
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum #ty {
            #(
                #[doc = #variant_docs]
                #variants,
            )*
            /// A code this table does not list, kept exactly as received.
            Unknown(UnknownCode),
        }

        impl #ty {
            /// Every listed code, in table order.
            pub const KNOWN: &'static [#ty] = &[#(#ty::#variants),*];

            /// The code as it travels on the wire.
            pub fn code(&self) -> &str {
                match self {
                    #(#ty::#variants => #codes,)*
                    #ty::Unknown(code) => code.as_str(),
                }
            }

            /// Same as [`code`](Self::code).
            pub fn as_str(&self) -> &str {
                self.code()
            }

            /// The Japanese label of a listed code; `None` for an unknown one.
            pub fn label(&self) -> Option<&'static str> {
                match self {
                    #(#ty::#variants => Some(#labels),)*
                    #ty::Unknown(_) => None,
                }
            }

            /// Every label the document gives for this code (some codes have several); empty when unknown.
            pub fn labels(&self) -> &'static [&'static str] {
                match self {
                    #(#ty::#variants => #all_labels,)*
                    #ty::Unknown(_) => &[],
                }
            }

            /// The listed variant for `code`, or `None`: for input that must be one of the table's codes.
            pub fn from_known_code(code: &str) -> Option<Self> {
                match code {
                    #(#codes => Some(#ty::#variants),)*
                    _ => None,
                }
            }

            /// Whether this is a listed code.
            pub fn is_known(&self) -> bool {
                !matches!(self, #ty::Unknown(_))
            }

            #extras
        }

        impl ::std::str::FromStr for #ty {
            type Err = ::std::convert::Infallible;

            /// Never fails: an unlisted code becomes `Unknown`, kept as received.
            fn from_str(code: &str) -> Result<Self, Self::Err> {
                Ok(Self::from_known_code(code).unwrap_or_else(|| #ty::Unknown(UnknownCode::new(code))))
            }
        }

        impl From<&str> for #ty {
            fn from(code: &str) -> Self {
                Self::from_known_code(code).unwrap_or_else(|| #ty::Unknown(UnknownCode::new(code)))
            }
        }

        impl ::std::fmt::Display for #ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.code())
            }
        }

        #serde_impls
    })
}

/// Codes travel as JSON strings.
fn render_string_serde(ty: &proc_macro2::Ident) -> TokenStream {
    quote! {
        impl ::serde::Serialize for #ty {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.code())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let code = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(#ty::from(code.as_ref()))
            }
        }
    }
}

/// Codes travel as JSON integers; a string holding the code is accepted too.
fn render_integer_serde(ty: &proc_macro2::Ident) -> TokenStream {
    quote! {
        impl ::serde::Serialize for #ty {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self.code().parse::<i64>() {
                    Ok(number) => serializer.serialize_i64(number),
                    Err(_) => serializer.serialize_str(self.code()),
                }
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct CodeVisitor;

                impl<'de> ::serde::de::Visitor<'de> for CodeVisitor {
                    type Value = #ty;

                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str("an integer code")
                    }

                    fn visit_i64<E: ::serde::de::Error>(self, value: i64) -> Result<#ty, E> {
                        Ok(#ty::from(value.to_string().as_str()))
                    }

                    fn visit_u64<E: ::serde::de::Error>(self, value: u64) -> Result<#ty, E> {
                        Ok(#ty::from(value.to_string().as_str()))
                    }

                    fn visit_str<E: ::serde::de::Error>(self, value: &str) -> Result<#ty, E> {
                        Ok(#ty::from(value))
                    }
                }

                deserializer.deserialize_any(CodeVisitor)
            }
        }
    }
}

/// `parents()` for tree tables; `<column>()` for each extra column.
fn render_extra_accessors(
    table: &CodeTable,
    ty: &proc_macro2::Ident,
    variants: &[proc_macro2::Ident],
    entries: &[Entry],
) -> TokenStream {
    let mut out = TokenStream::new();
    if table.kind == TableKind::Tree {
        let parents = entries.iter().map(|e| {
            let parent_variants = e.parents.iter().filter_map(|code| {
                let parent = entries.iter().find(|p| &p.code == code)?;
                let ident = format_ident!("{}", parent.id);
                Some(quote! { #ty::#ident })
            });
            quote! { &[#(#parent_variants),*] }
        });
        out.extend(quote! {
            /// The elements this one appears under (empty for the root and for unknown codes).
            pub fn parents(&self) -> &'static [#ty] {
                match self {
                    #(#ty::#variants => #parents,)*
                    #ty::Unknown(_) => &[],
                }
            }
        });
    }
    for (column, description) in &table.columns {
        let method = format_ident!("{}", column.replace('-', "_"));
        let doc = format!(" {description} (column `{column}`); `None` for unknown codes.");
        let values = entries.iter().map(|e| Literal::string(&e.columns[column]));
        out.extend(quote! {
            #[doc = #doc]
            pub fn #method(&self) -> Option<&'static str> {
                match self {
                    #(#ty::#variants => Some(#values),)*
                    #ty::Unknown(_) => None,
                }
            }
        });
    }
    out
}
