//! The batch fast paths against the reference paths, on thousands of
//! generated deals for both flagship playbooks (English and Chinese): the
//! slot decoder must decode exactly what `decode_deal` decodes, and
//! `Reporter::write_json` must write exactly the bytes of `Reporter::json`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use augur_bench::Corpus;
use std::path::{Path, PathBuf};

fn playbook(name: &str) -> augur_check::Analysis {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name);
    let (loader, file) = augur_check::FsLoader::for_playbook(Path::new(&path));
    let analysis = augur_check::analyze(&file, &loader);
    assert!(!analysis.has_errors(), "{name}: {:?}", analysis.diagnostics);
    analysis
}

#[test]
fn slot_decoder_and_direct_writer_match_the_reference_paths() {
    for name in ["standing.augur", "standing.zh.augur"] {
        let analysis = playbook(name);
        let program = &analysis.program;
        let decoder = augur_eval::DealDecoder::new(program);
        let reporter = augur_eval::Reporter::new(&analysis, "examples");
        let today = augur_syntax::Date::parse("2026-11-29").unwrap();
        let mut corpus = Corpus::new(program, 7);
        let mut fired = 0;
        for _ in 0..3000 {
            let line = corpus.next_line();
            let fast = decoder.decode_text(&line).unwrap();
            let json: serde_json::Value = serde_json::from_str(&line).unwrap();
            let slow = augur_eval::decode_deal(program, &json).unwrap();
            assert_eq!(fast.facts, slow.facts, "{line}");
            assert_eq!(fast.id, slow.id);
            assert_eq!(fast.as_of, slow.as_of);
            let outcome = augur_eval::evaluate(program, &fast, today).unwrap();
            fired += outcome.fired.iter().filter(|f| **f).count();
            let id = fast.id.clone().unwrap();
            let mut direct = Vec::new();
            reporter.write_json(&mut direct, &id, &outcome);
            assert_eq!(
                String::from_utf8(direct).unwrap(),
                reporter.json(&id, &outcome).to_string(),
                "{line}"
            );
        }
        // The corpus must exercise the rules, not just decode.
        assert!(fired > 3000, "{name}: only {fired} signals fired");
    }
}

#[test]
fn mutated_deals_get_the_reference_errors() {
    // Every deal with one value replaced by a wrong kind of value: the fast
    // path must refuse it and the reference error must come out.
    let analysis = playbook("standing.augur");
    let program = &analysis.program;
    let decoder = augur_eval::DealDecoder::new(program);
    let mut corpus = Corpus::new(program, 11);
    let wrong = [
        serde_json::json!("not a value"),
        serde_json::json!(1.5),
        serde_json::json!(-7),
        serde_json::json!([null]),
        serde_json::json!({"x": 1}),
        serde_json::json!(true),
    ];
    for round in 0..600 {
        let mut deal = corpus.next_deal();
        let object = deal.as_object_mut().unwrap();
        let key = program.facts[round % program.facts.len()].name.clone();
        object.insert(key, wrong[round % wrong.len()].clone());
        let line = deal.to_string();
        let fast = decoder.decode_text(&line);
        let slow = augur_eval::decode_deal(program, &deal);
        match (fast, slow) {
            (Ok(a), Ok(b)) => assert_eq!(a.facts, b.facts, "{line}"),
            (Err(a), Err(b)) => assert_eq!(a, b, "{line}"),
            (a, b) => panic!("{line}: fast {a:?}, reference {b:?}"),
        }
    }
}

#[test]
fn the_corpus_is_reproducible() {
    let analysis = playbook("standing.augur");
    let first: Vec<String> = {
        let mut corpus = Corpus::new(&analysis.program, 42);
        (0..50).map(|_| corpus.next_line()).collect()
    };
    let mut corpus = Corpus::new(&analysis.program, 42);
    let again: Vec<String> = (0..50).map(|_| corpus.next_line()).collect();
    assert_eq!(first, again);
    assert!(
        first.iter().any(|line| line.contains("null")),
        "some unknowns"
    );
    assert!(
        first.iter().any(|line| line.contains("\"events\":[]")),
        "empty lists"
    );
}
