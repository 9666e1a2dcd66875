//! What only a `#[doc(hidden)]` module shows, left out of the listing: the names an inline hidden
//! module re-exports (`iryo_runtime::__private`), the files of a hidden module (`iryo_hiyari::xml`),
//! and private types (whose trait impls are no surface).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::{is_left_out, is_public};

/// The files of the `#[doc(hidden)] pub mod name;` modules (`name.rs` and `name/**`).
pub(super) fn hidden_files(parsed: &[(PathBuf, syn::File)]) -> BTreeSet<PathBuf> {
    let mut roots = Vec::new();
    for (path, file) in parsed {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let dir = match stem {
            "lib" | "main" | "mod" => path.parent().map(Path::to_path_buf),
            _ => Some(path.with_extension("")),
        };
        for item in &file.items {
            if let (syn::Item::Mod(m), Some(dir)) = (item, &dir)
                && m.content.is_none()
                && is_left_out(&m.attrs)
            {
                roots.push(dir.join(m.ident.to_string()));
            }
        }
    }
    let within = |path: &Path| {
        roots
            .iter()
            .any(|root| path.starts_with(root) || path == root.with_extension("rs"))
    };
    parsed
        .iter()
        .map(|(path, _)| path)
        .filter(|path| within(path))
        .cloned()
        .collect()
}

/// The names only a `#[doc(hidden)]` module shows: those its `pub use` re-exports (for every
/// file), and those the files of a hidden module declare (for those files), less those a shown
/// `pub use` re-exports.
pub(super) fn hidden_names(
    parsed: &[(PathBuf, syn::File)],
    files: &BTreeSet<PathBuf>,
) -> (BTreeSet<String>, BTreeSet<String>) {
    let (mut reexported, mut declared, mut shown) =
        (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    let (mut private_types, mut public_types) = (BTreeSet::new(), BTreeSet::new());
    for (path, file) in parsed {
        types_by_visibility(&file.items, &mut private_types, &mut public_types);
        if files.contains(path) {
            declared.extend(file.items.iter().filter_map(declared_name));
        } else {
            reexports(&file.items, false, &mut reexported, &mut shown);
        }
    }
    // A private type's trait impls (`impl Visitor for Count`) are not a surface either.
    let private = private_types.difference(&public_types).cloned();
    let everywhere: BTreeSet<String> = reexported
        .difference(&shown)
        .cloned()
        .chain(private)
        .collect();
    let in_hidden_files = declared.difference(&shown).chain(&everywhere).cloned();
    (everywhere.clone(), in_hidden_files.collect())
}

/// The structs and enums declared `pub` and those declared narrower.
fn types_by_visibility(
    list: &[syn::Item],
    private: &mut BTreeSet<String>,
    public: &mut BTreeSet<String>,
) {
    for item in list {
        let (ident, vis) = match item {
            syn::Item::Struct(s) => (&s.ident, &s.vis),
            syn::Item::Enum(e) => (&e.ident, &e.vis),
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    types_by_visibility(inner, private, public);
                }
                continue;
            }
            _ => continue,
        };
        let set = if is_public(vis) {
            &mut *public
        } else {
            &mut *private
        };
        set.insert(ident.to_string());
    }
}

/// The name an item declares (a type, trait, function, constant or alias).
fn declared_name(item: &syn::Item) -> Option<String> {
    let ident = match item {
        syn::Item::Fn(f) => &f.sig.ident,
        syn::Item::Struct(s) => &s.ident,
        syn::Item::Enum(e) => &e.ident,
        syn::Item::Trait(t) => &t.ident,
        syn::Item::Type(t) => &t.ident,
        syn::Item::Const(c) => &c.ident,
        _ => return None,
    };
    Some(ident.to_string())
}

fn reexports(
    list: &[syn::Item],
    in_hidden: bool,
    hidden: &mut BTreeSet<String>,
    shown: &mut BTreeSet<String>,
) {
    for item in list {
        match item {
            syn::Item::Use(u) if is_public(&u.vis) => {
                let hides = in_hidden || is_left_out(&u.attrs);
                use_names(&u.tree, if hides { &mut *hidden } else { &mut *shown });
            }
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    let hides = in_hidden || is_left_out(&m.attrs);
                    reexports(inner, hides, hidden, shown);
                }
            }
            _ => {}
        }
    }
}

/// The names of the items a `use` tree imports (as they are declared, before any `as`).
fn use_names(tree: &syn::UseTree, out: &mut BTreeSet<String>) {
    match tree {
        syn::UseTree::Path(path) => use_names(&path.tree, out),
        syn::UseTree::Name(name) => {
            out.insert(name.ident.to_string());
        }
        syn::UseTree::Rename(rename) => {
            out.insert(rename.ident.to_string());
        }
        syn::UseTree::Group(group) => group.items.iter().for_each(|tree| use_names(tree, out)),
        syn::UseTree::Glob(_) => {}
    }
}

/// The last segment's name of a type or path (`Shell < R >` is `Shell`).
pub(super) fn last_name(tokens: &str) -> &str {
    let head = tokens.split('<').next().unwrap_or(tokens);
    head.rsplit("::").next().unwrap_or(head).trim()
}
