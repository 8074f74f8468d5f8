//! Evaluation order and cycles between derived values.
//!
//! Lets, group conditions, signals and verdicts may read each other in any
//! declaration order; `score` reads every signal and `score(g)` the signals of
//! group `g`. This module turns those reads into an order where each step
//! comes after everything it reads, and reports any cycle with its chain.
//! The walk is iterative, so no playbook can overflow the stack here.

use crate::check::Checker;
use crate::ir::{Location, Step};
use augur_syntax::{Code, Diagnostic};

/// What a rule can depend on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Node {
    Step(Step),
    /// `score`: every signal.
    Score,
    /// `score(group)`: the group's signals.
    GroupScore(u32),
}

fn step_name(checker: &Checker<'_>, step: Step) -> String {
    let program = &checker.program;
    match step {
        Step::Let(id) => program
            .lets
            .get(id as usize)
            .map_or_else(String::new, |l| l.name.clone()),
        Step::Group(id) => program
            .groups
            .get(id as usize)
            .map_or_else(String::new, |g| format!("group {}", g.name)),
        Step::Signal(id) => program
            .signals
            .get(id as usize)
            .map_or_else(String::new, |s| s.name.clone()),
        Step::Verdict(id) => program
            .verdicts
            .get(id as usize)
            .map_or_else(String::new, |v| v.name.clone()),
    }
}

/// Steps numbered densely (lets, then groups, signals and verdicts), so the
/// walk keeps its edges and marks in plain vectors instead of hash maps.
struct Numbering {
    lets: usize,
    groups: usize,
    signals: usize,
    verdicts: usize,
}

impl Numbering {
    fn index(&self, step: Step) -> Option<usize> {
        let (id, before, count) = match step {
            Step::Let(id) => (id, 0, self.lets),
            Step::Group(id) => (id, self.lets, self.groups),
            Step::Signal(id) => (id, self.lets + self.groups, self.signals),
            Step::Verdict(id) => (id, self.lets + self.groups + self.signals, self.verdicts),
        };
        let id = id as usize;
        (id < count).then_some(before + id)
    }
}

pub(crate) fn order(checker: &mut Checker<'_>) {
    let program = &checker.program;
    let mut steps: Vec<Step> = Vec::new();
    steps.extend((0..program.lets.len() as u32).map(Step::Let));
    steps.extend((0..program.groups.len() as u32).map(Step::Group));
    steps.extend((0..program.signals.len() as u32).map(Step::Signal));
    steps.extend((0..program.verdicts.len() as u32).map(Step::Verdict));
    let numbering = Numbering {
        lets: program.lets.len(),
        groups: program.groups.len(),
        signals: program.signals.len(),
        verdicts: program.verdicts.len(),
    };

    // The edges of each step, by its number. The walk only visits the
    // program's steps, so edges of any other step would never be followed.
    let mut edges: Vec<Vec<(Step, Location)>> = vec![Vec::new(); steps.len()];
    for (step, deps) in &checker.step_deps {
        let Some(list) = numbering.index(*step).and_then(|i| edges.get_mut(i)) else {
            continue;
        };
        list.reserve(deps.len());
        for (node, location) in deps {
            match node {
                Node::Step(target) => list.push((*target, *location)),
                Node::Score => list.extend(
                    (0..program.signals.len() as u32).map(|s| (Step::Signal(s), *location)),
                ),
                Node::GroupScore(group) => {
                    if let Some(group) = program.groups.get(*group as usize) {
                        list.extend(group.signals.iter().map(|s| (Step::Signal(*s), *location)));
                    }
                }
            }
        }
    }

    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let mut marks: Vec<Mark> = vec![Mark::New; steps.len()];
    // A step outside the program counts as done, as it did in a map of
    // the program's steps.
    let mark_of = |marks: &[Mark], step: Step| {
        numbering
            .index(step)
            .and_then(|i| marks.get(i).copied())
            .unwrap_or(Mark::Done)
    };
    let set_mark = |marks: &mut [Mark], step: Step, mark: Mark| {
        if let Some(slot) = numbering.index(step).and_then(|i| marks.get_mut(i)) {
            *slot = mark;
        }
    };
    let mut order: Vec<Step> = Vec::with_capacity(steps.len());
    let mut cycles: Vec<(Vec<Step>, Location)> = Vec::new();
    let empty = Vec::new();
    // (step, index of the next edge to follow); one stack for every start.
    let mut stack: Vec<(Step, usize)> = Vec::new();
    for &start in &steps {
        if mark_of(&marks, start) != Mark::New {
            continue;
        }
        stack.clear();
        stack.push((start, 0));
        set_mark(&mut marks, start, Mark::Open);
        while let Some((step, next)) = stack.last().copied() {
            let out = numbering
                .index(step)
                .and_then(|i| edges.get(i))
                .unwrap_or(&empty);
            match out.get(next) {
                Some(&(target, location)) => {
                    if let Some(top) = stack.last_mut() {
                        top.1 += 1;
                    }
                    match mark_of(&marks, target) {
                        Mark::New => {
                            set_mark(&mut marks, target, Mark::Open);
                            stack.push((target, 0));
                        }
                        Mark::Open => {
                            let from = stack.iter().position(|(s, _)| *s == target).unwrap_or(0);
                            let chain: Vec<Step> = stack
                                .get(from..)
                                .unwrap_or(&[])
                                .iter()
                                .map(|(s, _)| *s)
                                .collect();
                            cycles.push((chain, location));
                        }
                        Mark::Done => {}
                    }
                }
                None => {
                    stack.pop();
                    set_mark(&mut marks, step, Mark::Done);
                    order.push(step);
                }
            }
        }
    }
    checker.program.order = order;

    for (chain, location) in cycles {
        // Let-only cycles were reported while checking the lets.
        if chain.iter().all(|s| matches!(s, Step::Let(_))) {
            continue;
        }
        let mut names: Vec<String> = chain.iter().map(|s| step_name(checker, *s)).collect();
        if let Some(first) = names.first().cloned() {
            names.push(first);
        }
        let diagnostic = Diagnostic::error(Code::Cycle, location.span, format!("these rules depend on each other in a circle: {}", names.join(" → ")))
            .with_label("this read closes the circle")
            .with_help("a signal cannot depend on `score` or on a verdict that reads it; break the circle by reading the underlying facts instead");
        checker.diagnostics.push(diagnostic.in_file(location.file));
    }
}
