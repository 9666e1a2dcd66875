//! Python and TypeScript clients generated from the bundle, and their tests against the mock.

use super::*;

pub(super) fn generate_python(layout: &Layout) -> Result<String, String> {
    let out = layout.tools.join("py-clients");
    remove_dir(&out)?;
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    for api in APIS_WITH_CLIENTS {
        run_tool(
            layout
                .command(layout.venv_bin("openapi-python-client"))
                .arg("generate")
                .arg("--path")
                .arg(layout.specs.join(format!("{api}/openapi.yaml")))
                .arg("--output-path")
                .arg(out.join(format!("{api}_client")))
                .args(["--meta", "none"]),
            TOOL_LIMIT,
        )?;
    }
    run_tool(
        layout
            .command(layout.venv_bin("xsdata"))
            .arg("generate")
            .arg(layout.specs.join("hiyari/response.xsd"))
            .args(["--package", "hiyari_xsd"])
            .current_dir(&out),
        TOOL_LIMIT,
    )?;
    Ok("orca_client, plat_client (openapi-python-client), hiyari_xsd (xsdata) in target/spec-tools/py-clients".to_owned())
}

pub(super) fn pytest(layout: &Layout, binary: &Path) -> Result<String, String> {
    let orca = Mock::start(binary, "orca")?;
    let plat = Mock::start(binary, "plat")?;
    let hiyari = Mock::start(binary, "hiyari")?;
    let output = run_tool(
        layout
            .command(layout.venv_bin("python"))
            .args(["-m", "pytest", "-q", "-p", "no:cacheprovider", "--color=no"])
            .arg(layout.check_dir.join("test_clients.py"))
            .arg(layout.check_dir.join("test_harvest.py"))
            .arg(layout.check_dir.join("test_digest.py"))
            .arg(layout.check_dir.join("test_datapackage.py"))
            .arg(layout.check_dir.join("test_webhooks.py"))
            .arg(layout.check_dir.join("test_fleet_config.py"))
            .env("IRYO_BIN", binary.with_file_name("iryo"))
            .env("PYTHONPATH", layout.tools.join("py-clients"))
            .env("IRYO_SPECS", &layout.specs)
            .env("IRYO_ORCA_URL", orca.origin())
            .env("IRYO_PLAT_URL", &plat.url)
            .env("IRYO_HIYARI_URL", &hiyari.url),
        TOOL_LIMIT,
    )?;
    let last = output
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    Ok(last.trim().to_owned())
}

pub(super) fn generate_typescript(layout: &Layout) -> Result<String, String> {
    let out = layout.tools.join("ts");
    remove_dir(&out)?;
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    for api in OPENAPI_APIS {
        run_tool(
            layout
                .command(layout.node_bin("openapi-typescript"))
                .arg(layout.specs.join(format!("{api}/openapi.yaml")))
                .arg("--output")
                .arg(out.join(format!("{api}.ts"))),
            TOOL_LIMIT,
        )?;
    }
    Ok(format!(
        "{} in target/spec-tools/ts (openapi-typescript)",
        OPENAPI_APIS
            .iter()
            .map(|api| format!("{api}.ts"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

pub(super) fn tsc(layout: &Layout) -> Result<String, String> {
    run_tool(
        layout
            .command(layout.node_bin("tsc"))
            .args(["--noEmit", "--project"])
            .arg(&layout.check_dir),
        TOOL_LIMIT,
    )?;
    Ok("tools/spec-check/usage.ts type-checks against the generated types".to_owned())
}
