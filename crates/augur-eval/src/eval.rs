//! Evaluating a checked program against one decoded deal.
//!
//! Rules run in the checker's dependency order (`Program::order`), so a rule
//! never waits on another and nothing recurses across rules. Unknown values
//! carry the facts that made them unknown; and/or/not follow Kleene logic.

use crate::deal::Deal;
use crate::value::{Blame, Value};
use augur_check::ir::{
    self, ArithOp, Builtin, CompareOp, ExprKind, FilterMode, Literal, Program, Step, Type,
};
use augur_syntax::Date;
use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::sync::Arc;

/// An evaluation that cannot give a result (e.g. an integer overflow).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalError {
    pub message: String,
    pub location: ir::Location,
}

/// The outcome of one deal.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// The chosen arm of each verdict.
    pub verdicts: Vec<u32>,
    pub score: i64,
    /// Groups whose condition held, with their weight sums.
    pub groups: Vec<(u32, i64)>,
    pub fired: Vec<bool>,
    /// Rendered messages of the signals that fired (`None` otherwise).
    pub messages: Vec<Option<String>>,
    pub advice: Vec<(u32, String)>,
    /// The facts whose being unknown left a condition undecided.
    pub unknown: Vec<u32>,
    /// Values of each let (for `--explain`); empty from the fast path
    /// ([`crate::fast`]), which computes only the lets something reads.
    pub lets: Vec<Value>,
}

struct Frame<'a> {
    program: &'a Program,
    facts: &'a [Value],
    today: Date,
    lets: Vec<Value>,
    fired: Vec<bool>,
    /// Signals whose condition (or group's) was unknown (for `decided(…)`).
    undecided: Vec<bool>,
    /// Groups whose condition was unknown.
    group_unknown: Vec<bool>,
    /// Whether the last condition evaluated was unknown.
    last_unknown: bool,
    group_active: Vec<bool>,
    verdicts: Vec<u32>,
    /// The lists being filtered by `where`/`any`/`all`, innermost last,
    /// each with the position of its current item (`it`). Holding the list
    /// rather than a copy of each item saves a reference count per item.
    items: Vec<(Arc<[Value]>, usize)>,
    relevant: Blame,
    /// Expressions evaluated so far, against [`MAX_EVAL_STEPS`].
    steps: u64,
    /// Bytes of text built so far, against [`MAX_DEAL_OUTPUT_BYTES`].
    output_bytes: usize,
    /// `Some` in the three-valued reading ([`evaluate_three_valued`]).
    three: Option<Box<ThreeState>>,
    /// `Some` on the fast path ([`crate::fast`]): the lets marked lazy are
    /// computed when first read, not in their place in the order.
    lazy: Option<&'a [bool]>,
    /// On the fast path, whether each lazy let holds its value yet.
    let_ready: Vec<bool>,
}

/// What the three-valued reading keeps beside the as-recorded frame: which
/// groups, signals and verdicts are undecided, and why.
struct ThreeState {
    /// The facts unknown in the deal: any value is still possible for them.
    open: Blame,
    groups: Vec<Option<Blame>>,
    signals: Vec<Option<Blame>>,
    verdicts: Vec<Option<Blame>>,
    /// Each arm's condition (`None`: undecided); an arm after one that holds
    /// counts as not holding.
    arms: Vec<Vec<Option<bool>>>,
}

/// The result of the fully three-valued reading of a deal: every unknown
/// fact may still take any value, so a signal whose condition is unknown is
/// *undecided* (not "did not fire"), a verdict is decided only when no arm
/// before the chosen one is undecided, and the score is an interval.
///
/// Soundness (Kleene): whatever is decided here (`Some`) is the same for every
/// completion of the unknown facts. `augur-guide` searches over completions
/// with it; `value` of a verdict keeps its as-recorded meaning ([`evaluate`]).
#[derive(Clone, Debug)]
pub struct Partial {
    /// The arm of each verdict, when decided.
    pub verdicts: Vec<Option<u32>>,
    /// For an undecided verdict, the facts its undecided arms read.
    pub verdict_blame: Vec<Blame>,
    /// Each arm's condition of each verdict (`None`: undecided); an arm after
    /// one that holds counts as not holding.
    pub arms: Vec<Vec<Option<bool>>>,
    /// Whether each signal fired, when decided.
    pub fired: Vec<Option<bool>>,
    pub signal_blame: Vec<Blame>,
    /// Whether each advice is given, when decided.
    pub advice: Vec<Option<bool>>,
    pub advice_blame: Vec<Blame>,
    /// The lowest and highest score any completion can have.
    pub score: (i64, i64),
    /// Values of each let (unknown where any completion could differ).
    pub lets: Vec<Value>,
}

/// The arm of each verdict as [`evaluate`] chooses it, without rendering
/// messages or advice: the cheap check "does this deal get that arm?" that
/// `augur-guide` runs for every candidate change.
pub fn evaluate_verdicts(
    program: &Program,
    deal: &Deal,
    today: Date,
) -> Result<Vec<u32>, EvalError> {
    augur_syntax::with_stack(|| {
        let mut frame = Frame::new(program, deal, today);
        frame.run_steps()?;
        Ok(frame.verdicts)
    })
}

/// Evaluates `deal` in the fully three-valued reading (see [`Partial`]).
/// Messages and advice texts are not rendered.
pub fn evaluate_three_valued(
    program: &Program,
    deal: &Deal,
    today: Date,
) -> Result<Partial, EvalError> {
    let mut open = Blame::default();
    for (id, value) in deal.facts.iter().enumerate() {
        if value.is_unknown() {
            open.insert(id as u32);
        }
    }
    augur_syntax::with_stack(|| three_valued_on_this_stack(program, deal, today, open))
}

/// [`evaluate_three_valued`] with only the facts in `open` free to take any
/// value: the deal's other unknown facts read as recorded (an unknown
/// condition is false, as [`evaluate`] has it). `augur-guide` asks with it
/// whether changing some facts, and only those, can reach an arm.
pub fn evaluate_three_valued_open(
    program: &Program,
    deal: &Deal,
    today: Date,
    open: &Blame,
) -> Result<Partial, EvalError> {
    augur_syntax::with_stack(|| three_valued_on_this_stack(program, deal, today, open.clone()))
}

fn three_valued_on_this_stack(
    program: &Program,
    deal: &Deal,
    today: Date,
    open: Blame,
) -> Result<Partial, EvalError> {
    let mut frame = Frame::new(program, deal, today);
    frame.three = Some(Box::new(ThreeState {
        open,
        groups: vec![None; program.groups.len()],
        signals: vec![None; program.signals.len()],
        verdicts: vec![None; program.verdicts.len()],
        arms: program
            .verdicts
            .iter()
            .map(|v| vec![Some(false); v.arms.len()])
            .collect(),
    }));
    frame.run_steps()?;
    let mut advice = Vec::with_capacity(program.advice.len());
    let mut advice_blame = Vec::with_capacity(program.advice.len());
    for item in &program.advice {
        match frame.eval(&item.when)? {
            Value::Bool(b) => {
                advice.push(Some(b));
                advice_blame.push(Blame::default());
            }
            Value::Unknown(blame) if frame.is_open(&blame) => {
                advice.push(None);
                advice_blame.push(blame);
            }
            _ => {
                advice.push(Some(false));
                advice_blame.push(Blame::default());
            }
        }
    }
    let (low, high, _) = frame.score_interval(None);
    let three = frame.three.take();
    let (signal_state, verdict_state, arms) = match three {
        Some(state) => (state.signals, state.verdicts, state.arms),
        None => (Vec::new(), Vec::new(), Vec::new()),
    };
    let fired = frame
        .fired
        .iter()
        .enumerate()
        .map(|(id, fired)| match signal_state.get(id) {
            Some(Some(_)) => None,
            _ => Some(*fired),
        })
        .collect();
    let signal_blame = (0..program.signals.len())
        .map(|id| signal_state.get(id).cloned().flatten().unwrap_or_default())
        .collect();
    let verdicts = frame
        .verdicts
        .iter()
        .enumerate()
        .map(|(id, arm)| match verdict_state.get(id) {
            Some(Some(_)) => None,
            _ => Some(*arm),
        })
        .collect();
    let verdict_blame = (0..program.verdicts.len())
        .map(|id| verdict_state.get(id).cloned().flatten().unwrap_or_default())
        .collect();
    Ok(Partial {
        verdicts,
        verdict_blame,
        arms,
        fired,
        signal_blame,
        advice,
        advice_blame,
        score: (low, high),
        lets: frame.lets,
    })
}

/// Evaluates `deal` with `today` as the evaluation date.
pub fn evaluate(program: &Program, deal: &Deal, today: Date) -> Result<Outcome, EvalError> {
    augur_syntax::with_stack(|| evaluate_on_this_stack(program, deal, today, &[]))
        .map(|(outcome, _)| outcome)
}

/// Evaluates `deal` and then each probe (e.g. a test's `expect` conditions)
/// with every rule's result in scope.
pub fn evaluate_with_probes(
    program: &Program,
    deal: &Deal,
    today: Date,
    probes: &[&ir::Expr],
) -> Result<(Outcome, Vec<Value>), EvalError> {
    augur_syntax::with_stack(|| evaluate_on_this_stack(program, deal, today, probes))
}

fn evaluate_on_this_stack(
    program: &Program,
    deal: &Deal,
    today: Date,
    probes: &[&ir::Expr],
) -> Result<(Outcome, Vec<Value>), EvalError> {
    let mut frame = Frame::new(program, deal, today);
    frame.run_steps()?;
    let mut advice = Vec::new();
    for (id, item) in program.advice.iter().enumerate() {
        if frame.condition(&item.when)? {
            let mut text = String::new();
            for part in &item.text {
                let part = frame.render(part, item.location)?;
                if needs_space_between(&text, &part) {
                    text.push(' ');
                }
                text.push_str(&part);
            }
            advice.push((id as u32, text));
        }
    }
    let mut messages = Vec::with_capacity(program.signals.len());
    for (id, signal) in program.signals.iter().enumerate() {
        messages.push(if frame.fired.get(id).copied().unwrap_or(false) {
            Some(frame.render(&signal.message, signal.location)?)
        } else {
            None
        });
    }
    let score = frame.score(None)?;
    let mut groups = Vec::new();
    for (id, active) in frame.group_active.iter().enumerate() {
        if *active {
            groups.push((id as u32, frame.score(Some(id as u32))?));
        }
    }
    let mut probe_values = Vec::with_capacity(probes.len());
    for probe in probes {
        probe_values.push(frame.eval(probe)?);
    }
    let outcome = Outcome {
        verdicts: frame.verdicts,
        score,
        groups,
        fired: frame.fired,
        messages,
        advice,
        unknown: frame.relevant.facts().collect(),
        lets: frame.lets,
    };
    Ok((outcome, probe_values))
}

/// The fast path's evaluation of one deal (see [`crate::fast`]): the
/// reference evaluation with lazy lets, its buffers taken from `scratch` and
/// its results written into `outcome` (whose `lets` stays empty). Returns
/// the steps taken, for the caller's step-limit check.
pub(crate) fn evaluate_lazy(
    program: &Program,
    lazy: &[bool],
    deal: &Deal,
    today: Date,
    scratch: &mut crate::fast::Scratch,
    outcome: &mut Outcome,
) -> (Result<(), EvalError>, u64) {
    let mut frame = Frame::new_in(program, deal, today, scratch);
    frame.lazy = Some(lazy);
    let result = frame.fill(scratch, outcome);
    let steps = frame.steps;
    frame.give_back(scratch);
    (result, steps)
}

/// The steps [`Frame::run_steps`] counts on `deal`, on the reference path
/// (`lazy: None`) or the fast one: for tests that the fast path's in-place
/// shortcuts count what the reference counts.
#[cfg(test)]
pub(crate) fn steps_of_run(
    program: &Program,
    deal: &Deal,
    today: Date,
    lazy: Option<&[bool]>,
) -> u64 {
    let mut frame = Frame::new(program, deal, today);
    frame.lazy = lazy;
    frame.let_ready = vec![false; program.lets.len()];
    let _ = frame.run_steps();
    frame.steps
}

impl<'a> Frame<'a> {
    /// [`Frame::new`] with the buffers of `scratch`.
    fn new_in(
        program: &'a Program,
        deal: &'a Deal,
        today: Date,
        scratch: &mut crate::fast::Scratch,
    ) -> Self {
        fn reset<T: Clone>(mut buffer: Vec<T>, len: usize, value: T) -> Vec<T> {
            buffer.clear();
            buffer.resize(len, value);
            buffer
        }
        let mut frame = Frame::new_empty(program, deal, today);
        frame.lets = reset(
            std::mem::take(&mut scratch.lets),
            program.lets.len(),
            Value::unknown(),
        );
        frame.let_ready = reset(
            std::mem::take(&mut scratch.let_ready),
            program.lets.len(),
            false,
        );
        frame.fired = reset(
            std::mem::take(&mut scratch.fired),
            program.signals.len(),
            false,
        );
        frame.undecided = reset(
            std::mem::take(&mut scratch.undecided),
            program.signals.len(),
            false,
        );
        frame.group_unknown = reset(
            std::mem::take(&mut scratch.group_unknown),
            program.groups.len(),
            false,
        );
        frame.group_active = reset(
            std::mem::take(&mut scratch.group_active),
            program.groups.len(),
            false,
        );
        frame.verdicts = reset(
            std::mem::take(&mut scratch.verdicts),
            program.verdicts.len(),
            0,
        );
        frame.items = std::mem::take(&mut scratch.items);
        frame.items.clear();
        frame
    }

    /// Returns the frame's buffers to `scratch` for the next deal.
    fn give_back(self, scratch: &mut crate::fast::Scratch) {
        scratch.lets = self.lets;
        scratch.let_ready = self.let_ready;
        scratch.fired = self.fired;
        scratch.undecided = self.undecided;
        scratch.group_unknown = self.group_unknown;
        scratch.group_active = self.group_active;
        scratch.verdicts = self.verdicts;
        scratch.items = self.items;
    }

    /// What [`evaluate_on_this_stack`] does without probes, in the same
    /// order (so the same error comes first), into `outcome`'s buffers.
    fn fill(
        &mut self,
        scratch: &mut crate::fast::Scratch,
        outcome: &mut Outcome,
    ) -> Result<(), EvalError> {
        let program = self.program;
        for message in outcome.messages.drain(..).flatten() {
            scratch.strings.push(message);
        }
        for (_, text) in outcome.advice.drain(..) {
            scratch.strings.push(text);
        }
        outcome.groups.clear();
        outcome.unknown.clear();
        outcome.lets.clear();
        self.run_steps()?;
        let mut part = std::mem::take(&mut scratch.part);
        for (id, item) in program.advice.iter().enumerate() {
            if self.condition(&item.when)? {
                let mut text = scratch.strings.pop().unwrap_or_default();
                text.clear();
                for template in &item.text {
                    if let Err(error) = self.render_into(template, item.location, &mut part) {
                        scratch.part = part;
                        return Err(error);
                    }
                    if needs_space_between(&text, &part) {
                        text.push(' ');
                    }
                    text.push_str(&part);
                }
                outcome.advice.push((id as u32, text));
            }
        }
        scratch.part = part;
        for (id, signal) in program.signals.iter().enumerate() {
            outcome
                .messages
                .push(if self.fired.get(id).copied().unwrap_or(false) {
                    let mut message = scratch.strings.pop().unwrap_or_default();
                    self.render_into(&signal.message, signal.location, &mut message)?;
                    Some(message)
                } else {
                    None
                });
        }
        outcome.score = self.score(None)?;
        for (id, active) in self.group_active.iter().enumerate() {
            if *active {
                outcome
                    .groups
                    .push((id as u32, self.score(Some(id as u32))?));
            }
        }
        outcome.unknown.extend(self.relevant.facts());
        std::mem::swap(&mut outcome.verdicts, &mut self.verdicts);
        std::mem::swap(&mut outcome.fired, &mut self.fired);
        Ok(())
    }

    fn new(program: &'a Program, deal: &'a Deal, today: Date) -> Self {
        Frame {
            lets: vec![Value::unknown(); program.lets.len()],
            fired: vec![false; program.signals.len()],
            undecided: vec![false; program.signals.len()],
            group_unknown: vec![false; program.groups.len()],
            group_active: vec![false; program.groups.len()],
            verdicts: vec![0; program.verdicts.len()],
            ..Frame::new_empty(program, deal, today)
        }
    }

    /// A frame without buffers, to be filled by [`Frame::new`] or
    /// [`Frame::new_in`].
    fn new_empty(program: &'a Program, deal: &'a Deal, today: Date) -> Self {
        Frame {
            program,
            facts: &deal.facts,
            today,
            lets: Vec::new(),
            fired: Vec::new(),
            undecided: Vec::new(),
            group_unknown: Vec::new(),
            last_unknown: false,
            group_active: Vec::new(),
            verdicts: Vec::new(),
            items: Vec::new(),
            relevant: Blame::default(),
            steps: 0,
            output_bytes: 0,
            three: None,
            lazy: None,
            let_ready: Vec::new(),
        }
    }

    /// On the fast path, whether let `id` waits until something reads it.
    fn is_lazy(&self, id: u32) -> bool {
        self.lazy
            .is_some_and(|lazy| lazy.get(id as usize).copied().unwrap_or(false))
    }

    /// On the fast path, computes lazy let `id` if this is its first read.
    /// A lazy let cannot fail (see [`crate::fast`]) and reads nothing that
    /// changes after its place in the order, so its value is the one the
    /// reference path computes there. Lets reading lets nest: the stack
    /// grows as needed.
    fn force_let(&mut self, id: u32) -> Result<(), EvalError> {
        if !self.is_lazy(id) || self.let_ready.get(id as usize).copied().unwrap_or(true) {
            return Ok(());
        }
        if let Some(ready) = self.let_ready.get_mut(id as usize) {
            *ready = true;
        }
        let program = self.program;
        let Some(info) = program.lets.get(id as usize) else {
            return Ok(());
        };
        let value = stacker::maybe_grow(64 * 1024, 2 * 1024 * 1024, || self.eval(&info.value))?;
        if let Some(slot) = self.lets.get_mut(id as usize) {
            *slot = value;
        }
        Ok(())
    }

    /// Runs every let, group, signal and verdict in the program's order.
    fn run_steps(&mut self) -> Result<(), EvalError> {
        let program = self.program;
        for step in &program.order {
            match *step {
                Step::Let(id) => {
                    if self.is_lazy(id) {
                        continue;
                    }
                    if let Some(info) = program.lets.get(id as usize) {
                        let value = self.eval(&info.value)?;
                        if let Some(slot) = self.lets.get_mut(id as usize) {
                            *slot = value;
                        }
                    }
                }
                Step::Group(id) => {
                    let Some(group) = program.groups.get(id as usize) else {
                        continue;
                    };
                    let (active, undecided) = match &group.when {
                        Some(when) => self.tri_condition(when)?,
                        None => (true, None),
                    };
                    if let Some(slot) = self.group_active.get_mut(id as usize) {
                        *slot = active;
                    }
                    if let Some(slot) = self.group_unknown.get_mut(id as usize) {
                        *slot = group.when.is_some() && self.last_unknown;
                    }
                    if let Some(slot) = self
                        .three
                        .as_mut()
                        .and_then(|t| t.groups.get_mut(id as usize))
                    {
                        *slot = undecided;
                    }
                }
                Step::Signal(id) => {
                    let Some(signal) = program.signals.get(id as usize) else {
                        continue;
                    };
                    let group_ok = signal.group.is_none_or(|g| {
                        self.group_active.get(g as usize).copied().unwrap_or(false)
                    });
                    let group_undecided = signal.group.and_then(|g| {
                        self.three
                            .as_ref()
                            .and_then(|t| t.groups.get(g as usize).cloned().flatten())
                    });
                    let group_unknown = signal.group.is_some_and(|g| {
                        self.group_unknown.get(g as usize).copied().unwrap_or(false)
                    });
                    self.last_unknown = false;
                    let (fired, undecided) = match group_undecided {
                        // The group may or may not hold: the signal is
                        // undecided unless its own condition is false.
                        Some(group_blame) => match self.tri_condition(&signal.when)? {
                            (false, None) => (false, None),
                            (_, blame) => {
                                let mut all = group_blame;
                                if let Some(blame) = blame {
                                    all.union(&blame);
                                }
                                (false, Some(all))
                            }
                        },
                        None if group_ok => self.tri_condition(&signal.when)?,
                        None => (false, None),
                    };
                    if let Some(slot) = self.fired.get_mut(id as usize) {
                        *slot = fired;
                    }
                    if let Some(slot) = self.undecided.get_mut(id as usize) {
                        *slot = group_unknown || (group_ok && self.last_unknown);
                    }
                    if let Some(slot) = self
                        .three
                        .as_mut()
                        .and_then(|t| t.signals.get_mut(id as usize))
                    {
                        *slot = undecided;
                    }
                }
                Step::Verdict(id) => {
                    let Some(verdict) = program.verdicts.get(id as usize) else {
                        continue;
                    };
                    let mut chosen = verdict.arms.len().saturating_sub(1) as u32;
                    let mut undecided: Option<Blame> = None;
                    for (index, arm) in verdict.arms.iter().enumerate() {
                        let (holds, blame) = match &arm.when {
                            Some(when) => self.tri_condition(when)?,
                            None => (true, None),
                        };
                        if let Some(slot) = self.three.as_mut().and_then(|t| {
                            t.arms
                                .get_mut(id as usize)
                                .and_then(|arms| arms.get_mut(index))
                        }) {
                            *slot = if blame.is_some() { None } else { Some(holds) };
                        }
                        if let Some(blame) = blame {
                            undecided.get_or_insert_with(Blame::default).union(&blame);
                        }
                        if holds {
                            chosen = index as u32;
                            break;
                        }
                    }
                    if let Some(slot) = self.verdicts.get_mut(id as usize) {
                        *slot = chosen;
                    }
                    if let Some(slot) = self
                        .three
                        .as_mut()
                        .and_then(|t| t.verdicts.get_mut(id as usize))
                    {
                        *slot = undecided;
                    }
                }
            }
        }
        Ok(())
    }

    /// A condition as recorded (true only when known true), with the blame
    /// when it is unknown; in the three-valued reading, the blame only when
    /// it is undecided for want of an open fact (an unknown that no open fact
    /// is blamed for reads as recorded: false). `last_unknown` tells whether
    /// it was unknown at all.
    fn tri_condition(&mut self, expr: &ir::Expr) -> Result<(bool, Option<Blame>), EvalError> {
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
    fn score_interval(&self, group: Option<u32>) -> (i64, i64, Blame) {
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
    fn compare_verdict_arms(&self, op: CompareOp, a: &ir::Expr, b: &ir::Expr) -> Option<Value> {
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
    fn compare_score_interval(
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
        let op = if flipped {
            match op {
                CompareOp::Lt => CompareOp::Gt,
                CompareOp::Le => CompareOp::Ge,
                CompareOp::Gt => CompareOp::Lt,
                CompareOp::Ge => CompareOp::Le,
                other => other,
            }
        } else {
            op
        };
        let holds = |s: i64| match op {
            CompareOp::Eq => s == v,
            CompareOp::Ne => s != v,
            CompareOp::Lt => s < v,
            CompareOp::Le => s <= v,
            CompareOp::Gt => s > v,
            CompareOp::Ge => s >= v,
        };
        let (at_low, at_high) = (holds(low), holds(high));
        let inside = low <= v && v <= high;
        let decided = match op {
            CompareOp::Eq | CompareOp::Ne if inside && low != high => None,
            _ if at_low == at_high => Some(at_low),
            _ => None,
        };
        Ok(Some(match decided {
            Some(b) => Value::Bool(b),
            None => Value::Unknown(blame),
        }))
    }
}

/// What an unknown value in a message is called: the fact or `let` it
/// reads, or "unknown".
fn placeholder_name<'p>(program: &'p Program, expr: &ir::Expr) -> &'p str {
    match &expr.kind {
        ExprKind::Fact(id) => program.facts.get(*id as usize).map(|f| f.name.as_str()),
        ExprKind::Let(id) => program.lets.get(*id as usize).map(|l| l.name.as_str()),
        ExprKind::GroupScore(g) => program.groups.get(*g as usize).map(|g| g.name.as_str()),
        _ => None,
    }
    .unwrap_or("unknown")
}

fn overflow(expr: &ir::Expr) -> EvalError {
    EvalError {
        message: "a number in this calculation is too large (integer overflow)".into(),
        location: expr.location,
    }
}

fn as_decimal(value: &Value) -> Option<Decimal> {
    match value {
        Value::Int(i) => Some(Decimal::from(*i)),
        Value::Number(n) => Some(*n),
        _ => None,
    }
}

/// `left op right` for two known values.
fn compare_known(op: CompareOp, left: &Value, right: &Value) -> bool {
    match op {
        CompareOp::Eq => equal(left, right),
        CompareOp::Ne => !equal(left, right),
        _ => match compare(left, right) {
            Some(ordering) => match op {
                CompareOp::Lt => ordering == Ordering::Less,
                CompareOp::Le => ordering != Ordering::Greater,
                CompareOp::Gt => ordering == Ordering::Greater,
                _ => ordering != Ordering::Less,
            },
            None => false,
        },
    }
}

/// A literal as a value.
fn literal_value(literal: &Literal) -> Value {
    match literal {
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Int(i) => Value::Int(*i),
        Literal::Number(n) => Value::Number(*n),
        Literal::Text(t) => Value::Text(t.clone()),
        Literal::Date(d) => Value::Date(*d),
        Literal::Variant(v) => Value::Variant(*v),
    }
}

fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Int(_) | Value::Number(_), Value::Int(_) | Value::Number(_)) => {
            Some(as_decimal(a)?.cmp(&as_decimal(b)?))
        }
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::Text(x), Value::Text(y)) => Some(x.cmp(y)),
        (Value::Variant(x), Value::Variant(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Record(x), Value::Record(y)) | (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| equal(p, q))
        }
        _ => compare(a, b) == Some(Ordering::Equal),
    }
}

impl Frame<'_> {
    /// Evaluates a condition: true only when it is known to be true. An
    /// unknown condition records its blame as relevant unknowns.
    fn condition(&mut self, expr: &ir::Expr) -> Result<bool, EvalError> {
        match self.eval(expr)? {
            Value::Bool(b) => Ok(b),
            Value::Unknown(blame) => {
                self.relevant.union(&blame);
                Ok(false)
            }
            _ => Ok(false),
        }
    }

    fn score(&self, group: Option<u32>) -> Result<i64, EvalError> {
        let mut total: i64 = 0;
        for (id, signal) in self.program.signals.iter().enumerate() {
            if self.fired.get(id).copied().unwrap_or(false)
                && (group.is_none() || signal.group == group)
            {
                total = total
                    .checked_add(signal.weight)
                    .ok_or_else(|| overflow(&signal.when))?;
            }
        }
        Ok(total)
    }

    /// Renders a message, advice or text template, charging its bytes to
    /// the deal's output budget.
    fn render(
        &mut self,
        template: &ir::Template,
        location: ir::Location,
    ) -> Result<String, EvalError> {
        let mut out = String::new();
        self.render_into(template, location, &mut out)?;
        Ok(out)
    }

    /// [`Frame::render`] into a buffer the caller reuses (emptied first).
    fn render_into(
        &mut self,
        template: &ir::Template,
        location: ir::Location,
        out: &mut String,
    ) -> Result<(), EvalError> {
        out.clear();
        for part in &template.parts {
            match part {
                ir::TemplatePart::Text(text) => out.push_str(text),
                ir::TemplatePart::Value(expr) => {
                    let value = self.eval(expr)?;
                    if value.is_unknown() {
                        // A readable placeholder naming what is missing.
                        out.push('‹');
                        out.push_str(placeholder_name(self.program, expr));
                        out.push('›');
                        continue;
                    }
                    value.render(&expr.ty.ty, self.program, out);
                    check_text_len(out.len(), expr)?;
                }
            }
        }
        self.charge(out.len(), location)
    }

    /// Counts `bytes` of text built for this deal against
    /// [`MAX_DEAL_OUTPUT_BYTES`].
    fn charge(&mut self, bytes: usize, location: ir::Location) -> Result<(), EvalError> {
        self.output_bytes = self.output_bytes.saturating_add(bytes);
        if self.output_bytes as u64 > MAX_DEAL_OUTPUT_BYTES {
            return Err(EvalError {
                message: format!(
                    "this deal's messages, advice and texts would pass {MAX_DEAL_OUTPUT_BYTES} bytes \
                     (the limit for one deal); a message that repeats a long text is the usual cause (here)"
                ),
                location,
            });
        }
        Ok(())
    }

    /// On the fast path, a comparison whose sides are read where they are
    /// (a fact, a let, a literal, a field of `it`) instead of copied out: the
    /// same value as the general case, and the same steps counted.
    /// `None` when a side is anything else.
    fn compare_in_place(
        &mut self,
        op: CompareOp,
        a: &ir::Expr,
        b: &ir::Expr,
    ) -> Result<Option<Value>, EvalError> {
        if !(self.in_place(a) && self.in_place(b)) {
            return Ok(None);
        }
        for side in [a, b] {
            if let ExprKind::Let(id) = side.kind {
                self.force_let(id)?;
            }
        }
        // The two sides (the comparison itself was counted by `eval`); a
        // step past the limit is left to the caller's check (`crate::fast`
        // then asks the reference).
        self.steps += 2;
        let (left_made, right_made) = (self.made_value(a), self.made_value(b));
        let left = match &left_made {
            Some(value) => Some(value),
            None => self.value_in_place(a),
        };
        let right = match &right_made {
            Some(value) => Some(value),
            None => self.value_in_place(b),
        };
        Ok(Some(match (left, right) {
            (Some(left), Some(right)) if !left.is_unknown() && !right.is_unknown() => {
                Value::Bool(compare_known(op, left, right))
            }
            (left, right) => {
                let mut blame = Blame::default();
                for side in [left, right].into_iter().flatten() {
                    if let Value::Unknown(b) = side {
                        blame.union(b);
                    }
                }
                Value::Unknown(blame)
            }
        }))
    }

    /// On the fast path, `count(list where cond)` without building the
    /// filtered list: the same value, and the same steps, as the general
    /// case.
    fn count_where(&mut self, list: &ir::Expr, cond: &ir::Expr) -> Result<Value, EvalError> {
        // The filter (the call was counted by `eval`); the caller checks
        // the step limit.
        self.steps += 1;
        if let (ExprKind::List(written), ExprKind::Item(0)) = (&list.kind, &cond.kind) {
            // `count([a, b, c] where it)`: how many of these hold, without
            // building the list. The list node, each item, and (when the list
            // is known) the condition once per item.
            self.steps += 1;
            let mut count: i64 = 0;
            let mut blame: Option<Blame> = None;
            for item in written {
                match self.eval(item)? {
                    Value::Unknown(b) => blame.get_or_insert_with(Blame::default).union(&b),
                    Value::Bool(true) => count += 1,
                    _ => {}
                }
            }
            if let Some(blame) = blame {
                return Ok(Value::Unknown(blame));
            }
            self.steps += written.len() as u64;
            return Ok(Value::Int(count));
        }
        let items = match self.eval(list)? {
            Value::List(items) => items,
            unknown @ Value::Unknown(_) => return Ok(unknown),
            _ => return Ok(Value::Int(0)),
        };
        let mut count: i64 = 0;
        self.items.push((items.clone(), 0));
        for position in 0..items.len() {
            if let Some(current) = self.items.last_mut() {
                current.1 = position;
            }
            match self.eval(cond) {
                Ok(Value::Bool(true)) => count += 1,
                Ok(_) => {}
                Err(error) => {
                    self.items.pop();
                    return Err(error);
                }
            }
        }
        self.items.pop();
        Ok(Value::Int(count))
    }

    /// The value of a literal, a signal or a verdict as recorded (as
    /// [`Frame::eval`] makes it outside the three-valued reading); `None`
    /// for what [`Frame::value_in_place`] reads.
    fn made_value(&self, expr: &ir::Expr) -> Option<Value> {
        match &expr.kind {
            ExprKind::Literal(literal) => Some(literal_value(literal)),
            ExprKind::Signal(id) => Some(Value::Bool(
                self.fired.get(*id as usize).copied().unwrap_or(false),
            )),
            ExprKind::Verdict(id) => Some(Value::Variant(
                self.verdicts.get(*id as usize).copied().unwrap_or(0),
            )),
            _ => None,
        }
    }

    /// On the fast path, `value in [a, b, …]` where the value is read in
    /// place and the items are literals: what [`Frame::in_literal`] gives,
    /// with the same steps counted, without copying anything.
    fn in_place_list(
        &mut self,
        value: &ir::Expr,
        items: &[ir::Expr],
        negated: bool,
    ) -> Result<Option<Value>, EvalError> {
        if !self.in_place(value)
            || !items
                .iter()
                .all(|item| matches!(item.kind, ExprKind::Literal(_)))
        {
            return Ok(None);
        }
        if let ExprKind::Let(id) = value.kind {
            self.force_let(id)?;
        }
        // The value and each item (`in` was counted by `eval`); the caller
        // checks the step limit.
        self.steps += 1 + items.len() as u64;
        let made = self.made_value(value);
        let unknown = Value::unknown();
        let needle = match &made {
            Some(needle) => needle,
            None => self.value_in_place(value).unwrap_or(&unknown),
        };
        if let Value::Unknown(blame) = needle {
            return Ok(Some(Value::Unknown(blame.clone())));
        }
        let found = items.iter().any(|item| match &item.kind {
            ExprKind::Literal(literal) => equal(&literal_value(literal), needle),
            _ => false,
        });
        Ok(Some(Value::Bool(found != negated)))
    }

    /// Whether [`Frame::value_in_place`] or [`Frame::made_value`] can read
    /// `expr` (never in the three-valued reading).
    fn in_place(&self, expr: &ir::Expr) -> bool {
        if self.three.is_some() {
            return false;
        }
        match &expr.kind {
            ExprKind::Literal(_)
            | ExprKind::Fact(_)
            | ExprKind::Let(_)
            | ExprKind::Signal(_)
            | ExprKind::Verdict(_) => true,
            ExprKind::Field(base, _) => matches!(base.kind, ExprKind::Item(_)),
            _ => false,
        }
    }

    /// The value of a fact, a (computed) let or a field of `it`, where it
    /// is; what [`Frame::eval`] would return a copy of (`None`: an unknown
    /// with no blame).
    fn value_in_place(&self, expr: &ir::Expr) -> Option<&Value> {
        match &expr.kind {
            ExprKind::Fact(id) => self.facts.get(*id as usize),
            ExprKind::Let(id) => self.lets.get(*id as usize),
            ExprKind::Field(base, index) => {
                let ExprKind::Item(depth) = base.kind else {
                    return None;
                };
                match self.current_item(depth) {
                    Some(Value::Record(fields)) => fields.get(*index as usize),
                    Some(unknown @ Value::Unknown(_)) => Some(unknown),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn eval(&mut self, expr: &ir::Expr) -> Result<Value, EvalError> {
        self.steps += 1;
        if self.steps > MAX_EVAL_STEPS {
            return Err(EvalError {
                message: format!(
                    "evaluating this deal took more than {MAX_EVAL_STEPS} steps (here); \
                     nested `where` over long lists multiply"
                ),
                location: expr.location,
            });
        }
        Ok(match &expr.kind {
            ExprKind::Literal(literal) => literal_value(literal),
            ExprKind::Fact(id) => self
                .facts
                .get(*id as usize)
                .cloned()
                .unwrap_or_else(Value::unknown),
            ExprKind::Let(id) => {
                if self.lazy.is_some() {
                    self.force_let(*id)?;
                }
                self.lets
                    .get(*id as usize)
                    .cloned()
                    .unwrap_or_else(Value::unknown)
            }
            ExprKind::Signal(id) => match self
                .three
                .as_ref()
                .and_then(|t| t.signals.get(*id as usize).cloned().flatten())
            {
                Some(blame) => Value::Unknown(blame),
                None => Value::Bool(self.fired.get(*id as usize).copied().unwrap_or(false)),
            },
            ExprKind::Verdict(id) => match self
                .three
                .as_ref()
                .and_then(|t| t.verdicts.get(*id as usize).cloned().flatten())
            {
                Some(blame) => Value::Unknown(blame),
                None => Value::Variant(self.verdicts.get(*id as usize).copied().unwrap_or(0)),
            },
            ExprKind::Score | ExprKind::GroupScore(_) if self.three.is_some() => {
                let group = match expr.kind {
                    ExprKind::GroupScore(g) => Some(g),
                    _ => None,
                };
                let (low, high, blame) = self.score_interval(group);
                if blame.is_empty() || low == high {
                    Value::Int(low)
                } else {
                    Value::Unknown(blame)
                }
            }
            ExprKind::Score => Value::Int(self.score(None)?),
            ExprKind::GroupScore(group) => Value::Int(self.score(Some(*group))?),
            ExprKind::Today => Value::Date(self.today),
            ExprKind::Item(depth) => self
                .current_item(*depth)
                .cloned()
                .unwrap_or_else(Value::unknown),
            ExprKind::Field(base, index) if matches!(base.kind, ExprKind::Item(_)) => {
                // `it.field` (and a bare `field` inside `where`): read the
                // field in place instead of copying the record first.
                let ExprKind::Item(depth) = base.kind else {
                    return Ok(Value::unknown());
                };
                match self.current_item(depth) {
                    Some(Value::Record(fields)) => fields
                        .get(*index as usize)
                        .cloned()
                        .unwrap_or_else(Value::unknown),
                    Some(unknown @ Value::Unknown(_)) => unknown.clone(),
                    _ => Value::unknown(),
                }
            }
            ExprKind::Field(base, index) => match self.eval(base)? {
                Value::Record(fields) => fields
                    .get(*index as usize)
                    .cloned()
                    .unwrap_or_else(Value::unknown),
                unknown @ Value::Unknown(_) => unknown,
                _ => Value::unknown(),
            },
            ExprKind::MapField(base, index) => match self.eval(base)? {
                Value::List(items) => Value::List(
                    items
                        .iter()
                        .filter_map(|item| match item {
                            Value::Record(fields) => fields
                                .get(*index as usize)
                                .filter(|v| !v.is_unknown())
                                .cloned(),
                            _ => None,
                        })
                        .collect::<Vec<_>>()
                        .into(),
                ),
                other => other,
            },
            ExprKind::Not(inner) => match self.eval(inner)? {
                Value::Bool(b) => Value::Bool(!b),
                other => other,
            },
            ExprKind::Neg(inner) => match self.eval(inner)? {
                Value::Int(i) => Value::Int(i.checked_neg().ok_or_else(|| overflow(expr))?),
                Value::Number(n) => Value::Number(-n),
                other => other,
            },
            ExprKind::And(a, b) => {
                let left = self.eval(a)?;
                if left == Value::Bool(false) {
                    return Ok(left);
                }
                let right = self.eval(b)?;
                match (left, right) {
                    (_, Value::Bool(false)) => Value::Bool(false),
                    (Value::Bool(true), Value::Bool(true)) => Value::Bool(true),
                    (l, r) => unknown_of(&[&l, &r]),
                }
            }
            ExprKind::Or(a, b) => {
                let left = self.eval(a)?;
                if left == Value::Bool(true) {
                    return Ok(left);
                }
                let right = self.eval(b)?;
                match (left, right) {
                    (_, Value::Bool(true)) => Value::Bool(true),
                    (Value::Bool(false), Value::Bool(false)) => Value::Bool(false),
                    (l, r) => unknown_of(&[&l, &r]),
                }
            }
            ExprKind::Compare(op, a, b) => {
                if self.three.is_some() {
                    if let Some(value) = self.compare_score_interval(*op, a, b)? {
                        return Ok(value);
                    }
                    if let Some(value) = self.compare_verdict_arms(*op, a, b) {
                        return Ok(value);
                    }
                }
                if self.lazy.is_some() {
                    if let Some(value) = self.compare_in_place(*op, a, b)? {
                        return Ok(value);
                    }
                }
                let (left, right) = (self.eval(a)?, self.eval(b)?);
                if left.is_unknown() || right.is_unknown() {
                    return Ok(unknown_of(&[&left, &right]));
                }
                Value::Bool(compare_known(*op, &left, &right))
            }
            ExprKind::Arith(op, a, b) => {
                let (left, right) = (self.eval(a)?, self.eval(b)?);
                if left.is_unknown() || right.is_unknown() {
                    return Ok(unknown_of(&[&left, &right]));
                }
                let value = arith(*op, &left, &right, expr)?;
                if let Value::Text(text) = &value {
                    self.charge(text.len(), expr.location)?;
                }
                value
            }
            ExprKind::In {
                value,
                list,
                negated,
            } => {
                if let ExprKind::List(items) = &list.kind {
                    if self.lazy.is_some() {
                        if let Some(result) = self.in_place_list(value, items, *negated)? {
                            return Ok(result);
                        }
                    }
                    // `x in [a, b]`: compare item by item rather than
                    // building the list, as the common case of `in`.
                    return self.in_literal(value, items, *negated);
                }
                let (needle, haystack) = (self.eval(value)?, self.eval(list)?);
                match (&needle, &haystack) {
                    (Value::Unknown(_), _) | (_, Value::Unknown(_)) => {
                        unknown_of(&[&needle, &haystack])
                    }
                    (_, Value::List(items)) => {
                        Value::Bool(items.iter().any(|item| equal(item, &needle)) != *negated)
                    }
                    _ => Value::unknown(),
                }
            }
            ExprKind::Coalesce(a, b) => match self.eval(a)? {
                // Three-valued: if the left side is unknown only for want of
                // facts, every completion knows it, so `b` is never used.
                Value::Unknown(blame) if self.is_open(&blame) => Value::Unknown(blame),
                Value::Unknown(_) => self.eval(b)?,
                known => known,
            },
            ExprKind::Filter { list, cond, mode } => {
                let items = match self.eval(list)? {
                    Value::List(items) => items,
                    other => return Ok(other),
                };
                let mut kept = Vec::new();
                let mut blame: Option<Blame> = None;
                let mut decided = None;
                self.items.push((items.clone(), 0));
                for (position, item) in items.iter().enumerate() {
                    if let Some(current) = self.items.last_mut() {
                        current.1 = position;
                    }
                    let result = self.eval(cond);
                    let result = match result {
                        Ok(value) => value,
                        Err(error) => {
                            self.items.pop();
                            return Err(error);
                        }
                    };
                    match result {
                        Value::Bool(true) => match mode {
                            FilterMode::Where => kept.push(item.clone()),
                            FilterMode::Any => {
                                decided = Some(true);
                                break;
                            }
                            FilterMode::All => {}
                        },
                        Value::Bool(false) if *mode == FilterMode::All => {
                            decided = Some(false);
                            break;
                        }
                        Value::Unknown(b) => blame.get_or_insert_with(Blame::default).union(&b),
                        _ => {}
                    }
                }
                self.items.pop();
                match mode {
                    FilterMode::Where => Value::List(kept.into()),
                    _ => match (decided, blame) {
                        (Some(b), _) => Value::Bool(b),
                        (None, Some(blame)) => Value::Unknown(blame),
                        (None, None) => Value::Bool(*mode == FilterMode::All),
                    },
                }
            }
            ExprKind::List(items) => {
                let mut values = Vec::with_capacity(items.len());
                let mut blame: Option<Blame> = None;
                for item in items {
                    match self.eval(item)? {
                        Value::Unknown(b) => blame.get_or_insert_with(Blame::default).union(&b),
                        value => values.push(value),
                    }
                }
                match blame {
                    Some(blame) => Value::Unknown(blame),
                    None => Value::List(values.into()),
                }
            }
            ExprKind::Text(template) => Value::Text(self.render(template, expr.location)?.into()),
            ExprKind::Call(Builtin::Count, args) if self.lazy.is_some() => {
                if let [ir::Expr {
                    kind:
                        ExprKind::Filter {
                            list,
                            cond,
                            mode: FilterMode::Where,
                        },
                    ..
                }] = args.as_slice()
                {
                    return self.count_where(list, cond);
                }
                let mut values: smallvec::SmallVec<[Value; 2]> = smallvec::SmallVec::new();
                for arg in args {
                    values.push(self.eval(arg)?);
                }
                self.call(Builtin::Count, &values, args, expr)?
            }
            ExprKind::Call(builtin, args) => {
                // Built-ins take one or two arguments: no allocation.
                let mut values: smallvec::SmallVec<[Value; 2]> = smallvec::SmallVec::new();
                for arg in args {
                    values.push(self.eval(arg)?);
                }
                self.call(*builtin, &values, args, expr)?
            }
        })
    }

    /// In the three-valued reading, whether an unknown value is blamed on a
    /// fact the deal leaves open (so a completion may know it).
    fn is_open(&self, blame: &Blame) -> bool {
        self.three
            .as_ref()
            .is_some_and(|t| t.open.intersects(blame))
    }

    /// The item `depth` `where` levels out (0 = innermost).
    fn current_item(&self, depth: u32) -> Option<&Value> {
        let level = self.items.len().checked_sub(1 + depth as usize)?;
        let (list, position) = self.items.get(level)?;
        list.get(*position)
    }

    /// `value in [items…]`, with the meaning of building the list first:
    /// unknown when the value or any item is unknown.
    fn in_literal(
        &mut self,
        value: &ir::Expr,
        items: &[ir::Expr],
        negated: bool,
    ) -> Result<Value, EvalError> {
        let needle = self.eval(value)?;
        let mut blame: Option<Blame> = match &needle {
            Value::Unknown(b) => Some(b.clone()),
            _ => None,
        };
        let mut found = false;
        for item in items {
            match self.eval(item)? {
                Value::Unknown(b) => blame.get_or_insert_with(Blame::default).union(&b),
                candidate => found = found || (blame.is_none() && equal(&candidate, &needle)),
            }
        }
        Ok(match blame {
            Some(blame) => Value::Unknown(blame),
            None => Value::Bool(found != negated),
        })
    }

    fn call(
        &mut self,
        builtin: Builtin,
        values: &[Value],
        args: &[ir::Expr],
        expr: &ir::Expr,
    ) -> Result<Value, EvalError> {
        if builtin == Builtin::Decided {
            let Some(ExprKind::Signal(id)) = args.first().map(|a| &a.kind) else {
                return Ok(Value::unknown());
            };
            let open = self
                .three
                .as_ref()
                .and_then(|t| t.signals.get(*id as usize).cloned().flatten());
            return Ok(match open {
                // Three-valued: any completion of the open facts decides it.
                Some(blame) if self.is_open(&blame) => Value::Unknown(blame),
                Some(_) => Value::Bool(false),
                None => Value::Bool(!self.undecided.get(*id as usize).copied().unwrap_or(false)),
            });
        }
        if builtin == Builtin::Known {
            if let Some(Value::Unknown(blame)) = values.first() {
                if self.is_open(blame) {
                    return Ok(Value::Unknown(blame.clone()));
                }
            }
            return Ok(Value::Bool(!values.first().is_none_or(Value::is_unknown)));
        }
        if values.iter().any(Value::is_unknown) {
            let mut blame = Blame::default();
            for value in values {
                if let Value::Unknown(b) = value {
                    blame.union(b);
                }
            }
            return Ok(Value::Unknown(blame));
        }
        let first = values.first();
        let items: &[Value] = match first {
            Some(Value::List(items)) => items,
            _ => &[],
        };
        // An empty list makes first/last/min/max unknown; the facts the list
        // was computed from are what would need finding out.
        let empty_blame = || Value::Unknown(static_blame(self.program, args.first()));
        Ok(match builtin {
            Builtin::Count | Builtin::LenList => Value::Int(items.len() as i64),
            Builtin::AnyBool => Value::Bool(items.iter().any(|v| *v == Value::Bool(true))),
            Builtin::AllBool => Value::Bool(items.iter().all(|v| *v == Value::Bool(true))),
            Builtin::First => items.first().cloned().unwrap_or_else(empty_blame),
            Builtin::Last => items.last().cloned().unwrap_or_else(empty_blame),
            Builtin::Min | Builtin::Max => {
                let mut best: Option<&Value> = None;
                for item in items.iter() {
                    best = match best {
                        None => Some(item),
                        Some(current) => {
                            let ordering = compare(item, current).unwrap_or(Ordering::Equal);
                            let better = if builtin == Builtin::Min {
                                ordering == Ordering::Less
                            } else {
                                ordering == Ordering::Greater
                            };
                            Some(if better { item } else { current })
                        }
                    };
                }
                best.cloned().unwrap_or_else(empty_blame)
            }
            Builtin::Sum => {
                let mut total = Value::Int(0);
                for item in items.iter() {
                    total = arith(ArithOp::Add, &total, item, expr)?;
                }
                if matches!(expr.ty.ty, Type::Number) {
                    if let Value::Int(i) = total {
                        total = Value::Number(Decimal::from(i));
                    }
                }
                total
            }
            Builtin::DaysSince | Builtin::DaysUntil => match first {
                Some(Value::Date(date)) => {
                    let days = i64::from(self.today.days()) - i64::from(date.days());
                    Value::Int(if builtin == Builtin::DaysSince {
                        days
                    } else {
                        -days
                    })
                }
                _ => Value::unknown(),
            },
            Builtin::LenText => match first {
                Some(Value::Text(text)) => Value::Int(text.chars().count() as i64),
                _ => Value::unknown(),
            },
            Builtin::ContainsText => match (first, values.get(1)) {
                (Some(Value::Text(text)), Some(Value::Text(part))) => {
                    Value::Bool(text.contains(part.as_ref()))
                }
                _ => Value::unknown(),
            },
            Builtin::ContainsItem => match values.get(1) {
                Some(needle) => Value::Bool(items.iter().any(|item| equal(item, needle))),
                None => Value::unknown(),
            },
            Builtin::Known | Builtin::Decided => Value::Bool(true),
            Builtin::Round => {
                let digits = match values.get(1) {
                    Some(Value::Int(d)) => u32::try_from(*d).unwrap_or(0),
                    _ => 0,
                };
                let number = match first {
                    Some(Value::Number(n)) => *n,
                    Some(Value::Int(i)) => rust_decimal::Decimal::from(*i),
                    _ => return Ok(Value::unknown()),
                };
                Value::Number(number.round_dp_with_strategy(
                    digits,
                    rust_decimal::RoundingStrategy::MidpointAwayFromZero,
                ))
            }
        })
    }
}

/// The facts an expression's list is computed from (through lets), as blame.
fn static_blame(program: &Program, expr: Option<&ir::Expr>) -> Blame {
    let mut blame = Blame::default();
    let mut stack: Vec<&ir::Expr> = expr.into_iter().collect();
    let mut seen_lets = Vec::new();
    while let Some(expr) = stack.pop() {
        match &expr.kind {
            ExprKind::Fact(id) => blame.insert(*id),
            ExprKind::Let(id) if !seen_lets.contains(id) => {
                seen_lets.push(*id);
                if let Some(info) = program.lets.get(*id as usize) {
                    stack.push(&info.value);
                }
            }
            ExprKind::Field(inner, _)
            | ExprKind::MapField(inner, _)
            | ExprKind::Not(inner)
            | ExprKind::Neg(inner) => stack.push(inner),
            ExprKind::Filter { list, .. } => stack.push(list),
            ExprKind::Call(_, args) | ExprKind::List(args) => stack.extend(args.iter()),
            _ => {}
        }
    }
    blame
}

fn unknown_of(values: &[&Value]) -> Value {
    let mut blame = Blame::default();
    for value in values {
        if let Value::Unknown(b) = value {
            blame.union(b);
        }
    }
    Value::Unknown(blame)
}

/// Most expression steps one deal's evaluation may take. Every rule is
/// evaluated once, but `where` inside `where` over long lists multiplies
/// (100,000 × 100,000 …); this bound keeps one deal to a few seconds at most.
pub const MAX_EVAL_STEPS: u64 = 50_000_000;

/// Most bytes of messages, advice and joined texts one deal's evaluation
/// may build (the checker estimates the playbook's share of it statically).
pub use augur_check::budget::MAX_DEAL_OUTPUT_BYTES;

/// Longest text a calculation may build, in bytes. Without it, a few `let`s
/// that each join a text to itself would double it into gigabytes.
pub const MAX_TEXT_BYTES: usize = 1024 * 1024;

fn check_text_len(bytes: usize, expr: &ir::Expr) -> Result<(), EvalError> {
    if bytes > MAX_TEXT_BYTES {
        return Err(EvalError {
            message: format!(
                "this text would be {bytes} bytes long; texts may be at most {MAX_TEXT_BYTES} bytes"
            ),
            location: expr.location,
        });
    }
    Ok(())
}

fn arith(op: ArithOp, left: &Value, right: &Value, expr: &ir::Expr) -> Result<Value, EvalError> {
    Ok(match (left, right) {
        (Value::Int(a), Value::Int(b)) if op != ArithOp::Div => Value::Int(
            match op {
                ArithOp::Add => a.checked_add(*b),
                ArithOp::Sub => a.checked_sub(*b),
                _ => a.checked_mul(*b),
            }
            .ok_or_else(|| overflow(expr))?,
        ),
        (Value::Date(a), Value::Date(b)) => Value::Int(i64::from(a.days()) - i64::from(b.days())),
        (Value::Date(a), Value::Int(days)) => {
            let days = if op == ArithOp::Sub {
                days.checked_neg()
            } else {
                Some(*days)
            };
            let moved = days
                .and_then(|d| i32::try_from(d).ok())
                .and_then(|d| a.days().checked_add(d));
            match moved
                .map(Date::from_days)
                .filter(|d| (0..=9999).contains(&d.ymd().0))
            {
                Some(date) => Value::Date(date),
                None => {
                    return Err(EvalError {
                        message: "this date falls outside the years 0–9999".into(),
                        location: expr.location,
                    })
                }
            }
        }
        (Value::Text(a), Value::Text(b)) => {
            check_text_len(a.len() + b.len(), expr)?;
            Value::Text(format!("{a}{b}").into())
        }
        _ => {
            let (Some(a), Some(b)) = (as_decimal(left), as_decimal(right)) else {
                return Ok(Value::unknown());
            };
            let result = match op {
                ArithOp::Add => a.checked_add(b),
                ArithOp::Sub => a.checked_sub(b),
                ArithOp::Mul => a.checked_mul(b),
                ArithOp::Div => {
                    if b.is_zero() {
                        // Division by zero has no answer: unknown, by design.
                        return Ok(Value::unknown());
                    }
                    a.checked_div(b)
                }
            };
            Value::Number(result.ok_or_else(|| overflow(expr))?.normalize())
        }
    })
}

/// Whether two sentences of an advice are joined with a space: yes between
/// words of scripts that use spaces, no where either side is Chinese or
/// Japanese ("担忧。别相信", not "担忧。 别相信").
pub(crate) fn needs_space_between(before: &str, after: &str) -> bool {
    let (Some(last), Some(first)) = (before.chars().next_back(), after.chars().next()) else {
        return false;
    };
    !(is_wide_script(last) || is_wide_script(first))
}

/// Han ideographs, CJK punctuation, kana and full-width forms: scripts
/// written without spaces between sentences.
fn is_wide_script(c: char) -> bool {
    matches!(
        u32::from(c),
        0x3000..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF
    )
}
