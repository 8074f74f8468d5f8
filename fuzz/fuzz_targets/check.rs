//! Parse + check (`analyze_text`) never panics, and every diagnostic and
//! occurrence points inside the text on character boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let analysis = augur_check::analyze_text(text);
    let text_of = |file: augur_syntax::FileId| analysis.source(file).map(|s| &*s.text);
    for diagnostic in &analysis.diagnostics {
        common::assert_diagnostic_in(text_of, diagnostic);
    }
    for occurrence in &analysis.occurrences {
        let file_text =
            text_of(occurrence.file).unwrap_or_else(|| panic!("occurrence in unknown file"));
        common::assert_span_in(file_text, occurrence.span, "occurrence");
    }
});
