//! `cargo xtask ci`: the one command that runs everything CI runs, in order, stopping at the
//! first failure.

use std::path::Path;
use std::process::Command;

/// One step: a label and the cargo arguments.
const STEPS: &[(&str, &[&str])] = &[
    ("format", &["fmt", "--all", "--check"]),
    ("regenerate --check", &["xtask", "regenerate", "--check"]),
    (
        "publish-specs --check",
        &["xtask", "publish-specs", "--check"],
    ),
    (
        "clippy",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    ),
    // The lightest build a user can choose: rustls with ring, no SQLite (no CMake, no aws-lc-sys).
    (
        "light features",
        &[
            "check",
            "-p",
            "iryo-orca",
            "-p",
            "iryo-plat",
            // Delivery without any sink: no process, HTTP or database code needed.
            "-p",
            "iryo-orca-deliver",
            "--no-default-features",
            "--features",
            "tls-ring",
        ],
    ),
    // The blocking facades and their examples (feature `blocking`, off by default).
    (
        "blocking examples",
        &[
            "clippy",
            "-p",
            "iryo-orca",
            "-p",
            "iryo-plat",
            "--features",
            "blocking",
            "--examples",
            "--lib",
            "--",
            "-D",
            "warnings",
        ],
    ),
    ("tests", &["test", "--workspace", "--all-targets"]),
    ("doc tests", &["test", "--workspace", "--doc"]),
    // Every crate page as docs.rs renders it, with every feature; a broken link or an
    // undocumented item fails (RUSTDOCFLAGS, below).
    (
        "docs",
        &["doc", "--workspace", "--all-features", "--no-deps"],
    ),
    // Other languages' tools on the published specs, installed pinned into target/spec-tools/.
    ("spec-check", &["xtask", "spec-check"]),
];

pub(crate) fn run(root: &Path) -> Result<(), String> {
    check_tools()?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    for (label, args) in STEPS {
        eprintln!("==> {label}: cargo {}", args.join(" "));
        let status = Command::new(&cargo)
            .args(*args)
            .current_dir(root)
            // Snapshots are compared, never written, in CI.
            .env("INSTA_UPDATE", "no")
            .env("CI", "true")
            .env("RUSTDOCFLAGS", "-D warnings")
            .status()
            .map_err(|e| format!("{label}: could not start cargo: {e}"))?;
        if !status.success() {
            return Err(format!("{label} failed ({status})"));
        }
    }
    let package = crate::package::args(root)?;
    eprintln!("==> packaging: cargo {}", package.join(" "));
    let status = Command::new(&cargo)
        .args(&package)
        .current_dir(root)
        .status()
        .map_err(|e| format!("packaging: could not start cargo: {e}"))?;
    if !status.success() {
        return Err(format!("packaging failed ({status})"));
    }
    eprintln!("==> all CI steps passed");
    Ok(())
}

/// Tools the tests call besides cargo, with how to get them.
const TOOLS: &[(&str, &str)] = &[
    ("xmllint", "apt-get install libxml2-utils"),
    // spec-check makes a venv and installs pinned npm packages under target/spec-tools/.
    (
        "python3",
        "apt-get install python3 python3-venv (3.11 is tested)",
    ),
    (
        "npm",
        "apt-get install nodejs npm (Node 20 and npm 11 are tested)",
    ),
    // The docs' sessions run as a reader would (crates/iryo-cli/tests/cli/transcripts.rs).
    ("sqlite3", "apt-get install sqlite3"),
    ("curl", "apt-get install curl"),
];

fn check_tools() -> Result<(), String> {
    for (tool, install) in TOOLS {
        let found = Command::new(tool).arg("--version").output().is_ok();
        if !found {
            return Err(format!(
                "`{tool}` is needed by the tests; install it with `{install}`"
            ));
        }
    }
    Ok(())
}
