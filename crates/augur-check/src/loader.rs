//! Reading playbook files: the root file, its imports and test deal files.
//!
//! A [`Loader`] answers "give me the text at this path" for paths that have
//! already been resolved against the importing file and confined to the
//! playbook's root folder (see [`resolve_relative`]). [`FsLoader`] reads the
//! disk and refuses symlinks that point outside the root; [`MemoryLoader`]
//! serves tests and the language server's unsaved buffers.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// Where files come from. Paths are root-relative, `/`-separated and
/// normalised (no `.` or `..`).
pub trait Loader {
    /// The file's text, or a plain-language reason it cannot be read.
    fn load(&self, path: &str) -> Result<String, String>;
}

/// Resolves `target` (as written in an `import` or `given`) against the file
/// `from` (root-relative). Fails when the result would leave the root.
pub fn resolve_relative(from: &str, target: &str) -> Result<String, String> {
    if target.is_empty() {
        return Err("the path is empty".into());
    }
    if target.contains('\0') {
        return Err("the path contains a NUL character".into());
    }
    let target_path = Path::new(target);
    if target_path.is_absolute()
        || target.starts_with('/')
        || target.starts_with('\\')
        || target.contains(':')
    {
        return Err(format!(
            "`{target}` is an absolute path; paths are relative to the playbook's folder"
        ));
    }
    let mut parts: Vec<String> = from
        .split('/')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    parts.pop(); // the importing file's own name
    for component in target.split(['/', '\\']) {
        match component {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(format!("`{target}` leaves the playbook's folder"));
                }
            }
            name => parts.push(name.to_string()),
        }
    }
    if parts.is_empty() {
        return Err(format!("`{target}` does not name a file"));
    }
    Ok(parts.join("/"))
}

/// Reads files under one root folder from disk.
#[derive(Clone, Debug)]
pub struct FsLoader {
    root: PathBuf,
}

/// Largest file the loader will read (playbooks and test deals).
pub const MAX_LOADED_BYTES: u64 = 16 * 1024 * 1024;

impl FsLoader {
    pub fn new(root: impl Into<PathBuf>) -> FsLoader {
        FsLoader { root: root.into() }
    }

    /// A loader rooted at the folder of `playbook`, plus the playbook's
    /// root-relative name.
    pub fn for_playbook(playbook: &Path) -> (FsLoader, String) {
        let root = playbook
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = playbook
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        (FsLoader::new(root), name)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The path on disk of a root-relative name.
    pub fn disk_path(&self, path: &str) -> PathBuf {
        self.root.join(path)
    }
}

impl Loader for FsLoader {
    fn load(&self, path: &str) -> Result<String, String> {
        if Path::new(path)
            .components()
            .any(|c| !matches!(c, Component::Normal(_)))
        {
            return Err(format!("`{path}` is not a plain relative path"));
        }
        let full = self.root.join(path);
        let root = self
            .root
            .canonicalize()
            .map_err(|e| format!("cannot open the playbook folder: {e}"))?;
        let real = full.canonicalize().map_err(|e| describe_io(path, &e))?;
        if !real.starts_with(&root) {
            return Err(format!(
                "`{path}` points outside the playbook's folder (through a symbolic link)"
            ));
        }
        let metadata = std::fs::metadata(&real).map_err(|e| describe_io(path, &e))?;
        if !metadata.is_file() {
            return Err(format!("`{path}` is not a file"));
        }
        if metadata.len() > MAX_LOADED_BYTES {
            return Err(format!("`{path}` is larger than {MAX_LOADED_BYTES} bytes"));
        }
        let bytes = std::fs::read(&real).map_err(|e| describe_io(path, &e))?;
        decode_utf8(path, bytes)
    }
}

/// Turns bytes into text, or says where the first invalid UTF-8 byte is.
pub fn decode_utf8(path: &str, bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|error| {
        let offset = error.utf8_error().valid_up_to();
        format!(
            "`{path}` is not valid UTF-8 text (invalid byte at offset {offset}); save it as UTF-8"
        )
    })
}

fn describe_io(path: &str, error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => format!("`{path}` does not exist"),
        std::io::ErrorKind::PermissionDenied => {
            format!("`{path}` cannot be read (permission denied)")
        }
        _ => format!("`{path}` cannot be read: {error}"),
    }
}

/// Files held in memory, by root-relative path.
#[derive(Clone, Debug, Default)]
pub struct MemoryLoader {
    pub files: HashMap<String, String>,
}

impl MemoryLoader {
    pub fn new(
        files: impl IntoIterator<Item = (impl Into<String>, impl Into<String>)>,
    ) -> MemoryLoader {
        MemoryLoader {
            files: files
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }
}

impl Loader for MemoryLoader {
    fn load(&self, path: &str) -> Result<String, String> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| format!("`{path}` does not exist"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_root() {
        assert_eq!(
            resolve_relative("main.augur", "common/events.augur").as_deref(),
            Ok("common/events.augur")
        );
        assert_eq!(
            resolve_relative("a/b.augur", "../c.augur").as_deref(),
            Ok("c.augur")
        );
        assert_eq!(
            resolve_relative("a/b.augur", "./d/../e.augur").as_deref(),
            Ok("a/e.augur")
        );
        assert!(resolve_relative("main.augur", "../secret.augur").is_err());
        assert!(resolve_relative("a/b.augur", "../../x").is_err());
        assert!(resolve_relative("main.augur", "/etc/passwd").is_err());
        assert!(resolve_relative("main.augur", "C:\\x").is_err());
    }
}
