//! A forgiving tokenizer for editor features.
//!
//! The parser drops an item it cannot read; completion and highlighting still
//! need to see the half-typed text around the cursor. This lexer never fails:
//! an unterminated string runs to the end of its line, an unknown character
//! becomes a one-character punctuation token. It is not the language's
//! definition (that is `grammar/augur.pest`); it only has to agree with it on
//! where identifiers, strings, numbers and comments are.

use augur_syntax::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    Ident,
    Keyword,
    Number,
    String,
    Comment,
    Punct,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
}

/// Words the grammar reserves, plus the words that start a clause or a test
/// statement (`weight`, `message`, `given`, `expect`, `version`).
pub const KEYWORDS: &[&str] = &[
    "and",
    "or",
    "not",
    "in",
    "where",
    "when",
    "otherwise",
    "true",
    "false",
    "playbook",
    "import",
    "enum",
    "record",
    "facts",
    "let",
    "group",
    "signal",
    "verdict",
    "advice",
    "test",
    "given",
    "expect",
    "weight",
    "message",
    "version",
];

/// Keywords that start an item at the top level.
pub const ITEM_KEYWORDS: &[&str] = &[
    "playbook", "import", "enum", "record", "facts", "let", "group", "signal", "verdict", "advice",
    "test",
];

pub fn is_ident_start(c: char) -> bool {
    c == '_' || unicode_ident::is_xid_start(c)
}

pub fn is_ident_continue(c: char) -> bool {
    unicode_ident::is_xid_continue(c)
}

/// Whether `name` can be written as an Augur identifier (not a keyword).
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if is_ident_start(c) => {}
        _ => return false,
    }
    chars.all(is_ident_continue) && !KEYWORDS.contains(&name)
}

/// Splits `text` into tokens; whitespace is skipped.
pub fn lex(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        let kind;
        let mut end = start + c.len_utf8();
        if c.is_whitespace() || c == '\u{FEFF}' {
            continue;
        } else if c == '#' {
            while let Some(&(i, next)) = chars.peek() {
                if next == '\n' {
                    break;
                }
                end = i + next.len_utf8();
                chars.next();
            }
            // A CRLF line's `\r` ends the line; it is not part of the comment.
            if text.get(..end).is_some_and(|before| before.ends_with('\r')) {
                end -= 1;
            }
            kind = TokenKind::Comment;
        } else if c == '"' {
            let mut escaped = false;
            while let Some(&(i, next)) = chars.peek() {
                if next == '\n' {
                    break;
                }
                end = i + next.len_utf8();
                chars.next();
                if escaped {
                    escaped = false;
                } else if next == '\\' {
                    escaped = true;
                } else if next == '"' {
                    break;
                }
            }
            kind = TokenKind::String;
        } else if is_ident_start(c) {
            while let Some(&(i, next)) = chars.peek() {
                if !is_ident_continue(next) {
                    break;
                }
                end = i + next.len_utf8();
                chars.next();
            }
            let word = text.get(start..end).unwrap_or("");
            kind = if KEYWORDS.contains(&word) {
                TokenKind::Keyword
            } else {
                TokenKind::Ident
            };
        } else if c.is_ascii_digit() {
            while let Some(&(i, next)) = chars.peek() {
                if !(next.is_ascii_alphanumeric() || next == '.' || next == '-' || next == '_') {
                    break;
                }
                end = i + next.len_utf8();
                chars.next();
            }
            kind = TokenKind::Number;
        } else {
            // Two-character operators are one token.
            if let Some(&(i, next)) = chars.peek() {
                let pair = [c, next];
                if matches!(
                    pair,
                    ['=', '='] | ['!', '='] | ['<', '='] | ['>', '='] | ['?', '?']
                ) {
                    end = i + next.len_utf8();
                    chars.next();
                }
            }
            kind = TokenKind::Punct;
        }
        tokens.push(Token {
            kind,
            span: Span::new(start, end),
        });
    }
    tokens
}

/// The text of a token (empty if the span is not in `text`).
pub fn token_text<'t>(text: &'t str, token: &Token) -> &'t str {
    text.get(token.span.start..token.span.end).unwrap_or("")
}

/// Clamps `offset` into `text` and back to a character boundary.
pub fn clamp_offset(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The identifier that contains or ends at `offset`, with its span.
pub fn ident_at(text: &str, offset: usize) -> Option<(Span, &str)> {
    let offset = clamp_offset(text, offset);
    let before = text.get(..offset)?;
    let after = text.get(offset..)?;
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_ident_continue(*c))
        .last()
        .map_or(offset, |(i, _)| i);
    let end = offset
        + after
            .char_indices()
            .find(|(_, c)| !is_ident_continue(*c))
            .map_or(after.len(), |(i, _)| i);
    let word = text.get(start..end)?;
    let first = word.chars().next()?;
    is_ident_start(first).then_some((Span::new(start, end), word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comment_in_a_crlf_line_stops_before_the_cr() {
        let text = "# 注释\r\nenum S { a }\r\n# last\r";
        let comments: Vec<&str> = lex(text)
            .iter()
            .filter(|t| t.kind == TokenKind::Comment)
            .map(|t| token_text(text, t))
            .collect();
        assert_eq!(comments, vec!["# 注释", "# last"]);
    }

    #[test]
    fn lexes_cjk_strings_comments_and_operators() {
        let text = "let 阶段 = x == \"好 {a}\" # 注释 𠮷\nfoo != 12";
        let kinds: Vec<(TokenKind, &str)> = lex(text)
            .iter()
            .map(|t| (t.kind, token_text(text, t)))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (TokenKind::Keyword, "let"),
                (TokenKind::Ident, "阶段"),
                (TokenKind::Punct, "="),
                (TokenKind::Ident, "x"),
                (TokenKind::Punct, "=="),
                (TokenKind::String, "\"好 {a}\""),
                (TokenKind::Comment, "# 注释 𠮷"),
                (TokenKind::Ident, "foo"),
                (TokenKind::Punct, "!="),
                (TokenKind::Number, "12"),
            ]
        );
    }

    #[test]
    fn unterminated_string_stops_at_line_end() {
        let text = "message \"open\nweight 1";
        let tokens = lex(text);
        assert_eq!(token_text(text, &tokens[1]), "\"open");
        assert_eq!(token_text(text, &tokens[2]), "weight");
    }

    #[test]
    fn finds_identifiers_around_offsets() {
        let text = "a 阶段x b";
        assert_eq!(ident_at(text, 3).map(|(_, w)| w), Some("阶段x"));
        assert_eq!(ident_at(text, 4).map(|(_, w)| w), Some("阶段x"));
        assert_eq!(ident_at(text, 99).map(|(_, w)| w), Some("b"));
        assert!(is_identifier("阶段"));
        assert!(!is_identifier("when"));
        assert!(!is_identifier("1a"));
    }
}
