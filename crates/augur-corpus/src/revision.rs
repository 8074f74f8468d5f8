//! Where a playbook version comes from: a file on disk, or a file at a git
//! revision (`HEAD~1:playbooks/standing.augur`), with its imports read at
//! the same revision.
//!
//! Revisions are read through the small [`Revisions`] trait so tests can
//! serve them from a temporary repository (or from memory); [`GitCli`] runs
//! the `git` program. This module does not check playbooks beyond handing
//! the loader to `augur_check::analyze`.

use augur_check::{Analysis, FsLoader, Loader};
use std::path::{Component, Path, PathBuf};
use std::process::Command;

/// A playbook as named on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlaybookRef {
    /// A file on disk.
    File(PathBuf),
    /// `REV:path`: the file at `path` (relative to the current folder, or
    /// absolute) as it was at git revision `rev`, in the repository the
    /// file is in.
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
    /// The text of `path` (relative to the current folder, `/`-separated,
    /// or absolute) at revision `rev`, or a plain-language reason it cannot
    /// be read.
    fn read(&self, rev: &str, path: &str) -> Result<String, String>;
}

/// [`Revisions`] through the `git` program, reading each file from the
/// repository the file is in: `git show REV:./name`, run in the file's
/// folder (or, when that folder no longer exists, in its nearest existing
/// ancestor). Relative paths start from `dir`.
pub struct GitCli {
    pub dir: PathBuf,
}

impl Revisions for GitCli {
    fn read(&self, rev: &str, path: &str) -> Result<String, String> {
        if rev.starts_with('-') {
            return Err(format!("`{rev}` is not a git revision"));
        }
        let (folder, relative) = git_location(&self.dir, path);
        let output = Command::new("git")
            .arg("-C")
            .arg(&folder)
            .arg("show")
            .arg(format!("{rev}:./{relative}"))
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

/// Where to run git for `path` (relative to `dir`, or absolute): the
/// nearest existing folder holding the file, and the file's path from
/// there (`/`-separated, `..` resolved by name).
fn git_location(dir: &Path, path: &str) -> (PathBuf, String) {
    let joined = if Path::new(path).is_absolute() {
        PathBuf::from(path)
    } else {
        let base = if dir.is_absolute() {
            dir.to_path_buf()
        } else {
            std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf())
        };
        base.join(path)
    };
    let mut full = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                full.pop();
            }
            other => full.push(other),
        }
    }
    let mut folder = full.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut rest = vec![full
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()];
    while !folder.is_dir() {
        let Some(name) = folder.file_name() else {
            break;
        };
        rest.push(name.to_string_lossy().into_owned());
        if !folder.pop() {
            break;
        }
    }
    rest.reverse();
    (folder, rest.join("/"))
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
/// `revisions`. A revision whose root file cannot be read at all (no such
/// revision, no such file in it, not a repository) is an `Err` with the
/// plain reason, not a playbook diagnostic.
pub fn analyze(reference: &PlaybookRef, revisions: &dyn Revisions) -> Result<Analysis, String> {
    match reference {
        PlaybookRef::File(path) => {
            let (loader, name) = FsLoader::for_playbook(path);
            Ok(augur_check::analyze(&name, &loader))
        }
        PlaybookRef::Revision { rev, path } => {
            revisions.read(rev, path)?;
            let (folder, name) = match path.rsplit_once('/') {
                Some((folder, name)) => (format!("{folder}/"), name.to_string()),
                None => (String::new(), path.clone()),
            };
            let loader = RevisionLoader {
                revisions,
                rev: rev.clone(),
                folder,
            };
            Ok(augur_check::analyze(&name, &loader))
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

    #[test]
    fn git_runs_in_the_nearest_existing_folder_of_the_file() {
        let here = std::env::temp_dir();
        // An existing folder: git runs there, on the file name.
        assert_eq!(
            git_location(&here, "a.augur"),
            (here.clone(), "a.augur".to_string())
        );
        // `..` resolved by name; folders gone from disk stay in the path.
        assert_eq!(
            git_location(&here, "gone-augur-folder/x/../y/b.augur"),
            (here.clone(), "gone-augur-folder/y/b.augur".to_string())
        );
        let absolute = here.join("c.augur");
        assert_eq!(
            git_location(Path::new("/elsewhere"), absolute.to_str().unwrap_or("")),
            (here, "c.augur".to_string())
        );
    }
}
