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
