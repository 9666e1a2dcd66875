//! `docs/cli.md`, rendered from clap's definitions: every command's `--help`, the environment
//! variables and the exit codes. The test fails when the file drifts;
//! `IRYO_UPDATE_DOCS=1 cargo test -p iryo-cli --bin iryo cli_reference` rewrites it.

use std::fmt::Write as _;

use clap::Command;

use crate::error::EXIT_CODES_HELP;

const HEADER: &str = "\
<!-- Generated from the clap definitions of crates/iryo-cli by \
`IRYO_UPDATE_DOCS=1 cargo test -p iryo-cli --bin iryo cli_reference`. DO NOT EDIT. -->

# The `iryo` command reference

Every command's `--help`, then the [environment variables](#environment-variables) and the
[exit codes](#exit-codes). Records go to stdout; progress, summaries and the one `error: ...` line
go to stderr.
";

/// The whole reference.
pub fn render(mut root: Command) -> String {
    root.build();
    let mut commands = Vec::new();
    collect(&root, "", &mut commands);
    let mut out = String::from(HEADER);
    out.push_str("\n## Commands\n\n");
    for (path, _) in &commands {
        let _ = writeln!(out, "- [`{path}`](#{})", anchor(path));
    }
    for (path, command) in &commands {
        let help = (*command).clone().render_long_help().to_string();
        let help = help.replace(EXIT_CODES_HELP, "Exit codes: see the table at the end.");
        let _ = write!(out, "\n## `{path}`\n\n```text\n{}\n```\n", help.trim_end());
    }
    out.push_str(&environment());
    let _ = write!(out, "\n## Exit codes\n\n```text\n{EXIT_CODES_HELP}\n```\n");
    out
}

/// Every command, depth first, with its full name (`iryo orca watch`).
fn collect<'a>(command: &'a Command, parent: &str, out: &mut Vec<(String, &'a Command)>) {
    let path = match parent {
        "" => command.get_name().to_owned(),
        parent => format!("{parent} {}", command.get_name()),
    };
    out.push((path.clone(), command));
    for sub in command.get_subcommands().filter(|c| !c.is_hide_set()) {
        if sub.get_name() != "help" {
            collect(sub, &path, out);
        }
    }
}

/// GitHub's anchor of a heading `` `iryo orca watch` ``.
fn anchor(path: &str) -> String {
    path.replace(' ', "-")
}

fn environment() -> String {
    let mut out = String::from(
        "\n## Environment variables\n\nSecrets are read from the environment only and never printed.\n\n\
         | variable | holds | read by | secret |\n|---|---|---|---|\n",
    );
    for var in crate::env::ALL {
        let secret = if var.secret { "yes" } else { "no" };
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {secret} |",
            var.name, var.what, var.read_by
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn cli_reference_is_current() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/cli.md");
        let rendered = super::render(crate::command());
        if std::env::var_os("IRYO_UPDATE_DOCS").is_some() {
            std::fs::write(&path, &rendered).unwrap();
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == rendered,
            "docs/cli.md is not what the command line says: run \
             `IRYO_UPDATE_DOCS=1 cargo test -p iryo-cli --bin iryo cli_reference` and commit it"
        );
    }

    /// The house rule behind the table: no command reads a variable the reference does not list.
    #[test]
    fn environment_is_read_through_the_table_only() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut offenders = Vec::new();
        for file in rust_files(&src) {
            if file.ends_with("env.rs") || file.ends_with("reference.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&file).unwrap();
            if ["env::var(", "env::var_os(", "env = \""]
                .iter()
                .any(|needle| text.contains(needle))
            {
                offenders.push(file.display().to_string());
            }
        }
        assert!(
            offenders.is_empty(),
            "read variables through crate::env (and list them there): {offenders:?}"
        );
    }

    fn rust_files(dir: &Path) -> Vec<std::path::PathBuf> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files.extend(rust_files(&path));
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
        files
    }
}
