//! `specs/<api>/rust.yaml`: the Rust-side settings of one API.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::code_table::CodeTable;
use crate::header::{self, Input};
use crate::{ApiEntry, Error};

/// Rust-side settings of one API.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RustConfig {
    /// The client crate, under `crates/`.
    #[serde(rename = "crate")]
    pub krate: String,
    /// The crate that holds this API's code-table enums, under `crates/`.
    pub codes_crate: String,
    /// Schema name -> hand-written Rust type that replaces the generated one.
    #[serde(default)]
    pub replace: BTreeMap<String, String>,
    /// Whether progenitor generates a client from the OpenAPI document (default true).
    #[serde(default = "yes")]
    pub openapi_client: bool,
    /// An XSD whose types and reader are generated, relative to the workspace root.
    #[serde(default)]
    pub xsd: Option<String>,
    /// The tree table whose identifiers name the XSD structs' fields.
    #[serde(default)]
    pub xsd_field_names: Option<String>,
    /// An AsyncAPI document whose frame types are generated (module `frames`).
    #[serde(default)]
    pub asyncapi: Option<crate::asyncapi::AsyncApiConfig>,
    /// One request type per operation, with these settings (see `requests.rs`).
    #[serde(default)]
    pub requests: Option<crate::requests::RequestsConfig>,
    /// The bytes of the file, for the headers' digests.
    #[serde(skip)]
    pub raw: Vec<u8>,
}

impl RustConfig {
    pub(crate) fn generated_dir(krate: &str) -> PathBuf {
        Path::new("crates")
            .join(krate)
            .join("src")
            .join("generated")
    }
}

fn yes() -> bool {
    true
}

pub(crate) fn load(root: &Path, api: &ApiEntry) -> Result<RustConfig, Error> {
    let raw = read(root, &api.rust_config)?;
    let mut config: RustConfig =
        serde_yaml::from_slice(&raw).map_err(|e| Error::parse(&api.rust_config, e))?;
    config.raw = raw;
    Ok(config)
}

pub(crate) fn read(root: &Path, relative: &str) -> Result<Vec<u8>, Error> {
    std::fs::read(root.join(relative)).map_err(|e| Error::io(relative, e))
}

/// What a renderer of one API's generated folder reads: the workspace root, the API's entry and
/// `rust.yaml`, and every code table.
#[derive(Clone, Copy)]
pub(crate) struct ApiSources<'a> {
    pub root: &'a Path,
    pub api: &'a ApiEntry,
    pub config: &'a RustConfig,
    pub tables: &'a [CodeTable],
}

impl ApiSources<'_> {
    /// The bytes of one of the API's spec files (`relative` to the root).
    pub fn read(&self, relative: &str) -> Result<Vec<u8>, Error> {
        read(self.root, relative)
    }

    /// The header of a generated file drawn from the spec `path` (its bytes `raw`), `rust.yaml`
    /// and the `more` inputs (a code table).
    pub fn header(&self, path: &str, raw: &[u8], more: &[Input<'_>]) -> String {
        let mut inputs = vec![
            Input { path, bytes: raw },
            Input {
                path: &self.api.rust_config,
                bytes: &self.config.raw,
            },
        ];
        inputs.extend_from_slice(more);
        header::render(&self.api.name, &inputs)
    }
}
