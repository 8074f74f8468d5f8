//! Checks on the raw text before the grammar runs: invisible direction
//! changers and control characters (refused wherever they are), and the
//! bracket-nesting limit, measured by one linear scan so that nothing after
//! it can recurse deeper than the limit allows.

use super::limits;
use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;

/// Unicode's bidirectional formatting characters (LRE, RLE, PDF, LRO, RLO,
/// LRI, RLI, FSI, PDI, and the ALM/LRM/RLM marks). They reorder how text is
/// *shown* without changing what it *is*, so a rule can read differently from
/// what it does ("Trojan Source", CVE-2021-42574).
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}' | '\u{200E}' | '\u{200F}'
    )
}

/// One error per bidirectional control character, wherever it is (names,
/// strings, comments): Augur rejects them outright rather than warn, because
/// a reviewer reading the playbook cannot see them. Right-to-left *letters*
/// (Arabic, Hebrew) are fine; only the invisible controls are refused.
pub(super) fn bidi_control_errors(text: &str) -> Vec<Diagnostic> {
    text.char_indices()
        .filter(|(_, c)| is_bidi_control(*c))
        .map(|(at, c)| {
            Diagnostic::error(
                Code::BidiControl,
                Span::new(at, at + c.len_utf8()),
                format!(
                    "the invisible direction-changing character U+{:04X} is not allowed",
                    u32::from(c)
                ),
            )
            .with_label("invisible character here")
            .with_help(
                "it makes the text display in a different order than Augur reads it; delete it",
            )
        })
        .collect()
}

/// Most control-character errors reported for one file (a binary file
/// would otherwise give one per byte).
pub(super) const MAX_CONTROL_ERRORS: usize = 100;

/// Whether `c` at `at` is a control character a playbook may not hold:
/// every C0 and C1 control and DEL, except tab, line feed, and a carriage
/// return that ends a CRLF line.
pub(super) fn is_forbidden_control(text: &str, at: usize, c: char) -> bool {
    match c {
        '\t' | '\n' => false,
        '\r' => !text
            .get(at + 1..)
            .is_some_and(|rest| rest.starts_with('\n')),
        _ => c.is_control(),
    }
}

/// One error per invisible control character (NUL, ESC, backspace…),
/// wherever it is: in a string it would reach a terminal (an escape sequence
/// can rewrite what a rep sees), and anywhere it hides from a reviewer.
pub(super) fn control_character_errors(text: &str) -> Vec<Diagnostic> {
    text.char_indices()
        .filter(|(at, c)| is_forbidden_control(text, *at, *c))
        .take(MAX_CONTROL_ERRORS)
        .map(|(at, c)| {
            Diagnostic::error(
                Code::ControlCharacter,
                Span::new(at, at + c.len_utf8()),
                format!(
                    "the invisible character U+{:04X} (a control character) is not allowed",
                    u32::from(c)
                ),
            )
            .with_label("invisible character here")
            .with_help(
                "control characters cannot be seen and can change what a terminal shows; delete it \
                 (tabs, line breaks and CRLF line endings are fine)",
            )
        })
        .collect()
}

pub(super) fn check_bracket_depth(text: &str) -> Option<Diagnostic> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut in_comment = false;
    let mut escaped = false;
    for (offset, byte) in text.bytes().enumerate() {
        if in_comment {
            in_comment = byte != b'\n';
            continue;
        }
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' | b'\n' => in_string = false,
                _ => {}
            }
        } else {
            match byte {
                b'#' => in_comment = true,
                b'"' => in_string = true,
                _ => {}
            }
        }
        match byte {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > limits::MAX_BRACKET_DEPTH {
                    return Some(
                        Diagnostic::error(
                            Code::TooDeep,
                            Span::new(offset, offset + 1),
                            format!(
                                "brackets are nested more than {} levels deep here",
                                limits::MAX_BRACKET_DEPTH
                            ),
                        )
                        .with_label("too deep")
                        .with_help("split the expression into named `let` values"),
                    );
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}
