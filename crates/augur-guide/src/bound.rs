//! How far the score can rise when a few facts change: a bound the why-not
//! search uses to skip, without evaluating them, the change sets that cannot
//! lift the score to what a better arm asks for (`score >= 6`).
//!
//! From one as-recorded evaluation (which signals fired, which groups held)
//! each signal's *gain* is what it can still add to the score: its weight if
//! it did not fire and weighs more than 0, minus its weight if it fired and
//! weighs less than 0, else nothing. A signal can only turn when a fact it
//! depends on changes: a fact of its group's condition, or (its group held,
//! or it has none) a fact of its own condition (the static dependency cone,
//! through lets, other signals, the score and verdicts: [`crate::cone`]). A
//! fact's gain is the sum of the gains of the signals it can turn, so the
//! score after changing a set of facts is at most the recorded score plus the
//! sum of their gains. The bound is exact arithmetic over the playbook, not
//! an estimate: a set it rules out is one no evaluation could reach.
//!
//! It says nothing about conditions other than a lower bound on the score,
//! and it does not evaluate anything itself.

use crate::cone::Cone;
use augur_check::ir::{CompareOp, Expr, ExprKind, FactId, Literal, Program};
use augur_eval::Fired;

/// Per signal, the facts that can turn it.
pub(crate) struct ScoreBound {
    /// The facts of the signal's group's condition.
    group_facts: Vec<Vec<FactId>>,
    /// Those and the facts of its own condition.
    all_facts: Vec<Vec<FactId>>,
    weights: Vec<i64>,
    fact_count: usize,
}

/// A score and each fact's gain, from one as-recorded evaluation.
#[derive(Clone, Debug)]
pub(crate) struct Gains {
    pub score: i64,
    pub per_fact: Vec<i64>,
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
            group_facts,
            all_facts,
            weights: program.signals.iter().map(|s| s.weight).collect(),
            fact_count: program.facts.len(),
        }
    }

    /// The score of `base` and what changing each fact can add to it.
    pub(crate) fn gains(&self, program: &Program, base: &Fired) -> Gains {
        let mut score = 0i64;
        let mut per_fact = vec![0i64; self.fact_count];
        for (id, weight) in self.weights.iter().enumerate() {
            let fired = base.fired.get(id).copied().unwrap_or(false);
            if fired {
                score = score.saturating_add(*weight);
            }
            let gain = if *weight > 0 && !fired {
                *weight
            } else if *weight < 0 && fired {
                weight.saturating_neg()
            } else {
                0
            };
            if gain == 0 {
                continue;
            }
            let group_held = program
                .signals
                .get(id)
                .and_then(|s| s.group)
                .is_none_or(|g| base.group_active.get(g as usize).copied().unwrap_or(false));
            // A group that did not hold keeps its signals silent unless its
            // own condition changes.
            let facts = if group_held {
                self.all_facts.get(id)
            } else {
                self.group_facts.get(id)
            };
            for fact in facts.map_or(&[][..], Vec::as_slice) {
                if let Some(slot) = per_fact.get_mut(*fact as usize) {
                    *slot = slot.saturating_add(gain);
                }
            }
        }
        Gains { score, per_fact }
    }
}

impl Gains {
    /// The highest score changing every fact of `facts` (and no other) can
    /// give.
    pub(crate) fn highest(&self, facts: impl IntoIterator<Item = FactId>) -> i64 {
        facts.into_iter().fold(self.score, |total, f| {
            total.saturating_add(self.per_fact.get(f as usize).copied().unwrap_or(i64::MAX))
        })
    }
}

/// The least score a condition asks for in one of its top-level `and`
/// parts (`score >= 6`, `score > 5`, `6 <= score`, `score == 6`), if any.
pub(crate) fn least_score(when: &Expr) -> Option<i64> {
    crate::whynot::conjuncts(when)
        .into_iter()
        .filter_map(|part| {
            let ExprKind::Compare(op, a, b) = &part.kind else {
                return None;
            };
            let int = |e: &Expr| match e.kind {
                ExprKind::Literal(Literal::Int(c)) => Some(c),
                _ => None,
            };
            let (op, c) = match (&a.kind, &b.kind) {
                (ExprKind::Score, _) => (*op, int(b)?),
                (_, ExprKind::Score) => (flip(*op), int(a)?),
                _ => return None,
            };
            match op {
                CompareOp::Ge | CompareOp::Eq => Some(c),
                CompareOp::Gt => c.checked_add(1),
                _ => None,
            }
        })
        .max()
}

/// `c op score` as `score op' c`.
fn flip(op: CompareOp) -> CompareOp {
    match op {
        CompareOp::Lt => CompareOp::Gt,
        CompareOp::Le => CompareOp::Ge,
        CompareOp::Gt => CompareOp::Lt,
        CompareOp::Ge => CompareOp::Le,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn when_of(program: &Program) -> &Expr {
        program.verdicts[0].arms[0].when.as_ref().unwrap()
    }

    #[test]
    fn the_least_score_is_read_from_the_conditions_parts() {
        for (text, least) in [
            ("score >= 6 and ok", Some(6)),
            ("score > 5", Some(6)),
            ("6 <= score", Some(6)),
            ("5 < score and score >= 2", Some(6)),
            ("score == 3", Some(3)),
            ("score <= 3", None),
            ("ok or score >= 6", None),
        ] {
            let analysis = augur_check::analyze_text(&format!(
                "facts {{ ok: bool? }}\nsignal s {{ when ok weight 2 }}\n\
                 verdict v {{ good when {text}  bad otherwise }}\n"
            ));
            assert!(!analysis.has_errors(), "{text}");
            assert_eq!(least_score(when_of(&analysis.program)), least, "{text}");
        }
    }

    #[test]
    fn a_fact_gains_what_the_signals_it_can_turn_can_add() {
        let analysis = augur_check::analyze_text(
            "enum Stage { early, late }\n\
             facts { stage: Stage, a: bool?, b: bool? }\n\
             group e when stage == early {\n\
               signal up { when a weight 3 }\n\
               signal down { when not b weight -2 }\n\
             }\n\
             signal both { when a and b weight 1 }\n\
             verdict v { good when score >= 4  bad otherwise }\n",
        );
        assert!(!analysis.has_errors());
        let program = &analysis.program;
        let bound = ScoreBound::new(program);
        let deal = augur_eval::decode_deal(
            program,
            &serde_json::json!({"stage": "early", "a": false, "b": false}),
        )
        .unwrap();
        let today = augur_syntax::Date::parse("2026-11-20").unwrap();
        let fired = augur_eval::evaluate_fired(program, &deal, today).unwrap();
        let gains = bound.gains(program, &fired);
        // `down` fired: -2. a can turn `up` (+3) and `both` (+1); b can
        // turn `down` (+2) and `both` (+1); stage only the group.
        assert_eq!(gains.score, -2);
        assert_eq!(gains.per_fact, vec![5, 4, 3]);
        assert_eq!(gains.highest([1, 2]), 5);
        // In the late stage the group does not hold: only stage can wake it.
        let late = augur_eval::decode_deal(
            program,
            &serde_json::json!({"stage": "late", "a": false, "b": false}),
        )
        .unwrap();
        let fired = augur_eval::evaluate_fired(program, &late, today).unwrap();
        let gains = bound.gains(program, &fired);
        assert_eq!(gains.score, 0);
        assert_eq!(gains.per_fact, vec![3, 1, 1]);
    }
}
