//! Arbitrary bytes as a deal against the flagship playbooks (English and
//! Chinese), each analysed once:
//! - the fast slot decoder and the reference decoder (`decode_deal_text`)
//!   agree: the same facts, or the same error; both read numbers exactly
//!   and refuse keys given twice;
//! - a `number` fact is exact: written back as a deal, it reads the same;
//! - evaluating never panics, and the directly written result JSON is byte
//!   for byte the reference `Reporter::json`;
//! - the fast evaluation path (`augur_eval::fast`: lazy lets, reused
//!   buffers and the rules compiled to flat operations, `eval/compiled/`),
//!   the same path on the tree walker alone (`Evaluator::tree_walking`) and
//!   the reference `evaluate` agree: the same results, or the same error;
//! - the whole batch pipeline, with the bytes as stdin (JSON Lines or one
//!   document), never panics or hangs and gives one record per line, byte
//!   for byte the same on the fast path (which decodes with
//!   `DealDecoder::for_rules`, leaving text no rule reads unbuilt) and the
//!   reference path.
#![no_main]

use augur_check::{analyze, Analysis, FsLoader};
use augur_eval::batch::{Batch, Input, InputKind, Options, OutputFormat, Sink, Totals};
use augur_eval::fast::{Evaluator, Scratch};
use augur_eval::{decode_deal_text, DealDecoder, Reporter, Value};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn playbooks() -> &'static [Analysis] {
    static PLAYBOOKS: OnceLock<Vec<Analysis>> = OnceLock::new();
    PLAYBOOKS.get_or_init(|| {
        let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples");
        ["standing.augur", "standing.zh.augur"]
            .iter()
            .map(|name| {
                let analysis = analyze(name, &FsLoader::new(examples));
                assert!(!analysis.has_errors(), "{name}: {:?}", analysis.diagnostics);
                analysis
            })
            .collect()
    })
}

struct Engine {
    analysis: &'static Analysis,
    decoder: DealDecoder<'static>,
    reporter: Reporter<'static>,
    evaluator: Evaluator<'static>,
    walker: Evaluator<'static>,
    batch: Batch<'static>,
    reference: Batch<'static>,
}

fn options() -> Options {
    Options {
        format: OutputFormat::Jsonl,
        explain: false,
        strict: false,
        today: None,
        fallback_today: today(),
        jobs: 1,
    }
}

fn engines() -> &'static [Engine] {
    static ENGINES: OnceLock<Vec<Engine>> = OnceLock::new();
    ENGINES.get_or_init(|| {
        playbooks()
            .iter()
            .map(|analysis| Engine {
                analysis,
                decoder: DealDecoder::new(&analysis.program),
                reporter: Reporter::new(analysis, "examples"),
                evaluator: Evaluator::new(&analysis.program),
                walker: Evaluator::tree_walking(&analysis.program),
                batch: Batch::new(analysis, "examples", options()),
                reference: Batch::new(analysis, "examples", options()).reference_path(),
            })
            .collect()
    })
}

fn today() -> augur_syntax::Date {
    augur_syntax::Date::from_ymd(2026, 11, 28).unwrap_or_else(|| panic!("date"))
}

#[derive(Default)]
struct Memory {
    out: Vec<u8>,
}

impl Sink for Memory {
    fn output(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.out.extend_from_slice(bytes);
        Ok(())
    }
    fn message(&mut self, _line: &str) {}
}

fuzz_target!(|data: &[u8]| {
    for engine in engines() {
        let program = &engine.analysis.program;
        if let Ok(text) = std::str::from_utf8(data) {
            let fast = engine.decoder.decode_text(text);
            let slow = decode_deal_text(program, text);
            match (&fast, &slow) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(a.facts, b.facts);
                    assert_eq!(a.id, b.id);
                    assert_eq!(a.as_of, b.as_of);
                    assert_eq!(a.unknown_keys, b.unknown_keys);
                }
                (Err(a), Err(b)) => assert_eq!(a, b),
                _ => panic!("fast {fast:?} but reference {slow:?}"),
            }
            if let Ok(deal) = &fast {
                // Every number fact survives being written out and read
                // back: no digit is lost on the way.
                for (fact, value) in program.facts.iter().zip(&deal.facts) {
                    if let Value::Number(n) = value {
                        let again = augur_eval::number::parse_decimal(&n.to_string());
                        assert_eq!(again, Ok(*n), "{}", fact.name);
                    }
                }
            }
            if let Ok(deal) = fast {
                let reference = augur_eval::evaluate(program, &deal, today());
                let compiled = engine
                    .evaluator
                    .evaluate(&deal, today(), &mut Scratch::default());
                let walked = engine
                    .walker
                    .evaluate(&deal, today(), &mut Scratch::default());
                for compiled in [&compiled, &walked] {
                    match (compiled, &reference) {
                        (Ok(a), Ok(b)) => {
                            assert_eq!(a.verdicts, b.verdicts);
                            assert_eq!(a.score, b.score);
                            assert_eq!(a.groups, b.groups);
                            assert_eq!(a.fired, b.fired);
                            assert_eq!(a.messages, b.messages);
                            assert_eq!(a.advice, b.advice);
                            assert_eq!(a.unknown, b.unknown);
                        }
                        (Err(a), Err(b)) => assert_eq!(a, b),
                        _ => panic!("fast path {compiled:?} but reference {reference:?}"),
                    }
                }
                if let Ok(outcome) = reference {
                    let id = deal.id.clone().unwrap_or_else(|| "fuzz".into());
                    let mut direct = Vec::new();
                    engine.reporter.write_json(&mut direct, &id, &outcome);
                    assert_eq!(
                        direct,
                        engine.reporter.json(&id, &outcome).to_string().into_bytes()
                    );
                }
            }
        }
        let run = |batch: &Batch<'static>| {
            let mut sink = Memory::default();
            let mut totals = Totals::default();
            let input = Input {
                name: "-".into(),
                kind: InputKind::Stdin,
                reader: Box::new(std::io::Cursor::new(data.to_vec())),
            };
            let ok = batch.run(input, &mut totals, &mut sink).is_ok();
            (ok, sink.out, totals.deals)
        };
        let (ok, out, deals) = run(&engine.batch);
        if ok {
            let records = out.iter().filter(|b| **b == b'\n').count();
            assert_eq!(records as u64, deals);
        }
        let (reference_ok, reference_out, _) = run(&engine.reference);
        assert_eq!(ok, reference_ok);
        assert_eq!(out, reference_out);
    }
});
