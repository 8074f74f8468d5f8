//! The parser's golden corpus, one test per file: every `tests/parse/*.augur`
//! is parsed and its tree (without spans), the names of broken declarations,
//! and its diagnostics (line, column, code, message) are compared with the
//! insta snapshot `tests/snapshots/parse__<name>.snap`. Re-bless with
//! `INSTA_UPDATE=always cargo test -p augur-syntax --test parse_cases`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use augur_syntax::{ColumnUnit, LineIndex};
use libtest_mimic::{Arguments, Failed, Trial};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/parse");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "augur"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "the parse corpus is missing");
    let trials = files
        .into_iter()
        .map(|file| {
            let name = file.file_stem().unwrap().to_string_lossy().into_owned();
            Trial::test(name, move || parse_case(&file))
        })
        .collect();
    libtest_mimic::run(&Arguments::from_args(), trials).exit();
}

fn parse_case(file: &Path) -> Result<(), Failed> {
    let text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
    let parse = augur_syntax::parse(&text);
    let lines = LineIndex::new(&text);
    let mut out = String::new();
    for item in &parse.file.items {
        writeln!(out, "{:#?}", item.node).unwrap();
    }
    for decl in &parse.file.broken {
        writeln!(out, "broken {:?} `{}`", decl.kind, decl.name.node).unwrap();
    }
    for d in &parse.diagnostics {
        let at = lines.line_col(&text, d.span.start, ColumnUnit::Char);
        writeln!(
            out,
            "{}:{}: {} {}",
            at.line + 1,
            at.column + 1,
            d.code.as_str(),
            d.message
        )
        .unwrap();
    }
    let name = file.file_stem().unwrap().to_string_lossy().into_owned();
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots"));
    settings.bind(|| insta::assert_snapshot!(format!("parse__{name}"), out));
    Ok(())
}
