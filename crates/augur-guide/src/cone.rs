//! Which facts an expression can depend on, through lets, signals (and their
//! groups), the score and verdicts: the static dependency cone. The why-not
//! search draws its candidate changes from it.

use augur_check::ir::{Expr, ExprKind, FactId, Program};
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
