//! Semantic tokens: what each word of a file is, for highlighting.
//!
//! Names the checker resolved get the kind of what they name (a fact, a
//! signal, a variant…); everything else comes from the forgiving lexer
//! (keywords, strings, numbers, comments, operators), so a half-typed file
//! is still coloured.

use crate::lex::{lex, TokenKind as Lex};
use crate::Analysis;
use augur_check::ir::Symbol;
use augur_syntax::{FileId, Span};
use std::collections::HashMap;

/// The kinds of token, as data. The names in [`TOKEN_KINDS`] are LSP's
/// standard semantic token types, in the order of this enum.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    Keyword,
    String,
    Number,
    Comment,
    Operator,
    /// A type name: an enum, or a built-in type such as `int`.
    Enum,
    /// A variant, or an arm of a verdict.
    EnumMember,
    /// A record type.
    Struct,
    /// A record field.
    Property,
    /// A fact (readonly) or a let.
    Variable,
    /// A signal.
    Event,
    /// A group.
    Namespace,
    /// A verdict.
    Class,
    /// A built-in function.
    Function,
    /// An advice.
    Macro,
    /// A type name.
    Type,
}

/// LSP names of [`TokenKind`], indexed by `kind as usize`.
pub const TOKEN_KINDS: &[&str] = &[
    "keyword",
    "string",
    "number",
    "comment",
    "operator",
    "enum",
    "enumMember",
    "struct",
    "property",
    "variable",
    "event",
    "namespace",
    "class",
    "function",
    "macro",
    "type",
];

/// Modifier bits: `declaration` (the name is declared here) and `readonly`
/// (a fact: input, never computed).
pub const MODIFIER_DECLARATION: u32 = 1;
pub const MODIFIER_READONLY: u32 = 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SemanticToken {
    pub span: Span,
    pub kind: TokenKind,
    pub modifiers: u32,
}

fn symbol_kind(symbol: Symbol) -> (TokenKind, u32) {
    match symbol {
        Symbol::Enum(_) => (TokenKind::Enum, 0),
        Symbol::Variant(..) | Symbol::Arm(..) => (TokenKind::EnumMember, 0),
        Symbol::Record(_) => (TokenKind::Struct, 0),
        Symbol::Field(..) => (TokenKind::Property, 0),
        Symbol::Fact(_) => (TokenKind::Variable, MODIFIER_READONLY),
        Symbol::Let(_) => (TokenKind::Variable, 0),
        Symbol::Signal(_) => (TokenKind::Event, 0),
        Symbol::Group(_) => (TokenKind::Namespace, 0),
        Symbol::Verdict(_) => (TokenKind::Class, 0),
        Symbol::Advice(_) => (TokenKind::Macro, 0),
    }
}

/// Tokens of `file` in order, not overlapping.
pub fn semantic_tokens(analysis: &Analysis, file: FileId) -> Vec<SemanticToken> {
    let Some(source) = analysis.source(file) else {
        return Vec::new();
    };
    let text: &str = &source.text;
    let resolved: HashMap<usize, (Span, Symbol, bool)> = analysis
        .occurrences
        .iter()
        .filter(|o| o.file == file)
        .map(|o| (o.span.start, (o.span, o.symbol, o.is_definition)))
        .collect();
    // The same occurrences sorted by start, so the names inside a string
    // are found by binary search (not by scanning every name per string).
    let mut by_start: Vec<(Span, Symbol)> = resolved
        .values()
        .map(|(span, symbol, _)| (*span, *symbol))
        .collect();
    by_start.sort_by_key(|(span, _)| (span.start, span.end));
    let builtins: Vec<&str> = augur_check::builtins().iter().map(|b| b.0).collect();
    let mut out = Vec::new();
    for token in lex(text) {
        let word = crate::lex::token_text(text, &token);
        let (kind, modifiers) = match token.kind {
            Lex::Keyword => (TokenKind::Keyword, 0),
            Lex::String => {
                // Names interpolated in a message (`"… {note} …"`) keep
                // their own kind; the rest of the string is a string.
                let first = by_start.partition_point(|(span, _)| span.start <= token.span.start);
                let inside = by_start
                    .get(first..)
                    .unwrap_or_default()
                    .iter()
                    .take_while(|(span, _)| span.start < token.span.end)
                    .filter(|(span, _)| span.end < token.span.end);
                let mut at = token.span.start;
                for (span, symbol) in inside {
                    if span.start < at {
                        continue;
                    }
                    out.push(SemanticToken {
                        span: Span::new(at, span.start),
                        kind: TokenKind::String,
                        modifiers: 0,
                    });
                    let (kind, modifiers) = symbol_kind(*symbol);
                    out.push(SemanticToken {
                        span: *span,
                        kind,
                        modifiers,
                    });
                    at = span.end;
                }
                out.push(SemanticToken {
                    span: Span::new(at, token.span.end),
                    kind: TokenKind::String,
                    modifiers: 0,
                });
                continue;
            }
            Lex::Number => (TokenKind::Number, 0),
            Lex::Comment => (TokenKind::Comment, 0),
            Lex::Punct => {
                if word.chars().all(|c| "=!<>?+-*/".contains(c)) {
                    (TokenKind::Operator, 0)
                } else {
                    continue;
                }
            }
            Lex::Ident => match resolved.get(&token.span.start) {
                Some((span, symbol, is_definition)) if *span == token.span => {
                    let (kind, mut modifiers) = symbol_kind(*symbol);
                    if *is_definition {
                        modifiers |= MODIFIER_DECLARATION;
                    }
                    (kind, modifiers)
                }
                _ if ["bool", "int", "number", "text", "date", "list"].contains(&word) => {
                    (TokenKind::Type, 0)
                }
                _ if builtins.contains(&word) || ["today", "it"].contains(&word) => {
                    (TokenKind::Function, 0)
                }
                _ => continue,
            },
        };
        out.push(SemanticToken {
            span: token.span,
            kind,
            modifiers,
        });
    }
    out
}
