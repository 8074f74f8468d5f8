//! The three-valued reading that guidance needs: a condition as recorded
//! plus whether an *open* fact leaves it undecided, the score as an interval
//! over the signals still open, and comparisons of verdict arms and of that
//! interval that answer only when every completion agrees.

use super::*;

impl Frame<'_> {
    /// A condition as recorded (true only when known true), with the blame
    /// when it is unknown; in the three-valued reading, the blame only when
    /// it is undecided for want of an open fact (an unknown that no open fact
    /// is blamed for reads as recorded: false). `last_unknown` tells whether
    /// it was unknown at all.
    pub(super) fn tri_condition(
        &mut self,
        expr: &ir::Expr,
    ) -> Result<(bool, Option<Blame>), EvalError> {
        let value = self.eval(expr)?;
        self.last_unknown = value.is_unknown();
        Ok(match value {
            Value::Bool(b) => (b, None),
            Value::Unknown(blame) => {
                if self.three.is_none() {
                    self.relevant.union(&blame);
                    (false, Some(blame))
                } else if self.is_open(&blame) {
                    (false, Some(blame))
                } else {
                    (false, None)
                }
            }
            _ => (false, None),
        })
    }

    /// The lowest and highest score of a group (or of all signals) over
    /// every completion, and the facts the undecided signals read.
    pub(super) fn score_interval(&self, group: Option<u32>) -> (i64, i64, Blame) {
        let (mut low, mut high) = (0i64, 0i64);
        let mut blame = Blame::default();
        for (id, signal) in self.program.signals.iter().enumerate() {
            if group.is_some() && signal.group != group {
                continue;
            }
            let undecided = self
                .three
                .as_ref()
                .and_then(|t| t.signals.get(id).cloned().flatten());
            if let Some(b) = undecided {
                blame.union(&b);
                if signal.weight < 0 {
                    low = low.saturating_add(signal.weight);
                } else {
                    high = high.saturating_add(signal.weight);
                }
            } else if self.fired.get(id).copied().unwrap_or(false) {
                low = low.saturating_add(signal.weight);
                high = high.saturating_add(signal.weight);
            }
        }
        (low, high, blame)
    }

    /// In the three-valued reading, an undecided verdict compared with one of
    /// its arms: decided when that arm is impossible, or the only one left.
    pub(super) fn compare_verdict_arms(
        &self,
        op: CompareOp,
        a: &ir::Expr,
        b: &ir::Expr,
    ) -> Option<Value> {
        if !matches!(op, CompareOp::Eq | CompareOp::Ne) {
            return None;
        }
        let (verdict, arm) = match (&a.kind, &b.kind) {
            (ExprKind::Verdict(v), ExprKind::Literal(Literal::Variant(k)))
            | (ExprKind::Literal(Literal::Variant(k)), ExprKind::Verdict(v)) => (*v, *k),
            _ => return None,
        };
        let state = self.three.as_ref()?;
        state.verdicts.get(verdict as usize)?.as_ref()?;
        let arms = state.arms.get(verdict as usize)?;
        // An arm can still be chosen if its condition is not false and no
        // arm before it surely holds.
        let mut candidates = Vec::new();
        for (index, condition) in arms.iter().enumerate() {
            if *condition != Some(false) {
                candidates.push(index as u32);
            }
            if *condition == Some(true) {
                break;
            }
        }
        let equal = if !candidates.contains(&arm) {
            false
        } else if candidates == [arm] {
            true
        } else {
            return None;
        };
        Some(Value::Bool(if op == CompareOp::Eq {
            equal
        } else {
            !equal
        }))
    }

    /// In the three-valued reading, `score` (or `score(group)`) compared with
    /// a known value: decided as soon as the whole interval lies on one side.
    pub(super) fn compare_score_interval(
        &mut self,
        op: CompareOp,
        a: &ir::Expr,
        b: &ir::Expr,
    ) -> Result<Option<Value>, EvalError> {
        let group_of = |e: &ir::Expr| match e.kind {
            ExprKind::Score => Some(None),
            ExprKind::GroupScore(g) => Some(Some(g)),
            _ => None,
        };
        let (score_side, other, flipped) = match (group_of(a), group_of(b)) {
            (Some(g), _) => (g, b, false),
            (None, Some(g)) => (g, a, true),
            (None, None) => return Ok(None),
        };
        let (low, high, blame) = self.score_interval(score_side);
        if blame.is_empty() {
            return Ok(None);
        }
        let other_value = self.eval(other)?;
        let Value::Int(v) = other_value else {
            return Ok(Some(unknown_of(&[&Value::Unknown(blame), &other_value])));
        };
        // Normalise to `score op v`.
        let op = if flipped { op.mirrored() } else { op };
        Ok(Some(match compare_interval(op, v, low, high) {
            Some(b) => Value::Bool(b),
            None => Value::Unknown(blame),
        }))
    }
}

/// `s op c` for every whole number `s` in `low..=high`, when they all give
/// the same answer; `None` when some do and some do not.
pub fn compare_interval(op: CompareOp, c: i64, low: i64, high: i64) -> Option<bool> {
    let holds = |s: i64| match op {
        CompareOp::Eq => s == c,
        CompareOp::Ne => s != c,
        CompareOp::Lt => s < c,
        CompareOp::Le => s <= c,
        CompareOp::Gt => s > c,
        CompareOp::Ge => s >= c,
    };
    match op {
        // Both ends may miss `c` while a score between them hits it.
        CompareOp::Eq | CompareOp::Ne if low <= c && c <= high && low != high => None,
        _ if holds(low) == holds(high) => Some(holds(low)),
        _ => None,
    }
}
