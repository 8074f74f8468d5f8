//! Diagnostics as data: one type for every problem any stage finds.
//!
//! A [`Diagnostic`] carries a stable [`Code`], a severity, a plain-language
//! message, the byte span it is about, extra labels, a help line and optional
//! machine-applicable suggestions. The CLI renders it with miette (the
//! `augur-render` crate), `--format json` and the language server serialise it;
//! none of them invents its own wording.

use crate::span::Span;
use serde::Serialize;

/// Which source file a diagnostic or definition lives in. The syntax layer
/// works on one file at a time and uses [`FileId::ROOT`]; the checker numbers
/// imported files.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct FileId(pub u32);

impl FileId {
    pub const ROOT: FileId = FileId(0);
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

macro_rules! codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = $text:literal, )*) => {
        /// Every diagnostic code Augur can emit. The text (`augur::…`) is stable:
        /// editors, CI scripts and docs/language.md refer to it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }

            /// One sentence on what the code means, for docs and `--explain`.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => concat!($($doc),*).trim_ascii(),)* }
            }
        }
    };
}

codes! {
    /// The text is not valid Augur at this point.
    Syntax = "augur::syntax",
    /// Brackets nest too deeply, or an expression is too deep, to be read safely.
    TooDeep = "augur::too-deep",
    /// The file, a string, a name or the number of items is over a size limit.
    TooLarge = "augur::too-large",
    /// An invisible bidirectional control character (U+202E and kin) that
    /// would make the text display differently from how it reads.
    BidiControl = "augur::bidi-control",
    /// An invisible control character (NUL, ESC, …) anywhere in the file.
    ControlCharacter = "augur::control-character",
    /// A string has a backslash escape Augur does not know.
    BadEscape = "augur::bad-escape",
    /// A number or date literal is out of range or not a real date.
    BadLiteral = "augur::bad-literal",
    /// The `playbook` header is repeated or is not the first item.
    Header = "augur::header",
    /// A signal sets `when`, `weight` or `message` twice.
    DuplicateField = "augur::duplicate-field",
    /// A name is used that nothing declares.
    UnknownName = "augur::unknown-name",
    /// A type name is used that nothing declares.
    UnknownType = "augur::unknown-type",
    /// A value of one type is used where another type is needed.
    TypeMismatch = "augur::type-mismatch",
    /// A variant is not one of its enum's variants.
    UnknownVariant = "augur::unknown-variant",
    /// A record has no field of that name.
    UnknownField = "augur::unknown-field",
    /// Two declarations share one name.
    DuplicateName = "augur::duplicate-name",
    /// A `let`, signal or verdict depends on itself.
    Cycle = "augur::cycle",
    /// Files import each other in a circle.
    ImportCycle = "augur::import-cycle",
    /// An import path leaves the playbook's folder or cannot be read.
    ImportPath = "augur::import-path",
    /// A verdict has no `otherwise` arm as its last arm.
    MissingOtherwise = "augur::missing-otherwise",
    /// A verdict arm comes after `otherwise` and can never be chosen.
    UnreachableArm = "augur::unreachable-arm",
    /// `??` or `known()` is applied to a value that is never unknown.
    NeverUnknown = "augur::never-unknown",
    /// A function is called with the wrong number or kind of arguments.
    BadCall = "augur::bad-call",
    /// More than one `facts` block.
    DuplicateFacts = "augur::duplicate-facts",
    /// A test's inline or file deal does not match the facts.
    BadTestDeal = "augur::bad-test-deal",
    /// (warning) A signal with weight 0 that no verdict, advice or test reads.
    UnobservedSignal = "augur::unobserved-signal",
    /// (warning) A fact that no rule reads.
    UnusedFact = "augur::unused-fact",
    /// (warning) A condition that is always true or always false.
    ConstantCondition = "augur::constant-condition",
    /// (warning) A group whose condition can never hold.
    DeadGroup = "augur::dead-group",
    /// (warning) An optional value compared with a variant named like "no
    /// value" (`none`, `unknown`, `null`): undecided when nothing is recorded.
    VariantReadsAsUnknown = "augur::variant-reads-as-unknown",
    /// (warning) `not <signal>` where the signal may be undecided (its facts
    /// unknown): it then holds although nothing decided the signal.
    UndecidedNot = "augur::undecided-not",
    /// (warning, editor) A test's `expect` does not hold, or its deal cannot
    /// be built (a `given` file that does not decode).
    TestFailed = "augur::test-failed",
}

/// A secondary label: another place that explains the problem.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    pub file: FileId,
    pub span: Span,
    pub message: String,
}

/// A replacement an editor can apply (did-you-mean, add `otherwise`, …).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    /// What the editor shows, e.g. "Change to `exec_access`".
    pub title: String,
    pub file: FileId,
    pub span: Span,
    pub replacement: String,
}

/// One problem found in a playbook.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub file: FileId,
    pub span: Span,
    /// Text under the primary span; defaults to nothing.
    pub label: Option<String>,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    pub suggestions: Vec<Suggestion>,
}

impl Diagnostic {
    pub fn error(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            file: FileId::ROOT,
            span,
            label: None,
            labels: Vec::new(),
            help: None,
            suggestions: Vec::new(),
        }
    }

    pub fn warning(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, span, message)
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_secondary(mut self, file: FileId, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            file,
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_suggestion(
        mut self,
        title: impl Into<String>,
        span: Span,
        replacement: impl Into<String>,
    ) -> Self {
        self.suggestions.push(Suggestion {
            title: title.into(),
            file: self.file,
            span,
            replacement: replacement.into(),
        });
        self
    }

    /// Moves the diagnostic (and its labels and suggestions) into `file`.
    pub fn in_file(mut self, file: FileId) -> Self {
        self.file = file;
        for label in &mut self.labels {
            label.file = file;
        }
        for suggestion in &mut self.suggestions {
            suggestion.file = file;
        }
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Closest candidate to `name` by edit distance, for "did you mean" help.
/// Only offers names that are plausibly typos (distance at most a third of the
/// length, and at least 1 for short names).
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|candidate| *candidate != name)
        .map(|candidate| (edit_distance(name, candidate), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map(|(_, candidate)| candidate)
}

/// Edit distance over characters (so one Chinese character is one edit),
/// counting two swapped neighbours as one edit (Damerau–Levenshtein): `eraly`
/// is one edit from `early`, as a reader sees it.
pub fn edit_distance(a: &str, b: &str) -> usize {
    strsim::damerau_levenshtein(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let names = ["exec_access", "stage", "events", "阶段"];
        assert_eq!(did_you_mean("exec_acess", names), Some("exec_access"));
        assert_eq!(did_you_mean("stag", names), Some("stage"));
        assert_eq!(did_you_mean("阶", names), Some("阶段"));
        assert_eq!(did_you_mean("completely_different", names), None);
    }

    #[test]
    fn a_swap_of_two_letters_is_one_edit() {
        assert_eq!(did_you_mean("eraly", ["early", "late"]), Some("early"));
        assert_eq!(did_you_mean("satge", ["stage", "events"]), Some("stage"));
        assert_eq!(did_you_mean("kidn", ["kind", "on"]), Some("kind"));
        assert_eq!(
            did_you_mean("期初阶段", ["初期阶段", "后期"]),
            Some("初期阶段")
        );
    }

    #[test]
    fn every_code_is_namespaced_and_documented() {
        for code in Code::ALL {
            assert!(code.as_str().starts_with("augur::"));
            assert!(!code.summary().is_empty(), "{code:?}");
        }
    }
}
