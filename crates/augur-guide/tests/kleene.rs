//! Kleene soundness of the three-valued reading, the property the whole
//! search rests on: whatever `evaluate_three_valued` decides for a deal with
//! unknown facts is what every completion of those facts gets, and the
//! score of every completion lies in its interval. Completions draw any
//! value, not only class representatives.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use augur_eval::{decode_deal, evaluate, evaluate_three_valued};
use augur_syntax::Date;
use proptest::prelude::*;

mod common;
use common::any_value;

fn load(name: &str) -> &'static augur_check::Analysis {
    common::example(name.contains(".zh."))
}

const EVENTS: &[&str] = &[
    "[]",
    r#"[{"kind":"exec_meeting","on":"2026-11-10"}]"#,
    r#"[{"kind":"exec_meeting","on":"2026-09-01"},{"kind":"price_discussion","on":"2026-10-01"}]"#,
    r#"[{"kind":"price_discussion","on":"2026-11-01"}]"#,
];

fn check(name: &str, stage: usize, events: usize, known: Vec<bool>, picks: Vec<u64>, day: i32) {
    let analysis = load(name);
    let program = &analysis.program;
    let today = Date::from_days(Date::parse("2026-11-20").unwrap().days() + day);
    let stage = ["early", "mid", "late"][stage];
    let json: serde_json::Value = serde_json::from_str(&format!(
        r#"{{"stage":"{stage}","events":{}}}"#,
        EVENTS[events]
    ))
    .unwrap();
    let mut partial_deal = decode_deal(program, &json).unwrap();
    let mut complete = partial_deal.clone();
    for (f, fact) in program.facts.iter().enumerate() {
        if !fact.ty.maybe_unknown {
            continue;
        }
        let Some(value) = any_value(program, &fact.ty.ty, picks[f % picks.len()]) else {
            continue;
        };
        complete.facts[f] = value.clone();
        if known[f % known.len()] {
            partial_deal.facts[f] = value;
        }
    }
    let partial = evaluate_three_valued(program, &partial_deal, today).unwrap();
    let outcome = evaluate(program, &complete, today).unwrap();
    for (v, decided) in partial.verdicts.iter().enumerate() {
        if let Some(arm) = decided {
            assert_eq!(*arm, outcome.verdicts[v], "verdict {v}");
        }
    }
    for (s, decided) in partial.fired.iter().enumerate() {
        if let Some(fired) = decided {
            assert_eq!(
                *fired, outcome.fired[s],
                "signal {}",
                program.signals[s].name
            );
        }
    }
    for (a, decided) in partial.advice.iter().enumerate() {
        if let Some(given) = decided {
            let really = outcome.advice.iter().any(|(id, _)| *id as usize == a);
            assert_eq!(*given, really, "advice {}", program.advice[a].name);
        }
    }
    let (low, high) = partial.score;
    assert!(
        low <= outcome.score && outcome.score <= high,
        "score {} in [{low}, {high}]",
        outcome.score
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn decided_parts_hold_in_every_completion(
        stage in 0usize..3,
        events in 0usize..EVENTS.len(),
        known in proptest::collection::vec(any::<bool>(), 20),
        picks in proptest::collection::vec(any::<u64>(), 20),
        day in -40i32..40,
        chinese in any::<bool>(),
    ) {
        let name = if chinese { "standing.zh.augur" } else { "standing.augur" };
        check(name, stage, events, known, picks, day);
    }
}
