//! The fast path of evaluation: the batch's way of evaluating a deal, with
//! the same results as the reference path ([`crate::eval::evaluate`]) byte
//! for byte, errors included.
//!
//! What makes it cheaper:
//! - **Lazy lets.** A `let` whose expression cannot fail is computed when
//!   something that runs first reads it, then kept for the deal; a let read
//!   only by signals of an inactive group, or by the untaken side of an
//!   `and`/`or`, is never computed. Conditions of inactive groups never run
//!   (as on the reference path).
//! - **Values read in place.** In the frame code of `eval/in_place.rs`, switched on
//!   only here: comparisons and `x in [literals]` read facts, lets, signals,
//!   verdicts and fields of `it` without copying them, and `count(… where
//!   …)` counts without building the filtered list. Each shortcut counts
//!   exactly the steps the general case counts (tested).
//! - **No per-deal buffers.** A [`Scratch`] holds the evaluation's vectors,
//!   message strings and the last [`Outcome`], reused deal after deal.
//!
//! Why the results cannot differ: a lazy let reads only values fixed before
//! its place in the order (facts, earlier lets, signals and verdicts already
//! decided), so computing it later gives the same value; and it cannot fail
//! (no arithmetic, text building, `sum` or `score`), so skipping it cannot
//! skip an error. Every other step runs in the reference order, so the same
//! error comes first. The one limit a skipped let could still reach is the
//! step limit ([`crate::eval::MAX_EVAL_STEPS`]): each lazy let's steps are
//! bounded by a polynomial in the longest list of the deal, and a deal whose
//! steps plus that bound could pass the limit is evaluated again on the
//! reference path, which then decides.
//!
//! Not here: `--explain` and guidance read every let's value
//! ([`Outcome::lets`], left empty here); they use the reference path. The
//! three-valued readings (`evaluate_three_valued`) are reference-only too.

use crate::deal::Deal;
use crate::eval::{self, EvalError, Outcome, MAX_EVAL_STEPS};
use crate::value::Value;
use augur_check::ir::{self, ExprKind, Program, TemplatePart, Type};
use augur_syntax::Date;
use std::sync::Arc;

/// What the fast path knows about a playbook, computed once.
#[derive(Clone, Debug)]
pub struct Evaluator<'p> {
    program: &'p Program,
    /// Whether each let is lazy (its expression cannot fail).
    lazy: Vec<bool>,
    /// An upper bound of the steps all lazy lets take together, as the
    /// coefficients of a polynomial in the longest list's length.
    bound: Vec<u64>,
    /// The longest list written in the playbook (`[a, b, c]`).
    longest_literal: usize,
    /// For each fact: whether its type holds a list at all, and whether
    /// that list's items may hold lists in turn.
    list_facts: Vec<(u32, bool)>,
    /// The rules compiled to flat operations ([`crate::eval::compiled`]);
    /// `None` for a playbook of more than 64 facts, or when made with
    /// [`Evaluator::tree_walking`].
    code: Option<eval::compiled::Code<'p>>,
}

/// Buffers one worker reuses from deal to deal.
#[derive(Debug, Default)]
pub struct Scratch {
    pub(crate) lets: Vec<Value>,
    pub(crate) let_ready: Vec<bool>,
    pub(crate) fired: Vec<bool>,
    pub(crate) undecided: Vec<bool>,
    pub(crate) group_unknown: Vec<bool>,
    pub(crate) group_active: Vec<bool>,
    pub(crate) verdicts: Vec<u32>,
    pub(crate) items: Vec<(Arc<[Value]>, usize)>,
    pub(crate) group_totals: Vec<i64>,
    /// Emptied message and advice strings, for the next deal's texts.
    pub(crate) strings: Vec<String>,
    /// One part of an advice text being rendered.
    pub(crate) part: String,
    /// The previous deal's outcome, whose buffers the next one reuses.
    outcome: Option<Outcome>,
}

impl Scratch {
    /// An outcome whose buffers can be reused (the last one given back).
    pub fn take_outcome(&mut self) -> Outcome {
        self.outcome.take().unwrap_or_default()
    }

    /// Gives an outcome's buffers back for the next deal.
    pub fn give_outcome(&mut self, outcome: Outcome) {
        self.outcome = Some(outcome);
    }
}

impl<'p> Evaluator<'p> {
    pub fn new(program: &'p Program) -> Self {
        // The walks below recurse as deep as the playbook's expressions.
        augur_syntax::with_stack(|| Self::new_on_this_stack(program, true))
    }

    /// The fast path without compiled rules: every rule on the tree
    /// walker (with lazy lets and in-place reads). For tests and
    /// measurements that compare the two.
    pub fn tree_walking(program: &'p Program) -> Self {
        augur_syntax::with_stack(|| Self::new_on_this_stack(program, false))
    }

    /// Whether this evaluator runs compiled rules.
    pub fn is_compiled(&self) -> bool {
        self.code.is_some()
    }

    fn new_on_this_stack(program: &'p Program, compile: bool) -> Self {
        let lazy: Vec<bool> = program
            .lets
            .iter()
            .map(|info| !can_fail(&info.value))
            .collect();
        let mut bound = Vec::new();
        for (info, lazy) in program.lets.iter().zip(&lazy) {
            if *lazy {
                add(&mut bound, &steps_bound(&info.value));
            }
        }
        let mut longest_literal = 0;
        for_each_expr(program, &mut |expr| {
            if let ExprKind::List(items) = &expr.kind {
                longest_literal = longest_literal.max(items.len());
            }
        });
        let list_facts = program
            .facts
            .iter()
            .enumerate()
            .filter(|(_, fact)| holds_list(program, &fact.ty.ty, 0))
            .map(|(id, fact)| (id as u32, nested_lists(program, &fact.ty.ty)))
            .collect();
        Evaluator {
            program,
            lazy,
            bound,
            longest_literal,
            list_facts,
            code: if compile {
                eval::compiled::Code::new(program)
            } else {
                None
            },
        }
    }

    /// Evaluates `deal` as [`crate::eval::evaluate`] does, into `outcome`
    /// (its buffers reused; `lets` left empty).
    pub fn evaluate_into(
        &self,
        deal: &Deal,
        today: Date,
        scratch: &mut Scratch,
        outcome: &mut Outcome,
    ) -> Result<(), EvalError> {
        let program = self.program;
        let (result, steps) = augur_syntax::with_stack(|| {
            eval::evaluate_lazy(
                program,
                &self.lazy,
                self.code.as_ref(),
                deal,
                today,
                scratch,
                outcome,
            )
        });
        if steps.saturating_add(self.lazy_steps(deal)) <= MAX_EVAL_STEPS {
            return result;
        }
        // The skipped lets might have reached the step limit: the reference
        // path decides.
        let mut reference = eval::evaluate(program, deal, today)?;
        reference.lets.clear();
        *outcome = reference;
        Ok(())
    }

    /// Evaluates `deal` as [`crate::eval::evaluate`] does (without the
    /// lets' values).
    pub fn evaluate(
        &self,
        deal: &Deal,
        today: Date,
        scratch: &mut Scratch,
    ) -> Result<Outcome, EvalError> {
        let mut outcome = scratch.take_outcome();
        self.evaluate_into(deal, today, scratch, &mut outcome)?;
        Ok(outcome)
    }

    /// An upper bound of the steps the lazy lets can take on `deal`.
    fn lazy_steps(&self, deal: &Deal) -> u64 {
        if self.bound.len() <= 1 {
            return self.bound.first().copied().unwrap_or(0);
        }
        let mut longest = self.longest_literal;
        for (fact, nested) in &self.list_facts {
            if let Some(value) = deal.facts.get(*fact as usize) {
                longest = longest.max(longest_list(value, *nested));
            }
        }
        let length = longest as u64;
        let mut total: u64 = 0;
        let mut power: u64 = 1;
        for coefficient in &self.bound {
            total = total.saturating_add(coefficient.saturating_mul(power));
            power = power.saturating_mul(length);
        }
        total
    }
}

/// Whether evaluating `expr` can give an error: arithmetic (overflow, dates
/// out of range, texts too long), texts built from templates (the output
/// budget), `sum` and `score`. Not through lets: each let is judged alone.
fn can_fail(expr: &ir::Expr) -> bool {
    match &expr.kind {
        ExprKind::Arith(..)
        | ExprKind::Neg(_)
        | ExprKind::Text(_)
        | ExprKind::Score
        | ExprKind::GroupScore(_)
        | ExprKind::Call(ir::Builtin::Sum, _) => true,
        _ => expr.operands().into_iter().any(can_fail),
    }
}

/// `sum += other`, coefficient by coefficient.
fn add(sum: &mut Vec<u64>, other: &[u64]) {
    if sum.len() < other.len() {
        sum.resize(other.len(), 0);
    }
    for (mine, theirs) in sum.iter_mut().zip(other) {
        *mine = mine.saturating_add(*theirs);
    }
}

/// An upper bound of the steps [`crate::eval`] counts for `expr` (one per
/// expression evaluated), as a polynomial in the longest list's length: a
/// filter runs its condition once per item.
fn steps_bound(expr: &ir::Expr) -> Vec<u64> {
    let mut bound = vec![1];
    match &expr.kind {
        ExprKind::Filter { list, cond, .. } => {
            add(&mut bound, &steps_bound(list));
            let mut per_item = vec![0];
            per_item.extend(steps_bound(cond));
            add(&mut bound, &per_item);
        }
        ExprKind::Text(template) => {
            for part in &template.parts {
                if let TemplatePart::Value(value) = part {
                    add(&mut bound, &steps_bound(value));
                }
            }
        }
        _ => {
            for operand in expr.operands() {
                add(&mut bound, &steps_bound(operand));
            }
        }
    }
    bound
}

/// Calls `f` on every expression of the program, nested ones included.
fn for_each_expr(program: &Program, f: &mut dyn FnMut(&ir::Expr)) {
    fn walk(expr: &ir::Expr, f: &mut dyn FnMut(&ir::Expr)) {
        f(expr);
        if let ExprKind::Text(template) = &expr.kind {
            walk_template(template, f);
        }
        for operand in expr.operands() {
            walk(operand, f);
        }
    }
    fn walk_template(template: &ir::Template, f: &mut dyn FnMut(&ir::Expr)) {
        for part in &template.parts {
            if let TemplatePart::Value(value) = part {
                walk(value, f);
            }
        }
    }
    for info in &program.lets {
        walk(&info.value, f);
    }
    for group in &program.groups {
        if let Some(when) = &group.when {
            walk(when, f);
        }
    }
    for signal in &program.signals {
        walk(&signal.when, f);
        walk_template(&signal.message, f);
    }
    for verdict in &program.verdicts {
        for arm in &verdict.arms {
            if let Some(when) = &arm.when {
                walk(when, f);
            }
        }
    }
    for advice in &program.advice {
        walk(&advice.when, f);
        for text in &advice.text {
            walk_template(text, f);
        }
    }
}

/// Whether a value of type `ty` can hold a list (records looked into up to a
/// small depth; deeper counts as yes).
fn holds_list(program: &Program, ty: &Type, depth: u32) -> bool {
    match ty {
        Type::List(_) => true,
        Type::Record(id) if depth < 16 => program.records.get(*id as usize).is_some_and(|r| {
            r.fields
                .iter()
                .any(|f| holds_list(program, &f.ty.ty, depth + 1))
        }),
        Type::Record(_) | Type::Error => true,
        _ => false,
    }
}

/// Whether the items of a list in a value of type `ty` (or its records'
/// fields) can hold lists themselves, so finding the longest list means
/// looking inside every item.
fn nested_lists(program: &Program, ty: &Type) -> bool {
    match ty {
        Type::List(element) => holds_list(program, element, 0),
        _ => true,
    }
}

/// The length of the longest list in `value`; looking into the items of a
/// list only when `nested`.
fn longest_list(value: &Value, nested: bool) -> usize {
    match value {
        Value::List(items) => {
            let mut longest = items.len();
            if nested {
                for item in items.iter() {
                    longest = longest.max(longest_list(item, true));
                }
            }
            longest
        }
        Value::Record(fields) => fields
            .iter()
            .map(|field| longest_list(field, true))
            .max()
            .unwrap_or(0),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program(text: &str) -> Program {
        let analysis = augur_check::analyze_text(text);
        assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
        analysis.program
    }

    #[test]
    fn only_lets_that_cannot_fail_are_lazy() {
        let program = program(
            "facts { n: int, events: list<int> }\n\
             let big = n * 2\n\
             let seen = count(events where it > 3)\n\
             let total = sum(events)\n\
             let named = \"n is {n}\"\n\
             let small = n < 3 or seen > 1\n\
             signal s { when big > 1 and small and total > 0 and named != \"\" }\n",
        );
        let evaluator = Evaluator::new(&program);
        assert_eq!(evaluator.lazy, [false, true, false, false, true]);
    }

    #[test]
    fn the_step_bound_grows_with_the_filters_nesting() {
        let program = program(
            "facts { events: list<int> }\n\
             let pairs = count(events where any(events, it > 1))\n\
             signal s { when pairs > 1 }\n",
        );
        let evaluator = Evaluator::new(&program);
        // count(…) 1, where 1 + events 1, per item: any 1 + events 1 +
        // per item (> 1 + it 1 + 1 1).
        assert_eq!(evaluator.bound, [3, 2, 3]);
    }

    #[test]
    fn the_in_place_shortcuts_count_the_reference_steps() {
        // No lets: every step runs on both paths, so the counts must match.
        let program = program(
            "enum Stage { early, late }\n\
             record Event { kind: text  size: int? }\n\
             facts { stage: Stage?  n: int?  events: list<Event>  ok: bool? }\n\
             signal a { when stage == late and n > 3 weight 1 }\n\
             signal b { when stage in [early, late] or n in [1, 2, 3] weight 1 }\n\
             signal c { when count(events where kind == \"x\" and size > 2) > 1 weight 1 }\n\
             signal d { when count([a, b, ok, n > 1] where it) >= 2 weight 1 }\n\
             signal e { when any(events, size == n) weight 1 }\n\
             verdict v \"V\" {\n hot \"Hot\" when a and d\n cold \"Cold\" otherwise\n}\n",
        );
        let decoder = crate::DealDecoder::new(&program);
        let today = Date::parse("2026-11-29").unwrap();
        let lazy: Vec<bool> = Vec::new();
        for text in [
            r#"{"stage": "late", "n": 5, "ok": true, "events": [{"kind": "x", "size": 3}, {"kind": "x", "size": 5}, {"kind": "y", "size": null}]}"#,
            r#"{"stage": null, "n": null, "ok": null, "events": []}"#,
            r#"{"stage": "early", "n": 2, "events": [{"kind": "x", "size": null}]}"#,
        ] {
            let deal = decoder.decode_text(text).unwrap();
            let reference = eval::steps_of_run(&program, &deal, today, None, None);
            let fast = eval::steps_of_run(&program, &deal, today, Some(&lazy), None);
            assert_eq!(fast, reference, "{text}");
        }
    }

    #[test]
    fn the_longest_list_looks_into_records_only_when_they_hold_lists() {
        let inner: Arc<[Value]> = vec![Value::Int(1); 7].into();
        let record = Value::Record(vec![Value::List(inner)].into());
        let outer = Value::List(vec![record; 2].into());
        assert_eq!(longest_list(&outer, false), 2);
        assert_eq!(longest_list(&outer, true), 7);
    }
}
