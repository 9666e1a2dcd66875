//! The public-api listing leaves out what only a `#[doc(hidden)]` module shows: the items an inline
//! hidden module re-exports (`iryo_runtime::__private`) and the files of a hidden module
//! (`iryo_hiyari::xml`), unless a shown `pub use` re-exports them; a name repeated in a shown
//! module stays listed; a private type's trait impls are left out.

use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join("src").join(name), text).unwrap();
}

#[test]
fn listing_leaves_out_what_only_hidden_modules_show() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    write(
        dir.path(),
        "lib.rs",
        "mod plumb;\nmod shown;\npub mod open;\n#[doc(hidden)]\npub mod hidden;\n\
         pub use shown::Shown;\npub use hidden::Kept;\n\
         #[doc(hidden)]\npub mod __private {\n    pub use crate::plumb::{Plumbing, helper};\n}\n",
    );
    write(
        dir.path(),
        "plumb.rs",
        "pub struct Plumbing;\nimpl Plumbing {\n    pub fn go(&self) {}\n}\n\
         impl Clone for Plumbing {\n    fn clone(&self) -> Self { Plumbing }\n}\npub fn helper() {}\n",
    );
    write(
        dir.path(),
        "shown.rs",
        "pub struct Shown;\nimpl Shown {\n    pub fn new() -> Self { Shown }\n}\n\
         pub(crate) struct Quiet;\nimpl Clone for Quiet {\n    fn clone(&self) -> Self { Quiet }\n}\n",
    );
    write(
        dir.path(),
        "hidden.rs",
        "pub fn same_name() {}\npub struct Inner;\nimpl Inner {\n    pub fn x(&self) {}\n}\n\
         pub struct Kept;\npub use crate::shown::Shown as Again;\n",
    );
    write(dir.path(), "open.rs", "pub fn same_name() {}\n");

    let listing = codegen::public_api::list(dir.path()).unwrap();
    for shown in [
        "src/shown.rs: struct Shown {  }",
        "src/shown.rs: impl Shown fn new () -> Self",
        "src/open.rs: fn same_name ()",
        "src/hidden.rs: struct Kept {  }",
        "src/lib.rs: use shown :: Shown",
    ] {
        assert!(
            listing.lines().any(|l| l == shown),
            "{shown} missing:\n{listing}"
        );
    }
    for hidden in [
        "Plumbing",
        "helper",
        "Inner",
        "src/hidden.rs: fn",
        "Again",
        "__private",
    ] {
        assert!(!listing.contains(hidden), "{hidden} listed:\n{listing}");
    }
}
