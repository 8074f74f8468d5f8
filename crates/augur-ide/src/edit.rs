//! Applying an editor's content change to a document's text.
//!
//! Editors send a range (line + column, counted in the negotiated unit) and
//! the text to put there, or the whole new text. Ranges arrive from outside
//! and may be nonsense: past the end of a line or of the file, inside a
//! multi-byte character or a surrogate pair, or reversed. Each is clamped to
//! the nearest character boundary (via [`augur_syntax::LineIndex`], the one
//! place positions are converted); nothing here can panic.

use augur_syntax::{ColumnUnit, LineCol, LineIndex};

/// One change as the editor sends it.
#[derive(Clone, Copy, Debug)]
pub struct ContentChange<'a> {
    /// `None` replaces the whole text.
    pub range: Option<(LineCol, LineCol)>,
    pub text: &'a str,
}

/// Applies `change` to `text`.
pub fn apply_change(text: &mut String, change: ContentChange<'_>, unit: ColumnUnit) {
    let Some((start, end)) = change.range else {
        change.text.clone_into(text);
        return;
    };
    let index = LineIndex::new(text);
    let mut start = index.offset(text, start, unit);
    let mut end = index.offset(text, end, unit);
    if end < start {
        std::mem::swap(&mut start, &mut end);
    }
    let start = crate::lex::clamp_offset(text, start);
    let end = crate::lex::clamp_offset(text, end);
    text.replace_range(start..end, change.text);
}

/// Applies several changes in order, each relative to the text the previous
/// one left (as LSP requires).
pub fn apply_changes<'a>(
    text: &mut String,
    changes: impl IntoIterator<Item = ContentChange<'a>>,
    unit: ColumnUnit,
) {
    for change in changes {
        apply_change(text, change, unit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: u32, column: u32) -> LineCol {
        LineCol { line, column }
    }

    fn change(text: &str, range: ((u32, u32), (u32, u32)), new: &str, unit: ColumnUnit) -> String {
        let mut text = text.to_string();
        apply_change(
            &mut text,
            ContentChange {
                range: Some((at(range.0 .0, range.0 .1), at(range.1 .0, range.1 .1))),
                text: new,
            },
            unit,
        );
        text
    }

    #[test]
    fn edits_after_cjk_and_astral_characters_in_each_unit() {
        let text = "阶段 𠮷x\n";
        // `x` is at UTF-16 column 5 (阶 段 space 𠮷=2), char column 4, byte 10.
        assert_eq!(
            change(text, ((0, 5), (0, 6)), "y", ColumnUnit::Utf16),
            "阶段 𠮷y\n"
        );
        assert_eq!(
            change(text, ((0, 4), (0, 5)), "y", ColumnUnit::Char),
            "阶段 𠮷y\n"
        );
        assert_eq!(
            change(text, ((0, 11), (0, 12)), "y", ColumnUnit::Utf8),
            "阶段 𠮷y\n"
        );
    }

    #[test]
    fn nonsense_ranges_are_clamped() {
        let text = "阶段 𠮷x\nab";
        // Inside the surrogate pair of 𠮷: lands before it.
        assert_eq!(
            change(text, ((0, 4), (0, 4)), "!", ColumnUnit::Utf16),
            "阶段 !𠮷x\nab"
        );
        // Inside a multi-byte character in UTF-8 columns.
        assert_eq!(
            change(text, ((0, 1), (0, 2)), "!", ColumnUnit::Utf8),
            "!阶段 𠮷x\nab"
        );
        // Past the end of a line, past the end of the file, reversed.
        assert_eq!(
            change(text, ((0, 99), (0, 99)), "!", ColumnUnit::Utf16),
            "阶段 𠮷x!\nab"
        );
        assert_eq!(
            change(text, ((9, 0), (12, 5)), "!", ColumnUnit::Utf16),
            "阶段 𠮷x\nab!"
        );
        assert_eq!(change(text, ((1, 1), (0, 0)), "", ColumnUnit::Utf16), "b");
    }

    #[test]
    fn several_changes_apply_in_order() {
        let mut text = "ab\ncd".to_string();
        apply_changes(
            &mut text,
            [
                ContentChange {
                    range: Some((at(0, 0), at(0, 0))),
                    text: "x\n",
                },
                // Relative to the text after the first change.
                ContentChange {
                    range: Some((at(1, 0), at(1, 1))),
                    text: "A",
                },
                ContentChange {
                    range: None,
                    text: "whole",
                },
            ],
            ColumnUnit::Utf16,
        );
        assert_eq!(text, "whole");
        let mut text = "ab\ncd".to_string();
        apply_changes(
            &mut text,
            [
                ContentChange {
                    range: Some((at(0, 0), at(0, 0))),
                    text: "x\n",
                },
                ContentChange {
                    range: Some((at(1, 0), at(1, 1))),
                    text: "A",
                },
            ],
            ColumnUnit::Utf16,
        );
        assert_eq!(text, "x\nAb\ncd");
    }
}
