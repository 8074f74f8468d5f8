//! Arbitrary text as one deal, decoded by both deal decoders against the
//! flagship playbooks (English and Chinese) and the benchmark's shapes:
//! - the fast path (`DealDecoder::decode_fast`) never accepts a deal the
//!   reference decoder (`decode_deal_text`) refuses, and when it accepts,
//!   it decodes the same id, date, facts and unknown keys;
//! - `decode_text` gives the reference's value or exactly its error.
#![no_main]

use augur_check::{analyze, Analysis, FsLoader};
use augur_eval::{decode_deal_text, Deal, DealDecoder};
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
        match (decoder.decode_text(text), reference) {
            (Ok(a), Ok(b)) => same(&a, &b, text),
            (Err(a), Err(b)) => assert_eq!(a, b, "{text:?}"),
            (a, b) => panic!("{text:?}: decode_text {a:?}, reference {b:?}"),
        }
    }
});
