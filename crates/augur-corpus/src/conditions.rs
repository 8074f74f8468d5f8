//! Conditions whose text changed between two versions of a playbook
//! (signals, signal groups, verdict arms, lets, advice), and which of them a
//! deal's changed result reads: the "why" of a verdict that moved although
//! no weight did (a threshold edit, a new clause in a signal).
//!
//! Conditions are compared as written, whitespace collapsed: a reformatted
//! condition is not a change; a fact renamed inside it is. Things are paired
//! by name, as everywhere in `augur diff`. This module reads the two
//! analyses only; it evaluates nothing and renders only short labels.

use augur_check::ir::{Expr, ExprKind, LetId, Program};
use augur_check::Analysis;
use serde_json::{json, Value as Json};
use std::collections::BTreeSet;

/// What kind of condition changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConditionKind {
    Let,
    Group,
    Signal,
    Arm,
    Advice,
}

impl ConditionKind {
    fn word(self) -> &'static str {
        match self {
            ConditionKind::Let => "let",
            ConditionKind::Group => "group",
            ConditionKind::Signal => "signal",
            ConditionKind::Arm => "arm",
            ConditionKind::Advice => "advice",
        }
    }
}

/// One condition present in both versions with a different text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionChange {
    pub kind: ConditionKind,
    /// The let, group, signal or advice; for an arm, its verdict.
    pub name: String,
    /// The arm (arms only).
    pub arm: Option<String>,
    /// The condition's text in OLD and NEW (`otherwise` for an arm without
    /// one), whitespace collapsed.
    pub from: String,
    pub to: String,
}

impl ConditionChange {
    /// How it is named in reports: `signal x`, `arm standing.first_choice`.
    pub fn label(&self) -> String {
        match &self.arm {
            Some(arm) => format!("{} {}.{arm}", self.kind.word(), self.name),
            None => format!("{} {}", self.kind.word(), self.name),
        }
    }

    pub fn to_json(&self) -> Json {
        let mut record = json!({
            "kind": self.kind.word(),
            "name": self.name,
            "from": self.from,
            "to": self.to,
        });
        if let (Some(arm), Some(map)) = (&self.arm, record.as_object_mut()) {
            map.insert("arm".into(), Json::String(arm.clone()));
        }
        record
    }
}

/// The changed conditions of two versions, and for each thing a deal's
/// result names (signal, verdict, advice) the changed conditions it reads.
#[derive(Clone, Debug, Default)]
pub struct Conditions {
    pub changes: Vec<ConditionChange>,
    /// Per signal name: indexes into `changes` (its own condition, its
    /// group's, the lets either version's condition reads).
    signals: Vec<(String, Vec<usize>)>,
    /// Per verdict name: its changed arms and the lets they read.
    verdicts: Vec<(String, Vec<usize>)>,
    /// Per advice name: its own condition and the lets it reads.
    advice: Vec<(String, Vec<usize>)>,
}

/// `expr` as written, whitespace collapsed.
fn text_of(analysis: &Analysis, expr: &Expr) -> String {
    analysis
        .source(expr.location.file)
        .and_then(|source| {
            source
                .text
                .get(expr.location.span.start..expr.location.span.end)
        })
        .map(|text| text.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn optional_text(analysis: &Analysis, expr: Option<&Expr>) -> String {
    expr.map_or_else(|| "otherwise".to_string(), |e| text_of(analysis, e))
}

/// The lets `expr` reads, directly or through other lets.
fn lets_read(program: &Program, expr: &Expr, out: &mut BTreeSet<LetId>) {
    let mut stack = vec![expr];
    while let Some(expr) = stack.pop() {
        if let ExprKind::Let(id) = expr.kind {
            if out.insert(id) {
                if let Some(value) = program.lets.get(id as usize) {
                    stack.push(&value.value);
                }
            }
        }
        stack.extend(expr.operands());
    }
}

impl Conditions {
    pub fn between(old: &Analysis, new: &Analysis) -> Self {
        let (op, np) = (&old.program, &new.program);
        let mut changes = Vec::new();
        let mut push = |kind, name: &str, arm: Option<&str>, from: String, to: String| {
            if from != to {
                changes.push(ConditionChange {
                    kind,
                    name: name.to_string(),
                    arm: arm.map(str::to_string),
                    from,
                    to,
                });
            }
        };
        for value in &np.lets {
            if let Some(before) = op.lets.iter().find(|l| l.name == value.name) {
                let (from, to) = (text_of(old, &before.value), text_of(new, &value.value));
                push(ConditionKind::Let, &value.name, None, from, to);
            }
        }
        for group in &np.groups {
            if let Some(before) = op.groups.iter().find(|g| g.name == group.name) {
                let from = before
                    .when
                    .as_ref()
                    .map_or_else(String::new, |e| text_of(old, e));
                let to = group
                    .when
                    .as_ref()
                    .map_or_else(String::new, |e| text_of(new, e));
                push(ConditionKind::Group, &group.name, None, from, to);
            }
        }
        for signal in &np.signals {
            if let Some(before) = op.signals.iter().find(|s| s.name == signal.name) {
                let (from, to) = (text_of(old, &before.when), text_of(new, &signal.when));
                push(ConditionKind::Signal, &signal.name, None, from, to);
            }
        }
        for verdict in &np.verdicts {
            let Some(before) = op.verdicts.iter().find(|v| v.name == verdict.name) else {
                continue;
            };
            for arm in &verdict.arms {
                if let Some(was) = before.arms.iter().find(|a| a.name == arm.name) {
                    let from = optional_text(old, was.when.as_ref());
                    let to = optional_text(new, arm.when.as_ref());
                    push(ConditionKind::Arm, &verdict.name, Some(&arm.name), from, to);
                }
            }
        }
        for advice in &np.advice {
            if let Some(before) = op.advice.iter().find(|a| a.name == advice.name) {
                let (from, to) = (text_of(old, &before.when), text_of(new, &advice.when));
                push(ConditionKind::Advice, &advice.name, None, from, to);
            }
        }
        let mut conditions = Conditions {
            changes,
            ..Conditions::default()
        };
        if conditions.changes.is_empty() {
            return conditions;
        }
        // What each signal, verdict and advice reads, in either version.
        for program in [op, np] {
            for signal in &program.signals {
                let mut reads = conditions.own(ConditionKind::Signal, &signal.name);
                if let Some(group) = signal.group.and_then(|g| program.groups.get(g as usize)) {
                    reads.extend(conditions.own(ConditionKind::Group, &group.name));
                }
                reads.extend(conditions.lets_of(program, [&signal.when]));
                add(&mut conditions.signals, &signal.name, reads);
            }
            for verdict in &program.verdicts {
                let reads: Vec<usize> = conditions
                    .own(ConditionKind::Arm, &verdict.name)
                    .into_iter()
                    .chain(
                        conditions
                            .lets_of(program, verdict.arms.iter().filter_map(|a| a.when.as_ref())),
                    )
                    .collect();
                add(&mut conditions.verdicts, &verdict.name, reads);
            }
            for advice in &program.advice {
                let mut reads = conditions.own(ConditionKind::Advice, &advice.name);
                reads.extend(conditions.lets_of(program, [&advice.when]));
                add(&mut conditions.advice, &advice.name, reads);
            }
        }
        conditions
    }

    /// The changes of this kind and name (every changed arm of a verdict).
    fn own(&self, kind: ConditionKind, name: &str) -> Vec<usize> {
        self.changes
            .iter()
            .enumerate()
            .filter(|(_, c)| c.kind == kind && c.name == name)
            .map(|(i, _)| i)
            .collect()
    }

    /// The changed lets that `exprs` read.
    fn lets_of<'e>(
        &self,
        program: &Program,
        exprs: impl IntoIterator<Item = &'e Expr>,
    ) -> Vec<usize> {
        let mut lets = BTreeSet::new();
        for expr in exprs {
            lets_read(program, expr, &mut lets);
        }
        lets.into_iter()
            .filter_map(|id| program.lets.get(id as usize))
            .flat_map(|l| self.own(ConditionKind::Let, &l.name))
            .collect()
    }

    /// The labels of the changed conditions a deal's change reads: those of
    /// the verdicts that changed, the signals that fired in one version
    /// only, and the advice gained or lost; lets first, in playbook order.
    pub fn causes<'n>(
        &self,
        verdicts: impl IntoIterator<Item = &'n str>,
        signals: impl IntoIterator<Item = &'n str>,
        advice: impl IntoIterator<Item = &'n str>,
    ) -> Vec<String> {
        if self.changes.is_empty() {
            return Vec::new();
        }
        let mut found = BTreeSet::new();
        let mut take = |table: &[(String, Vec<usize>)], name: &str| {
            if let Some((_, reads)) = table.iter().find(|(n, _)| n == name) {
                found.extend(reads.iter().copied());
            }
        };
        for name in verdicts {
            take(&self.verdicts, name);
        }
        for name in signals {
            take(&self.signals, name);
        }
        for name in advice {
            take(&self.advice, name);
        }
        found
            .into_iter()
            .filter_map(|i| self.changes.get(i))
            .map(ConditionChange::label)
            .collect()
    }
}

fn add(table: &mut Vec<(String, Vec<usize>)>, name: &str, reads: Vec<usize>) {
    match table.iter_mut().find(|(n, _)| n == name) {
        Some((_, known)) => {
            for index in reads {
                if !known.contains(&index) {
                    known.push(index);
                }
            }
        }
        None => table.push((name.to_string(), reads)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = "facts { x: int\n y: int }\nlet big = x > 10\nsignal p \"P\" { when big weight 1 }\nsignal q \"Q\" { when y > 2 weight 2 }\nverdict v \"V\" {\n hi \"Hi\" when score >= 3\n lo \"Lo\" otherwise\n}\nverdict w \"W\" {\n one \"One\" otherwise\n}\nadvice go \"Go\" when q { \"go\" }\n";

    #[test]
    fn changed_conditions_are_found_and_reformatting_is_not_a_change() {
        let old = augur_check::analyze_text(OLD);
        let new = augur_check::analyze_text(
            &OLD.replace("x > 10", "x > 20")
                .replace("score >= 3", "score >= 2")
                .replace("y > 2 weight", "y   >  2 weight"),
        );
        assert!(!old.has_errors() && !new.has_errors());
        let conditions = Conditions::between(&old, &new);
        let labels: Vec<String> = conditions
            .changes
            .iter()
            .map(ConditionChange::label)
            .collect();
        assert_eq!(labels, ["let big", "arm v.hi"]);
        assert_eq!(conditions.changes[1].from, "score >= 3");
        assert_eq!(conditions.changes[1].to, "score >= 2");
        // A signal reading the changed let names it; the verdict names its arm.
        assert_eq!(conditions.causes([], ["p"], []), ["let big"]);
        assert_eq!(conditions.causes(["v"], [], []), ["arm v.hi"]);
        assert!(conditions.causes(["w"], ["q"], ["go"]).is_empty());
        assert_eq!(
            conditions.changes[1].to_json(),
            json!({"kind": "arm", "name": "v", "arm": "hi", "from": "score >= 3", "to": "score >= 2"})
        );
    }
}
