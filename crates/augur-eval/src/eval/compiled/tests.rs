//! Unit tests of the compiler and the machine, each against the tree walker.

use super::compile::max_depth;
use super::*;

fn program(text: &str) -> Program {
    let analysis = augur_check::analyze_text(text);
    assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
    analysis.program
}

const EVERY_OP: &str = "enum Stage { early, late }\n\
     record Event { kind: text  on: date }\n\
     facts { stage: Stage?  n: int?  m: int?  on: date?  ok: bool?  note: text?  events: list<Event> }\n\
     signal a { when stage == late and n > 3 weight 1 }\n\
     signal b { when stage in [early, late] or n in [1, 2, m] weight 1 }\n\
     signal c { when not ok or (n ?? 7) >= -m weight 2 }\n\
     signal d { when count([a, b, ok, n > 1] where it) >= 2 and known(on) weight 1 }\n\
     signal e { when days_since(on) > 10 or days_until(on + 3) < n * 2 - m weight 1 }\n\
     signal f { when count(events) > 1 and decided(a) and note == \"x\" weight 1 }\n\
     signal g { when today - on > 30 and decided(e) weight 1 }\n\
     signal k { when any(events, it.on > today - 300) and all(events, it.kind != \"z\") or count(events where it.on < today) > 1 weight 1 }\n\
     group grp \"G\" when (ok ?? (stage == late)) { signal h { when n > 0 weight 3 } }\n\
     verdict v \"V\" {\n hot \"Hot\" when a and d and score >= 2\n cold \"Cold\" otherwise\n}\n\
     advice push \"Push\" when v == hot and not f and score(grp) >= 0 { \"Go.\" }\n";

const DEALS: &[&str] = &[
    r#"{"stage": "late", "n": 5, "m": 2, "on": "2026-10-01", "ok": true, "note": "x", "events": [{"kind": "x", "on": "2026-01-01"}, {"kind": "y", "on": "2026-02-01"}]}"#,
    r#"{"stage": null, "n": null, "m": null, "on": null, "ok": null, "events": []}"#,
    r#"{"stage": "early", "n": 2, "ok": false, "events": []}"#,
    r#"{"n": 1, "m": 1, "on": "2026-11-25", "ok": true, "events": []}"#,
];

#[test]
fn every_operation_counts_the_steps_of_the_tree_walker() {
    // No lets: every step runs on all paths, so the counts must match.
    let program = program(EVERY_OP);
    let code = Code::new(&program).unwrap();
    assert!(code.signals.iter().all(Option::is_some));
    let decoder = crate::DealDecoder::new(&program);
    let today = Date::parse("2026-11-29").unwrap();
    let lazy: Vec<bool> = Vec::new();
    for text in DEALS {
        let deal = decoder.decode_text(text).unwrap();
        let reference = steps_of_run(&program, &deal, today, None, None);
        let compiled = steps_of_run(&program, &deal, today, Some(&lazy), Some(&code));
        assert_eq!(compiled, reference, "{text}");
    }
}

#[test]
fn every_operation_gives_the_tree_walkers_outcome() {
    let program = program(EVERY_OP);
    let decoder = crate::DealDecoder::new(&program);
    let compiled = crate::fast::Evaluator::new(&program);
    assert!(compiled.is_compiled());
    let mut scratch = crate::fast::Scratch::default();
    let today = Date::parse("2026-11-29").unwrap();
    for text in DEALS {
        let deal = decoder.decode_text(text).unwrap();
        let a = compiled.evaluate(&deal, today, &mut scratch).unwrap();
        let b = evaluate(&program, &deal, today).unwrap();
        assert_eq!(a.fired, b.fired, "{text}");
        assert_eq!(a.verdicts, b.verdicts, "{text}");
        assert_eq!(a.unknown, b.unknown, "{text}");
        assert_eq!(a.advice, b.advice, "{text}");
    }
}

#[test]
fn and_or_become_jumps_past_the_right_side() {
    let program = program(
        "facts { a: bool?  b: bool?  c: bool? }\n\
         signal s { when a and (b or c) weight 1 }\n",
    );
    let code = Code::new(&program).unwrap();
    let run = code.signals[0].unwrap();
    // The `and` test jumps past its join (index 7), the `or` test past
    // its own (index 6).
    assert_eq!(
        code.ops(run),
        [
            Op::Fact(0),
            Op::AndTest(7),
            Op::Fact(1),
            Op::OrTest(6),
            Op::Fact(2),
            Op::OrJoin,
            Op::AndJoin,
        ]
    );
}

#[test]
fn what_is_not_a_scalar_goes_to_the_tree_walker_as_one_operation() {
    let program = program(
        "record Event { kind: text }\n\
         facts { note: text?  amount: number?  events: list<Event>  n: int? }\n\
         let kinds = events.kind\n\
         let ratio = amount / 3\n\
         signal texts { when note == \"x\" and n > 1 weight 1 }\n\
         signal numbers { when amount > 1.5 or amount <= 2 weight 1 }\n\
         signal reckoned { when amount / 2 > 1 weight 1 }\n\
         signal filtered { when any(events, kind == \"x\") weight 1 }\n",
    );
    let code = Code::new(&program).unwrap();
    // Lets of lists and numbers are not compiled.
    assert_eq!(code.lets, [None, None]);
    let texts = code.signals[0].unwrap();
    assert_eq!(
        code.ops(texts),
        [
            Op::ComparePlace(Place::Fact(0), 0, CompareOp::Eq),
            Op::AndTest(5),
            Op::Fact(3),
            Op::CompareWith(CompareOp::Gt, Cell::int(1)),
            Op::AndJoin
        ]
    );
    // A number fact against a decimal or a whole literal: read in place,
    // each literal kept as a value.
    let numbers = code.signals[1].unwrap();
    assert_eq!(
        code.ops(numbers),
        [
            Op::ComparePlace(Place::Fact(1), 1, CompareOp::Gt),
            Op::OrTest(4),
            Op::ComparePlace(Place::Fact(1), 2, CompareOp::Le),
            Op::OrJoin
        ]
    );
    assert_eq!(code.compared[2], Value::Int(2));
    // A condition that would be one tree-walker operation is left alone.
    assert_eq!(code.signals[2], None);
    // A text field of `it` against a text: a loop with a compiled body.
    let filtered = code.signals[3].unwrap();
    assert_eq!(code.ops(filtered), [Op::Loop(0)]);
    assert_eq!(
        code.ops(code.loops[0].body),
        [Op::ComparePlace(Place::ItemField(0, 0), 3, CompareOp::Eq)]
    );
}

#[test]
fn a_playbook_of_more_facts_than_a_mask_holds_is_not_compiled() {
    let facts: String = (0..65).map(|i| format!("f{i}: int?\n")).collect();
    let wide = program(&format!(
        "facts {{\n{facts}}}\nsignal s {{ when f64 > 1 weight 1 }}\n"
    ));
    assert!(Code::new(&wide).is_none());
    let facts: String = (0..64).map(|i| format!("f{i}: int?\n")).collect();
    let program = program(&format!(
        "facts {{\n{facts}}}\nsignal s {{ when f63 > 1 weight 1 }}\n"
    ));
    assert!(Code::new(&program).is_some());
}

#[test]
fn an_overflow_is_the_tree_walkers_error_at_the_same_place() {
    let program = program(
        "facts { n: int?  m: int? }\n\
         let product = n * m\n\
         signal s { when product > 1 or -n > 0 weight 1 }\n",
    );
    let decoder = crate::DealDecoder::new(&program);
    let compiled = crate::fast::Evaluator::new(&program);
    let mut scratch = crate::fast::Scratch::default();
    let today = Date::parse("2026-11-29").unwrap();
    for text in [
        r#"{"n": 9223372036854775807, "m": 2}"#,
        r#"{"n": -9223372036854775808, "m": 0}"#,
    ] {
        let deal = decoder.decode_text(text).unwrap();
        let a = compiled.evaluate(&deal, today, &mut scratch).unwrap_err();
        let b = evaluate(&program, &deal, today).unwrap_err();
        assert_eq!(a, b, "{text}");
    }
}

#[test]
fn literals_are_folded_into_comparisons_and_in() {
    let program = program(
        "enum Stage { early, mid, late }\n\
         facts { stage: Stage?  n: int?  m: int? }\n\
         signal s { when stage in [early, late] and n < m and n not in [1, m] weight 1 }\n",
    );
    let code = Code::new(&program).unwrap();
    assert_eq!(
        code.ops(code.signals[0].unwrap()),
        [
            // `(stage in [early, late] and n < m) and n not in [1, m]`
            Op::Fact(0),
            Op::InLiterals(0, 2, false),
            Op::AndTest(7),
            Op::Fact(1),
            Op::Fact(2),
            Op::Compare(CompareOp::Lt),
            Op::AndJoin,
            Op::AndTest(13),
            Op::Fact(1),
            Op::Lit(Cell::int(1)),
            Op::Fact(2),
            Op::In(2, true),
            Op::AndJoin,
        ]
    );
    assert_eq!(code.literals, [Cell::variant(0), Cell::variant(2)]);
}

#[test]
fn cells_of_one_kind_order_as_their_values() {
    let day = |text| Cell::date(Date::parse(text).unwrap());
    assert_eq!(
        day("0001-01-01").compare(day("2026-11-29")),
        Some(Ordering::Less)
    );
    assert_eq!(Cell::int(-5).compare(Cell::int(3)), Some(Ordering::Less));
    assert_eq!(
        Cell::bool(true).compare(Cell::bool(false)),
        Some(Ordering::Greater)
    );
    assert_eq!(Cell::int(0).compare(Cell::bool(false)), None);
    assert_eq!(Cell::unknown(0).compare(Cell::unknown(0)), None);
    assert_eq!(
        day("1999-12-31").value(),
        Value::Date(Date::parse("1999-12-31").unwrap())
    );
}

#[test]
fn scores_are_added_up_as_signals_fire_only_when_they_cannot_overflow() {
    let evaluate_both = |program: &Program, deal: &str| {
        let decoder = crate::DealDecoder::new(program);
        let deal = decoder.decode_text(deal).unwrap();
        let today = Date::parse("2026-11-29").unwrap();
        let compiled = crate::fast::Evaluator::new(program);
        let fast = compiled.evaluate(&deal, today, &mut crate::fast::Scratch::default());
        let reference = evaluate(program, &deal, today);
        (Code::new(program).unwrap().score_safe, fast, reference)
    };
    let mut playbook = program(
        "facts { n: int }\n\
         group g \"G\" when n > 0 { signal a { when n > 1 weight 5 } }\n\
         signal b { when n > 2 weight -2 }\n\
         verdict v \"V\" { hot \"Hot\" when score == 3 and score(g) == 5\n cold \"Cold\" otherwise }\n",
    );
    let (safe, fast, reference) = evaluate_both(&playbook, r#"{"n": 3}"#);
    assert!(safe);
    let (fast, reference) = (fast.unwrap(), reference.unwrap());
    assert_eq!(
        (fast.score, &fast.groups, &fast.verdicts),
        (3, &vec![(0, 5)], &vec![0])
    );
    assert_eq!(
        (fast.score, &fast.groups, &fast.verdicts),
        (reference.score, &reference.groups, &reference.verdicts)
    );
    // Weights the checker would refuse (it bounds them), so that a sum
    // can overflow: the scores are counted as the reference counts them,
    // and the overflow is its error.
    playbook.signals[0].weight = i64::MAX;
    playbook.signals[1].weight = i64::MAX;
    let (safe, fast, reference) = evaluate_both(&playbook, r#"{"n": 3}"#);
    assert!(!safe);
    assert_eq!(fast.unwrap_err(), reference.unwrap_err());
}

#[test]
fn the_stack_depth_is_an_upper_bound() {
    assert_eq!(
        max_depth(&[
            Op::Fact(0),
            Op::Fact(1),
            Op::Fact(2),
            Op::In(2, false),
            Op::Lit(Cell::bool(true)),
            Op::CountTrue(2),
        ]),
        3
    );
}
