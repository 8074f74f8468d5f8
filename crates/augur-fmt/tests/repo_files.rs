//! Properties over every playbook in the repository: each `*.augur` under
//! `examples/`, `tests/` and `crates/*/tests/` that parses is formatted
//! idempotently, with its meaning and every comment kept.
//!
//! Folders that do not exist yet are skipped, and so are files with parse
//! errors (they are deliberate fixtures of other crates); this test does not
//! say what the layout is (the snapshot tests do).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path
                .file_name()
                .is_some_and(|name| name == "target" || name == ".git")
            {
                continue;
            }
            collect(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "augur") {
            out.push(path);
        }
    }
}

#[test]
fn every_playbook_in_the_repository_keeps_its_meaning_and_comments() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    collect(&root.join("examples"), &mut files);
    collect(&root.join("tests"), &mut files);
    if let Ok(crates) = std::fs::read_dir(root.join("crates")) {
        for krate in crates.flatten() {
            collect(&krate.path().join("tests"), &mut files);
        }
    }
    files.sort();
    let mut formatted = 0;
    for path in &files {
        eprintln!("checking {}", path.display());
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if common::check(&text).is_some() {
            formatted += 1;
        }
    }
    eprintln!("checked {formatted} of {} playbooks", files.len());
    // The examples and this crate's own fixtures always exist and parse.
    assert!(formatted >= 2, "found too few playbooks: {files:?}");
}
