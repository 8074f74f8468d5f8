//! Rendering diagnostics for people with miette.
//!
//! [`Diagnostic`] is plain data; this module adapts it to `miette::Diagnostic`
//! so the CLI can print the graphical report (source excerpt, labels, help).

use crate::diagnostic::{Diagnostic, Severity};
use miette::{LabeledSpan, NamedSource};
use std::fmt;

/// A diagnostic together with the text of the file it points into.
pub struct Rendered<'a> {
    diagnostic: &'a Diagnostic,
    source: NamedSource<String>,
}

impl<'a> Rendered<'a> {
    pub fn new(diagnostic: &'a Diagnostic, file_name: &str, text: &str) -> Self {
        Rendered {
            diagnostic,
            source: NamedSource::new(file_name, text.to_string()),
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
        let primary =
            LabeledSpan::new_primary_with_span(self.diagnostic.label.clone(), self.diagnostic.span);
        // Secondary labels in other files cannot be drawn on this file's excerpt.
        let secondary = self
            .diagnostic
            .labels
            .iter()
            .filter(|label| label.file == self.diagnostic.file)
            .map(|label| LabeledSpan::new_with_span(Some(label.message.clone()), label.span));
        Some(Box::new(std::iter::once(primary).chain(secondary)))
    }
}

/// Renders diagnostics as text with miette's graphical handler. `color` picks
/// ANSI colours (for terminals) or plain text (for files, pipes and tests).
pub fn render_report(diagnostic: &Diagnostic, file_name: &str, text: &str, color: bool) -> String {
    let theme = if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    let rendered = Rendered::new(diagnostic, file_name, text);
    if handler.render_report(&mut out, &rendered).is_err() {
        out = format!("{}: {}\n", diagnostic.code.as_str(), diagnostic.message);
    }
    out
}
