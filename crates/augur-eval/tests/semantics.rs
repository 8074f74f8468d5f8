//! The evaluator's semantics, one case per rule of docs/language.md: a
//! playbook, a deal, and what must come out.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use augur_eval::{decode_deal, evaluate, Outcome};
use augur_syntax::Date;

const PLAYBOOK: &str = r#"
enum Stage { early, mid, late }
enum Kind { exec_meeting, demo }
record Event { kind: Kind, on: date, note: text? }
facts {
  stage: Stage
  a: bool?
  b: bool?
  n: int?
  x: number?
  events: list<Event>
}
let execs = events where kind == exec_meeting
let last_exec = last(execs)
let gap = days_since(last_exec.on)
let ratio = n / 0
let big = n * n
signal and_false { when a and b weight 1 }
signal or_true { when a or b weight 2 }
signal not_a { when not a weight 4 }
signal recent_exec { when gap <= 30 weight 8 message "{gap} days ago" }
signal later_stage { when stage >= mid weight 16 }
signal any_demo { when any(events, kind == demo) weight 32 }
signal all_noted { when all(events, known(note)) weight 64 }
signal div_zero { when ratio > 1 weight 128 }
signal defaulted { when (n ?? 0) == 0 weight 256 }
signal decimal { when x + 1 > 2.5 weight 512 }
signal overflow { when big > 0 weight 0 }
verdict v { hi "High" when score >= 16  lo "Low" otherwise }
advice go when v == hi { "Score {score}." }
"#;

fn run(deal: serde_json::Value) -> Result<(Outcome, Vec<String>), String> {
    let analysis = augur_check::analyze_text(PLAYBOOK);
    assert!(!analysis.has_errors(), "{:#?}", analysis.diagnostics);
    let program = &analysis.program;
    let deal = decode_deal(program, &deal).map_err(|e| e.to_string())?;
    let outcome =
        evaluate(program, &deal, Date::parse("2026-11-20").unwrap()).map_err(|e| e.message)?;
    let fired = program
        .signals
        .iter()
        .zip(&outcome.fired)
        .filter(|(_, f)| **f)
        .map(|(s, _)| s.name.clone())
        .collect();
    Ok((outcome, fired))
}

fn unknown_names(outcome: &Outcome) -> Vec<&'static str> {
    let names = ["stage", "a", "b", "n", "x", "events"];
    outcome.unknown.iter().map(|f| names[*f as usize]).collect()
}

#[test]
fn kleene_logic_and_relevant_unknowns() {
    // a = false, b unknown: `a and b` is false (no blame), `a or b` unknown (blames b).
    let (outcome, fired) = run(serde_json::json!({"stage": "early", "a": false})).unwrap();
    assert!(!fired.contains(&"and_false".to_string()));
    assert!(!fired.contains(&"or_true".to_string()));
    assert!(fired.contains(&"not_a".to_string()));
    assert!(unknown_names(&outcome).contains(&"b"));
    // a = true, b unknown: `a or b` is true regardless of b.
    let (outcome, fired) =
        run(serde_json::json!({"stage": "early", "a": true, "n": 1, "x": 1})).unwrap();
    assert!(fired.contains(&"or_true".to_string()));
    // b still matters: `a and b` is undecided.
    assert_eq!(unknown_names(&outcome), vec!["b", "events"]);
}

#[test]
fn lists_dates_and_empty_lists() {
    let deal = serde_json::json!({"stage": "mid", "n": 2, "x": 2, "events": [
        {"kind": "exec_meeting", "on": "2026-11-01"},
        {"kind": "demo", "on": "2026-11-10", "note": "went well"}
    ]});
    let (outcome, fired) = run(deal).unwrap();
    assert!(fired.contains(&"recent_exec".to_string()));
    assert_eq!(outcome.messages[3].as_deref(), Some("19 days ago"));
    assert!(
        fired.contains(&"later_stage".to_string()),
        "enums are ordered"
    );
    assert!(fired.contains(&"any_demo".to_string()));
    assert!(
        !fired.contains(&"all_noted".to_string()),
        "the exec meeting has no note"
    );
    assert!(fired.contains(&"decimal".to_string()), "2 + 1 > 2.5");
    // No events: last() of nothing is unknown and blames the events list.
    let (outcome, fired) = run(serde_json::json!({"stage": "mid", "n": 1, "x": 0})).unwrap();
    assert!(!fired.contains(&"recent_exec".to_string()));
    assert!(unknown_names(&outcome).contains(&"events"));
    assert!(
        fired.contains(&"all_noted".to_string()),
        "all() of an empty list holds"
    );
}

#[test]
fn division_by_zero_is_unknown_and_coalesce_supplies_defaults() {
    let (_, fired) = run(serde_json::json!({"stage": "early", "n": 5})).unwrap();
    assert!(!fired.contains(&"div_zero".to_string()));
    assert!(!fired.contains(&"defaulted".to_string()));
    let (_, fired) = run(serde_json::json!({"stage": "early"})).unwrap();
    assert!(fired.contains(&"defaulted".to_string()));
}

#[test]
fn integer_overflow_is_an_error_naming_the_expression() {
    let error = run(serde_json::json!({"stage": "early", "n": 9_000_000_000_i64})).unwrap_err();
    assert!(error.contains("too large"), "{error}");
}

#[test]
fn score_verdict_and_advice() {
    let (outcome, _) = run(serde_json::json!({"stage": "late", "a": false, "n": 0})).unwrap();
    // not_a (4) + later_stage (16) + defaulted (256) + all_noted (64, no events)
    assert_eq!(outcome.score, 4 + 16 + 256 + 64);
    assert_eq!(outcome.verdicts, vec![0]);
    assert_eq!(outcome.advice[0].1, format!("Score {}.", outcome.score));
}

#[test]
fn required_facts_and_bad_values_are_errors_with_paths() {
    assert_eq!(
        run(serde_json::json!({})).unwrap_err(),
        "$.stage: `stage` must be given: it is not optional in this playbook"
    );
    let error =
        run(serde_json::json!({"stage": "mid", "events": [{"kind": "lunch", "on": "2026-01-01"}]}))
            .unwrap_err();
    assert_eq!(
        error,
        "$.events[0].kind: \"lunch\" is not a valid Kind; the choices are: exec_meeting, demo"
    );
}

#[test]
fn the_result_json_is_stable() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let (loader, name) = augur_check::FsLoader::for_playbook(&root.join("standing.augur"));
    let analysis = augur_check::analyze(&name, &loader);
    assert!(!analysis.has_errors());
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("deals/case3_anhui.json")).unwrap(),
    )
    .unwrap();
    let deal = decode_deal(&analysis.program, &json).unwrap();
    let outcome = evaluate(&analysis.program, &deal, deal.as_of.unwrap()).unwrap();
    let report = augur_eval::Reporter::new(&analysis, "examples")
        .json(&serde_json::json!("case3-anhui"), &outcome);
    insta::assert_snapshot!(
        "case3_anhui_result",
        serde_json::to_string_pretty(&report).unwrap()
    );
}
