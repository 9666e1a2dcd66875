//! The list of APIs the generator knows. Adding an API starts here.

use crate::Error;

/// One API to generate: its short name (the `cargo xtask regenerate <name>` argument), its
/// OpenAPI document and its Rust-side settings, as paths relative to the workspace root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiEntry {
    /// Short name, also the folder under `specs/`.
    pub name: String,
    /// The OpenAPI document.
    pub openapi: String,
    /// Rust-side settings (crate names, type replacements).
    pub rust_config: String,
}

impl ApiEntry {
    /// The usual layout: `specs/<name>/openapi.yaml` and `specs/<name>/rust.yaml`.
    pub fn standard(name: &str) -> Self {
        ApiEntry {
            name: name.to_owned(),
            openapi: format!("specs/{name}/openapi.yaml"),
            rust_config: format!("specs/{name}/rust.yaml"),
        }
    }
}

/// Every registered API, in generation order.
pub const API_NAMES: &[&str] = &["orca", "hiyari", "plat"];

/// The registered APIs with their spec paths.
pub fn registered_apis() -> Vec<ApiEntry> {
    API_NAMES
        .iter()
        .map(|name| ApiEntry::standard(name))
        .collect()
}

pub(crate) fn select(only: Option<&str>) -> Result<Vec<ApiEntry>, Error> {
    match only {
        None => Ok(registered_apis()),
        Some(name) if API_NAMES.contains(&name) => Ok(vec![ApiEntry::standard(name)]),
        Some(name) => Err(Error::UnknownApi(name.to_owned(), API_NAMES.join(", "))),
    }
}
