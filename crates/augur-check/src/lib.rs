//! Augur's checker: from a playbook on disk (or in memory) to a checked
//! [`Program`] and every diagnostic about it.
//!
//! [`analyze`] loads the root file and its imports, parses each one, resolves
//! every name, checks types, enum variants, optionality, cycles and verdict
//! arms, runs the lints, and lowers rules to the [`ir`] the evaluator runs.
//! It always returns a best-effort program (the language server works on
//! broken playbooks); callers must not evaluate it when
//! [`Analysis::has_errors`] is true.
//!
//! This crate does not evaluate deals (`augur-eval`), format (`augur-fmt`) or
//! know about terminals and the language server.
//!
//! ```
//! let analysis = augur_check::analyze_text(
//!     "enum Stage { early, late }\nfacts { stage: Stage }\nsignal late_stage { when stage == late weight 1 }\n",
//! );
//! assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
//! assert_eq!(analysis.program.signals[0].name, "late_stage");
//! ```
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod budget;
mod builtins;
mod check;
pub mod ir;
mod lints;
pub mod loader;
mod lower;
mod names;
mod order;
pub mod shared;
mod test_items;

use augur_syntax::{Code, Diagnostic, FileId, Span};
pub use builtins::builtins;
pub use ir::Program;
pub use loader::{FsLoader, Loader, MemoryLoader};
pub use shared::SharedFiles;
use std::sync::Arc;

/// One loaded file of a playbook.
#[derive(Clone, Debug)]
pub struct Source {
    /// Root-relative path (`standing.augur`, `common/events.augur`).
    pub path: String,
    pub text: Arc<str>,
    pub parse: augur_syntax::Parse,
}

/// Everything known about one playbook after checking.
#[derive(Clone, Debug, Default)]
pub struct Analysis {
    /// The root file first, then imports in the order they were found.
    pub sources: Vec<Source>,
    /// Parse and check diagnostics of every file, errors and warnings.
    pub diagnostics: Vec<Diagnostic>,
    pub program: Program,
    /// Every place a declared name is written, definitions included.
    pub occurrences: Vec<ir::Occurrence>,
}

impl Analysis {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    pub fn source(&self, file: FileId) -> Option<&Source> {
        self.sources.get(file.0 as usize)
    }

    /// The 1-based line a location starts on (0 if its file is unknown).
    pub fn line_of(&self, location: &ir::Location) -> u32 {
        self.source(location.file).map_or(0, |source| {
            let index = augur_syntax::LineIndex::new(&source.text);
            index
                .line_col(
                    &source.text,
                    location.span.start,
                    augur_syntax::ColumnUnit::Char,
                )
                .line
                + 1
        })
    }

    pub fn file_id(&self, path: &str) -> Option<FileId> {
        self.sources
            .iter()
            .position(|s| s.path == path)
            .map(|i| FileId(i as u32))
    }
}

/// Checks the playbook at root-relative `root` and everything it imports.
pub fn analyze(root: &str, loader: &dyn Loader) -> Analysis {
    analyze_with(root, loader, &|_, text| augur_syntax::parse(text))
}

/// [`analyze`], with each file parsed by `parse(path, text)`: the language
/// server passes an incremental parser that reuses the previous parse of an
/// edited file. `parse` must return what `augur_syntax::parse(text)` would.
pub fn analyze_with(
    root: &str,
    loader: &dyn Loader,
    parse: &dyn Fn(&str, &str) -> augur_syntax::Parse,
) -> Analysis {
    // Checking recurses along expressions and chains of lets; both are
    // bounded, and this guarantees the stack room for the bound.
    augur_syntax::with_stack(|| analyze_on_this_stack(root, loader, parse))
}

fn analyze_on_this_stack(
    root: &str,
    loader: &dyn Loader,
    parse: &dyn Fn(&str, &str) -> augur_syntax::Parse,
) -> Analysis {
    let mut diagnostics = Vec::new();
    let sources = load_sources(root, loader, parse, &mut diagnostics);
    let mut analysis = check::check(sources, diagnostics);
    analysis.diagnostics.sort_by(|a, b| {
        (a.file, a.span.start, a.span.end).cmp(&(b.file, b.span.start, b.span.end))
    });
    analysis
}

/// Checks one playbook given as text (no imports can be read).
pub fn analyze_text(text: &str) -> Analysis {
    analyze(
        "playbook.augur",
        &MemoryLoader::new([("playbook.augur", text)]),
    )
}

/// Loads the root and, depth first, every file it imports. Import cycles and
/// unreadable imports are reported at the `import` that caused them.
fn load_sources(
    root: &str,
    loader: &dyn Loader,
    parse: &dyn Fn(&str, &str) -> augur_syntax::Parse,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Source> {
    let mut sources: Vec<Source> = Vec::new();
    let text = match loader.load(root) {
        Ok(text) => text,
        Err(reason) => {
            diagnostics.push(Diagnostic::error(Code::ImportPath, Span::default(), reason));
            String::new()
        }
    };
    sources.push(new_source(root, text, parse));
    // Depth-first with an explicit stack: (file index, next import to visit).
    let mut stack: Vec<(usize, usize)> = vec![(0, 0)];
    // The paths loaded, and those on the stack (a cycle): sets, so that a
    // long chain of imports costs linear time, not quadratic.
    let mut loaded: std::collections::HashSet<String> = std::iter::once(root.to_owned()).collect();
    let mut on_stack: std::collections::HashSet<String> = loaded.clone();
    while let Some(&mut (file, ref mut next)) = stack.last_mut() {
        let Some(importer) = sources.get(file) else {
            stack.pop();
            continue;
        };
        let importer_path = importer.path.clone();
        let imports = imports_of(importer);
        let Some((path_text, span)) = imports.get(*next).cloned() else {
            on_stack.remove(&importer_path);
            stack.pop();
            continue;
        };
        *next += 1;
        let file_id = FileId(file as u32);
        let resolved = match loader::resolve_relative(&importer_path, &path_text) {
            Ok(resolved) => resolved,
            Err(reason) => {
                diagnostics.push(
                    Diagnostic::error(Code::ImportPath, span, reason)
                        .with_help("imports are relative to the importing file and must stay inside the playbook's folder")
                        .in_file(file_id),
                );
                continue;
            }
        };
        let path_of = |f: usize| sources.get(f).map_or("", |s| s.path.as_str());
        let open_at = on_stack
            .contains(&resolved)
            .then(|| stack.iter().position(|(f, _)| path_of(*f) == resolved))
            .flatten();
        if let Some(open_at) = open_at {
            let chain: Vec<&str> = stack
                .iter()
                .skip(open_at)
                .map(|(f, _)| path_of(*f))
                .chain(std::iter::once(resolved.as_str()))
                .collect();
            diagnostics.push(
                Diagnostic::error(
                    Code::ImportCycle,
                    span,
                    format!("files import each other in a circle: {}", chain.join(" → ")),
                )
                .with_help("move the shared declarations into a file that imports neither")
                .in_file(file_id),
            );
            continue;
        }
        if loaded.contains(&resolved) {
            continue;
        }
        match loader.load(&resolved) {
            Ok(text) => {
                sources.push(new_source(&resolved, text, parse));
                stack.push((sources.len() - 1, 0));
                loaded.insert(resolved.clone());
                on_stack.insert(resolved);
            }
            Err(reason) => {
                diagnostics.push(Diagnostic::error(Code::ImportPath, span, reason).in_file(file_id))
            }
        }
    }
    sources
}

fn new_source(
    path: &str,
    text: String,
    parse: &dyn Fn(&str, &str) -> augur_syntax::Parse,
) -> Source {
    let parse = parse(path, &text);
    Source {
        path: path.to_string(),
        text: text.into(),
        parse,
    }
}

fn imports_of(source: &Source) -> Vec<(String, Span)> {
    source
        .parse
        .file
        .items
        .iter()
        .filter_map(|item| match &item.node {
            augur_syntax::ast::ItemKind::Import(import) => {
                Some((import.path.node.clone(), import.path.span))
            }
            _ => None,
        })
        .collect()
}
