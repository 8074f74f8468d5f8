//! The fast deal decoder (`DealDecoder::decode_fast`) against the reference
//! decoder (`decode_deal_text`), the oracle: on generated deals of every
//! benchmark shape and both flagship playbooks (English and Chinese), valid
//! and mutated byte by byte. Whenever the fast path accepts a deal, the
//! reference must accept it too and decode the same id, date, facts and
//! unknown keys; whatever the fast path does, `decode_text` must give the
//! reference's value or its exact error.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use augur_bench::{Corpus, Rng};
use augur_eval::{decode_deal_text, Deal, DealDecoder};
use std::path::{Path, PathBuf};

fn analysis_of(path: &Path) -> augur_check::Analysis {
    let (loader, file) = augur_check::FsLoader::for_playbook(path);
    let analysis = augur_check::analyze(&file, &loader);
    assert!(
        !analysis.has_errors(),
        "{}: {:?}",
        path.display(),
        analysis.diagnostics
    );
    analysis
}

/// Every playbook the benchmark generates deals for.
fn playbooks() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut paths = vec![
        root.join("../../examples/standing.augur"),
        root.join("../../examples/standing.zh.augur"),
    ];
    let mut shapes: Vec<PathBuf> = std::fs::read_dir(root.join("playbooks"))
        .map(|dir| dir.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    shapes.sort();
    paths.extend(
        shapes
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "augur")),
    );
    paths
}

fn same_deal(fast: &Deal, reference: &Deal, text: &str) {
    assert_eq!(fast.id, reference.id, "id of {text}");
    assert_eq!(fast.as_of, reference.as_of, "as_of of {text}");
    assert_eq!(fast.facts, reference.facts, "facts of {text}");
    assert_eq!(fast.unknown_keys, reference.unknown_keys, "keys of {text}");
}

/// Compares both decoders on `text`; returns whether the fast path accepted.
fn compare(decoder: &DealDecoder<'_>, text: &str) -> bool {
    let program = decoder.program();
    let reference = decode_deal_text(program, text);
    let fast = decoder.decode_fast(text);
    if let Some(fast) = &fast {
        match &reference {
            Ok(reference) => same_deal(fast, reference, text),
            Err(error) => {
                panic!("the fast path accepted a deal the reference refuses ({error}): {text:?}")
            }
        }
    }
    match (decoder.decode_text(text), reference) {
        (Ok(a), Ok(b)) => same_deal(&a, &b, text),
        (Err(a), Err(b)) => assert_eq!(a, b, "{text:?}"),
        (a, b) => panic!("{text:?}: decode_text {a:?}, reference {b:?}"),
    }
    fast.is_some()
}

#[test]
fn the_fast_path_accepts_every_generated_deal_as_the_reference_reads_it() {
    for path in playbooks() {
        let analysis = analysis_of(&path);
        let decoder = DealDecoder::new(&analysis.program);
        let mut corpus = Corpus::new(&analysis.program, 5);
        for _ in 0..1500 {
            let line = corpus.next_line();
            assert!(
                compare(&decoder, &line),
                "{}: the fast path gave up on a generated deal: {line}",
                path.display()
            );
            // The same deal spread over lines, with spaces everywhere.
            let pretty = serde_json::to_string_pretty(
                &serde_json::from_str::<serde_json::Value>(&line).unwrap(),
            )
            .unwrap();
            assert!(compare(&decoder, &pretty), "{pretty}");
        }
    }
}

/// Bytes a mutation may insert: JSON's punctuation, digits, letters of its
/// literals, escapes, a control character and a Chinese character.
const INSERTS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "\"",
    ",",
    ":",
    "0",
    "1",
    "-",
    ".",
    "e",
    "E",
    "+",
    "n",
    "t",
    "f",
    " ",
    "\\",
    "\\u",
    "\\ud800",
    "\\ud83d\\ude00",
    "\\u0041",
    "\n",
    "\u{1}",
    "\t",
    "null",
    "true",
    "1e400",
    "00",
    "é",
    "王",
    "\"x\":1,",
    "\"id\":",
    "\"as_of\":\"2026-02-30\",",
];

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..=rng.below(3) {
        let at = rng.below(chars.len() as u64 + 1) as usize;
        match rng.below(4) {
            0 if at < chars.len() => {
                chars.remove(at);
            }
            1 if at < chars.len() => {
                // Repeat a stretch (duplicates keys and values).
                let end = (at + 1 + rng.below(40) as usize).min(chars.len());
                let copy: Vec<char> = chars[at..end].to_vec();
                let to = rng.below(chars.len() as u64 + 1) as usize;
                chars.splice(to..to, copy);
            }
            _ => {
                let insert = INSERTS[rng.below(INSERTS.len() as u64) as usize];
                chars.splice(at..at, insert.chars());
            }
        }
    }
    chars.into_iter().collect()
}

#[test]
fn mutated_deals_are_refused_or_read_as_the_reference_reads_them() {
    let mut rng = Rng::new(99);
    for path in playbooks() {
        let analysis = analysis_of(&path);
        let decoder = DealDecoder::new(&analysis.program);
        let mut corpus = Corpus::new(&analysis.program, 17);
        let (mut accepted, mut total) = (0, 0);
        for _ in 0..2500 {
            let line = corpus.next_line();
            let mutated = mutate(&mut rng, &line);
            accepted += usize::from(compare(&decoder, &mutated));
            total += 1;
        }
        // Many mutations keep the deal valid (a space, a digit): the fast
        // path must be exercised on those too.
        assert!(
            accepted > total / 20,
            "{}: {accepted} of {total}",
            path.display()
        );
    }
}

#[test]
fn unusual_but_valid_json_is_read_as_the_reference_reads_it() {
    let analysis = analysis_of(&playbooks()[0]);
    let decoder = DealDecoder::new(&analysis.program);
    let cases = [
        r#"{"stage":"first_contact"}"#,
        " \t\r\n{\"stage\" : \"first_contact\" , \"events\" : [ ] } \n",
        r#"{"st\u0061ge":"first_contact","\u0078":1}"#,
        r#"{"stage":"first\u005fcontact"}"#,
        r#"{"stage":"first_contact","x":"\ud83d\ude00"}"#,
        r#"{"stage":"first_contact","x":"\ud800"}"#,
        r#"{"stage":"first_contact","x":"\uDC00\ud800"}"#,
        r#"{"stage":"first_contact","x":1e400,"y":-0.0e-0,"z":[[[{"a":[]}]]]}"#,
        r#"{"stage":"first_contact","x":01}"#,
        r#"{"stage":"first_contact","x":-}"#,
        r#"{"stage":"first_contact","x":1.}"#,
        r#"{"stage":"first_contact","x":.5}"#,
        r#"{"stage":"first_contact","x":1e}"#,
        r#"{"stage":"first_contact","x":+1}"#,
        r#"{"stage":"first_contact","x":"a\qb"}"#,
        "{\"stage\":\"first_contact\",\"x\":\"a\u{1f}b\"}",
        "{\"stage\":\"first_contact\",\"x\":\"a\u{7f}b\"}",
        r#"{"stage":"first_contact","x":tru}"#,
        r#"{"stage":"first_contact","x":nul}"#,
        r#"{"stage":"first_contact",}"#,
        r#"{"stage":"first_contact"}}"#,
        r#"{"stage":"first_contact"} {}"#,
        "\u{feff}{\"stage\":\"first_contact\"}",
        r#"{"id":"a\"b","stage":"first_contact"}"#,
        r#"{"id":"\ud83d\ude00","stage":"first_contact"}"#,
        r#"{"id":1e400,"stage":"first_contact"}"#,
        r#"{"id":18446744073709551616,"stage":"first_contact"}"#,
        r#"{"id":-1.5e3,"stage":"first_contact"}"#,
        r#"{"id":true,"stage":"first_contact"}"#,
        r#"{"as_of":"2026\u002d01-01","stage":"first_contact"}"#,
        r#"{"stage":"first_contact","session_minutes":1e2}"#,
        r#"{"stage":"first_contact","session_minutes":-0}"#,
        r#"{"stage":"first_contact","events":[{"kind":"demo","on":"2026-01-01","note":null}]}"#,
        r#"{"stage":"first_contact","events":[{"kind":"demo","on":"2026-01-01","note":"\u738b"}]}"#,
        r#"{"stage":"first_contact","events":[{"on":"2026-01-01","kind":"demo","on":"2026-01-02"}]}"#,
        r#"{"stage":"first_contact","events":[{"kind":"demo","on":"2026-01-01"},]}"#,
        r#"{"stage":"first_contact","events":[{"kind":"demo","on":"2026-01-01"}]"#,
        r#"{"stage":"first_contact","x":{"a":1,"a":2}}"#,
        r#"{"stage":"first_contact","x":1,"x":2}"#,
        r#"{"stage":"first_contact","stage":"first_contact"}"#,
        r#"{"stage":null}"#,
        r#"{}"#,
        r#"[]"#,
        r#""stage""#,
        "",
        "   ",
    ];
    for text in cases {
        compare(&decoder, text);
    }
    let deep = format!(
        "{{\"stage\":\"first_contact\",\"x\":{}{}}}",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    compare(&decoder, &deep);
}
