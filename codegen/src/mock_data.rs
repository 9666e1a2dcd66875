//! Spec data the mock servers read, copied into `crates/iryo-mock/src/generated/` so that the
//! mock crate packages on its own (an `include_str!` of `specs/` would point outside it).

use std::path::Path;

use quote::quote;

use crate::header::{self, Input};
use crate::{Error, Rendered, format};

const TAG_TABLE: &str = "specs/codes/hiyari-xml-tag.json";

/// Renders `crates/iryo-mock/src/generated/mod.rs` (with the hiyari API).
pub(crate) fn render(root: &Path, out: &mut Rendered) -> Result<(), Error> {
    let bytes = crate::spec_config::read(root, TAG_TABLE)?;
    let text = String::from_utf8(bytes.clone()).map_err(|e| Error::parse(TAG_TABLE, e))?;
    let dir = Path::new("crates")
        .join("iryo-mock")
        .join("src")
        .join("generated");
    let path = dir.join("mod.rs");
    let tokens = quote! {
        /// `specs/codes/hiyari-xml-tag.json` as it is.
        pub(crate) const HIYARI_XML_TAG_JSON: &str = #text;
    };
    let file = format::tokens_to_file(&path, tokens)?;
    let head = header::render(
        "hiyari",
        &[Input {
            path: TAG_TABLE,
            bytes: &bytes,
        }],
    );
    out.files.insert(path, format::render_file(&head, &file));
    out.owned_dirs.insert(dir);
    Ok(())
}
