//! Snapshot tests (insta): representative playbooks in `tests/fixtures/`,
//! written with a messy layout, and their canonical form in
//! `tests/snapshots/`. Re-bless with `INSTA_UPDATE=always cargo test -p
//! augur-fmt --test snapshots` (or `cargo insta review`) and read the diff.
//!
//! Each fixture is also checked for the properties; the exact rules are
//! pinned one by one in `layout.rs`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

fn snapshot(name: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(format!("{name}.augur"));
    let text = std::fs::read_to_string(&path).unwrap();
    let formatted =
        common::check(&text).unwrap_or_else(|| panic!("{} does not parse", path.display()));
    insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!(name, formatted);
    });
}

#[test]
fn messy_standing() {
    snapshot("messy_standing");
}

#[test]
fn comments() {
    snapshot("comments");
}

#[test]
fn chinese() {
    snapshot("chinese");
}

#[test]
fn escapes_and_empty() {
    snapshot("escapes_and_empty");
}
