//! The hand-written public surface of each client crate, committed as `public-api.txt` beside
//! its `Cargo.toml` (see `codegen::public_api` for what the listing covers), so a change of
//! surface is a visible diff. `UPDATE_PUBLIC_API=1 cargo test -p xtask --test public_api`
//! writes the listings anew.

use std::path::Path;

const CLIENT_CRATES: &[&str] = &["iryo-orca", "iryo-plat", "iryo-hiyari", "iryo-runtime"];

#[test]
fn public_surfaces_match_their_listing() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let update = std::env::var_os("UPDATE_PUBLIC_API").is_some();
    let mut stale = Vec::new();
    for name in CLIENT_CRATES {
        let dir = root.join("crates").join(name);
        let listing = codegen::public_api::list(&dir).unwrap();
        let committed = dir.join("public-api.txt");
        if update {
            std::fs::write(&committed, &listing).unwrap();
        } else if std::fs::read_to_string(&committed).ok().as_deref() != Some(listing.as_str()) {
            stale.push(committed.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "the public surface changed: review, then UPDATE_PUBLIC_API=1 cargo test -p xtask --test public_api \
         and commit {stale:?}"
    );
}

/// The user surface of `iryo-runtime`, its root: the names a user of iryo-orca, iryo-plat or
/// iryo-hiyari meets in those crates' signatures, re-exports and docs. Everything else the client
/// crates, their generated code and the runtime's macros share lives in the `#[doc(hidden)]`
/// `iryo_runtime::__private`. A name added here is a new public API of every client.
const RUNTIME_ROOT: &[&str] = &[
    "Blocking",
    "BodyCut",
    "ClientIdentity",
    "Credentials",
    "IdentityError",
    "InsecureHttp",
    "RawJson",
    "RetryPolicy",
    "Secret",
    "TokenError",
    "TokenFuture",
    "TokenProvider",
    "Transport",
    "TransportError",
    "UnknownFields",
];

#[test]
fn runtime_root_is_the_user_surface() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let listing = codegen::public_api::list(&root.join("crates/iryo-runtime")).unwrap();
    let mut found: Vec<String> = listing
        .lines()
        .filter_map(|line| line.strip_prefix("src/lib.rs: "))
        .flat_map(root_names)
        .collect();
    found.sort();
    let mut expected: Vec<String> = RUNTIME_ROOT.iter().map(ToString::to_string).collect();
    expected.sort();
    assert_eq!(
        found, expected,
        "iryo-runtime's root is its user surface: plumbing goes in `__private` (`#[doc(hidden)]`); \
         a type a client's users meet goes in RUNTIME_ROOT"
    );
}

/// The names a root line of the listing makes public: a re-export's names (`use m :: { A , B }`,
/// `use m :: *`), else the item's name (`struct Name`, `fn name (..)`, `mod name`, `macro name!`).
fn root_names(line: &str) -> Vec<String> {
    if let Some(tree) = line.strip_prefix("use ") {
        // The listing's tokens are spaced: a leaf is a name (or `*`) not followed by `::` or `as`.
        let tokens: Vec<&str> = tree.split_whitespace().collect();
        return tokens
            .iter()
            .enumerate()
            .filter(|(i, token)| {
                let next = tokens.get(i + 1).copied();
                let name = token.chars().all(|c| c.is_alphanumeric() || c == '_') || **token == "*";
                name && next != Some("::") && next != Some("as")
            })
            .map(|(_, token)| token.to_string())
            .collect();
    }
    let keywords = [
        "pub", "async", "unsafe", "const", "fn", "struct", "enum", "trait", "type", "mod", "macro",
    ];
    line.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .find(|word| !word.is_empty() && !keywords.contains(word))
        .map(|name| vec![name.to_string()])
        .unwrap_or_default()
}
