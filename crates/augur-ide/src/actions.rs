//! Code actions and formatting.
//!
//! Quick fixes come from the checker's own suggestions
//! ([`augur_syntax::diagnostic::Suggestion`]): the did-you-mean fix, adding a
//! missing `otherwise`, declaring an undeclared fact, adding a missing variant
//! to its enum. The knowledge of what fixes a problem lives where the problem
//! is found; this module only offers them for the range the editor asks about.

use crate::{Analysis, TextEdit};
use augur_syntax::{FileId, Span};

/// One fix an editor can apply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeAction {
    pub title: String,
    /// Index into `analysis.diagnostics` of the diagnostic it fixes.
    pub diagnostic: usize,
    /// Whether this is the fix the editor may apply on its own.
    pub preferred: bool,
    pub edits: Vec<TextEdit>,
}

/// The fixes for every diagnostic of `file` that touches `range`.
pub fn code_actions(analysis: &Analysis, file: FileId, range: Span) -> Vec<CodeAction> {
    let mut actions = Vec::new();
    for (index, diagnostic) in analysis.diagnostics.iter().enumerate() {
        let touches = diagnostic.file == file
            && diagnostic.span.start <= range.end
            && range.start <= diagnostic.span.end;
        if !touches {
            continue;
        }
        for (position, suggestion) in diagnostic.suggestions.iter().enumerate() {
            actions.push(CodeAction {
                title: suggestion.title.clone(),
                diagnostic: index,
                preferred: position == 0
                    && !suggestion.title.starts_with("Declare")
                    && !suggestion.title.starts_with("Add `"),
                edits: vec![TextEdit {
                    file: suggestion.file,
                    span: suggestion.span,
                    new_text: suggestion.replacement.clone(),
                }],
            });
        }
    }
    actions
}

/// The formatted text, or `None` when it is already formatted or does not
/// parse (a file with syntax errors is never reformatted).
pub fn format(text: &str) -> Option<String> {
    match augur_fmt::format(text) {
        Ok(formatted) if formatted != text => Some(formatted),
        _ => None,
    }
}
