//! OpenAPI document -> client module, through progenitor used as a library.

use std::path::Path;

use progenitor_impl::{CrateVers, GenerationSettings, Generator, HooksMode, InterfaceStyle};
use quote::quote;
use serde_json::Value;

use crate::code_table::CodeTable;
use crate::spec_config::{ApiSources, RustConfig};
use crate::{Error, Rendered, events, format, split};

/// Renders `crates/<crate>/src/generated/` of one API: progenitor's client and types, split into
/// files, and the event enum from `x-iryo-event-bodies` when the spec has one.
pub(crate) fn render_crate(sources: ApiSources<'_>, out: &mut Rendered) -> Result<(), Error> {
    let ApiSources {
        api,
        config,
        tables,
        ..
    } = sources;
    let raw = sources.read(&api.openapi)?;
    let mut doc: Value = serde_yaml::from_slice(&raw).map_err(|e| Error::parse(&api.openapi, e))?;
    attach_code_table_types(&mut doc, tables, &api.openapi)?;
    refuse_colliding_schema_names(&doc, &api.openapi)?;
    let mut for_progenitor = doc.clone();
    drop_bodyless_errors_beside_typed(&mut for_progenitor);
    let spec: openapiv3::OpenAPI =
        serde_json::from_value(for_progenitor).map_err(|e| Error::parse(&api.openapi, e))?;

    let mut generator = Generator::new(&settings(config));
    let tokens = generator
        .generate_tokens(&spec)
        .map_err(|e| Error::Progenitor(e.to_string()))?;
    let dir = RustConfig::generated_dir(&config.krate);
    let mut file = format::tokens_to_file(&dir.join("mod.rs"), tokens)?;
    crate::operations::trim_progenitor_output(&mut file);
    crate::field_order::restore(&mut file, &doc);

    let head = sources.header(&api.openapi, &raw, &[]);
    let requests = crate::requests::hook(&doc, &file, config, &api.openapi, &head, out)?;
    let mut modules = split::split_progenitor_output(file, &dir)?;
    modules.extend(requests);
    let operations = crate::operations::render(&doc, &api.name, &api.openapi)?;
    modules.push(split::Module {
        name: "operations".to_owned(),
        visibility: split::Visibility::Public,
        file: format::tokens_to_file(&dir.join("operations.rs"), operations)?,
        header: None,
    });
    if let Some(event_enum) = events::render(&doc, &api.openapi)? {
        modules.push(split::Module {
            name: "events".to_owned(),
            visibility: split::Visibility::Public,
            file: format::tokens_to_file(&dir.join("events.rs"), event_enum)?,
            header: None,
        });
    }
    if let Some(asyncapi) = &config.asyncapi {
        modules.push(render_frames(sources, asyncapi, &dir)?);
    }
    split::write_modules(&dir, &head, modules, out)?;
    out.owned_dirs.insert(dir);
    Ok(())
}

/// The `frames` module from the API's AsyncAPI document, with a header naming that document.
fn render_frames(
    sources: ApiSources<'_>,
    asyncapi: &crate::asyncapi::AsyncApiConfig,
    dir: &Path,
) -> Result<split::Module, Error> {
    let raw = sources.read(&asyncapi.spec)?;
    let doc: Value = serde_yaml::from_slice(&raw).map_err(|e| Error::parse(&asyncapi.spec, e))?;
    let tokens = crate::asyncapi::render(&doc, &asyncapi.spec, asyncapi, sources.tables)?;
    let head = sources.header(&asyncapi.spec, &raw, &[]);
    Ok(split::Module {
        name: "frames".to_owned(),
        visibility: split::Visibility::Public,
        file: format::tokens_to_file(&dir.join("frames.rs"), tokens)?,
        header: Some(head),
    })
}

fn settings(config: &RustConfig) -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Positional)
        // `ClientHooks` is rendered into `operations.rs`, around the runtime's `Hooks`.
        .with_hooks(HooksMode::Expected)
        .with_inner_type(quote!(::iryo_runtime::__private::Hooks))
        .with_derive("PartialEq")
        .with_map_type("::std::collections::BTreeMap")
        .with_crate(&config.codes_crate, CrateVers::Any, None);
    for (schema, rust_type) in &config.replace {
        settings.with_replacement(schema, rust_type, std::iter::empty());
    }
    settings
}

/// A schema marked `x-iryo-code-table: <table>` becomes that table's enum, through typify's
/// `x-rust-type` extension (added here, so the published spec stays free of Rust paths).
fn attach_code_table_types(doc: &mut Value, tables: &[CodeTable], path: &str) -> Result<(), Error> {
    match doc {
        Value::Object(map) => {
            if let Some(Value::String(name)) = map.get("x-iryo-code-table") {
                let table = tables.iter().find(|t| &t.table == name).ok_or_else(|| {
                    Error::Spec(format!(
                        "{path}: x-iryo-code-table `{name}` has no table file"
                    ))
                })?;
                let crate_ident = table.rust.krate.replace('-', "_");
                map.insert(
                    "x-rust-type".to_owned(),
                    serde_json::json!({
                        "crate": table.rust.krate,
                        "version": "*",
                        "path": format!("{crate_ident}::{}", table.rust.type_name),
                    }),
                );
            }
            for value in map.values_mut() {
                attach_code_table_types(value, tables, path)?;
            }
        }
        Value::Array(items) => {
            for value in items {
                attach_code_table_types(value, tables, path)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// progenitor 0.15 wants one error type per operation: a body-less 401 next to a typed 400/500
/// makes it panic. Such body-less error responses are dropped from what progenitor sees (they
/// stay in the published spec); the generated code then reports them as unexpected responses,
/// which the hand-written client maps by status.
fn drop_bodyless_errors_beside_typed(doc: &mut Value) {
    let shared_responses = doc
        .pointer("/components/responses")
        .cloned()
        .unwrap_or(Value::Null);
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for operation in item.values_mut().filter_map(Value::as_object_mut) {
            let Some(responses) = operation
                .get_mut("responses")
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            let has_content = |response: &Value| {
                let resolved = match response.get("$ref").and_then(Value::as_str) {
                    Some(reference) => reference
                        .strip_prefix("#/components/responses/")
                        .and_then(|name| shared_responses.get(name))
                        .unwrap_or(response),
                    None => response,
                };
                resolved.get("content").is_some()
            };
            let is_error = |status: &str| !status.starts_with('2');
            let any_typed_error = responses.iter().any(|(s, r)| is_error(s) && has_content(r));
            if any_typed_error {
                responses.retain(|status, response| !is_error(status) || has_content(response));
            }
        }
    }
}

/// `order-item` and `OrderItem` would both become `struct OrderItem` (progenitor does not
/// notice); refuse such specs instead of emitting code that does not compile.
fn refuse_colliding_schema_names(doc: &Value, path: &str) -> Result<(), Error> {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return Ok(());
    };
    let mut seen: std::collections::BTreeMap<String, &str> = std::collections::BTreeMap::new();
    for name in schemas.keys() {
        let key: String = name
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if let Some(other) = seen.insert(key, name) {
            return Err(Error::Spec(format!(
                "{path}: schemas `{other}` and `{name}` would get the same Rust name"
            )));
        }
    }
    Ok(())
}
