//! The `spec-check` step `pip install iryo`: maturin builds the wheel of `python/iryo/` (the
//! `iryo` command as a binary wheel plus the pure-Python `iryo.hiyari`), a fresh venv installs
//! it with pandas, and `tools/spec-check/wheel_check.py` harvests the hiyari mock with the
//! installed command and reads the database with `iryo.hiyari.read_db`.
//!
//! The wheel is built with the dev profile: it reuses what the test steps compiled (a release
//! build of the CLI costs many minutes on a 2-core CI machine); `maturin build --release` in
//! `python/iryo/` builds the wheel to publish.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use crate::spec_tools::{INSTALL_LIMIT, Layout, Mock, TOOL_LIMIT, remove_dir, run_tool};

pub(crate) fn check(layout: &Layout, mock_binary: &Path) -> Result<String, String> {
    let wheels = layout.tools.join("wheels");
    remove_dir(&wheels)?;
    let started = Instant::now();
    run_tool(
        layout
            .command(layout.venv_bin("maturin"))
            .args(["build", "--quiet", "--profile", "dev", "--out"])
            .arg(&wheels)
            .current_dir(layout.root.join("python/iryo")),
        INSTALL_LIMIT,
    )?;
    let built = started.elapsed().as_secs_f64();
    let wheel = std::fs::read_dir(&wheels)
        .map_err(|e| format!("{}: {e}", wheels.display()))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| path.extension().is_some_and(|e| e == "whl"))
        .ok_or("maturin wrote no wheel")?;
    let size = std::fs::metadata(&wheel).map_err(|e| e.to_string())?.len();

    let venv = layout.tools.join("wheel-venv");
    remove_dir(&venv)?;
    run_tool(
        Command::new("python3").arg("-m").arg("venv").arg(&venv),
        TOOL_LIMIT,
    )?;
    let requirement = format!("{}[pandas]", wheel.display());
    run_tool(
        layout
            .command(venv.join("bin/python"))
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                &requirement,
                "--constraint",
            ])
            .arg(layout.check_dir.join("requirements.txt")),
        INSTALL_LIMIT,
    )?;
    let hiyari = Mock::start(mock_binary, "hiyari")?;
    let output = run_tool(
        layout
            .command(venv.join("bin/python"))
            .arg(layout.check_dir.join("wheel_check.py"))
            .env("IRYO_HIYARI_URL", &hiyari.url),
        TOOL_LIMIT,
    )?;
    let line = output
        .lines()
        .find(|l| l.starts_with("wheel:"))
        .unwrap_or("");
    Ok(format!(
        "{} ({:.1} MB, built in {built:.1} s); {}",
        wheel.file_name().unwrap_or_default().to_string_lossy(),
        size as f64 / 1e6,
        line.trim_start_matches("wheel: ")
    ))
}
