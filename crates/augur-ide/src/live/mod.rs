//! Live evaluation for the editor: a deal pinned to a playbook, evaluated
//! again after every edit, and what the editor shows of it — inlay hints
//! after signals, lets, verdict arms and advice; code lenses above tests and
//! the verdict; failing tests as diagnostics; and hover additions.
//!
//! Plain data: byte offsets and strings in, byte offsets and strings out.
//! It knows nothing of LSP, URIs or line/column positions (the server
//! converts and dispatches), and reads files only through the checker's
//! root-confined [`Loader`], so a pinned deal or a `given` file cannot leave
//! the playbook's folder. It does not decide *which* deal is pinned or keep
//! it across edits: the server holds a [`Pin`] per playbook.

use crate::{definition_of, source_of, text_of, Analysis};
use augur_check::ir::{self, ExprKind, FactId, Symbol};
use augur_check::{loader, Loader};
use augur_eval::{Deal, Outcome, Value};
use augur_syntax::{Code, Date, Diagnostic, FileId};
use std::fmt::Write;
use std::path::Path;

mod hints;
mod hover;
mod lenses;
pub use hints::*;
pub use hover::*;
pub use lenses::*;

/// What is pinned to a playbook.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Pin {
    /// A `test` block of the playbook, by name.
    Test(String),
    /// A deal file, by its root-relative path (inside the playbook's folder).
    Deal(String),
}

impl Pin {
    /// How the pin is named to the author: the test's name, or the file's.
    pub fn name(&self) -> &str {
        match self {
            Pin::Test(name) => name,
            Pin::Deal(path) => path.rsplit('/').next().unwrap_or(path),
        }
    }
}

/// Turns a deal path chosen by the author (absolute, or relative to the
/// playbook's folder `root`) into a root-relative path, refusing anything
/// outside that folder — the rule `given` files follow.
pub fn pin_path(root: &Path, written: &str) -> Result<String, String> {
    let written = written.trim();
    let path = Path::new(written);
    if path.is_absolute() {
        let inside = path.strip_prefix(root).map_err(|_| {
            format!(
                "`{written}` is outside the playbook's folder ({}); pin a deal file inside it",
                root.display()
            )
        })?;
        let relative: Vec<String> = inside
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        return loader::resolve_relative("playbook", &relative.join("/"));
    }
    loader::resolve_relative("playbook", written)
}

/// Why the pinned deal shows nothing, and where the problem is (if in the
/// playbook).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveError {
    pub message: String,
    pub location: Option<ir::Location>,
}

/// What the possible-verdicts analysis adds, when it is available: for
/// each verdict, which arms can still be chosen once the unknown facts are
/// found out, and how many unknown facts can change the verdict.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reach {
    /// Per verdict: per arm, whether it is still reachable.
    pub possible: Vec<Vec<bool>>,
    /// Per verdict: how many unknown facts can change it.
    pub deciding: Vec<usize>,
    /// Per verdict: per arm, the unknown facts that can lead to it.
    pub arm_facts: Vec<Vec<Vec<FactId>>>,
    /// Per verdict: the search was cut by its budget (`possible` may hold
    /// arms no completion reaches).
    pub approximate: Vec<bool>,
    /// Per advice: `false` when it is given only because something is
    /// undecided.
    pub advice_settled: Vec<bool>,
}

/// The rules of a playbook: signals, lets, verdict arms and advice.
pub fn rule_count(program: &augur_check::Program) -> usize {
    program.signals.len()
        + program.lets.len()
        + program.advice.len()
        + program.verdicts.iter().map(|v| v.arms.len()).sum::<usize>()
}

/// Above this many rules the editor does not search possible verdicts after
/// each edit (hints say chosen / not chosen): on the 5,000-line benchmark
/// playbook (775 rules) even a small search took about 100 ms per edit.
pub const GUIDE_MAX_RULES: usize = 300;

/// What the editor lets the possible-verdicts search spend after each edit.
/// A playbook of up to 100 rules (signals, lets, arms, advice) gets 4,000
/// three-valued evaluations, enough for the flagship playbook's deals to be
/// searched to the end; in a bigger one each evaluation costs more, so it
/// gets fewer (120,000 / rules, down to 400 at [`GUIDE_MAX_RULES`]).
/// A search cut short is reported as such, never as an exact answer.
pub fn editor_budget(program: &augur_check::Program) -> augur_guide::Budget {
    let rules = rule_count(program);
    let search = if rules <= 100 {
        4_000
    } else {
        (120_000 / rules as u64).clamp(32, 1_200)
    };
    augur_guide::Budget {
        search,
        changes: (search / 10).clamp(8, 400),
        change_size: 2,
    }
}

/// The possible-verdicts analysis of `augur-guide` for the pinned deal;
/// `None` when it cannot say (it fails where evaluation fails).
pub fn reach(analysis: &Analysis, deal: &Deal, today: Date) -> Option<Reach> {
    let program = &analysis.program;
    let mut guide = augur_guide::Guide::new(analysis);
    guide.budget = editor_budget(program);
    let guidance = guide.guide(deal, today).ok()?;
    // The budget spent: the decisive facts may be incomplete too.
    let cut = guidance.approximate || guidance.evaluations >= guide.budget.search;
    let mut reach = Reach {
        advice_settled: guidance.settled.clone(),
        ..Reach::default()
    };
    for (v, verdict) in program.verdicts.iter().enumerate() {
        let guide = guidance.verdicts.iter().find(|g| g.verdict as usize == v);
        reach.possible.push(
            (0..verdict.arms.len())
                .map(|a| guide.is_none_or(|g| g.possible.contains(&(a as u32))))
                .collect(),
        );
        reach
            .approximate
            .push(cut || guide.is_some_and(|g| g.approximate));
        let deciders: Vec<&augur_guide::Decisive> = guidance
            .find_out_next
            .iter()
            .filter(|d| d.verdicts.iter().any(|(id, _)| *id as usize == v))
            .collect();
        reach.deciding.push(deciders.len());
        reach.arm_facts.push(
            (0..verdict.arms.len() as u32)
                .map(|a| {
                    deciders
                        .iter()
                        .filter(|d| {
                            d.verdicts
                                .iter()
                                .any(|(id, arms)| *id as usize == v && arms.contains(&a))
                        })
                        .map(|d| d.fact)
                        .collect()
                })
                .collect(),
        );
    }
    Some(reach)
}

/// A signal's result for the pinned deal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignalState {
    Fired,
    NotFired,
    /// Its group's condition does not hold (or is not known to).
    GroupOff,
    /// Its condition could not be decided: these facts are unknown.
    Unknown(Vec<FactId>),
}

/// The pinned deal, evaluated.
#[derive(Clone, Debug)]
pub struct Evaluated {
    pub deal: Deal,
    pub today: Date,
    pub outcome: Outcome,
    pub signals: Vec<SignalState>,
    /// Per verdict, per arm: the value of its condition (`None` for
    /// `otherwise`).
    pub arm_conditions: Vec<Vec<Option<Value>>>,
    /// Per advice: the value of its condition.
    pub advice_conditions: Vec<Value>,
    pub reach: Option<Reach>,
}

/// The live result of one playbook's pin.
#[derive(Clone, Debug)]
pub struct Live {
    pub pin: Pin,
    pub result: Result<Evaluated, LiveError>,
}

fn error(message: impl Into<String>) -> LiveError {
    LiveError {
        message: message.into(),
        location: None,
    }
}

/// Builds the pinned deal and evaluates it. `files` reads `given` files and
/// the pinned deal file (root-relative paths); `system_today` is the date
/// used when neither the test nor the deal gives one.
pub fn evaluate_pin(
    analysis: &Analysis,
    files: &dyn Loader,
    pin: &Pin,
    system_today: Date,
) -> Live {
    Live {
        pin: pin.clone(),
        result: evaluate_inner(analysis, files, pin, system_today),
    }
}

fn evaluate_inner(
    analysis: &Analysis,
    files: &dyn Loader,
    pin: &Pin,
    system_today: Date,
) -> Result<Evaluated, LiveError> {
    if analysis.has_errors() {
        return Err(error(
            "the playbook has errors: fix them to see the pinned deal",
        ));
    }
    let program = &analysis.program;
    let (deal, test_today) = match pin {
        Pin::Test(name) => {
            let test = program
                .tests
                .iter()
                .find(|t| &t.name == name)
                .ok_or_else(|| {
                    error(format!(
                        "the pinned test “{name}” is no longer in the playbook; pin another"
                    ))
                })?;
            let deal =
                augur_eval::testing::test_deal(analysis, files, test).map_err(|p| LiveError {
                    message: p.message,
                    location: p.location,
                })?;
            (deal, test.today)
        }
        Pin::Deal(path) => {
            let text = files.load(path).map_err(error)?;
            // Read as `augur eval` reads it: every digit kept, a key given
            // twice refused.
            let deal = augur_eval::decode_deal_text(program, &text)
                .map_err(|e| error(format!("`{path}` is not a valid deal: {e}")))?;
            (deal, None)
        }
    };
    let today = test_today.or(deal.as_of).unwrap_or(system_today);
    // Every condition is also evaluated as a probe in the final frame, where
    // it reads the same values it read in its turn, to tell "did not fire"
    // from "could not be decided".
    let mut probes: Vec<&ir::Expr> = Vec::new();
    for group in &program.groups {
        probes.extend(group.when.as_ref());
    }
    probes.extend(program.signals.iter().map(|s| &s.when));
    for verdict in &program.verdicts {
        probes.extend(verdict.arms.iter().filter_map(|a| a.when.as_ref()));
    }
    probes.extend(program.advice.iter().map(|a| &a.when));
    let (outcome, values) = augur_eval::evaluate_with_probes(program, &deal, today, &probes)
        .map_err(|e| LiveError {
            message: format!("the pinned deal cannot be evaluated: {}", e.message),
            location: Some(e.location),
        })?;
    let mut values = values.into_iter();
    let groups: Vec<Value> = program
        .groups
        .iter()
        .map(|g| match g.when {
            Some(_) => values.next().unwrap_or_else(Value::unknown),
            None => Value::Bool(true),
        })
        .collect();
    let signals = program
        .signals
        .iter()
        .enumerate()
        .map(|(id, signal)| {
            let when = values.next().unwrap_or_else(Value::unknown);
            let group = signal
                .group
                .and_then(|g| groups.get(g as usize))
                .cloned()
                .unwrap_or(Value::Bool(true));
            if outcome.fired.get(id).copied().unwrap_or(false) {
                return SignalState::Fired;
            }
            match (group, when) {
                (Value::Unknown(blame), _) => SignalState::Unknown(blame.facts().collect()),
                (Value::Bool(false), _) => SignalState::GroupOff,
                (_, Value::Unknown(blame)) => SignalState::Unknown(blame.facts().collect()),
                _ => SignalState::NotFired,
            }
        })
        .collect();
    let arm_conditions = program
        .verdicts
        .iter()
        .map(|v| {
            v.arms
                .iter()
                .map(|a| {
                    a.when
                        .as_ref()
                        .map(|_| values.next().unwrap_or_else(Value::unknown))
                })
                .collect()
        })
        .collect();
    let advice_conditions = program
        .advice
        .iter()
        .map(|_| values.next().unwrap_or_else(Value::unknown))
        .collect();
    // With every fact known there is nothing to find out: the plain labels
    // (chosen / not chosen) say it all, and the search is skipped.
    let reach =
        if deal.facts.iter().any(Value::is_unknown) && rule_count(program) <= GUIDE_MAX_RULES {
            reach(analysis, &deal, today)
        } else {
            None
        };
    Ok(Evaluated {
        deal,
        today,
        outcome,
        signals,
        arm_conditions,
        advice_conditions,
        reach,
    })
}
