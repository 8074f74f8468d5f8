//! The loader the server analyses with: open documents over the file system.
//!
//! An open document's unsaved text wins over the file on disk. Paths are the
//! checker's root-relative, already-normalised paths; anything not open is
//! read through [`FsLoader`], which keeps every read inside the root folder.

use augur_check::{FsLoader, Loader};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

pub(crate) struct Overlay {
    pub(crate) fs: FsLoader,
    /// Open documents by absolute path.
    pub(crate) open: HashMap<PathBuf, Arc<str>>,
}

impl Loader for Overlay {
    fn load(&self, path: &str) -> Result<String, String> {
        if let Some(text) = self.open.get(&self.fs.disk_path(path)) {
            return Ok(text.to_string());
        }
        self.fs.load(path)
    }
}
