//! Analysing many playbooks in one run (`augur check DIR`, `augur test
//! DIR`) with each file read and parsed once, however many of the
//! playbooks import it.
//!
//! Without it, a folder of N files that import one another in a chain
//! reads and parses N²/2 files. [`SharedFiles`] remembers each file's text
//! (or why it could not be read) and its parse, keyed by its path on disk,
//! for the length of one run; checking stays per playbook, since what an
//! imported file means depends on who imports it.
//!
//! Not for the language server: its files change between analyses (it has
//! its own incremental host).

use crate::loader::{FsLoader, Loader};
use crate::Analysis;
use augur_syntax::Parse;
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The files of one run, each read and parsed at most once.
pub struct SharedFiles {
    texts: RefCell<HashMap<PathBuf, Result<String, String>>>,
    parses: RefCell<HashMap<PathBuf, Parse>>,
    /// Whether parses are remembered (a copy of each is kept).
    remember: bool,
}

impl Default for SharedFiles {
    fn default() -> SharedFiles {
        SharedFiles {
            texts: RefCell::default(),
            parses: RefCell::default(),
            remember: true,
        }
    }
}

impl SharedFiles {
    pub fn new() -> SharedFiles {
        SharedFiles::default()
    }

    /// For a run that analyses one playbook: one analysis never parses a
    /// file twice, so no parse is copied to be remembered (on a
    /// 10,000-line playbook the copy and its freeing were a tenth of
    /// `augur check`).
    pub fn for_one_playbook() -> SharedFiles {
        SharedFiles {
            remember: false,
            ..SharedFiles::default()
        }
    }

    /// [`crate::analyze`] of the playbook at `path`, rooted at its folder
    /// as [`FsLoader::for_playbook`] roots it, with the files this run has
    /// already read and parsed reused. Gives exactly what `analyze` gives.
    pub fn analyze(&self, path: &Path) -> Analysis {
        let (loader, name) = FsLoader::for_playbook(path);
        let shared = SharedLoader {
            inner: &loader,
            files: self,
        };
        crate::analyze_with(&name, &shared, &|name, text| {
            let key = loader.disk_path(name);
            if let Some(parse) = self.parses.borrow().get(&key) {
                return parse.clone();
            }
            let parse = augur_syntax::parse(text);
            if self.remember {
                self.parses.borrow_mut().insert(key, parse.clone());
            }
            parse
        })
    }
}

/// An [`FsLoader`] whose answers are remembered in [`SharedFiles`].
struct SharedLoader<'a> {
    inner: &'a FsLoader,
    files: &'a SharedFiles,
}

impl Loader for SharedLoader<'_> {
    fn load(&self, path: &str) -> Result<String, String> {
        let key = self.inner.disk_path(path);
        if let Some(text) = self.files.texts.borrow().get(&key) {
            return text.clone();
        }
        let text = self.inner.load(path);
        self.files.texts.borrow_mut().insert(key, text.clone());
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chain of playbooks, each importing the next: analysed one by one
    /// through [`SharedFiles`], each gives exactly what a fresh `analyze`
    /// gives, and each file is parsed once in all.
    #[test]
    fn a_chain_of_imports_is_parsed_once_and_analysed_as_alone() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let count = 6;
        for i in 0..count {
            let import = if i + 1 < count {
                format!("import \"f{}.augur\"\n", i + 1)
            } else {
                String::new()
            };
            let text = format!("{import}enum E{i} {{ a, a }}\nfact x{i}: E{i}\n");
            std::fs::write(dir.path().join(format!("f{i}.augur")), text).expect("written");
        }
        let shared = SharedFiles::new();
        for i in 0..count {
            let path = dir.path().join(format!("f{i}.augur"));
            let alone = {
                let (loader, name) = FsLoader::for_playbook(&path);
                crate::analyze(&name, &loader)
            };
            let through_shared = shared.analyze(&path);
            assert_eq!(
                format!("{:?}", through_shared.diagnostics),
                format!("{:?}", alone.diagnostics),
                "f{i}"
            );
            assert_eq!(through_shared.sources.len(), count - i, "f{i}");
        }
        assert_eq!(shared.parses.borrow().len(), count);
        assert_eq!(shared.texts.borrow().len(), count);
    }

    /// For one playbook nothing is remembered (no copy of any parse is
    /// made), and the analysis is what `analyze` gives.
    #[test]
    fn one_playbook_keeps_no_copy_of_its_parses() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        std::fs::write(
            dir.path().join("a.augur"),
            "import \"b.augur\"\nsignal s { when x == y weight 1 }\n",
        )
        .expect("written");
        std::fs::write(dir.path().join("b.augur"), "enum 阶段 { 早, 晚 }\n").expect("written");
        let path = dir.path().join("a.augur");
        let shared = SharedFiles::for_one_playbook();
        let analysis = shared.analyze(&path);
        let alone = {
            let (loader, name) = FsLoader::for_playbook(&path);
            crate::analyze(&name, &loader)
        };
        assert_eq!(
            format!("{:?}", analysis.diagnostics),
            format!("{:?}", alone.diagnostics)
        );
        assert!(!analysis.diagnostics.is_empty());
        assert_eq!(analysis.sources.len(), 2);
        assert!(shared.parses.borrow().is_empty());
    }
}
