//! `augur fmt` as a library: one canonical layout for Augur playbooks.
//!
//! The formatter rewrites whitespace, line breaks, commas and string escapes;
//! it keeps every comment (in its place), every name, every parenthesis and
//! the order of everything, so the re-parsed tree equals the original one and
//! formatting twice changes nothing. The layout rules are written down in
//! `docs/formatting.md`.
//!
//! This crate does not read or write files, walk folders or print diagnostics
//! (that is `augur-cli`), and it does not check names or types: a playbook that
//! parses is formatted even if the checker would reject it. A file with parse
//! errors is never reformatted.
//!
//! ```
//! let messy = "let   ready=stage==late   # ok?\nenum Party{us,customer ,jointly}\n";
//! let pretty = augur_fmt::format(messy).expect("it parses");
//! assert_eq!(pretty, "let ready = stage == late  # ok?\n\nenum Party { us, customer, jointly }\n");
//! assert_eq!(augur_fmt::format(&pretty).ok().as_deref(), Some(pretty.as_str()));
//! assert!(augur_fmt::format("let = 1\n").is_err());
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

mod expr;
mod layout;
mod printer;

use augur_syntax::{ast, Diagnostic};

pub use layout::{DATA_ONE_LINE_WIDTH, ENUM_ONE_LINE_WIDTH};

/// Formats a playbook. Returns the parse diagnostics instead when the text
/// has any parse error: a file that does not parse is never reformatted.
pub fn format(text: &str) -> Result<String, Vec<Diagnostic>> {
    let parse = augur_syntax::parse(text);
    if parse.has_errors() {
        return Err(parse.diagnostics);
    }
    Ok(format_file(&parse.file, text))
}

/// Formats an already parsed file. `text` must be the text `file` was parsed
/// from: comment positions and the author's blank lines are read from it.
/// The caller is responsible for not formatting a file with parse errors
/// (items that failed to parse are not in `file` and would be dropped).
pub fn format_file(file: &ast::File, text: &str) -> String {
    layout::format_file(file, text)
}
