//! Times each phase of batch evaluation on one core, for profiling:
//! `cargo run --release -p augur-bench --example phases -- CORPUS.jsonl [PLAYBOOK]`
//!
//! Decoding is timed twice: with the slot decoder of before issue 16
//! (`serde_decoder.rs`, serde over `serde_json`'s tokenizer) and with
//! today's `DealDecoder`, which must decode the same facts. Under callgrind
//! (`valgrind --tool=callgrind`), the inclusive counts of `SerdeDecoder` and
//! `DealDecoder::decode_text` give both in instructions.
//!
//! Evaluating is timed three times: the reference path (`evaluate`), the
//! fast path on the tree walker (`fast_tree_walking`) and the fast path with
//! the rules compiled to flat operations (`fast_compiled`); under callgrind,
//! the inclusive counts of those two functions compare them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    dead_code
)]
use std::time::Instant;

mod serde_decoder;

fn main() {
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(run)
        .unwrap()
        .join()
        .unwrap();
}

fn run() {
    let mut args = std::env::args().skip(1);
    let corpus = args.next().expect("corpus path");
    let playbook = args
        .next()
        .unwrap_or_else(|| "examples/standing.augur".into());
    let (loader, name) = augur_check::FsLoader::for_playbook(std::path::Path::new(&playbook));
    let analysis = augur_check::analyze(&name, &loader);
    let text = std::fs::read_to_string(&corpus).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let t = Instant::now();
    for line in &lines {
        std::hint::black_box(serde_json::from_str::<serde_json::Value>(line).unwrap());
    }
    let parse = t.elapsed();
    let before = serde_decoder::SerdeDecoder::new(&analysis.program);
    let t = Instant::now();
    let old: Vec<_> = lines
        .iter()
        .map(|l| before.decode_text(l).unwrap())
        .collect();
    let decode_before = t.elapsed();
    let decoder = augur_eval::DealDecoder::new(&analysis.program);
    let t = Instant::now();
    let deals: Vec<_> = lines
        .iter()
        .map(|l| decoder.decode_text(l).unwrap())
        .collect();
    let decode = t.elapsed();
    for (a, b) in old.iter().zip(&deals) {
        assert_eq!(a.facts, b.facts);
    }
    drop(old);
    let today = augur_syntax::Date::parse("2026-11-29").unwrap();
    let t = Instant::now();
    let outcomes: Vec<_> = deals
        .iter()
        .map(|d| augur_eval::evaluate(&analysis.program, d, today).unwrap())
        .collect();
    let eval = t.elapsed();
    // The fast path as `augur eval` runs it, without and with the compiled
    // rules (each in its own function, for callgrind's inclusive counts).
    let walker = augur_eval::fast::Evaluator::tree_walking(&analysis.program);
    let t = Instant::now();
    fast_tree_walking(&walker, &deals, today);
    let eval_walking = t.elapsed();
    let compiled = augur_eval::fast::Evaluator::new(&analysis.program);
    let t = Instant::now();
    fast_compiled(&compiled, &deals, today);
    let eval_compiled = t.elapsed();
    let reporter = augur_eval::Reporter::new(&analysis, "examples");
    let t = Instant::now();
    let mut out = Vec::new();
    for (deal, outcome) in deals.iter().zip(&outcomes) {
        out.clear();
        reporter.write_json(&mut out, deal.id.as_ref().unwrap(), outcome);
        std::hint::black_box(&out);
    }
    let write = t.elapsed();
    let t = Instant::now();
    drop(outcomes);
    drop(deals);
    let drop_time = t.elapsed();
    let per = |d: std::time::Duration| d.as_secs_f64() * 1e6 / lines.len() as f64;
    println!(
        "per deal (µs): parse-to-Value {:.2}  decode before {:.2}  decode {:.2}  evaluate {:.2}  fast path walking {:.2}  fast path compiled {:.2}  write {:.2}  drop {:.2}",
        per(parse),
        per(decode_before),
        per(decode),
        per(eval),
        per(eval_walking),
        per(eval_compiled),
        per(write),
        per(drop_time)
    );
}

/// Every deal on the fast path without compiled rules.
#[inline(never)]
fn fast_tree_walking(
    evaluator: &augur_eval::fast::Evaluator<'_>,
    deals: &[augur_eval::Deal],
    today: augur_syntax::Date,
) {
    // A different body than `fast_compiled`'s, so the two are not merged.
    std::hint::black_box(1);
    fast_path(evaluator, deals, today);
}

/// Every deal on the fast path with the compiled rules.
#[inline(never)]
fn fast_compiled(
    evaluator: &augur_eval::fast::Evaluator<'_>,
    deals: &[augur_eval::Deal],
    today: augur_syntax::Date,
) {
    std::hint::black_box(2);
    fast_path(evaluator, deals, today);
}

fn fast_path(
    evaluator: &augur_eval::fast::Evaluator<'_>,
    deals: &[augur_eval::Deal],
    today: augur_syntax::Date,
) {
    let mut scratch = augur_eval::fast::Scratch::default();
    let mut outcome = scratch.take_outcome();
    for deal in deals {
        evaluator
            .evaluate_into(deal, today, &mut scratch, &mut outcome)
            .unwrap();
        std::hint::black_box(&outcome);
    }
}
