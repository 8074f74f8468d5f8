//! `augur diff`: what a playbook change does to a corpus of deals.
//!
//! Each record is decoded and evaluated twice, once per version, each by its
//! own facts (a fact renamed in NEW is read under its new name), on the
//! batch pipeline's worker threads ([`Diff::compare`]); the caller's thread
//! folds the comparisons into a [`DiffSummary`] in input order. Memory is
//! the summary (counts per verdict transition) plus whatever the caller
//! keeps of the changed deals.
//!
//! Versions are matched by name: signals, verdicts, arms, advice and facts
//! of the same name are the same thing. This module computes and renders;
//! it does not read files or choose where output goes.

use crate::conditions::{ConditionChange, Conditions};
use augur_check::ir::Program;
use augur_check::Analysis;
use augur_eval::batch::{Batch, Options, Record};
use augur_eval::Outcome;
use serde_json::{json, Map, Value as Json};
use std::collections::BTreeSet;

mod render;
pub use render::{change_markdown, change_text, deal_label, markdown_escape};

/// The key of an arm that does not exist on one side: a verdict only one
/// version has, or a verdict that chose no arm.
pub const NO_ARM: &str = "(none)";

/// How the two versions differ as playbooks, before any deal is read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StaticChanges {
    /// Facts only NEW declares, with their type.
    pub facts_added: Vec<(String, String)>,
    /// Facts only OLD declares, with their type.
    pub facts_removed: Vec<(String, String)>,
    /// Facts whose type changed: `(name, old type, new type)`.
    pub facts_retyped: Vec<(String, String, String)>,
    pub signals_added: Vec<String>,
    pub signals_removed: Vec<String>,
    /// `(signal, old weight, new weight)`.
    pub weights: Vec<(String, i64, i64)>,
    pub verdicts_added: Vec<String>,
    pub verdicts_removed: Vec<String>,
    /// `(verdict, arm)` only NEW has.
    pub arms_added: Vec<(String, String)>,
    /// `(verdict, arm)` only OLD has.
    pub arms_removed: Vec<(String, String)>,
    pub advice_added: Vec<String>,
    pub advice_removed: Vec<String>,
    /// Lets, groups, signals, arms and advice in both versions whose
    /// condition text differs (filled by [`Diff::new`], which has the
    /// sources).
    pub conditions: Vec<ConditionChange>,
}

impl StaticChanges {
    pub fn between(old: &Program, new: &Program) -> Self {
        let mut changes = StaticChanges::default();
        for fact in &new.facts {
            match old.facts.iter().find(|f| f.name == fact.name) {
                None => changes
                    .facts_added
                    .push((fact.name.clone(), new.ty_name(&fact.ty))),
                Some(before) => {
                    let (was, is) = (old.ty_name(&before.ty), new.ty_name(&fact.ty));
                    if was != is {
                        changes.facts_retyped.push((fact.name.clone(), was, is));
                    }
                }
            }
        }
        for fact in &old.facts {
            if new.fact_index(&fact.name).is_none() {
                changes
                    .facts_removed
                    .push((fact.name.clone(), old.ty_name(&fact.ty)));
            }
        }
        for signal in &new.signals {
            match old.signals.iter().find(|s| s.name == signal.name) {
                None => changes.signals_added.push(signal.name.clone()),
                Some(before) if before.weight != signal.weight => {
                    changes
                        .weights
                        .push((signal.name.clone(), before.weight, signal.weight))
                }
                Some(_) => {}
            }
        }
        changes.signals_removed = only_in(&old.signals, &new.signals, |s| &s.name);
        changes.verdicts_added = only_in(&new.verdicts, &old.verdicts, |v| &v.name);
        changes.verdicts_removed = only_in(&old.verdicts, &new.verdicts, |v| &v.name);
        for verdict in &new.verdicts {
            if let Some(before) = old.verdicts.iter().find(|v| v.name == verdict.name) {
                for arm in only_in(&verdict.arms, &before.arms, |a| &a.name) {
                    changes.arms_added.push((verdict.name.clone(), arm));
                }
                for arm in only_in(&before.arms, &verdict.arms, |a| &a.name) {
                    changes.arms_removed.push((verdict.name.clone(), arm));
                }
            }
        }
        changes.advice_added = only_in(&new.advice, &old.advice, |a| &a.name);
        changes.advice_removed = only_in(&old.advice, &new.advice, |a| &a.name);
        changes
    }

    pub fn is_empty(&self) -> bool {
        *self == StaticChanges::default()
    }

    pub fn to_json(&self) -> Json {
        let pairs = |list: &[(String, String)], a: &str, b: &str| -> Vec<Json> {
            list.iter().map(|(x, y)| json!({ a: x, b: y })).collect()
        };
        json!({
            "facts": {
                "added": pairs(&self.facts_added, "name", "type"),
                "removed": pairs(&self.facts_removed, "name", "type"),
                "retyped": self.facts_retyped.iter().map(|(n, a, b)| json!({"name": n, "from": a, "to": b})).collect::<Vec<_>>(),
            },
            "signals": {
                "added": self.signals_added,
                "removed": self.signals_removed,
                "weights": self.weights.iter().map(|(n, a, b)| json!({"name": n, "from": a, "to": b})).collect::<Vec<_>>(),
            },
            "verdicts": {
                "added": self.verdicts_added,
                "removed": self.verdicts_removed,
                "arms_added": pairs(&self.arms_added, "verdict", "arm"),
                "arms_removed": pairs(&self.arms_removed, "verdict", "arm"),
            },
            "advice": { "added": self.advice_added, "removed": self.advice_removed },
            "conditions": self.conditions.iter().map(ConditionChange::to_json).collect::<Vec<_>>(),
        })
    }
}

fn only_in<T>(these: &[T], those: &[T], name: impl Fn(&T) -> &String) -> Vec<String> {
    these
        .iter()
        .filter(|item| !those.iter().any(|other| name(other) == name(item)))
        .map(|item| name(item).clone())
        .collect()
}

/// One verdict as both versions know it.
struct VerdictPair {
    name: String,
    label: String,
    old: Option<usize>,
    new: Option<usize>,
    /// Arm names of OLD, then [`NO_ARM`].
    from_arms: Vec<String>,
    /// Arm names of NEW, then [`NO_ARM`].
    to_arms: Vec<String>,
}

/// How severe a deal's change is; the order of the changed deals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// A verdict changed (or the deal fails in one version only).
    Verdict = 0,
    /// The score changed, no verdict did.
    Score = 1,
    /// Only signals or advice changed.
    Detail = 2,
}

/// What changed for one deal.
#[derive(Clone, Debug)]
pub struct DealChange {
    /// The deal's `id`, else its record name.
    pub deal: Json,
    /// `(verdict, from arm, to arm)` of the verdicts that changed.
    pub verdicts: Vec<(String, String, String)>,
    pub score: (i64, i64),
    /// Signals that fired only in NEW / only in OLD.
    pub signals_added: Vec<String>,
    pub signals_removed: Vec<String>,
    /// Signals that fired in both with different weights.
    pub weights: Vec<(String, i64, i64)>,
    pub advice_added: Vec<String>,
    pub advice_removed: Vec<String>,
    /// The changed conditions this change reads (labels such as
    /// `arm standing.first_choice`; see [`Conditions::causes`]).
    pub conditions: Vec<String>,
    /// The error of a version that could not evaluate the deal (the other
    /// could): `(old error, new error)`.
    pub errors: (Option<String>, Option<String>),
}

impl DealChange {
    pub fn severity(&self) -> Severity {
        if !self.verdicts.is_empty() || self.errors.0.is_some() || self.errors.1.is_some() {
            Severity::Verdict
        } else if self.score.0 != self.score.1 {
            Severity::Score
        } else {
            Severity::Detail
        }
    }

    /// The JSONL record of the contract.
    pub fn to_json(&self) -> Json {
        let mut verdicts = Map::new();
        for (name, from, to) in &self.verdicts {
            verdicts.insert(name.clone(), json!({ "from": from, "to": to }));
        }
        let mut record = Map::new();
        record.insert("deal".into(), self.deal.clone());
        record.insert("verdicts".into(), Json::Object(verdicts));
        record.insert(
            "score".into(),
            json!({ "from": self.score.0, "to": self.score.1 }),
        );
        record.insert(
            "signals".into(),
            json!({ "added": self.signals_added, "removed": self.signals_removed }),
        );
        record.insert(
            "advice".into(),
            json!({ "added": self.advice_added, "removed": self.advice_removed }),
        );
        if !self.weights.is_empty() {
            record.insert(
                "weights".into(),
                self.weights
                    .iter()
                    .map(|(n, a, b)| json!({ "name": n, "from": a, "to": b }))
                    .collect(),
            );
        }
        if !self.conditions.is_empty() {
            record.insert("conditions".into(), json!(self.conditions));
        }
        if self.errors.0.is_some() || self.errors.1.is_some() {
            record.insert(
                "error".into(),
                json!({ "old": self.errors.0, "new": self.errors.1 }),
            );
        }
        Json::Object(record)
    }
}

/// The comparison of one record, made on a worker thread.
pub struct Compared {
    /// Warnings and errors for the person watching (stderr).
    pub messages: Vec<String>,
    pub result: ComparedResult,
}

pub enum ComparedResult {
    /// Evaluated in both: the transition cell of each verdict pair, and the
    /// change if anything differs.
    Both {
        cells: Vec<(usize, usize)>,
        change: Option<DealChange>,
    },
    /// Evaluated in one version only: the other side's arms are [`NO_ARM`].
    One {
        cells: Vec<(usize, usize)>,
        change: DealChange,
    },
    /// Evaluated in neither.
    Neither,
}

/// Two versions of a playbook, ready to compare deals.
pub struct Diff<'a> {
    old: Batch<'a>,
    new: Batch<'a>,
    verdicts: Vec<VerdictPair>,
    /// For each NEW signal, the OLD signal of the same name.
    signal_pairs: Vec<Option<usize>>,
    /// OLD signals no NEW signal shares a name with.
    old_unpaired_signals: Vec<usize>,
    /// For each NEW advice, the OLD advice of the same name.
    advice_pairs: Vec<Option<u32>>,
    /// Keys not warned about when OLD / NEW decodes a deal: `outcome`, and
    /// the facts only the other version has (a renamed fact is reported
    /// once in the summary, not once per deal).
    quiet_old: Vec<String>,
    quiet_new: Vec<String>,
    pub changes: StaticChanges,
    /// The changed conditions, and what reads them.
    conditions: Conditions,
}

/// The running totals of a diff.
#[derive(Clone, Debug, Default)]
pub struct DiffSummary {
    /// Records read.
    pub deals: u64,
    /// Deals with any difference (one record each).
    pub changed: u64,
    /// Deals where a verdict changed (or only one version could evaluate).
    pub verdicts_changed: u64,
    /// Deals neither version could evaluate.
    pub failed: u64,
    /// Per verdict pair: `[from][to]` counts.
    pub transitions: Vec<Vec<Vec<u64>>>,
}

impl<'a> Diff<'a> {
    /// `old_root`, `new_root` are prefixed to file names in messages.
    pub fn new(
        old: &'a Analysis,
        old_root: &str,
        new: &'a Analysis,
        new_root: &str,
        options: Options,
    ) -> Self {
        let (old_program, new_program) = (&old.program, &new.program);
        let mut verdicts = Vec::new();
        for (index, verdict) in old_program.verdicts.iter().enumerate() {
            let paired = new_program
                .verdicts
                .iter()
                .position(|v| v.name == verdict.name);
            verdicts.push(VerdictPair {
                name: verdict.name.clone(),
                label: verdict.label.clone(),
                old: Some(index),
                new: paired,
                from_arms: Vec::new(),
                to_arms: Vec::new(),
            });
        }
        for (index, verdict) in new_program.verdicts.iter().enumerate() {
            if !verdicts.iter().any(|v| v.new == Some(index)) {
                verdicts.push(VerdictPair {
                    name: verdict.name.clone(),
                    label: verdict.label.clone(),
                    old: None,
                    new: Some(index),
                    from_arms: Vec::new(),
                    to_arms: Vec::new(),
                });
            }
        }
        let arm_names = |program: &Program, index: Option<usize>| -> Vec<String> {
            let mut names: Vec<String> = index
                .and_then(|i| program.verdicts.get(i))
                .map(|v| v.arms.iter().map(|a| a.name.clone()).collect())
                .unwrap_or_default();
            names.push(NO_ARM.to_string());
            names
        };
        for pair in &mut verdicts {
            pair.from_arms = arm_names(old_program, pair.old);
            pair.to_arms = arm_names(new_program, pair.new);
        }
        let signal_pairs: Vec<Option<usize>> = new_program
            .signals
            .iter()
            .map(|s| old_program.signals.iter().position(|o| o.name == s.name))
            .collect();
        let old_unpaired_signals = (0..old_program.signals.len())
            .filter(|o| !signal_pairs.contains(&Some(*o)))
            .collect();
        let advice_pairs = new_program
            .advice
            .iter()
            .map(|a| {
                old_program
                    .advice
                    .iter()
                    .position(|o| o.name == a.name)
                    .map(|o| o as u32)
            })
            .collect();
        let conditions = Conditions::between(old, new);
        let mut changes = StaticChanges::between(old_program, new_program);
        changes.conditions = conditions.changes.clone();
        // `outcome` is a reserved key (augur_eval::deal::RESERVED_KEYS):
        // only the facts the other version has are kept quiet here.
        let quiet = |facts: &[(String, String)]| -> Vec<String> {
            facts.iter().map(|(name, _)| name.clone()).collect()
        };
        let quiet_old = quiet(&changes.facts_added);
        let quiet_new = quiet(&changes.facts_removed);
        Diff {
            quiet_old,
            quiet_new,
            old: Batch::new(old, old_root, options.clone()),
            new: Batch::new(new, new_root, options),
            verdicts,
            signal_pairs,
            old_unpaired_signals,
            advice_pairs,
            changes,
            conditions,
        }
    }

    pub fn new_summary(&self) -> DiffSummary {
        DiffSummary {
            transitions: self
                .verdicts
                .iter()
                .map(|v| vec![vec![0; v.to_arms.len()]; v.from_arms.len()])
                .collect(),
            ..DiffSummary::default()
        }
    }

    /// Decodes and evaluates `record` in both versions and compares.
    pub fn compare(&self, record: &Record<'_>) -> Compared {
        let mut messages = Vec::new();
        let quiet_old: Vec<&str> = self.quiet_old.iter().map(String::as_str).collect();
        let quiet_new: Vec<&str> = self.quiet_new.iter().map(String::as_str).collect();
        let old = self.old.evaluate_record(record, &quiet_old, &mut messages);
        let mut new_messages = Vec::new();
        let new = self
            .new
            .evaluate_record(record, &quiet_new, &mut new_messages);
        // A warning both versions give is said once.
        for message in new_messages {
            if !messages.contains(&message) {
                messages.push(message);
            }
        }
        // Named only when something is reported (most deals are not).
        let name = || record.name();
        let result = match (old, new) {
            (Ok((deal, old)), Ok((_, new))) => {
                let result = match self.unchanged(&old, &new) {
                    Some(cells) => ComparedResult::Both {
                        cells,
                        change: None,
                    },
                    None => {
                        let id = deal.id.unwrap_or_else(|| Json::String(name()));
                        let (cells, change) = self.compare_outcomes(id, &old, &new);
                        ComparedResult::Both { cells, change }
                    }
                };
                Batch::recycle(old);
                Batch::recycle(new);
                return Compared { messages, result };
            }
            (Err(old), Err(new)) => {
                let name = name();
                // One error when both versions say the same; each labelled
                // with its version when they differ.
                if new == old {
                    messages.push(format!("error: {name} {}: {}", old.path, old.message));
                } else {
                    messages.push(format!(
                        "error: {name} {} (old version): {}",
                        old.path, old.message
                    ));
                    messages.push(format!(
                        "error: {name} {} (new version): {}",
                        new.path, new.message
                    ));
                }
                ComparedResult::Neither
            }
            (Ok((deal, outcome)), Err(error)) => {
                let id = deal.id.unwrap_or_else(|| Json::String(name()));
                self.one_sided(id, &outcome, true, error.message)
            }
            (Err(error), Ok((deal, outcome))) => {
                let id = deal.id.unwrap_or_else(|| Json::String(name()));
                self.one_sided(id, &outcome, false, error.message)
            }
        };
        Compared { messages, result }
    }

    fn arm_name(&self, program: &Program, verdict: Option<usize>, outcome: &Outcome) -> String {
        verdict
            .and_then(|v| {
                let arm = *outcome.verdicts.get(v)? as usize;
                program.verdicts.get(v)?.arms.get(arm)
            })
            .map_or_else(|| NO_ARM.to_string(), |arm| arm.name.clone())
    }

    fn fired_names(program: &Program, outcome: &Outcome) -> BTreeSet<String> {
        program
            .signals
            .iter()
            .zip(&outcome.fired)
            .filter(|(_, fired)| **fired)
            .map(|(signal, _)| signal.name.clone())
            .collect()
    }

    fn advice_names(program: &Program, outcome: &Outcome) -> BTreeSet<String> {
        outcome
            .advice
            .iter()
            .filter_map(|(id, _)| program.advice.get(*id as usize))
            .map(|advice| advice.name.clone())
            .collect()
    }

    /// The transition cells of a deal whose outcome is the same in both
    /// versions (same arms, score, signals and advice by name), found
    /// without allocating names; `None` when anything differs.
    fn unchanged(&self, old: &Outcome, new: &Outcome) -> Option<Vec<(usize, usize)>> {
        if old.score != new.score || old.advice.len() != new.advice.len() {
            return None;
        }
        let mut cells = Vec::with_capacity(self.verdicts.len());
        for pair in &self.verdicts {
            let index = |verdict: Option<usize>, outcome: &Outcome, names: &[String]| {
                let last = names.len().saturating_sub(1);
                verdict
                    .and_then(|v| outcome.verdicts.get(v))
                    .map_or(last, |arm| (*arm as usize).min(last))
            };
            let row = index(pair.old, old, &pair.from_arms);
            let column = index(pair.new, new, &pair.to_arms);
            if pair.from_arms.get(row) != pair.to_arms.get(column) {
                return None;
            }
            cells.push((row, column));
        }
        for (fired, paired) in new.fired.iter().zip(&self.signal_pairs) {
            let before = paired
                .and_then(|o| old.fired.get(o))
                .copied()
                .unwrap_or(false);
            if *fired != before {
                return None;
            }
        }
        if self
            .old_unpaired_signals
            .iter()
            .any(|o| old.fired.get(*o).copied().unwrap_or(false))
        {
            return None;
        }
        for (id, _) in &new.advice {
            let paired = self.advice_pairs.get(*id as usize).copied().flatten()?;
            if !old.advice.iter().any(|(o, _)| *o == paired) {
                return None;
            }
        }
        Some(cells)
    }

    fn compare_outcomes(
        &self,
        deal: Json,
        old: &Outcome,
        new: &Outcome,
    ) -> (Vec<(usize, usize)>, Option<DealChange>) {
        let (old_program, new_program) =
            (&self.old.analysis().program, &self.new.analysis().program);
        let mut cells = Vec::with_capacity(self.verdicts.len());
        let mut verdicts = Vec::new();
        for pair in &self.verdicts {
            let from = self.arm_name(old_program, pair.old, old);
            let to = self.arm_name(new_program, pair.new, new);
            let row = pair.from_arms.iter().position(|a| *a == from).unwrap_or(0);
            let column = pair.to_arms.iter().position(|a| *a == to).unwrap_or(0);
            cells.push((row, column));
            if from != to {
                verdicts.push((pair.name.clone(), from, to));
            }
        }
        let fired_old = Self::fired_names(old_program, old);
        let fired_new = Self::fired_names(new_program, new);
        let mut weights = Vec::new();
        for ((signal, fired), paired) in new_program
            .signals
            .iter()
            .zip(&new.fired)
            .zip(&self.signal_pairs)
        {
            let before = paired.and_then(|o| old_program.signals.get(o));
            if let Some(before) = before {
                if *fired && fired_old.contains(&signal.name) && before.weight != signal.weight {
                    weights.push((signal.name.clone(), before.weight, signal.weight));
                }
            }
        }
        let advice_old = Self::advice_names(old_program, old);
        let advice_new = Self::advice_names(new_program, new);
        let mut change = DealChange {
            deal,
            verdicts,
            score: (old.score, new.score),
            signals_added: fired_new.difference(&fired_old).cloned().collect(),
            signals_removed: fired_old.difference(&fired_new).cloned().collect(),
            weights,
            advice_added: advice_new.difference(&advice_old).cloned().collect(),
            advice_removed: advice_old.difference(&advice_new).cloned().collect(),
            conditions: Vec::new(),
            errors: (None, None),
        };
        change.conditions = self.conditions.causes(
            change.verdicts.iter().map(|(name, _, _)| name.as_str()),
            change
                .signals_added
                .iter()
                .chain(&change.signals_removed)
                .map(String::as_str),
            change
                .advice_added
                .iter()
                .chain(&change.advice_removed)
                .map(String::as_str),
        );
        let same = change.verdicts.is_empty()
            && change.score.0 == change.score.1
            && change.signals_added.is_empty()
            && change.signals_removed.is_empty()
            && change.advice_added.is_empty()
            && change.advice_removed.is_empty();
        (cells, (!same).then_some(change))
    }

    /// A deal only one version could evaluate: its verdicts go from or to
    /// [`NO_ARM`].
    fn one_sided(
        &self,
        deal: Json,
        outcome: &Outcome,
        in_old: bool,
        error: String,
    ) -> ComparedResult {
        let program = if in_old {
            &self.old.analysis().program
        } else {
            &self.new.analysis().program
        };
        let mut cells = Vec::with_capacity(self.verdicts.len());
        let mut verdicts = Vec::with_capacity(self.verdicts.len());
        for pair in &self.verdicts {
            let arm = self.arm_name(program, if in_old { pair.old } else { pair.new }, outcome);
            let (from, to) = if in_old {
                (arm, NO_ARM.to_string())
            } else {
                (NO_ARM.to_string(), arm)
            };
            let row = pair.from_arms.iter().position(|a| *a == from).unwrap_or(0);
            let column = pair.to_arms.iter().position(|a| *a == to).unwrap_or(0);
            cells.push((row, column));
            verdicts.push((pair.name.clone(), from, to));
        }
        let fired: Vec<String> = Self::fired_names(program, outcome).into_iter().collect();
        let advice: Vec<String> = Self::advice_names(program, outcome).into_iter().collect();
        let (signals_added, signals_removed, advice_added, advice_removed, score, errors) =
            if in_old {
                (
                    Vec::new(),
                    fired,
                    Vec::new(),
                    advice,
                    (outcome.score, 0),
                    (None, Some(error)),
                )
            } else {
                (
                    fired,
                    Vec::new(),
                    advice,
                    Vec::new(),
                    (0, outcome.score),
                    (Some(error), None),
                )
            };
        let change = DealChange {
            deal,
            verdicts,
            score,
            signals_added,
            signals_removed,
            weights: Vec::new(),
            advice_added,
            advice_removed,
            conditions: Vec::new(),
            errors,
        };
        ComparedResult::One { cells, change }
    }

    /// Adds one comparison to the totals; returns the change to report, if
    /// any.
    pub fn count(&self, summary: &mut DiffSummary, result: ComparedResult) -> Option<DealChange> {
        summary.deals += 1;
        let (cells, change) = match result {
            ComparedResult::Both { cells, change } => (cells, change),
            ComparedResult::One { cells, change } => (cells, Some(change)),
            ComparedResult::Neither => {
                summary.failed += 1;
                return None;
            }
        };
        for ((row, column), table) in cells.into_iter().zip(&mut summary.transitions) {
            if let Some(cell) = table.get_mut(row).and_then(|r| r.get_mut(column)) {
                *cell += 1;
            }
        }
        if let Some(change) = &change {
            summary.changed += 1;
            if change.severity() == Severity::Verdict {
                summary.verdicts_changed += 1;
            }
        }
        change
    }

    /// The transitions as `{verdict: {from: {to: count}}}`: every arm of
    /// either version, [`NO_ARM`] only where it was counted.
    pub fn transitions_json(&self, summary: &DiffSummary) -> Json {
        let mut verdicts = Map::new();
        for (pair, table) in self.verdicts.iter().zip(&summary.transitions) {
            verdicts.insert(
                pair.name.clone(),
                Json::Object(pair_transitions(pair, table)),
            );
        }
        Json::Object(verdicts)
    }

    /// The last JSONL record, and the `summary` of `--format json`.
    pub fn summary_json(&self, summary: &DiffSummary) -> Json {
        json!({ "summary": {
            "deals": summary.deals,
            "changed": summary.changed,
            "verdicts_changed": summary.verdicts_changed,
            "failed": summary.failed,
            "transitions": self.transitions_json(summary),
            "playbook": self.changes.to_json(),
        }})
    }
}

/// One verdict's transitions: `{from: {to: count}}`, every declared arm,
/// [`NO_ARM`] only where something was counted.
fn pair_transitions(pair: &VerdictPair, table: &[Vec<u64>]) -> Map<String, Json> {
    let last_column = pair.to_arms.len().saturating_sub(1);
    let column_used =
        |c: usize| c < last_column || table.iter().any(|row| row.get(c).is_some_and(|n| *n > 0));
    let last_row = pair.from_arms.len().saturating_sub(1);
    let mut rows = Map::new();
    for (r, from) in pair.from_arms.iter().enumerate() {
        let row = table.get(r);
        if r == last_row && !row.is_some_and(|row| row.iter().any(|n| *n > 0)) {
            continue;
        }
        let mut columns = Map::new();
        for (c, to) in pair.to_arms.iter().enumerate() {
            if column_used(c) {
                let n = row.and_then(|row| row.get(c)).copied().unwrap_or(0);
                columns.insert(to.clone(), Json::from(n));
            }
        }
        rows.insert(from.clone(), Json::Object(columns));
    }
    rows
}

#[cfg(test)]
mod tests;
