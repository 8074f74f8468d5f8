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
pub fn parse(text: &str) -> Parse {
    with_stack(|| parse_on_this_stack(text))
}

/// Runs `f` with at least 16 MiB of stack. pest's generated parser recurses
/// about a dozen frames per bracket, which a 2 MiB worker thread (tests, the
/// language server) cannot afford in debug builds; the bracket limit bounds
/// the depth, this guarantees the room.
pub fn with_stack<T>(f: impl FnOnce() -> T) -> T {
    stacker::maybe_grow(16 * 1024 * 1024, 32 * 1024 * 1024, f)
}

fn parse_on_this_stack(text: &str) -> Parse {
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
    let mut bidi = bidi_control_errors(text);
    bidi.extend(control_character_errors(text));
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
    let mut diagnostics = bidi;
    diagnostics.extend(builder.diagnostics);
    Parse { file, diagnostics }
}

/// Unicode's bidirectional formatting characters (LRE, RLE, PDF, LRO, RLO,
/// LRI, RLI, FSI, PDI, and the ALM/LRM/RLM marks). They reorder how text is
/// *shown* without changing what it *is*, so a rule can read differently from
/// what it does ("Trojan Source", CVE-2021-42574).
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}' | '\u{200E}' | '\u{200F}'
    )
}

/// One error per bidirectional control character, wherever it is (names,
/// strings, comments): Augur rejects them outright rather than warn, because
/// a reviewer reading the playbook cannot see them. Right-to-left *letters*
/// (Arabic, Hebrew) are fine; only the invisible controls are refused.
fn bidi_control_errors(text: &str) -> Vec<Diagnostic> {
    text.char_indices()
        .filter(|(_, c)| is_bidi_control(*c))
        .map(|(at, c)| {
            Diagnostic::error(
                Code::BidiControl,
                Span::new(at, at + c.len_utf8()),
                format!(
                    "the invisible direction-changing character U+{:04X} is not allowed",
                    u32::from(c)
                ),
            )
            .with_label("invisible character here")
            .with_help(
                "it makes the text display in a different order than Augur reads it; delete it",
            )
        })
        .collect()
}

/// Most control-character errors reported for one file (a binary file
/// would otherwise give one per byte).
const MAX_CONTROL_ERRORS: usize = 100;

/// Whether `c` at `at` is a control character a playbook may not hold:
/// every C0 and C1 control and DEL, except tab, line feed, and a carriage
/// return that ends a CRLF line.
fn is_forbidden_control(text: &str, at: usize, c: char) -> bool {
    match c {
        '\t' | '\n' => false,
        '\r' => !text
            .get(at + 1..)
            .is_some_and(|rest| rest.starts_with('\n')),
        _ => c.is_control(),
    }
}

/// One error per invisible control character (NUL, ESC, backspace…),
/// wherever it is: in a string it would reach a terminal (an escape sequence
/// can rewrite what a rep sees), and anywhere it hides from a reviewer.
fn control_character_errors(text: &str) -> Vec<Diagnostic> {
    text.char_indices()
        .filter(|(at, c)| is_forbidden_control(text, *at, *c))
        .take(MAX_CONTROL_ERRORS)
        .map(|(at, c)| {
            Diagnostic::error(
                Code::ControlCharacter,
                Span::new(at, at + c.len_utf8()),
                format!(
                    "the invisible character U+{:04X} (a control character) is not allowed",
                    u32::from(c)
                ),
            )
            .with_label("invisible character here")
            .with_help(
                "control characters cannot be seen and can change what a terminal shows; delete it \
                 (tabs, line breaks and CRLF line endings are fine)",
            )
        })
        .collect()
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

fn check_bracket_depth(text: &str) -> Option<Diagnostic> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut in_comment = false;
    let mut escaped = false;
    for (offset, byte) in text.bytes().enumerate() {
        if in_comment {
            in_comment = byte != b'\n';
            continue;
        }
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' | b'\n' => in_string = false,
                _ => {}
            }
        } else {
            match byte {
                b'#' => in_comment = true,
                b'"' => in_string = true,
                _ => {}
            }
        }
        match byte {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > limits::MAX_BRACKET_DEPTH {
                    return Some(
                        Diagnostic::error(
                            Code::TooDeep,
                            Span::new(offset, offset + 1),
                            format!(
                                "brackets are nested more than {} levels deep here",
                                limits::MAX_BRACKET_DEPTH
                            ),
                        )
                        .with_label("too deep")
                        .with_help("split the expression into named `let` values"),
                    );
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
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
            broken: Vec::new(),
        }
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

    fn build_file(&mut self, file: Pair<'_, Rule>) -> File {
        let mut items = Vec::new();
        let mut comments: Vec<Comment> = file
            .clone()
            .into_inner()
            .flatten()
            .filter(|pair| pair.as_rule() == Rule::COMMENT)
            .map(|pair| Comment {
                span: raw_span(&pair),
                text: pair.as_str().trim_end_matches('\r').to_string(),
            })
            .collect();
        comments.sort_by_key(|comment| comment.span.start);
        comments.dedup();
        self.comment_spans = comments.iter().map(|c| c.span).collect();
        for pair in file.into_inner() {
            match pair.as_rule() {
                Rule::COMMENT | Rule::EOI => {}
                Rule::recovery => {
                    self.explain_recovery(&pair, Rule::item_alone);
                    self.declared_names_in(&pair);
                }
                _ => {
                    if items.len() == limits::MAX_ITEMS {
                        self.diagnostics.push(
                            Diagnostic::error(
                                Code::TooLarge,
                                self.span_of(&pair),
                                format!(
                                    "a playbook file may have at most {} items",
                                    limits::MAX_ITEMS
                                ),
                            )
                            .with_help(
                                "split the playbook into several files joined with `import`",
                            ),
                        );
                    }
                    if items.len() < limits::MAX_ITEMS {
                        if let Some(item) = self.item(pair) {
                            items.push(item);
                        }
                    }
                }
            }
        }
        let broken = std::mem::take(&mut self.broken);
        File {
            items,
            comments,
            broken,
        }
    }

    /// Says what went wrong in a stretch of text that did not parse, by
    /// running `alone` (an item or an entry on its own) over that stretch.
    fn explain_recovery(&mut self, pair: &Pair<'_, Rule>, alone: Rule) {
        let start = pair.as_span().start();
        let region = pair.as_str().trim_end();
        if let Some(diagnostic) = fractional_weight(region, start) {
            self.diagnostics.push(diagnostic);
            return;
        }
        let (at, expected) = match AugurParser::parse(alone, region) {
            Err(error) => {
                let at = start + error_offset(&error);
                let expected = match &error.variant {
                    pest::error::ErrorVariant::ParsingError { positives, .. } => {
                        // An entry is cut out of its block: "the end" of the
                        // cut-out text is not something the author can write.
                        let mut positives = positives.clone();
                        if alone != Rule::item_alone && positives.len() > 1 {
                            positives.retain(|rule| *rule != Rule::EOI);
                        }
                        describe_expected(&positives)
                            .unwrap_or_else(|| expected_in(alone).to_string())
                    }
                    pest::error::ErrorVariant::CustomError { message } => message.clone(),
                };
                (at, expected)
            }
            // The stretch parses alone but not in place: what follows it
            // cannot come next (e.g. `when a b`).
            Ok(_) => (start + region.len(), next_entry(alone).to_string()),
        };
        let rest = self.text.get(at..).unwrap_or("");
        let unclosed_here = rest.starts_with('"')
            && !rest
                .get(..string_len(rest))
                .is_some_and(|s| s.len() > 1 && s.ends_with('"'));
        if expected.contains(CLOSING_QUOTE) || unclosed_here {
            self.diagnostics
                .push(unclosed_string(self.text, at + usize::from(unclosed_here)));
            return;
        }
        let found = describe_found(self.text, at);
        let end = (at + found.1).min(self.text.len());
        let mut diagnostic = Diagnostic::error(
            Code::Syntax,
            Span::new(at, end),
            format!("expected {expected}, found {}", found.0),
        )
        .with_label(format!("expected {expected}"));
        diagnostic.help = Some(syntax_help(region, at - start, &expected));
        self.diagnostics.push(diagnostic);
    }

    /// Records the names a broken stretch of items would have declared: every
    /// line of it that starts with `signal x`, `let x`, `enum X`, ….
    fn declared_names_in(&mut self, pair: &Pair<'_, Rule>) {
        let start = pair.as_span().start();
        let region = pair.as_str();
        let mut offset = 0;
        for line in region.split_inclusive('\n') {
            let indent = line.len() - line.trim_start().len();
            self.broken_name(
                Rule::declared_name,
                line.trim_start(),
                start + offset + indent,
            );
            offset += line.len();
        }
    }

    /// Records the name `rule` finds at the start of `text` (at `offset` in
    /// the file) as broken.
    fn broken_name(&mut self, rule: Rule, text: &str, offset: usize) {
        let Ok(mut pairs) = AugurParser::parse(rule, text) else {
            return;
        };
        let Some(found) = pairs.next() else {
            return;
        };
        let mut keyword = None;
        for part in found.into_inner() {
            match part.as_rule() {
                Rule::declaring_keyword => keyword = Some(part.as_str()),
                Rule::ident => {
                    let span = Span::new(
                        offset + part.as_span().start(),
                        offset + part.as_span().end(),
                    );
                    let kind = match (rule, keyword) {
                        (Rule::entry_name, _) => BrokenKind::Member,
                        (_, Some("enum" | "record")) => BrokenKind::Type,
                        _ => BrokenKind::Value,
                    };
                    let name = Spanned::new(part.as_str().to_string(), span);
                    self.broken.push(BrokenDecl { kind, name });
                }
                _ => {}
            }
        }
    }

    /// A broken entry inside a block: explained, and the name it starts with
    /// recorded when it declares one (`kind` says of what).
    fn broken_entry(
        &mut self,
        pair: &Pair<'_, Rule>,
        alone: Rule,
        names: Option<(Rule, BrokenKind)>,
    ) {
        self.explain_recovery(pair, alone);
        if let Some((rule, kind)) = names {
            let before = self.broken.len();
            self.broken_name(rule, pair.as_str(), pair.as_span().start());
            for decl in self.broken.iter_mut().skip(before) {
                decl.kind = kind;
            }
        }
    }

    fn item(&mut self, pair: Pair<'_, Rule>) -> Option<Item> {
        let span = self.span_of(&pair);
        let kind = match pair.as_rule() {
            Rule::playbook_header => {
                let mut parts = children(pair);
                let title = self.plain_string(parts.next()?);
                let version = parts.next().map(|version| self.plain_string(version));
                ItemKind::Playbook(PlaybookHeader { title, version })
            }
            Rule::import => ItemKind::Import(Import {
                path: self.plain_string(children(pair).next()?),
            }),
            Rule::enum_def => {
                let mut name = None;
                let mut doc = None;
                let mut variants = Vec::new();
                for child in children(pair) {
                    match child.as_rule() {
                        Rule::ident => name = Some(self.ident(child)),
                        Rule::plain_string => doc = Some(self.plain_string(child)),
                        Rule::variant => {
                            let variant_span = self.span_of(&child);
                            let mut parts = children(child);
                            let name = self.ident(parts.next()?);
                            let doc = parts.next().map(|doc| self.plain_string(doc));
                            variants.push(Spanned::new(VariantDef { name, doc }, variant_span));
                        }
                        Rule::entry_recovery => self.broken_entry(
                            &child,
                            Rule::variant_alone,
                            Some((Rule::entry_name, BrokenKind::Member)),
                        ),
                        _ => {}
                    }
                }
                ItemKind::Enum(EnumDef {
                    name: name?,
                    doc,
                    variants,
                })
            }
            Rule::record_def => {
                let mut name = None;
                let mut doc = None;
                let mut fields = Vec::new();
                for child in children(pair) {
                    match child.as_rule() {
                        Rule::ident => name = Some(self.ident(child)),
                        Rule::plain_string => doc = Some(self.plain_string(child)),
                        Rule::field_def => fields.push(self.field_def(child)?),
                        Rule::entry_recovery => self.broken_entry(
                            &child,
                            Rule::field_alone,
                            Some((Rule::entry_name, BrokenKind::Member)),
                        ),
                        _ => {}
                    }
                }
                ItemKind::Record(RecordDef {
                    name: name?,
                    doc,
                    fields,
                })
            }
            Rule::facts_block => {
                let mut facts = Vec::new();
                for child in children(pair) {
                    match child.as_rule() {
                        Rule::field_def => facts.extend(self.field_def(child)),
                        Rule::entry_recovery => self.broken_entry(
                            &child,
                            Rule::field_alone,
                            Some((Rule::entry_name, BrokenKind::Value)),
                        ),
                        _ => {}
                    }
                }
                ItemKind::Facts(FactsBlock { facts })
            }
            Rule::let_def => {
                let mut parts = children(pair);
                let name = self.ident(parts.next()?);
                let value = self.top_expr(parts.next()?);
                ItemKind::Let(LetDef { name, value })
            }
            Rule::group_def => {
                let mut name = None;
                let mut label = None;
                let mut when = None;
                let mut signals = Vec::new();
                for child in children(pair) {
                    match child.as_rule() {
                        Rule::ident => name = Some(self.ident(child)),
                        Rule::plain_string => label = Some(self.plain_string(child)),
                        Rule::when_clause => when = Some(self.top_expr(children(child).next()?)),
                        Rule::signal_def => {
                            let signal_span = self.span_of(&child);
                            signals.push(Spanned::new(self.signal(child)?, signal_span));
                        }
                        Rule::signal_recovery => self.broken_entry(
                            &child,
                            Rule::signal_alone,
                            Some((Rule::declared_name, BrokenKind::Value)),
                        ),
                        Rule::header_recovery => {
                            self.broken_entry(&child, Rule::header_alone, None)
                        }
                        _ => {}
                    }
                }
                ItemKind::Group(GroupDef {
                    name: name?,
                    label,
                    when,
                    signals,
                })
            }
            Rule::signal_def => ItemKind::Signal(self.signal(pair)?),
            Rule::verdict_def => {
                let mut name = None;
                let mut label = None;
                let mut arms = Vec::new();
                for child in children(pair) {
                    match child.as_rule() {
                        Rule::ident => name = Some(self.ident(child)),
                        Rule::plain_string => label = Some(self.plain_string(child)),
                        Rule::verdict_arm => {
                            let arm_span = self.span_of(&child);
                            let mut arm_name = None;
                            let mut arm_label = None;
                            let mut condition = None;
                            for part in children(child) {
                                match part.as_rule() {
                                    Rule::ident => arm_name = Some(self.ident(part)),
                                    Rule::plain_string => arm_label = Some(self.plain_string(part)),
                                    Rule::when_clause => {
                                        condition = Some(ArmCondition::When(
                                            self.top_expr(children(part).next()?),
                                        ))
                                    }
                                    Rule::otherwise => {
                                        condition =
                                            Some(ArmCondition::Otherwise(self.span_of(&part)))
                                    }
                                    _ => {}
                                }
                            }
                            arms.push(Spanned::new(
                                VerdictArm {
                                    name: arm_name?,
                                    label: arm_label,
                                    condition: condition?,
                                },
                                arm_span,
                            ));
                        }
                        Rule::arm_recovery => self.broken_entry(
                            &child,
                            Rule::arm_alone,
                            Some((Rule::entry_name, BrokenKind::Member)),
                        ),
                        _ => {}
                    }
                }
                ItemKind::Verdict(VerdictDef {
                    name: name?,
                    label,
                    arms,
                })
            }
            Rule::advice_def => {
                let mut name = None;
                let mut label = None;
                let mut when = None;
                let mut text = Vec::new();
                for child in children(pair) {
                    match child.as_rule() {
                        Rule::ident => name = Some(self.ident(child)),
                        Rule::plain_string => label = Some(self.plain_string(child)),
                        Rule::when_clause => when = Some(self.top_expr(children(child).next()?)),
                        Rule::string => text.push(self.template(child)),
                        _ => {}
                    }
                }
                ItemKind::Advice(AdviceDef {
                    name: name?,
                    label,
                    when: when?,
                    text,
                })
            }
            Rule::test_def => {
                let mut parts = children(pair);
                let name = self.plain_string(parts.next()?);
                let mut statements = Vec::new();
                for child in parts {
                    let statement_span = self.span_of(&child);
                    let statement = match child.as_rule() {
                        Rule::given_file => {
                            TestStatement::GivenFile(self.plain_string(children(child).next()?))
                        }
                        Rule::given_inline => {
                            TestStatement::GivenInline(self.data_record(children(child).next()?))
                        }
                        Rule::test_today => {
                            TestStatement::Today(self.date(children(child).next()?)?)
                        }
                        Rule::expect_stmt => {
                            TestStatement::Expect(self.top_expr(children(child).next()?))
                        }
                        Rule::statement_recovery => {
                            self.broken_entry(&child, Rule::statement_alone, None);
                            continue;
                        }
                        _ => continue,
                    };
                    statements.push(Spanned::new(statement, statement_span));
                }
                ItemKind::Test(TestDef { name, statements })
            }
            _ => return None,
        };
        Some(Spanned::new(kind, span))
    }

    fn signal(&mut self, pair: Pair<'_, Rule>) -> Option<SignalDef> {
        let mut name = None;
        let mut label = None;
        let mut clauses: Vec<Spanned<SignalClause>> = Vec::new();
        for child in children(pair) {
            let clause_span = self.span_of(&child);
            let (keyword, clause) = match child.as_rule() {
                Rule::ident => {
                    name = Some(self.ident(child));
                    continue;
                }
                Rule::plain_string => {
                    label = Some(self.plain_string(child));
                    continue;
                }
                Rule::when_clause => (
                    "when",
                    SignalClause::When(self.top_expr(children(child).next()?)),
                ),
                Rule::weight_clause => {
                    let number = children(child).next()?;
                    let number_span = self.span_of(&number);
                    let weight = match number.as_str().trim_start_matches('+').parse::<i64>() {
                        Ok(weight) if weight.unsigned_abs() <= 1_000_000 => weight,
                        _ => {
                            self.diagnostics.push(
                                Diagnostic::error(
                                    Code::BadLiteral,
                                    number_span,
                                    "this weight is too large",
                                )
                                .with_help(
                                    "weights are whole numbers between -1000000 and 1000000",
                                ),
                            );
                            0
                        }
                    };
                    ("weight", SignalClause::Weight(weight))
                }
                Rule::message_clause => (
                    "message",
                    SignalClause::Message(self.template(children(child).next()?)),
                ),
                Rule::clause_recovery => {
                    self.broken_entry(&child, Rule::clause_alone, None);
                    continue;
                }
                _ => continue,
            };
            let duplicate = clauses.iter().find(|existing| {
                std::mem::discriminant(&existing.node) == std::mem::discriminant(&clause)
            });
            if let Some(first) = duplicate {
                let first_span = first.span;
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::DuplicateField,
                        clause_span,
                        format!("this signal already has a `{keyword}`"),
                    )
                    .with_label(format!("second `{keyword}`"))
                    .with_secondary(
                        Default::default(),
                        first_span,
                        format!("first `{keyword}` here"),
                    )
                    .with_help(format!(
                        "a signal has at most one `{keyword}`; combine them or remove one"
                    )),
                );
            }
            clauses.push(Spanned::new(clause, clause_span));
        }
        Some(SignalDef {
            name: name?,
            label,
            clauses,
        })
    }

    fn field_def(&mut self, pair: Pair<'_, Rule>) -> Option<Spanned<FieldDef>> {
        let span = self.span_of(&pair);
        let mut parts = children(pair);
        let name = self.ident(parts.next()?);
        let ty = self.type_expr(parts.next()?)?;
        let doc = parts.next().map(|doc| self.plain_string(doc));
        Some(Spanned::new(FieldDef { name, ty, doc }, span))
    }

    fn type_expr(&mut self, pair: Pair<'_, Rule>) -> Option<TypeExpr> {
        let span = self.span_of(&pair);
        let mut parts = children(pair);
        let core = parts.next()?;
        let optional = parts
            .next()
            .is_some_and(|mark| mark.as_rule() == Rule::optional_mark);
        let kind = match core.as_rule() {
            Rule::list_type => {
                let element = self.type_expr(children(core).next()?)?;
                TypeKind::List {
                    element: Box::new(element),
                    optional,
                }
            }
            _ => TypeKind::Named {
                name: self.ident(core),
                optional,
            },
        };
        Some(Spanned::new(kind, span))
    }

    fn ident(&mut self, pair: Pair<'_, Rule>) -> Ident {
        let span = self.span_of(&pair);
        let text = pair.as_str();
        if text.chars().count() > limits::MAX_IDENT_CHARS {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::TooLarge,
                    span,
                    format!(
                        "this name is longer than {} characters",
                        limits::MAX_IDENT_CHARS
                    ),
                )
                .with_help("choose a shorter name; put the long wording in the label string"),
            );
        }
        Spanned::new(text.to_string(), span)
    }

    fn date(&mut self, pair: Pair<'_, Rule>) -> Option<Date> {
        let span = self.span_of(&pair);
        let date = Date::parse(pair.as_str());
        if date.is_none() {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::BadLiteral,
                    span,
                    format!("{} is not a real date", pair.as_str()),
                )
                .with_help(
                    "dates are written YYYY-MM-DD with a real month and day, e.g. 2026-11-20",
                ),
            );
        }
        date
    }

    fn check_string_length(&mut self, span: Span) {
        if span.len() > limits::MAX_STRING_BYTES {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::TooLarge,
                    span,
                    format!(
                        "this string is longer than {} bytes",
                        limits::MAX_STRING_BYTES
                    ),
                )
                .with_help("shorten the text, or split it over several strings"),
            );
        }
    }

    fn escape(&mut self, pair: &Pair<'_, Rule>, out: &mut String) {
        let escaped = pair.as_str().chars().nth(1);
        match escaped {
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('{') => out.push('{'),
            Some('}') => out.push('}'),
            _ => self.diagnostics.push(
                Diagnostic::error(
                    Code::BadEscape,
                    self.span_of(pair),
                    format!("`{}` is not an escape Augur knows", pair.as_str()),
                )
                .with_help(r#"the escapes are \" \\ \n \t \{ \}"#),
            ),
        }
    }

    fn plain_string(&mut self, pair: Pair<'_, Rule>) -> PlainString {
        let span = self.span_of(&pair);
        self.check_string_length(span);
        let mut text = String::new();
        for part in children(pair) {
            match part.as_rule() {
                Rule::str_escape => self.escape(&part, &mut text),
                _ => text.push_str(part.as_str()),
            }
        }
        Spanned::new(text, span)
    }

    fn template(&mut self, pair: Pair<'_, Rule>) -> Template {
        let span = self.span_of(&pair);
        self.check_string_length(span);
        let mut parts: Vec<TemplatePart> = Vec::new();
        for part in children(pair) {
            match part.as_rule() {
                Rule::interp => {
                    if let Some(expr) = children(part).next() {
                        parts.push(TemplatePart::Interpolation(self.top_expr(expr)));
                    }
                }
                rule => {
                    if !matches!(parts.last(), Some(TemplatePart::Text(_))) {
                        parts.push(TemplatePart::Text(String::new()));
                    }
                    if let Some(TemplatePart::Text(text)) = parts.last_mut() {
                        if rule == Rule::str_escape {
                            let mut escaped = String::new();
                            self.escape(&part, &mut escaped);
                            text.push_str(&escaped);
                        } else {
                            text.push_str(part.as_str());
                        }
                    }
                }
            }
        }
        Template { parts, span }
    }

    fn data_record(&mut self, pair: Pair<'_, Rule>) -> Vec<DataEntry> {
        children(pair)
            .filter_map(|entry| {
                let mut parts = children(entry);
                let key = self.ident(parts.next()?);
                let value = self.data_value(parts.next()?)?;
                Some(DataEntry { key, value })
            })
            .collect()
    }

    fn data_value(&mut self, pair: Pair<'_, Rule>) -> Option<Spanned<DataValue>> {
        let span = self.span_of(&pair);
        let inner = children(pair).next()?;
        let value = match inner.as_rule() {
            Rule::data_record => DataValue::Record(self.data_record(inner)),
            Rule::data_list => DataValue::List(
                children(inner)
                    .filter_map(|item| self.data_value(item))
                    .collect(),
            ),
            Rule::date_lit => DataValue::Date(self.date(inner)?),
            Rule::number | Rule::neg_number => {
                let text = inner.as_str();
                if text.contains('.') {
                    DataValue::Number(text.to_string())
                } else {
                    DataValue::Int(self.int(text, span)?)
                }
            }
            Rule::bool_lit => DataValue::Bool(inner.as_str() == "true"),
            Rule::plain_string => DataValue::Text(self.plain_string(inner).node),
            Rule::ident => DataValue::Variant(self.ident(inner).node),
            _ => return None,
        };
        Some(Spanned::new(value, span))
    }

    fn int(&mut self, text: &str, span: Span) -> Option<i64> {
        match text.parse::<i64>() {
            Ok(value) => Some(value),
            Err(_) => {
                self.diagnostics.push(
                    Diagnostic::error(Code::BadLiteral, span, format!("the number {text} is too large"))
                        .with_help("whole numbers must lie between -9223372036854775808 and 9223372036854775807"),
                );
                None
            }
        }
    }

    /// Builds an expression and enforces the depth limit.
    fn top_expr(&mut self, pair: Pair<'_, Rule>) -> Expr {
        self.expr(pair).0
    }

    /// Builds an expression; returns it with its depth. A subtree that would be
    /// deeper than the limit is replaced by a placeholder and reported, so no
    /// later pass (or `Drop`) ever meets a deep tree.
    fn expr(&mut self, pair: Pair<'_, Rule>) -> (Expr, usize) {
        let span = self.span_of(&pair);
        let (expr, depth) = self.expr_inner(pair);
        if depth > limits::MAX_EXPR_DEPTH {
            self.too_deep(span);
            return (placeholder(span), 1);
        }
        (expr, depth)
    }

    fn too_deep(&mut self, span: Span) {
        if self
            .diagnostics
            .iter()
            .any(|d| d.code == Code::TooDeep && d.span.contains(span.start))
        {
            return;
        }
        self.diagnostics.push(
            Diagnostic::error(
                Code::TooDeep,
                span,
                format!(
                    "this expression is nested more than {} levels deep",
                    limits::MAX_EXPR_DEPTH
                ),
            )
            .with_help("split it into named `let` values"),
        );
    }

    fn expr_inner(&mut self, pair: Pair<'_, Rule>) -> (Expr, usize) {
        let span = self.span_of(&pair);
        match pair.as_rule() {
            Rule::expr => match children(pair).next() {
                Some(inner) => self.expr(inner),
                None => (placeholder(span), 1),
            },
            Rule::where_expr
            | Rule::or_expr
            | Rule::and_expr
            | Rule::coalesce_expr
            | Rule::add_expr
            | Rule::mul_expr
            | Rule::cmp_expr => {
                let mut parts = children(pair);
                let Some(first) = parts.next() else {
                    return (placeholder(span), 1);
                };
                let (mut lhs, mut depth) = self.expr(first);
                while let (Some(op), Some(rhs_pair)) = (parts.next(), parts.next()) {
                    let (rhs, rhs_depth) = self.expr(rhs_pair);
                    depth = depth.max(rhs_depth) + 1;
                    let whole = lhs.span.cover(rhs.span);
                    if depth > limits::MAX_EXPR_DEPTH {
                        self.too_deep(whole);
                        return (placeholder(whole), 1);
                    }
                    let kind = match op.as_rule() {
                        Rule::kw_where => ExprKind::Where(Box::new(lhs), Box::new(rhs)),
                        _ => ExprKind::Binary(binary_op(&op), Box::new(lhs), Box::new(rhs)),
                    };
                    lhs = Spanned::new(kind, whole);
                }
                (lhs, depth)
            }
            Rule::not_expr | Rule::neg_expr => {
                let parts: Vec<_> = children(pair).collect();
                let Some((operand, prefixes)) = parts.split_last() else {
                    return (placeholder(span), 1);
                };
                let (mut expr, mut depth) = self.expr(operand.clone());
                for prefix in prefixes.iter().rev() {
                    depth += 1;
                    let whole = self.span_of(prefix).cover(expr.span);
                    if depth > limits::MAX_EXPR_DEPTH {
                        self.too_deep(whole);
                        return (placeholder(whole), 1);
                    }
                    let op = if prefix.as_rule() == Rule::kw_not {
                        UnaryOp::Not
                    } else {
                        UnaryOp::Neg
                    };
                    expr = Spanned::new(ExprKind::Unary(op, Box::new(expr)), whole);
                }
                (expr, depth)
            }
            Rule::postfix_expr => {
                let mut parts = children(pair);
                let Some(first) = parts.next() else {
                    return (placeholder(span), 1);
                };
                let (mut expr, mut depth) = self.expr(first);
                for field in parts {
                    depth += 1;
                    let field = self.ident(field);
                    let whole = expr.span.cover(field.span);
                    if depth > limits::MAX_EXPR_DEPTH {
                        self.too_deep(whole);
                        return (placeholder(whole), 1);
                    }
                    expr = Spanned::new(ExprKind::Field(Box::new(expr), field), whole);
                }
                (expr, depth)
            }
            Rule::paren => match children(pair).next() {
                Some(inner) => {
                    let (inner, depth) = self.expr(inner);
                    (
                        Spanned::new(ExprKind::Paren(Box::new(inner)), span),
                        depth + 1,
                    )
                }
                None => (placeholder(span), 1),
            },
            Rule::list_lit => {
                let mut depth = 0;
                let items = children(pair)
                    .map(|item| {
                        let (item, item_depth) = self.expr(item);
                        depth = depth.max(item_depth);
                        item
                    })
                    .collect();
                (Spanned::new(ExprKind::List(items), span), depth + 1)
            }
            Rule::call => {
                let mut parts = children(pair);
                let Some(name) = parts.next() else {
                    return (placeholder(span), 1);
                };
                let name = self.ident(name);
                let mut depth = 0;
                let args = parts
                    .map(|arg| {
                        let (arg, arg_depth) = self.expr(arg);
                        depth = depth.max(arg_depth);
                        arg
                    })
                    .collect();
                (Spanned::new(ExprKind::Call(name, args), span), depth + 1)
            }
            Rule::string => {
                let template = self.template(pair);
                (Spanned::new(ExprKind::Text(template), span), 2)
            }
            Rule::date_lit => match self.date(pair) {
                Some(date) => (Spanned::new(ExprKind::Date(date), span), 1),
                None => (placeholder(span), 1),
            },
            Rule::number => {
                let text = pair.as_str();
                if text.contains('.') {
                    (Spanned::new(ExprKind::Number(text.to_string()), span), 1)
                } else {
                    match self.int(text, span) {
                        Some(value) => (Spanned::new(ExprKind::Int(value), span), 1),
                        None => (placeholder(span), 1),
                    }
                }
            }
            Rule::bool_lit => (
                Spanned::new(ExprKind::Bool(pair.as_str() == "true"), span),
                1,
            ),
            Rule::ident => {
                let ident = self.ident(pair);
                (Spanned::new(ExprKind::Name(ident.node), span), 1)
            }
            _ => (placeholder(span), 1),
        }
    }
}

fn binary_op(op: &Pair<'_, Rule>) -> BinaryOp {
    let text = op.as_str();
    match op.as_rule() {
        Rule::kw_or => BinaryOp::Or,
        Rule::kw_and => BinaryOp::And,
        Rule::coalesce_op => BinaryOp::Coalesce,
        _ => match text {
            "==" => BinaryOp::Eq,
            "!=" => BinaryOp::Ne,
            "<" => BinaryOp::Lt,
            "<=" => BinaryOp::Le,
            ">" => BinaryOp::Gt,
            ">=" => BinaryOp::Ge,
            "in" => BinaryOp::In,
            "+" => BinaryOp::Add,
            "-" => BinaryOp::Sub,
            "*" => BinaryOp::Mul,
            "/" => BinaryOp::Div,
            _ if text.starts_with("not") => BinaryOp::NotIn,
            _ => BinaryOp::Eq,
        },
    }
}

/// Plain-language names for what the grammar expected.
fn describe_expected(positives: &[Rule]) -> Option<String> {
    let mut names: Vec<&str> = Vec::new();
    for rule in positives {
        let name = match rule {
            Rule::ident => "a name",
            Rule::plain_string | Rule::string => "a quoted string",
            Rule::expr | Rule::where_expr | Rule::or_expr | Rule::and_expr | Rule::not_expr | Rule::cmp_expr
            | Rule::coalesce_expr | Rule::add_expr | Rule::mul_expr | Rule::neg_expr | Rule::postfix_expr
            | Rule::paren | Rule::list_lit | Rule::call | Rule::number | Rule::date_lit | Rule::bool_lit => "an expression",
            Rule::cmp_op | Rule::add_op | Rule::mul_op | Rule::coalesce_op | Rule::kw_and | Rule::kw_or
            | Rule::kw_where | Rule::not_in | Rule::kw_in => "an operator",
            Rule::type_expr | Rule::list_type => "a type",
            Rule::optional_mark => "`?`",
            Rule::signed_int => "a whole number",
            Rule::when_clause => "`when`",
            Rule::weight_clause => "`weight`",
            Rule::message_clause => "`message`",
            Rule::otherwise => "`otherwise`",
            Rule::verdict_arm => "a verdict arm (`name \"label\" when …`)",
            Rule::signal_def => "`signal`",
            Rule::variant => "an enum variant",
            Rule::field_def => "a field (`name: type`)",
            Rule::data_entry => "`name = value`",
            Rule::data_value | Rule::data_record | Rule::data_list | Rule::neg_number => "a value",
            Rule::given_file | Rule::given_inline => "`given`",
            Rule::test_today => "`today`",
            Rule::expect_stmt => "`expect`",
            Rule::kw_facts => "`facts`",
            Rule::str_text | Rule::str_escape | Rule::interp | Rule::plain_text => CLOSING_QUOTE,
            Rule::EOI => "the end of the file",
            Rule::playbook_header | Rule::import | Rule::enum_def | Rule::record_def | Rule::facts_block
            | Rule::let_def | Rule::group_def | Rule::verdict_def | Rule::advice_def | Rule::test_def => {
                "an item (`playbook`, `import`, `enum`, `record`, `facts`, `let`, `group`, `signal`, `verdict`, `advice` or `test`)"
            }
            _ => continue,
        };
        if !names.contains(&name) {
            names.push(name);
        }
    }
    match names.as_slice() {
        [] => None,
        [one] => Some((*one).to_string()),
        [rest @ .., last] => Some(format!("{} or {last}", rest.join(", "))),
    }
}

/// What the text holds at `offset`, for "found …", and how many bytes of it.
fn describe_found(text: &str, offset: usize) -> (String, usize) {
    let rest = text.get(offset..).unwrap_or("");
    let Some(first) = rest.chars().next() else {
        return ("the end of the file".to_string(), 0);
    };
    if first == '\n' || first == '\r' {
        return ("the end of the line".to_string(), 0);
    }
    if first == '"' {
        return ("a string".to_string(), string_len(rest));
    }
    // Invisible characters (NUL, other controls, bidi overrides) would print
    // as nothing or reorder the message; name them by code point instead.
    if first.is_control() || is_bidi_control(first) {
        return (
            format!("the invisible character U+{:04X}", u32::from(first)),
            first.len_utf8(),
        );
    }
    let word: String = if unicode_ident_like(first) {
        rest.chars()
            .take_while(|c| unicode_ident_like(*c))
            .collect()
    } else {
        first.to_string()
    };
    let len = word.len();
    (format!("`{word}`"), len)
}

/// The length of the string starting at `rest` (which starts with `"`): to
/// its closing quote, or to the end of the line when it is not closed.
fn string_len(rest: &str) -> usize {
    let mut escaped = false;
    for (at, c) in rest.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return at + 1,
            '\n' | '\r' => return at,
            _ => {}
        }
    }
    rest.len()
}

fn unicode_ident_like(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// A hint for the most common slips at the error position.
/// What an entry of the block `alone` explains is made of, when pest names
/// no rule (it expected punctuation such as `:`).
fn expected_in(alone: Rule) -> &'static str {
    match alone {
        Rule::signal_alone => "a signal (`signal name \"label\" { … }`)",
        Rule::clause_alone => "`when`, `weight` or `message`",
        Rule::arm_alone => "a verdict arm (`name \"label\" when …`)",
        Rule::statement_alone => "`given`, `today` or `expect`",
        Rule::field_alone => "`:` (a field is written `name: type`)",
        Rule::variant_alone => "a variant name",
        Rule::header_alone => "`when` or `{`",
        _ => "an item (`playbook`, `import`, `enum`, `record`, `facts`, `let`, `group`, `signal`, `verdict`, `advice` or `test`)",
    }
}

/// What may follow a complete entry of the block `alone` explains.
fn next_entry(alone: Rule) -> &'static str {
    match alone {
        Rule::signal_alone => "`signal` or the `}` that closes the group",
        Rule::clause_alone => "`when`, `weight`, `message` or the `}` that closes the signal",
        Rule::arm_alone => "the next arm or the `}` that closes the verdict",
        Rule::statement_alone => "`given`, `today`, `expect` or the `}` that closes the test",
        Rule::field_alone => "the next field (`name: type`) or `}`",
        Rule::variant_alone => "the next variant or `}`",
        Rule::header_alone => "`{`",
        _ => "the next item",
    }
}

const CLOSING_QUOTE: &str = "the closing `\"`";

/// A string that runs to the end of its line without its closing quote:
/// underlined from its opening quote, which is where the author must look.
fn unclosed_string(text: &str, at: usize) -> Diagnostic {
    let line_start = text
        .get(..at)
        .and_then(|b| b.rfind('\n'))
        .map_or(0, |i| i + 1);
    let open = text
        .get(line_start..at)
        .and_then(|line| line.rfind('"'))
        .map_or(at, |i| line_start + i);
    let end = text
        .get(at..)
        .and_then(|rest| rest.find(['\n', '\r']))
        .map_or(text.len(), |i| at + i);
    Diagnostic::error(
        Code::Syntax,
        Span::new(open, end),
        "this text has no closing `\"`",
    )
    .with_label("the text starts here and is not closed on this line")
    .with_help("add a `\"` where the text ends; a text cannot run over several lines")
}

/// `weight 2.5`: weights are whole numbers. Said plainly rather than as
/// "expected …, found `.`".
fn fractional_weight(region: &str, start: usize) -> Option<Diagnostic> {
    let rest = region.strip_prefix("weight")?;
    let number = rest.trim_start();
    let offset = start + region.len() - number.len();
    let digits = number.trim_start_matches(['+', '-']);
    let (whole, fraction) = digits.split_once('.')?;
    let is_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !is_digits(whole) || !is_digits(fraction.split_whitespace().next().unwrap_or("")) {
        return None;
    }
    let len = number.find(char::is_whitespace).unwrap_or(number.len());
    Some(
        Diagnostic::error(Code::Syntax, Span::new(offset, offset + len), "weights are whole numbers")
            .with_label("not a whole number")
            .with_help(format!(
                "write a whole number such as `{}`; weights only count relative to each other, so scale the others if you need finer steps",
                whole
            )),
    )
}

fn syntax_help(region: &str, at: usize, expected: &str) -> String {
    let before = region.get(..at).unwrap_or("").trim_end();
    let found = region.get(at..).unwrap_or("");
    if found.starts_with('=') && !found.starts_with("==") && expected.contains("operator") {
        return "to compare, write `==`; a single `=` is only used in `let name = …` and inline test deals".to_string();
    }
    if found.starts_with("&&")
        || found.starts_with("||")
        || found.starts_with('!') && !found.starts_with("!=")
    {
        return "write `and`, `or` and `not` as words".to_string();
    }
    if found.starts_with('\'') {
        return "strings use double quotes: \"like this\"".to_string();
    }
    if before.ends_with("==") || before.ends_with("and") || before.ends_with("or") {
        return "the expression stops before its end: add the missing part".to_string();
    }
    if expected.contains("an item") {
        return "each item starts with a keyword such as `signal`, `let` or `verdict`; check the line for a typo or a missing `}`".to_string();
    }
    format!("Augur expected {expected} here")
}

#[cfg(test)]
mod tests {
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
