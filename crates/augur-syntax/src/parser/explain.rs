//! What went wrong where the grammar had to recover: re-runs one item or
//! entry alone over a broken stretch and words the failure for a person
//! ("expected `:` (a field is written `name: type`), found `bool`"), and
//! records the names that broken declarations would have declared, so the
//! checker never reports them as missing.

use super::*;

impl Builder<'_> {
    /// Says what went wrong in a stretch of text that did not parse, by
    /// running `alone` (an item or an entry on its own) over that stretch.
    pub(super) fn explain_recovery(&mut self, pair: &Pair<'_, Rule>, alone: Rule) {
        self.explain_from(pair.as_span().start(), pair, alone);
    }

    /// Explains a broken stretch of items that starts on the line where the
    /// item before it (from `item_start`) ends, as that item going on: the
    /// item is read again with the stretch, so `let a = score <` says an
    /// expression should follow `<`, not that an item should start there.
    pub(super) fn explain_item_continued(&mut self, item_start: usize, pair: &Pair<'_, Rule>) {
        self.explain_from(item_start, pair, Rule::item_alone);
    }

    /// Runs `alone` over the text from `start` to the end of the broken
    /// stretch `pair` and words its failure.
    fn explain_from(&mut self, start: usize, pair: &Pair<'_, Rule>, alone: Rule) {
        let continued = start < pair.as_span().start();
        if let Some(diagnostic) =
            fractional_weight(pair.as_str().trim_end(), pair.as_span().start())
        {
            self.diagnostics.push(diagnostic);
            return;
        }
        let region = self
            .text
            .get(start..pair.as_span().end())
            .unwrap_or_default()
            .trim_end();
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
                        // An item read again with what follows it on its
                        // line: where its text could end, another item
                        // could start.
                        if continued {
                            for rule in &mut positives {
                                if *rule == Rule::EOI {
                                    *rule = Rule::let_def;
                                }
                            }
                        }
                        // Where an expression could go on inside a `(` or
                        // `[` still open, closing it is the other way on;
                        // pest names rules, not the `)` it also tried.
                        let could_go_on = positives.iter().any(|rule| {
                            matches!(
                                rule,
                                Rule::arith_op | Rule::cmp_op | Rule::kw_and | Rule::kw_or
                            )
                        });
                        let closers = if could_go_on {
                            open_bracket_closers(region.get(..at - start).unwrap_or(""))
                        } else {
                            &[]
                        };
                        describe_expected(&positives, closers)
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
        // The stretch was cut after its last token: what is found there is
        // what follows the spaces.
        let rest = self.text.get(at..).unwrap_or("");
        let spaces = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        let (at, rest) = (at + spaces, rest.get(spaces..).unwrap_or(""));
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
    pub(super) fn declared_names_in(&mut self, pair: &Pair<'_, Rule>) {
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
    pub(super) fn broken_name(&mut self, rule: Rule, text: &str, offset: usize) {
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
    pub(super) fn broken_entry(
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
}

/// Plain-language names for what the grammar expected.
pub(super) fn describe_expected(positives: &[Rule], extra: &[&'static str]) -> Option<String> {
    let mut names: Vec<&str> = Vec::new();
    // Where an operand may start, every way to start one is tried (the
    // levels of an expression are silent rules, so no one rule stands for
    // them all): "an expression" says it for the names and strings too.
    // Only an operand may start with `(`.
    let operand_expected = positives.contains(&Rule::paren);
    for rule in positives {
        let name = match rule {
            Rule::ident | Rule::string if operand_expected => continue,
            Rule::ident => "a name",
            Rule::plain_string | Rule::string => "a quoted string",
            Rule::expr
            | Rule::paren | Rule::list_lit | Rule::number | Rule::date_lit | Rule::bool_lit => "an expression",
            Rule::cmp_op | Rule::arith_op | Rule::add_op | Rule::mul_op | Rule::coalesce_op | Rule::kw_and | Rule::kw_or
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
    names.extend(extra);
    match names.as_slice() {
        [] => None,
        [one] => Some((*one).to_string()),
        [rest @ .., last] => Some(format!("{} or {last}", rest.join(", "))),
    }
}

/// What would close the innermost `(` or `[` left open in `text` (strings
/// and comments aside): `,` too inside a list or a call's arguments.
fn open_bracket_closers(text: &str) -> &'static [&'static str] {
    let mut open: Vec<(u8, bool)> = Vec::new();
    let mut name_before = false;
    let mut bytes = text.bytes();
    while let Some(byte) = bytes.next() {
        match byte {
            b'"' => {
                while let Some(byte) = bytes.next() {
                    match byte {
                        b'\\' => {
                            bytes.next();
                        }
                        b'"' | b'\n' => break,
                        _ => {}
                    }
                }
            }
            b'#' => {
                for byte in bytes.by_ref() {
                    if byte == b'\n' {
                        break;
                    }
                }
            }
            b'(' | b'[' => open.push((byte, name_before)),
            b')' | b']' => {
                open.pop();
            }
            _ => {}
        }
        // A `(` right after a name opens a call's arguments. Names may be
        // Chinese: any byte of a multi-byte character counts.
        name_before = byte == b'_' || byte.is_ascii_alphanumeric() || byte >= 0x80;
    }
    match open.last() {
        Some((b'(', true)) => &["`,`", "`)`"],
        Some((b'(', false)) => &["`)`"],
        Some(_) => &["`,`", "`]`"],
        None => &[],
    }
}

/// What the text holds at `offset`, for "found …", and how many bytes of it.
pub(super) fn describe_found(text: &str, offset: usize) -> (String, usize) {
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
pub(super) fn string_len(rest: &str) -> usize {
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

pub(super) fn unicode_ident_like(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// A hint for the most common slips at the error position.
/// What an entry of the block `alone` explains is made of, when pest names
/// no rule (it expected punctuation such as `:`).
pub(super) fn expected_in(alone: Rule) -> &'static str {
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
pub(super) fn next_entry(alone: Rule) -> &'static str {
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

pub(super) const CLOSING_QUOTE: &str = "the closing `\"`";

/// A string that runs to the end of its line without its closing quote:
/// underlined from its opening quote, which is where the author must look.
pub(super) fn unclosed_string(text: &str, at: usize) -> Diagnostic {
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
pub(super) fn fractional_weight(region: &str, start: usize) -> Option<Diagnostic> {
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

/// The half-width punctuation a Chinese input method's full-width one
/// stands for (`：` for `:`, `（` for `(`, `“` for `"`, …), as the help
/// words it.
fn half_width(c: char) -> Option<String> {
    let ascii = match c {
        // The full-width forms of ASCII's printable characters.
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0)?,
        '“' | '”' | '‘' | '’' => '"',
        '、' => ',',
        '。' => '.',
        '【' => '[',
        '】' => ']',
        '《' => '<',
        '》' => '>',
        '\u{3000}' => return Some("spaces".to_string()),
        _ => return None,
    };
    Some(format!("`{ascii}`"))
}

pub(super) fn syntax_help(region: &str, at: usize, expected: &str) -> String {
    let before = region.get(..at).unwrap_or("").trim_end();
    let found = region.get(at..).unwrap_or("");
    if let Some((wide, ascii)) = found.chars().next().and_then(|c| Some((c, half_width(c)?))) {
        return format!(
            "`{wide}` is full-width (Chinese) punctuation, and playbooks are written with half-width {ascii}; switch the input method to English punctuation or type {ascii}"
        );
    }
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
