//! The outline of a file (document symbols), a search over every declared
//! name (workspace symbols) and folding ranges.
//!
//! These read the syntax tree, not the checked program, so a file with
//! errors still has an outline of every item that parsed.

use crate::{text_of, Analysis, FileSpan};
use augur_syntax::ast::{self, ItemKind};
use augur_syntax::{FileId, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SymbolKind {
    Header,
    Import,
    Enum,
    Variant,
    Record,
    Field,
    Facts,
    Fact,
    Let,
    Group,
    Signal,
    Verdict,
    Arm,
    Advice,
    Test,
}

/// One entry of the outline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    /// The label or type, shown next to the name.
    pub detail: Option<String>,
    pub kind: SymbolKind,
    /// The whole declaration.
    pub span: Span,
    /// The name.
    pub selection: Span,
    pub children: Vec<Symbol>,
}

fn leaf(
    name: &str,
    detail: Option<String>,
    kind: SymbolKind,
    span: Span,
    selection: Span,
) -> Symbol {
    Symbol {
        name: name.to_string(),
        detail,
        kind,
        span: span.cover(selection),
        selection,
        children: Vec::new(),
    }
}

fn label(label: &Option<ast::PlainString>) -> Option<String> {
    label.as_ref().map(|l| l.node.clone())
}

fn type_text(text: &str, ty: &ast::TypeExpr) -> Option<String> {
    text.get(ty.span.start..ty.span.end).map(str::to_string)
}

/// The outline of `file`: groups → signals, verdicts → arms, enums →
/// variants, records and facts → fields, lets, advice, tests.
pub fn document_symbols(analysis: &Analysis, file: FileId) -> Vec<Symbol> {
    let Some(source) = analysis.source(file) else {
        return Vec::new();
    };
    let text: &str = &source.text;
    source
        .parse
        .file
        .items
        .iter()
        .map(|item| item_symbol(text, item))
        .collect()
}

fn signal_symbol(signal: &ast::SignalDef, span: Span) -> Symbol {
    let detail = match (label(&signal.label), signal.weight()) {
        (Some(l), Some(w)) => Some(format!("{l} (weight {})", w.node)),
        (Some(l), None) => Some(l),
        (None, Some(w)) => Some(format!("weight {}", w.node)),
        (None, None) => None,
    };
    leaf(
        &signal.name.node,
        detail,
        SymbolKind::Signal,
        span,
        signal.name.span,
    )
}

fn item_symbol(text: &str, item: &ast::Item) -> Symbol {
    let span = item.span;
    match &item.node {
        ItemKind::Playbook(header) => leaf(
            &header.title.node,
            header.version.as_ref().map(|v| v.node.clone()),
            SymbolKind::Header,
            span,
            header.title.span,
        ),
        ItemKind::Import(import) => leaf(
            &import.path.node,
            None,
            SymbolKind::Import,
            span,
            import.path.span,
        ),
        ItemKind::Enum(def) => {
            let mut symbol = leaf(
                &def.name.node,
                label(&def.doc),
                SymbolKind::Enum,
                span,
                def.name.span,
            );
            symbol.children = def
                .variants
                .iter()
                .map(|v| {
                    leaf(
                        &v.name.node,
                        label(&v.doc),
                        SymbolKind::Variant,
                        v.span,
                        v.name.span,
                    )
                })
                .collect();
            symbol
        }
        ItemKind::Record(def) => {
            let mut symbol = leaf(
                &def.name.node,
                label(&def.doc),
                SymbolKind::Record,
                span,
                def.name.span,
            );
            symbol.children = def
                .fields
                .iter()
                .map(|f| {
                    leaf(
                        &f.name.node,
                        type_text(text, &f.ty),
                        SymbolKind::Field,
                        f.span,
                        f.name.span,
                    )
                })
                .collect();
            symbol
        }
        ItemKind::Facts(block) => {
            let keyword = Span::new(span.start, (span.start + "facts".len()).min(span.end));
            let mut symbol = leaf("facts", None, SymbolKind::Facts, span, keyword);
            symbol.children = block
                .facts
                .iter()
                .map(|f| {
                    leaf(
                        &f.name.node,
                        type_text(text, &f.ty),
                        SymbolKind::Fact,
                        f.span,
                        f.name.span,
                    )
                })
                .collect();
            symbol
        }
        ItemKind::Let(def) => leaf(&def.name.node, None, SymbolKind::Let, span, def.name.span),
        ItemKind::Group(def) => {
            let mut symbol = leaf(
                &def.name.node,
                label(&def.label),
                SymbolKind::Group,
                span,
                def.name.span,
            );
            symbol.children = def
                .signals
                .iter()
                .map(|s| signal_symbol(&s.node, s.span))
                .collect();
            symbol
        }
        ItemKind::Signal(def) => signal_symbol(def, span),
        ItemKind::Verdict(def) => {
            let mut symbol = leaf(
                &def.name.node,
                label(&def.label),
                SymbolKind::Verdict,
                span,
                def.name.span,
            );
            symbol.children = def
                .arms
                .iter()
                .map(|a| {
                    leaf(
                        &a.name.node,
                        label(&a.label),
                        SymbolKind::Arm,
                        a.span,
                        a.name.span,
                    )
                })
                .collect();
            symbol
        }
        ItemKind::Advice(def) => leaf(
            &def.name.node,
            label(&def.label),
            SymbolKind::Advice,
            span,
            def.name.span,
        ),
        ItemKind::Test(def) => leaf(&def.name.node, None, SymbolKind::Test, span, def.name.span),
    }
}

/// Every declared name in every file of the analysis whose name contains
/// `query` (ignoring case; an empty query matches everything).
pub fn workspace_symbols(analysis: &Analysis, query: &str) -> Vec<(Symbol, FileId)> {
    let query = query.to_lowercase();
    let mut found = Vec::new();
    for index in 0..analysis.sources.len() {
        let file = FileId(index as u32);
        let mut stack = document_symbols(analysis, file);
        while let Some(mut symbol) = stack.pop() {
            stack.append(&mut symbol.children);
            if symbol.name.to_lowercase().contains(&query) {
                found.push((symbol, file));
            }
        }
    }
    found.sort_by_key(|a| (a.1, a.0.selection));
    found
}

/// Ranges an editor may fold: every item, group signal and test that spans
/// several lines, and runs of two or more comment lines. Returned as byte
/// spans; the caller turns them into lines.
pub fn folding_ranges(analysis: &Analysis, file: FileId) -> Vec<FileSpan> {
    let Some(source) = analysis.source(file) else {
        return Vec::new();
    };
    let text = text_of(analysis, file);
    let multi_line = |span: Span| {
        text.get(span.start..span.end)
            .is_some_and(|t| t.contains('\n'))
    };
    let mut spans = Vec::new();
    for item in &source.parse.file.items {
        spans.push(item.span);
        if let ItemKind::Group(def) = &item.node {
            spans.extend(def.signals.iter().map(|s| s.span));
        }
    }
    // Consecutive comment lines.
    let comments = &source.parse.file.comments;
    let mut run: Option<Span> = None;
    for comment in comments {
        run = match run {
            Some(current)
                if text
                    .get(current.end..comment.span.start)
                    .is_some_and(|gap| gap.trim().is_empty() && gap.matches('\n').count() == 1) =>
            {
                Some(current.cover(comment.span))
            }
            Some(current) => {
                spans.push(current);
                Some(comment.span)
            }
            None => Some(comment.span),
        };
    }
    spans.extend(run);
    spans.retain(|s| multi_line(*s));
    spans.sort();
    spans.dedup();
    spans
        .into_iter()
        .map(|span| FileSpan { file, span })
        .collect()
}
