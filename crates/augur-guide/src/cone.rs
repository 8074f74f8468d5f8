//! Which facts an expression can depend on, through lets, signals (and their
//! groups), the score and verdicts: the static dependency cone. The why-not
//! search draws its candidate changes from it.

use augur_check::ir::{Expr, ExprKind, FactId, Program, Step, TemplatePart};
use std::collections::BTreeSet;

#[derive(Default)]
pub struct Cone {
    pub facts: BTreeSet<FactId>,
    lets: BTreeSet<u32>,
    signals: BTreeSet<u32>,
    groups: BTreeSet<u32>,
    verdicts: BTreeSet<u32>,
}

impl Cone {
    pub fn add(&mut self, program: &Program, expr: &Expr) {
        let mut stack = vec![expr];
        while let Some(expr) = stack.pop() {
            match &expr.kind {
                ExprKind::Fact(id) => {
                    self.facts.insert(*id);
                }
                ExprKind::Let(id) => {
                    if self.lets.insert(*id) {
                        if let Some(info) = program.lets.get(*id as usize) {
                            stack.push(&info.value);
                        }
                    }
                }
                ExprKind::Signal(id) => self.signal(program, *id, &mut stack),
                ExprKind::Score => {
                    for id in 0..program.signals.len() {
                        self.signal(program, id as u32, &mut stack);
                    }
                }
                ExprKind::GroupScore(g) => {
                    for (id, signal) in program.signals.iter().enumerate() {
                        if signal.group == Some(*g) {
                            self.signal(program, id as u32, &mut stack);
                        }
                    }
                }
                ExprKind::Verdict(id) => {
                    if self.verdicts.insert(*id) {
                        if let Some(verdict) = program.verdicts.get(*id as usize) {
                            stack.extend(verdict.arms.iter().filter_map(|a| a.when.as_ref()));
                        }
                    }
                }
                ExprKind::Field(e, _)
                | ExprKind::MapField(e, _)
                | ExprKind::Not(e)
                | ExprKind::Neg(e) => stack.push(e),
                ExprKind::And(a, b)
                | ExprKind::Or(a, b)
                | ExprKind::Compare(_, a, b)
                | ExprKind::Arith(_, a, b)
                | ExprKind::Coalesce(a, b) => {
                    stack.push(a);
                    stack.push(b);
                }
                ExprKind::In { value, list, .. } => {
                    stack.push(value);
                    stack.push(list);
                }
                ExprKind::Filter { list, cond, .. } => {
                    stack.push(list);
                    stack.push(cond);
                }
                ExprKind::List(items) | ExprKind::Call(_, items) => stack.extend(items.iter()),
                ExprKind::Text(template) => {
                    for part in &template.parts {
                        if let augur_check::ir::TemplatePart::Value(e) = part {
                            stack.push(e);
                        }
                    }
                }
                ExprKind::Literal(_) | ExprKind::Today | ExprKind::Item(_) => {}
            }
        }
    }

    fn signal<'p>(&mut self, program: &'p Program, id: u32, stack: &mut Vec<&'p Expr>) {
        if !self.signals.insert(id) {
            return;
        }
        let Some(signal) = program.signals.get(id as usize) else {
            return;
        };
        stack.push(&signal.when);
        if let Some(g) = signal.group {
            if self.groups.insert(g) {
                if let Some(when) = program.groups.get(g as usize).and_then(|g| g.when.as_ref()) {
                    stack.push(when);
                }
            }
        }
    }
}

/// The facts `expr` can depend on.
pub fn facts_of(program: &Program, exprs: &[&Expr]) -> BTreeSet<FactId> {
    let mut cone = Cone::default();
    for expr in exprs {
        cone.add(program, expr);
    }
    cone.facts
}

/// For each step of the program's order, the facts its rule can read
/// (through lets, signals and their groups, the score and verdicts), as a
/// bitset: which steps must run again when some facts change or open
/// ([`augur_eval::evaluate_kept_again`]). A step whose cone misses every
/// changed fact gives the result it gave before.
pub struct StepCones {
    /// Words per bitset.
    words: usize,
    /// One bitset per step, in `program.order`.
    steps: Vec<u64>,
}

impl StepCones {
    pub fn new(program: &Program) -> Self {
        let words = program.facts.len().div_ceil(64).max(1);
        // Until computed, a rule's cone is every fact: a rule read before
        // its place in the order (never, in a checked program) would only
        // make steps run again that need not.
        let all = vec![u64::MAX; words];
        let mut lets = vec![all.clone(); program.lets.len()];
        let mut groups = vec![all.clone(); program.groups.len()];
        let mut signals = vec![all.clone(); program.signals.len()];
        let mut verdicts = vec![all.clone(); program.verdicts.len()];
        let mut steps = Vec::with_capacity(program.order.len() * words);
        let mut stack: Vec<&Expr> = Vec::new();
        for step in &program.order {
            let mut cone = vec![0u64; words];
            let union = |cone: &mut Vec<u64>, other: &[u64]| {
                for (word, bits) in cone.iter_mut().zip(other) {
                    *word |= bits;
                }
            };
            stack.clear();
            match *step {
                Step::Let(id) => stack.extend(program.lets.get(id as usize).map(|l| &l.value)),
                Step::Group(id) => stack.extend(
                    program
                        .groups
                        .get(id as usize)
                        .and_then(|g| g.when.as_ref()),
                ),
                Step::Signal(id) => {
                    if let Some(signal) = program.signals.get(id as usize) {
                        stack.push(&signal.when);
                        if let Some(group) = signal.group.and_then(|g| groups.get(g as usize)) {
                            union(&mut cone, group);
                        }
                    }
                }
                Step::Verdict(id) => {
                    if let Some(verdict) = program.verdicts.get(id as usize) {
                        stack.extend(verdict.arms.iter().filter_map(|a| a.when.as_ref()));
                    }
                }
            }
            while let Some(expr) = stack.pop() {
                match &expr.kind {
                    ExprKind::Fact(f) => {
                        if let Some(word) = cone.get_mut(*f as usize / 64) {
                            *word |= 1 << (*f % 64);
                        }
                    }
                    ExprKind::Let(id) => union(&mut cone, lets.get(*id as usize).unwrap_or(&all)),
                    ExprKind::Signal(id) => {
                        union(&mut cone, signals.get(*id as usize).unwrap_or(&all))
                    }
                    ExprKind::Verdict(id) => {
                        union(&mut cone, verdicts.get(*id as usize).unwrap_or(&all))
                    }
                    ExprKind::Score => {
                        for signal in &signals {
                            union(&mut cone, signal);
                        }
                    }
                    ExprKind::GroupScore(g) => {
                        for (signal, info) in signals.iter().zip(&program.signals) {
                            if info.group == Some(*g) {
                                union(&mut cone, signal);
                            }
                        }
                    }
                    ExprKind::Text(template) => {
                        for part in &template.parts {
                            if let TemplatePart::Value(e) = part {
                                stack.push(e);
                            }
                        }
                    }
                    _ => expr.push_operands(&mut stack),
                }
            }
            let slot = match *step {
                Step::Let(id) => lets.get_mut(id as usize),
                Step::Group(id) => groups.get_mut(id as usize),
                Step::Signal(id) => signals.get_mut(id as usize),
                Step::Verdict(id) => verdicts.get_mut(id as usize),
            };
            if let Some(slot) = slot {
                slot.clone_from(&cone);
            }
            steps.extend_from_slice(&cone);
        }
        StepCones { words, steps }
    }

    /// One flag per step: whether its cone holds one of `changed`.
    pub fn rerun(&self, changed: &[FactId]) -> Vec<bool> {
        let mut mask = vec![0u64; self.words];
        for f in changed {
            if let Some(word) = mask.get_mut(*f as usize / 64) {
                *word |= 1 << (*f % 64);
            }
        }
        self.steps
            .chunks_exact(self.words)
            .map(|cone| cone.iter().zip(&mask).any(|(a, b)| a & b != 0))
            .collect()
    }
}
