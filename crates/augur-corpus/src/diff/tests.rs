//! The comparison's own tests: the fast path against the full comparison,
//! and the playbook-level changes of every kind of edit.

use super::*;
use augur_eval::batch::OutputFormat;

fn options() -> Options {
    Options {
        format: OutputFormat::Jsonl,
        explain: false,
        strict: false,
        today: None,
        fallback_today: augur_syntax::Date::parse("2026-12-01").unwrap(),
        jobs: 1,
    }
}

/// The allocation-free check of an unchanged deal agrees with the full
/// comparison on every deal of the history, for several edits.
#[test]
fn the_fast_path_agrees_with_the_full_comparison() {
    let standing = include_str!("../../../../examples/standing.augur");
    let edits = [
        standing.replacen("when score >= 6 and", "when score >= 3 and", 1),
        standing.replacen("weight -5", "weight -9", 1),
        standing.replace("session_minutes", "meeting_minutes"),
        standing.replacen(
            "advice engage \"Engage\" when",
            "advice engage \"Engage\" when stage == mid and",
            1,
        ),
    ];
    let old = augur_check::analyze_text(standing);
    assert!(!old.has_errors());
    let deals = augur_bench::history::history(7, 600);
    for edit in &edits {
        let new = augur_check::analyze_text(edit);
        assert!(!new.has_errors(), "{:?}", new.diagnostics.first());
        let diff = Diff::new(&old, "", &new, "", options());
        let old_decoder = augur_eval::DealDecoder::new(&old.program);
        let new_decoder = augur_eval::DealDecoder::new(&new.program);
        let today = augur_syntax::Date::parse("2026-12-01").unwrap();
        let mut changed = 0;
        for deal in &deals {
            let text = deal.to_string();
            let a = old_decoder.decode_text(&text).unwrap();
            let b = new_decoder.decode_text(&text).unwrap();
            let a = augur_eval::evaluate(&old.program, &a, a.as_of.unwrap_or(today)).unwrap();
            let b = augur_eval::evaluate(&new.program, &b, b.as_of.unwrap_or(today)).unwrap();
            let fast = diff.unchanged(&a, &b);
            let (cells, change) = diff.compare_outcomes(Json::Null, &a, &b);
            assert_eq!(fast.is_some(), change.is_none(), "{text}");
            if let Some(fast) = fast {
                assert_eq!(fast, cells);
            }
            changed += usize::from(change.is_some());
        }
        assert!(changed > 0, "every edit changes some deal");
    }
}

#[test]
fn static_changes_name_every_kind_of_edit() {
    let old = augur_check::analyze_text(
        "enum S { a, b }\nfacts { x: int\n s: S }\nsignal p \"P\" { when x > 1 weight 1 }\nsignal q \"Q\" { when x > 2 weight 2 }\nverdict v \"V\" {\n hi \"Hi\" when p\n lo \"Lo\" otherwise\n}\nadvice go \"Go\" when p { \"go\" }\n",
    );
    let new = augur_check::analyze_text(
        "enum S { a, b }\nfacts { y: int\n s: S? }\nsignal p \"P\" { when y > 1 weight 3 }\nsignal r \"R\" { when y > 2 weight 2 }\nverdict v \"V\" {\n hi \"Hi\" when p\n mid \"Mid\" when r\n lo \"Lo\" otherwise\n}\nverdict w \"W\" {\n one \"One\" otherwise\n}\nadvice stop \"Stop\" when r { \"stop\" }\n",
    );
    assert!(!old.has_errors() && !new.has_errors());
    let changes = StaticChanges::between(&old.program, &new.program);
    assert_eq!(changes.facts_added, [("y".to_string(), "int".to_string())]);
    assert_eq!(
        changes.facts_removed,
        [("x".to_string(), "int".to_string())]
    );
    assert_eq!(
        changes.facts_retyped,
        [("s".to_string(), "S".to_string(), "S?".to_string())]
    );
    assert_eq!(changes.weights, [("p".to_string(), 1, 3)]);
    assert_eq!(changes.signals_added, ["r"]);
    assert_eq!(changes.signals_removed, ["q"]);
    assert_eq!(changes.verdicts_added, ["w"]);
    assert_eq!(changes.arms_added, [("v".to_string(), "mid".to_string())]);
    assert_eq!(changes.advice_added, ["stop"]);
    assert_eq!(changes.advice_removed, ["go"]);
    let diff = Diff::new(&old, "", &new, "", options());
    let lines = diff.changes_text().join("\n");
    assert!(
        lines.contains("facts added: y (int)") && lines.contains("p +1 → +3"),
        "{lines}"
    );
}
