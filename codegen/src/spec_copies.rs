//! Spec files a crate reads at run time, copied as constants into its `src/generated/mod.rs` so
//! that the crate packages on its own (an `include_str!` of `specs/` would point outside it): the
//! mock's hiyari tag table, and the PostgreSQL tables the ORCA delivery sink and fleet run (the
//! published SQL is the one they run).

use std::path::Path;

use quote::{format_ident, quote};

use crate::header::{self, Input};
use crate::{Error, Rendered, format};

/// Each copy: the API whose rendering writes it, the spec file, the crate that reads it, and the
/// constant it becomes.
const COPIES: &[(&str, &str, &str, &str)] = &[
    (
        "hiyari",
        "specs/codes/hiyari-xml-tag.json",
        "iryo-mock",
        "HIYARI_XML_TAG_JSON",
    ),
    (
        "orca",
        "specs/orca/orca_events.sql",
        "iryo-orca-deliver",
        "ORCA_EVENTS_SQL",
    ),
    (
        "orca",
        "specs/orca/orca_fleet.sql",
        "iryo-orca-fleet",
        "ORCA_FLEET_SQL",
    ),
];

/// Renders `src/generated/mod.rs` of each crate that reads a spec file of `api`.
pub(crate) fn render(root: &Path, api: &str, out: &mut Rendered) -> Result<(), Error> {
    for &(owner, spec, krate, constant) in COPIES {
        if owner == api {
            render_one(root, out, owner, spec, krate, constant)?;
        }
    }
    Ok(())
}

fn render_one(
    root: &Path,
    out: &mut Rendered,
    api: &str,
    spec: &'static str,
    krate: &str,
    constant: &str,
) -> Result<(), Error> {
    let bytes = crate::spec_config::read(root, spec)?;
    let text = String::from_utf8(bytes.clone()).map_err(|e| Error::parse(spec, e))?;
    let dir = Path::new("crates")
        .join(krate)
        .join("src")
        .join("generated");
    let path = dir.join("mod.rs");
    let doc = format!(" `{spec}` as it is.");
    let name = format_ident!("{}", constant);
    let tokens = quote! {
        #[doc = #doc]
        pub(crate) const #name: &str = #text;
    };
    let file = format::tokens_to_file(&path, tokens)?;
    let head = header::render(
        api,
        &[Input {
            path: spec,
            bytes: &bytes,
        }],
    );
    out.files.insert(path, format::render_file(&head, &file));
    out.owned_dirs.insert(dir);
    Ok(())
}
