//! The bundle checked by other languages' validators: OpenAPI, Redocly, AsyncAPI, xmllint.

use super::*;

pub(super) fn openapi_documents(layout: &Layout) -> Vec<PathBuf> {
    OPENAPI_APIS
        .iter()
        .flat_map(|api| {
            ["yaml", "json"].map(|ext| layout.specs.join(format!("{api}/openapi.{ext}")))
        })
        .collect()
}

pub(super) fn openapi_spec_validator(layout: &Layout) -> Result<String, String> {
    let mut documents = openapi_documents(layout);
    // What `iryo orca watch --webhook` sends (OpenAPI 3.1 `webhooks`).
    documents.extend(["yaml", "json"].map(|ext| layout.specs.join(format!("orca/webhooks.{ext}"))));
    run_tool(
        layout
            .command(layout.venv_bin("openapi-spec-validator"))
            .args(&documents),
        TOOL_LIMIT,
    )?;
    Ok(format!("{} documents valid", documents.len()))
}

/// The AsyncAPI documents of the bundle (the ORCA push socket), YAML and JSON.
pub(super) fn asyncapi_documents(layout: &Layout) -> Vec<PathBuf> {
    ["yaml", "json"]
        .map(|ext| layout.specs.join(format!("orca/asyncapi.{ext}")))
        .to_vec()
}

/// `asyncapi validate` (the AsyncAPI CLI, pinned in package.json): errors fail the step.
pub(super) fn asyncapi_validate(layout: &Layout) -> Result<String, String> {
    let documents = asyncapi_documents(layout);
    let settings = layout.tools.join("asyncapi-analytics.json");
    std::fs::write(
        &settings,
        r#"{"analyticsEnabled":"false","infoMessageShown":"true","userID":"iryo-spec-check"}"#,
    )
    .map_err(|e| format!("{}: {e}", settings.display()))?;
    for document in &documents {
        run_tool(
            layout
                .command(layout.node_bin("asyncapi"))
                .args(["validate", "--fail-severity=error"])
                .arg(document),
            TOOL_LIMIT,
        )?;
    }
    Ok(format!("{} documents valid", documents.len()))
}

pub(super) fn redocly_lint(layout: &Layout) -> Result<String, String> {
    let output = run_tool(
        layout
            .command(layout.node_bin("redocly"))
            .args(["lint", "--format=summary", "--config"])
            .arg(layout.check_dir.join("redocly.yaml")),
        TOOL_LIMIT,
    )?;
    // Summary lines look like `warning info-license: 1`, once per document.
    let mut warnings: std::collections::BTreeMap<String, u64> = Default::default();
    for line in output.lines() {
        if let Some(rest) = line.trim().strip_prefix("warning ")
            && let Some((rule, count)) = rest.rsplit_once(": ")
        {
            *warnings.entry(rule.to_owned()).or_default() +=
                count.trim().parse::<u64>().unwrap_or(0);
        }
    }
    let total: u64 = warnings.values().sum();
    let listed: Vec<String> = warnings
        .iter()
        .map(|(rule, n)| format!("{rule} {n}"))
        .collect();
    Ok(format!(
        "{} documents, no errors, {total} warnings ({})",
        openapi_documents(layout).len(),
        listed.join(", ")
    ))
}

pub(super) fn xmllint_examples(layout: &Layout) -> Result<String, String> {
    let xsd = layout.specs.join("hiyari/response.xsd");
    let examples: Vec<PathBuf> = std::fs::read_dir(layout.specs.join("hiyari/examples"))
        .map_err(|e| format!("hiyari/examples: {e}"))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "xml"))
        .collect();
    if examples.is_empty() {
        return Err("no XML example to validate".to_owned());
    }
    run_tool(
        layout
            .command("xmllint")
            .args(["--noout", "--schema"])
            .arg(&xsd)
            .args(&examples),
        TOOL_LIMIT,
    )
    .map_err(|e| format!("{e}\n(xmllint comes from Debian's libxml2-utils)"))?;
    Ok(format!(
        "hiyari/response.xsd (strict) accepts {} example(s)",
        examples.len()
    ))
}
