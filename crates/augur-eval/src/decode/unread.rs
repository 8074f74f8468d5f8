//! Which text fields of records no rule can read: the fast decoder checks
//! their values but does not build them (`note` in every event of the
//! flagship playbook is written by reps and read by no rule; building it
//! costs an allocation, a copy and a free per event).
//!
//! A field is *read* when an expression takes it (`e.note`, `events.note`,
//! `note` inside `where`). A whole record is read, every field of it and of
//! the records inside it, when its value reaches anything that looks at all
//! of it: a comparison, `in`, a text (`"{first(events)}"`), a function other
//! than the few that only pass it on or count it. Passing a record on does
//! not read it: a `let`, `??`, `first`/`last`, a list literal's item and a
//! `where` (whose `it` is then judged where it is used), `count`, `len` and
//! `known`.
//!
//! This is sound only for what evaluation shows of a deal. `--explain`
//! prints facts and lets whole, and guidance reasons over every value, so
//! the batch skips unread fields only on its fast path, which shows neither
//! (see `Batch::new`).
//!
//! Not here: top-level facts no rule reads (the report may list a fact as
//! still unknown, so a fact's value is always built).

use augur_check::ir::{Builtin, Expr, ExprKind, Program, Template, TemplatePart, Type};

/// Per record type, per field: true when the field holds text that no rule
/// can read.
#[derive(Clone, Debug, Default)]
pub(crate) struct UnreadText {
    records: Vec<Vec<bool>>,
}

impl UnreadText {
    /// Nothing is unread: every field is built (the reference's way).
    pub(crate) fn none() -> UnreadText {
        UnreadText::default()
    }

    /// The text fields of `program`'s records that its rules cannot read.
    pub(crate) fn of(program: &Program) -> UnreadText {
        let mut reads = Reads {
            program,
            read: program
                .records
                .iter()
                .map(|r| vec![false; r.fields.len()])
                .collect(),
        };
        for info in &program.lets {
            // A let's value is kept, not looked at: its readers decide.
            reads.expr(&info.value, false);
        }
        for group in &program.groups {
            if let Some(when) = &group.when {
                reads.expr(when, true);
            }
        }
        for signal in &program.signals {
            reads.expr(&signal.when, true);
            reads.template(&signal.message);
        }
        for verdict in &program.verdicts {
            for arm in &verdict.arms {
                if let Some(when) = &arm.when {
                    reads.expr(when, true);
                }
            }
        }
        for advice in &program.advice {
            reads.expr(&advice.when, true);
            for text in &advice.text {
                reads.template(text);
            }
        }
        let records = program
            .records
            .iter()
            .zip(&reads.read)
            .map(|(record, read)| {
                record
                    .fields
                    .iter()
                    .zip(read)
                    .map(|(field, read)| !read && field.ty.ty == Type::Text)
                    .collect()
            })
            .collect();
        UnreadText { records }
    }

    /// Whether field `field` of record type `record` holds text no rule reads.
    #[inline]
    pub(crate) fn contains(&self, record: usize, field: usize) -> bool {
        self.records
            .get(record)
            .and_then(|fields| fields.get(field))
            .is_some_and(|unread| *unread)
    }

    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.records.iter().flatten().all(|unread| !unread)
    }
}

/// The walk: which fields the expressions read.
struct Reads<'p> {
    program: &'p Program,
    read: Vec<Vec<bool>>,
}

impl Reads<'_> {
    /// `expr` and what it reads; `whole`: its value is looked at whole by
    /// what holds it (rather than kept, passed on or counted).
    fn expr(&mut self, expr: &Expr, whole: bool) {
        if whole {
            self.whole(&expr.ty.ty, 0);
        }
        match &expr.kind {
            ExprKind::Field(base, field) => {
                match &base.ty.ty {
                    Type::Record(id) => self.field(*id as usize, *field as usize),
                    other => self.whole(other, 0),
                }
                self.expr(base, false);
            }
            ExprKind::MapField(base, field) => {
                match &base.ty.ty {
                    Type::List(item) => match **item {
                        Type::Record(id) => self.field(id as usize, *field as usize),
                        _ => self.whole(&base.ty.ty, 0),
                    },
                    other => self.whole(other, 0),
                }
                self.expr(base, false);
            }
            ExprKind::Filter { list, cond, .. } => {
                self.expr(list, false);
                self.expr(cond, true);
            }
            // These hand their operands' values on: whoever holds the
            // result looks at them, or not.
            ExprKind::Coalesce(a, b) => {
                self.expr(a, whole);
                self.expr(b, whole);
            }
            ExprKind::List(items) | ExprKind::Call(Builtin::First | Builtin::Last, items) => {
                for item in items {
                    self.expr(item, whole);
                }
            }
            // These look at how many items there are, or whether the value
            // is known, never inside an item.
            ExprKind::Call(Builtin::Count | Builtin::LenList | Builtin::Known, items) => {
                for item in items {
                    self.expr(item, false);
                }
            }
            ExprKind::Text(template) => self.template(template),
            // Everything else looks at its operands' values.
            ExprKind::Not(x) | ExprKind::Neg(x) => self.expr(x, true),
            ExprKind::And(a, b)
            | ExprKind::Or(a, b)
            | ExprKind::Compare(_, a, b)
            | ExprKind::Arith(_, a, b)
            | ExprKind::In {
                value: a, list: b, ..
            } => {
                self.expr(a, true);
                self.expr(b, true);
            }
            ExprKind::Call(_, items) => {
                for item in items {
                    self.expr(item, true);
                }
            }
            ExprKind::Literal(_)
            | ExprKind::Fact(_)
            | ExprKind::Let(_)
            | ExprKind::Signal(_)
            | ExprKind::Verdict(_)
            | ExprKind::Score
            | ExprKind::GroupScore(_)
            | ExprKind::Today
            | ExprKind::Item(_) => {}
        }
    }

    /// A text's interpolated values are shown whole.
    fn template(&mut self, template: &Template) {
        for part in &template.parts {
            if let TemplatePart::Value(value) = part {
                self.expr(value, true);
            }
        }
    }

    fn field(&mut self, record: usize, field: usize) {
        if let Some(read) = self.read.get_mut(record).and_then(|r| r.get_mut(field)) {
            *read = true;
        }
    }

    /// Every field of the records a value of type `ty` can hold is read.
    fn whole(&mut self, ty: &Type, depth: u32) {
        match ty {
            Type::Record(id) => {
                let Some(record) = self.program.records.get(*id as usize) else {
                    return;
                };
                let Some(read) = self.read.get_mut(*id as usize) else {
                    return;
                };
                if read.iter().all(|r| *r) || depth > 64 {
                    // Done already (this also ends a record that holds
                    // itself through a list).
                    read.fill(true);
                    return;
                }
                read.fill(true);
                for field in &record.fields {
                    self.whole(&field.ty.ty, depth + 1);
                }
            }
            Type::List(item) => self.whole(item, depth),
            // A type the checker could not work out: anything may be read.
            Type::Error => {
                for read in &mut self.read {
                    read.fill(true);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The unread text fields of `Event` in a playbook made of `rules`.
    fn unread(rules: &str) -> Vec<&'static str> {
        let text = format!(
            "enum Kind {{ demo, call }}\n\
             record Event {{ kind: Kind, on: date, note: text?, by: text }}\n\
             facts {{ events: list<Event>  other: list<Event>  title: text? }}\n{rules}"
        );
        let analysis = augur_check::analyze_text(&text);
        assert!(
            !analysis.has_errors(),
            "{rules}: {:#?}",
            analysis.diagnostics
        );
        let unread = UnreadText::of(&analysis.program);
        ["kind", "on", "note", "by"]
            .into_iter()
            .enumerate()
            .filter(|(i, _)| unread.contains(0, *i))
            .map(|(_, name)| name)
            .collect()
    }

    #[test]
    fn text_fields_no_rule_takes_are_unread() {
        assert_eq!(
            unread("signal s { when count(events where kind == demo) > 1 }"),
            ["note", "by"]
        );
        assert_eq!(unread("let x = max(events.on)"), ["note", "by"]);
    }

    #[test]
    fn a_field_taken_anywhere_is_read() {
        assert_eq!(unread("signal s { when any(events, known(note)) }"), ["by"]);
        assert_eq!(unread("let x = events.by"), ["note"]);
        assert_eq!(
            unread("signal s { when count(events) > 0 message \"{last(events).note}\" }"),
            ["by"]
        );
    }

    #[test]
    fn a_record_looked_at_whole_is_read_whole() {
        for rules in [
            "signal s { when first(events) == last(other) }",
            "signal s { when first(events) in other }",
            "signal s { when count(events) > 0 message \"{first(events)}\" }",
            "signal s { when count(events) > 0 message \"{events}\" }",
            "let e = events where kind == demo\nsignal s { when e == other }",
            "signal s { when contains(events, first(other)) }",
        ] {
            assert_eq!(unread(rules), Vec::<&str>::new(), "{rules}");
        }
    }

    #[test]
    fn passing_a_record_on_does_not_read_it() {
        for rules in [
            "let e = first(events)\nlet f = e ?? last(other)\nsignal s { when known(f) }",
            "signal s { when len(events where kind == call) > 2 }",
            "let e = [first(events), last(events)]\nsignal s { when count(e) > 1 }",
        ] {
            assert_eq!(unread(rules), ["note", "by"], "{rules}");
        }
    }

    #[test]
    fn a_playbook_without_records_has_nothing_unread() {
        let analysis = augur_check::analyze_text("facts { n: int? }\nsignal s { when n > 1 }");
        assert!(UnreadText::of(&analysis.program).is_empty());
    }
}
