//! The one writer of generated files, with a check mode that writes nothing.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::{Error, Rendered};

/// What [`sync`] does with a rendering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Rewrite files whose bytes differ, create missing ones, delete orphans.
    Write,
    /// Write nothing; report every stale, missing and orphan file.
    Check,
}

/// What [`sync`] found (in `Check` mode) or did (in `Write` mode).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncReport {
    /// Files whose content differs from the rendering.
    pub stale: Vec<PathBuf>,
    /// Files the rendering has and the disk does not.
    pub missing: Vec<PathBuf>,
    /// Files in a generated folder that nothing renders.
    pub orphans: Vec<PathBuf>,
    /// A short diff of the first stale file, for the error message.
    pub first_diff: Option<String>,
}

impl SyncReport {
    /// True when disk and rendering agree.
    pub fn is_clean(&self) -> bool {
        self.stale.is_empty() && self.missing.is_empty() && self.orphans.is_empty()
    }

    /// A human-readable list of the differences and the command that fixes them.
    pub fn describe(&self, fix_command: &str) -> String {
        let mut text = String::new();
        for (label, paths) in [
            ("stale", &self.stale),
            ("missing", &self.missing),
            ("orphan", &self.orphans),
        ] {
            for path in paths {
                let _ = writeln!(text, "  {label}: {}", path.display());
            }
        }
        if let Some(diff) = &self.first_diff {
            let _ = writeln!(text, "{diff}");
        }
        let _ = write!(text, "run `{fix_command}` and commit the result");
        text
    }
}

/// Applies `rendered` under `root` in the given mode.
pub fn sync(root: &Path, rendered: &Rendered, mode: Mode) -> Result<SyncReport, Error> {
    let orphans = find_orphans(root, rendered)?;
    let files = rendered
        .files
        .iter()
        .map(|(path, text)| (path, text.as_bytes()));
    sync_files(root, files, orphans, "generated", mode)
}

/// The one writer: in `Write` mode rewrites the files whose bytes differ, creates missing ones and
/// deletes `orphans`; in `Check` mode writes nothing. `label` names the source in diffs.
pub(crate) fn sync_files<'a>(
    root: &Path,
    files: impl IntoIterator<Item = (&'a PathBuf, &'a [u8])>,
    orphans: Vec<PathBuf>,
    label: &str,
    mode: Mode,
) -> Result<SyncReport, Error> {
    let mut report = SyncReport::default();
    for (relative, content) in files {
        let path = root.join(relative);
        match std::fs::read(&path) {
            Ok(bytes) if bytes == content => continue,
            Ok(bytes) => {
                if report.first_diff.is_none() {
                    report.first_diff = Some(short_diff(relative, &bytes, content, label));
                }
                report.stale.push(relative.clone());
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                report.missing.push(relative.clone())
            }
            Err(e) => return Err(Error::io(relative, e)),
        }
        if mode == Mode::Write {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
            }
            std::fs::write(&path, content).map_err(|e| Error::io(relative, e))?;
        }
    }
    report.orphans = orphans;
    if mode == Mode::Write {
        for orphan in &report.orphans {
            std::fs::remove_file(root.join(orphan)).map_err(|e| Error::io(orphan, e))?;
        }
    }
    Ok(report)
}

/// Files under owned generated folders (or, for a complete rendering, any `crates/*/src/generated`)
/// that the rendering does not produce.
fn find_orphans(root: &Path, rendered: &Rendered) -> Result<Vec<PathBuf>, Error> {
    let mut dirs: BTreeSet<PathBuf> = rendered.owned_dirs.clone();
    if rendered.complete {
        dirs.extend(all_generated_dirs(root)?);
    }
    let mut orphans = Vec::new();
    for dir in dirs {
        let unknown = files_under(root, &dir)?
            .into_iter()
            .filter(|f| !rendered.files.contains_key(f));
        orphans.extend(unknown);
    }
    orphans.sort();
    Ok(orphans)
}

fn all_generated_dirs(root: &Path) -> Result<Vec<PathBuf>, Error> {
    let crates = root.join("crates");
    let Ok(entries) = std::fs::read_dir(&crates) else {
        return Ok(vec![]);
    };
    let mut dirs = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("crates", e))?;
        let relative = Path::new("crates")
            .join(entry.file_name())
            .join("src")
            .join("generated");
        if root.join(&relative).is_dir() {
            dirs.push(relative);
        }
    }
    Ok(dirs)
}

/// Every file below `relative` (relative to `root`), as paths relative to `root`, sorted; none
/// when the folder does not exist.
pub(crate) fn files_under(root: &Path, relative: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut found = Vec::new();
    walk(root, relative, &mut found)?;
    found.sort();
    Ok(found)
}

fn walk(root: &Path, relative: &Path, found: &mut Vec<PathBuf>) -> Result<(), Error> {
    let Ok(entries) = std::fs::read_dir(root.join(relative)) else {
        return Ok(());
    };
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(relative, e))?;
        let child = relative.join(entry.file_name());
        if entry.path().is_dir() {
            walk(root, &child, found)?;
        } else {
            found.push(child);
        }
    }
    Ok(())
}

/// The first few differing lines, old then new; a size note for bytes that are not UTF-8.
fn short_diff(path: &Path, old: &[u8], new: &[u8], label: &str) -> String {
    let (Ok(old), Ok(new)) = (std::str::from_utf8(old), std::str::from_utf8(new)) else {
        return format!(
            "{}: binary content differs ({} bytes on disk, {} {label})",
            path.display(),
            old.len(),
            new.len()
        );
    };
    let mut out = format!(
        "--- {} (on disk)\n+++ {} ({label})\n",
        path.display(),
        path.display()
    );
    let (old_lines, new_lines): (Vec<_>, Vec<_>) = (old.lines().collect(), new.lines().collect());
    let mut shown = 0;
    for i in 0..old_lines.len().max(new_lines.len()) {
        let (a, b) = (old_lines.get(i), new_lines.get(i));
        if a != b {
            let _ = writeln!(out, "@@ line {} @@", i + 1);
            if let Some(a) = a {
                let _ = writeln!(out, "-{a}");
            }
            if let Some(b) = b {
                let _ = writeln!(out, "+{b}");
            }
            shown += 1;
            if shown == 5 {
                break;
            }
        }
    }
    out
}
