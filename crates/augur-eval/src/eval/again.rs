//! Evaluating a deal again after a few of its facts changed (or were left
//! open), re-running only the steps that can read them.
//!
//! Guidance evaluates the same deal dozens of times, each time with one to
//! three facts changed: the why-not search tries each change set. Most rules
//! read none of those facts, so their results are the ones the first
//! evaluation found. [`evaluate_kept`] keeps everything a run of the steps
//! leaves in the frame; [`evaluate_kept_again`] starts from it and runs only
//! the steps the caller marks.
//!
//! Which steps to mark is the caller's knowledge, not this module's: a step
//! must be run again when a fact its rule can read, through lets, signals,
//! groups, the score and verdicts, changed its value or whether it is open
//! (`augur-guide` works that out from its dependency cones). Every other
//! step then gives the same result as in the kept run, so the frame after
//! the marked steps is the frame a whole evaluation would leave.
//!
//! Errors and limits: a step not run again did not fail in the kept run, so
//! it cannot fail now. The counters of steps and built text start from the
//! kept run's totals, more than a whole evaluation would have spent before
//! the marked steps; when the run fails in any way (a limit reached, an
//! overflow), the deal is evaluated again whole and that evaluation decides.
//! So the result, errors included, is always the whole evaluation's.

use super::*;

/// What one run of a deal's steps left: each let, signal, group and verdict,
/// the three-valued state when it was three-valued, the step and text
/// counters, and the values of the probes asked for.
#[derive(Clone, Debug)]
pub struct Kept {
    lets: Vec<Value>,
    fired: Vec<bool>,
    undecided: Vec<bool>,
    group_unknown: Vec<bool>,
    group_active: Vec<bool>,
    verdicts: Vec<u32>,
    three: Option<Box<ThreeState>>,
    steps: u64,
    output_bytes: usize,
    /// The value of each probe after the steps (unknown where it could not
    /// be evaluated), as [`evaluate_fired`] has them.
    pub probes: Vec<Value>,
}

impl Kept {
    /// The chosen arm of each verdict, as [`evaluate`] chooses it.
    pub fn verdicts(&self) -> &[u32] {
        &self.verdicts
    }

    /// In a three-valued run, each arm's condition of each verdict (`None`:
    /// undecided), as [`Partial::arms`]; empty in an as-recorded run.
    pub fn arms(&self) -> &[Vec<Option<bool>>] {
        self.three.as_ref().map_or(&[][..], |t| t.arms.as_slice())
    }

    /// The verdicts, fired signals, groups that held and probes, as
    /// [`evaluate_fired`] returns them.
    pub fn fired(&self) -> Fired {
        Fired {
            verdicts: self.verdicts.clone(),
            fired: self.fired.clone(),
            group_active: self.group_active.clone(),
            probes: self.probes.clone(),
        }
    }
}

/// Runs every step of `deal` and keeps what they leave. With `open`, the
/// run is three-valued as in [`evaluate_three_valued_open`] (the `arms` are
/// the same); without, it is the as-recorded run of [`evaluate_fired`]
/// (the same verdicts, signals, groups and probes).
pub fn evaluate_kept(
    program: &Program,
    deal: &Deal,
    today: Date,
    open: Option<&Blame>,
    probes: &[&ir::Expr],
) -> Result<Kept, EvalError> {
    augur_syntax::with_stack(|| {
        let mut frame = Frame::new(program, deal, today);
        if let Some(open) = open {
            frame.three = Some(Box::new(ThreeState::new(program, open.clone())));
        }
        frame.run_steps_where(None)?;
        Ok(frame.keep(probes))
    })
}

/// [`evaluate_kept`] of `deal`, a variant of the deal `base` was kept
/// from, running again only the steps `rerun` marks (one flag per step of
/// `program.order`; a missing flag runs its step). `open` must be given
/// exactly when it was given for `base`. The result is [`evaluate_kept`]'s
/// whenever every step that can read a fact changed since `base` (or opened
/// or closed) is marked; see the module's documentation.
pub fn evaluate_kept_again(
    program: &Program,
    base: &Kept,
    deal: &Deal,
    today: Date,
    open: Option<&Blame>,
    rerun: &[bool],
    probes: &[&ir::Expr],
) -> Result<Kept, EvalError> {
    if open.is_some() != base.three.is_some() {
        return evaluate_kept(program, deal, today, open, probes);
    }
    let again: Result<Kept, EvalError> = augur_syntax::with_stack(|| {
        let mut frame = Frame::new(program, deal, today);
        frame.lets.clone_from(&base.lets);
        frame.fired.clone_from(&base.fired);
        frame.undecided.clone_from(&base.undecided);
        frame.group_unknown.clone_from(&base.group_unknown);
        frame.group_active.clone_from(&base.group_active);
        frame.verdicts.clone_from(&base.verdicts);
        frame.steps = base.steps;
        frame.output_bytes = base.output_bytes;
        if let (Some(open), Some(kept)) = (open, &base.three) {
            let mut three = kept.clone();
            three.open = open.clone();
            frame.three = Some(three);
        }
        frame.run_steps_where(Some(rerun))?;
        Ok(frame.keep(probes))
    });
    match again {
        Ok(kept) => Ok(kept),
        Err(_) => evaluate_kept(program, deal, today, open, probes),
    }
}

impl ThreeState {
    pub(super) fn new(program: &Program, open: Blame) -> Self {
        ThreeState {
            open,
            groups: vec![None; program.groups.len()],
            signals: vec![None; program.signals.len()],
            verdicts: vec![None; program.verdicts.len()],
            arms: program
                .verdicts
                .iter()
                .map(|v| vec![Some(false); v.arms.len()])
                .collect(),
        }
    }
}

impl Frame<'_> {
    fn keep(mut self, probes: &[&ir::Expr]) -> Kept {
        // A probe that cannot be evaluated (an overflow inside it) reads as
        // unknown, as in `evaluate_fired`.
        let probes = probes
            .iter()
            .map(|probe| self.eval(probe).unwrap_or_else(|_| Value::unknown()))
            .collect();
        Kept {
            lets: self.lets,
            fired: self.fired,
            undecided: self.undecided,
            group_unknown: self.group_unknown,
            group_active: self.group_active,
            verdicts: self.verdicts,
            three: self.three,
            steps: self.steps,
            output_bytes: self.output_bytes,
            probes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAYBOOK: &str = "facts { n: int?, ok: bool? }\n\
         let square = n * n\n\
         signal big { when square > 100 weight 2 }\n\
         signal fine { when ok weight 1 }\n\
         verdict v { high when score >= 3  some when score > 0  none otherwise }\n";

    fn setup() -> (augur_check::Analysis, Date) {
        let analysis = augur_check::analyze_text(PLAYBOOK);
        assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
        (analysis, Date::parse("2026-11-20").unwrap())
    }

    fn deal(program: &Program, json: serde_json::Value) -> Deal {
        crate::decode_deal(program, &json).unwrap()
    }

    #[test]
    fn an_error_in_a_step_run_again_is_the_whole_evaluations_error() {
        let (analysis, today) = setup();
        let program = &analysis.program;
        let base = evaluate_kept(
            program,
            &deal(program, serde_json::json!({"n": 3, "ok": true})),
            today,
            None,
            &[],
        )
        .unwrap();
        let overflowing = deal(program, serde_json::json!({"n": i64::MAX, "ok": true}));
        let whole = evaluate_kept(program, &overflowing, today, None, &[]).unwrap_err();
        let rerun = vec![true; program.order.len()];
        let again = evaluate_kept_again(program, &base, &overflowing, today, None, &rerun, &[])
            .unwrap_err();
        assert_eq!(whole, again);
        assert!(whole.message.contains("too large"), "{}", whole.message);
    }

    #[test]
    fn steps_not_marked_keep_what_the_kept_run_found() {
        let (analysis, today) = setup();
        let program = &analysis.program;
        let base = evaluate_kept(
            program,
            &deal(program, serde_json::json!({"n": 30, "ok": true})),
            today,
            None,
            &[],
        )
        .unwrap();
        assert_eq!(base.verdicts(), [0]);
        // `n` changed but nothing is marked: the kept results stand, which
        // is why the caller must mark every step that reads a changed fact.
        let small = deal(program, serde_json::json!({"n": 1, "ok": true}));
        let nothing = vec![false; program.order.len()];
        let stale = evaluate_kept_again(program, &base, &small, today, None, &nothing, &[]);
        assert_eq!(stale.unwrap().verdicts(), [0]);
        let all = vec![true; program.order.len()];
        let fresh = evaluate_kept_again(program, &base, &small, today, None, &all, &[]);
        assert_eq!(fresh.unwrap().verdicts(), [1]);
    }

    #[test]
    fn a_kept_run_of_the_other_reading_is_not_started_from() {
        let (analysis, today) = setup();
        let program = &analysis.program;
        let recorded = deal(program, serde_json::json!({"n": 30}));
        let as_recorded = evaluate_kept(program, &recorded, today, None, &[]).unwrap();
        // Three-valued with `ok` open, started from an as-recorded run and
        // marking nothing: evaluated whole instead, so `high` is possible.
        let mut open = Blame::default();
        open.insert(1);
        let nothing = vec![false; program.order.len()];
        let three = evaluate_kept_again(
            program,
            &as_recorded,
            &recorded,
            today,
            Some(&open),
            &nothing,
            &[],
        )
        .unwrap();
        let whole = evaluate_kept(program, &recorded, today, Some(&open), &[]).unwrap();
        assert_eq!(three.arms(), whole.arms());
        assert_eq!(three.arms(), [vec![None, Some(true), Some(false)]]);
    }
}
