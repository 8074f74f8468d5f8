//! `parse` never panics on any text, and every span it reports (items,
//! comments, diagnostics) lies inside the text on character boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parse = augur_syntax::parse(text);
    for item in &parse.file.items {
        common::assert_span_in(text, item.span, "item");
    }
    for comment in &parse.file.comments {
        common::assert_span_in(text, comment.span, "comment");
    }
    for diagnostic in &parse.diagnostics {
        common::assert_diagnostic_in(|_| Some(text), diagnostic);
    }
});
