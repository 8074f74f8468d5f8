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

/// One inlay hint: a label shown at a byte offset (after the text there).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlayHint {
    pub offset: usize,
    pub label: String,
    /// A longer explanation shown on hovering the hint.
    pub tooltip: Option<String>,
}

/// A number with its sign, the minus as U+2212 (`+3`, `−2`); zero has
/// none (`0`). The one format of scores and weights in the editor.
pub fn signed(n: i64) -> String {
    match n.cmp(&0) {
        std::cmp::Ordering::Less => format!("−{}", n.unsigned_abs()),
        std::cmp::Ordering::Equal => "0".into(),
        std::cmp::Ordering::Greater => format!("+{n}"),
    }
}

/// The score as lenses and status bars show it: `score +3`, `score 0`.
pub fn score_text(score: i64) -> String {
    format!("score {}", signed(score))
}

fn fact_names(analysis: &Analysis, facts: &[FactId]) -> String {
    let names: Vec<&str> = facts
        .iter()
        .filter_map(|f| analysis.program.facts.get(*f as usize))
        .map(|f| f.name.as_str())
        .collect();
    if names.is_empty() {
        "a value that cannot be computed".into()
    } else {
        names.join(", ")
    }
}

fn blame_of(value: &Value) -> Option<Vec<FactId>> {
    match value {
        Value::Unknown(blame) => Some(blame.facts().collect()),
        _ => None,
    }
}

/// Longest value shown in a hint, in characters.
const MAX_SHOWN: usize = 40;

/// A value as the author reads it: texts quoted, lists bracketed, unknown
/// as `?`, cut short after [`MAX_SHOWN`] characters.
pub fn show(analysis: &Analysis, value: &Value, ty: &ir::Type) -> String {
    let program = &analysis.program;
    let mut out = String::new();
    match value {
        Value::Text(text) => {
            let _ = write!(out, "\"{text}\"");
        }
        Value::List(items) => {
            let element = match ty {
                ir::Type::List(element) => element.as_ref(),
                _ => &ir::Type::Error,
            };
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&show(analysis, item, element));
                if out.chars().count() > MAX_SHOWN {
                    break;
                }
            }
            out.push(']');
        }
        other => other.render(ty, program, &mut out),
    }
    if out.chars().count() > MAX_SHOWN {
        let cut: String = out.chars().take(MAX_SHOWN - 1).collect();
        return format!("{cut}…");
    }
    out
}

fn signal_label(analysis: &Analysis, id: usize, state: &SignalState) -> (String, String) {
    let weight = analysis
        .program
        .signals
        .get(id)
        .map_or(0, |signal| signal.weight);
    match state {
        SignalState::Fired => (
            format!("✓ {}", signed(weight)),
            format!("fires for the pinned deal: {} to the score", signed(weight)),
        ),
        SignalState::NotFired => ("✗".into(), "does not fire for the pinned deal".into()),
        SignalState::GroupOff => (
            "✗ group off".into(),
            "does not fire: its group's condition does not hold for the pinned deal".into(),
        ),
        SignalState::Unknown(facts) => {
            let names = fact_names(analysis, facts);
            (
                format!("? needs {names}"),
                format!("cannot be decided for the pinned deal until {names} is known"),
            )
        }
    }
}

/// The state of arm `arm` of verdict `verdict`, as a short label.
fn arm_label(analysis: &Analysis, live: &Evaluated, verdict: usize, arm: usize) -> String {
    let chosen = live.outcome.verdicts.get(verdict).copied() == Some(arm as u32);
    let possible = live
        .reach
        .as_ref()
        .and_then(|r| r.possible.get(verdict)?.get(arm).copied());
    let condition = live
        .arm_conditions
        .get(verdict)
        .and_then(|arms| arms.get(arm))
        .cloned()
        .flatten();
    let deciders = live
        .reach
        .as_ref()
        .and_then(|r| r.arm_facts.get(verdict)?.get(arm).cloned())
        .unwrap_or_default();
    let approximate = live
        .reach
        .as_ref()
        .is_some_and(|r| r.approximate.get(verdict).copied().unwrap_or(false));
    let settled = live
        .reach
        .as_ref()
        .and_then(|r| r.possible.get(verdict))
        .is_some_and(|arms| arms.iter().filter(|p| **p).count() <= 1);
    match (chosen, possible) {
        (true, None) => "✓ chosen".into(),
        (true, Some(_)) if settled && !approximate => "✓ chosen, settled".into(),
        (true, Some(_)) => "✓ chosen, not settled".into(),
        (false, Some(true)) if approximate => "possible (not searched to the end)".into(),
        (false, Some(true)) if !deciders.is_empty() => {
            format!("possible: depends on {}", fact_names(analysis, &deciders))
        }
        (false, Some(true)) => match condition.as_ref().and_then(blame_of) {
            Some(facts) => format!("possible: needs {}", fact_names(analysis, &facts)),
            None => "possible".into(),
        },
        (false, Some(false)) => "✗ impossible".into(),
        (false, None) => {
            let before_chosen = live
                .outcome
                .verdicts
                .get(verdict)
                .is_some_and(|c| (arm as u32) < *c);
            match condition.as_ref().and_then(blame_of) {
                Some(facts) if before_chosen => {
                    format!("? needs {}", fact_names(analysis, &facts))
                }
                _ => "✗ not chosen".into(),
            }
        }
    }
}

/// The offset just after the name a symbol is declared with (in `file`).
fn after_name(analysis: &Analysis, file: FileId, symbol: Symbol) -> Option<usize> {
    let at = definition_of(analysis, symbol)?;
    (at.file == file).then_some(at.span.end)
}

/// Where an arm's hint goes: after its condition, or after `otherwise`.
fn arm_end(analysis: &Analysis, file: FileId, arm: &ir::ArmInfo) -> Option<usize> {
    if arm.location.file != file {
        return None;
    }
    if let Some(when) = &arm.when {
        return Some(when.location.span.end);
    }
    let text = text_of(analysis, file);
    let rest = text.get(arm.location.span.end..)?;
    let line = rest.split('\n').next().unwrap_or("");
    let keyword = line.find("otherwise")?;
    Some(arm.location.span.end + keyword + "otherwise".len())
}

/// The inlay hints of `file` for the pinned deal: after each signal's name
/// its outcome, after each `let` its value, after each verdict arm whether
/// it is chosen (possible, impossible), after each advice's name whether it
/// is given. Sorted by offset.
pub fn inlay_hints(analysis: &Analysis, file: FileId, live: &Evaluated) -> Vec<InlayHint> {
    let program = &analysis.program;
    let mut hints = Vec::new();
    for (id, state) in live.signals.iter().enumerate() {
        if let Some(offset) = after_name(analysis, file, Symbol::Signal(id as u32)) {
            let (label, tooltip) = signal_label(analysis, id, state);
            hints.push(InlayHint {
                offset,
                label,
                tooltip: Some(tooltip),
            });
        }
    }
    for (id, info) in program.lets.iter().enumerate() {
        if info.location.file != file {
            continue;
        }
        let Some(value) = live.outcome.lets.get(id) else {
            continue;
        };
        let label = match blame_of(value) {
            Some(facts) => format!("= ? needs {}", fact_names(analysis, &facts)),
            None => format!("= {}", show(analysis, value, &info.value.ty.ty)),
        };
        hints.push(InlayHint {
            offset: info.value.location.span.end,
            label,
            tooltip: Some(format!("`{}` for the pinned deal", info.name)),
        });
    }
    for (v, verdict) in program.verdicts.iter().enumerate() {
        for (a, arm) in verdict.arms.iter().enumerate() {
            if let Some(offset) = arm_end(analysis, file, arm) {
                hints.push(InlayHint {
                    offset,
                    label: arm_label(analysis, live, v, a),
                    tooltip: Some(format!("{} “{}” for the pinned deal", arm.name, arm.label)),
                });
            }
        }
    }
    for (id, advice) in program.advice.iter().enumerate() {
        let Some(offset) = after_name(analysis, file, Symbol::Advice(id as u32)) else {
            continue;
        };
        let given = live.outcome.advice.iter().any(|(a, _)| *a as usize == id);
        let settled = live
            .reach
            .as_ref()
            .is_none_or(|r| r.advice_settled.get(id).copied().unwrap_or(true));
        let label = if given && !settled {
            "✓ given, not settled".to_string()
        } else if given {
            "✓ given".to_string()
        } else {
            match live.advice_conditions.get(id).and_then(blame_of) {
                Some(facts) => format!("? needs {}", fact_names(analysis, &facts)),
                None => "✗ not given".into(),
            }
        };
        hints.push(InlayHint {
            offset,
            label,
            tooltip: Some(format!("advice `{}` for the pinned deal", advice.name)),
        });
    }
    hints.sort_by_key(|h| h.offset);
    hints
}

/// What clicking a code lens does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LensAction {
    PinTest(String),
    RunTest(String),
    RunAllTests,
    Unpin,
    /// Nothing: the lens only shows a result.
    Show,
}

/// One code lens: a title shown above the line of `offset`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lens {
    pub offset: usize,
    pub title: String,
    pub action: LensAction,
}

/// The headline of the pinned deal for one verdict: "Backup · score −3 ·
/// 1 question decides it".
pub fn verdict_summary(analysis: &Analysis, live: &Evaluated, verdict: usize) -> Option<String> {
    let info = analysis.program.verdicts.get(verdict)?;
    let chosen = live.outcome.verdicts.get(verdict)?;
    let arm = info.arms.get(*chosen as usize)?;
    let mut title = format!("{} · {}", arm.label, score_text(live.outcome.score));
    if let Some(reach) = &live.reach {
        if reach.approximate.get(verdict).copied().unwrap_or(false) {
            title.push_str(" · open questions remain (not searched to the end)");
            return Some(title);
        }
        match reach.deciding.get(verdict) {
            Some(0) | None => title.push_str(" · settled"),
            Some(1) => title.push_str(" · 1 question decides it"),
            Some(n) => {
                let _ = write!(title, " · {n} questions decide it");
            }
        }
    }
    Some(title)
}

/// The code lenses of `file`: "Run all tests" and the pin at the top
/// (`pin_lens`: for editors without a status bar item), "Pin" and "▶ Run"
/// above each test, and the pinned deal's result above each verdict.
pub fn code_lenses(
    analysis: &Analysis,
    file: FileId,
    live: Option<&Live>,
    pin_lens: bool,
) -> Vec<Lens> {
    let program = &analysis.program;
    let mut lenses = Vec::new();
    let tests: Vec<&ir::TestInfo> = program
        .tests
        .iter()
        .filter(|t| t.location.file == file)
        .collect();
    if pin_lens {
        let title = match live {
            Some(live) => {
                let what = match &live.pin {
                    Pin::Test(name) => format!("test “{name}”"),
                    Pin::Deal(path) => format!("deal {path}"),
                };
                format!(
                    "📌 Pinned: {what} — {} (click to unpin)",
                    status(analysis, live)
                )
            }
            None => "📌 No deal pinned: click “Pin” above a test, or run augur.pinDeal".into(),
        };
        let action = if live.is_some() {
            LensAction::Unpin
        } else {
            LensAction::Show
        };
        lenses.push(Lens {
            offset: 0,
            title,
            action,
        });
    }
    if !tests.is_empty() {
        lenses.push(Lens {
            offset: 0,
            title: format!("▶ Run all tests ({})", program.tests.len()),
            action: LensAction::RunAllTests,
        });
    }
    for test in tests {
        let pinned = live.is_some_and(|l| l.pin == Pin::Test(test.name.clone()));
        lenses.push(Lens {
            offset: test.location.span.start,
            title: if pinned {
                "📌 Pinned".into()
            } else {
                "Pin".into()
            },
            action: if pinned {
                LensAction::Unpin
            } else {
                LensAction::PinTest(test.name.clone())
            },
        });
        lenses.push(Lens {
            offset: test.location.span.start,
            title: "▶ Run".into(),
            action: LensAction::RunTest(test.name.clone()),
        });
    }
    if let Some(live) = live {
        for v in 0..program.verdicts.len() {
            let Some(at) = definition_of(analysis, Symbol::Verdict(v as u32)) else {
                continue;
            };
            if at.file != file {
                continue;
            }
            let title = match &live.result {
                Ok(evaluated) => match verdict_summary(analysis, evaluated, v) {
                    Some(summary) => format!("{summary} · pinned: {}", live.pin.name()),
                    None => continue,
                },
                Err(e) => format!("pinned: {} — {}", live.pin.name(), e.message),
            };
            lenses.push(Lens {
                offset: at.span.start,
                title,
                action: LensAction::Show,
            });
        }
    }
    lenses
}

/// Runs the tests of the playbook (all of them, or the one named `only`)
/// and turns every failure into a diagnostic: a failed `expect` on its
/// line, with what was expected and what came out; a deal that cannot be
/// built on its `given` (or on the test's name). Passing tests give none.
pub fn test_diagnostics(
    analysis: &Analysis,
    files: &dyn Loader,
    only: Option<&str>,
    system_today: Date,
) -> Vec<Diagnostic> {
    if analysis.has_errors() {
        return Vec::new();
    }
    let mut diagnostics = Vec::new();
    for test in &analysis.program.tests {
        if only.is_some_and(|name| name != test.name) {
            continue;
        }
        let result = augur_eval::testing::run_test(analysis, files, test, system_today);
        if let Some(message) = &result.error {
            let at = result.error_location.unwrap_or(test.location);
            diagnostics.push(failed(
                at,
                format!("test “{}” cannot run: {message}", test.name),
            ));
            continue;
        }
        if result.failures.is_empty() {
            continue;
        }
        let deal = augur_eval::testing::test_deal(analysis, files, test).ok();
        for failure in &result.failures {
            let expect = test.expects.iter().find(|e| e.location == failure.location);
            let actual = match (expect, &result.outcome, &deal) {
                (Some(expect), Some(outcome), Some(deal)) => {
                    read_values(analysis, &expect.condition, deal, outcome)
                }
                _ => String::new(),
            };
            let mut message = format!(
                "test “{}”: expected `{}`, but it {}",
                test.name, failure.expect, failure.reason
            );
            if !actual.is_empty() {
                let _ = write!(message, "; actually {actual}");
            }
            diagnostics.push(failed(failure.location, message));
        }
    }
    diagnostics
}

fn failed(at: ir::Location, message: String) -> Diagnostic {
    let mut diagnostic = Diagnostic::warning(Code::TestFailed, at.span, message);
    diagnostic.file = at.file;
    diagnostic
}

/// The named values an expression reads, in order of first appearance.
pub fn reads(expr: &ir::Expr) -> Vec<ir::Read> {
    let mut found = Vec::new();
    let mut stack = vec![expr];
    while let Some(expr) = stack.pop() {
        let read = match &expr.kind {
            ExprKind::Fact(id) => Some(ir::Read::Fact(*id)),
            ExprKind::Let(id) => Some(ir::Read::Let(*id)),
            ExprKind::Signal(id) => Some(ir::Read::Signal(*id)),
            ExprKind::Verdict(id) => Some(ir::Read::Verdict(*id)),
            _ => None,
        };
        if let Some(read) = read {
            if !found.contains(&read) {
                found.push(read);
            }
        }
        // Children pushed in reverse, so they pop in source order; a text's
        // interpolated values count as read too.
        if let ExprKind::Text(template) = &expr.kind {
            stack.extend(template.parts.iter().rev().filter_map(|p| match p {
                ir::TemplatePart::Value(e) => Some(e),
                ir::TemplatePart::Text(_) => None,
            }));
        }
        stack.extend(expr.operands().into_iter().rev());
    }
    found
}

/// The values an expression reads, for the pinned deal: "score = −3,
/// stage = late".
fn read_values(analysis: &Analysis, expr: &ir::Expr, deal: &Deal, outcome: &Outcome) -> String {
    let mut parts: Vec<String> = reads(expr)
        .into_iter()
        .filter_map(|read| value_of_read(analysis, read, deal, outcome))
        .map(|(name, value)| format!("{name} = {value}"))
        .collect();
    if mentions_score(expr) {
        parts.insert(0, format!("score = {}", signed(outcome.score)));
    }
    parts.join(", ")
}

fn mentions_score(expr: &ir::Expr) -> bool {
    let mut stack = vec![expr];
    while let Some(expr) = stack.pop() {
        if matches!(expr.kind, ExprKind::Score) {
            return true;
        }
        stack.extend(expr.operands());
    }
    false
}

fn value_of_read(
    analysis: &Analysis,
    read: ir::Read,
    deal: &Deal,
    outcome: &Outcome,
) -> Option<(String, String)> {
    let program = &analysis.program;
    let unknown = |value: &Value, shown: String| match blame_of(value) {
        Some(facts) if !facts.is_empty() => format!("? (needs {})", fact_names(analysis, &facts)),
        Some(_) => "?".into(),
        None => shown,
    };
    Some(match read {
        ir::Read::Fact(id) => {
            let fact = program.facts.get(id as usize)?;
            let value = deal.facts.get(id as usize)?;
            let shown = show(analysis, value, &fact.ty.ty);
            (fact.name.clone(), unknown(value, shown))
        }
        ir::Read::Let(id) => {
            let info = program.lets.get(id as usize)?;
            let value = outcome.lets.get(id as usize)?;
            let shown = show(analysis, value, &info.value.ty.ty);
            (info.name.clone(), unknown(value, shown))
        }
        ir::Read::Signal(id) => {
            let signal = program.signals.get(id as usize)?;
            let fired = outcome.fired.get(id as usize).copied().unwrap_or(false);
            (
                signal.name.clone(),
                if fired { "fired" } else { "did not fire" }.into(),
            )
        }
        ir::Read::Verdict(id) => {
            let verdict = program.verdicts.get(id as usize)?;
            let arm = verdict
                .arms
                .get(*outcome.verdicts.get(id as usize)? as usize)?;
            (verdict.name.clone(), arm.name.clone())
        }
    })
}

/// What hover adds on a signal, let, verdict, arm or advice: its value for
/// the pinned deal and the values its condition read (Markdown).
pub fn hover_addition(analysis: &Analysis, symbol: Symbol, live: &Live) -> Option<String> {
    let program = &analysis.program;
    let head = format!("**Pinned deal** ({}):", live.pin.name());
    let evaluated = match &live.result {
        Ok(evaluated) => evaluated,
        Err(e) => {
            return matches!(
                symbol,
                Symbol::Signal(_) | Symbol::Let(_) | Symbol::Verdict(_) | Symbol::Arm(..)
            )
            .then(|| format!("{head} {}", e.message));
        }
    };
    let (deal, outcome) = (&evaluated.deal, &evaluated.outcome);
    let (value, condition): (String, Option<&ir::Expr>) = match symbol {
        Symbol::Signal(id) => {
            let state = evaluated.signals.get(id as usize)?;
            let (_, tooltip) = signal_label(analysis, id as usize, state);
            (tooltip, program.signals.get(id as usize).map(|s| &s.when))
        }
        Symbol::Let(id) => {
            let info = program.lets.get(id as usize)?;
            let (_, shown) = value_of_read(analysis, ir::Read::Let(id), deal, outcome)?;
            (format!("`{}` = {shown}", info.name), Some(&info.value))
        }
        Symbol::Verdict(id) => {
            let summary = verdict_summary(analysis, evaluated, id as usize)?;
            let verdict = program.verdicts.get(id as usize)?;
            let chosen = outcome.verdicts.get(id as usize).copied()?;
            let arm = verdict.arms.get(chosen as usize)?;
            let mut text = summary;
            for (a, other) in verdict.arms.iter().enumerate() {
                let _ = write!(
                    text,
                    "\n- `{}`: {}",
                    other.name,
                    arm_label(analysis, evaluated, id as usize, a)
                );
            }
            (text, arm.when.as_ref())
        }
        Symbol::Arm(v, a) => {
            let verdict = program.verdicts.get(v as usize)?;
            let arm = verdict.arms.get(a as usize)?;
            (
                format!(
                    "`{}`: {}",
                    arm.name,
                    arm_label(analysis, evaluated, v as usize, a as usize)
                ),
                arm.when.as_ref(),
            )
        }
        Symbol::Advice(id) => {
            let advice = program.advice.get(id as usize)?;
            let given = outcome.advice.iter().any(|(a, _)| *a == id);
            (
                format!(
                    "`{}` is {}",
                    advice.name,
                    if given { "given" } else { "not given" }
                ),
                Some(&advice.when),
            )
        }
        _ => return None,
    };
    let mut md = format!("{head} {value}");
    if let Some(condition) = condition {
        let read = read_values(analysis, condition, deal, outcome);
        if !read.is_empty() {
            let _ = write!(
                md,
                "\n\n`{}` read: {read}",
                source_of(analysis, &condition.location)
            );
        }
    }
    Some(md)
}

/// [`hover_addition`] for the name written at `offset` in `file`.
pub fn hover_at(analysis: &Analysis, file: FileId, offset: usize, live: &Live) -> Option<String> {
    let occurrence = crate::occurrence_at(analysis, file, offset)?;
    hover_addition(analysis, occurrence.symbol, live)
}

/// A one-line summary of the pinned deal for a status bar: the verdicts'
/// chosen arms and the score, or why there is nothing to show.
pub fn status(analysis: &Analysis, live: &Live) -> String {
    match &live.result {
        Ok(evaluated) => {
            let verdicts: Vec<String> = (0..analysis.program.verdicts.len())
                .filter_map(|v| verdict_summary(analysis, evaluated, v))
                .collect();
            if verdicts.is_empty() {
                score_text(evaluated.outcome.score)
            } else {
                verdicts.join("; ")
            }
        }
        Err(e) => e.message.clone(),
    }
}

pub use augur_eval::testing::TestOutcome;

/// Runs the tests of the playbook (all, or the one named `only`) for the
/// "▶ Run" lenses; an error says why nothing ran.
pub fn run_tests(
    analysis: &Analysis,
    files: &dyn Loader,
    only: Option<&str>,
    system_today: Date,
) -> Result<Vec<TestOutcome>, String> {
    if analysis.has_errors() {
        return Err("the playbook has errors: fix them to run its tests".into());
    }
    let results: Vec<TestOutcome> = analysis
        .program
        .tests
        .iter()
        .filter(|t| only.is_none_or(|name| t.name == name))
        .map(|t| augur_eval::testing::run_test(analysis, files, t, system_today))
        .collect();
    if results.is_empty() {
        return Err(match only {
            Some(name) => format!("there is no test “{name}” in this playbook"),
            None => "this playbook has no tests".into(),
        });
    }
    Ok(results)
}

/// One sentence on a run of tests, for a message to the author.
pub fn run_summary(results: &[TestOutcome]) -> String {
    let passed = results.iter().filter(|r| r.passed()).count();
    match results {
        [one] if passed == 1 => format!("Test “{}” passed.", one.name),
        [one] => format!(
            "Test “{}” failed: see the warnings (augur::test-failed) in the playbook.",
            one.name
        ),
        _ if passed == results.len() => format!("All {passed} tests passed."),
        _ => format!(
            "{} of {} tests failed: see the warnings (augur::test-failed) in the playbook.",
            results.len() - passed,
            results.len()
        ),
    }
}
