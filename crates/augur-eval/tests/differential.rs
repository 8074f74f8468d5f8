//! The fast path of evaluation (`augur_eval::fast`, what `augur eval` runs)
//! against the reference path (`augur_eval::evaluate`, the oracle): on deals
//! generated from each playbook's facts — every example playbook (the
//! Chinese one too) and every `tests/eval` case — both give the same bytes
//! in every output format, the same warnings and the same errors. The deals
//! mix known values, `null`, missing facts, extreme numbers (overflow),
//! dates at the ends of the calendar, wrong types and long lists.
//!
//! The same deals also go through both paths as a CSV export.
//!
//! The fast path runs the playbook's rules compiled to flat operations
//! (`eval/compiled/`) where it can; `Evaluator::tree_walking` is the fast
//! path without them. Both are held to the reference here.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use augur_check::ir::{Program, Ty, Type};
use augur_check::{analyze, Analysis, FsLoader};
use augur_eval::batch::{
    map_records, Batch, Input, InputKind, Options, OutputFormat, Sink, Totals,
};
use augur_eval::fast::{Evaluator, Scratch};
use augur_eval::{evaluate, DealDecoder, Reporter};
use augur_syntax::Date;
use serde_json::{json, Map, Value as Json};
use std::path::{Path, PathBuf};

/// A small seeded generator (xorshift), so failures replay. `wild` deals
/// also get values the decoder refuses (a `null` where a fact cannot be
/// unknown, an unknown variant, an impossible date).
struct Rng(u64, bool);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const TEXTS: &[&str] = &[
    "",
    "Acme",
    "price",
    "a \"quoted\" word",
    "line\nbreak",
    "客户只关心价格",
    "混合 text 与中文",
    "tab\there",
];

fn value_of(rng: &mut Rng, program: &Program, ty: &Ty, depth: u32) -> Json {
    if (ty.maybe_unknown || rng.1) && rng.chance(8) {
        return Json::Null;
    }
    let wild = rng.1;
    let ty = &ty.ty;
    match ty {
        Type::Bool => json!(rng.chance(50)),
        Type::Int => match rng.below(12) {
            0 => json!(i64::MAX),
            1 => json!(i64::MIN),
            2 => json!(3_037_000_500i64),
            3 => json!(-(rng.below(1000) as i64)),
            _ => json!(rng.below(120)),
        },
        Type::Number => {
            let text = match rng.below(10) {
                // Past the largest decimal once written by serde_json (an
                // error); only outside lists, or most deals with a list of
                // numbers would fail.
                0 if depth == 0 => "79228162514264337593543950335".to_string(),
                1 => "0.1".to_string(),
                2 => format!("-{}.{}", rng.below(500), rng.below(1000)),
                _ => format!("{}.{}", rng.below(10_000), rng.below(100)),
            };
            serde_json::from_str(&text).unwrap()
        }
        Type::Text => {
            if rng.chance(5) {
                json!("long ".repeat(200))
            } else {
                json!(rng.pick(TEXTS))
            }
        }
        Type::Date => {
            let text = match rng.below(15) {
                0 => "0001-01-01".to_string(),
                1 => "9999-12-31".to_string(),
                2 if wild => "2026-02-30".to_string(),
                _ => format!(
                    "20{:02}-{:02}-{:02}",
                    20 + rng.below(10),
                    1 + rng.below(12),
                    1 + rng.below(28)
                ),
            };
            json!(text)
        }
        Type::Enum(_) | Type::Verdict(_) => {
            let names = program.variant_names(ty);
            if names.is_empty() || (wild && rng.chance(10)) {
                json!("no_such_variant")
            } else {
                json!(rng.pick(&names))
            }
        }
        Type::Record(id) => {
            let mut object = Map::new();
            if let Some(record) = program.records.get(*id as usize) {
                for field in &record.fields {
                    if (!field.ty.maybe_unknown && !wild) || rng.chance(90) {
                        object.insert(
                            field.name.clone(),
                            value_of(rng, program, &field.ty, depth + 1),
                        );
                    }
                }
            }
            Json::Object(object)
        }
        Type::List(element) => {
            let element = &Ty {
                ty: element.as_ref().clone(),
                maybe_unknown: false,
            };
            let len = if depth > 2 {
                rng.below(3)
            } else if rng.chance(10) {
                20 + rng.below(40)
            } else {
                rng.below(8)
            };
            Json::Array(
                (0..len)
                    .map(|_| value_of(rng, program, element, depth + 1))
                    .collect(),
            )
        }
        Type::Nothing | Type::Error => Json::Null,
    }
}

/// One generated deal as a JSON line.
fn deal_line(rng: &mut Rng, program: &Program, number: usize) -> String {
    let mut object = Map::new();
    rng.1 = rng.chance(15);
    if rng.chance(30) {
        object.insert("id".into(), json!(format!("deal-{number}")));
    }
    if rng.chance(20) {
        object.insert("as_of".into(), json!("2026-06-15"));
    }
    for fact in &program.facts {
        // Most facts are given; some are missing (unknown).
        if (!fact.ty.maybe_unknown && !rng.1) || rng.chance(85) {
            object.insert(fact.name.clone(), value_of(rng, program, &fact.ty, 0));
        }
    }
    if rng.chance(3) {
        object.insert("not_a_fact".into(), json!(1));
    }
    Json::Object(object).to_string()
}

#[derive(Default)]
struct Memory {
    out: Vec<u8>,
    messages: Vec<String>,
}

impl Sink for Memory {
    fn output(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.out.extend_from_slice(bytes);
        Ok(())
    }
    fn message(&mut self, line: &str) {
        self.messages.push(line.to_string());
    }
}

fn run(batch: &Batch<'_>, input: &str) -> (String, Vec<String>, u64, u64) {
    run_kind(batch, input, InputKind::Jsonl)
}

fn run_kind(batch: &Batch<'_>, input: &str, kind: InputKind) -> (String, Vec<String>, u64, u64) {
    let mut sink = Memory::default();
    let mut totals = Totals::default();
    let name = match kind {
        InputKind::Csv => "deals.csv",
        _ => "deals.jsonl",
    };
    batch
        .run(
            Input {
                name: name.into(),
                kind,
                reader: Box::new(std::io::Cursor::new(input.as_bytes().to_vec())),
            },
            &mut totals,
            &mut sink,
        )
        .unwrap();
    batch.finish(&mut totals, true, &mut sink).unwrap();
    (
        String::from_utf8(sink.out).unwrap(),
        sink.messages,
        totals.deals,
        totals.failed,
    )
}

fn options(format: OutputFormat, jobs: usize) -> Options {
    Options {
        format,
        explain: false,
        strict: false,
        today: None,
        fallback_today: Date::parse("2026-11-29").unwrap(),
        jobs,
    }
}

/// Both paths over `deals` generated deals of `analysis`, in every format.
fn compare(name: &str, analysis: &Analysis, seed: u64, deals: usize) {
    let program = &analysis.program;
    let mut rng = Rng(seed | 1, false);
    let mut input = String::new();
    for number in 0..deals {
        input.push_str(&deal_line(&mut rng, program, number));
        input.push('\n');
    }
    let mut evaluated = 0;
    for format in [OutputFormat::Jsonl, OutputFormat::Json, OutputFormat::Text] {
        let jobs = if format == OutputFormat::Jsonl { 2 } else { 1 };
        let fast = Batch::new(analysis, "", options(format, jobs));
        let reference = Batch::new(analysis, "", options(format, jobs)).reference_path();
        let (fast_out, fast_messages, total, failed) = run(&fast, &input);
        let (reference_out, reference_messages, ..) = run(&reference, &input);
        if fast_out != reference_out {
            let line = fast_out
                .lines()
                .zip(reference_out.lines())
                .find(|(a, b)| a != b);
            panic!("{name} ({format:?}, seed {seed}): the outputs differ first at {line:#?}");
        }
        assert_eq!(fast_messages, reference_messages, "{name} ({format:?})");
        evaluated = total - failed;
    }
    // Not every deal may fail to decode or evaluate: the comparison must see
    // real results.
    assert!(
        evaluated * 2 >= deals as u64 || program.facts.is_empty(),
        "{name}: only {evaluated} of {deals} deals were evaluated"
    );
    direct(name, analysis, &input);
    per_record(name, analysis, &input);
    as_csv(name, analysis, &input);
}

/// The same deals as a CSV export (a list or record cell holds its JSON)
/// through both paths: the CSV fast path decodes cells straight into slots,
/// with the fast path's decoder (`DealDecoder::for_rules`).
fn as_csv(name: &str, analysis: &Analysis, input: &str) {
    let program = &analysis.program;
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(program.facts.iter().map(|f| f.name.as_str()))
        .unwrap();
    for line in input.lines() {
        let deal: Json = serde_json::from_str(line).unwrap();
        writer
            .write_record(program.facts.iter().map(|fact| match deal.get(&fact.name) {
                None | Some(Json::Null) => String::new(),
                Some(Json::String(text)) => text.clone(),
                Some(other) => other.to_string(),
            }))
            .unwrap();
    }
    let text = String::from_utf8(writer.into_inner().unwrap()).unwrap();
    let fast = Batch::new(analysis, "", options(OutputFormat::Jsonl, 2));
    let reference = Batch::new(analysis, "", options(OutputFormat::Jsonl, 2)).reference_path();
    let (fast_out, fast_messages, total, failed) = run_kind(&fast, &text, InputKind::Csv);
    assert!(
        (total - failed) * 2 >= total || program.facts.is_empty(),
        "{name} (CSV): only {} of {total} rows were evaluated",
        total - failed
    );
    let (reference_out, reference_messages, ..) = run_kind(&reference, &text, InputKind::Csv);
    if let Some((a, b)) = fast_out
        .lines()
        .zip(reference_out.lines())
        .find(|(a, b)| a != b)
    {
        panic!("{name} (CSV): the outputs differ first at\n{a}\n{b}");
    }
    assert_eq!(fast_out, reference_out, "{name} (CSV)");
    assert_eq!(fast_messages, reference_messages, "{name} (CSV)");
}

/// `Batch::evaluate_record` (what `augur diff` and `backtest` call per
/// record) on the fast evaluator against the reference path: the same
/// outcomes and messages, and the fast one really ran (it leaves `lets`
/// empty).
fn per_record(name: &str, analysis: &Analysis, input: &str) {
    let options = options(OutputFormat::Jsonl, 2);
    let fast = Batch::new(analysis, "", options.clone());
    let reference = Batch::new(analysis, "", options).reference_path();
    let mut compared = 0;
    map_records(
        Input {
            name: "in.jsonl".into(),
            kind: InputKind::Jsonl,
            reader: Box::new(std::io::Cursor::new(input.as_bytes().to_vec())),
        },
        2,
        &|record| {
            let (mut a_messages, mut b_messages) = (Vec::new(), Vec::new());
            let a = fast.evaluate_record(record, &[], &mut a_messages);
            let b = reference.evaluate_record(record, &[], &mut b_messages);
            match (a, b) {
                (Ok((_, a)), Ok((_, b))) => {
                    assert_eq!(a.verdicts, b.verdicts, "{name}");
                    assert_eq!(a.score, b.score, "{name}");
                    assert_eq!(a.groups, b.groups, "{name}");
                    assert_eq!(a.fired, b.fired, "{name}");
                    assert_eq!(a.messages, b.messages, "{name}");
                    assert_eq!(a.advice, b.advice, "{name}");
                    assert_eq!(a.unknown, b.unknown, "{name}");
                    assert!(
                        a.lets.is_empty() && (b.lets.len() == analysis.program.lets.len()),
                        "{name}: the fast evaluator ran"
                    );
                    // The next deal on this thread refills this outcome.
                    Batch::recycle(a);
                }
                (Err(a), Err(b)) => assert_eq!(a, b, "{name}"),
                (a, b) => panic!("{name}: fast {a:?} but reference {b:?}"),
            }
            assert_eq!(a_messages, b_messages, "{name}");
        },
        &mut |(), _| {
            compared += 1;
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(compared, input.lines().count(), "{name}");
}

/// The library entry points: `Evaluator::evaluate` with one scratch reused
/// over all deals, against `evaluate`, field by field; and the directly
/// written result JSON (`Reporter::write_json`, with its precomputed
/// constant messages) against the reference `Reporter::json`.
fn direct(name: &str, analysis: &Analysis, input: &str) {
    let program = &analysis.program;
    let decoder = DealDecoder::new(program);
    let evaluator = Evaluator::new(program);
    // Every playbook here fits a blame mask: the compiled rules ran.
    assert_eq!(evaluator.is_compiled(), program.facts.len() <= 64, "{name}");
    let walker = Evaluator::tree_walking(program);
    assert!(!walker.is_compiled());
    let mut walker_scratch = Scratch::default();
    let reporter = Reporter::new(analysis, "");
    let mut scratch = Scratch::default();
    let today = Date::parse("2026-11-29").unwrap();
    for line in input.lines() {
        let Ok(deal) = decoder.decode_text(line) else {
            continue;
        };
        let fast = evaluator.evaluate(&deal, today, &mut scratch);
        let reference = evaluate(program, &deal, today);
        match (
            walker.evaluate(&deal, today, &mut walker_scratch),
            &reference,
        ) {
            (Ok(a), Ok(b)) => {
                assert_eq!(
                    (&a.verdicts, a.score, &a.groups, &a.fired),
                    (&b.verdicts, b.score, &b.groups, &b.fired),
                    "{name}: {line}"
                );
                assert_eq!(
                    (&a.messages, &a.advice, &a.unknown),
                    (&b.messages, &b.advice, &b.unknown),
                    "{name}: {line}"
                );
                walker_scratch.give_outcome(a);
            }
            (Err(a), Err(b)) => assert_eq!(&a, b, "{name}: {line}"),
            (a, b) => panic!("{name}: tree walker {a:?} but reference {b:?} on {line}"),
        }
        match (fast, reference) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a.verdicts, b.verdicts, "{name}: {line}");
                assert_eq!(a.score, b.score, "{name}: {line}");
                assert_eq!(a.groups, b.groups, "{name}: {line}");
                assert_eq!(a.fired, b.fired, "{name}: {line}");
                assert_eq!(a.messages, b.messages, "{name}: {line}");
                assert_eq!(a.advice, b.advice, "{name}: {line}");
                assert_eq!(a.unknown, b.unknown, "{name}: {line}");
                assert!(a.lets.is_empty());
                let id = json!("deal");
                let mut direct = Vec::new();
                reporter.write_json(&mut direct, &id, &a);
                let reference = reporter.json(&id, &b).to_string();
                assert_eq!(String::from_utf8(direct).unwrap(), reference, "{name}");
                assert_eq!(reporter.text("deal", &a), reporter.text("deal", &b));
                scratch.give_outcome(a);
            }
            (Err(a), Err(b)) => assert_eq!(a, b, "{name}: {line}"),
            (a, b) => panic!("{name}: fast {a:?} but reference {b:?} on {line}"),
        }
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn playbooks(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "augur"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no playbooks in {}", dir.display());
    files
}

#[test]
fn the_example_playbooks_agree_on_generated_deals() {
    let examples = repo().join("examples");
    for file in playbooks(&examples) {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let analysis = analyze(&name, &FsLoader::new(&examples));
        assert!(!analysis.has_errors(), "{name}: {:?}", analysis.diagnostics);
        for seed in [1, 2, 3] {
            compare(&name, &analysis, seed * 7919, 400);
        }
    }
}

#[test]
fn the_evaluator_cases_agree_on_generated_deals() {
    for file in playbooks(&repo().join("tests/eval")) {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&file).unwrap();
        let analysis = augur_check::analyze_text(&text);
        assert!(!analysis.has_errors(), "{name}: {:?}", analysis.diagnostics);
        for seed in [11, 12, 13] {
            compare(&name, &analysis, seed * 104_729, 300);
        }
    }
}

/// Lets chosen to exercise what laziness changes: lets read only inside
/// inactive groups, in the untaken side of `and`/`or`, only by messages or
/// advice, lets of lets, lets that fail (overflow, output budget) whether
/// read or not, and filters over lists.
const LAZY_CASES: &str = r#"
enum Stage { early, late }
record Event { kind: text  on: date  size: int? }
facts { stage: Stage?  n: int?  events: list<Event>  note: text?  amount: number? }
let late_events = events where kind == "price"
let latest = max(late_events.on)
let since = days_since(latest)
let recent = any(events, days_since(on) <= 30)
let sizes = events.size
let doubled = n * 2
let biggest = max(sizes)
let chained = recent or since > 10
let chained_more = chained and count(late_events) > 1
let named = "note: {note}"
let unread_overflow = n * n
let pairs = count(events where any(events, on > it.on))
let fallback = note ?? "none"
let ratio = amount / 3
let flags = count([n > 3, recent, note == "x", stage in [late]] where it)
let fired_flags = count([short_circuit, either] where it)
group late "Late" when stage == late {
  signal priced "Price talks" { when count(late_events) > 0 weight 2 message "last on {latest}, {since} days ago" }
  signal chain "Chained" { when chained_more weight 1 }
}
group early "Early" when stage == early {
  signal sized "Sizes" { when biggest > 10 weight 3 message "biggest {biggest} of {sizes}" }
  signal paired "Pairs" { when pairs > 2 weight -1 }
}
signal short_circuit "Short" { when n > 5 and recent weight 1 }
signal either "Either" { when n < 0 or doubled > 100 weight 2 message "{named} / {fallback}" }
signal rated "Rated" { when ratio > 1 weight 1 message "ratio {ratio}" }
signal flagged "Flagged" { when flags >= 2 or fired_flags == 2 weight 1 message "{flags} flags" }
verdict standing "Standing" {
  hot "Hot" when score >= 3 and chained
  cold "Cold" otherwise
}
advice push "Push" when standing == hot { "Recent: {recent}." "Since {since}." }
advice wait "Wait" when standing == cold and fallback != "x" { "{named}" }
"#;

#[test]
fn lazy_lets_agree_with_the_reference_order() {
    let analysis = augur_check::analyze_text(LAZY_CASES);
    assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
    for seed in [21, 22, 23, 24, 25] {
        compare("lazy cases", &analysis, seed * 15_485_863, 400);
    }
}

/// A let that is never read but would pass the step limit: the reference
/// path fails the deal, so the fast path must too (it hands such deals to
/// the reference path).
#[test]
fn an_unread_let_past_the_step_limit_still_fails_the_deal() {
    let analysis = augur_check::analyze_text(
        "facts { xs: list<int> }\n\
         let heavy = count(xs where any(xs, any(xs, it > 0)))\n\
         signal small { when count(xs) > 1 weight 1 }\n",
    );
    assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
    let program = &analysis.program;
    let decoder = DealDecoder::new(program);
    let today = Date::parse("2026-11-29").unwrap();
    let evaluator = Evaluator::new(program);
    let mut scratch = Scratch::default();
    // 400³ = 64 million steps: past the limit.
    let xs: Vec<i64> = vec![0; 400];
    let deal = decoder
        .decode_text(&json!({ "xs": xs }).to_string())
        .unwrap();
    let reference = evaluate(program, &deal, today).unwrap_err();
    let fast = evaluator.evaluate(&deal, today, &mut scratch).unwrap_err();
    assert_eq!(fast, reference);
    assert!(fast.message.contains("steps"), "{}", fast.message);
    // A short list stays on the fast path and fires.
    let deal = decoder.decode_text(r#"{"xs": [1, 2, 3]}"#).unwrap();
    let outcome = evaluator.evaluate(&deal, today, &mut scratch).unwrap();
    assert_eq!(outcome.fired, [true]);
}

/// Rules chosen to exercise every compiled operation (`eval/compiled/`):
/// `and`/`or` short circuits over unknowns, `??`, `in` with unknown items,
/// arithmetic that overflows and dates pushed off the calendar, `known`,
/// `decided`, `count` of lists and of conditions, scores, number facts and
/// fields compared in place with whole and decimal literals, lets compiled
/// (lazy and not) beside lets left to the tree walker.
const COMPILED_CASES: &str = r#"
enum Stage { early, mid, late }
record Event { kind: text  on: date  size: int?  cost: number? }
facts { stage: Stage?  n: int?  m: int?  on: date?  ok: bool?  sure: bool  note: text?  events: list<Event>  amount: number? }
let sum_nm = n + m
let product = n * m
let later = on + n
let gap = days_since(on) - m
let either = ok ?? (stage == late)
let many = count(events) > 2
let sizes = count(events where size > n)
let flags = count([ok, either, many, n in [1, 2, m]] where it)
group g "G" when either and stage != early {
  signal grown "Grown" { when sum_nm > 10 or product < 0 weight 2 message "{sum_nm} and {product}" }
  signal dated "Dated" { when later > on and gap >= 0 weight -1 }
}
signal noted "Noted" { when note == "price" or note < "b" or (not sure and known(note)) weight 1 }
signal counted "Counted" { when flags >= 2 and sizes > 0 or decided(grown) and not ok weight 3 }
signal negated "Negated" { when -n < m ?? 0 and stage in [mid, late] weight 1 }
signal looped "Looped" { when any(events, size > n or on > today - 30 or kind == "price") or all(events, size ?? 0 < m) and count(events where size > 3) < 2 weight 1 }
signal priced "Priced" { when amount > 1000 or amount <= 2.5 and amount != 0 or any(events, cost >= 10.25 or cost < 0) weight 1 }
signal soon "Soon" { when days_until(on) <= 30 and today - on < 400 weight 2 }
verdict standing "Standing" {
  high "High" when score >= 4 and score(g) > 0 and not noted
  middle "Middle" when score > -1 or flags == 0
  low "Low" otherwise
}
advice push "Push" when standing == high or (standing == middle and many) { "Push: {flags} flags." }
advice wait "Wait" when standing != high and stage == early and gap > 3 { "Wait {gap} days." }
"#;

#[test]
fn compiled_rules_agree_with_the_reference() {
    let analysis = augur_check::analyze_text(COMPILED_CASES);
    assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
    assert!(Evaluator::new(&analysis.program).is_compiled());
    for seed in [31, 32, 33, 34, 35] {
        compare("compiled cases", &analysis, seed * 7_368_787, 400);
    }
}
