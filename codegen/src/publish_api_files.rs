//! One API's files in the bundle: its OpenAPI document (YAML and JSON), fixup notes, samples and
//! digest documents, AsyncAPI document, webhooks, the SQL and schemas it publishes, and its
//! strict XSD.

use std::collections::BTreeMap;
use std::path::Path;

use super::{Entries, Source, list_files, openapi, read, read_optional, readme, xsd};
use crate::code_table::CodeTable;
use crate::{ApiEntry, Error};

/// Adds the files of `api` to `entries` (its fixup notes also to `fixup_notes`); its summary for
/// the README and the manifest.
pub(super) fn publish(
    root: &Path,
    api: &ApiEntry,
    by_name: &BTreeMap<&str, &CodeTable>,
    entries: &mut Entries,
    fixup_notes: &mut Vec<(String, String)>,
) -> Result<readme::ApiSummary, Error> {
    let name = &api.name;
    let source = read(root, &api.openapi)?;
    let published = openapi::publish(&api.openapi, &source, by_name)?;
    let openapi_source = Source::new(&api.openapi, &source, &published.version);
    for (extension, text) in [("yaml", &published.yaml), ("json", &published.json)] {
        let path = format!("{name}/openapi.{extension}");
        entries.rendered(path, text.clone().into_bytes(), &openapi_source);
    }
    // Copies listed under the OpenAPI document, at its version.
    let copy = |entries: &mut Entries, path: String, file: &str, raw: &[u8]| {
        let source = Source::new(file, raw, &published.version);
        entries.beside_spec(path, raw.to_vec(), &source, &api.openapi);
    };
    let fixups = format!("specs/{name}/FIXUPS.md");
    if let Some(raw) = read_optional(root, &fixups)? {
        fixup_notes.push((name.clone(), String::from_utf8_lossy(&raw).into_owned()));
        copy(entries, format!("{name}/FIXUPS.md"), &fixups, &raw);
    }
    // Samples, and documents with data of their own (the hiyari digest and its vectors).
    for folder in ["examples", "digest"] {
        for file in list_files(root, &format!("specs/{name}/{folder}"))? {
            let raw = read(root, &file)?;
            // `specs/hiyari/digest/vectors.json` -> `hiyari/digest/vectors.json`
            let published = file.strip_prefix("specs/").unwrap_or(&file).to_owned();
            copy(entries, published, &file, &raw);
        }
    }
    // The SQL of the tables iryo writes, and the fleet's configuration schema and example.
    for file in list_files(root, &format!("specs/{name}"))? {
        let published = [".sql", ".schema.json", ".example.toml"];
        if published.iter().any(|ending| file.ends_with(ending)) {
            let raw = read(root, &file)?;
            copy(entries, format!("{name}/{}", file_name(&file)), &file, &raw);
        }
    }

    let config = crate::spec_config::load(root, api)?;
    let asyncapi = match &config.asyncapi {
        Some(asyncapi) => Some(yaml_and_json(
            root,
            &asyncapi.spec,
            "asyncapi",
            name,
            by_name,
            entries,
        )?),
        None => None,
    };
    // What iryo sends to receivers (OpenAPI 3.1 `webhooks`), published when present.
    let webhooks = format!("specs/{name}/webhooks.yaml");
    if read_optional(root, &webhooks)?.is_some() {
        yaml_and_json(root, &webhooks, "webhooks", name, by_name, entries)?;
    }
    let xsd = match &config.xsd {
        Some(xsd_path) => Some(strict_xsd(root, xsd_path, name, by_name, entries)?),
        None => None,
    };
    Ok(readme::ApiSummary {
        name: name.clone(),
        title: published.title,
        version: published.version,
        xsd,
        asyncapi,
    })
}

/// A YAML document published as `{name}/{stem}.yaml` and `.json`: its version.
fn yaml_and_json(
    root: &Path,
    spec: &str,
    stem: &str,
    name: &str,
    by_name: &BTreeMap<&str, &CodeTable>,
    entries: &mut Entries,
) -> Result<String, Error> {
    let raw = read(root, spec)?;
    let doc = openapi::publish(spec, &raw, by_name)?;
    let source = Source::new(spec, &raw, &doc.version);
    for (extension, text) in [("yaml", &doc.yaml), ("json", &doc.json)] {
        let path = format!("{name}/{stem}.{extension}");
        entries.rendered(path, text.clone().into_bytes(), &source);
    }
    Ok(doc.version)
}

/// The strict XSD (coded attributes as enumerations): its file name and version.
fn strict_xsd(
    root: &Path,
    xsd_path: &str,
    name: &str,
    by_name: &BTreeMap<&str, &CodeTable>,
    entries: &mut Entries,
) -> Result<(String, String), Error> {
    let raw = read(root, xsd_path)?;
    let text = String::from_utf8(raw.clone()).map_err(|e| Error::parse(xsd_path, e))?;
    let strict = xsd::publish(xsd_path, &text, by_name)?;
    let file_name = file_name(xsd_path);
    let source = Source::new(xsd_path, &raw, &strict.version);
    entries.rendered(
        format!("{name}/{file_name}"),
        strict.text.into_bytes(),
        &source,
    );
    Ok((file_name, strict.version))
}

fn file_name(path: &str) -> String {
    Path::new(path)
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}
