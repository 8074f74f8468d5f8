//! Parsing stays linear on hostile text. Each case is a shape that once made
//! (or could make) the PEG parser backtrack without end — an unclosed `{` in a
//! recovered entry was tried again at every inner `{`, twice the work per
//! brace — repeated until the file is a few kilobytes. The parse must finish
//! within a fixed number of grammar-rule calls per byte (pest's call limit),
//! which is deterministic where a wall-clock limit would not be.
//!
//! Its own test binary: pest's call limit is process-wide.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use augur_syntax::Code;
use std::num::NonZeroUsize;

/// Grammar-rule calls allowed per byte of input. The example playbooks need
/// about 4; the hostile shapes below need up to 100 (deep expression nesting
/// goes through a dozen precedence rules per bracket). Exponential or quadratic
/// backtracking on a few kilobytes needs millions per byte.
const CALLS_PER_BYTE: usize = 200;

/// The hostile shapes: text to repeat, plus what comes before and after.
fn cases() -> Vec<(&'static str, String)> {
    let braces = "{".repeat(60);
    let close = "}".repeat(60);
    let deep = |open: &str, inner: &str, close: &str| {
        format!("{}{inner}{}", open.repeat(60), close.repeat(60))
    };
    vec![
        (
            "unclosed braces in a variant",
            format!("enum Stage {{ ear{braces}ly, late }}\n"),
        ),
        (
            "unclosed braces in a field",
            format!("facts {{\n  a: int{braces}\n  b: int\n}}\n"),
        ),
        (
            "unclosed braces in a record",
            format!("record R {{ a: {braces} }}\n"),
        ),
        (
            "unclosed braces in a clause",
            format!("signal s {{ when a {braces} weight 1 }}\n"),
        ),
        (
            "unclosed braces in a group",
            format!("group g {{ x {braces}\n  signal s {{ when a }}\n}}\n"),
        ),
        (
            "unclosed braces in a group header",
            format!("group g when {braces} {{\n}}\n"),
        ),
        (
            "unclosed braces in an arm",
            format!("verdict v {{ a when {braces} b otherwise }}\n"),
        ),
        (
            "unclosed braces in a test",
            format!("test \"t\" {{ given {braces} expect a }}\n"),
        ),
        (
            "unclosed braces at the top",
            format!("{braces}\nsignal s {{ when a }}\n"),
        ),
        (
            "closed braces in a clause",
            format!("signal s {{ when a {braces}{close} weight 1 }}\n"),
        ),
        (
            "unclosed parentheses",
            format!("let x = {}\n", "(".repeat(60)),
        ),
        (
            "deep parentheses",
            format!("let x = {}\n", deep("(", "a", ")")),
        ),
        ("deep lists", format!("let x = {}\n", deep("[", "1", "]"))),
        ("unclosed calls", format!("let x = {}\n", "f(".repeat(60))),
        ("deep calls", format!("let x = {}\n", deep("f(", "a", ")"))),
        (
            "unclosed interpolation",
            format!("signal s {{ message {} }}\n", "\"{".repeat(30)),
        ),
        (
            "unclosed records in a given",
            format!("test \"t\" {{ given {} }}\n", "{a = ".repeat(60)),
        ),
        (
            "unclosed strings in a clause",
            format!("signal s {{ when {} weight 1 }}\n", "\"a".repeat(60)),
        ),
        ("many not", format!("let x = {}a\n", "not ".repeat(60))),
        ("many minus", format!("let x = {}a\n", "- ".repeat(60))),
        ("stray closers", format!("signal s {{ when a }}\n{close}\n")),
    ]
}

#[test]
fn hostile_shapes_parse_in_linear_rule_calls() {
    for (name, unit) in cases() {
        // Close what the shape leaves open on a line of its own after an
        // item, so the repeated text stays under the bracket-depth limit (a
        // check before parsing) while the shape itself reaches the parser.
        let open = unit
            .chars()
            .filter(|c| matches!(c, '(' | '[' | '{'))
            .count();
        let closed = unit
            .chars()
            .filter(|c| matches!(c, ')' | ']' | '}'))
            .count();
        let unit = format!(
            "{unit}let z = 1\n{}\n",
            "}".repeat(open.saturating_sub(closed))
        );
        // Repeat the shape so the file is a few kilobytes: superlinear work
        // then shows up as a large factor, not a rounding error.
        let text = unit.repeat((4096 / unit.len()).max(1));
        let limit = CALLS_PER_BYTE * text.len() + 10_000;
        pest::set_call_limit(NonZeroUsize::new(limit));
        let parse = augur_syntax::parse(&text);
        let gave_up = parse
            .diagnostics
            .iter()
            .any(|d| d.message == "this file could not be read");
        assert!(
            !gave_up,
            "{name}: more than {CALLS_PER_BYTE} grammar-rule calls per byte on {} bytes",
            text.len()
        );
        assert!(
            !parse.diagnostics.iter().any(|d| d.code == Code::TooDeep),
            "{name}: refused before parsing, so the case tests nothing"
        );
        // The parse is about broken text: it must still say what is wrong.
        assert!(
            parse.has_errors() || !name.starts_with("unclosed"),
            "{name}: no error reported"
        );
    }
}
