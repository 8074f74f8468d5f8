//! Evaluating a checked program against one decoded deal.
//!
//! Rules run in the checker's dependency order (`Program::order`), so a rule
//! never waits on another and nothing recurses across rules. Unknown values
//! carry the facts that made them unknown; and/or/not follow Kleene logic.
//!
//! The entry points, the frame and the rule order are here; `expr.rs` walks
//! expressions, `builtins.rs` evaluates the built-in functions, `text.rs`
//! renders messages and charges the output budget, `three_valued.rs` is the
//! reading guidance needs, and `in_place.rs` holds the fast path's shortcuts.

use crate::deal::Deal;
use crate::value::{Blame, Value};
use augur_check::ir::{
    self, ArithOp, Builtin, CompareOp, ExprKind, FilterMode, Literal, Program, Step, Type,
};
use augur_syntax::Date;
use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::sync::Arc;

mod again;
mod builtins;
pub(crate) mod compiled;
mod expr;
mod in_place;
mod text;
mod three_valued;
pub use again::{evaluate_kept, evaluate_kept_again, Kept};
pub use three_valued::compare_interval;

use expr::*;
use text::check_text_len;
pub(crate) use text::needs_space_between;

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
    /// On the fast path, the playbook's compiled rules ([`compiled`]), when
    /// it has them.
    code: Option<&'a compiled::Code<'a>>,
    /// With compiled rules whose scores cannot overflow, the score and each
    /// group's score so far, added up as signals fire.
    score_total: i64,
    group_totals: Vec<i64>,
}

/// What the three-valued reading keeps beside the as-recorded frame: which
/// groups, signals and verdicts are undecided, and why.
#[derive(Clone, Debug)]
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

/// The as-recorded evaluation's verdicts with which signals fired and which
/// groups held: what `augur-guide` needs to bound how far changing a few
/// facts can move the score (see [`evaluate_fired`]).
#[derive(Clone, Debug, Default)]
pub struct Fired {
    /// The chosen arm of each verdict, as [`evaluate`] chooses it.
    pub verdicts: Vec<u32>,
    /// Whether each signal fired (a signal of a group that did not hold
    /// never fires).
    pub fired: Vec<bool>,
    /// Whether each group's condition held.
    pub group_active: Vec<bool>,
    /// The value of each probe, every rule's result in scope (unknown where
    /// it could not be evaluated).
    pub probes: Vec<Value>,
}

/// [`evaluate_verdicts`] that also returns which signals fired, which
/// groups held and the value of each probe, as [`evaluate_with_probes`]
/// gives them (unknown for a probe whose evaluation fails; no messages or
/// advice are rendered).
pub fn evaluate_fired(
    program: &Program,
    deal: &Deal,
    today: Date,
    probes: &[&ir::Expr],
) -> Result<Fired, EvalError> {
    augur_syntax::with_stack(|| {
        let mut frame = Frame::new(program, deal, today);
        frame.run_steps()?;
        // A probe that cannot be evaluated (an overflow inside it) reads as
        // unknown: the verdicts above are what `evaluate` gives either way.
        let values = probes
            .iter()
            .map(|probe| frame.eval(probe).unwrap_or_else(|_| Value::unknown()))
            .collect();
        Ok(Fired {
            verdicts: frame.verdicts,
            fired: frame.fired,
            group_active: frame.group_active,
            probes: values,
        })
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
    frame.three = Some(Box::new(ThreeState::new(program, open)));
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
pub(crate) fn evaluate_lazy<'a>(
    program: &'a Program,
    lazy: &'a [bool],
    code: Option<&'a compiled::Code<'a>>,
    deal: &'a Deal,
    today: Date,
    scratch: &mut crate::fast::Scratch,
    outcome: &mut Outcome,
) -> (Result<(), EvalError>, u64) {
    let mut frame = Frame::new_in(program, deal, today, scratch, lazy, code);
    let result = frame.fill(scratch, outcome);
    let steps = frame.steps;
    frame.give_back(scratch);
    (result, steps)
}

/// The steps [`Frame::run_steps`] counts on `deal`, on the reference path
/// (`lazy: None`) or the fast one: for tests that the fast path's in-place
/// shortcuts count what the reference counts.
#[cfg(test)]
pub(crate) fn steps_of_run<'a>(
    program: &'a Program,
    deal: &'a Deal,
    today: Date,
    lazy: Option<&'a [bool]>,
    code: Option<&'a compiled::Code<'a>>,
) -> u64 {
    let mut frame = Frame::new(program, deal, today);
    frame.lazy = lazy;
    frame.code = code;
    frame.let_ready = vec![false; program.lets.len()];
    let _ = match code {
        Some(code) => frame.run_steps_compiled(code),
        None => frame.run_steps(),
    };
    frame.steps
}

impl<'a> Frame<'a> {
    /// A frame for the fast path ([`crate::fast`]) with the buffers of
    /// `scratch`. Built as one value in its caller's place: the frame is
    /// too big to build empty and then move.
    fn new_in(
        program: &'a Program,
        deal: &'a Deal,
        today: Date,
        scratch: &mut crate::fast::Scratch,
        lazy: &'a [bool],
        code: Option<&'a compiled::Code<'a>>,
    ) -> Self {
        fn reset<T: Clone>(buffer: &mut Vec<T>, len: usize, value: T) -> Vec<T> {
            let mut buffer = std::mem::take(buffer);
            buffer.clear();
            buffer.resize(len, value);
            buffer
        }
        let (lets, signals, groups) = (
            program.lets.len(),
            program.signals.len(),
            program.groups.len(),
        );
        let mut items = std::mem::take(&mut scratch.items);
        items.clear();
        Frame {
            program,
            facts: &deal.facts,
            today,
            lets: reset(&mut scratch.lets, lets, Value::unknown()),
            fired: reset(&mut scratch.fired, signals, false),
            undecided: reset(&mut scratch.undecided, signals, false),
            group_unknown: reset(&mut scratch.group_unknown, groups, false),
            last_unknown: false,
            group_active: reset(&mut scratch.group_active, groups, false),
            verdicts: reset(&mut scratch.verdicts, program.verdicts.len(), 0),
            items,
            relevant: Blame::default(),
            steps: 0,
            output_bytes: 0,
            three: None,
            lazy: Some(lazy),
            let_ready: reset(&mut scratch.let_ready, lets, false),
            code,
            score_total: 0,
            group_totals: reset(&mut scratch.group_totals, groups, 0),
        }
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
        scratch.group_totals = self.group_totals;
    }

    /// What [`evaluate_on_this_stack`] does without probes, in the same
    /// order (so the same error comes first), into `outcome`'s buffers.
    fn fill(
        &mut self,
        scratch: &mut crate::fast::Scratch,
        outcome: &mut Outcome,
    ) -> Result<(), EvalError> {
        let program = self.program;
        for message in outcome.messages.iter_mut() {
            if let Some(message) = message.take() {
                scratch.strings.push(message);
            }
        }
        outcome.messages.clear();
        for (_, text) in outcome.advice.drain(..) {
            scratch.strings.push(text);
        }
        outcome.groups.clear();
        outcome.unknown.clear();
        outcome.lets.clear();
        match self.code {
            Some(code) => self.run_steps_compiled(code)?,
            None => self.run_steps()?,
        }
        let mut part = std::mem::take(&mut scratch.part);
        for (id, item) in program.advice.iter().enumerate() {
            let holds = match self.code {
                Some(code) => {
                    let run = code.advice.get(id).copied().flatten();
                    self.test(code, run, &item.when)
                }
                None => self.condition(&item.when),
            };
            if holds? {
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
        outcome.score = self.fast_score(None)?;
        for (id, active) in self.group_active.iter().enumerate() {
            if *active {
                outcome
                    .groups
                    .push((id as u32, self.fast_score(Some(id as u32))?));
            }
        }
        outcome.unknown.extend(self.relevant.facts());
        std::mem::swap(&mut outcome.verdicts, &mut self.verdicts);
        std::mem::swap(&mut outcome.fired, &mut self.fired);
        Ok(())
    }

    /// A frame for the reference path, with buffers of its own.
    fn new(program: &'a Program, deal: &'a Deal, today: Date) -> Self {
        Frame {
            program,
            facts: &deal.facts,
            today,
            lets: vec![Value::unknown(); program.lets.len()],
            fired: vec![false; program.signals.len()],
            undecided: vec![false; program.signals.len()],
            group_unknown: vec![false; program.groups.len()],
            last_unknown: false,
            group_active: vec![false; program.groups.len()],
            verdicts: vec![0; program.verdicts.len()],
            items: Vec::new(),
            relevant: Blame::default(),
            steps: 0,
            output_bytes: 0,
            three: None,
            lazy: None,
            let_ready: Vec::new(),
            code: None,
            score_total: 0,
            group_totals: vec![0; program.groups.len()],
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
        let value = stacker::maybe_grow(64 * 1024, 2 * 1024 * 1024, || match self.code {
            Some(code) => {
                let run = code.lets.get(id as usize).copied().flatten();
                self.value_of(code, run, &info.value)
            }
            None => self.eval(&info.value),
        })?;
        if let Some(slot) = self.lets.get_mut(id as usize) {
            *slot = value;
        }
        Ok(())
    }

    /// Runs every let, group, signal and verdict in the program's order.
    fn run_steps(&mut self) -> Result<(), EvalError> {
        self.run_steps_where(None)
    }

    /// Runs the lets, groups, signals and verdicts in the program's order;
    /// with `rerun`, only the steps it marks (see `again.rs`).
    fn run_steps_where(&mut self, rerun: Option<&[bool]>) -> Result<(), EvalError> {
        let program = self.program;
        for (index, step) in program.order.iter().enumerate() {
            if rerun.is_some_and(|marks| !marks.get(index).copied().unwrap_or(true)) {
                continue;
            }
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
                    // The arms after the one that holds are not evaluated:
                    // they count as not holding, whatever an earlier run
                    // of this step left (`again.rs`).
                    if let Some(arms) = self
                        .three
                        .as_mut()
                        .and_then(|t| t.arms.get_mut(id as usize))
                    {
                        arms.fill(Some(false));
                    }
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
