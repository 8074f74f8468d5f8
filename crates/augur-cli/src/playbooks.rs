//! The playbooks a command line names (a folder means every `*.augur`
//! under it, each file once) and how one is analysed and shown: the
//! common ground of `check`, `test` and `fmt`.

use augur_check::{Analysis, FsLoader};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The playbooks named by `paths` (folders: every `*.augur` under them);
/// a path that does not exist is bad usage.
pub(crate) fn playbook_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ExitCode> {
    let mut files = Vec::new();
    for path in paths {
        if !path.exists() {
            eprintln!("error: {} does not exist", path.display());
            return Err(ExitCode::from(2));
        }
        collect_playbooks(path, &mut files);
    }
    // A file named twice (or reached from two folders) is handled once.
    let mut seen = std::collections::HashSet::new();
    files.retain(|file| seen.insert(std::fs::canonicalize(file).unwrap_or_else(|_| file.clone())));
    Ok(files)
}

/// A folder's playbooks: each file once, symlink loops ended, hidden
/// entries and what `.augurignore`/`.gitignore` inside it list skipped.
fn collect_playbooks(path: &Path, out: &mut Vec<PathBuf>) {
    let (files, notes) = augur_eval::inputs::walk(path, augur_eval::inputs::is_playbook);
    for note in notes {
        eprintln!("warning: {note}");
    }
    out.extend(files);
}

pub(crate) fn analyze(path: &Path) -> Analysis {
    let (loader, name) = FsLoader::for_playbook(path);
    augur_check::analyze(&name, &loader)
}

pub(crate) fn display_root(path: &Path) -> String {
    path.parent()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default()
}
