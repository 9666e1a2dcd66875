//! The packaging check of `cargo xtask ci`: `cargo package --no-verify` of every publishable
//! crate (manifests, versions of path dependencies, file lists), and no `include_str!` or
//! `include_bytes!` outside the crate's own directory (what a verifying `cargo package` would
//! find, in seconds instead of a fresh build of every crate). Members with `publish = false`
//! are skipped; their manifests say why.

use std::path::Path;

/// The arguments of the packaging step: `package --workspace --exclude <unpublishable>...`.
pub(crate) fn args(root: &Path) -> Result<Vec<String>, String> {
    let mut args: Vec<String> = [
        "package",
        "--workspace",
        "--no-verify",
        "--allow-dirty",
        "--locked",
    ]
    .map(str::to_owned)
    .to_vec();
    for manifest in member_manifests(root)? {
        let text = std::fs::read_to_string(&manifest)
            .map_err(|e| format!("{}: {e}", manifest.display()))?;
        if !text.lines().any(|l| l.trim() == "publish = false") {
            let dir = manifest.parent().unwrap_or(root);
            check_includes(dir, &dir.join("src"))?;
        } else {
            let name = text
                .lines()
                .find_map(|l| l.trim().strip_prefix("name = "))
                .map(|n| n.trim_matches('"').to_owned())
                .ok_or_else(|| format!("{}: no package name", manifest.display()))?;
            args.extend(["--exclude".to_owned(), name]);
        }
    }
    Ok(args)
}

fn member_manifests(root: &Path) -> Result<Vec<std::path::PathBuf>, String> {
    let mut out = vec![
        root.join("codegen/Cargo.toml"),
        root.join("xtask/Cargo.toml"),
    ];
    let crates = std::fs::read_dir(root.join("crates")).map_err(|e| format!("crates/: {e}"))?;
    for entry in crates.flatten() {
        let manifest = entry.path().join("Cargo.toml");
        if manifest.is_file() {
            out.push(manifest);
        }
    }
    out.sort();
    Ok(out)
}

/// Every `include_str!`/`include_bytes!` of non-test code under `src` stays inside `crate_dir`.
fn check_includes(crate_dir: &Path, src: &Path) -> Result<(), String> {
    let crate_dir = crate_dir
        .canonicalize()
        .map_err(|e| format!("{}: {e}", crate_dir.display()))?;
    let Ok(entries) = std::fs::read_dir(src) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            check_includes(&crate_dir, &path)?;
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        // Test modules close the file by convention; they are not packaged builds.
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        for (_, rest) in code
            .match_indices("include_")
            .map(|(i, _)| ((), &code[i..]))
        {
            let Some(args) = rest
                .strip_prefix("include_str!(\"")
                .or(rest.strip_prefix("include_bytes!(\""))
            else {
                continue;
            };
            let Some(relative) = args.split('"').next() else {
                continue;
            };
            let target = path.parent().unwrap_or(src).join(relative);
            let inside = target
                .canonicalize()
                .is_ok_and(|t| t.starts_with(&crate_dir));
            if !inside {
                return Err(format!(
                    "{}: `{relative}` is outside the crate, so `cargo package` of it fails; copy \
                     the data in with `cargo xtask regenerate` or move it into the crate",
                    path.display()
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_include_outside_the_crate_is_refused() {
        let root = std::env::temp_dir().join(format!("iryo-package-check-{}", std::process::id()));
        let krate = root.join("crates/demo");
        std::fs::create_dir_all(krate.join("src")).unwrap();
        std::fs::write(root.join("outside.json"), "{}").unwrap();
        std::fs::write(krate.join("inside.json"), "{}").unwrap();
        let lib = krate.join("src/lib.rs");
        std::fs::write(&lib, "const A: &str = include_str!(\"../inside.json\");\n").unwrap();
        assert!(check_includes(&krate, &krate.join("src")).is_ok());
        std::fs::write(
            &lib,
            "const A: &str = include_str!(\"../../../outside.json\");\n#[cfg(test)]\nmod t {}\n",
        )
        .unwrap();
        let err = check_includes(&krate, &krate.join("src")).unwrap_err();
        assert!(err.contains("outside the crate"), "{err}");
        std::fs::write(
            &lib,
            "#[cfg(test)]\nmod t { const A: &str = include_str!(\"../../../outside.json\"); }\n",
        )
        .unwrap();
        assert!(
            check_includes(&krate, &krate.join("src")).is_ok(),
            "tests are not packaged builds"
        );
        std::fs::remove_dir_all(&root).unwrap();
    }
}
