//! Why not: for each arm listed before the one chosen, the conditions that
//! failed (source text and the values they read) and the smallest changes of
//! facts that would reach it.
//!
//! Change sets are searched breadth-first by size (one fact, then two, then
//! three), unknown facts before known ones, over the facts the arm's
//! condition (and the earlier arms') can depend on, each fact over its value
//! classes. A fact set that contains one already found is skipped, so every
//! set reported is minimal: no proper subset reaches the arm. Every set is
//! found by evaluating the deal as `augur eval --set` would, so a reported
//! change always works. A set that `bound` shows cannot make the arm's
//! condition hold is skipped without evaluating it (it costs no budget), so
//! the sets found are the ones an unlimited budget finds.

use crate::bound::{Condition, Gains, ScoreBound};
use crate::cone;
use crate::Guide;
use augur_check::ir::{Expr, ExprKind, FactId, Type};
use augur_eval::value::Blame;
use augur_eval::{
    evaluate_fired, evaluate_three_valued_open, evaluate_verdicts, evaluate_with_probes, Deal,
    EvalError, Partial, Value,
};
use augur_syntax::Date;

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

type Found = (Vec<Vec<Change>>, bool, Option<Reason>);

fn search_changes(
    guide: &Guide<'_>,
    deal: &Deal,
    today: Date,
    (verdict, arm): (u32, u32),
    cone: &std::collections::BTreeSet<FactId>,
    bound: &ScoreBound,
) -> Result<Found, EvalError> {
    let program = guide.program;
    let unknown = |f: &FactId| deal.facts.get(*f as usize).is_some_and(Value::is_unknown);
    let mut candidates: Vec<FactId> = cone
        .iter()
        .copied()
        .filter(|f| guide.classes.searchable(*f) && unknown(f))
        .collect();
    candidates.extend(
        cone.iter()
            .copied()
            .filter(|f| guide.classes.searchable(*f) && !unknown(f)),
    );
    let opaque: Vec<FactId> = cone
        .iter()
        .copied()
        .filter(|f| !guide.classes.searchable(*f))
        .collect();
    // With every candidate fact open, is the arm still reachable at all?
    let mut opened = deal.clone();
    for f in &candidates {
        if let Some(slot) = opened.facts.get_mut(*f as usize) {
            *slot = Value::Unknown(Blame::fact(*f));
        }
    }
    let mut open_candidates = Blame::default();
    for f in &candidates {
        open_candidates.insert(*f);
    }
    let wide = evaluate_three_valued_open(program, &opened, today, &open_candidates)?;
    if !arm_reachable(&wide, verdict, arm) {
        // Only a list could still reach it, if leaving it open does.
        let (lists, through) = helpful_lists(
            guide,
            &opened,
            &open_candidates,
            today,
            (verdict, arm),
            &lists_of(guide, &opaque),
        )?;
        return Ok((
            Vec::new(),
            false,
            Some(Reason::Unreachable { lists, through }),
        ));
    }
    // A fact without which (every other candidate open) the arm is out of
    // reach is in every change set: search only sets that hold them all.
    let mut necessary: Vec<usize> = Vec::new();
    for (index, fact) in candidates.iter().enumerate() {
        let mut without = opened.clone();
        if let (Some(slot), Some(value)) = (
            without.facts.get_mut(*fact as usize),
            deal.facts.get(*fact as usize),
        ) {
            *slot = value.clone();
        }
        let mut open = open_candidates.clone();
        open.remove(*fact);
        if !arm_reachable(
            &evaluate_three_valued_open(program, &without, today, &open)?,
            verdict,
            arm,
        ) {
            necessary.push(index);
        }
    }
    if necessary.len() > guide.budget.change_size {
        return Ok((
            Vec::new(),
            false,
            Some(Reason::AtLeast(
                necessary
                    .iter()
                    .filter_map(|i| candidates.get(*i).copied())
                    .collect(),
            )),
        ));
    }
    // Can finding out (the unknown facts only, known ones as recorded) reach it?
    let mut open_unknown = Blame::default();
    let mut only_unknown_opened = deal.clone();
    for f in candidates.iter().filter(|f| unknown(f)) {
        open_unknown.insert(*f);
        if let Some(slot) = only_unknown_opened.facts.get_mut(*f as usize) {
            *slot = Value::Unknown(Blame::fact(*f));
        }
    }
    let reachable_by_finding_out = arm_reachable(
        &evaluate_three_valued_open(program, &only_unknown_opened, today, &open_unknown)?,
        verdict,
        arm,
    );
    let values: Vec<Vec<Value>> = candidates
        .iter()
        .map(|f| {
            let current = deal.facts.get(*f as usize);
            guide
                .classes
                .values(*f, today)
                .into_iter()
                .filter(|v| current != Some(v))
                .collect()
        })
        .collect();
    // Sets that cannot make the arm's condition hold are skipped without
    // evaluating them (see `bound`): read from the deal as recorded, and
    // from the deal with one fact of the set changed (each of its values,
    // kept from the one-fact sets below).
    let condition = program
        .verdicts
        .get(verdict as usize)
        .and_then(|v| v.arms.get(arm as usize))
        .and_then(|a| a.when.as_ref())
        .map(Condition::new);
    let reading = match &condition {
        Some(condition) => {
            let fired = evaluate_fired(program, deal, today, condition.parts())?;
            let root = bound.gains(program, condition, fired);
            Some((condition, root))
        }
        None => None,
    };
    let mut singles: Vec<Vec<Gains>> = vec![Vec::new(); candidates.len()];
    let mut found: Vec<Vec<Change>> = Vec::new();
    let mut found_sets: Vec<Vec<usize>> = Vec::new();
    let mut evaluations = 0u64;
    let mut approximate = false;
    'sizes: for size in 1..=guide.budget.change_size.min(candidates.len()) {
        let mut combo: Vec<usize> = (0..size).collect();
        loop {
            if !found_sets
                .iter()
                .any(|set| set.iter().all(|i| combo.contains(i)))
                && necessary.iter().all(|i| combo.contains(i))
            {
                let mut works_here = false;
                let mut choice = vec![0usize; size];
                let ruled_out = reading.as_ref().is_some_and(|(condition, root)| {
                    cannot_hold(condition, root, &singles, &values, &candidates, &combo)
                });
                if ruled_out {
                    // No values of these facts can make the condition hold.
                    choice.clear();
                } else if size > 1 {
                    // One three-valued evaluation with these facts open
                    // rules out the whole product when the arm stays out.
                    if evaluations >= guide.budget.changes {
                        approximate = true;
                        break 'sizes;
                    }
                    evaluations += 1;
                    let mut opened = deal.clone();
                    let mut open = Blame::default();
                    for c in &combo {
                        if let Some(f) = candidates.get(*c) {
                            open.insert(*f);
                            if let Some(slot) = opened.facts.get_mut(*f as usize) {
                                *slot = Value::Unknown(Blame::fact(*f));
                            }
                        }
                    }
                    let wide = evaluate_three_valued_open(program, &opened, today, &open)?;
                    if !arm_reachable(&wide, verdict, arm) {
                        choice.clear();
                    }
                }
                'product: loop {
                    if choice.is_empty() {
                        break 'product;
                    }
                    let mut changes = Vec::with_capacity(size);
                    for (slot, candidate) in combo.iter().enumerate() {
                        let (Some(fact), Some(value)) = (
                            candidates.get(*candidate),
                            values
                                .get(*candidate)
                                .and_then(|v| v.get(*choice.get(slot).unwrap_or(&0))),
                        ) else {
                            break 'product;
                        };
                        changes.push(Change {
                            fact: *fact,
                            to: value.clone(),
                            now: deal
                                .facts
                                .get(*fact as usize)
                                .filter(|v| !v.is_unknown())
                                .cloned(),
                            alike: vec![value.clone()],
                        });
                    }
                    if evaluations >= guide.budget.changes {
                        approximate = true;
                        break 'sizes;
                    }
                    evaluations += 1;
                    let applied = crate::with_changes(
                        deal,
                        &changes
                            .iter()
                            .map(|c| (c.fact, c.to.clone()))
                            .collect::<Vec<_>>(),
                    );
                    let verdicts = match &reading {
                        Some((condition, _)) if size == 1 => {
                            let fired =
                                evaluate_fired(program, &applied, today, condition.parts())?;
                            let verdicts = fired.verdicts.clone();
                            if let Some(kept) = combo.first().and_then(|c| singles.get_mut(*c)) {
                                kept.push(bound.gains(program, condition, fired));
                            }
                            verdicts
                        }
                        _ => evaluate_verdicts(program, &applied, today)?,
                    };
                    if verdicts.get(verdict as usize) == Some(&arm) {
                        works_here = true;
                        found.push(changes);
                        if found.len() >= MAX_CHANGE_SETS {
                            break 'sizes;
                        }
                    }
                    // Next combination of values.
                    let mut slot = size;
                    loop {
                        if slot == 0 {
                            break 'product;
                        }
                        slot -= 1;
                        let limit = combo
                            .get(slot)
                            .and_then(|c| values.get(*c))
                            .map_or(0, Vec::len);
                        if let Some(c) = choice.get_mut(slot) {
                            *c += 1;
                            if *c < limit {
                                break;
                            }
                            *c = 0;
                        }
                    }
                }
                if works_here {
                    found_sets.push(combo.clone());
                }
            }
            // Next combination of facts.
            let n = candidates.len();
            let mut i = size;
            loop {
                if i == 0 {
                    continue 'sizes;
                }
                i -= 1;
                let max = n - size + i;
                if combo.get(i).is_some_and(|c| *c < max) {
                    if let Some(c) = combo.get_mut(i) {
                        *c += 1;
                    }
                    let base = combo.get(i).copied().unwrap_or(0);
                    for (k, c) in combo.iter_mut().enumerate().skip(i + 1) {
                        *c = base + (k - i);
                    }
                    break;
                }
            }
        }
    }
    let found = merge_alike(found);
    let reason = if !found.is_empty() {
        None
    } else if approximate && !reachable_by_finding_out {
        // Lists that, left open with the unknown facts, might reach it.
        let (lists, through) = helpful_lists(
            guide,
            &only_unknown_opened,
            &open_unknown,
            today,
            (verdict, arm),
            &lists_of(guide, &opaque),
        )?;
        Some(Reason::NotByFindingOut {
            lists,
            through,
            known: candidates.iter().copied().filter(|f| !unknown(f)).collect(),
        })
    } else if approximate {
        Some(Reason::Budget(guide.budget.change_size))
    } else {
        Some(Reason::NoChangeUpTo(guide.budget.change_size))
    };
    Ok((found, approximate, reason))
}

/// Whether changing every fact of `combo` (candidate indices) cannot make
/// the arm's condition hold, by the reading of `bound`: from the deal as
/// recorded (`root`), or, for a fact of the set whose every value was
/// evaluated alone (`singles`), from the deal with it changed to each of
/// its values in turn.
fn cannot_hold(
    condition: &Condition<'_>,
    root: &Gains,
    singles: &[Vec<Gains>],
    values: &[Vec<Value>],
    candidates: &[FactId],
    combo: &[usize],
) -> bool {
    let facts = |except: Option<usize>| -> Vec<FactId> {
        combo
            .iter()
            .filter(|c| Some(**c) != except)
            .filter_map(|c| candidates.get(*c).copied())
            .collect()
    };
    if !condition.may_hold(root, &facts(None)) {
        return true;
    }
    combo.iter().any(|pivot| {
        let (Some(alone), Some(all)) = (singles.get(*pivot), values.get(*pivot)) else {
            return false;
        };
        let rest = facts(Some(*pivot));
        !alone.is_empty()
            && alone.len() == all.len()
            && alone.iter().all(|base| !condition.may_hold(base, &rest))
    })
}

/// One change set per combination of classes: sets that differ in the value
/// of one fact only (and that fact only) become one set whose change of
/// that fact lists every value found (`alike`). The first set found is kept
/// as the one to replay, so every set reported is still one that was
/// evaluated and found to work, and still minimal.
fn merge_alike(found: Vec<Vec<Change>>) -> Vec<Vec<Change>> {
    let mut merged: Vec<Vec<Change>> = Vec::new();
    for set in found {
        let target = merged.iter_mut().find_map(|kept| {
            if kept.len() != set.len() || kept.iter().zip(&set).any(|(a, b)| a.fact != b.fact) {
                return None;
            }
            let differ: Vec<usize> = kept
                .iter()
                .zip(&set)
                .enumerate()
                .filter(|(_, (a, b))| !a.alike.contains(&b.to))
                .map(|(i, _)| i)
                .collect();
            let [only] = differ.as_slice() else {
                return None;
            };
            // Only along one fact: the others must not have been widened.
            let others_single = kept
                .iter()
                .enumerate()
                .all(|(i, c)| i == *only || c.alike.len() == 1);
            others_single.then_some((kept, *only))
        });
        match target {
            Some((kept, index)) => {
                if let (Some(change), Some(new)) = (kept.get_mut(index), set.get(index)) {
                    change.alike.push(new.to.clone());
                }
            }
            None => merged.push(set),
        }
    }
    merged
}

/// Whether some completion may still choose `arm`: its condition is not
/// false and no arm before it surely holds.
fn arm_reachable(partial: &Partial, verdict: u32, arm: u32) -> bool {
    let Some(arms) = partial.arms.get(verdict as usize) else {
        return true;
    };
    for (index, condition) in arms.iter().enumerate() {
        if index as u32 == arm {
            return *condition != Some(false);
        }
        if *condition == Some(true) {
            return false;
        }
    }
    true
}

/// The lists (and records) among `lists` whose new entries might reach the
/// arm: left open (unknown) on top of `base`, whose `open` facts are open
/// already, the three-valued reading no longer rules the arm out. Each list
/// is tried alone; when none helps alone, all of them together. With them,
/// the signals those entries could turn: decided on `base`, undecided with
/// the helpful lists left open, and turning the way that does not lower the
/// score (one that has not fired and weighs 0 or more, one that has and
/// weighs 0 or less).
fn helpful_lists(
    guide: &Guide<'_>,
    base: &Deal,
    open: &Blame,
    today: Date,
    (verdict, arm): (u32, u32),
    lists: &[FactId],
) -> Result<(Vec<FactId>, Vec<u32>), EvalError> {
    let with_open = |opened_lists: &[FactId]| -> Result<Partial, EvalError> {
        let mut deal = base.clone();
        let mut open = open.clone();
        for f in opened_lists {
            open.insert(*f);
            if let Some(slot) = deal.facts.get_mut(*f as usize) {
                *slot = Value::Unknown(Blame::fact(*f));
            }
        }
        evaluate_three_valued_open(guide.program, &deal, today, &open)
    };
    let mut helpful = Vec::new();
    for list in lists {
        if arm_reachable(&with_open(std::slice::from_ref(list))?, verdict, arm) {
            helpful.push(*list);
        }
    }
    if helpful.is_empty() && lists.len() > 1 && arm_reachable(&with_open(lists)?, verdict, arm) {
        helpful = lists.to_vec();
    }
    if helpful.is_empty() {
        return Ok((helpful, Vec::new()));
    }
    let before = with_open(&[])?;
    let after = with_open(&helpful)?;
    // Of those, the ones whose turn raises the score or leaves it (a
    // signal of weight 0): a better arm is what is asked about, and the
    // words should name the entries that help, not every entry that could.
    let weight = |signal: usize| guide.program.signals.get(signal).map_or(0, |s| s.weight);
    let through = after
        .fired
        .iter()
        .zip(before.fired.iter())
        .enumerate()
        .filter(|(signal, (now, was))| {
            now.is_none()
                && match was {
                    Some(false) => weight(*signal) >= 0,
                    Some(true) => weight(*signal) <= 0,
                    None => false,
                }
        })
        .map(|(signal, _)| signal as u32)
        .collect();
    Ok((helpful, through))
}

/// The list and record facts among `opaque`.
fn lists_of(guide: &Guide<'_>, opaque: &[FactId]) -> Vec<FactId> {
    opaque
        .iter()
        .copied()
        .filter(|f| {
            guide
                .program
                .facts
                .get(*f as usize)
                .is_some_and(|f| matches!(f.ty.ty, Type::List(_) | Type::Record(_)))
        })
        .collect()
}
