//! The PostgreSQL tables of the ORCA delivery sink, copied from `specs/orca/orca_events.sql`
//! into `crates/iryo-orca-deliver/src/generated/` (the published SQL is the one the sink runs;
//! an `include_str!` of `specs/` would point outside the crate).

use std::path::Path;

use quote::quote;

use crate::header::{self, Input};
use crate::{Error, Rendered, format};

const TABLES_SQL: &str = "specs/orca/orca_events.sql";

/// Renders `crates/iryo-orca-deliver/src/generated/mod.rs` (with the orca API).
pub(crate) fn render(root: &Path, out: &mut Rendered) -> Result<(), Error> {
    let bytes = crate::spec_config::read(root, TABLES_SQL)?;
    let text = String::from_utf8(bytes.clone()).map_err(|e| Error::parse(TABLES_SQL, e))?;
    let dir = Path::new("crates")
        .join("iryo-orca-deliver")
        .join("src")
        .join("generated");
    let path = dir.join("mod.rs");
    let tokens = quote! {
        /// `specs/orca/orca_events.sql` as it is.
        pub(crate) const ORCA_EVENTS_SQL: &str = #text;
    };
    let file = format::tokens_to_file(&path, tokens)?;
    let head = header::render(
        "orca",
        &[Input {
            path: TABLES_SQL,
            bytes: &bytes,
        }],
    );
    out.files.insert(path, format::render_file(&head, &file));
    out.owned_dirs.insert(dir);
    Ok(())
}
