//! The conversion of `augur-ide` answers to LSP types.
//!
//! A [`Snap`] is the host's [`Snapshot`] of one open document (the "root"
//! of the analysis, `FileId::ROOT`) with the URI of each file and the unit
//! negotiated at `initialize`. Every byte offset becomes a position here,
//! through the snapshot's `LineIndex` per file; no analysis happens here.

use augur_ide::host::{self, Snapshot};
use augur_ide::{CompletionKind, FileSpan, SymbolKind as IdeSymbol, TokenKind};
use augur_syntax::{ColumnUnit, FileId, LineCol, LineIndex, Severity, Span};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use tower_lsp::lsp_types::{self as lsp, Url};

/// A host [`Snapshot`] with what the protocol needs around it: the
/// negotiated position unit and the URI of each file.
pub struct Snap {
    pub snapshot: Arc<Snapshot>,
    pub unit: ColumnUnit,
    /// URI of each file of the analysis, by `FileId`.
    pub uris: Vec<Option<Url>>,
}

impl std::ops::Deref for Snap {
    type Target = Snapshot;
    fn deref(&self) -> &Snapshot {
        &self.snapshot
    }
}

impl std::fmt::Debug for Snap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.snapshot.fmt(f)
    }
}

impl Snap {
    /// The snapshot of the document `uri` (its root file), for the client.
    pub fn new(uri: &Url, snapshot: Arc<Snapshot>, unit: ColumnUnit) -> Snap {
        let uris = snapshot
            .paths
            .iter()
            .enumerate()
            .map(|(index, path)| {
                if index == 0 {
                    Some(uri.clone())
                } else {
                    path.as_ref().and_then(|p| Url::from_file_path(p).ok())
                }
            })
            .collect();
        Snap {
            snapshot,
            unit,
            uris,
        }
    }
}

/// The file path of a document, if its URI names one.
pub fn path_of(uri: &Url) -> Option<PathBuf> {
    uri.to_file_path().ok()
}

/// Analyses the document `uri` with the other open documents `open`
/// (through [`host::analyze`]); for the benchmark.
pub fn analyze_snapshot(
    uri: &Url,
    text: Arc<str>,
    version: i32,
    generation: u64,
    unit: ColumnUnit,
    open: &[(Url, Arc<str>)],
    previous: Option<&Snap>,
) -> Snap {
    let open: HashMap<PathBuf, Arc<str>> = open
        .iter()
        .filter_map(|(u, t)| Some((path_of(u)?, t.clone())))
        .collect();
    let snapshot = host::analyze(
        path_of(uri).as_deref(),
        text,
        version,
        generation,
        &open,
        previous.map(|p| &*p.snapshot),
    );
    Snap::new(uri, Arc::new(snapshot), unit)
}

pub fn legend() -> lsp::SemanticTokensLegend {
    lsp::SemanticTokensLegend {
        token_types: augur_ide::TOKEN_KINDS
            .iter()
            .map(|k| lsp::SemanticTokenType::new(k))
            .collect(),
        token_modifiers: vec![
            lsp::SemanticTokenModifier::DECLARATION,
            lsp::SemanticTokenModifier::READONLY,
        ],
    }
}

/// A whole-document replacement of `old` by `new`, positioned once the unit
/// is known.
pub fn whole_range(old: &str, new: String) -> impl FnOnce(ColumnUnit) -> lsp::TextEdit {
    let old = old.to_string();
    move |unit| {
        let index = LineIndex::new(&old);
        let end = index.line_col(&old, old.len(), unit);
        lsp::TextEdit {
            range: lsp::Range {
                start: lsp::Position::new(0, 0),
                end: lsp::Position::new(end.line, end.column),
            },
            new_text: new,
        }
    }
}

impl Snap {
    fn text(&self, file: FileId) -> &str {
        self.analysis.source(file).map_or("", |s| &s.text)
    }

    pub fn position(&self, file: FileId, offset: usize) -> lsp::Position {
        let Some(index) = self.indexes.get(file.0 as usize) else {
            return lsp::Position::new(0, 0);
        };
        let at = index.line_col(self.text(file), offset, self.unit);
        lsp::Position::new(at.line, at.column)
    }

    pub fn offset(&self, file: FileId, position: lsp::Position) -> usize {
        let Some(index) = self.indexes.get(file.0 as usize) else {
            return 0;
        };
        index.offset(
            self.text(file),
            LineCol {
                line: position.line,
                column: position.character,
            },
            self.unit,
        )
    }

    pub fn range(&self, file: FileId, span: Span) -> lsp::Range {
        lsp::Range {
            start: self.position(file, span.start),
            end: self.position(file, span.end),
        }
    }

    pub fn span(&self, file: FileId, range: lsp::Range) -> Span {
        let start = self.offset(file, range.start);
        let end = self.offset(file, range.end);
        Span::new(start.min(end), start.max(end))
    }

    pub fn location(&self, at: FileSpan) -> Option<lsp::Location> {
        let uri = self.uris.get(at.file.0 as usize)?.clone()?;
        Some(lsp::Location {
            uri,
            range: self.range(at.file, at.span),
        })
    }

    /// The diagnostics of the root file, as the CLI reports them.
    pub fn lsp_diagnostics(&self) -> Vec<lsp::Diagnostic> {
        self.analysis
            .diagnostics
            .iter()
            .filter(|d| d.file == FileId::ROOT)
            .map(|d| self.diagnostic(d))
            .collect()
    }

    /// The diagnostics of each imported file (only files that have some).
    pub fn imported_diagnostics(&self) -> Vec<(Url, Vec<lsp::Diagnostic>)> {
        let mut by_file: Vec<(Url, Vec<lsp::Diagnostic>)> = Vec::new();
        for d in self
            .analysis
            .diagnostics
            .iter()
            .filter(|d| d.file != FileId::ROOT)
        {
            let Some(Some(uri)) = self.uris.get(d.file.0 as usize) else {
                continue;
            };
            match by_file.iter_mut().find(|(u, _)| u == uri) {
                Some((_, list)) => list.push(self.diagnostic(d)),
                None => by_file.push((uri.clone(), vec![self.diagnostic(d)])),
            }
        }
        by_file
    }

    pub fn diagnostic(&self, d: &augur_syntax::Diagnostic) -> lsp::Diagnostic {
        let mut message = d.message.clone();
        if let Some(label) = &d.label {
            message.push_str(&format!(" ({label})"));
        }
        if let Some(help) = &d.help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        let related: Vec<lsp::DiagnosticRelatedInformation> = d
            .labels
            .iter()
            .filter_map(|label| {
                Some(lsp::DiagnosticRelatedInformation {
                    location: self.location(FileSpan {
                        file: label.file,
                        span: label.span,
                    })?,
                    message: label.message.clone(),
                })
            })
            .collect();
        lsp::Diagnostic {
            range: self.range(d.file, d.span),
            severity: Some(match d.severity {
                Severity::Error => lsp::DiagnosticSeverity::ERROR,
                Severity::Warning => lsp::DiagnosticSeverity::WARNING,
            }),
            code: Some(lsp::NumberOrString::String(d.code.as_str().into())),
            source: Some("augur".into()),
            message,
            related_information: (!related.is_empty()).then_some(related),
            ..Default::default()
        }
    }

    pub fn completion_item(&self, item: augur_ide::CompletionItem) -> lsp::CompletionItem {
        let kind = match item.kind {
            CompletionKind::Keyword => lsp::CompletionItemKind::KEYWORD,
            CompletionKind::Fact => lsp::CompletionItemKind::FIELD,
            CompletionKind::Let => lsp::CompletionItemKind::VARIABLE,
            CompletionKind::Signal => lsp::CompletionItemKind::EVENT,
            CompletionKind::Verdict => lsp::CompletionItemKind::CLASS,
            CompletionKind::Variant => lsp::CompletionItemKind::ENUM_MEMBER,
            CompletionKind::Field => lsp::CompletionItemKind::PROPERTY,
            CompletionKind::Group => lsp::CompletionItemKind::MODULE,
            CompletionKind::Function => lsp::CompletionItemKind::FUNCTION,
            CompletionKind::Value => lsp::CompletionItemKind::CONSTANT,
            CompletionKind::Type => lsp::CompletionItemKind::TYPE_PARAMETER,
        };
        let new_text = item
            .insert_text
            .clone()
            .unwrap_or_else(|| item.label.clone());
        lsp::CompletionItem {
            label: item.label,
            kind: Some(kind),
            detail: item.detail,
            documentation: item.documentation.map(|value| {
                lsp::Documentation::MarkupContent(lsp::MarkupContent {
                    kind: lsp::MarkupKind::Markdown,
                    value,
                })
            }),
            sort_text: Some(item.sort_text),
            insert_text_format: Some(if item.is_snippet {
                lsp::InsertTextFormat::SNIPPET
            } else {
                lsp::InsertTextFormat::PLAIN_TEXT
            }),
            text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit {
                range: self.range(FileId::ROOT, item.replace),
                new_text,
            })),
            ..Default::default()
        }
    }

    pub fn workspace_edit(&self, edits: &[augur_ide::TextEdit]) -> lsp::WorkspaceEdit {
        let mut changes: HashMap<Url, Vec<lsp::TextEdit>> = HashMap::new();
        for edit in edits {
            let Some(Some(uri)) = self.uris.get(edit.file.0 as usize) else {
                continue;
            };
            changes.entry(uri.clone()).or_default().push(lsp::TextEdit {
                range: self.range(edit.file, edit.span),
                new_text: edit.new_text.clone(),
            });
        }
        lsp::WorkspaceEdit {
            changes: Some(changes),
            ..Default::default()
        }
    }

    pub fn code_action(&self, action: augur_ide::CodeAction) -> lsp::CodeAction {
        lsp::CodeAction {
            title: action.title,
            kind: Some(lsp::CodeActionKind::QUICKFIX),
            diagnostics: self
                .analysis
                .diagnostics
                .get(action.diagnostic)
                .map(|d| vec![self.diagnostic(d)]),
            edit: Some(self.workspace_edit(&action.edits)),
            is_preferred: Some(action.preferred),
            ..Default::default()
        }
    }

    #[allow(deprecated)] // `deprecated` is a required field of the struct
    pub fn document_symbol(&self, file: FileId, symbol: augur_ide::Symbol) -> lsp::DocumentSymbol {
        lsp::DocumentSymbol {
            name: if symbol.name.is_empty() {
                " ".into()
            } else {
                symbol.name
            },
            detail: symbol.detail,
            kind: symbol_kind(symbol.kind),
            tags: None,
            deprecated: None,
            range: self.range(file, symbol.span),
            selection_range: self.range(file, symbol.selection),
            children: Some(
                symbol
                    .children
                    .into_iter()
                    .map(|c| self.document_symbol(file, c))
                    .collect(),
            ),
        }
    }

    #[allow(deprecated)]
    pub fn workspace_symbols(&self, query: &str) -> Vec<lsp::SymbolInformation> {
        augur_ide::workspace_symbols(&self.analysis, query)
            .into_iter()
            .filter_map(|(symbol, file)| {
                Some(lsp::SymbolInformation {
                    name: symbol.name,
                    kind: symbol_kind(symbol.kind),
                    tags: None,
                    deprecated: None,
                    location: self.location(FileSpan {
                        file,
                        span: symbol.selection,
                    })?,
                    container_name: None,
                })
            })
            .collect()
    }

    pub fn folding_ranges(&self) -> Vec<lsp::FoldingRange> {
        augur_ide::folding_ranges(&self.analysis, FileId::ROOT)
            .into_iter()
            .map(|at| {
                let start = self.position(at.file, at.span.start);
                let end = self.position(at.file, at.span.end);
                lsp::FoldingRange {
                    start_line: start.line,
                    end_line: end.line,
                    ..Default::default()
                }
            })
            .filter(|r| r.end_line > r.start_line)
            .collect()
    }

    pub fn semantic_tokens(&self) -> lsp::SemanticTokens {
        let mut data = Vec::new();
        let (mut last_line, mut last_start) = (0, 0);
        for token in augur_ide::semantic_tokens(&self.analysis, FileId::ROOT) {
            let start = self.position(FileId::ROOT, token.span.start);
            let end = self.position(FileId::ROOT, token.span.end);
            if end.line != start.line || end.character <= start.character {
                continue;
            }
            let delta_line = start.line.saturating_sub(last_line);
            let delta_start = if delta_line == 0 {
                start.character.saturating_sub(last_start)
            } else {
                start.character
            };
            data.push(lsp::SemanticToken {
                delta_line,
                delta_start,
                length: end.character - start.character,
                token_type: token_index(token.kind),
                token_modifiers_bitset: token.modifiers,
            });
            last_line = start.line;
            last_start = start.character;
        }
        lsp::SemanticTokens {
            result_id: None,
            data,
        }
    }
}

fn token_index(kind: TokenKind) -> u32 {
    kind as u32
}

fn symbol_kind(kind: IdeSymbol) -> lsp::SymbolKind {
    match kind {
        IdeSymbol::Header => lsp::SymbolKind::FILE,
        IdeSymbol::Import => lsp::SymbolKind::MODULE,
        IdeSymbol::Enum => lsp::SymbolKind::ENUM,
        IdeSymbol::Variant => lsp::SymbolKind::ENUM_MEMBER,
        IdeSymbol::Record => lsp::SymbolKind::STRUCT,
        IdeSymbol::Field => lsp::SymbolKind::FIELD,
        IdeSymbol::Facts => lsp::SymbolKind::NAMESPACE,
        IdeSymbol::Fact => lsp::SymbolKind::FIELD,
        IdeSymbol::Let => lsp::SymbolKind::VARIABLE,
        IdeSymbol::Group => lsp::SymbolKind::NAMESPACE,
        IdeSymbol::Signal => lsp::SymbolKind::EVENT,
        IdeSymbol::Verdict => lsp::SymbolKind::ENUM,
        IdeSymbol::Arm => lsp::SymbolKind::ENUM_MEMBER,
        IdeSymbol::Advice => lsp::SymbolKind::STRING,
        IdeSymbol::Test => lsp::SymbolKind::METHOD,
    }
}
