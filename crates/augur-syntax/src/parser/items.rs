//! Items and entries: turns the pest pairs of a whole file (items, their
//! blocks, names, types, strings and test data) into the typed AST. Broken
//! stretches are handed to `explain.rs`; expressions to `expr.rs`.

use super::*;
use pest::Token;

impl Builder<'_> {
    pub(super) fn build_file(&mut self, file: Pair<'_, Rule>) -> File {
        let mut items = Vec::new();
        // Comments can sit anywhere in the tree. The token stream finds them
        // without making a pair of every node on the way (a tenth of the
        // parse); a comment has no inner rules, so its end follows its start.
        let mut comments: Vec<Comment> = Vec::new();
        let mut comment_start = None;
        for token in file.clone().tokens() {
            match token {
                Token::Start {
                    rule: Rule::COMMENT,
                    pos,
                } => comment_start = Some(pos.pos()),
                Token::End {
                    rule: Rule::COMMENT,
                    pos,
                } => {
                    if let Some(start) = comment_start.take() {
                        let text = self.text.get(start..pos.pos()).unwrap_or_default();
                        comments.push(Comment {
                            span: Span::new(start, pos.pos()),
                            text: text.trim_end_matches('\r').to_string(),
                        });
                    }
                }
                _ => {}
            }
        }
        comments.sort_by_key(|comment| comment.span.start);
        comments.dedup();
        self.set_comments(comments.iter().map(|c| c.span).collect());
        // Where the item before ended, and where it started: a broken
        // stretch on the same line is explained as that item going on.
        let mut item_before: Option<(usize, usize)> = None;
        for pair in file.into_inner() {
            match pair.as_rule() {
                Rule::COMMENT | Rule::EOI => {}
                Rule::recovery => {
                    let start = pair.as_span().start();
                    match item_before.take() {
                        Some((item_start, item_end))
                            if !self
                                .text
                                .get(item_end..start)
                                .unwrap_or("\n")
                                .contains('\n') =>
                        {
                            self.explain_item_continued(item_start, &pair);
                        }
                        _ => self.explain_recovery(&pair, Rule::item_alone),
                    }
                    self.declared_names_in(&pair);
                }
                _ => {
                    item_before = Some((pair.as_span().start(), self.span_of(&pair).end));
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

    pub(super) fn item(&mut self, pair: Pair<'_, Rule>) -> Option<Item> {
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

    pub(super) fn signal(&mut self, pair: Pair<'_, Rule>) -> Option<SignalDef> {
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

    pub(super) fn field_def(&mut self, pair: Pair<'_, Rule>) -> Option<Spanned<FieldDef>> {
        let span = self.span_of(&pair);
        let mut parts = children(pair);
        let name = self.ident(parts.next()?);
        let ty = self.type_expr(parts.next()?)?;
        let doc = parts.next().map(|doc| self.plain_string(doc));
        Some(Spanned::new(FieldDef { name, ty, doc }, span))
    }

    pub(super) fn type_expr(&mut self, pair: Pair<'_, Rule>) -> Option<TypeExpr> {
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

    pub(super) fn ident(&mut self, pair: Pair<'_, Rule>) -> Ident {
        let span = self.span_of(&pair);
        self.ident_at(pair, span)
    }

    /// [`Self::ident`] when its span (`span_of(&pair)`) is already known.
    pub(super) fn ident_at(&mut self, pair: Pair<'_, Rule>, span: Span) -> Ident {
        let text = pair.as_str();
        // A name has at most as many characters as bytes: most are short
        // enough that counting is not needed.
        if text.len() > limits::MAX_IDENT_CHARS && text.chars().count() > limits::MAX_IDENT_CHARS {
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

    pub(super) fn date(&mut self, pair: Pair<'_, Rule>) -> Option<Date> {
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

    pub(super) fn check_string_length(&mut self, span: Span) {
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

    pub(super) fn escape(&mut self, pair: &Pair<'_, Rule>, out: &mut String) {
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

    pub(super) fn plain_string(&mut self, pair: Pair<'_, Rule>) -> PlainString {
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

    pub(super) fn template(&mut self, pair: Pair<'_, Rule>) -> Template {
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

    pub(super) fn data_record(&mut self, pair: Pair<'_, Rule>) -> Vec<DataEntry> {
        children(pair)
            .filter_map(|entry| {
                let mut parts = children(entry);
                let key = self.ident(parts.next()?);
                let value = self.data_value(parts.next()?)?;
                Some(DataEntry { key, value })
            })
            .collect()
    }

    pub(super) fn data_value(&mut self, pair: Pair<'_, Rule>) -> Option<Spanned<DataValue>> {
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

    pub(super) fn int(&mut self, text: &str, span: Span) -> Option<i64> {
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
}
