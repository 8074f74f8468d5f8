//! Checks shared by the fuzz targets: every span a diagnostic carries must lie
//! inside its file's text and on character boundaries, so the renderer and
//! the language server can slice with it.
#![allow(dead_code)]

use augur_syntax::{Diagnostic, FileId, Span};

pub fn assert_span_in(text: &str, span: Span, what: &str) {
    let (start, end) = (span.start, span.end);
    assert!(start <= end, "{what}: reversed span {span:?}");
    assert!(
        end <= text.len(),
        "{what}: span {span:?} past the end ({})",
        text.len()
    );
    assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "{what}: span {span:?} inside a character"
    );
}

/// `text_of` gives the text of a file id (`None`: the id is unknown, which is
/// itself a bug).
pub fn assert_diagnostic_in<'a>(text_of: impl Fn(FileId) -> Option<&'a str>, d: &Diagnostic) {
    let what = d.code.as_str();
    let text = text_of(d.file).unwrap_or_else(|| panic!("{what}: unknown file {:?}", d.file));
    assert_span_in(text, d.span, what);
    for label in &d.labels {
        let text = text_of(label.file).unwrap_or_else(|| panic!("{what}: unknown label file"));
        assert_span_in(text, label.span, what);
    }
    for suggestion in &d.suggestions {
        let text =
            text_of(suggestion.file).unwrap_or_else(|| panic!("{what}: unknown suggestion file"));
        assert_span_in(text, suggestion.span, what);
    }
}
