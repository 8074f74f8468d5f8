//! Which change sets cannot reach an arm, told without evaluating them: the
//! why-not search skips them (`whynot.rs`).
//!
//! From one as-recorded evaluation (which signals fired, which groups held,
//! the value of each part of the arm's condition) a set of facts to change is
//! read against the arm's condition in three values:
//!
//! - **The score.** Each signal's *gain* is what it can still add to the
//!   score (its weight if it did not fire and weighs more than 0, minus its
//!   weight if it fired and weighs less than 0), its *loss* what it can still
//!   take away. A signal can only turn when a fact it depends on changes: a
//!   fact of its group's condition, or (its group held, or it has none) a
//!   fact of its own condition (static cones through lets, other signals, the
//!   score and verdicts: [`crate::cone`]). So changing a set of facts moves
//!   the score up by at most the sum of their gains and down by at most the
//!   sum of their losses, and `score >= 6` is false when even that falls
//!   short.
//! - **Any other part** (`red_flags == 0`, `stage == early`) keeps its
//!   recorded value unless the set changes a fact it depends on, with the
//!   same rule for the signals it reads.
//! - `and`, `or` and `not` combine them as Kleene logic does.
//!
//! When that reading says the condition is false, no values of those facts
//! make it hold: a set ruled out is one no evaluation could make work. It
//! does not evaluate anything itself.

use crate::cone::Cone;
use augur_check::ir::{CompareOp, Expr, ExprKind, FactId, Literal, Program};
use augur_eval::{compare_interval, Fired, Value};

/// Per signal, the facts that can turn it.
pub(crate) struct ScoreBound {
    groups: Vec<Option<u32>>,
    /// The facts of the signal's group's condition.
    group_facts: Vec<Vec<FactId>>,
    /// Those and the facts of its own condition.
    all_facts: Vec<Vec<FactId>>,
    weights: Vec<i64>,
    fact_count: usize,
}

/// A score, each fact's gain and loss, which groups held and the values of
/// the condition's parts, from one as-recorded evaluation.
#[derive(Clone, Debug)]
pub(crate) struct Gains {
    pub score: i64,
    pub per_fact: Vec<i64>,
    pub loss_per_fact: Vec<i64>,
    /// Per part of the condition: its recorded value, and per fact whether
    /// changing it may change the part.
    parts: Vec<(Value, Vec<bool>)>,
}

impl ScoreBound {
    pub(crate) fn new(program: &Program) -> Self {
        let mut group_facts = Vec::with_capacity(program.signals.len());
        let mut all_facts = Vec::with_capacity(program.signals.len());
        for signal in &program.signals {
            let group_when = signal
                .group
                .and_then(|g| program.groups.get(g as usize))
                .and_then(|g| g.when.as_ref());
            let mut group = Cone::default();
            if let Some(when) = group_when {
                group.add(program, when);
            }
            let mut all = Cone::default();
            if let Some(when) = group_when {
                all.add(program, when);
            }
            all.add(program, &signal.when);
            group_facts.push(group.facts.into_iter().collect());
            all_facts.push(all.facts.into_iter().collect());
        }
        ScoreBound {
            groups: program.signals.iter().map(|s| s.group).collect(),
            group_facts,
            all_facts,
            weights: program.signals.iter().map(|s| s.weight).collect(),
            fact_count: program.facts.len(),
        }
    }

    /// The score of `base`, what changing each fact can add to it and take
    /// from it; `base.probes` are the values of `condition`'s parts.
    pub(crate) fn gains(&self, program: &Program, condition: &Condition<'_>, base: Fired) -> Gains {
        let mut score = 0i64;
        let mut per_fact = vec![0i64; self.fact_count];
        let mut loss_per_fact = vec![0i64; self.fact_count];
        for (id, weight) in self.weights.iter().enumerate() {
            let fired = base.fired.get(id).copied().unwrap_or(false);
            if fired {
                score = score.saturating_add(*weight);
            }
            let (gain, loss) = match (fired, *weight > 0) {
                (false, true) => (*weight, 0),
                (true, false) => (weight.saturating_neg(), 0),
                (true, true) => (0, *weight),
                (false, false) => (0, weight.saturating_neg()),
            };
            if gain == 0 && loss == 0 {
                continue;
            }
            for fact in self.turned_by(id, &base.group_active) {
                if let Some(slot) = per_fact.get_mut(*fact as usize) {
                    *slot = slot.saturating_add(gain);
                }
                if let Some(slot) = loss_per_fact.get_mut(*fact as usize) {
                    *slot = slot.saturating_add(loss);
                }
            }
        }
        let parts = condition
            .parts
            .iter()
            .zip(base.probes)
            .map(|(part, value)| (value, self.changed_by(program, part, &base.group_active)))
            .collect();
        Gains {
            score,
            per_fact,
            loss_per_fact,
            parts,
        }
    }

    /// The facts whose change can turn signal `id`: those of its group's
    /// condition and, when its group held (or it has none), of its own. A
    /// group that did not hold keeps its signals silent unless its own
    /// condition changes.
    fn turned_by(&self, id: usize, group_active: &[bool]) -> &[FactId] {
        let group_held = self
            .groups
            .get(id)
            .copied()
            .flatten()
            .is_none_or(|g| group_active.get(g as usize).copied().unwrap_or(false));
        let facts = if group_held {
            self.all_facts.get(id)
        } else {
            self.group_facts.get(id)
        };
        facts.map_or(&[][..], Vec::as_slice)
    }

    /// Per fact, whether changing it may change the value of `expr` from
    /// its value in an evaluation where `group_active` held.
    fn changed_by(&self, program: &Program, expr: &Expr, group_active: &[bool]) -> Vec<bool> {
        let mut out = vec![false; self.fact_count];
        let mut mark = |facts: &[FactId]| {
            for f in facts {
                if let Some(slot) = out.get_mut(*f as usize) {
                    *slot = true;
                }
            }
        };
        let mut lets: Vec<u32> = Vec::new();
        let mut stack = vec![expr];
        while let Some(e) = stack.pop() {
            match &e.kind {
                ExprKind::Fact(f) => mark(std::slice::from_ref(f)),
                ExprKind::Let(id) => {
                    if !lets.contains(id) {
                        lets.push(*id);
                        if let Some(info) = program.lets.get(*id as usize) {
                            stack.push(&info.value);
                        }
                    }
                }
                ExprKind::Signal(id) => mark(self.turned_by(*id as usize, group_active)),
                ExprKind::Score => {
                    for id in 0..self.weights.len() {
                        mark(self.turned_by(id, group_active));
                    }
                }
                ExprKind::GroupScore(g) => {
                    for id in 0..self.weights.len() {
                        if self.groups.get(id).copied().flatten() == Some(*g) {
                            mark(self.turned_by(id, group_active));
                        }
                    }
                }
                ExprKind::Verdict(_) | ExprKind::Text(_) => {
                    let mut cone = Cone::default();
                    cone.add(program, e);
                    mark(&cone.facts.into_iter().collect::<Vec<_>>());
                }
                _ => stack.extend(e.operands()),
            }
        }
        out
    }
}

/// An arm's condition, read over a change of some facts (see the module's
/// documentation).
pub(crate) struct Condition<'p> {
    parts: Vec<&'p Expr>,
    /// The condition in postfix order: `may_hold` reads it with a stack,
    /// hundreds of times a deal, without walking the tree.
    postfix: Vec<Node>,
    /// The deepest the stack gets.
    depth: usize,
}

/// One step of a condition in postfix order.
#[derive(Clone, Copy)]
enum Node {
    /// The part of this index (in [`collect_parts`]'s order).
    Part(usize),
    /// `score op c`.
    Score(CompareOp, i64),
    And,
    Or,
    Not,
}

/// Conditions no deeper than this are read with a stack on the machine
/// stack; deeper ones (rare) with one on the heap.
const INLINE_DEPTH: usize = 32;

impl<'p> Condition<'p> {
    pub(crate) fn new(when: &'p Expr) -> Self {
        let mut parts = Vec::new();
        collect_parts(when, &mut parts);
        let mut postfix = Vec::new();
        let mut next_part = 0;
        to_postfix(when, &mut postfix, &mut next_part);
        let mut depth = 0usize;
        let mut deepest = 0usize;
        for node in &postfix {
            depth = match node {
                Node::Part(_) | Node::Score(..) => depth + 1,
                Node::And | Node::Or => depth.saturating_sub(1),
                Node::Not => depth,
            };
            deepest = deepest.max(depth);
        }
        Condition {
            parts,
            postfix,
            depth: deepest,
        }
    }

    /// The parts whose recorded values [`ScoreBound::gains`] needs (the
    /// probes of the evaluation).
    pub(crate) fn parts(&self) -> &[&'p Expr] {
        &self.parts
    }

    /// Whether changing every fact of `changed` (and no other) from `base`
    /// may make the condition hold: `false` when no values can.
    pub(crate) fn may_hold(&self, base: &Gains, changed: &[FactId]) -> bool {
        if self.depth <= INLINE_DEPTH {
            self.read(base, changed, &mut [None; INLINE_DEPTH])
        } else {
            self.read(base, changed, &mut vec![None; self.depth])
        }
    }

    /// The three-valued reading of the condition over the change (`None`:
    /// it may take either value), with `stack` at least `self.depth` deep;
    /// whether it is not surely false.
    fn read(&self, base: &Gains, changed: &[FactId], stack: &mut [Option<bool>]) -> bool {
        let mut top = 0usize;
        for node in &self.postfix {
            let value = match *node {
                Node::Part(index) => {
                    let Some((value, changed_by)) = base.parts.get(index) else {
                        return true;
                    };
                    if changed
                        .iter()
                        .any(|f| changed_by.get(*f as usize).copied().unwrap_or(true))
                    {
                        None
                    } else if let Value::Bool(b) = value {
                        Some(*b)
                    } else {
                        None
                    }
                }
                Node::Score(op, c) => {
                    let sum = |per: &[i64]| {
                        changed.iter().fold(0i64, |t, f| {
                            t.saturating_add(per.get(*f as usize).copied().unwrap_or(i64::MAX))
                        })
                    };
                    let high = base.score.saturating_add(sum(&base.per_fact));
                    let low = base.score.saturating_sub(sum(&base.loss_per_fact));
                    compare_interval(op, c, low, high)
                }
                Node::Not => {
                    top = top.saturating_sub(1);
                    stack.get(top).copied().flatten().map(|b| !b)
                }
                Node::And | Node::Or => {
                    top = top.saturating_sub(2);
                    let a = stack.get(top).copied().flatten();
                    let b = stack.get(top + 1).copied().flatten();
                    match (node, a, b) {
                        (Node::And, Some(false), _) | (Node::And, _, Some(false)) => Some(false),
                        (Node::And, Some(true), Some(true)) => Some(true),
                        (Node::Or, Some(true), _) | (Node::Or, _, Some(true)) => Some(true),
                        (Node::Or, Some(false), Some(false)) => Some(false),
                        _ => None,
                    }
                }
            };
            if let Some(slot) = stack.get_mut(top) {
                *slot = value;
            }
            top += 1;
        }
        stack.first().copied().flatten() != Some(false)
    }
}

/// The parts of a condition under its `and`, `or` and `not`, left to right,
/// except comparisons of the score with a number (read by the bound).
fn collect_parts<'p>(expr: &'p Expr, parts: &mut Vec<&'p Expr>) {
    match &expr.kind {
        ExprKind::And(a, b) | ExprKind::Or(a, b) => {
            collect_parts(a, parts);
            collect_parts(b, parts);
        }
        ExprKind::Not(a) => collect_parts(a, parts),
        _ if score_compare(expr).is_some() => {}
        _ => parts.push(expr),
    }
}

/// The condition in postfix order, its parts numbered as [`collect_parts`]
/// meets them.
fn to_postfix(expr: &Expr, out: &mut Vec<Node>, next_part: &mut usize) {
    match &expr.kind {
        ExprKind::And(a, b) | ExprKind::Or(a, b) => {
            to_postfix(a, out, next_part);
            to_postfix(b, out, next_part);
            out.push(if matches!(expr.kind, ExprKind::And(..)) {
                Node::And
            } else {
                Node::Or
            });
        }
        ExprKind::Not(a) => {
            to_postfix(a, out, next_part);
            out.push(Node::Not);
        }
        _ => match score_compare(expr) {
            Some((op, c)) => out.push(Node::Score(op, c)),
            None => {
                out.push(Node::Part(*next_part));
                *next_part += 1;
            }
        },
    }
}

/// `score op c`, normalised so the score is on the left.
fn score_compare(expr: &Expr) -> Option<(CompareOp, i64)> {
    let ExprKind::Compare(op, a, b) = &expr.kind else {
        return None;
    };
    let int = |e: &Expr| match e.kind {
        ExprKind::Literal(Literal::Int(c)) => Some(c),
        _ => None,
    };
    match (&a.kind, &b.kind) {
        (ExprKind::Score, _) => Some((*op, int(b)?)),
        (_, ExprKind::Score) => Some((op.mirrored(), int(a)?)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAYBOOK: &str = "enum Stage { early, late }\n\
         facts { stage: Stage, a: bool?, b: bool? }\n\
         group e when stage == early {\n\
           signal up { when a weight 3 }\n\
           signal down { when not b weight -2 }\n\
         }\n\
         signal both { when a and b weight 1 }\n\
         verdict v { good when score >= 4 and not down  fair when stage == late or score > 0  bad otherwise }\n";

    fn base(analysis: &augur_check::Analysis, json: serde_json::Value, arm: usize) -> Gains {
        let program = &analysis.program;
        let deal = augur_eval::decode_deal(program, &json).unwrap();
        let today = augur_syntax::Date::parse("2026-11-20").unwrap();
        let when = program.verdicts[0].arms[arm].when.as_ref().unwrap();
        let condition = Condition::new(when);
        let fired = augur_eval::evaluate_fired(program, &deal, today, condition.parts()).unwrap();
        ScoreBound::new(program).gains(program, &condition, fired)
    }

    #[test]
    fn a_fact_gains_what_the_signals_it_can_turn_can_add() {
        let analysis = augur_check::analyze_text(PLAYBOOK);
        assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
        let early = serde_json::json!({"stage": "early", "a": false, "b": false});
        let gains = base(&analysis, early, 0);
        // `down` fired: -2. a can turn `up` (+3) and `both` (+1); b can
        // turn `down` (+2) and `both` (+1); stage the whole group.
        assert_eq!(gains.score, -2);
        assert_eq!(gains.per_fact, vec![5, 4, 3]);
        assert_eq!(gains.loss_per_fact, vec![0, 0, 0]);
        // In the late stage the group does not hold: only stage can wake it.
        let late = serde_json::json!({"stage": "late", "a": true, "b": false});
        let gains = base(&analysis, late, 0);
        assert_eq!(gains.score, 0);
        assert_eq!(gains.per_fact, vec![3, 1, 1]);
        assert_eq!(gains.loss_per_fact, vec![2, 0, 0]);
    }

    #[test]
    fn a_condition_deeper_than_the_inline_stack_reads_the_same() {
        // `a and (a and (… and not b))`, 40 deep: read with a heap stack.
        let mut when = "not b".to_string();
        for _ in 0..40 {
            when = format!("a and ({when})");
        }
        let text = format!(
            "facts {{ a: bool?, b: bool? }}\nverdict v {{ yes when {when}  no otherwise }}\n"
        );
        let analysis = augur_check::analyze_text(&text);
        assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
        let program = &analysis.program;
        let condition = Condition::new(program.verdicts[0].arms[0].when.as_ref().unwrap());
        assert!(condition.depth > INLINE_DEPTH);
        let deal = serde_json::json!({"a": true, "b": true});
        let deal = augur_eval::decode_deal(program, &deal).unwrap();
        let today = augur_syntax::Date::parse("2026-11-20").unwrap();
        let fired = augur_eval::evaluate_fired(program, &deal, today, condition.parts()).unwrap();
        let gains = ScoreBound::new(program).gains(program, &condition, fired);
        // b holds, so `not b` is false: only changing b can help.
        assert!(!condition.may_hold(&gains, &[]));
        assert!(!condition.may_hold(&gains, &[0]));
        assert!(condition.may_hold(&gains, &[1]));
    }

    #[test]
    fn the_condition_is_read_over_the_changed_facts() {
        let analysis = augur_check::analyze_text(PLAYBOOK);
        let program = &analysis.program;
        let early = serde_json::json!({"stage": "early", "a": false, "b": false});
        // good: score >= 4 and not down. Score -2: a and b together lift it
        // to 5 at most (4 and 3 minus what they share is not counted: the
        // bound over-estimates, never under-).
        let gains = base(&analysis, early.clone(), 0);
        let good = Condition::new(program.verdicts[0].arms[0].when.as_ref().unwrap());
        assert!(!good.may_hold(&gains, &[1]));
        assert!(!good.may_hold(&gains, &[2]));
        assert!(good.may_hold(&gains, &[1, 2]));
        // `down` fired and only b or stage can turn it off.
        assert!(!good.may_hold(&gains, &[]));
        // fair: stage == late or score > 0.
        let gains = base(&analysis, early, 1);
        let fair = Condition::new(program.verdicts[0].arms[1].when.as_ref().unwrap());
        assert!(fair.may_hold(&gains, &[0]));
        assert!(fair.may_hold(&gains, &[1]));
        assert!(!fair.may_hold(&gains, &[]));
        // Scores compared both ways round, and equality.
        assert_eq!(compare_interval(CompareOp::Ge, 6, -2, 5), Some(false));
        assert_eq!(compare_interval(CompareOp::Ge, 6, -2, 6), None);
        assert_eq!(compare_interval(CompareOp::Gt, -8, -7, 4), Some(true));
        assert_eq!(compare_interval(CompareOp::Eq, 3, 3, 3), Some(true));
        assert_eq!(compare_interval(CompareOp::Eq, 3, 0, 2), Some(false));
        assert_eq!(compare_interval(CompareOp::Ne, 3, 0, 5), None);
    }
}
