//! Tokens to text: parse into a `syn::File`, print with prettyplease.

use std::path::Path;

use proc_macro2::TokenStream;

use crate::Error;

pub(crate) fn tokens_to_file(path: &Path, tokens: TokenStream) -> Result<syn::File, Error> {
    syn::parse2(tokens).map_err(|e| Error::Syntax {
        path: path.to_owned(),
        message: e.to_string(),
    })
}

/// Header, a blank line, then the pretty-printed file; LF line ends, one final newline.
pub(crate) fn render_file(header: &str, file: &syn::File) -> String {
    let body = prettyplease::unparse(file);
    let mut out = String::with_capacity(header.len() + body.len() + 1);
    out.push_str(header);
    out.push('\n');
    out.push_str(body.trim_end());
    out.push('\n');
    out
}
