//! Text → [`ast::File`]. Parsing never fails: it always returns a tree and the
//! diagnostics for whatever could not be read.
//!
//! The pest grammar (`grammar/augur.pest`) recognises the text; the `build_*`
//! functions here turn pest pairs into the typed AST, one function per grammar
//! family. Broken items are caught by the grammar's `recovery` rule; for each
//! one we re-run the item grammar alone over that stretch to say precisely what
//! was expected where.
//!
//! Limits (see [`limits`]) are checked here, before anything can recurse
//! deeply: bracket nesting is measured by a linear scan before pest runs, and
//! expression depth is counted while the tree is built.
//!
//! One job per file: `screen.rs` checks the raw text before the grammar
//! runs; `items.rs` builds items and entries; `expr.rs` builds expressions;
//! `explain.rs` words what went wrong where the grammar had to recover. The
//! [`Builder`] they share is defined here.

mod explain;
mod expr;
mod items;
mod pieces;
mod screen;

pub use screen::is_bidi_control;
use screen::{check_bracket_depth, invisible_character_errors};

use crate::ast::*;
use crate::date::Date;
use crate::diagnostic::{Code, Diagnostic};
use crate::span::{Span, Spanned};
use pest::iterators::Pair;
use pest::Parser as _;

#[derive(pest_derive::Parser)]
#[grammar = "../../../grammar/augur.pest"]
struct AugurParser;

/// The limits that keep a hostile playbook from exhausting the stack or memory.
pub mod limits {
    /// Largest playbook file, in bytes.
    pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;
    /// Deepest nesting of `(`, `[` and `{`.
    pub const MAX_BRACKET_DEPTH: usize = 64;
    /// Deepest expression tree (operators chained, `not not …`, nesting).
    pub const MAX_EXPR_DEPTH: usize = 256;
    /// Longest name, in characters.
    pub const MAX_IDENT_CHARS: usize = 256;
    /// Longest string literal, in bytes.
    pub const MAX_STRING_BYTES: usize = 64 * 1024;
    /// Most top-level items in one file.
    pub const MAX_ITEMS: usize = 50_000;
}

/// The result of parsing one file.
#[derive(Debug, Clone, Default)]
pub struct Parse {
    pub file: File,
    pub diagnostics: Vec<Diagnostic>,
}

impl Parse {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses a playbook. Always returns a tree (possibly with fewer items than
/// written) plus a diagnostic for every part that could not be read.
///
/// A big file is parsed in pieces on several threads when that gives the
/// same result (see `pieces.rs`).
pub fn parse(text: &str) -> Parse {
    with_stack(|| parse_on_this_stack(text, pieces::pieces_for(text.len())))
}

/// [`parse`] on the calling thread only, the whole file at once: the
/// reference the parse in pieces is tested against.
#[doc(hidden)]
pub fn parse_whole(text: &str) -> Parse {
    with_stack(|| parse_on_this_stack(text, 1))
}

/// Runs `f` with at least 16 MiB of stack. pest's generated parser recurses
/// about a dozen frames per bracket, which a 2 MiB worker thread (tests, the
/// language server) cannot afford in debug builds; the bracket limit bounds
/// the depth, this guarantees the room.
pub fn with_stack<T>(f: impl FnOnce() -> T) -> T {
    stacker::maybe_grow(16 * 1024 * 1024, 32 * 1024 * 1024, f)
}

fn parse_on_this_stack(text: &str, pieces: usize) -> Parse {
    if text.len() > limits::MAX_FILE_BYTES {
        let error = Diagnostic::error(
            Code::TooLarge,
            Span::new(0, 0),
            format!(
                "this file is {} bytes; playbooks may be at most {} bytes",
                text.len(),
                limits::MAX_FILE_BYTES
            ),
        )
        .with_help("split the playbook into several files joined with `import`");
        return Parse {
            file: File::default(),
            diagnostics: vec![error],
        };
    }
    if let Some(error) = check_bracket_depth(text) {
        return Parse {
            file: File::default(),
            diagnostics: vec![error],
        };
    }
    let invisible = if pieces > 1 {
        // The screen for invisible characters runs while the other pieces
        // are parsed.
        match pieces::parse_in_pieces(text, pieces, || invisible_character_errors(text)) {
            (Some(file), invisible) => {
                return Parse {
                    file,
                    diagnostics: invisible,
                }
            }
            (None, invisible) => invisible,
        }
    } else {
        invisible_character_errors(text)
    };
    let mut builder = Builder::new(text);
    let file = match AugurParser::parse(Rule::file, text) {
        Ok(mut pairs) => match pairs.next() {
            Some(file) => builder.build_file(file),
            None => File::default(),
        },
        Err(error) => {
            // The grammar accepts any text through `recovery`; reaching this
            // means pest itself gave up (e.g. its call limit).
            let at = error_offset(&error);
            builder.diagnostics.push(Diagnostic::error(
                Code::Syntax,
                Span::new(at, at),
                "this file could not be read",
            ));
            File::default()
        }
    };
    let mut diagnostics = invisible;
    diagnostics.extend(builder.diagnostics);
    Parse { file, diagnostics }
}

/// The parse of a file cut into `pieces` pieces parsed on as many threads
/// (see `pieces.rs`), whatever its size; `None` where [`parse`] would parse
/// it whole instead (a syntax error, a limit, no place to cut). For tests
/// that the two agree: [`parse`] itself chooses when to cut.
#[doc(hidden)]
pub fn parse_in_pieces(text: &str, pieces: usize) -> Option<Parse> {
    with_stack(|| {
        if text.len() > limits::MAX_FILE_BYTES || check_bracket_depth(text).is_some() {
            return None;
        }
        match pieces::parse_in_pieces(text, pieces, || invisible_character_errors(text)) {
            (Some(file), diagnostics) => Some(Parse { file, diagnostics }),
            (None, _) => None,
        }
    })
}

/// Parses a single expression (used by tools such as `augur test --filter`
/// and the language server for completions). `None` when it is not one.
pub fn parse_expression(text: &str) -> Option<Expr> {
    with_stack(|| parse_expression_on_this_stack(text))
}

fn parse_expression_on_this_stack(text: &str) -> Option<Expr> {
    if check_bracket_depth(text).is_some() {
        return None;
    }
    let mut builder = Builder::new(text);
    let pair = AugurParser::parse(Rule::expr, text).ok()?.next()?;
    if pair.as_span().end() != text.trim_end().len() {
        return None;
    }
    let expr = builder.expr(pair).0;
    builder.diagnostics.is_empty().then_some(expr)
}

fn error_offset(error: &pest::error::Error<Rule>) -> usize {
    match error.location {
        pest::error::InputLocation::Pos(at) => at,
        pest::error::InputLocation::Span((start, _)) => start,
    }
}

fn raw_span(pair: &Pair<'_, Rule>) -> Span {
    Span::new(pair.as_span().start(), pair.as_span().end())
}

/// The children of a pair, without comments.
fn children<'i>(pair: Pair<'i, Rule>) -> impl Iterator<Item = Pair<'i, Rule>> {
    pair.into_inner()
        .filter(|child| child.as_rule() != Rule::COMMENT)
}

struct Builder<'t> {
    text: &'t str,
    diagnostics: Vec<Diagnostic>,
    /// Every comment's span, sorted; used to trim spans.
    comment_spans: Vec<Span>,
    /// One bit per byte offset: whether a comment ends there. Most pair
    /// ends are not a comment's end; this says so without a search.
    comment_ends: Vec<u64>,
    /// Names declared by broken items and entries (see [`BrokenDecl`]).
    broken: Vec<BrokenDecl>,
}

/// A placeholder for an expression that could not be built (an error has been
/// reported, so nothing will evaluate it).
fn placeholder(span: Span) -> Expr {
    Spanned::new(ExprKind::Bool(false), span)
}

impl<'t> Builder<'t> {
    fn new(text: &'t str) -> Self {
        Builder {
            text,
            diagnostics: Vec::new(),
            comment_spans: Vec::new(),
            comment_ends: Vec::new(),
            broken: Vec::new(),
        }
    }

    /// Records the comments' spans (sorted by start) for [`Self::span_of`].
    fn set_comments(&mut self, spans: Vec<Span>) {
        self.comment_ends = vec![0; self.text.len() / 64 + 1];
        for span in &spans {
            if let Some(word) = self.comment_ends.get_mut(span.end / 64) {
                *word |= 1 << (span.end % 64);
            }
        }
        self.comment_spans = spans;
    }

    fn is_comment_end(&self, offset: usize) -> bool {
        self.comment_ends
            .get(offset / 64)
            .is_some_and(|word| word & (1 << (offset % 64)) != 0)
    }

    /// The span of a pair without the whitespace and comments pest may have
    /// skipped at its end while looking for an optional part.
    fn span_of(&self, pair: &Pair<'_, Rule>) -> Span {
        let Span { start, mut end } = raw_span(pair);
        // Most pairs end in neither: a comment ends before a line break (or
        // the end of the file), skipped whitespace ends in whitespace.
        let bytes = self.text.as_bytes();
        let ends_in_space = end
            .checked_sub(1)
            .and_then(|last| bytes.get(last))
            .is_some_and(u8::is_ascii_whitespace);
        let before_line_break = bytes.get(end).is_none_or(|b| matches!(b, b'\n' | b'\r'));
        if !ends_in_space && !before_line_break {
            return Span::new(start, end);
        }
        loop {
            let trimmed = self
                .text
                .get(start..end)
                .map_or(0, |t| t.len() - t.trim_end().len());
            end -= trimmed;
            if !self.is_comment_end(end) {
                return Span::new(start, end);
            }
            // Comments never overlap, so sorted by start they are sorted by end
            // too: a binary search keeps this logarithmic in the comment count.
            let comment = self
                .comment_spans
                .binary_search_by_key(&end, |c| c.end)
                .ok()
                .and_then(|index| self.comment_spans.get(index))
                .filter(|c| c.start >= start);
            match comment {
                Some(comment) => end = comment.start,
                None => return Span::new(start, end),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::screen::MAX_CONTROL_ERRORS;
    use super::*;

    #[test]
    fn parses_a_small_playbook_with_chinese_names() {
        let parse = parse("playbook \"站位\" version \"1.0\"\nfacts { 阶段: Stage  # 注释\n }\nlet 早 = 阶段 == early and not x\n");
        assert!(parse.diagnostics.is_empty(), "{:?}", parse.diagnostics);
        assert_eq!(parse.file.items.len(), 3);
        assert_eq!(parse.file.comments.len(), 1);
        assert_eq!(parse.file.comments[0].text, "# 注释");
    }

    #[test]
    fn control_characters_are_errors_anywhere_but_tabs_and_line_ends_are_fine() {
        for (text, at) in [
            ("enum S { a,\0 b }\n", 11),
            ("playbook \"a\u{1b}[2Jb\" version \"1\"\n", 11),
            ("# 注释 \u{7}\nenum S { a }\n", 9),
            ("enum S { a }\r# lone CR\n", 12),
            ("enum S { a }\n# \u{9b}2J\n", 15),
        ] {
            let parse = parse(text);
            let found: Vec<usize> = parse
                .diagnostics
                .iter()
                .filter(|d| d.code == Code::ControlCharacter)
                .map(|d| d.span.start)
                .collect();
            assert_eq!(found, vec![at], "{text:?}: {:?}", parse.diagnostics);
        }
        let fine = parse("enum S {\ta, b }\r\n# 注释\r\nfacts { s: S }\n");
        assert!(fine.diagnostics.is_empty(), "{:?}", fine.diagnostics);
        let many = parse(&"\0".repeat(10_000));
        assert!(
            many.diagnostics
                .iter()
                .filter(|d| d.code == Code::ControlCharacter)
                .count()
                <= MAX_CONTROL_ERRORS
        );
    }

    /// A control character between tokens is one mistake: the control
    /// character error, not a syntax error as well.
    #[test]
    fn a_control_character_between_tokens_gives_one_error() {
        let parse = parse("enum S { a,\u{b} b }\nfacts {\u{1f} s: S }\n");
        let codes: Vec<Code> = parse.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, vec![Code::ControlCharacter, Code::ControlCharacter]);
        assert_eq!(parse.file.items.len(), 2);
    }

    #[test]
    fn bidi_controls_are_errors_anywhere_but_rtl_letters_are_fine() {
        for text in [
            "enum 阶段 { 早, 晚\u{202e} }\n",
            "playbook \"站位 \u{2066}x\u{2069}\" version \"1\"\n",
            "# 注释 \u{202d}\nlet a = 1\n",
        ] {
            let parse = parse(text);
            let bidi: Vec<_> = parse
                .diagnostics
                .iter()
                .filter(|d| d.code == Code::BidiControl)
                .collect();
            assert!(!bidi.is_empty(), "{text:?}: {:?}", parse.diagnostics);
            for d in bidi {
                let under = &text[d.span.start..d.span.end];
                assert!(under.chars().all(is_bidi_control), "{under:?}");
                assert!(d.message.contains("U+20"), "{}", d.message);
            }
        }
        let hebrew = parse("let שלום = 1\n# مرحبا\n");
        assert!(hebrew.diagnostics.is_empty(), "{:?}", hebrew.diagnostics);
    }

    #[test]
    fn invisible_characters_are_named_by_code_point() {
        let parse = parse("enum S { a,\0 b }\n");
        assert!(
            parse.diagnostics[0].message.contains("U+0000"),
            "{:?}",
            parse.diagnostics
        );
    }

    /// The grammar's `keyword` rule lists the words by first letter; every
    /// reserved word must still be refused as a name, and a name that only
    /// starts or ends like one (or differs in case) must still be a name.
    #[test]
    fn every_reserved_word_and_only_those_is_refused_as_a_name() {
        const RESERVED: [&str; 22] = [
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
        ];
        let is_name = |text: &str| {
            AugurParser::parse(Rule::ident, text)
                .ok()
                .and_then(|mut pairs| pairs.next())
                .is_some_and(|pair| pair.as_str() == text)
        };
        for word in RESERVED {
            assert!(!is_name(word), "`{word}` read as a name");
            for near in [
                format!("{word}s"),
                format!("{word}_1"),
                format!("x{word}"),
                word.to_uppercase(),
                word[..word.len() - 1].to_string(),
            ] {
                let expected = !RESERVED.contains(&near.as_str());
                assert_eq!(is_name(&near), expected, "`{near}`");
            }
        }
        for name in [
            "a", "b", "h", "z", "stage", "mid", "days", "事实_3", "_x", "ó",
        ] {
            assert!(is_name(name), "`{name}` not read as a name");
        }
    }

    /// A Chinese input method types full-width punctuation; the help names
    /// the half-width character to type instead.
    #[test]
    fn full_width_punctuation_is_named_with_its_half_width_form() {
        for (text, wide, ascii) in [
            ("facts { 阶段: int?, 得分：int? }\n", '：', "`:`"),
            ("let a = （1 + 2)\n", '（', "`(`"),
            ("let b = 1 ＞ 2\n", '＞', "`>`"),
            ("signal s “测试” { when true weight 1 }\n", '“', "`\"`"),
            ("let c = [1，2]\n", '，', "`,`"),
            ("let d = [1、2]\n", '、', "`,`"),
            ("let e = 1\u{3000}+ 2\n", '\u{3000}', "spaces"),
        ] {
            let parse = parse(text);
            let [error] = parse.diagnostics.as_slice() else {
                panic!("{text:?}: {:?}", parse.diagnostics);
            };
            assert!(
                text[error.span.start..].starts_with(wide),
                "{text:?}: {error:?}"
            );
            let help = error.help.as_deref().unwrap_or("");
            assert!(
                help.contains(&format!("`{wide}`")) && help.contains(ascii),
                "{text:?}: {help}"
            );
        }
    }

    #[test]
    fn recovers_at_the_next_item() {
        let text = "let a = 1 +\nlet b = 2\nlet c = = 3\nlet d = 4\n";
        let parse = parse(text);
        assert_eq!(parse.diagnostics.len(), 2, "{:?}", parse.diagnostics);
        assert_eq!(parse.file.items.len(), 3);
    }

    #[test]
    fn nesting_at_the_limit_parses_on_a_small_thread() {
        let depth = limits::MAX_BRACKET_DEPTH - 1;
        let text = format!("let a = {}1{}\n", "(".repeat(depth), ")".repeat(depth));
        let parse = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || super::parse(&text))
            .unwrap()
            .join()
            .unwrap();
        assert!(parse.diagnostics.is_empty(), "{:?}", parse.diagnostics);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("let a = {}1{}", "(".repeat(100_000), ")".repeat(100_000));
        let parse = parse(&text);
        assert_eq!(parse.diagnostics[0].code, Code::TooDeep);
        let text = format!("let a = {}x", "not ".repeat(100_000));
        assert_eq!(super::parse(&text).diagnostics[0].code, Code::TooDeep);
        let text = format!("let a = 1{}", " + 1".repeat(100_000));
        assert_eq!(super::parse(&text).diagnostics[0].code, Code::TooDeep);
    }
}
