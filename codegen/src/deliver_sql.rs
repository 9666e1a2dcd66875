//! The PostgreSQL tables of the ORCA delivery sink and of the ORCA fleet, copied from
//! `specs/orca/orca_events.sql` and `specs/orca/orca_fleet.sql` into each crate's
//! `src/generated/` (the published SQL is the one the crate runs; an `include_str!` of `specs/`
//! would point outside the crate).

use std::path::Path;

use quote::{format_ident, quote};

use crate::header::{self, Input};
use crate::{Error, Rendered, format};

/// Each spec file, the crate that runs it, and the constant it becomes.
const TABLES: &[(&str, &str, &str)] = &[
    (
        "specs/orca/orca_events.sql",
        "iryo-orca-deliver",
        "ORCA_EVENTS_SQL",
    ),
    (
        "specs/orca/orca_fleet.sql",
        "iryo-orca-fleet",
        "ORCA_FLEET_SQL",
    ),
];

/// Renders `src/generated/mod.rs` of `iryo-orca-deliver` and `iryo-orca-fleet` (with the orca
/// API).
pub(crate) fn render(root: &Path, out: &mut Rendered) -> Result<(), Error> {
    for &(spec, krate, constant) in TABLES {
        render_one(root, out, spec, krate, constant)?;
    }
    Ok(())
}

fn render_one(
    root: &Path,
    out: &mut Rendered,
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
        "orca",
        &[Input {
            path: spec,
            bytes: &bytes,
        }],
    );
    out.files.insert(path, format::render_file(&head, &file));
    out.owned_dirs.insert(dir);
    Ok(())
}
