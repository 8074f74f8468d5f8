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

/// The errors for invisible characters, found in one scan: first one per
/// bidirectional control character, then one per control character (at
/// most [`MAX_CONTROL_ERRORS`]).
///
/// Bidirectional controls are refused wherever they are (names, strings,
/// comments) rather than warned about, because a reviewer reading the
/// playbook cannot see them; right-to-left *letters* (Arabic, Hebrew) are
/// fine. Control characters (NUL, ESC, backspace…) are refused anywhere too:
/// in a string one would reach a terminal (an escape sequence can rewrite
/// what a rep sees), and anywhere it hides from a reviewer.
pub(super) fn invisible_character_errors(text: &str) -> Vec<Diagnostic> {
    let mut bidi = Vec::new();
    let mut controls = Vec::new();
    for (at, c) in suspect_chars(text) {
        let span = Span::new(at, at + c.len_utf8());
        if is_bidi_control(c) {
            bidi.push(
                Diagnostic::error(
                    Code::BidiControl,
                    span,
                    format!(
                        "the invisible direction-changing character U+{:04X} is not allowed",
                        u32::from(c)
                    ),
                )
                .with_label("invisible character here")
                .with_help(
                    "it makes the text display in a different order than Augur reads it; delete it",
                ),
            );
        } else if controls.len() < MAX_CONTROL_ERRORS && is_forbidden_control(text, at, c) {
            controls.push(
                Diagnostic::error(
                    Code::ControlCharacter,
                    span,
                    format!(
                        "the invisible character U+{:04X} (a control character) is not allowed",
                        u32::from(c)
                    ),
                )
                .with_label("invisible character here")
                .with_help(
                    "control characters cannot be seen and can change what a terminal shows; \
                     delete it (tabs, line breaks and CRLF line endings are fine)",
                ),
            );
        }
    }
    bidi.extend(controls);
    bidi
}

/// The characters of `text` that may be a bidi or control character, with
/// their offsets: a byte scan (most files hold none, and decoding every
/// character cost a tenth of parsing). Every such character starts with a
/// byte below 0x20, DEL, or the lead byte 0xC2 (U+0080–U+00BF, the C1
/// controls), 0xD8 (U+0600–U+063F, the Arabic letter mark) or 0xE2
/// (U+2000–U+2FFF, the marks and overrides); lead bytes are never inside a
/// character, so each hit is a character's start.
fn suspect_chars(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    /// Which bytes may start a bidi or control character (tab and line
    /// feed never do; a carriage return may, when no line feed follows).
    // Built at compile time: an index out of range would not compile.
    #[allow(clippy::indexing_slicing)]
    const SUSPECT: [bool; 256] = {
        let mut table = [false; 256];
        let mut byte = 0;
        while byte < 0x20 {
            table[byte] = byte != b'\t' as usize && byte != b'\n' as usize;
            byte += 1;
        }
        table[0x7F] = true;
        table[0xC2] = true;
        table[0xD8] = true;
        table[0xE2] = true;
        table
    };
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while let Some(&byte) = bytes.get(at) {
            at += 1;
            if in_table(&SUSPECT, byte) {
                if let Some(c) = text.get(at - 1..).and_then(|rest| rest.chars().next()) {
                    return Some((at - 1, c));
                }
            }
        }
        None
    })
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

/// Whether a byte is marked in a table of all 256 (the bound check
/// disappears: a `u8` is always in range).
pub(super) fn in_table(table: &[bool; 256], byte: u8) -> bool {
    table.get(usize::from(byte)).copied().unwrap_or(false)
}

/// The bytes a scan for brackets, texts and comments acts on (`#`, `"`,
/// `\\`, line ends and brackets); runs of other bytes are skipped whole.
/// Shared by the bracket-depth screen and the search for cuts between
/// pieces (`pieces.rs`).
// Built at compile time: an index out of range would not compile.
#[allow(clippy::indexing_slicing)]
pub(super) const SCAN_MARKS: [bool; 256] = {
    let mut table = [false; 256];
    let marks = b"#\"\\\n()[]{}";
    let mut index = 0;
    while index < marks.len() {
        table[marks[index] as usize] = true;
        index += 1;
    }
    table
};

pub(super) fn check_bracket_depth(text: &str) -> Option<Diagnostic> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut in_comment = false;
    let mut escaped = false;
    // Where a string started, and whether it has a `{`. A string without
    // one is text from end to end, so its brackets are text too: they are
    // counted while it lasts and forgotten when it ends ("Budget (approved"
    // in a hundred labels is not nesting). A `{` may open `{…}` inside a
    // message, whose code may hold strings of its own; this scan cannot tell
    // which quote ends what, so such a string's brackets stay counted, as
    // everything was before: the count may then run high, never low.
    let mut string_start_depth = 0usize;
    let mut string_has_brace = false;
    for (offset, byte) in text.bytes().enumerate() {
        // An escape ends at the byte after the backslash, whatever it is.
        if !in_table(&SCAN_MARKS, byte) && !escaped {
            continue;
        }
        if in_comment {
            in_comment = byte != b'\n';
            continue;
        }
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' | b'\n' => {
                    in_string = false;
                    if !string_has_brace {
                        depth = string_start_depth;
                    }
                }
                b'{' => string_has_brace = true,
                _ => {}
            }
        } else {
            match byte {
                b'#' => in_comment = true,
                b'"' => {
                    in_string = true;
                    string_start_depth = depth;
                    string_has_brace = false;
                }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte scan finds exactly the characters a scan of every
    /// character finds, whatever the neighbours.
    #[test]
    fn suspect_scan_misses_nothing() {
        let mut text = String::new();
        for c in (0u32..0x3100).filter_map(char::from_u32) {
            text.push(c);
            text.push_str("a事\r\n");
        }
        let every: Vec<(usize, char)> = text
            .char_indices()
            .filter(|(at, c)| is_bidi_control(*c) || is_forbidden_control(&text, *at, *c))
            .collect();
        let suspects: Vec<(usize, char)> = suspect_chars(&text)
            .filter(|(at, c)| is_bidi_control(*c) || is_forbidden_control(&text, *at, *c))
            .collect();
        assert!(every.len() > 60, "{}", every.len());
        assert_eq!(every, suspects);
    }

    fn too_deep(text: &str) -> bool {
        check_bracket_depth(text).is_some()
    }

    /// Brackets in a plain text are text: a hundred labels each with an
    /// unclosed `(` are no nesting at all.
    #[test]
    fn brackets_inside_texts_are_not_nesting() {
        let mut text = String::from("facts {\n  x: bool \"x (\"\n}\n");
        for index in 0..100 {
            text.push_str(&format!(
                "signal s{index} \"label ( {index} [\" {{\n  when x\n  weight 1\n}}\n"
            ));
        }
        assert!(!too_deep(&text));
        // A text left open at the end of its line ends there.
        let open = "signal s \"((((\n".repeat(100);
        assert!(!too_deep(&open));
    }

    /// Real nesting is still found, in code and inside `{…}` of a message,
    /// whose strings this scan cannot follow: there it counts every bracket.
    #[test]
    fn nesting_in_code_and_in_messages_is_still_found() {
        let deep = format!("let x = {}1{}\n", "(".repeat(70), ")".repeat(70));
        assert!(too_deep(&deep));
        let message = format!("  message \"{{{}1\"\n", "(".repeat(70));
        assert!(too_deep(&message));
        let nested = format!("  message \"{}\"\n", "{f(\"{f(\"".repeat(40));
        assert!(too_deep(&nested));
        let fine = format!("let x = {}1{}\n", "(".repeat(60), ")".repeat(60));
        assert!(!too_deep(&fine));
    }
}
