//! House rules of the workspace that a test can check.

#[cfg(test)]
mod tests {
    use std::process::Command;

    /// The generator's own crates: a client that pulled one in would compile the generator.
    const GENERATOR_PACKAGES: &[&str] = &[
        "iryo-codegen",
        "prettyplease",
        "openapiv3",
        "progenitor-impl",
        "typify-impl",
    ];

    /// The packages (name and version) that depend on `package`, through normal and build
    /// dependencies (dev-dependencies left out: tests may use anything).
    fn dependents(package: &str) -> Vec<String> {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let output = Command::new(cargo)
            .args([
                "tree",
                "--workspace",
                "-e",
                "normal,build",
                "--prefix",
                "none",
            ])
            .args(["--format", "{p}", "-i", package])
            .current_dir(crate::workspace_root())
            .output()
            .expect("cargo tree runs");
        assert!(
            output.status.success(),
            "cargo tree -i {package}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(|line| line.split(" (").next().unwrap_or(line).to_owned())
            .collect()
    }

    #[test]
    fn crates_never_depend_on_the_generator() {
        for package in GENERATOR_PACKAGES {
            let offenders: Vec<String> = dependents(package)
                .into_iter()
                .filter(|p| p.starts_with("iryo-") && !p.starts_with("iryo-codegen "))
                .collect();
            assert!(
                offenders.is_empty(),
                "{offenders:?} depend on {package}: building a client would compile the generator"
            );
        }
    }

    /// The check above sees what it must: the generator's own driver is found.
    #[test]
    fn the_dependency_check_sees_the_driver() {
        assert!(
            dependents("iryo-codegen")
                .iter()
                .any(|p| p.starts_with("xtask ")),
            "cargo tree should list xtask as a dependent of iryo-codegen"
        );
    }

    /// The README is the front door, not the manual: the rest lives in the crate pages and docs/.
    #[test]
    fn the_readme_stays_short() {
        let size = std::fs::metadata(crate::workspace_root().join("README.md"))
            .unwrap()
            .len();
        assert!(size <= 12 * 1024, "README.md is {size} bytes, over 12 KiB");
    }

    /// Every published crate's page on docs.rs is its README (whose examples are doc tests), and
    /// says which features docs.rs documents.
    #[test]
    fn every_published_crate_has_its_readme_as_crate_docs() {
        let crates = crate::workspace_root().join("crates");
        let mut problems = Vec::new();
        for entry in std::fs::read_dir(&crates).unwrap() {
            let dir = entry.unwrap().path();
            let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
            if manifest.contains("publish = false") {
                continue;
            }
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            if !dir.join("README.md").is_file() {
                problems.push(format!("{name}: no README.md"));
            }
            if !manifest.contains("[package.metadata.docs.rs]") {
                problems.push(format!("{name}: no [package.metadata.docs.rs]"));
            }
            let lib = dir.join("src/lib.rs");
            if lib.is_file()
                && !std::fs::read_to_string(&lib)
                    .unwrap()
                    .starts_with("#![doc = include_str!(\"../README.md\")]")
            {
                problems.push(format!(
                    "{name}: src/lib.rs does not start with the README as its docs"
                ));
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
