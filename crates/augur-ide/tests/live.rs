//! Live evaluation of a pinned deal: hints, lenses, test diagnostics and
//! hover additions, on the example playbooks (English and Chinese) and on
//! small texts.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use augur_check::{analyze, Analysis, FsLoader, MemoryLoader};
use augur_ide::live::*;
use augur_syntax::{Code, Date, FileId};
use std::path::Path;

fn today() -> Date {
    Date::parse("2026-11-20").unwrap()
}

fn examples() -> FsLoader {
    FsLoader::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples"))
}

fn example(name: &str) -> Analysis {
    let analysis = analyze(name, &examples());
    assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
    analysis
}

/// The hint whose offset is right after the first occurrence of `after`.
fn hint_after<'a>(analysis: &Analysis, hints: &'a [InlayHint], after: &str) -> &'a InlayHint {
    let text = &analysis.sources[0].text;
    let at = text.find(after).unwrap_or_else(|| panic!("{after:?}")) + after.len();
    hints
        .iter()
        .find(|h| h.offset == at)
        .unwrap_or_else(|| panic!("no hint after {after:?}: {hints:#?}"))
}

#[test]
fn a_pinned_test_shows_every_signal_let_arm_and_advice() {
    let analysis = example("standing.augur");
    let pin = Pin::Test("Case 1: Lao Kong's coal mine is a backup at best".into());
    let live = evaluate_pin(&analysis, &examples(), &pin, today());
    let evaluated = live.result.as_ref().unwrap();
    assert_eq!(evaluated.outcome.score, -13);
    let hints = inlay_hints(&analysis, FileId::ROOT, evaluated);
    assert_eq!(
        hint_after(&analysis, &hints, "signal few_questions").label,
        "✓ −3"
    );
    assert_eq!(
        hint_after(&analysis, &hints, "signal many_questions").label,
        "✗"
    );
    assert_eq!(
        hint_after(&analysis, &hints, "signal we_sell_ideas").label,
        "✗ group off"
    );
    assert_eq!(
        hint_after(&analysis, &hints, "signal exec_door_open").label,
        "✗"
    );
    assert_eq!(
        hint_after(
            &analysis,
            &hints,
            "let price_talks = count(events where kind == price_discussion)"
        )
        .label,
        "= 0"
    );
    assert_eq!(
        hint_after(
            &analysis,
            &hints,
            "let days_to_decision = days_until(decision_on)"
        )
        .label,
        "= ? needs decision_on"
    );
    assert_eq!(
        hint_after(&analysis, &hints, "backup       \"Backup\"         when red_flags == 0 and (stage == early or score > -8)").label,
        "✓ chosen, settled"
    );
    assert_eq!(
        hint_after(
            &analysis,
            &hints,
            "reference    \"Reference only\" otherwise"
        )
        .label,
        "✗ impossible"
    );
    assert_eq!(
        hint_after(&analysis, &hints, "advice leave_early").label,
        "✓ given"
    );
    assert_eq!(
        hint_after(&analysis, &hints, "advice engage").label,
        "✗ not given"
    );
    // Sorted, and every hint in the root file's text.
    assert!(hints.windows(2).all(|w| w[0].offset <= w[1].offset));
    assert!(hints
        .iter()
        .all(|h| h.offset <= analysis.sources[0].text.len()));
}

#[test]
fn an_undecided_signal_names_the_unknown_facts() {
    let text = "facts { stage: int, access: bool? }\n\
                signal open { when access weight 3 }\n\
                signal big { when stage > 1 weight 2 }\n\
                verdict v { good \"Good\" when access other \"Other\" otherwise }\n\
                test \"t\" { given { stage = 2 } }\n";
    let loader = MemoryLoader::new([("p.augur", text)]);
    let analysis = analyze("p.augur", &loader);
    let live = evaluate_pin(&analysis, &loader, &Pin::Test("t".into()), today());
    let evaluated = live.result.as_ref().unwrap();
    // With the possible-verdicts analysis (augur-guide): `access` decides.
    let hints = inlay_hints(&analysis, FileId::ROOT, evaluated);
    assert_eq!(
        hint_after(&analysis, &hints, "signal open").label,
        "? needs access"
    );
    assert_eq!(hint_after(&analysis, &hints, "signal big").label, "✓ +2");
    assert_eq!(
        hint_after(&analysis, &hints, "\"Good\" when access").label,
        "possible: depends on access"
    );
    assert_eq!(
        hint_after(&analysis, &hints, "otherwise").label,
        "✓ chosen, not settled"
    );
    assert_eq!(
        verdict_summary(&analysis, evaluated, 0).unwrap(),
        "Other · score +2 · 1 question decides it"
    );
    // Without it: the condition's unknown facts, chosen / not chosen.
    let mut plain = evaluated.clone();
    plain.reach = None;
    let hints = inlay_hints(&analysis, FileId::ROOT, &plain);
    assert_eq!(
        hint_after(&analysis, &hints, "\"Good\" when access").label,
        "? needs access"
    );
    assert_eq!(hint_after(&analysis, &hints, "otherwise").label, "✓ chosen");
    assert_eq!(
        verdict_summary(&analysis, &plain, 0).unwrap(),
        "Other · score +2"
    );
    // An arm no completion reaches is impossible; a decided verdict is settled.
    let mut decided = evaluated.clone();
    decided.reach = Some(Reach {
        possible: vec![vec![false, true]],
        deciding: vec![0],
        arm_facts: vec![vec![vec![], vec![]]],
        approximate: vec![false],
        advice_settled: vec![],
    });
    let hints = inlay_hints(&analysis, FileId::ROOT, &decided);
    assert_eq!(
        hint_after(&analysis, &hints, "\"Good\" when access").label,
        "✗ impossible"
    );
    assert_eq!(
        hint_after(&analysis, &hints, "otherwise").label,
        "✓ chosen, settled"
    );
    assert_eq!(
        verdict_summary(&analysis, &decided, 0).unwrap(),
        "Other · score +2 · settled"
    );
}

#[test]
fn a_pinned_deal_file_is_read_inside_the_folder_only() {
    let analysis = example("standing.zh.augur");
    let pin = Pin::Deal("deals/case2_smartech.json".into());
    let live = evaluate_pin(&analysis, &examples(), &pin, today());
    let evaluated = live.result.as_ref().unwrap();
    assert_eq!(evaluated.outcome.score, 13);
    let lenses = code_lenses(&analysis, FileId::ROOT, Some(&live), true);
    let verdict_lens = lenses
        .iter()
        .find(|l| l.action == LensAction::Show)
        .unwrap();
    assert!(verdict_lens.title.contains("score +13"), "{lenses:#?}");
    assert!(lenses[0]
        .title
        .starts_with("📌 Pinned: deal deals/case2_smartech.json"));

    let root = Path::new("/work/p");
    assert_eq!(pin_path(root, "deals/a.json").unwrap(), "deals/a.json");
    assert_eq!(
        pin_path(root, "/work/p/deals/a.json").unwrap(),
        "deals/a.json"
    );
    assert!(pin_path(root, "../secret.json").is_err());
    assert!(pin_path(root, "/etc/passwd").is_err());
    let missing = evaluate_pin(
        &analysis,
        &examples(),
        &Pin::Deal("nope.json".into()),
        today(),
    );
    assert!(missing.result.is_err());
}

#[test]
fn lenses_pin_and_run_each_test() {
    let analysis = example("standing.augur");
    let lenses = code_lenses(&analysis, FileId::ROOT, None, false);
    let tests = analysis.program.tests.len();
    assert_eq!(lenses[0].action, LensAction::RunAllTests);
    assert_eq!(lenses[0].offset, 0);
    let pins = lenses
        .iter()
        .filter(|l| matches!(l.action, LensAction::PinTest(_)))
        .count();
    let runs = lenses
        .iter()
        .filter(|l| matches!(l.action, LensAction::RunTest(_)))
        .count();
    assert_eq!((pins, runs), (tests, tests));
    let first = lenses
        .iter()
        .find(|l| matches!(l.action, LensAction::PinTest(_)))
        .unwrap();
    let text = &analysis.sources[0].text;
    let line_start = text[..first.offset].rfind('\n').map_or(0, |i| i + 1);
    assert!(text[line_start..].starts_with("test \"Case 1"));
}

#[test]
fn failing_expectations_become_warnings_on_their_line() {
    let analysis = example("standing.augur");
    assert!(test_diagnostics(&analysis, &examples(), None, today()).is_empty());

    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/standing.augur"),
    )
    .unwrap()
    .replace("expect score == -13", "expect score == -12");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let loader = Overlay {
        fs: FsLoader::new(&dir),
        text: text.clone(),
    };
    let analysis = analyze("standing.augur", &loader);
    let diagnostics = test_diagnostics(&analysis, &loader, None, today());
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let d = &diagnostics[0];
    assert_eq!(d.code, Code::TestFailed);
    assert_eq!(&text[d.span.start..d.span.end], "expect score == -12");
    assert!(
        d.message.contains("expected `score == -12`"),
        "{}",
        d.message
    );
    assert!(d.message.contains("score = −13"), "{}", d.message);

    // A given file that does not decode: on the `given`.
    let text = "facts { stage: int }\ntest \"t\" {\n  given \"bad.json\"\n  expect stage == 1\n}\n";
    let loader = MemoryLoader::new([("p.augur", text), ("bad.json", "{\"stage\": ")]);
    let analysis = analyze("p.augur", &loader);
    let diagnostics = test_diagnostics(&analysis, &loader, None, today());
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(
        &text[diagnostics[0].span.start..diagnostics[0].span.end],
        "\"bad.json\""
    );
    assert!(diagnostics[0]
        .message
        .contains("is not a valid deal: $: malformed JSON"));
}

struct Overlay {
    fs: FsLoader,
    text: String,
}

impl augur_check::Loader for Overlay {
    fn load(&self, path: &str) -> Result<String, String> {
        if path == "standing.augur" {
            Ok(self.text.clone())
        } else {
            self.fs.load(path)
        }
    }
}

#[test]
fn hover_adds_the_value_and_what_the_condition_read() {
    let analysis = example("standing.augur");
    let pin = Pin::Test("Case 1: Lao Kong's coal mine is a backup at best".into());
    let live = evaluate_pin(&analysis, &examples(), &pin, today());
    let signal = analysis
        .program
        .signals
        .iter()
        .position(|s| s.name == "few_questions")
        .unwrap();
    let md = hover_addition(
        &analysis,
        augur_check::ir::Symbol::Signal(signal as u32),
        &live,
    )
    .unwrap();
    assert!(md.contains("fires for the pinned deal: −3"), "{md}");
    assert!(md.contains("customer_questions = few"), "{md}");
    assert!(md.contains("questions_only_on_differences = false"), "{md}");
    let md = hover_addition(&analysis, augur_check::ir::Symbol::Verdict(0), &live).unwrap();
    assert!(md.contains("Backup · score −13"), "{md}");
    assert!(md.contains("red_flags = 0"), "{md}");
}

#[test]
fn a_broken_playbook_or_a_missing_test_explains_itself() {
    let loader = MemoryLoader::new([(
        "p.augur",
        "facts { x: int }\nsignal s { when y weight 1 }\n",
    )]);
    let analysis = analyze("p.augur", &loader);
    let live = evaluate_pin(&analysis, &loader, &Pin::Test("t".into()), today());
    assert!(live.result.unwrap_err().message.contains("errors"));
    let analysis = example("standing.augur");
    let live = evaluate_pin(&analysis, &examples(), &Pin::Test("gone".into()), today());
    assert!(live.result.unwrap_err().message.contains("no longer"));
}

/// The examples' folder, with one more deal file in memory.
struct WithDeal {
    fs: FsLoader,
    deal: &'static str,
}

impl augur_check::Loader for WithDeal {
    fn load(&self, path: &str) -> Result<String, String> {
        if path == "late.json" {
            Ok(self.deal.to_string())
        } else {
            self.fs.load(path)
        }
    }
}

#[test]
fn one_question_decides_a_late_deal_with_nothing_else_known() {
    // The issue's own example: late stage, nothing else known → Backup, and
    // only `late_objection` can change it (to Reference only).
    for playbook in ["standing.augur", "standing.zh.augur"] {
        let loader = WithDeal {
            fs: examples(),
            deal: r#"{"id": "u1", "stage": "late"}"#,
        };
        let analysis = analyze(playbook, &loader);
        let live = evaluate_pin(&analysis, &loader, &Pin::Deal("late.json".into()), today());
        let evaluated = live.result.as_ref().unwrap();
        let summary = verdict_summary(&analysis, evaluated, 0).unwrap();
        assert!(summary.ends_with("· 1 question decides it"), "{summary}");
        let hints = inlay_hints(&analysis, FileId::ROOT, evaluated);
        let labels: Vec<&str> = hints.iter().map(|h| h.label.as_str()).collect();
        assert!(labels.contains(&"✓ chosen, not settled"), "{labels:?}");
        assert!(labels.contains(&"✗ impossible"), "{labels:?}");
        assert!(
            labels.contains(&"possible: depends on late_objection"),
            "{labels:?}"
        );
    }
}

#[test]
fn a_search_cut_short_says_so_instead_of_counting_questions() {
    // 150 signals over 40 unknown facts: past the editor's budget.
    let mut text = String::from("facts {\n");
    for f in 0..40 {
        text.push_str(&format!("  f{f}: bool?\n"));
    }
    text.push_str("}\n");
    for s in 0..150 {
        text.push_str(&format!(
            "signal s{s} {{ when f{} and not f{} weight {} }}\n",
            s % 40,
            (s * 7 + 3) % 40,
            if s % 2 == 0 { 2 } else { -1 }
        ));
    }
    text.push_str("verdict v { high \"High\" when score >= 20  mid \"Mid\" when score >= 0  low \"Low\" otherwise }\n");
    let loader = MemoryLoader::new([("p.augur", text.as_str()), ("d.json", "{}")]);
    let analysis = analyze("p.augur", &loader);
    assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
    assert_eq!(editor_budget(&analysis.program).search, 120_000 / 153);
    assert!(rule_count(&analysis.program) <= GUIDE_MAX_RULES);
    let live = evaluate_pin(&analysis, &loader, &Pin::Deal("d.json".into()), today());
    let evaluated = live.result.as_ref().unwrap();
    let reach = evaluated.reach.as_ref().unwrap();
    assert_eq!(reach.approximate, vec![true]);
    let summary = verdict_summary(&analysis, evaluated, 0).unwrap();
    assert!(
        summary.ends_with("open questions remain (not searched to the end)"),
        "{summary}"
    );
    let hints = inlay_hints(&analysis, FileId::ROOT, evaluated);
    assert!(hints
        .iter()
        .all(|h| !h.label.contains("settled,") && h.label != "✓ chosen, settled"));
}

#[test]
fn a_playbook_past_the_rule_limit_shows_chosen_and_not_chosen_only() {
    let mut text = String::from("facts { f: bool? }\n");
    for s in 0..=GUIDE_MAX_RULES {
        text.push_str(&format!("signal s{s} {{ when f weight 1 }}\n"));
    }
    text.push_str("verdict v { high \"High\" when score > 0  low \"Low\" otherwise }\n");
    let loader = MemoryLoader::new([("p.augur", text.as_str()), ("d.json", "{}")]);
    let analysis = analyze("p.augur", &loader);
    let live = evaluate_pin(&analysis, &loader, &Pin::Deal("d.json".into()), today());
    let evaluated = live.result.as_ref().unwrap();
    assert!(evaluated.reach.is_none());
    assert_eq!(
        verdict_summary(&analysis, evaluated, 0).unwrap(),
        "Low · score 0"
    );
}

#[test]
fn a_score_or_weight_shows_its_sign_except_zero() {
    assert_eq!(signed(3), "+3");
    assert_eq!(signed(-3), "−3");
    assert_eq!(signed(0), "0");
    assert_eq!(score_text(0), "score 0");
    assert_eq!(score_text(-13), "score −13");
}

/// A pinned deal file is read as `augur eval` reads it: every digit of a
/// number kept, a key given twice refused (it went through `f64` and a
/// `serde_json::Value` before).
#[test]
fn a_pinned_deal_file_keeps_every_digit_and_refuses_a_repeated_key() {
    let text = "facts { x: number }\n\
                signal exact { when x == 1234567890.123456789 weight 1 }\n\
                verdict v { hit \"Hit\" when exact  miss \"Miss\" otherwise }\n";
    let loader = MemoryLoader::new([
        ("p.augur", text),
        ("d.json", "{\"x\": 1234567890.123456789}"),
        ("twice.json", "{\"x\": 1, \"x\": 2}"),
    ]);
    let analysis = analyze("p.augur", &loader);
    assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
    let live = evaluate_pin(&analysis, &loader, &Pin::Deal("d.json".into()), today());
    let evaluated = live.result.as_ref().expect("the deal evaluates");
    let hints = inlay_hints(&analysis, FileId::ROOT, evaluated);
    assert_eq!(hint_after(&analysis, &hints, "signal exact").label, "✓ +1");
    let live = evaluate_pin(&analysis, &loader, &Pin::Deal("twice.json".into()), today());
    let error = live.result.expect_err("a key given twice is refused");
    assert!(error.message.contains("given twice"), "{}", error.message);
}
