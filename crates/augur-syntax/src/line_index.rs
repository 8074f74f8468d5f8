//! Byte offsets ↔ lines and columns: the one place positions are converted.
//!
//! Inside Augur every position is a byte offset. People and tools want lines
//! and columns, counted differently by each: the CLI reports 1-based lines and
//! columns in characters (what a person counts), the language server speaks
//! UTF-16 code units (the LSP default) or UTF-8 bytes when the client asks.

/// How a column is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnUnit {
    /// Unicode scalar values: `阶` is one column, `𠮷` is one column.
    Char,
    /// UTF-16 code units: `阶` is one, `𠮷` is two (LSP's default).
    Utf16,
    /// Bytes: `阶` is three, `𠮷` is four.
    Utf8,
}

/// A zero-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: u32,
    pub column: u32,
}

/// Line starts of one text, for fast conversions in both directions.
#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            line_starts,
            len: text.len(),
        }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The byte offset where line `line` (0-based) starts, if there is one.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.line_starts.get(line).copied()
    }

    /// The line and column of `offset`. An offset past the end or inside a
    /// multi-byte character is clamped to the character boundary before it.
    pub fn line_col(&self, text: &str, offset: usize, unit: ColumnUnit) -> LineCol {
        let mut offset = offset.min(self.len).min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        let before = text.get(start..offset).unwrap_or("");
        let column = match unit {
            ColumnUnit::Char => before.chars().count(),
            ColumnUnit::Utf16 => before.encode_utf16().count(),
            ColumnUnit::Utf8 => before.len(),
        };
        LineCol {
            line: line as u32,
            column: column as u32,
        }
    }

    /// The byte offset of a line and column. A column past the end of its line
    /// (or inside a surrogate pair) lands on the nearest boundary before it; a
    /// line past the end is the end of the text.
    pub fn offset(&self, text: &str, position: LineCol, unit: ColumnUnit) -> usize {
        let Some(&start) = self.line_starts.get(position.line as usize) else {
            return text.len();
        };
        let end = self
            .line_starts
            .get(position.line as usize + 1)
            .map_or(text.len(), |next| next - 1);
        let line = text.get(start..end.max(start)).unwrap_or("");
        let line = line.strip_suffix('\r').unwrap_or(line);
        let wanted = position.column as usize;
        let mut counted = 0;
        for (byte, ch) in line.char_indices() {
            let width = match unit {
                ColumnUnit::Char => 1,
                ColumnUnit::Utf16 => ch.len_utf16(),
                ColumnUnit::Utf8 => ch.len_utf8(),
            };
            if counted + width > wanted {
                return start + byte;
            }
            counted += width;
        }
        start + line.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_cjk_and_astral_characters_per_unit() {
        let text = "a\n阶段 = 𠮷x\n";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap_or_default();
        assert_eq!(
            index.line_col(text, x, ColumnUnit::Char),
            LineCol { line: 1, column: 6 }
        );
        assert_eq!(
            index.line_col(text, x, ColumnUnit::Utf16),
            LineCol { line: 1, column: 7 }
        );
        assert_eq!(
            index.line_col(text, x, ColumnUnit::Utf8),
            LineCol {
                line: 1,
                column: 13
            }
        );
        for unit in [ColumnUnit::Char, ColumnUnit::Utf16, ColumnUnit::Utf8] {
            let position = index.line_col(text, x, unit);
            assert_eq!(index.offset(text, position, unit), x, "{unit:?}");
        }
    }

    #[test]
    fn clamps_positions_inside_characters_and_past_the_end() {
        let text = "阶\n";
        let index = LineIndex::new(text);
        assert_eq!(
            index.line_col(text, 1, ColumnUnit::Char),
            LineCol { line: 0, column: 0 }
        );
        assert_eq!(
            index.offset(
                text,
                LineCol {
                    line: 0,
                    column: 99
                },
                ColumnUnit::Utf16
            ),
            3
        );
        assert_eq!(
            index.offset(text, LineCol { line: 9, column: 0 }, ColumnUnit::Utf16),
            text.len()
        );
        let astral = "𠮷";
        let index = LineIndex::new(astral);
        assert_eq!(
            index.offset(astral, LineCol { line: 0, column: 1 }, ColumnUnit::Utf16),
            0
        );
    }
}
