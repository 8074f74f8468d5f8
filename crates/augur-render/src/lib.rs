//! Rendering diagnostics for people with miette: the `augur` command
//! line's own renderer (its one user besides tests; the checker's case
//! snapshots are rendered with it). A crate of its own only so those tests
//! can reach it: `augur-syntax` and every library stay free of the
//! terminal stack (miette's `fancy` feature).
//!
//! [`Diagnostic`] is plain data; this crate adapts it to `miette::Diagnostic`
//! so the CLI can print the graphical report (source excerpt, labels, help).
//! It only produces text; whether colours are wanted is the CLI's call.
//!
//! Rendering one diagnostic costs the few lines around its spans, not the
//! whole file: the report reads a [`Window`] of the text found through a
//! [`LineIndex`] built once per file, so N diagnostics render in linear time.

#![deny(clippy::indexing_slicing)]

use augur_syntax::{ColumnUnit, Diagnostic, LineIndex, Severity, Span};
use miette::{LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};
use std::fmt;

/// Lines of context shown around a diagnostic's spans (miette shows one).
const CONTEXT_LINES: usize = 3;

/// The lines of a file around a diagnostic: the text from the start of a
/// line to the end of another, where it starts in the file, and that line's
/// number. Offsets and lines it reports are those of the whole file.
struct Window<'t> {
    name: String,
    text: std::borrow::Cow<'t, str>,
    start: usize,
    first_line: usize,
}

impl<'t> Window<'t> {
    /// The window of `text` covering bytes `lo..hi` and a few lines around.
    fn around(name: &str, text: &'t str, index: &LineIndex, lo: usize, hi: usize) -> Self {
        let line_of = |offset: usize| index.line_col(text, offset, ColumnUnit::Utf8).line as usize;
        let first_line = line_of(lo).saturating_sub(CONTEXT_LINES);
        let start = index.line_start(first_line).unwrap_or(0);
        let end = index
            .line_start(line_of(hi) + CONTEXT_LINES + 1)
            .unwrap_or(text.len());
        match text.get(start..end.max(start)) {
            Some(window) => Window {
                name: name.to_string(),
                text: visible(window),
                start,
                first_line,
            },
            None => Window {
                name: name.to_string(),
                text: visible(text),
                start: 0,
                first_line: 0,
            },
        }
    }
}

/// The text with every control character but tab and line breaks shown as
/// `?` (C0, DEL) or `¿` (C1), each the same number of bytes, so offsets stay
/// right and an excerpt can never send an escape sequence to a terminal.
fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    let hidden = |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r');
    if !text.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars()
            .map(|c| match c {
                c if hidden(c) && c.len_utf8() == 1 => '?',
                c if hidden(c) => '¿',
                c => c,
            })
            .collect(),
    )
}

impl SourceCode for Window<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let local = SourceSpan::new(span.offset().saturating_sub(self.start).into(), span.len());
        let inner =
            self.text
                .as_ref()
                .read_span(&local, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            SourceSpan::new(
                (inner.span().offset() + self.start).into(),
                inner.span().len(),
            ),
            inner.line() + self.first_line,
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// A diagnostic together with the lines of the file it points into.
pub struct Rendered<'a> {
    diagnostic: &'a Diagnostic,
    source: Window<'a>,
}

impl<'a> Rendered<'a> {
    pub fn new(
        diagnostic: &'a Diagnostic,
        file_name: &str,
        text: &'a str,
        index: &LineIndex,
    ) -> Self {
        let spans = std::iter::once(diagnostic.span).chain(
            diagnostic
                .labels
                .iter()
                .filter(|label| label.file == diagnostic.file)
                .map(|label| label.span),
        );
        let (lo, hi) = spans.fold((usize::MAX, 0), |(lo, hi), span| {
            (lo.min(span.start), hi.max(span.end))
        });
        Rendered {
            diagnostic,
            source: Window::around(file_name, text, index, lo.min(hi), hi),
        }
    }
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.diagnostic, f)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Rendered<'_> {}

impl miette::Diagnostic for Rendered<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.diagnostic.code.as_str()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diagnostic
            .help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = LabeledSpan::new_primary_with_span(
            self.diagnostic.label.clone(),
            source_span(self.diagnostic.span),
        );
        // Secondary labels in other files cannot be drawn on this file's excerpt.
        let secondary = self
            .diagnostic
            .labels
            .iter()
            .filter(|label| label.file == self.diagnostic.file)
            .map(|label| {
                LabeledSpan::new_with_span(Some(label.message.clone()), source_span(label.span))
            });
        Some(Box::new(std::iter::once(primary).chain(secondary)))
    }
}

fn source_span(span: Span) -> SourceSpan {
    SourceSpan::new(span.start.into(), span.len())
}

/// Renders diagnostics as text with miette's graphical handler. `color` picks
/// ANSI colours (for terminals) or plain text (for files, pipes and tests).
pub fn render_report(diagnostic: &Diagnostic, file_name: &str, text: &str, color: bool) -> String {
    render_report_indexed(diagnostic, file_name, text, &LineIndex::new(text), color)
}

/// [`render_report`] with the file's [`LineIndex`] built once by the
/// caller: the cost is then the lines shown, not the file.
pub fn render_report_indexed(
    diagnostic: &Diagnostic,
    file_name: &str,
    text: &str,
    index: &LineIndex,
    color: bool,
) -> String {
    let theme = if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    let rendered = Rendered::new(diagnostic, file_name, text, index);
    if handler.render_report(&mut out, &rendered).is_err() {
        out = format!("{}: {}\n", diagnostic.code.as_str(), diagnostic.message);
    }
    out
}
