//! Arbitrary bytes as a JSON deal against the flagship playbooks (English and
//! Chinese), each analysed once: decoding and evaluating never panic.
#![no_main]

use augur_check::{analyze, Analysis, FsLoader};
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

fuzz_target!(|data: &[u8]| {
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let today = augur_syntax::Date::from_ymd(2026, 11, 28).unwrap_or_else(|| panic!("date"));
    for analysis in playbooks() {
        if let Ok(deal) = augur_eval::decode_deal(&analysis.program, &json) {
            let _ = augur_eval::evaluate(&analysis.program, &deal, today);
        }
    }
});
