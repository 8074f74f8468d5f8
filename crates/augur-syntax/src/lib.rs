//! Augur playbooks as text: the grammar, the typed syntax tree, diagnostics,
//! and position conversion.
//!
//! This crate knows nothing of names, types or evaluation (that is
//! `augur-check` and `augur-eval`), nor of terminals, files or the language
//! server protocol. Parsing never fails: it returns a tree of whatever could be
//! read plus a diagnostic for each part that could not.
//!
//! ```
//! let parse = augur_syntax::parse("let ready = stage == late\n");
//! assert!(parse.diagnostics.is_empty());
//! assert_eq!(parse.file.items.len(), 1);
//! ```
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

// pest is built without its `std` feature (which probes the remaining stack
// on every grammar-rule call, a sixth of the parse time); its generated
// parser then names `alloc`. Our own guard is the bracket-depth limit plus
// `with_stack`.
extern crate alloc;

pub mod ast;
pub mod date;
pub mod diagnostic;
pub mod line_index;
pub mod parser;
pub mod shift;
pub mod span;

pub use date::Date;
pub use diagnostic::{did_you_mean, Code, Diagnostic, FileId, Severity};
pub use line_index::{ColumnUnit, LineCol, LineIndex};
pub use parser::{limits, parse, parse_expression, with_stack, Parse};
pub use span::{Span, Spanned};
