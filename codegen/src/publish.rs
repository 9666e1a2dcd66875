//! `cargo xtask publish-specs`: the specs as a self-contained bundle for other languages, under
//! `dist/specs/`.
//!
//! Like the Rust generation, publishing renders every file in memory first ([`render_bundle`], no
//! I/O beyond reading specs) and one writer applies it ([`sync_bundle`], with the same [`Mode`] and
//! [`SyncReport`] as [`crate::sync`]). Bundle files are bytes, not text: the Shift_JIS sample of the
//! hiyari API is published as it travels on the wire.
//!
//! What changes on the way out (the sources under `specs/` stay as they are):
//! - OpenAPI documents: every schema with `x-iryo-code-table` gets its table as `enum`,
//!   `x-enum-varnames` (the table's `id`s) and `x-enum-descriptions` (the Japanese labels);
//!   `info.x-iryo-source` names the source file and its digest; Rust-only names are dropped.
//!   Each is written as YAML and as JSON.
//! - The XSD: every coded `CODE` attribute and `ResultSet@status` get one named simple type per
//!   table with labelled `xs:enumeration`s (the strict schema; the source keeps `CODE` open).
//! - Code tables: JSON without the Rust placement, and CSV.
//! - `rust.yaml` files are not published.

#[path = "publish_api_files.rs"]
mod api_files;
#[path = "publish_fixups.rs"]
mod fixups;
#[path = "publish_openapi.rs"]
mod openapi;
#[path = "publish_readme.rs"]
mod readme;
#[path = "publish_tables.rs"]
mod tables;
#[path = "publish_xsd.rs"]
mod xsd;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_yaml::{Mapping, Value};

use crate::code_table::{self, CodeTable};
use crate::{Error, Mode, SyncReport, registered_apis};

/// Where the bundle goes, relative to the workspace root. The writer owns this folder outright.
pub const BUNDLE_DIR: &str = "dist/specs";

/// The bundle's own version before the `+` (the layout: which files exist and what they mean).
/// Bump the major version when a file moves or changes meaning, the minor one when files are added.
/// The build metadata after the `+` is a digest of the published content, so the full version
/// changes whenever any spec, table, example or fixup note does.
pub const BUNDLE_BASE_VERSION: &str = "1.0.0";

/// The command that writes the bundle, for messages.
pub const PUBLISH_COMMAND: &str = "cargo xtask publish-specs";

/// A rendered bundle: its version and every file (path relative to the workspace root, bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    /// `1.0.0+<first 12 hex digits of the content digest>`.
    pub version: String,
    /// Every file of the bundle, `manifest.json` and `README.md` included.
    pub files: BTreeMap<PathBuf, Vec<u8>>,
}

/// One published file before the manifest is written: where it comes from and which spec version.
struct Entry {
    bytes: Vec<u8>,
    source: Option<String>,
    source_sha256: Option<String>,
    spec: String,
    spec_version: String,
}

/// The bundle's files by published path.
#[derive(Default)]
struct Entries(BTreeMap<String, Entry>);

/// A spec file a published file is rendered from: its path, bytes and version.
struct Source<'a> {
    path: &'a str,
    raw: &'a [u8],
    version: &'a str,
}

impl<'a> Source<'a> {
    fn new(path: &'a str, raw: &'a [u8], version: &'a str) -> Self {
        Source { path, raw, version }
    }
}

impl Entries {
    /// `bytes` at `path`, rendered from (or a copy of) `source`.
    fn rendered(&mut self, path: String, bytes: Vec<u8>, source: &Source<'_>) {
        self.beside_spec(path, bytes, source, source.path);
    }

    /// `bytes` at `path`, a copy of `source` listed under `spec` at the source's version (an
    /// API's samples and notes belong to its OpenAPI document).
    fn beside_spec(&mut self, path: String, bytes: Vec<u8>, source: &Source<'_>, spec: &str) {
        let entry = Entry {
            bytes,
            source: Some(source.path.to_owned()),
            source_sha256: Some(sha256_hex(source.raw)),
            spec: spec.to_owned(),
            spec_version: source.version.to_owned(),
        };
        self.0.insert(path, entry);
    }

    /// A file the bundle writes itself (no source spec).
    fn of_the_bundle(&mut self, path: &str, bytes: Vec<u8>, version: &str) {
        let entry = Entry {
            bytes,
            source: None,
            source_sha256: None,
            spec: PUBLISH_COMMAND.to_owned(),
            spec_version: version.to_owned(),
        };
        self.0.insert(path.to_owned(), entry);
    }
}

/// Hex SHA-256, as in the generated files' headers and the manifest.
pub fn sha256_hex(bytes: &[u8]) -> String {
    crate::header::sha256_hex(bytes)
}

/// Renders the bundle from the specs under `root`. Reads only; [`sync_bundle`] writes.
pub fn render_bundle(root: &Path) -> Result<Bundle, Error> {
    let tables = code_table::load_all(root)?;
    let by_name: BTreeMap<&str, &CodeTable> =
        tables.iter().map(|t| (t.table.as_str(), t)).collect();
    let mut entries = Entries::default();
    let mut apis = Vec::new();
    let mut fixup_notes = Vec::new();
    for api in registered_apis() {
        apis.push(api_files::publish(
            root,
            &api,
            &by_name,
            &mut entries,
            &mut fixup_notes,
        )?);
    }

    for table in &tables {
        let published = tables::publish(table)?;
        for (extension, bytes) in [("json", published.json), ("csv", published.csv)] {
            let path = format!("codes/{}.{extension}", table.table);
            let source = Source::new(&table.path, &table.raw, &table.version);
            entries.rendered(path, bytes.into_bytes(), &source);
        }
    }
    let fixups = fixups::render(&fixup_notes).into_bytes();
    entries.of_the_bundle("FIXUPS.md", fixups, BUNDLE_BASE_VERSION);

    // The README carries the version, so its digest is taken with a placeholder instead.
    let readme_template = readme::render(VERSION_PLACEHOLDER, &apis, &tables);
    let version = bundle_version(&entries.0, &readme_template);
    let readme_text = readme_template.replace(VERSION_PLACEHOLDER, &version);
    entries.of_the_bundle("README.md", readme_text.into_bytes(), &version);
    let manifest = render_manifest(&version, &apis, &entries.0)?;

    let mut files: BTreeMap<PathBuf, Vec<u8>> = entries
        .0
        .into_iter()
        .map(|(path, entry)| (Path::new(BUNDLE_DIR).join(path), entry.bytes))
        .collect();
    files.insert(
        Path::new(BUNDLE_DIR).join("manifest.json"),
        manifest.into_bytes(),
    );
    Ok(Bundle { version, files })
}

/// Stands for the version in the README while its digest is taken.
const VERSION_PLACEHOLDER: &str = "{{bundle-version}}";

/// `1.0.0+` and the first 12 hex digits of a SHA-256 over every published path and its digest,
/// the README's with [`VERSION_PLACEHOLDER`] for the version (the manifest is derived from them).
fn bundle_version(entries: &BTreeMap<String, Entry>, readme_template: &str) -> String {
    let mut listing = format!("README.md\0{}\n", sha256_hex(readme_template.as_bytes()));
    for (path, entry) in entries {
        listing.push_str(path);
        listing.push('\0');
        listing.push_str(&sha256_hex(&entry.bytes));
        listing.push('\n');
    }
    let digest = sha256_hex(listing.as_bytes());
    format!("{BUNDLE_BASE_VERSION}+{}", &digest[..12])
}

fn render_manifest(
    version: &str,
    apis: &[readme::ApiSummary],
    entries: &BTreeMap<String, Entry>,
) -> Result<String, Error> {
    let mut root = Mapping::new();
    root.insert("name".into(), "iryo-specs".into());
    root.insert("version".into(), version.into());
    root.insert(
        "version_rule".into(),
        format!(
            "{BUNDLE_BASE_VERSION} is the bundle layout version; the build metadata after '+' is the first 12 hex \
             digits of a SHA-256 over every published file's path and SHA-256 (README.md with the version left out, \
             manifest.json not at all), so it changes whenever any published byte does"
        )
        .into(),
    );
    root.insert("generated_by".into(), PUBLISH_COMMAND.into());
    let mut api_map = Mapping::new();
    for api in apis {
        let mut m = Mapping::new();
        m.insert("title".into(), api.title.clone().into());
        m.insert(
            "openapi".into(),
            format!("{}/openapi.yaml", api.name).into(),
        );
        m.insert("version".into(), api.version.clone().into());
        if let Some((file, xsd_version)) = &api.xsd {
            m.insert("xsd".into(), format!("{}/{file}", api.name).into());
            m.insert("xsd_version".into(), xsd_version.clone().into());
        }
        if let Some(asyncapi_version) = &api.asyncapi {
            m.insert(
                "asyncapi".into(),
                format!("{}/asyncapi.yaml", api.name).into(),
            );
            m.insert("asyncapi_version".into(), asyncapi_version.clone().into());
        }
        api_map.insert(api.name.clone().into(), Value::Mapping(m));
    }
    root.insert("apis".into(), Value::Mapping(api_map));
    let mut files = Vec::new();
    for (path, entry) in entries {
        let mut m = Mapping::new();
        m.insert("path".into(), path.clone().into());
        m.insert("sha256".into(), sha256_hex(&entry.bytes).into());
        m.insert(
            "bytes".into(),
            Value::Number((entry.bytes.len() as u64).into()),
        );
        m.insert(
            "source".into(),
            entry.source.clone().map_or(Value::Null, Value::from),
        );
        m.insert(
            "source_sha256".into(),
            entry.source_sha256.clone().map_or(Value::Null, Value::from),
        );
        m.insert("spec".into(), entry.spec.clone().into());
        m.insert("spec_version".into(), entry.spec_version.clone().into());
        files.push(Value::Mapping(m));
    }
    root.insert("files".into(), Value::Sequence(files));
    to_json(&Value::Mapping(root), "manifest.json")
}

/// Pretty JSON of an order-preserving YAML value (two-space indent, UTF-8 unescaped, final newline).
/// `serde_json::Map` is avoided on purpose: its order depends on a cargo feature that other
/// workspace members turn on.
pub(crate) fn to_json(value: &Value, what: &str) -> Result<String, Error> {
    let mut text = serde_json::to_string_pretty(value).map_err(|e| Error::parse(what, e))?;
    text.push('\n');
    Ok(text)
}

/// Applies `bundle` under `root`: in [`Mode::Write`] rewrites changed files, creates missing ones
/// and deletes files under [`BUNDLE_DIR`] that the bundle does not have; in [`Mode::Check`] writes
/// nothing and reports them.
pub fn sync_bundle(root: &Path, bundle: &Bundle, mode: Mode) -> Result<SyncReport, Error> {
    let orphans = crate::sync::files_under(root, Path::new(BUNDLE_DIR))?
        .into_iter()
        .filter(|p| !bundle.files.contains_key(p))
        .collect();
    let files = bundle
        .files
        .iter()
        .map(|(path, bytes)| (path, bytes.as_slice()));
    crate::sync::sync_files(root, files, orphans, "published", mode)
}

fn read(root: &Path, relative: &str) -> Result<Vec<u8>, Error> {
    std::fs::read(root.join(relative)).map_err(|e| Error::io(relative, e))
}

fn read_optional(root: &Path, relative: &str) -> Result<Option<Vec<u8>>, Error> {
    match std::fs::read(root.join(relative)) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(relative, e)),
    }
}

/// Files directly in `relative` (a folder), sorted; none when it does not exist.
fn list_files(root: &Path, relative: &str) -> Result<Vec<String>, Error> {
    let Ok(entries) = std::fs::read_dir(root.join(relative)) else {
        return Ok(vec![]);
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(relative, e))?;
        if entry.path().is_file() {
            names.push(format!(
                "{relative}/{}",
                entry.file_name().to_string_lossy()
            ));
        }
    }
    names.sort();
    Ok(names)
}
