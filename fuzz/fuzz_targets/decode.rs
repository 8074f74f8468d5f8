//! Arbitrary text as one deal, decoded by both deal decoders against the
//! flagship playbooks (English and Chinese) and the benchmark's shapes:
//! - the fast path (`DealDecoder::decode_fast`) never accepts a deal the
//!   reference decoder (`decode_deal_text`) refuses, and when it accepts,
//!   it decodes the same id, date, facts and unknown keys;
//! - `decode_text` gives the reference's value or exactly its error;
//! - the decoder for evaluation alone (`DealDecoder::for_rules`) accepts
//!   and refuses exactly what the reference does, with the same errors, and
//!   decodes the same values except that a text field no rule reads may be
//!   left unbuilt (an unknown with no blame);
//! - read as a CSV file (a header, then rows), the CSV fast path
//!   (`DealDecoder::decode_row_fast`) never accepts a row the reference path
//!   (`csv_deals::row_to_text`, then `decode_deal_text`) refuses, and reads
//!   the same deal when both accept; `decode_row` gives the reference's
//!   value or exactly its error, for a header checked against the playbook
//!   and for one left unchecked (as `augur diff` reads it).
#![no_main]

use augur_check::{analyze, Analysis, FsLoader};
use augur_eval::csv_deals::{check_header, row_to_text, unchecked_header, Header};
use augur_eval::{decode_deal_text, Deal, DealDecoder, DealError, Value};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn playbooks() -> &'static [Analysis] {
    static PLAYBOOKS: OnceLock<Vec<Analysis>> = OnceLock::new();
    PLAYBOOKS.get_or_init(|| {
        let root = env!("CARGO_MANIFEST_DIR");
        [
            "../examples/standing.augur",
            "../examples/standing.zh.augur",
            "../crates/augur-bench/playbooks/few.augur",
            "../crates/augur-bench/playbooks/many.augur",
            "../crates/augur-bench/playbooks/events.augur",
        ]
        .iter()
        .map(|path| {
            let (loader, name) = FsLoader::for_playbook(&std::path::Path::new(root).join(path));
            let analysis = analyze(&name, &loader);
            assert!(!analysis.has_errors(), "{path}: {:?}", analysis.diagnostics);
            analysis
        })
        .collect()
    })
}

fn same(a: &Deal, b: &Deal, text: &str) {
    assert_eq!(a.id, b.id, "{text:?}");
    assert_eq!(a.as_of, b.as_of, "{text:?}");
    assert_eq!(a.facts, b.facts, "{text:?}");
    assert_eq!(a.unknown_keys, b.unknown_keys, "{text:?}");
}

/// `got` is `reference`, or holds an unbuilt text where `reference` holds
/// text (what `DealDecoder::for_rules` may leave unbuilt).
fn same_or_unbuilt(got: &Value, reference: &Value) -> bool {
    match (got, reference) {
        (Value::Unknown(blame), Value::Text(_)) => blame.is_empty(),
        (Value::Record(a), Value::Record(b)) | (Value::List(a), Value::List(b)) => {
            a.len() == b.len() && a.iter().zip(b.iter()).all(|(a, b)| same_or_unbuilt(a, b))
        }
        _ => got == reference,
    }
}

fn same_result(got: Result<Deal, DealError>, reference: &Result<Deal, DealError>, text: &str) {
    match (got, reference) {
        (Ok(a), Ok(b)) => same(&a, b, text),
        (Err(a), Err(b)) => assert_eq!(&a, b, "{text:?}"),
        (a, b) => panic!("{text:?}: CSV path {a:?}, reference {b:?}"),
    }
}

/// The header and rows of `text` read as CSV (as `augur eval` reads them).
fn csv_rows(text: &str) -> Option<(Vec<String>, Vec<Vec<String>>)> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let columns = reader
        .headers()
        .ok()?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    let rows = reader
        .records()
        .map_while(Result::ok)
        .map(|row| row.iter().map(str::to_string).collect())
        .collect();
    Some((columns, rows))
}

fn compare_row(
    decoder: &DealDecoder<'_>,
    checked: &Header,
    unchecked: &Header,
    row: &[&str],
    text: &str,
) {
    let program = decoder.program();
    let reference = row_to_text(program, checked, row).and_then(|t| decode_deal_text(program, &t));
    if let Some(fast) = decoder.decode_row_fast(checked, row) {
        match &reference {
            Ok(reference) => same(&fast, reference, text),
            Err(error) => panic!("CSV fast path accepted a refused row ({error}): {text:?}"),
        }
    }
    same_result(decoder.decode_row(checked, row), &reference, text);
    same_result(decoder.decode_row(unchecked, row), &reference, text);
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for analysis in playbooks() {
        let program = &analysis.program;
        let decoder = DealDecoder::new(program);
        let reference = decode_deal_text(program, text);
        if let Some(fast) = decoder.decode_fast(text) {
            match &reference {
                Ok(reference) => same(&fast, reference, text),
                Err(error) => panic!("fast path accepted a refused deal ({error}): {text:?}"),
            }
        }
        match (decoder.decode_text(text), &reference) {
            (Ok(a), Ok(b)) => same(&a, b, text),
            (Err(a), Err(b)) => assert_eq!(&a, b, "{text:?}"),
            (a, b) => panic!("{text:?}: decode_text {a:?}, reference {b:?}"),
        }
        match (
            DealDecoder::for_rules(program).decode_text(text),
            &reference,
        ) {
            (Ok(a), Ok(b)) => {
                assert_eq!(
                    (&a.id, a.as_of, &a.unknown_keys),
                    (&b.id, b.as_of, &b.unknown_keys)
                );
                assert_eq!(a.facts.len(), b.facts.len(), "{text:?}");
                for (got, want) in a.facts.iter().zip(&b.facts) {
                    assert!(same_or_unbuilt(got, want), "{text:?}: {got:?} for {want:?}");
                }
            }
            (Err(a), Err(b)) => assert_eq!(&a, b, "{text:?}"),
            (a, b) => panic!("{text:?}: for_rules {a:?}, reference {b:?}"),
        }
    }
    let Some((columns, rows)) = csv_rows(text) else {
        return;
    };
    for analysis in playbooks() {
        let program = &analysis.program;
        let decoder = DealDecoder::new(program);
        let (Ok(checked), Ok(unchecked)) = (
            check_header(program, columns.clone()),
            unchecked_header(columns.clone()),
        ) else {
            continue;
        };
        for row in &rows {
            let row: Vec<&str> = row.iter().map(String::as_str).collect();
            compare_row(&decoder, &checked, &unchecked, &row, text);
        }
    }
});
