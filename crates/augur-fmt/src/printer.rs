//! The line printer: collects output lines, places every comment, decides
//! blank lines and renders the final text.
//!
//! Layout code (`layout.rs`) calls [`Printer::line`] once per *line node* (an
//! item, field, variant, clause, arm, test statement, string or closing
//! brace), in source order, with the node's source range. The printer walks
//! the file's comments alongside with a cursor, so each comment is emitted
//! exactly once:
//! - a comment before the node's range is an own-line comment before it;
//! - a comment inside the range (e.g. in the middle of a long expression) is
//!   hoisted to an own-line comment just before the node;
//! - the first comment after the range, on the same source line with only
//!   spaces or commas between, stays trailing on the node's line;
//! - comments before a closing brace stay inside the block ([`Printer::close`]);
//!   comments after the last item are flushed by [`Printer::finish`].
//!
//! This module knows nothing about the Augur syntax tree beyond comments and
//! spans; it does not decide how a node is written, only where lines go.

use augur_syntax::ast::Comment;
use augur_syntax::Span;

/// How to decide the blank line before the first line emitted for a node
/// (its first own-line comment, or the node itself).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Blank {
    /// Keep one blank line if the author had one or more.
    Keep,
    /// Always one blank line (unless right after `{` or at the file start).
    Force,
}

/// One line of output: indentation level, code (or a whole comment), an
/// optional trailing comment, and whether a blank line precedes it.
struct Line {
    indent: usize,
    text: String,
    trailing: Option<String>,
    blank_before: bool,
}

pub(crate) struct Printer<'a> {
    text: &'a str,
    comments: &'a [Comment],
    /// Index of the first comment not yet emitted.
    next: usize,
    lines: Vec<Line>,
    indent: usize,
    /// True at the start of the file and right after a line ending in `{`:
    /// no blank line may follow.
    at_block_start: bool,
}

/// Spaces per indentation level.
const INDENT: &str = "  ";
/// What separates code from a trailing comment.
const TRAILING_GAP: &str = "  ";

impl<'a> Printer<'a> {
    pub(crate) fn new(text: &'a str, comments: &'a [Comment]) -> Self {
        Printer {
            text,
            comments,
            next: 0,
            lines: Vec::new(),
            indent: 0,
            at_block_start: true,
        }
    }

    /// The current indentation level.
    pub(crate) fn indent(&self) -> usize {
        self.indent
    }

    /// Whether any comment starts strictly between `start` and `end`.
    pub(crate) fn has_comment_within(&self, start: usize, end: usize) -> bool {
        let first = self
            .comments
            .partition_point(|comment| comment.span.start <= start);
        self.comments
            .get(first)
            .is_some_and(|comment| comment.span.start < end)
    }

    /// Emits one line node: its own-line and hoisted comments, then the line
    /// itself with its trailing comment.
    pub(crate) fn line(&mut self, range: Span, text: String, blank: Blank) {
        let range = Span::new(range.start, self.tight_end(range.start, range.end));
        let mut entries: Vec<(String, bool)> = Vec::new();
        while let Some(comment) = self.take_comment_before(range.start) {
            let gap = self.blank_line_before(comment.span.start);
            entries.push((clean(comment), gap));
        }
        let mut node_gap = self.blank_line_before(range.start);
        while let Some(comment) = self.take_comment_before(range.end) {
            // Hoisted out of the node: the first takes the node's own gap, so
            // reformatting (where it is an ordinary leading comment) agrees.
            entries.push((clean(comment), node_gap));
            node_gap = false;
        }
        let mut first = true;
        for (comment, gap) in entries {
            let blank_before = if first { decide(blank, gap) } else { gap };
            first = false;
            self.push(comment, None, blank_before);
        }
        let blank_before = if first {
            decide(blank, node_gap)
        } else {
            node_gap
        };
        let trailing = self.take_trailing(range.end);
        self.push(text, trailing, blank_before);
    }

    /// Emits a line that opens a block (ends in `{` or `[`) and indents.
    pub(crate) fn open(&mut self, range: Span, text: String, blank: Blank) {
        self.line(range, text, blank);
        self.at_block_start = true;
        self.indent += 1;
    }

    /// Closes a block at the closing bracket found at byte `at`: comments
    /// before it stay inside the block, then `text` (e.g. `}`) is emitted one
    /// level out, never after a blank line.
    pub(crate) fn close(&mut self, at: usize, text: &str) {
        self.flush_comments_before(at);
        self.indent = self.indent.saturating_sub(1);
        let end = at.saturating_add(1);
        // Nothing can lie inside a one-byte range, but stay exact anyway.
        while let Some(comment) = self.take_comment_before(end) {
            let comment = clean(comment);
            self.push(comment, None, false);
        }
        let trailing = self.take_trailing(end);
        self.push(text.to_string(), trailing, false);
    }

    /// Emits every remaining comment and renders the text: LF line endings,
    /// no trailing whitespace, exactly one final newline (none when empty).
    pub(crate) fn finish(mut self) -> String {
        self.indent = 0;
        self.flush_comments_before(usize::MAX);
        let mut out = String::new();
        for line in &self.lines {
            if line.blank_before {
                out.push('\n');
            }
            let start = out.len();
            for _ in 0..line.indent {
                out.push_str(INDENT);
            }
            out.push_str(&line.text);
            if let Some(trailing) = &line.trailing {
                out.push_str(TRAILING_GAP);
                out.push_str(trailing);
            }
            let kept = out
                .get(start..)
                .map_or(0, |written| written.trim_end_matches([' ', '\t']).len());
            out.truncate(start + kept);
            out.push('\n');
        }
        out
    }

    /// `end` moved back over whitespace and comments, but not before `start`.
    /// Parser spans of nodes that end in an optional part (`let x = a`, a
    /// variant without a doc, a `when` clause) run on over the whitespace and
    /// comments that follow them; a trailing comment must not count as inside.
    pub(crate) fn tight_end(&self, start: usize, end: usize) -> usize {
        let bytes = self.text.as_bytes();
        let mut end = end.min(bytes.len());
        loop {
            while end > start && matches!(bytes.get(end - 1), Some(b' ' | b'\t' | b'\r' | b'\n')) {
                end -= 1;
            }
            let index = self
                .comments
                .partition_point(|comment| comment.span.end < end);
            match self.comments.get(index) {
                Some(comment) if comment.span.end == end && comment.span.start > start => {
                    end = comment.span.start
                }
                _ => return end,
            }
        }
    }

    fn flush_comments_before(&mut self, at: usize) {
        while let Some(comment) = self.take_comment_before(at) {
            let gap = self.blank_line_before(comment.span.start);
            self.push(clean(comment), None, gap);
        }
    }

    fn push(&mut self, text: String, trailing: Option<String>, blank_before: bool) {
        let blank_before = blank_before && !self.at_block_start && !self.lines.is_empty();
        self.at_block_start = false;
        self.lines.push(Line {
            indent: self.indent,
            text,
            trailing,
            blank_before,
        });
    }

    fn take_comment_before(&mut self, offset: usize) -> Option<&'a Comment> {
        let comment = self.comments.get(self.next)?;
        if comment.span.start < offset {
            self.next += 1;
            Some(comment)
        } else {
            None
        }
    }

    /// The next comment, if it sits after `end` on the same source line with
    /// only spaces, tabs or commas between.
    fn take_trailing(&mut self, end: usize) -> Option<String> {
        let comment = self.comments.get(self.next)?;
        let between = self.text.get(end..comment.span.start)?;
        if between
            .bytes()
            .all(|byte| matches!(byte, b' ' | b'\t' | b','))
        {
            self.next += 1;
            Some(clean(comment))
        } else {
            None
        }
    }

    /// Whether the whitespace right before `offset` holds a blank line (two or
    /// more line breaks; `\r\n`, `\n` and `\r` each count as one).
    fn blank_line_before(&self, offset: usize) -> bool {
        let bytes = self.text.as_bytes();
        let mut at = offset.min(bytes.len());
        let mut breaks = 0;
        while let Some(&byte) = at.checked_sub(1).and_then(|before| bytes.get(before)) {
            match byte {
                b'\n' => {
                    breaks += 1;
                    if at >= 2 && bytes.get(at - 2) == Some(&b'\r') {
                        at -= 1;
                    }
                }
                b'\r' => breaks += 1,
                b' ' | b'\t' => {}
                _ => break,
            }
            at -= 1;
        }
        breaks >= 2
    }
}

fn decide(blank: Blank, author_gap: bool) -> bool {
    match blank {
        Blank::Keep => author_gap,
        Blank::Force => true,
    }
}

/// A comment as emitted: its text without trailing whitespace.
fn clean(comment: &Comment) -> String {
    comment.text.trim_end().to_string()
}
