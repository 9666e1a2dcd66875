//! The XSD part of an API: `crates/<crate>/src/generated/` with one file per struct.

use std::collections::BTreeMap;

use quote::{format_ident, quote};

use crate::code_table::CodeTable;
use crate::header::Input;
use crate::spec_config::{ApiSources, RustConfig};
use crate::xsd_naming::{self, Naming};
use crate::xsd_render;
use crate::{Error, Rendered, format, xsd};

/// Renders the XSD part of `crates/<crate>/src/generated/`, when `rust.yaml` names an XSD.
pub(crate) fn render_crate(sources: ApiSources<'_>, out: &mut Rendered) -> Result<(), Error> {
    let ApiSources { config, tables, .. } = sources;
    let Some(xsd_path) = &config.xsd else {
        return Ok(());
    };
    let raw = sources.read(xsd_path)?;
    let text = String::from_utf8(raw.clone()).map_err(|e| Error::parse(xsd_path, e))?;
    let schema = xsd::parse(xsd_path, &text)?;
    if schema.complex_type(&schema.root.type_name).is_none() {
        return Err(Error::Spec(format!(
            "{xsd_path}: root element {} must have a named complex type",
            schema.root.name
        )));
    }
    let (field_ids, names_table) = field_ids(config, tables)?;
    let naming = Naming {
        field_ids,
        tables,
        path: xsd_path,
    };
    let names_input = names_table.map(|table| Input {
        path: &table.path,
        bytes: &table.raw,
    });
    let head = sources.header(xsd_path, &raw, names_input.as_slice());
    let dir = RustConfig::generated_dir(&config.krate);
    let mut declarations = Vec::new();
    for ty in xsd_naming::struct_types(&schema) {
        let name = xsd_naming::struct_name(&ty.name);
        let module = xsd_naming::snake_case(&name);
        let path = dir.join(format!("{module}.rs"));
        let file = format::tokens_to_file(&path, xsd_render::render_struct(&schema, ty, &naming)?)?;
        out.files.insert(path, format::render_file(&head, &file));
        let (module, name) = (format_ident!("{module}"), format_ident!("{name}"));
        declarations.push(quote! { mod #module; pub use #module::#name; });
    }
    // Record writers (JSON lines, CSV) straight from the typed values: their own module.
    let order = match names_table {
        Some(table) => table
            .entries()
            .map_err(Error::Spec)?
            .into_iter()
            .map(|e| e.code)
            .collect(),
        None => Vec::new(),
    };
    let path = dir.join("record_writers.rs");
    let writers = crate::xsd_json::render_writers(&schema, &naming, &order)?;
    let file = format::tokens_to_file(&path, writers)?;
    out.files.insert(path, format::render_file(&head, &file));
    declarations.push(quote! { mod record_writers; });
    let mod_path = dir.join("mod.rs");
    let mod_file = format::tokens_to_file(&mod_path, quote! { #(#declarations)* })?;
    out.files
        .insert(mod_path, format::render_file(&head, &mod_file));
    out.owned_dirs.insert(dir);
    Ok(())
}

/// Element name -> identifier, from the table named by `xsd_field_names`.
fn field_ids<'a>(
    config: &RustConfig,
    tables: &'a [CodeTable],
) -> Result<(BTreeMap<String, String>, Option<&'a CodeTable>), Error> {
    let Some(name) = &config.xsd_field_names else {
        return Ok((BTreeMap::new(), None));
    };
    let table = tables
        .iter()
        .find(|t| &t.table == name)
        .ok_or_else(|| Error::Spec(format!("xsd_field_names: no table `{name}`")))?;
    let entries = table.entries().map_err(Error::Spec)?;
    Ok((
        entries.into_iter().map(|e| (e.code, e.id)).collect(),
        Some(table),
    ))
}
