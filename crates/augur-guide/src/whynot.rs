//! Why not: for each arm listed before the one chosen, the conditions that
//! failed (source text and the values they read) and the smallest changes of
//! facts that would reach it (searched in `whynot/search.rs`).

use crate::bound::{Condition, Gains, ScoreBound};
use crate::cone;
use crate::Guide;
use augur_check::ir::{Expr, ExprKind, FactId, Type};
use augur_eval::value::Blame;
use augur_eval::{
    evaluate_kept, evaluate_kept_again, evaluate_three_valued_open, evaluate_with_probes, Deal,
    EvalError, Kept, Partial, Value,
};
use augur_syntax::Date;

mod search;
use search::search_changes;

/// Why one better arm was not chosen.
#[derive(Clone, Debug)]
pub struct WhyNot {
    pub arm: u32,
    /// The parts of its condition that do not hold as recorded.
    pub failed: Vec<Failed>,
    /// Minimal change sets that reach the arm, smallest first.
    pub changes: Vec<Vec<Change>>,
    /// When no change set was found: why, in words (English, for JSON).
    pub reason: Option<String>,
    /// The same reason as data, to say it in the playbook's language.
    pub reason_kind: Option<Reason>,
    /// The budget cut the search for change sets.
    pub approximate: bool,
}

/// Why no change set reaches an arm.
#[derive(Clone, Debug, PartialEq)]
pub enum Reason {
    /// Not even changing every fact it reads reaches it: only entries in
    /// these lists (or records) could (checked: left open, they make the arm
    /// reachable), or (empty) nothing can. `through`: the signals new entries
    /// could turn (decided before, undecided with the lists left open), in
    /// declaration order, so the text can say in words what kind of entry
    /// it would take.
    Unreachable {
        lists: Vec<FactId>,
        through: Vec<u32>,
    },
    /// These facts would all have to change, more than a change set holds.
    AtLeast(Vec<FactId>),
    /// No answer to what is unknown reaches it; new entries in these lists
    /// might (checked as above, with the unknown facts open), and so might
    /// changing these recorded facts, beyond what the budget tried.
    NotByFindingOut {
        lists: Vec<FactId>,
        through: Vec<u32>,
        known: Vec<FactId>,
    },
    /// The budget ran out before a change set was found.
    Budget(usize),
    /// No change of up to this many facts reaches it.
    NoChangeUpTo(usize),
}

/// One part (conjunct) of a condition that does not hold.
#[derive(Clone, Debug)]
pub struct Failed {
    /// The condition as written.
    pub condition: String,
    /// `false`, or unknown (`None`) as recorded (`true` for the parts of the
    /// chosen arm's condition, in [`crate::VerdictGuide::why`]).
    pub value: Option<bool>,
    /// The names it reads directly and their values (`"undecided"` for a
    /// signal the unknown facts leave open).
    pub read: Vec<(String, serde_json::Value)>,
    /// Signals that fired and that it reads (directly or through lets): the
    /// behaviour that made it fail, in the playbook's words.
    pub because: Vec<u32>,
}

/// Set `fact` to `to`.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub fact: FactId,
    pub to: Value,
    /// What the deal records now; `None` when the fact is not known yet
    /// (a change to find out, not one that would have to happen).
    pub now: Option<Value>,
    /// Every value found to work in its place, the rest of the set kept
    /// (`to` among them, one per class): what the text shows as a range.
    pub alike: Vec<Value>,
}

/// Most change sets reported per arm.
const MAX_CHANGE_SETS: usize = 6;

pub(crate) fn why_not(
    guide: &Guide<'_>,
    deal: &Deal,
    today: Date,
    partial: &Partial,
    verdict: u32,
    chosen: u32,
) -> Result<Vec<WhyNot>, EvalError> {
    let program = guide.program;
    let Some(info) = program.verdicts.get(verdict as usize) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    if chosen == 0 {
        return Ok(out);
    }
    // Which facts can turn each signal: worked out once for every arm.
    let bound = ScoreBound::new(program);
    for (index, arm) in info.arms.iter().enumerate().take(chosen as usize) {
        let Some(when) = &arm.when else {
            continue;
        };
        let failed = failed_parts(guide, deal, today, partial, when)?;
        let earlier: Vec<&Expr> = info
            .arms
            .iter()
            .take(index + 1)
            .filter_map(|a| a.when.as_ref())
            .collect();
        let cone = cone::facts_of(program, &earlier);
        let (changes, approximate, reason_kind) =
            search_changes(guide, deal, today, (verdict, index as u32), &cone, &bound)?;
        let reason = reason_kind
            .as_ref()
            .map(|r| crate::words::EN.reason(program, r));
        out.push(WhyNot {
            arm: index as u32,
            failed,
            changes,
            reason,
            reason_kind,
            approximate,
        });
    }
    Ok(out)
}

/// The top-level `and` parts of a condition.
pub fn conjuncts(expr: &Expr) -> Vec<&Expr> {
    match &expr.kind {
        ExprKind::And(a, b) => {
            let mut parts = conjuncts(a);
            parts.extend(conjuncts(b));
            parts
        }
        _ => vec![expr],
    }
}

/// The named values an expression reads directly (not through lets).
pub fn direct_reads(expr: &Expr) -> Vec<&Expr> {
    let mut out: Vec<&Expr> = Vec::new();
    let mut stack = vec![expr];
    while let Some(e) = stack.pop() {
        match &e.kind {
            ExprKind::Fact(_)
            | ExprKind::Let(_)
            | ExprKind::Signal(_)
            | ExprKind::Verdict(_)
            | ExprKind::Score
            | ExprKind::GroupScore(_)
                if !out.iter().any(|o| same_read(o, e)) =>
            {
                out.push(e);
            }
            ExprKind::Fact(_)
            | ExprKind::Let(_)
            | ExprKind::Signal(_)
            | ExprKind::Verdict(_)
            | ExprKind::Score
            | ExprKind::GroupScore(_) => {}
            ExprKind::Field(x, _)
            | ExprKind::MapField(x, _)
            | ExprKind::Not(x)
            | ExprKind::Neg(x) => stack.push(x),
            ExprKind::And(a, b)
            | ExprKind::Or(a, b)
            | ExprKind::Compare(_, a, b)
            | ExprKind::Arith(_, a, b)
            | ExprKind::Coalesce(a, b) => {
                stack.push(b);
                stack.push(a);
            }
            ExprKind::In { value, list, .. } => {
                stack.push(list);
                stack.push(value);
            }
            ExprKind::Filter { list, .. } => stack.push(list),
            ExprKind::List(items) | ExprKind::Call(_, items) => stack.extend(items.iter().rev()),
            _ => {}
        }
    }
    out
}

fn same_read(a: &Expr, b: &Expr) -> bool {
    match (&a.kind, &b.kind) {
        (ExprKind::Fact(x), ExprKind::Fact(y))
        | (ExprKind::Let(x), ExprKind::Let(y))
        | (ExprKind::Signal(x), ExprKind::Signal(y))
        | (ExprKind::Verdict(x), ExprKind::Verdict(y))
        | (ExprKind::GroupScore(x), ExprKind::GroupScore(y)) => x == y,
        (ExprKind::Score, ExprKind::Score) => true,
        _ => false,
    }
}

/// The signals an expression reads, directly or through lets (not through
/// the score, which reads them all).
fn signals_read(program: &augur_check::ir::Program, expr: &Expr) -> Vec<u32> {
    let mut out = Vec::new();
    let mut lets = Vec::new();
    let mut stack = vec![expr];
    while let Some(e) = stack.pop() {
        match &e.kind {
            ExprKind::Signal(id) => {
                if !out.contains(id) {
                    out.push(*id);
                }
            }
            ExprKind::Let(id) => {
                if !lets.contains(id) {
                    lets.push(*id);
                    if let Some(info) = program.lets.get(*id as usize) {
                        stack.push(&info.value);
                    }
                }
            }
            _ => stack.extend(e.operands()),
        }
    }
    out
}

/// The name of a read, as written.
pub fn read_name(guide: &Guide<'_>, expr: &Expr) -> String {
    let program = guide.program;
    match &expr.kind {
        ExprKind::Fact(id) => program.facts.get(*id as usize).map(|f| f.name.clone()),
        ExprKind::Let(id) => program.lets.get(*id as usize).map(|l| l.name.clone()),
        ExprKind::Signal(id) => program.signals.get(*id as usize).map(|s| s.name.clone()),
        ExprKind::Verdict(id) => program.verdicts.get(*id as usize).map(|v| v.name.clone()),
        ExprKind::Score => Some("score".into()),
        ExprKind::GroupScore(g) => program
            .groups
            .get(*g as usize)
            .map(|g| format!("score({})", g.name)),
        _ => None,
    }
    .unwrap_or_default()
}

/// The source text of an expression, on one line.
pub fn source_text(guide: &Guide<'_>, expr: &Expr) -> String {
    guide
        .analysis
        .source(expr.location.file)
        .and_then(|s| s.text.get(expr.location.span.start..expr.location.span.end))
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// The JSON of a value read by a condition: signals the unknown facts leave
/// open read `"undecided"`.
pub fn read_value(
    guide: &Guide<'_>,
    partial: &Partial,
    expr: &Expr,
    value: &Value,
) -> serde_json::Value {
    if let ExprKind::Signal(id) = expr.kind {
        if partial.fired.get(id as usize).copied().flatten().is_none() {
            return serde_json::Value::from("undecided");
        }
    }
    value.to_json(&expr.ty.ty, guide.program)
}

fn failed_parts(
    guide: &Guide<'_>,
    deal: &Deal,
    today: Date,
    partial: &Partial,
    when: &Expr,
) -> Result<Vec<Failed>, EvalError> {
    condition_parts(guide, deal, today, partial, when, false)
}

/// The parts (conjuncts) of the chosen arm's condition, with the values they
/// read: why it was chosen.
pub(crate) fn held_parts(
    guide: &Guide<'_>,
    deal: &Deal,
    today: Date,
    partial: &Partial,
    when: &Expr,
) -> Result<Vec<Failed>, EvalError> {
    condition_parts(guide, deal, today, partial, when, true)
}

/// The parts of a condition that hold (`held`) or do not.
fn condition_parts(
    guide: &Guide<'_>,
    deal: &Deal,
    today: Date,
    partial: &Partial,
    when: &Expr,
    held: bool,
) -> Result<Vec<Failed>, EvalError> {
    let parts = conjuncts(when);
    let mut probes: Vec<&Expr> = parts.clone();
    let reads: Vec<Vec<&Expr>> = parts.iter().map(|p| direct_reads(p)).collect();
    for r in &reads {
        probes.extend(r.iter().copied());
    }
    let (_, values) = evaluate_with_probes(guide.program, deal, today, &probes)?;
    let mut failed = Vec::new();
    let mut at = parts.len();
    for (index, part) in parts.iter().enumerate() {
        let part_reads = reads.get(index).map_or(&[][..], Vec::as_slice);
        let read_values: Vec<(String, serde_json::Value)> = part_reads
            .iter()
            .enumerate()
            .map(|(k, e)| {
                let v = values.get(at + k).cloned().unwrap_or_else(Value::unknown);
                (read_name(guide, e), read_value(guide, partial, e, &v))
            })
            .collect();
        at += part_reads.len();
        let value = match values.get(index) {
            Some(Value::Bool(true)) if held => Some(true),
            Some(Value::Bool(true)) => continue,
            _ if held => continue,
            Some(Value::Bool(false)) => Some(false),
            _ => None,
        };
        // The signals behind it that surely fired, in the playbook's words.
        let because = signals_read(guide.program, part)
            .into_iter()
            .filter(|s| partial.fired.get(*s as usize).copied().flatten() == Some(true))
            .collect();
        failed.push(Failed {
            condition: source_text(guide, part),
            value,
            read: read_values,
            because,
        });
    }
    Ok(failed)
}
