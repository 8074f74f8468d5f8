//! Deal inputs on disk: what the names on a command line (`deals.csv`, a
//! folder, `-`) mean, and walking folders.
//!
//! Shared by every command that reads deals "as `augur eval` does", and by
//! the commands that walk folders of playbooks, so they all agree on:
//!
//! - **the kind of an input**: from `--input` when given, else from the file
//!   name (`.csv`, `.json`, anything else is JSON Lines); stdin is JSON Lines
//!   unless `--input` says otherwise, so one broken line costs one record;
//! - **folders**: walked with the `ignore` crate: each file once (a symlink
//!   loop ends), hidden entries and what `.gitignore` or `.augurignore` files
//!   inside the named folder list are skipped, files in name order.
//!
//! Not here: reading the records (that is [`crate::batch`]), or terminals.

use crate::batch::{Input, InputKind};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The ignore file a folder of playbooks or deals may hold (gitignore
/// syntax), for fixtures a folder walk must not pick up.
pub const IGNORE_FILE: &str = ".augurignore";

/// `--input`: how to read inputs whatever their names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    /// One deal: the whole input is one JSON object.
    Json,
    /// One deal a line.
    Jsonl,
    /// A header row, then one deal a row.
    Csv,
}

/// How the input `name` is read: `forced` (`--input`) when given, else by
/// its name. `-` is stdin, read as JSON Lines by default.
pub fn input_kind(name: &str, forced: Option<InputFormat>) -> InputKind {
    match forced {
        Some(InputFormat::Json) => return InputKind::Json,
        Some(InputFormat::Jsonl) => return InputKind::Jsonl,
        Some(InputFormat::Csv) => return InputKind::Csv,
        None => {}
    }
    if name == "-" {
        InputKind::Stdin
    } else if name.ends_with(".csv") {
        InputKind::Csv
    } else if name.ends_with(".json") {
        InputKind::Json
    } else {
        // `.jsonl`, `.ndjson`, and anything else: JSON Lines, which also
        // covers a file holding one compact deal.
        InputKind::Jsonl
    }
}

/// Whether a file found in a folder is a deal file.
pub fn is_deal_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e, "json" | "jsonl" | "ndjson" | "csv"))
}

/// Whether a file found in a folder is a playbook.
pub fn is_playbook(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "augur")
}

/// The files under `root` that `wanted` accepts, each once, in name order.
/// A symlink inside `root` is followed (a loop ends, and a file reached
/// twice counts once); one whose target is outside `root` is skipped with
/// a note; hidden entries and what ignore files inside `root` list are
/// skipped. A file `root` itself is returned as is. Problems met on the way
/// (an unreadable folder, a loop) are returned as notes, not errors.
pub fn walk(root: &Path, wanted: impl Fn(&Path) -> bool) -> (Vec<PathBuf>, Vec<String>) {
    let mut files = Vec::new();
    let mut notes = Vec::new();
    if !root.is_dir() {
        files.push(root.to_path_buf());
        return (files, notes);
    }
    let mut seen = HashSet::new();
    let real_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let walker = ignore::WalkBuilder::new(root)
        .follow_links(true)
        .parents(false)
        .require_git(false)
        .add_custom_ignore_filename(IGNORE_FILE)
        .sort_by_file_name(|a, b| a.cmp(b))
        .build();
    for entry in walker {
        match entry {
            Ok(entry) => {
                let path = entry.path();
                if !entry.file_type().is_some_and(|t| t.is_file()) || !wanted(path) {
                    continue;
                }
                // The same file reached through two links counts once.
                let identity = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
                // A folder means what is in it: a link out of it is not
                // followed (`augur fmt` would otherwise rewrite a file
                // elsewhere). A file named on the command line is.
                if !identity.starts_with(&real_root) {
                    notes.push(format!(
                        "skipped: {} is a link to {}, outside {}",
                        path.display(),
                        identity.display(),
                        root.display()
                    ));
                    continue;
                }
                if seen.insert(identity) {
                    files.push(path.to_path_buf());
                }
            }
            Err(error) => {
                if !is_loop(&error) {
                    notes.push(format!("skipped: {error}"));
                }
            }
        }
    }
    (files, notes)
}

/// Whether a walk error is a symlink loop (which simply ends there).
fn is_loop(error: &ignore::Error) -> bool {
    match error {
        ignore::Error::Loop { .. } => true,
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => is_loop(err),
        _ => false,
    }
}

/// The inputs named on a command line: `-` and files as they are, a folder
/// as the deal files in it. A name that does not exist is an error.
pub fn expand(names: &[String]) -> Result<(Vec<String>, Vec<String>), String> {
    let mut inputs = Vec::new();
    let mut notes = Vec::new();
    for name in names {
        let path = Path::new(name);
        if path.is_dir() {
            let (files, more) = walk(path, is_deal_file);
            if files.is_empty() {
                notes.push(format!(
                    "{name} holds no deal files (.json, .jsonl, .ndjson, .csv)"
                ));
            }
            inputs.extend(files.into_iter().map(|f| f.to_string_lossy().into_owned()));
            notes.extend(more);
        } else if name == "-" || path.exists() {
            // A file, or anything else that can be read (a pipe, /dev/stdin).
            inputs.push(name.clone());
        } else {
            return Err(format!("{name} does not exist"));
        }
    }
    Ok((inputs, notes))
}

/// Opens one input (`-` is stdin) for [`crate::batch::Batch::run`].
pub fn open(name: &str, forced: Option<InputFormat>) -> Result<Input<'static>, String> {
    let reader: Box<dyn std::io::Read + Send> = if name == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(name).map_err(|e| format!("cannot open {name}: {e}"))?)
    };
    Ok(Input {
        name: name.to_string(),
        kind: input_kind(name, forced),
        reader,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(input_kind("-", None), InputKind::Stdin);
        assert_eq!(input_kind("-", Some(InputFormat::Csv)), InputKind::Csv);
        assert_eq!(input_kind("a.csv", None), InputKind::Csv);
        assert_eq!(input_kind("a.json", None), InputKind::Json);
        assert_eq!(input_kind("a.ndjson", None), InputKind::Jsonl);
        assert_eq!(
            input_kind("a.txt", Some(InputFormat::Json)),
            InputKind::Json
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_loop_ends_and_each_file_counts_once() {
        let dir = std::env::temp_dir().join(format!("augur-walk-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let inner = dir.join("L");
        std::fs::create_dir_all(inner.join("fixtures")).unwrap_or_default();
        std::fs::write(inner.join("p.augur"), "enum S { a }\n").unwrap_or_default();
        std::fs::write(inner.join("fixtures/broken.augur"), "enum {\n").unwrap_or_default();
        std::fs::write(inner.join(IGNORE_FILE), "fixtures/\n").unwrap_or_default();
        let _ = std::os::unix::fs::symlink(".", inner.join("a"));
        let _ = std::os::unix::fs::symlink(".", inner.join("b"));
        let _ = std::os::unix::fs::symlink("p.augur", inner.join("q.augur"));
        let (files, _) = walk(&inner, is_playbook);
        assert_eq!(files, vec![inner.join("p.augur")]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
