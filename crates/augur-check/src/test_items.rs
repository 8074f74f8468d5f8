//! The playbook's embedded `test` items, as far as checking goes: every
//! `expect` is a condition, every `given` file or inline deal names declared
//! facts with values of their types (a variant that is not one is reported
//! here, not only when the test runs), and the inline deal is kept as the
//! JSON text a deal file would hold. Running the tests is `augur-eval`'s.

use crate::check::Checker;
use crate::ir::*;
use augur_syntax::ast::{self, DataValue, ItemKind, TestStatement};
use augur_syntax::{did_you_mean, Code, Diagnostic, Span, Spanned};

impl Checker<'_> {
    pub(crate) fn check_tests(&mut self) {
        let items: Vec<_> = self.items().collect();
        for (file, item) in items {
            self.file = file;
            let ItemKind::Test(def) = &item.node else {
                continue;
            };
            let mut test = TestInfo {
                name: def.name.node.clone(),
                location: self.location(def.name.span),
                givens: Vec::new(),
                today: None,
                expects: Vec::new(),
            };
            for statement in &def.statements {
                match &statement.node {
                    TestStatement::GivenFile(path) => test.givens.push(Given::File {
                        path: path.node.clone(),
                        location: self.location(path.span),
                    }),
                    TestStatement::GivenInline(entries) => {
                        let deal = self.inline_deal(entries);
                        test.givens.push(Given::Inline(deal));
                    }
                    TestStatement::Today(date) => test.today = Some(*date),
                    TestStatement::Expect(expr) => {
                        // Tests do not count as rules reading a value (lints).
                        let referenced = self.referenced.clone();
                        self.begin_rule();
                        let condition = self.lower_condition(expr);
                        self.end_rule(None);
                        self.referenced = referenced;
                        let source = self.source_text(expr.span).unwrap_or("").to_string();
                        test.expects.push(Expect {
                            condition,
                            source,
                            location: self.location(statement.span),
                        });
                    }
                }
            }
            self.program.tests.push(test);
        }
    }

    /// Records the variants and record fields written in an inline deal
    /// value, so rename and references reach them, and reports a variant
    /// its enum does not have (so `check` finds it, not only `test`). Other
    /// mismatches are reported when the deal is decoded.
    pub(crate) fn data_occurrences(&mut self, ty: &Type, value: &Spanned<DataValue>) {
        match (ty, &value.node) {
            (Type::Enum(id), DataValue::Variant(name)) => {
                let index = self
                    .program
                    .enums
                    .get(*id as usize)
                    .and_then(|e| e.variants.iter().position(|v| &v.name == name));
                match index {
                    Some(index) => {
                        self.occurrence(Symbol::Variant(*id, index as u32), value.span, false)
                    }
                    None if !self.broken.members.contains(name) => {
                        self.unknown_given_variant(ty, name, value.span)
                    }
                    None => {}
                }
            }
            (Type::List(inner), DataValue::List(items)) => {
                for item in items {
                    self.data_occurrences(inner, item);
                }
            }
            (Type::Record(id), DataValue::Record(entries)) => {
                for entry in entries {
                    let field = self.program.records.get(*id as usize).and_then(|r| {
                        r.fields
                            .iter()
                            .position(|f| f.name == entry.key.node)
                            .map(|i| (i, r.fields.get(i).map(|f| f.ty.ty.clone())))
                    });
                    if let Some((index, field_ty)) = field {
                        self.occurrence(Symbol::Field(*id, index as u32), entry.key.span, false);
                        if let Some(field_ty) = field_ty {
                            self.data_occurrences(&field_ty, &entry.value);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    pub(crate) fn unknown_given_variant(&mut self, ty: &Type, name: &str, span: Span) {
        let variants: Vec<String> = self
            .program
            .variant_names(ty)
            .iter()
            .map(|v| v.to_string())
            .collect();
        let type_name = self.program.type_name(ty);
        let mut diagnostic = Diagnostic::error(
            Code::UnknownVariant,
            span,
            format!("`{name}` is not a variant of `{type_name}`"),
        )
        .with_label(format!("not in `{type_name}`"));
        diagnostic = match did_you_mean(name, variants.iter().map(String::as_str)) {
            Some(s) => diagnostic
                .with_help(format!(
                    "did you mean `{s}`? The choices are: {}",
                    variants.join(", ")
                ))
                .with_suggestion(format!("Change to `{s}`"), span, s.to_string()),
            None => diagnostic.with_help(format!("the choices are: {}", variants.join(", "))),
        };
        self.error(diagnostic);
    }

    /// A key written twice in an inline deal value (or in a record inside
    /// it) is an error pointing at both: a deal file would silently keep
    /// the last one.
    pub(crate) fn duplicate_keys(&mut self, entries: &[ast::DataEntry]) {
        for (index, entry) in entries.iter().enumerate() {
            let first = entries
                .iter()
                .take(index)
                .find(|other| other.key.node == entry.key.node);
            if let Some(first) = first {
                let key = &entry.key.node;
                let diagnostic = Diagnostic::error(
                    Code::BadTestDeal,
                    entry.key.span,
                    format!("`{key}` is given twice in this deal"),
                )
                .with_label("given again here")
                .with_secondary(self.file, first.key.span, "first given here")
                .with_help("keep one of the two values");
                self.error(diagnostic);
            }
            if let DataValue::Record(inner) = &entry.value.node {
                self.duplicate_keys(inner);
            }
            if let DataValue::List(items) = &entry.value.node {
                for item in items {
                    if let DataValue::Record(inner) = &item.node {
                        self.duplicate_keys(inner);
                    }
                }
            }
        }
    }

    /// Converts an inline `given { … }` to the JSON a deal file would hold
    /// (each key with its value's JSON text), checking its keys against the
    /// facts.
    pub(crate) fn inline_deal(&mut self, entries: &[ast::DataEntry]) -> Vec<(String, String)> {
        let mut deal = Vec::with_capacity(entries.len());
        self.duplicate_keys(entries);
        for entry in entries {
            let key = &entry.key.node;
            if key != "id" && key != "as_of" {
                match self.program.fact_index(key) {
                    Some(id) => {
                        self.occurrence(Symbol::Fact(id), entry.key.span, false);
                        if let Some(fact) = self.program.facts.get(id as usize) {
                            let ty = fact.ty.ty.clone();
                            self.data_occurrences(&ty, &entry.value);
                        }
                    }
                    None => {
                        let names: Vec<&str> =
                            self.program.facts.iter().map(|f| f.name.as_str()).collect();
                        let mut diagnostic = Diagnostic::error(
                            Code::BadTestDeal,
                            entry.key.span,
                            format!("`{key}` is not a fact"),
                        )
                        .with_label("not a fact");
                        diagnostic = match did_you_mean(key, names.iter().copied()) {
                            Some(s) => diagnostic
                                .with_help(format!("did you mean `{s}`?"))
                                .with_suggestion(format!("Change to `{s}`"), entry.key.span, s),
                            None => diagnostic.with_help(
                                "a test deal sets the facts declared in the `facts` block",
                            ),
                        };
                        self.error(diagnostic);
                    }
                }
            }
            let mut text = String::new();
            data_json_text(&entry.value.node, &mut text);
            deal.push((key.clone(), text));
        }
        deal
    }
}

/// An inline test value as the JSON text a deal file would hold. Numbers
/// are copied as written (the grammar's numbers are valid JSON numbers), so
/// a decimal reaches the deal decoder with every digit.
fn data_json_text(value: &DataValue, out: &mut String) {
    let quoted = |text: &str| serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into());
    match value {
        DataValue::Record(entries) => {
            out.push('{');
            for (i, e) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&quoted(&e.key.node));
                out.push(':');
                data_json_text(&e.value.node, out);
            }
            out.push('}');
        }
        DataValue::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                data_json_text(&item.node, out);
            }
            out.push(']');
        }
        DataValue::Date(date) => out.push_str(&quoted(&date.to_string())),
        DataValue::Int(value) => out.push_str(&value.to_string()),
        DataValue::Number(text) => out.push_str(text),
        DataValue::Bool(value) => out.push_str(if *value { "true" } else { "false" }),
        DataValue::Text(text) | DataValue::Variant(text) => out.push_str(&quoted(text)),
    }
}
