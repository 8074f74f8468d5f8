//! Data-driven checker cases, one test per file: every `tests/check/*.augur`
//! lists the diagnostic codes it must produce in `# expect: augur::…` comments
//! (none means the file must check clean), and its rendered diagnostics are
//! an insta snapshot (`tests/snapshots/cases__<name>.snap`; re-bless with
//! `INSTA_UPDATE=always cargo test -p augur-check --test cases`).
//!
//! Run one case alone: `cargo test -p augur-check --test cases -- <name>`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use libtest_mimic::{Arguments, Failed, Trial};
use std::path::{Path, PathBuf};

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/check");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "augur"))
        .collect();
    files.sort();
    assert!(files.len() >= 15, "the check cases are missing");
    let trials = files
        .into_iter()
        .map(|file| {
            let name = file.file_stem().unwrap().to_string_lossy().into_owned();
            Trial::test(name, move || check_case(&file))
        })
        .collect();
    libtest_mimic::run(&Arguments::from_args(), trials).exit();
}

fn check_case(file: &Path) -> Result<(), Failed> {
    let text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
    let mut expected: Vec<String> = text
        .lines()
        .filter_map(|l| l.strip_prefix("# expect: "))
        .map(|c| c.trim().to_string())
        .collect();
    let analysis = augur_check::analyze_text(&text);
    let mut found: Vec<String> = analysis
        .diagnostics
        .iter()
        .map(|d| d.code.as_str().to_string())
        .collect();
    expected.sort();
    found.sort();
    if found != expected {
        return Err(format!(
            "expected {expected:?}, found {found:?}: {:#?}",
            analysis.diagnostics
        )
        .into());
    }
    // Every diagnostic has a span inside the text, a message and a help line.
    for d in &analysis.diagnostics {
        if d.span.end > text.len() || d.message.is_empty() || d.help.is_none() {
            return Err(format!("incomplete diagnostic: {d:?}").into());
        }
    }
    let name = file.file_stem().unwrap().to_string_lossy().into_owned();
    let rendered: String = analysis
        .diagnostics
        .iter()
        .map(|d| augur_render::render_report(d, &format!("{name}.augur"), &text, false))
        .collect();
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots"));
    settings.bind(|| insta::assert_snapshot!(format!("cases__{name}"), rendered));
    Ok(())
}
