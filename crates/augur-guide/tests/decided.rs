//! Three-valued signals for authors: `decided(signal)`, the checker's
//! `augur::undecided-not` warning and its fix, and advice given only because
//! something is undecided (`settled: false`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use augur_eval::{decode_deal, evaluate};
use augur_guide::Guide;
use augur_syntax::{Code, Date};

const PLAYBOOK: &str = r#"
facts { champion_tested: bool?, stage: int }
signal tested_champion "We tested the champion" { when champion_tested and stage > 0 weight 2 }
advice test_champion "Test the champion" when not tested_champion {
  "Test your champion."
}
advice champion_failed "The champion failed" when decided(tested_champion) and not tested_champion {
  "The champion failed the test."
}
"#;

fn today() -> Date {
    Date::parse("2026-11-20").unwrap()
}

#[test]
fn the_checker_warns_on_not_signal_that_may_be_undecided_and_suggests_decided() {
    let analysis = augur_check::analyze_text(PLAYBOOK);
    let warnings: Vec<_> = analysis
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::UndecidedNot)
        .collect();
    // Only the unguarded `not tested_champion`.
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let fix = &warnings[0].suggestions[0];
    assert_eq!(
        fix.replacement,
        "(decided(tested_champion) and not tested_champion)"
    );
    // Applying the fix silences it.
    let source = &analysis.sources[0].text;
    let mut fixed = source.to_string();
    fixed.replace_range(fix.span.start..fix.span.end, &fix.replacement);
    let again = augur_check::analyze_text(&fixed);
    assert!(!again
        .diagnostics
        .iter()
        .any(|d| d.code == Code::UndecidedNot));
    assert!(!again.has_errors());
    // A signal whose facts are never unknown is not warned about.
    let sure = augur_check::analyze_text(
        "facts { stage: int }\nsignal s \"S\" { when stage > 1 weight 1 }\nadvice a \"A\" when not s { \"x\" }\n",
    );
    assert!(!sure
        .diagnostics
        .iter()
        .any(|d| d.code == Code::UndecidedNot));
    // decided() takes a signal.
    let bad =
        augur_check::analyze_text("facts { x: bool? }\nadvice a \"A\" when decided(x) { \"x\" }\n");
    assert!(bad.has_errors());
}

#[test]
fn the_examples_have_no_undecided_not() {
    for name in ["standing.augur", "standing.zh.augur"] {
        let path = format!("{}/../../examples/{name}", env!("CARGO_MANIFEST_DIR"));
        let analysis = augur_check::analyze_text(&std::fs::read_to_string(path).unwrap());
        assert!(
            !analysis
                .diagnostics
                .iter()
                .any(|d| d.code == Code::UndecidedNot),
            "{name}"
        );
    }
}

#[test]
fn decided_tells_did_not_fire_from_could_not_be_decided() {
    let analysis = augur_check::analyze_text(PLAYBOOK);
    let program = &analysis.program;
    let given = |deal: serde_json::Value| -> Vec<String> {
        let deal = decode_deal(program, &deal).unwrap();
        let outcome = evaluate(program, &deal, today()).unwrap();
        outcome
            .advice
            .iter()
            .map(|(id, _)| program.advice[*id as usize].name.clone())
            .collect()
    };
    // Nothing known: `not tested_champion` holds (as today), the guarded one does not.
    assert_eq!(given(serde_json::json!({"stage": 1})), ["test_champion"]);
    // Decided not to fire: both.
    assert_eq!(
        given(serde_json::json!({"stage": 1, "champion_tested": false})),
        ["test_champion", "champion_failed"]
    );
    // Fired: neither.
    assert!(given(serde_json::json!({"stage": 1, "champion_tested": true})).is_empty());
    // Decided by another fact although champion_tested is unknown: stage 0.
    assert_eq!(
        given(serde_json::json!({"stage": 0})),
        ["test_champion", "champion_failed"]
    );
}

#[test]
fn advice_given_only_because_something_is_undecided_is_not_settled() {
    let analysis = augur_check::analyze_text(PLAYBOOK);
    let program = &analysis.program;
    let guide = Guide::new(&analysis);
    let settled = |deal: serde_json::Value| {
        let deal = decode_deal(program, &deal).unwrap();
        guide.guide(&deal, today()).unwrap().settled
    };
    assert_eq!(settled(serde_json::json!({"stage": 1})), [false, true]);
    assert_eq!(
        settled(serde_json::json!({"stage": 1, "champion_tested": false})),
        [true, true]
    );
    assert_eq!(settled(serde_json::json!({"stage": 0})), [true, true]);
    let deal = decode_deal(program, &serde_json::json!({"stage": 1})).unwrap();
    let guidance = guide.guide(&deal, today()).unwrap();
    let outcome = evaluate(program, &deal, today()).unwrap();
    let mut result =
        augur_eval::Reporter::new(&analysis, "").json(&serde_json::json!("d"), &outcome);
    guide.add_json(&guidance, &mut result);
    assert_eq!(result["advice"][0]["settled"], false);
    let text = guide.text("d", &deal, &outcome, &guidance, false);
    assert!(
        text.contains("(not settled: given because something is not known yet)"),
        "{text}"
    );
}

#[test]
fn a_recorded_value_no_complete_deal_reaches_is_said_plainly() {
    let analysis = augur_check::analyze_text(
        "facts { x: bool? }\n\
         signal yes \"Yes\" { when x weight 1 }\n\
         signal no \"No\" { when not x weight -1 }\n\
         verdict v \"V\" { neither \"Neither\" when not yes and not no  one \"One\" otherwise }\n",
    );
    let program = &analysis.program;
    let deal = decode_deal(program, &serde_json::json!({})).unwrap();
    let guide = Guide::new(&analysis);
    let guidance = guide.guide(&deal, today()).unwrap();
    let v = &guidance.verdicts[0];
    assert_eq!(v.value, 0);
    assert_eq!(v.possible, [1]);
    assert!(v.decided);
    let outcome = evaluate(program, &deal, today()).unwrap();
    let text = guide.text("d", &deal, &outcome, &guidance, false);
    assert!(
        text.contains("V: Neither as recorded, but once everything is known it is One"),
        "{text}"
    );
}

#[test]
fn change_sets_stay_minimal_when_an_arm_relies_on_undecided_signals() {
    // `top` holds as recorded when `a` is known true and `b` undecided
    // (`not nob` reads true): no complete deal reaches it, yet one change
    // does, as --set replays it.
    let analysis = augur_check::analyze_text(
        "facts { a: bool?, b: bool?, c: bool? }\n\
         signal nob \"No b\" { when not b weight 1 }\n\
         signal sa \"A\" { when a weight 1 }\n\
         verdict v \"V\" { top \"Top\" when sa and not nob  mid \"Mid\" when c  low \"Low\" otherwise }\n",
    );
    let program = &analysis.program;
    let guide = Guide::new(&analysis);
    for deal in [
        serde_json::json!({}),
        serde_json::json!({"b": false}),
        serde_json::json!({"a": false, "c": false}),
    ] {
        let deal = decode_deal(program, &deal).unwrap();
        let guidance = guide.guide(&deal, today()).unwrap();
        for why in &guidance.verdicts[0].why_not {
            assert!(!why.changes.is_empty(), "{why:?}");
            for set in &why.changes {
                let changes: Vec<_> = set.iter().map(|c| (c.fact, c.to.clone())).collect();
                let applied = augur_guide::with_changes(&deal, &changes);
                assert_eq!(
                    evaluate(program, &applied, today()).unwrap().verdicts[0],
                    why.arm
                );
                for mask in 0..(1u32 << changes.len()) - 1 {
                    let subset: Vec<_> = changes
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| mask & (1 << i) != 0)
                        .map(|(_, c)| c.clone())
                        .collect();
                    let applied = augur_guide::with_changes(&deal, &subset);
                    assert_ne!(
                        evaluate(program, &applied, today()).unwrap().verdicts[0],
                        why.arm
                    );
                }
            }
        }
    }
}
