//! The search over completions of a deal's unknown facts.
//!
//! A node is a partial assignment of value classes to unknown facts; the
//! three-valued evaluation (`augur_eval::evaluate_three_valued`) of the deal
//! plus the assignment tells whether a target (a verdict, or whether an
//! advice is given) is already decided there. A decided node is closed: by
//! Kleene soundness no completion below it differs. An undecided node
//! branches on one of the facts its undecided conditions are blamed on,
//! fewest classes first. Evaluations are memoised per assignment and counted
//! against a budget; a search cut by the budget (or stuck on a fact that has
//! no classes, a list or a record) is marked approximate and over-estimates,
//! never under-estimates, what is possible.
//!
//! It does not render anything and does not know about `--set` or JSON.

use crate::classes::Classes;
use augur_check::ir::{FactId, Program};
use augur_eval::{evaluate_three_valued, Deal, EvalError, Partial, Value};
use augur_syntax::Date;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

/// What a search asks about: a verdict (its arm), or an advice (given or not:
/// arm 1 or 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Verdict(u32),
    Advice(u32),
}

/// Facts with the index of the class each is given, sorted by fact.
pub type Assignment = Vec<(FactId, u16)>;

/// One deal's search state, shared by every search about it.
pub struct Search<'a> {
    program: &'a Program,
    base: &'a Deal,
    today: Date,
    /// Class representatives of each fact the deal leaves unknown (empty for
    /// known facts and facts without classes).
    values: Vec<Vec<Value>>,
    memo: RefCell<HashMap<Assignment, Rc<Partial>>>,
    evaluations: Cell<u64>,
    budget: u64,
    approximate: Cell<bool>,
}

impl<'a> Search<'a> {
    pub fn new(
        program: &'a Program,
        classes: &Classes,
        base: &'a Deal,
        today: Date,
        budget: u64,
    ) -> Self {
        let values = base
            .facts
            .iter()
            .enumerate()
            .map(|(id, value)| {
                if value.is_unknown() {
                    classes.values(id as FactId, today)
                } else {
                    Vec::new()
                }
            })
            .collect();
        Search {
            program,
            base,
            today,
            values,
            memo: RefCell::new(HashMap::new()),
            evaluations: Cell::new(0),
            budget,
            approximate: Cell::new(false),
        }
    }

    /// Whether a budget or a fact without classes cut any search so far.
    pub fn approximate(&self) -> bool {
        self.approximate.get()
    }

    /// Clears the approximate mark, returning what it was.
    pub fn take_approximate(&self) -> bool {
        self.approximate.replace(false)
    }

    pub fn mark_approximate(&self, approximate: bool) {
        if approximate {
            self.approximate.set(true);
        }
    }

    pub fn evaluations(&self) -> u64 {
        self.evaluations.get()
    }

    /// The representatives of a fact's classes (empty if it is known or has
    /// no classes).
    pub fn class_values(&self, fact: FactId) -> &[Value] {
        self.values.get(fact as usize).map_or(&[], Vec::as_slice)
    }

    /// The unknown facts the search can try values for.
    pub fn open_facts(&self) -> impl Iterator<Item = FactId> + '_ {
        self.values
            .iter()
            .enumerate()
            .filter(|(_, v)| !v.is_empty())
            .map(|(id, _)| id as FactId)
    }

    pub fn arm_count(&self, target: Target) -> u32 {
        match target {
            Target::Verdict(v) => self
                .program
                .verdicts
                .get(v as usize)
                .map_or(0, |v| v.arms.len() as u32),
            Target::Advice(_) => 2,
        }
    }

    fn all_arms(&self, target: Target) -> u64 {
        let n = self.arm_count(target).min(64);
        if n == 64 {
            u64::MAX
        } else {
            (1u64 << n) - 1
        }
    }

    /// The deal's facts with an assignment applied.
    pub fn facts_with(&self, assignment: &[(FactId, u16)]) -> Vec<Value> {
        let mut facts = self.base.facts.clone();
        for (fact, class) in assignment {
            if let (Some(slot), Some(value)) = (
                facts.get_mut(*fact as usize),
                self.values
                    .get(*fact as usize)
                    .and_then(|v| v.get(usize::from(*class))),
            ) {
                *slot = value.clone();
            }
        }
        facts
    }

    /// The three-valued result at a node (`None` past the budget).
    pub fn partial(&self, assignment: &Assignment) -> Result<Option<Rc<Partial>>, EvalError> {
        if let Some(hit) = self.memo.borrow().get(assignment) {
            return Ok(Some(hit.clone()));
        }
        if self.evaluations.get() >= self.budget {
            self.approximate.set(true);
            return Ok(None);
        }
        self.evaluations.set(self.evaluations.get() + 1);
        let deal = Deal {
            id: None,
            as_of: None,
            facts: self.facts_with(assignment),
            unknown_keys: Vec::new(),
        };
        let partial = Rc::new(evaluate_three_valued(self.program, &deal, self.today)?);
        self.memo
            .borrow_mut()
            .insert(assignment.clone(), partial.clone());
        Ok(Some(partial))
    }

    /// A target's value at a node, and what it is blamed on when undecided.
    pub fn read(partial: &Partial, target: Target) -> (Option<u32>, augur_eval::value::Blame) {
        match target {
            Target::Verdict(v) => (
                partial.verdicts.get(v as usize).copied().flatten(),
                partial
                    .verdict_blame
                    .get(v as usize)
                    .cloned()
                    .unwrap_or_default(),
            ),
            Target::Advice(a) => (
                partial
                    .advice
                    .get(a as usize)
                    .copied()
                    .flatten()
                    .map(u32::from),
                partial
                    .advice_blame
                    .get(a as usize)
                    .cloned()
                    .unwrap_or_default(),
            ),
        }
    }

    /// The unassigned fact with classes to branch on next, fewest classes
    /// first, among those `blame` names (never `except`).
    fn choose(
        &self,
        blame: &augur_eval::value::Blame,
        assignment: &Assignment,
        except: Option<FactId>,
    ) -> Option<FactId> {
        blame
            .facts()
            .filter(|f| Some(*f) != except)
            .filter(|f| !self.class_values(*f).is_empty())
            .filter(|f| !assignment.iter().any(|(g, _)| g == f))
            .min_by_key(|f| (self.class_values(*f).len(), *f))
    }

    /// The arms of `target` reachable from this node, as a bit set.
    pub fn possible(&self, target: Target, assignment: &mut Assignment) -> Result<u64, EvalError> {
        let mut out = 0;
        self.possible_into(target, assignment, &mut out)?;
        Ok(out)
    }

    fn possible_into(
        &self,
        target: Target,
        assignment: &mut Assignment,
        out: &mut u64,
    ) -> Result<(), EvalError> {
        let all = self.all_arms(target);
        let Some(partial) = self.partial(assignment)? else {
            *out = all;
            return Ok(());
        };
        let (decided, blame) = Self::read(&partial, target);
        if let Some(arm) = decided {
            *out |= 1u64.checked_shl(arm).unwrap_or(0);
            return Ok(());
        }
        let Some(fact) = self.choose(&blame, assignment, None) else {
            // Undecided, and nothing left to try: a list or record decides.
            self.approximate.set(true);
            *out = all;
            return Ok(());
        };
        for class in 0..self.class_values(fact).len() {
            with_class(assignment, fact, class as u16, |assignment| {
                self.possible_into(target, assignment, out)
            })?;
            if *out == all {
                break;
            }
        }
        Ok(())
    }

    /// The arms of `target` that occur in a pair of completions differing
    /// only in `fact` with different arms (empty: the fact cannot change it).
    pub fn decisive(&self, target: Target, fact: FactId) -> Result<u64, EvalError> {
        let mut out = 0;
        let mut assignment = Vec::new();
        self.decisive_into(target, fact, &mut assignment, &mut out)?;
        Ok(out)
    }

    fn decisive_into(
        &self,
        target: Target,
        fact: FactId,
        assignment: &mut Assignment,
        out: &mut u64,
    ) -> Result<(), EvalError> {
        let Some(partial) = self.partial(assignment)? else {
            return Ok(());
        };
        let (decided, blame) = Self::read(&partial, target);
        if decided.is_some() {
            // Decided with the fact unknown: no value of it changes the
            // target below this node.
            return Ok(());
        }
        if let Some(other) = self.choose(&blame, assignment, Some(fact)) {
            for class in 0..self.class_values(other).len() {
                with_class(assignment, other, class as u16, |assignment| {
                    self.decisive_into(target, fact, assignment, out)
                })?;
            }
            return Ok(());
        }
        if !blame.contains(fact) {
            // Undecided for want of a list or record, not of this fact.
            self.approximate.set(true);
            return Ok(());
        }
        // Only `fact` is left undecided here: compare its classes.
        let mut seen = 0u64;
        let mut sets = Vec::new();
        for class in 0..self.class_values(fact).len() {
            let arms = with_class(assignment, fact, class as u16, |assignment| {
                self.possible(target, assignment)
            })?;
            seen |= arms;
            sets.push(arms);
        }
        if sets.iter().any(|s| s.count_ones() > 1) {
            // Fixing the fact left other facts open: a pair differing only
            // in this fact is not pinned down, so over-estimate.
            self.approximate.set(true);
        }
        if seen.count_ones() > 1 {
            *out |= seen;
        }
        Ok(())
    }
}

/// Runs `f` with `fact` set to `class` in the (sorted) assignment.
fn with_class<T>(
    assignment: &mut Assignment,
    fact: FactId,
    class: u16,
    f: impl FnOnce(&mut Assignment) -> Result<T, EvalError>,
) -> Result<T, EvalError> {
    let at = assignment.partition_point(|(g, _)| *g < fact);
    assignment.insert(at, (fact, class));
    let result = f(assignment);
    if at < assignment.len() {
        assignment.remove(at);
    }
    result
}

/// The arms in a bit set, in order.
pub fn arms_of(bits: u64) -> Vec<u32> {
    (0..64).filter(|i| bits & (1u64 << i) != 0).collect()
}
