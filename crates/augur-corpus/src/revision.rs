//! Where a playbook version comes from: a file on disk, or a file at a git
//! revision (`HEAD~1:playbooks/standing.augur`), with its imports read at
//! the same revision.
//!
//! Revisions are read through the small [`Revisions`] trait so tests can
//! serve them from a temporary repository (or from memory); [`GitCli`] runs
//! the `git` program. This module does not check playbooks beyond handing
//! the loader to `augur_check::analyze`.

use augur_check::{Analysis, FsLoader, Loader};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A playbook as named on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlaybookRef {
    /// A file on disk.
    File(PathBuf),
    /// `REV:path`: the file at `path` (relative to the current folder) as it
    /// was at git revision `rev`.
    Revision { rev: String, path: String },
}

impl PlaybookRef {
    /// Reads a command-line argument: an existing file is a file; otherwise
    /// `REV:path` is a revision (Windows drive letters `C:\…` are files).
    pub fn parse(arg: &str) -> PlaybookRef {
        if Path::new(arg).exists() {
            return PlaybookRef::File(PathBuf::from(arg));
        }
        match arg.split_once(':') {
            Some((rev, path))
                if !rev.is_empty()
                    && !path.is_empty()
                    && (rev.len() != 1 || !path.starts_with(['\\', '/'])) =>
            {
                PlaybookRef::Revision {
                    rev: rev.to_string(),
                    path: path.trim_start_matches("./").to_string(),
                }
            }
            _ => PlaybookRef::File(PathBuf::from(arg)),
        }
    }

    /// How the version is named in reports: the path, or `REV:path`.
    pub fn display(&self) -> String {
        match self {
            PlaybookRef::File(path) => path.display().to_string(),
            PlaybookRef::Revision { rev, path } => format!("{rev}:{path}"),
        }
    }

    /// The folder prefixed to file names in reports.
    pub fn display_root(&self) -> String {
        let parent = match self {
            PlaybookRef::File(path) => path.parent().map(Path::to_path_buf),
            PlaybookRef::Revision { path, .. } => Path::new(path).parent().map(Path::to_path_buf),
        };
        let root = parent
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        match self {
            PlaybookRef::Revision { rev, .. } if root.is_empty() => format!("{rev}:"),
            PlaybookRef::Revision { rev, .. } => format!("{rev}:{root}"),
            PlaybookRef::File(_) => root,
        }
    }
}

/// Reads files as they were at a revision.
pub trait Revisions {
    /// The text of `path` (relative to the current folder, `/`-separated) at
    /// revision `rev`, or a plain-language reason it cannot be read.
    fn read(&self, rev: &str, path: &str) -> Result<String, String>;
}

/// [`Revisions`] through the `git` program: `git show REV:./path`, run in
/// `dir` (the folder relative paths start from).
pub struct GitCli {
    pub dir: PathBuf,
}

impl Revisions for GitCli {
    fn read(&self, rev: &str, path: &str) -> Result<String, String> {
        if rev.starts_with('-') {
            return Err(format!("`{rev}` is not a git revision"));
        }
        let output = Command::new("git")
            .arg("-C")
            .arg(&self.dir)
            .arg("show")
            .arg(format!("{rev}:./{path}"))
            .output()
            .map_err(|e| format!("cannot run git to read {rev}:{path}: {e}"))?;
        if !output.status.success() {
            let reason = String::from_utf8_lossy(&output.stderr);
            let reason = reason.lines().next().unwrap_or("git failed").trim();
            return Err(format!("cannot read {rev}:{path} from git: {reason}"));
        }
        augur_check::loader::decode_utf8(path, output.stdout)
    }
}

/// A [`Loader`] reading the playbook's folder at one revision.
pub struct RevisionLoader<'r> {
    revisions: &'r dyn Revisions,
    rev: String,
    /// The playbook's folder relative to the current folder (`""` or
    /// `playbooks/`).
    folder: String,
}

impl Loader for RevisionLoader<'_> {
    fn load(&self, path: &str) -> Result<String, String> {
        self.revisions
            .read(&self.rev, &format!("{}{path}", self.folder))
    }
}

/// Checks the playbook `reference` names, reading revisions through
/// `revisions`.
pub fn analyze(reference: &PlaybookRef, revisions: &dyn Revisions) -> Analysis {
    match reference {
        PlaybookRef::File(path) => {
            let (loader, name) = FsLoader::for_playbook(path);
            augur_check::analyze(&name, &loader)
        }
        PlaybookRef::Revision { rev, path } => {
            let (folder, name) = match path.rsplit_once('/') {
                Some((folder, name)) => (format!("{folder}/"), name.to_string()),
                None => (String::new(), path.clone()),
            };
            let loader = RevisionLoader {
                revisions,
                rev: rev.clone(),
                folder,
            };
            augur_check::analyze(&name, &loader)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_files_or_revisions() {
        assert_eq!(
            PlaybookRef::parse("HEAD~1:playbooks/standing.augur"),
            PlaybookRef::Revision {
                rev: "HEAD~1".into(),
                path: "playbooks/standing.augur".into()
            }
        );
        assert_eq!(
            PlaybookRef::parse("main:./a.augur"),
            PlaybookRef::Revision {
                rev: "main".into(),
                path: "a.augur".into()
            }
        );
        assert_eq!(
            PlaybookRef::parse("missing.augur"),
            PlaybookRef::File("missing.augur".into())
        );
        assert_eq!(
            PlaybookRef::parse("C:\\x.augur"),
            PlaybookRef::File("C:\\x.augur".into())
        );
        assert_eq!(
            PlaybookRef::parse("HEAD:p/a.augur").display_root(),
            "HEAD:p"
        );
    }
}
