//! The list of APIs the generator knows. Adding an API starts here.

use crate::Error;

/// One registered API: its short name (the `cargo xtask regenerate <name>` argument) and its spec folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiEntry {
    /// Short name, also the folder under `specs/`.
    pub name: &'static str,
    /// The OpenAPI document, relative to the workspace root.
    pub openapi: &'static str,
    /// Rust-side settings (crate names, type replacements), relative to the workspace root.
    pub rust_config: &'static str,
}

/// Every API, in generation order.
pub const API_LIST: &[ApiEntry] = &[ApiEntry {
    name: "orca",
    openapi: "specs/orca/openapi.yaml",
    rust_config: "specs/orca/rust.yaml",
}];

pub(crate) fn select(only: Option<&str>) -> Result<Vec<&'static ApiEntry>, Error> {
    match only {
        None => Ok(API_LIST.iter().collect()),
        Some(name) => API_LIST
            .iter()
            .find(|api| api.name == name)
            .map(|api| vec![api])
            .ok_or_else(|| {
                let known: Vec<_> = API_LIST.iter().map(|a| a.name).collect();
                Error::UnknownApi(name.to_owned(), known.join(", "))
            }),
    }
}
