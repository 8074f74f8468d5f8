//! The search for the smallest changes of facts that reach an arm.
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
//!
//! Each evaluation starts from one kept before it (`evaluate_kept_again`):
//! the deal as recorded, as recorded in three values, or with every
//! candidate open; only the rules that can read a fact that differs from
//! that start run again (`cone::StepCones`), with the whole evaluation's
//! result.
//!
//! Not here: which parts of a condition failed, and the words (`whynot.rs`).

use super::*;

type Found = (Vec<Vec<Change>>, bool, Option<Reason>);

pub(super) fn search_changes(
    guide: &Guide<'_>,
    deal: &Deal,
    today: Date,
    (verdict, arm): (u32, u32),
    cone: &std::collections::BTreeSet<FactId>,
    bound: &ScoreBound,
) -> Result<Found, EvalError> {
    let program = guide.program;
    // An evaluation of `deal` that starts from `base`, where the facts
    // `changed` may differ (in value, or in being open).
    let again = |base: &Kept, deal: &Deal, open: Option<&Blame>, changed: &[FactId], probes| {
        let rerun = guide.steps.rerun(changed);
        evaluate_kept_again(program, base, deal, today, open, &rerun, probes)
    };
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
    // The deal as recorded, in three values with nothing open: where the
    // three-valued evaluations below start.
    let closed = evaluate_kept(program, deal, today, Some(&Blame::default()), &[])?;
    let wide = again(&closed, &opened, Some(&open_candidates), &candidates, &[])?;
    if !arm_reachable(wide.arms(), verdict, arm) {
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
        let narrower = again(
            &wide,
            &without,
            Some(&open),
            std::slice::from_ref(fact),
            &[],
        )?;
        if !arm_reachable(narrower.arms(), verdict, arm) {
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
    let unknown_candidates: Vec<FactId> =
        candidates.iter().copied().filter(|f| unknown(f)).collect();
    for f in &unknown_candidates {
        open_unknown.insert(*f);
        if let Some(slot) = only_unknown_opened.facts.get_mut(*f as usize) {
            *slot = Value::Unknown(Blame::fact(*f));
        }
    }
    let reachable_by_finding_out = arm_reachable(
        again(
            &closed,
            &only_unknown_opened,
            Some(&open_unknown),
            &unknown_candidates,
            &[],
        )?
        .arms(),
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
    // The deal as recorded: where the as-recorded evaluations below start.
    let recorded = evaluate_kept(
        program,
        deal,
        today,
        None,
        condition.as_ref().map_or(&[][..], Condition::parts),
    )?;
    let reading = condition
        .as_ref()
        .map(|condition| (condition, bound.gains(program, condition, recorded.fired())));
    let mut singles: Vec<Vec<Gains>> = vec![Vec::new(); candidates.len()];
    let mut found: Vec<Vec<Change>> = Vec::new();
    let mut found_sets: Vec<Vec<usize>> = Vec::new();
    let mut evaluations = 0u64;
    let mut approximate = false;
    // Reused for every set: the choice of values, the set's facts.
    let mut choice: Vec<usize> = Vec::new();
    let mut fact_buffers = (Vec::new(), Vec::new());
    'sizes: for size in 1..=guide.budget.change_size.min(candidates.len()) {
        let mut combo: Vec<usize> = (0..size).collect();
        loop {
            if !found_sets
                .iter()
                .any(|set| set.iter().all(|i| combo.contains(i)))
                && necessary.iter().all(|i| combo.contains(i))
            {
                let mut works_here = false;
                choice.clear();
                choice.resize(size, 0);
                let ruled_out = reading.as_ref().is_some_and(|(condition, root)| {
                    let set = CandidateSet {
                        candidates: &candidates,
                        values: &values,
                        combo: &combo,
                    };
                    cannot_hold(condition, root, &singles, set, &mut fact_buffers)
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
                    let facts: Vec<FactId> = combo
                        .iter()
                        .filter_map(|c| candidates.get(*c).copied())
                        .collect();
                    for f in &facts {
                        open.insert(*f);
                        if let Some(slot) = opened.facts.get_mut(*f as usize) {
                            *slot = Value::Unknown(Blame::fact(*f));
                        }
                    }
                    let wide = again(&closed, &opened, Some(&open), &facts, &[])?;
                    if !arm_reachable(wide.arms(), verdict, arm) {
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
                    let changed: Vec<FactId> = changes.iter().map(|c| c.fact).collect();
                    let verdicts = match &reading {
                        Some((condition, _)) if size == 1 => {
                            let fired =
                                again(&recorded, &applied, None, &changed, condition.parts())?
                                    .fired();
                            let verdicts = fired.verdicts.clone();
                            if let Some(kept) = combo.first().and_then(|c| singles.get_mut(*c)) {
                                kept.push(bound.gains(program, condition, fired));
                            }
                            verdicts
                        }
                        _ => again(&recorded, &applied, None, &changed, &[])?
                            .verdicts()
                            .to_vec(),
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

/// A set of candidate facts to change: `combo` holds indices into
/// `candidates` (and into `values`, each candidate's values).
#[derive(Clone, Copy)]
struct CandidateSet<'a> {
    candidates: &'a [FactId],
    values: &'a [Vec<Value>],
    combo: &'a [usize],
}

/// Whether changing every fact of the set cannot make the arm's condition
/// hold, by the reading of `bound`: from the deal as recorded (`root`), or,
/// for a fact of the set whose every value was evaluated alone (`singles`),
/// from the deal with it changed to each of its values in turn. The two
/// buffers hold the facts read (they are reused from set to set).
fn cannot_hold(
    condition: &Condition<'_>,
    root: &Gains,
    singles: &[Vec<Gains>],
    set: CandidateSet<'_>,
    (facts, rest): &mut (Vec<FactId>, Vec<FactId>),
) -> bool {
    facts.clear();
    facts.extend(
        set.combo
            .iter()
            .filter_map(|c| set.candidates.get(*c).copied()),
    );
    if !condition.may_hold(root, facts) {
        return true;
    }
    set.combo.iter().any(|pivot| {
        let (Some(alone), Some(all)) = (singles.get(*pivot), set.values.get(*pivot)) else {
            return false;
        };
        if alone.is_empty() || alone.len() != all.len() {
            return false;
        }
        rest.clear();
        rest.extend(
            set.combo
                .iter()
                .filter(|c| *c != pivot)
                .filter_map(|c| set.candidates.get(*c).copied()),
        );
        alone.iter().all(|base| !condition.may_hold(base, rest))
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
fn arm_reachable(arms: &[Vec<Option<bool>>], verdict: u32, arm: u32) -> bool {
    let Some(arms) = arms.get(verdict as usize) else {
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
        if arm_reachable(&with_open(std::slice::from_ref(list))?.arms, verdict, arm) {
            helpful.push(*list);
        }
    }
    if helpful.is_empty() && lists.len() > 1 && arm_reachable(&with_open(lists)?.arms, verdict, arm)
    {
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
