//! Names inside expressions: what a bare name means where it is written
//! (a fact, a let, a signal, a verdict, or a variant of the enum the context
//! expects), and the one message for a name that means nothing, with its
//! did-you-mean and its fix (declare it as a fact, or write `x in [a, b]`).
//! Warnings about names that read wrongly to a person (a variant called
//! `unknown`) live here too.
use crate::check::{Checker, ValueRef};
use crate::ir::{self, *};
use crate::lower::{boxed, enum_id, unreachable_symbol};
use crate::order::Node;
use augur_syntax::ast::{self, ExprKind as Ast};
use augur_syntax::diagnostic::Suggestion;
use augur_syntax::{did_you_mean, Code, Diagnostic, Span};

impl Checker<'_> {
    pub(crate) fn lower_name(
        &mut self,
        name: &str,
        span: Span,
        expected: Option<&Type>,
    ) -> ir::Expr {
        if name == "it" {
            if let Some(scope) = self.item_scopes.last() {
                let ty = Ty::known(scope.clone());
                return self.node(ExprKind::Item(0), ty, span);
            }
        }
        if let Some(expected @ (Type::Enum(_) | Type::Verdict(_))) = expected {
            if let Some(index) = self.variant_index(expected, name) {
                let symbol = match expected {
                    Type::Enum(id) => Symbol::Variant(*id, index),
                    Type::Verdict(id) => Symbol::Arm(*id, index),
                    _ => unreachable_symbol(),
                };
                self.occurrence(symbol, span, false);
                return self.node(
                    ExprKind::Literal(Literal::Variant(index)),
                    Ty::known(expected.clone()),
                    span,
                );
            }
        }
        let depth_count = self.item_scopes.len();
        for depth in 0..depth_count {
            let Some(scope) = self.item_scopes.get(depth_count - 1 - depth).cloned() else {
                continue;
            };
            if let Some((index, field_ty)) = self.record_field(&scope, name) {
                if let Type::Record(record) = scope {
                    self.occurrence(Symbol::Field(record, index), span, false);
                }
                let item = self.node(ExprKind::Item(depth as u32), Ty::known(scope), span);
                return self.node(ExprKind::Field(boxed(item), index), field_ty, span);
            }
        }
        match self.values.get(name).copied() {
            Some(ValueRef::Fact(id)) => {
                self.occurrence(Symbol::Fact(id), span, false);
                self.read(Read::Fact(id), span);
                let ty = self
                    .program
                    .facts
                    .get(id as usize)
                    .map_or_else(Ty::error, |f| f.ty.clone());
                return self.node(ExprKind::Fact(id), ty, span);
            }
            Some(ValueRef::Let(id)) => {
                self.occurrence(Symbol::Let(id), span, false);
                self.read(Read::Let(id), span);
                let ty = self.let_type(id, Some(span));
                return self.node(ExprKind::Let(id), ty, span);
            }
            Some(ValueRef::Signal(id)) => {
                self.occurrence(Symbol::Signal(id), span, false);
                self.read(Read::Signal(id), span);
                return self.node(ExprKind::Signal(id), Ty::known(Type::Bool), span);
            }
            Some(ValueRef::Verdict(id)) => {
                self.occurrence(Symbol::Verdict(id), span, false);
                self.read(Read::Verdict(id), span);
                return self.node(ExprKind::Verdict(id), Ty::known(Type::Verdict(id)), span);
            }
            None => {}
        }
        match name {
            "score" => {
                self.deps.push((Node::Score, self.location(span)));
                return self.node(ExprKind::Score, Ty::known(Type::Int), span);
            }
            "today" => return self.node(ExprKind::Today, Ty::known(Type::Date), span),
            _ => {}
        }
        // Beside a value whose own name or type was already reported, a bare
        // variant has nothing to be checked against: saying it is "not
        // declared" would be a second message for one mistake.
        if expected.is_some_and(Type::is_error) && !self.looks_like_misspelt_value(name) {
            return self.poisoned(span);
        }
        // Declared by an item or entry that did not parse: already reported.
        let broken_variant = matches!(expected, Some(Type::Enum(_) | Type::Verdict(_)))
            && self.broken.members.contains(name);
        if self.broken.values.contains(name) || broken_variant {
            return self.poisoned(span);
        }
        self.unknown_name(name, span, expected);
        self.poisoned(span)
    }

    /// Whether `name` reads as a typo of a declared fact, let, signal or
    /// verdict rather than as a variant of a type we could not determine.
    pub(crate) fn looks_like_misspelt_value(&self, name: &str) -> bool {
        !self.is_some_variant(name)
            && did_you_mean(name, self.values.keys().map(String::as_str)).is_some()
    }

    /// `late_objection == none`, where `none` is a variant: a person reads
    /// "no value", but the comparison is unknown when the fact is not
    /// recorded. A warning pointing to `known(…)`.
    pub(crate) fn variant_reads_as_unknown(&mut self, lhs: &ir::Expr, rhs: &ir::Expr, span: Span) {
        const LOOKS_UNKNOWN: &[&str] = &[
            "unknown",
            "none",
            "null",
            "nil",
            "n_a",
            "na",
            "not_known",
            "unset",
            "未知",
            "无",
        ];
        let (value, variant) = match (&lhs.kind, &rhs.kind) {
            (_, ExprKind::Literal(Literal::Variant(index))) => (lhs, (rhs, *index)),
            (ExprKind::Literal(Literal::Variant(index)), _) => (rhs, (lhs, *index)),
            _ => return,
        };
        if !value.ty.maybe_unknown {
            return;
        }
        let Some(name) = self
            .program
            .variant_names_iter(&variant.0.ty.ty)
            .nth(variant.1 as usize)
        else {
            return;
        };
        // Most names are ASCII, and there lowercasing needs no new string.
        let looks_unknown = if name.is_ascii() {
            LOOKS_UNKNOWN.iter().any(|w| name.eq_ignore_ascii_case(w))
        } else {
            LOOKS_UNKNOWN.contains(&name.to_lowercase().as_str())
        };
        if !looks_unknown {
            return;
        }
        let name = name.to_string();
        let value_text = self.source_text(value.location.span).unwrap_or("the value");
        self.diagnostics.push(
            Diagnostic::warning(
                Code::VariantReadsAsUnknown,
                span,
                format!("`{name}` here is a recorded answer, not \"not known\""),
            )
            .with_label(format!("true only when `{name}` was recorded"))
            .with_help(format!(
                "when `{value_text}` is not recorded at all, this comparison is undecided; to ask whether it is recorded, write `known({value_text})`, and to count an unrecorded value as `{name}`, write `({value_text} ?? {name}) == {name}`"
            ))
            .in_file(self.file),
        );
    }

    /// Whether `name` is a variant of some enum or an arm of some verdict.
    pub(crate) fn is_some_variant(&self, name: &str) -> bool {
        self.program
            .enums
            .iter()
            .any(|e| e.variants.iter().any(|v| v.name == name))
            || self
                .program
                .verdicts
                .iter()
                .any(|v| v.arms.iter().any(|arm| arm.name == name))
    }

    /// `champion == none or coach`: reads well in English but means
    /// `(champion == none) or coach`. When the right side of an `or` is a bare
    /// variant of the type compared on the left, the fix is `in [..]`.
    pub(crate) fn or_of_variants_fix(
        &self,
        lhs: &ir::Expr,
        rhs: &ast::Expr,
    ) -> Option<(String, String)> {
        let Ast::Name(variant) = &rhs.node else {
            return None;
        };
        if self.is_value_name(variant) {
            return None;
        }
        let ExprKind::Compare(CompareOp::Eq, value, _) = &lhs.kind else {
            return None;
        };
        self.variant_index(&value.ty.ty, variant)?;
        let value_text = self.source_text(value.location.span)?;
        let first_text = match &lhs.kind {
            ExprKind::Compare(_, _, first) => self.source_text(first.location.span)?,
            _ => return None,
        };
        Some((
            format!("{value_text} in [{first_text}, {variant}]"),
            variant.clone(),
        ))
    }

    pub(crate) fn unknown_name(&mut self, name: &str, span: Span, expected: Option<&Type>) {
        if let Some(expected @ (Type::Enum(_) | Type::Verdict(_))) = expected {
            let variants: Vec<String> = self
                .program
                .variant_names(expected)
                .iter()
                .map(|v| v.to_string())
                .collect();
            let type_name = self.type_name(expected);
            let what = if matches!(expected, Type::Verdict(_)) {
                "an arm of"
            } else {
                "a variant of"
            };
            let mut diagnostic = Diagnostic::error(
                Code::UnknownVariant,
                span,
                format!("`{name}` is not {what} `{type_name}`"),
            )
            .with_label(format!("not in `{type_name}`"));
            let suggestion =
                did_you_mean(name, variants.iter().map(String::as_str)).map(str::to_string);
            diagnostic = match suggestion {
                Some(s) => diagnostic
                    .with_help(format!(
                        "did you mean `{s}`? The choices are: {}",
                        variants.join(", ")
                    ))
                    .with_suggestion(format!("Change to `{s}`"), span, s),
                None => diagnostic.with_help(format!("the choices are: {}", variants.join(", "))),
            };
            let mut diagnostic = diagnostic.in_file(self.file);
            if let (Type::Enum(id), Some(at)) =
                (expected, self.enum_close.get(&enum_id(expected)).copied())
            {
                let (file, at_span, replacement) = self.insert_entry(at, name);
                diagnostic.suggestions.push(Suggestion {
                    title: format!(
                        "Add `{name}` to enum `{}`",
                        self.type_name(&Type::Enum(*id))
                    ),
                    file,
                    span: at_span,
                    replacement,
                });
            }
            self.diagnostics.push(diagnostic);
            return;
        }
        let mut candidates: Vec<String> = self.values.keys().cloned().collect();
        for scope in &self.item_scopes {
            if let Type::Record(id) = scope {
                if let Some(record) = self.program.records.get(*id as usize) {
                    candidates.extend(record.fields.iter().map(|f| f.name.clone()));
                }
            }
        }
        candidates.extend(["score", "today"].map(String::from));
        candidates.sort();
        let suggestion =
            did_you_mean(name, candidates.iter().map(String::as_str)).map(str::to_string);
        let owner = self
            .program
            .enums
            .iter()
            .find(|e| e.variants.iter().any(|v| v.name == name))
            .map(|e| e.name.clone());
        let mut diagnostic = Diagnostic::error(
            Code::UnknownName,
            span,
            format!("nothing named `{name}` is declared"),
        )
        .with_label("unknown name");
        diagnostic = match (suggestion, owner) {
            (Some(s), _) => diagnostic
                .with_help(format!("did you mean `{s}`?"))
                .with_suggestion(format!("Change to `{s}`"), span, s),
            (None, Some(owner)) => diagnostic
                .with_help(format!("`{name}` is a variant of `{owner}`; write `{owner}.{name}`, or compare it with a value of that type"))
                .with_suggestion(format!("Change to `{owner}.{name}`"), span, format!("{owner}.{name}")),
            (None, None) => diagnostic.with_help("declare it as a fact in `facts { … }`, or as a `let`, signal or verdict"),
        };
        let mut diagnostic = diagnostic.in_file(self.file);
        if let Some(suggestion) = self.declare_fact_fix(name, expected) {
            diagnostic.suggestions.push(suggestion);
        }
        self.diagnostics.push(diagnostic);
    }

    /// "Declare `name` as a fact": adds `name: T?` to the `facts` block (or
    /// a new block at the end of the file), `T` being the type the context
    /// expects when it is known.
    pub(crate) fn declare_fact_fix(
        &self,
        name: &str,
        expected: Option<&Type>,
    ) -> Option<Suggestion> {
        let ty = match expected {
            Some(ty @ Type::List(_)) => self.type_name(ty),
            Some(
                ty @ (Type::Bool
                | Type::Int
                | Type::Number
                | Type::Text
                | Type::Date
                | Type::Enum(_)
                | Type::Record(_)),
            ) => {
                format!("{}?", self.type_name(ty))
            }
            _ => "text?".to_string(),
        };
        let entry = format!("{name}: {ty}");
        let (file, span, replacement) = match self.facts_close {
            Some(at) => self.insert_entry(at, &entry),
            None => {
                let root = self.sources.first()?;
                let end = root.text.len();
                let newline = if root.text.ends_with('\n') || root.text.is_empty() {
                    ""
                } else {
                    "\n"
                };
                (
                    augur_syntax::FileId::ROOT,
                    Span::new(end, end),
                    format!("{newline}\nfacts {{\n  {entry}\n}}\n"),
                )
            }
        };
        Some(Suggestion {
            title: format!("Declare `{name}` as a fact ({ty})"),
            file,
            span,
            replacement,
        })
    }
}
