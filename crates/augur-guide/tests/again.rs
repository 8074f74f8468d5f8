//! Evaluating a changed deal again in part (`evaluate_kept_again`, with the
//! steps `StepCones` marks) gives what evaluating it whole gives: the why-not
//! search rests on it. Deals of the example playbooks, in English and
//! Chinese, with one to three facts changed to any value, made unknown, or
//! left open in the three-valued reading.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use augur_check::ir::{Expr, FactId, Type};
use augur_eval::value::Blame;
use augur_eval::{decode_deal, evaluate_kept, evaluate_kept_again, Kept, Value};
use augur_guide::cone::StepCones;
use augur_syntax::Date;
use proptest::prelude::*;

mod common;

fn load(chinese: bool) -> (&'static augur_check::Analysis, &'static StepCones) {
    static CONES: std::sync::OnceLock<[StepCones; 2]> = std::sync::OnceLock::new();
    let cones = CONES.get_or_init(|| {
        [false, true].map(|chinese| StepCones::new(&common::example(chinese).program))
    });
    (common::example(chinese), &cones[usize::from(chinese)])
}

const EVENTS: &[&str] = &[
    "[]",
    r#"[{"kind":"exec_meeting","on":"2026-11-10"}]"#,
    r#"[{"kind":"exec_meeting","on":"2026-09-01"},{"kind":"price_discussion","on":"2026-10-01"}]"#,
];

/// A value of the fact's type drawn from `pick`; unknown for a seventh
/// of picks.
fn any_value(program: &augur_check::ir::Program, ty: &Type, pick: u64) -> Option<Value> {
    if pick.is_multiple_of(7) {
        return Some(Value::unknown());
    }
    common::any_value(program, ty, pick)
}

fn same(whole: &Kept, part: &Kept, what: &str) {
    assert_eq!(whole.verdicts(), part.verdicts(), "{what}: verdicts");
    assert_eq!(whole.arms(), part.arms(), "{what}: arms");
    let (whole, part) = (whole.fired(), part.fired());
    assert_eq!(whole.fired, part.fired, "{what}: signals");
    assert_eq!(whole.group_active, part.group_active, "{what}: groups");
    assert_eq!(whole.probes, part.probes, "{what}: probes");
}

fn check(chinese: bool, events: usize, picks: Vec<u64>, changes: Vec<(usize, u64)>, day: i32) {
    let (analysis, cones) = load(chinese);
    let program = &analysis.program;
    let today = Date::from_days(Date::parse("2026-11-20").unwrap().days() + day);
    let json: serde_json::Value =
        serde_json::from_str(&format!(r#"{{"stage":"mid","events":{}}}"#, EVENTS[events])).unwrap();
    let mut deal = decode_deal(program, &json).unwrap();
    for (f, fact) in program.facts.iter().enumerate() {
        if let Some(value) = any_value(program, &fact.ty.ty, picks[f % picks.len()]) {
            deal.facts[f] = value;
        }
    }
    // The probes: every arm's condition, as the search asks for them.
    let probes: Vec<&Expr> = program
        .verdicts
        .iter()
        .flat_map(|v| v.arms.iter().filter_map(|a| a.when.as_ref()))
        .collect();
    let mut changed: Vec<FactId> = Vec::new();
    let mut variant = deal.clone();
    let mut opened = deal.clone();
    let mut open = Blame::default();
    for (fact, pick) in changes {
        let f = (fact % program.facts.len()) as FactId;
        let Some(value) = any_value(program, &program.facts[f as usize].ty.ty, pick) else {
            continue;
        };
        changed.push(f);
        variant.facts[f as usize] = value;
        opened.facts[f as usize] = Value::Unknown(Blame::fact(f));
        open.insert(f);
    }
    let rerun = cones.rerun(&changed);
    // As recorded.
    let base = evaluate_kept(program, &deal, today, None, &probes).unwrap();
    let whole = evaluate_kept(program, &variant, today, None, &probes).unwrap();
    let part = evaluate_kept_again(program, &base, &variant, today, None, &rerun, &probes).unwrap();
    same(&whole, &part, "as recorded");
    // Three-valued, from nothing open to the changed facts open.
    let closed = Blame::default();
    let base = evaluate_kept(program, &deal, today, Some(&closed), &[]).unwrap();
    let whole = evaluate_kept(program, &opened, today, Some(&open), &[]).unwrap();
    let part =
        evaluate_kept_again(program, &base, &opened, today, Some(&open), &rerun, &[]).unwrap();
    same(&whole, &part, "opened");
    // And back: from the changed facts open to them closed again.
    let back = evaluate_kept(program, &deal, today, Some(&closed), &[]).unwrap();
    let part =
        evaluate_kept_again(program, &whole, &deal, today, Some(&closed), &rerun, &[]).unwrap();
    same(&back, &part, "closed again");
}

#[test]
fn a_change_that_no_rule_reads_runs_no_step_again() {
    let (analysis, cones) = load(false);
    assert!(cones.rerun(&[]).iter().all(|rerun| !rerun));
    // Every step reads some fact, and a fact read by no rule marks none.
    let program = &analysis.program;
    let all: Vec<FactId> = (0..program.facts.len() as FactId).collect();
    assert!(cones.rerun(&all).iter().all(|rerun| *rerun));
    let stage = program
        .facts
        .iter()
        .position(|f| f.name == "stage")
        .unwrap() as FactId;
    let marked = cones.rerun(&[stage]).iter().filter(|r| **r).count();
    assert!(marked > 0 && marked < program.order.len(), "{marked}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn a_deal_evaluated_again_in_part_is_the_deal_evaluated_whole(
        chinese in any::<bool>(),
        events in 0usize..EVENTS.len(),
        picks in proptest::collection::vec(any::<u64>(), 20),
        changes in proptest::collection::vec((any::<usize>(), any::<u64>()), 1..4),
        day in -40i32..40,
    ) {
        check(chinese, events, picks, changes, day);
    }
}
