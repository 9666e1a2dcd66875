//! The iryo generator: reads the hand-written specs under `specs/` and renders the generated modules
//! of the crates under `crates/`.
//!
//! Rendering is pure (it reads specs, never writes): [`render`] returns every generated file as text.
//! [`sync`] is the one writer: it applies a rendering to disk, or checks that the disk matches it.

mod apis;
mod asyncapi;
mod code_enum;
mod code_table;
mod error;
mod events;
mod field_order;
mod format;
mod header;
mod mock_routes;
mod op_model;
mod openapi;
mod operations;
mod progenitor_read;
pub mod public_api;
pub mod publish;
mod raw_json;
mod requests;
mod spec_config;
mod spec_copies;
mod split;
mod sync;
mod xsd;
mod xsd_crate;
mod xsd_json;
mod xsd_naming;
mod xsd_render;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

pub use apis::{API_NAMES, ApiEntry, registered_apis};
pub use error::Error;
pub use sync::{Mode, SyncReport, sync};

/// Every generated file (path relative to the workspace root, content), plus the generated folders
/// whose content the rendering owns outright (the orphan sweep looks there).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Rendered {
    /// Generated files, keyed by their path relative to the workspace root.
    pub files: BTreeMap<PathBuf, String>,
    /// `src/generated` folders this rendering owns.
    pub owned_dirs: BTreeSet<PathBuf>,
    /// True when every API was rendered, so generated folders nobody owns are orphans too.
    pub complete: bool,
}

/// Renders the generated code of one registered API (`Some("orca")`) or of all (`None`).
pub fn render(root: &Path, only: Option<&str>) -> Result<Rendered, Error> {
    render_apis(root, &apis::select(only)?, only.is_none())
}

/// Renders the given APIs under `root` (which holds `specs/codes/` and the API specs).
/// `complete` says that these are all the APIs, so that unclaimed tables are an error and
/// generated folders nobody owns are orphans.
pub fn render_apis(root: &Path, apis: &[ApiEntry], complete: bool) -> Result<Rendered, Error> {
    let tables = code_table::load_all(root)?;
    let mut rendered = Rendered {
        complete,
        ..Rendered::default()
    };
    for api in apis {
        let config = spec_config::load(root, api)?;
        let api_tables: Vec<_> = tables
            .iter()
            .filter(|t| t.rust.krate == config.codes_crate)
            .collect();
        code_enum::render_crate(&api.name, &config, &api_tables, &mut rendered)?;
        let sources = spec_config::ApiSources {
            root,
            api,
            config: &config,
            tables: &tables,
        };
        if config.openapi_client {
            openapi::render_crate(sources, &mut rendered)?;
        }
        xsd_crate::render_crate(sources, &mut rendered)?;
        spec_copies::render(root, &api.name, &mut rendered)?;
    }
    if complete {
        code_table::check_all_claimed(&tables, &rendered)?;
    }
    Ok(rendered)
}

/// Renders everything: shorthand for `render(root, None)`.
pub fn render_all(root: &Path) -> Result<Rendered, Error> {
    render(root, None)
}
