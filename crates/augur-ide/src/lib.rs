//! Editor answers for Augur playbooks, as plain data.
//!
//! Every function takes an [`Analysis`] (from `augur-check`), a file of it and
//! byte offsets, and answers with spans and strings: hover text, completion
//! items, definitions, references, rename edits, outlines, folding ranges,
//! semantic tokens, code actions and formatting. It also applies editors'
//! content changes to a text ([`edit`]) and keeps the open documents and
//! their analyses for an editor front end ([`host`]).
//!
//! It knows nothing of the Language Server Protocol, JSON-RPC, URIs or
//! line/column positions: `augur-lsp` converts at the edge. Every answer
//! works on a half-typed file (from the items that parsed, plus a forgiving
//! [`lex`]er around the cursor) and never panics on any offset.
#![deny(clippy::indexing_slicing)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod actions;
mod complete;
pub mod edit;
pub mod host;
mod hover;
pub mod incremental;
pub mod lex;
pub mod live;
mod nav;
mod symbols;
mod tokens;

pub use actions::{code_actions, format, CodeAction};
pub use augur_check::Analysis;
pub use complete::{completions, CompletionItem, CompletionKind};
pub use hover::{hover, Hover};
pub use nav::{definition, prepare_rename, references, rename};
pub use symbols::{document_symbols, folding_ranges, workspace_symbols, Symbol, SymbolKind};
pub use tokens::{semantic_tokens, SemanticToken, TokenKind, TOKEN_KINDS};

use augur_check::ir;
use augur_syntax::{FileId, Span};

/// A span in one file of the analysis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileSpan {
    pub file: FileId,
    pub span: Span,
}

/// Replace `span` in `file` with `new_text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextEdit {
    pub file: FileId,
    pub span: Span,
    pub new_text: String,
}

/// The text of one file of the analysis ("" if there is no such file).
pub(crate) fn text_of(analysis: &Analysis, file: FileId) -> &str {
    analysis.source(file).map_or("", |s| &s.text)
}

/// The symbol whose name is written at `offset` (touching it counts).
pub(crate) fn occurrence_at(
    analysis: &Analysis,
    file: FileId,
    offset: usize,
) -> Option<&ir::Occurrence> {
    // Prefer an occurrence that strictly contains the offset, then one that
    // ends at it (the cursor just after a name).
    let candidates = analysis
        .occurrences
        .iter()
        .filter(|o| o.file == file && o.span.start <= offset && offset <= o.span.end);
    let mut best: Option<&ir::Occurrence> = None;
    for occurrence in candidates {
        let strict = occurrence.span.start <= offset && offset < occurrence.span.end;
        match best {
            Some(b) if b.span.start <= offset && offset < b.span.end => {}
            _ if strict => best = Some(occurrence),
            None => best = Some(occurrence),
            _ => {}
        }
    }
    best
}

/// Where a symbol is declared.
pub(crate) fn definition_of(analysis: &Analysis, symbol: ir::Symbol) -> Option<FileSpan> {
    analysis
        .occurrences
        .iter()
        .find(|o| o.symbol == symbol && o.is_definition)
        .map(|o| FileSpan {
            file: o.file,
            span: o.span,
        })
}

/// The name a symbol is declared with.
pub(crate) fn symbol_name(analysis: &Analysis, symbol: ir::Symbol) -> Option<&str> {
    let p = &analysis.program;
    let at = |i: u32| i as usize;
    Some(match symbol {
        ir::Symbol::Enum(e) => &p.enums.get(at(e))?.name,
        ir::Symbol::Variant(e, v) => &p.enums.get(at(e))?.variants.get(at(v))?.name,
        ir::Symbol::Record(r) => &p.records.get(at(r))?.name,
        ir::Symbol::Field(r, f) => &p.records.get(at(r))?.fields.get(at(f))?.name,
        ir::Symbol::Fact(f) => &p.facts.get(at(f))?.name,
        ir::Symbol::Let(l) => &p.lets.get(at(l))?.name,
        ir::Symbol::Group(g) => &p.groups.get(at(g))?.name,
        ir::Symbol::Signal(s) => &p.signals.get(at(s))?.name,
        ir::Symbol::Verdict(v) => &p.verdicts.get(at(v))?.name,
        ir::Symbol::Arm(v, a) => &p.verdicts.get(at(v))?.arms.get(at(a))?.name,
        ir::Symbol::Advice(a) => &p.advice.get(at(a))?.name,
    })
}

/// The source text of an IR expression (for hover), trimmed.
pub(crate) fn source_of(analysis: &Analysis, location: &ir::Location) -> String {
    text_of(analysis, location.file)
        .get(location.span.start..location.span.end)
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
