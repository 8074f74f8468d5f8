//! The analysis host: the open documents, their versions, their analyses
//! and which files each analysis read (so a change to one file re-checks
//! exactly the documents that import it).
//!
//! A [`Host`] is plain, synchronous data: an editor front end (the language
//! server) keeps it under a lock, applies each edit to it at once
//! ([`Host::change`]), takes a [`Job`] out of it, runs the job wherever it
//! likes (a blocking thread) and stores the resulting [`Snapshot`] back
//! ([`Host::store`]). Documents are named by the front end's own key `K`
//! (the server uses URIs); the host only ever looks at the file path given
//! when a document is opened.
//!
//! An analysis is rooted at its document's folder, as `augur check` would
//! check the file: imports are read through an overlay of the open
//! documents' unsaved texts over a root-confined [`FsLoader`]. Each file of
//! the previous snapshot is re-parsed incrementally. What is *not* here:
//! positions in any editor unit (the front end converts, through the
//! snapshot's [`LineIndex`]es), what was published to a client, and pins.

use crate::edit::{apply_changes, ContentChange};
use augur_check::{Analysis, FsLoader, Loader, MemoryLoader, Source};
use augur_syntax::{ColumnUnit, LineIndex};
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::Hash;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The name an analysis gives a document that is not a file.
pub const UNTITLED: &str = "untitled.augur";

/// One open document.
#[derive(Clone, Debug)]
pub struct Doc {
    pub text: Arc<str>,
    pub version: i32,
    /// Where the document lives on disk, if it is a file.
    pub path: Option<PathBuf>,
}

/// One analysis of one open document (the root of the analysis,
/// `FileId::ROOT`) with the files it imports.
pub struct Snapshot {
    /// The document version analysed.
    pub version: i32,
    /// The host's generation when the inputs were taken (see
    /// [`Host::generation`]).
    pub generation: u64,
    pub analysis: Analysis,
    /// The absolute path of each file of the analysis, by `FileId`
    /// (`None` for a document that is not a file).
    pub paths: Vec<Option<PathBuf>>,
    /// Every file the analysis asked for, found or not: a file created,
    /// changed or deleted at one of these paths changes the analysis.
    pub reads: Vec<PathBuf>,
    /// A line index per file, by `FileId`, for the front end's positions.
    pub indexes: Vec<LineIndex>,
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Snapshot(v{}, g{})", self.version, self.generation)
    }
}

impl Snapshot {
    /// Whether this analysis read the file at `path` (an import, direct or
    /// not, or an import that could not be read).
    pub fn reads(&self, path: &Path) -> bool {
        self.reads.iter().any(|p| p == path) || self.paths.iter().flatten().any(|p| p == path)
    }
}

/// Open documents and their latest analyses.
#[derive(Debug)]
pub struct Host<K> {
    docs: HashMap<K, Doc>,
    /// Bumped by every change to any open document or to the files on
    /// disk; a snapshot is current only while its generation is.
    generation: u64,
    snaps: HashMap<K, Arc<Snapshot>>,
}

impl<K> Default for Host<K> {
    fn default() -> Self {
        Host {
            docs: HashMap::new(),
            generation: 0,
            snaps: HashMap::new(),
        }
    }
}

/// The inputs of one analysis, taken from the host under its lock and run
/// without it.
pub struct Job {
    path: Option<PathBuf>,
    text: Arc<str>,
    version: i32,
    generation: u64,
    open: HashMap<PathBuf, Arc<str>>,
    previous: Option<Arc<Snapshot>>,
}

impl Job {
    /// Analyses the document (the slow part).
    pub fn run(self) -> Snapshot {
        analyze(
            self.path.as_deref(),
            self.text,
            self.version,
            self.generation,
            &self.open,
            self.previous.as_deref(),
        )
    }
}

impl<K: Clone + Eq + Hash> Host<K> {
    pub fn new() -> Self {
        Host::default()
    }

    /// Opens (or re-opens) a document.
    pub fn open(&mut self, key: K, path: Option<PathBuf>, text: Arc<str>, version: i32) {
        self.generation += 1;
        self.docs.insert(
            key,
            Doc {
                text,
                version,
                path,
            },
        );
    }

    /// Applies an editor's content changes, one after the other, and takes
    /// the newer `version`. `false` if the document is not open.
    pub fn change<'a>(
        &mut self,
        key: &K,
        version: i32,
        changes: impl IntoIterator<Item = ContentChange<'a>>,
        unit: ColumnUnit,
    ) -> bool {
        let Some(doc) = self.docs.get_mut(key) else {
            return false;
        };
        let mut text = doc.text.to_string();
        apply_changes(&mut text, changes, unit);
        doc.text = text.into();
        doc.version = doc.version.max(version);
        self.generation += 1;
        true
    }

    /// Closes a document; files that import it read it from disk again.
    pub fn close(&mut self, key: &K) -> Option<Doc> {
        self.snaps.remove(key);
        let doc = self.docs.remove(key)?;
        self.generation += 1;
        Some(doc)
    }

    /// Files changed on disk: every analysis must be made again.
    pub fn disk_changed(&mut self) {
        self.generation += 1;
    }

    pub fn doc(&self, key: &K) -> Option<&Doc> {
        self.docs.get(key)
    }

    pub fn is_open(&self, key: &K) -> bool {
        self.docs.contains_key(key)
    }

    /// The open documents, in no particular order.
    pub fn keys(&self) -> Vec<K> {
        self.docs.keys().cloned().collect()
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The document's version and the generation, as a check started now
    /// would see them.
    pub fn stamp(&self, key: &K) -> Option<(i32, u64)> {
        Some((self.docs.get(key)?.version, self.generation))
    }

    /// Whether nothing changed since `stamp` was taken.
    pub fn is_current(&self, key: &K, stamp: (i32, u64)) -> bool {
        self.stamp(key) == Some(stamp)
    }

    /// The stored analysis of `key` if it is current, else the job that
    /// makes it. `None` if the document is not open.
    pub fn snapshot_or_job(&self, key: &K) -> Option<Result<Arc<Snapshot>, Job>> {
        let doc = self.docs.get(key)?;
        let previous = self.snaps.get(key).cloned();
        if let Some(snap) = &previous {
            if snap.version == doc.version && snap.generation == self.generation {
                return Some(Ok(snap.clone()));
            }
        }
        let open = self
            .docs
            .values()
            .filter_map(|d| Some((d.path.clone()?, d.text.clone())))
            .collect();
        Some(Err(Job {
            path: doc.path.clone(),
            text: doc.text.clone(),
            version: doc.version,
            generation: self.generation,
            open,
            previous,
        }))
    }

    /// Keeps `snap` as the analysis of `key`, unless a newer one is stored
    /// or the document was closed meanwhile.
    pub fn store(&mut self, key: &K, snap: Arc<Snapshot>) {
        if !self.docs.contains_key(key) {
            return;
        }
        let newer = self
            .snaps
            .get(key)
            .is_some_and(|old| (old.generation, old.version) > (snap.generation, snap.version));
        if !newer {
            self.snaps.insert(key.clone(), snap);
        }
    }

    /// The open documents (other than the file itself) whose latest
    /// analysis read the file at `path`: the documents that import it,
    /// directly or through other files, open or not. A document never
    /// analysed yet is listed too (its first check reads everything).
    pub fn importers(&self, path: &Path) -> Vec<K> {
        self.docs
            .iter()
            .filter(|(key, doc)| {
                doc.path.as_deref() != Some(path)
                    && self.snaps.get(*key).is_none_or(|snap| snap.reads(path))
            })
            .map(|(key, _)| key.clone())
            .collect()
    }
}

/// Analyses a document (text `text`, at `path` when it is a file) as the
/// CLI would check the file: rooted at its folder, with the open
/// documents' unsaved texts (`open`, by absolute path) over the disk.
///
/// `previous` is an earlier snapshot of the same document: each of its
/// files is re-parsed incrementally (only the items around an edit).
pub fn analyze(
    path: Option<&Path>,
    text: Arc<str>,
    version: i32,
    generation: u64,
    open: &HashMap<PathBuf, Arc<str>>,
    previous: Option<&Snapshot>,
) -> Snapshot {
    let earlier: HashMap<&str, &Source> = previous
        .map(|p| {
            p.analysis
                .sources
                .iter()
                .map(|s| (s.path.as_str(), s))
                .collect()
        })
        .unwrap_or_default();
    let parse = |path: &str, text: &str| match earlier.get(path) {
        Some(old) => crate::incremental::reparse(&old.text, &old.parse, text),
        None => augur_syntax::parse(text),
    };
    let place = path.and_then(|p| {
        Some((
            p.parent()?.to_path_buf(),
            p.file_name()?.to_string_lossy().into_owned(),
        ))
    });
    let (analysis, root, reads) = match place {
        Some((root, name)) => {
            let mut docs = open.clone();
            docs.insert(root.join(&name), text);
            let overlay = Overlay {
                fs: FsLoader::new(root.clone()),
                open: docs,
                reads: RefCell::new(Vec::new()),
            };
            let analysis = augur_check::analyze_with(&name, &overlay, &parse);
            (analysis, Some(root), overlay.reads.into_inner())
        }
        None => {
            let loader = MemoryLoader::new([(UNTITLED, text.to_string())]);
            let analysis = augur_check::analyze_with(UNTITLED, &loader, &parse);
            (analysis, None, Vec::new())
        }
    };
    let paths = analysis
        .sources
        .iter()
        .map(|source| root.as_ref().map(|r| r.join(&source.path)))
        .collect();
    let indexes = analysis
        .sources
        .iter()
        .map(|s| LineIndex::new(&s.text))
        .collect();
    Snapshot {
        version,
        generation,
        analysis,
        paths,
        reads,
        indexes,
    }
}

/// Open documents over the file system: an open document's unsaved text
/// wins over the file on disk. Paths are the checker's root-relative,
/// already-normalised paths; anything not open is read through
/// [`FsLoader`], which keeps every read inside the root folder. Every path
/// asked for is remembered (found or not).
struct Overlay {
    fs: FsLoader,
    /// Open documents by absolute path.
    open: HashMap<PathBuf, Arc<str>>,
    reads: RefCell<Vec<PathBuf>>,
}

impl Loader for Overlay {
    fn load(&self, path: &str) -> Result<String, String> {
        let disk = self.fs.disk_path(path);
        let found = self.open.get(&disk).map(|text| text.to_string());
        self.reads.borrow_mut().push(disk);
        match found {
            Some(text) => Ok(text),
            None => self.fs.load(path),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("augur-host-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn an_analysis_reads_its_imports_found_or_not() {
        let dir = folder("reads");
        std::fs::write(dir.join("types.augur"), "enum Stage { early, late }\n").unwrap();
        let main = dir.join("main.augur");
        let text: Arc<str> =
            "import \"types.augur\"\nimport \"missing.augur\"\nfacts { s: Stage }\n".into();
        let mut host: Host<&str> = Host::new();
        host.open("main", Some(main.clone()), text, 1);
        let Some(Err(job)) = host.snapshot_or_job(&"main") else {
            panic!("a job");
        };
        let snap = Arc::new(job.run());
        assert!(snap.reads(&dir.join("types.augur")));
        assert!(snap.reads(&dir.join("missing.augur")), "{:?}", snap.reads);
        assert!(!snap.reads(&dir.join("other.augur")));
        host.store(&"main", snap.clone());
        assert!(matches!(host.snapshot_or_job(&"main"), Some(Ok(_))));
        assert_eq!(host.importers(&dir.join("missing.augur")), vec!["main"]);
        assert!(host.importers(&dir.join("other.augur")).is_empty());
        assert!(host.importers(&main).is_empty(), "not its own importer");
        host.disk_changed();
        assert!(matches!(host.snapshot_or_job(&"main"), Some(Err(_))));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn open_texts_win_over_the_disk_and_edits_apply_at_once() {
        let dir = folder("overlay");
        std::fs::write(dir.join("types.augur"), "enum Stage { early, late }\n").unwrap();
        let mut host: Host<u8> = Host::new();
        let main: Arc<str> =
            "import \"types.augur\"\nfacts { s: Stage }\nsignal x { when s == late weight 1 }\n"
                .into();
        host.open(1, Some(dir.join("main.augur")), main, 1);
        host.open(
            2,
            Some(dir.join("types.augur")),
            "enum Stage { early, late }\n".into(),
            1,
        );
        let edit = ContentChange {
            range: None,
            text: "enum Stage { early, later }\n",
        };
        assert!(host.change(&2, 2, [edit], ColumnUnit::Utf16));
        assert_eq!(host.stamp(&2), Some((2, host.generation())));
        let Some(Err(job)) = host.snapshot_or_job(&1) else {
            panic!("a job");
        };
        let snap = job.run();
        assert!(snap.analysis.has_errors(), "the unsaved text was read");
        // Closed: the disk again.
        host.close(&2);
        let Some(Err(job)) = host.snapshot_or_job(&1) else {
            panic!("a job");
        };
        assert!(!job.run().analysis.has_errors());
        assert!(!host.change(&2, 3, [], ColumnUnit::Utf16));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn an_untitled_document_is_analysed_alone() {
        let mut host: Host<&str> = Host::new();
        host.open("u", None, "facts { x: int }\n".into(), 3);
        let Some(Err(job)) = host.snapshot_or_job(&"u") else {
            panic!("a job");
        };
        let snap = job.run();
        assert_eq!(snap.version, 3);
        assert_eq!(snap.paths, vec![None]);
        assert!(snap.reads.is_empty());
    }
}
