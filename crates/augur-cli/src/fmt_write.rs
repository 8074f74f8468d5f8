//! How `augur fmt` replaces a playbook: never a half-written file, never a
//! write outside the file's own folder, never a changed link or mode.
//!
//! The new text goes into a temporary file created exclusively, with an
//! unpredictable name, in the same folder as the file it replaces (the
//! `tempfile` crate), is flushed to disk, takes the old file's permissions,
//! and is then renamed over it. A planted `*.fmt-tmp` symlink is never
//! followed because no predictable name is used. A symlink is formatted
//! through: its target is replaced and the link stays a link. A read-only
//! file is refused, not rewritten.
//!
//! Not here: deciding what the formatted text is (`augur-fmt`).

use std::io::Write;
use std::path::{Path, PathBuf};

/// Replaces the contents of `file` (following a symlink to its target) with
/// `text`. `Err` is a sentence for the user; the file is then untouched.
pub fn replace(file: &Path, text: &str) -> Result<(), String> {
    let shown = file.display();
    // A link is formatted through: the file that changes is its target.
    let target: PathBuf =
        std::fs::canonicalize(file).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let metadata = std::fs::metadata(&target).map_err(|e| format!("cannot read {shown}: {e}"))?;
    if !metadata.is_file() {
        return Err(format!("{shown} is not a regular file; left untouched"));
    }
    if metadata.permissions().readonly() {
        return Err(format!("{shown} is read-only; left untouched"));
    }
    let folder = target
        .parent()
        .ok_or_else(|| format!("{shown} has no folder"))?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut temporary = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".fmt-tmp")
        .tempfile_in(folder)
        .map_err(|e| format!("cannot write beside {shown}: {e}"))?;
    let written = temporary
        .write_all(text.as_bytes())
        .and_then(|()| temporary.as_file().set_permissions(metadata.permissions()))
        .and_then(|()| temporary.as_file().sync_all());
    written.map_err(|e| format!("cannot write {shown}: {e}"))?;
    // On failure the temporary file is removed when dropped.
    temporary
        .persist(&target)
        .map_err(|e| format!("cannot write {shown}: {}", e.error))?;
    // Make the rename itself durable.
    #[cfg(unix)]
    if let Ok(dir) = std::fs::File::open(folder) {
        let _ = dir.sync_all();
    }
    Ok(())
}
