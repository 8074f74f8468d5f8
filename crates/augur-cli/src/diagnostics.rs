//! Diagnostics on the command line: rendered for people on stderr (through
//! `render.rs`, coloured when the terminal and `NO_COLOR`/`CLICOLOR_FORCE`
//! say so), or as JSON records (1-based lines and columns in characters),
//! and the key that makes a diagnostic reached from two roots print once.

use augur_check::Analysis;
use augur_syntax::{ColumnUnit, Diagnostic, LineIndex, Severity};
use serde_json::{json, Value as Json};
use std::io::IsTerminal;

/// The shown path, text and line index of each file of an analysis, built
/// once per file so that N diagnostics cost N, not N × the file's size.
pub(crate) struct Files<'a> {
    analysis: &'a Analysis,
    root: &'a str,
    indexes: std::collections::HashMap<augur_syntax::FileId, LineIndex>,
}

impl<'a> Files<'a> {
    pub(crate) fn new(analysis: &'a Analysis, root: &'a str) -> Self {
        Files {
            analysis,
            root,
            indexes: std::collections::HashMap::new(),
        }
    }

    fn path(&self, file: augur_syntax::FileId) -> String {
        let rel = self.analysis.source(file).map_or("", |s| s.path.as_str());
        if self.root.is_empty() {
            rel.to_string()
        } else {
            format!("{}/{rel}", self.root)
        }
    }

    fn text(&self, file: augur_syntax::FileId) -> &'a str {
        self.analysis.source(file).map_or("", |s| &s.text[..])
    }

    fn index(&mut self, file: augur_syntax::FileId) -> &LineIndex {
        let text = self.text(file);
        self.indexes
            .entry(file)
            .or_insert_with(|| LineIndex::new(text))
    }
}

pub(crate) fn print_diagnostics(analysis: &Analysis, root: &str) {
    let mut files = Files::new(analysis, root);
    let all: Vec<&Diagnostic> = analysis.diagnostics.iter().collect();
    print_these(&mut files, &all);
}

/// Prints `diagnostics` of `files` in one write; each file's line index is
/// built once, so N diagnostics render in linear time.
pub(crate) fn print_these(files: &mut Files<'_>, diagnostics: &[&Diagnostic]) {
    let color = colour_on_stderr();
    let mut out = String::new();
    for diagnostic in diagnostics {
        let path = files.path(diagnostic.file);
        let text = files.text(diagnostic.file);
        let index = files.index(diagnostic.file);
        out.push_str(&augur_render::render_report_indexed(
            diagnostic, &path, text, index, color,
        ));
    }
    eprint!("{out}");
}

/// Each shown path's one spelling (see [`diagnostic_key`]), worked out
/// once a run: a file imported by many checked playbooks is looked up on
/// disk once, not once per importer.
#[derive(Default)]
pub(crate) struct CanonicalPaths(std::collections::HashMap<String, String>);

/// What makes two diagnostics the same: the file (however reached), the
/// place, the code and the message.
pub(crate) fn diagnostic_key(
    files: &Files<'_>,
    paths: &mut CanonicalPaths,
    diagnostic: &Diagnostic,
) -> String {
    let path = files.path(diagnostic.file);
    let file = match paths.0.get(&path) {
        Some(file) => file,
        None => paths
            .0
            .entry(path.clone())
            .or_insert_with(|| canonical(&path)),
    };
    format!(
        "{}\0{}\0{}\0{}\0{}",
        file,
        diagnostic.span.start,
        diagnostic.span.end,
        diagnostic.code.as_str(),
        diagnostic.message
    )
}

/// A file's path as one spelling, so the same file reached from two roots
/// is recognised.
fn canonical(path: &str) -> String {
    std::fs::canonicalize(path)
        .map_or_else(|_| path.to_string(), |p| p.to_string_lossy().into_owned())
}

pub(crate) fn diagnostic_json(files: &mut Files<'_>, diagnostic: &Diagnostic) -> Json {
    let path = files.path(diagnostic.file);
    let text = files.text(diagnostic.file);
    let index = files.index(diagnostic.file);
    let start = index.line_col(text, diagnostic.span.start, ColumnUnit::Char);
    let end = index.line_col(text, diagnostic.span.end, ColumnUnit::Char);
    json!({
        "code": diagnostic.code.as_str(),
        "severity": match diagnostic.severity { Severity::Error => "error", Severity::Warning => "warning" },
        "message": diagnostic.message,
        "file": path,
        "line": start.line + 1,
        "column": start.column + 1,
        "end_line": end.line + 1,
        "end_column": end.column + 1,
        "help": diagnostic.help,
    })
}

/// Whether diagnostics on stderr are coloured: on a terminal, unless
/// `NO_COLOR` is set (to anything but the empty string); anywhere when
/// `CLICOLOR_FORCE` is set to anything but `0` (<https://no-color.org>,
/// <https://bixense.com/clicolors/>).
pub(crate) fn colour_on_stderr() -> bool {
    colour_wanted(
        std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0"),
        std::io::stderr().is_terminal(),
    )
}

fn colour_wanted(no_color: bool, force: bool, terminal: bool) -> bool {
    !no_color && (force || terminal)
}

#[cfg(test)]
mod tests {
    use super::colour_wanted;

    #[test]
    fn no_color_wins_then_force_then_the_terminal() {
        assert!(!colour_wanted(true, true, true));
        assert!(colour_wanted(false, true, false));
        assert!(colour_wanted(false, false, true));
        assert!(!colour_wanted(false, false, false));
    }
}
