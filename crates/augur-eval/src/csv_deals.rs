//! CSV deals: the header row names facts, each row is one deal. A cell is
//! read by its fact's declared type; an empty cell is unknown; a list or
//! record fact is written as JSON inside its cell.
//!
//! How a row is read is defined here, by the reference path: the row
//! becomes the JSON text a deal file would hold ([`row_to_text`]), so the
//! one reference deal decoder ([`crate::decode_deal_text`]) checks every
//! value, and numbers reach it as written (never through `f64`). The batch
//! reads rows through [`crate::DealDecoder::decode_row`] instead, which
//! reads each cell straight into its fact's slot (with [`Header`]'s
//! per-column slots, worked out once) and falls back to this path, for its
//! value or its error, on anything unusual or wrong.
//!
//! What is refused here rather than guessed: a header naming a column twice,
//! a row with more or fewer cells than the header, a cell that is not a
//! value of its fact's type. [`cell_json`] is the one place that says how a
//! cell is read (the CLI's `--set FACT=VALUE` reads its value the same way).

use crate::deal::DealError;
use augur_check::ir::{Program, Type};
use augur_syntax::did_you_mean;
use std::borrow::Cow;

/// The spellings of `true` a `bool` cell accepts (compared ignoring case
/// and surrounding spaces); see docs/language.md.
pub const TRUE_WORDS: &[&str] = &["true", "yes", "y", "1", "是"];
/// The spellings of `false` a `bool` cell accepts.
pub const FALSE_WORDS: &[&str] = &["false", "no", "n", "0", "否"];

fn cell_error(column: &str, message: String) -> DealError {
    DealError {
        message: format!("column `{column}`: {message}"),
        path: format!("$.{column}"),
    }
}

/// Reads one cell of `column` as the JSON text of its value, by the
/// column's fact type. `Ok(None)` for an empty cell (unknown). A column
/// that is not a fact (or `id`, `as_of`) is read as text.
pub fn cell_json(program: &Program, column: &str, cell: &str) -> Result<Option<String>, DealError> {
    cell_json_of(program, fact_of(program, column), column, cell)
}

/// The fact a column names, if it does.
fn fact_of(program: &Program, column: &str) -> Option<u32> {
    program.fact_index(column)
}

/// [`cell_json`] for a column whose fact (if any) is already known.
fn cell_json_of(
    program: &Program,
    fact: Option<u32>,
    column: &str,
    cell: &str,
) -> Result<Option<String>, DealError> {
    if cell.trim().is_empty() {
        return Ok(None);
    }
    let ty = fact
        .and_then(|f| program.facts.get(f as usize))
        .map(|f| &f.ty.ty);
    let quoted = || serde_json::to_string(cell).unwrap_or_else(|_| "\"\"".into());
    Ok(Some(match ty {
        Some(Type::Int | Type::Number) => {
            let text = cell.trim();
            match crate::number::parse_decimal(text) {
                Err(crate::number::NumberError::NotANumber) => {
                    return Err(cell_error(
                        column,
                        format!("expected a number, found \"{cell}\""),
                    ))
                }
                // Whole-ness and range are the deal decoder's to judge, in
                // the same words as for JSON.
                _ => text.to_string(),
            }
        }
        Some(Type::Bool) => {
            let word = cell.trim().to_lowercase();
            if TRUE_WORDS.contains(&word.as_str()) {
                "true".into()
            } else if FALSE_WORDS.contains(&word.as_str()) {
                "false".into()
            } else {
                return Err(cell_error(
                    column,
                    format!(
                        "expected true or false, found \"{cell}\" (a yes/no cell may say {} or {})",
                        TRUE_WORDS.join("/"),
                        FALSE_WORDS.join("/")
                    ),
                ));
            }
        }
        Some(Type::List(_) | Type::Record(_)) => {
            match serde_json::from_str::<&serde_json::value::RawValue>(cell) {
                Ok(raw) => raw.get().to_string(),
                Err(e) => {
                    return Err(cell_error(
                        column,
                        format!("expected JSON in the cell ({e})"),
                    ))
                }
            }
        }
        _ => quoted(),
    }))
}

/// Reads `cell` as a value of fact `fact`, as a CSV cell would be read.
/// An empty cell is the fact's unknown value (or an error if the fact must
/// be given).
pub fn cell_value(program: &Program, fact: &str, cell: &str) -> Result<crate::Value, DealError> {
    let Some(index) = program.fact_index(fact) else {
        return Err(DealError {
            message: format!("`{fact}` is not a fact of this playbook"),
            path: format!("$.{fact}"),
        });
    };
    let text = match cell_json(program, fact, cell)? {
        Some(value) => format!("{{{}:{value}}}", quoted_key(fact)),
        None => "{}".to_string(),
    };
    // Decode a deal holding only this fact, then take it out; other facts'
    // "must be given" errors do not concern this cell.
    let partial = only_fact(program, index);
    let deal = crate::decode_deal_text(&partial, &text)?;
    deal.facts.into_iter().next().ok_or_else(|| DealError {
        message: format!("`{fact}` could not be read"),
        path: format!("$.{fact}"),
    })
}

/// A copy of `program` whose only fact is fact `index` (types and records
/// kept), so one value can be decoded on its own.
fn only_fact(program: &Program, index: u32) -> Program {
    let mut partial = program.clone();
    partial.facts = program
        .facts
        .get(index as usize)
        .cloned()
        .into_iter()
        .collect();
    partial
}

fn quoted_key(key: &str) -> String {
    serde_json::to_string(key).unwrap_or_else(|_| "\"\"".into())
}

/// A CSV header checked against the playbook.
#[derive(Clone, Debug, Default)]
pub struct Header {
    /// The column names, as written (BOM and surrounding spaces removed).
    pub columns: Vec<String>,
    /// Per column: whether its cells go into the deal (a fact, `id` or
    /// `as_of`).
    pub used: Vec<bool>,
    /// One warning per column that is not a fact, with a did-you-mean.
    pub warnings: Vec<String>,
    /// Whether `used` and `warnings` were worked out for the playbook that
    /// reads the rows (see [`unchecked_header`] for when they are not).
    pub checked: bool,
    /// Per column: the fact it names and its key as JSON text, worked out
    /// once for the playbook that reads the rows (empty when not checked).
    facts: Vec<(Option<u32>, String)>,
    /// Per column: where its cells go, worked out once for the playbook
    /// that reads the rows (empty when not checked); what the deal decoder's
    /// CSV fast path reads ([`crate::DealDecoder::decode_row`]).
    slots: Vec<Column>,
}

/// Where the cells of one CSV column go in a deal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Column {
    /// Not a fact (nor `id`, `as_of`): the cells are ignored.
    Skip,
    /// The deal's `id`.
    Id,
    /// The deal's `as_of` date.
    AsOf,
    /// The fact of this index.
    Fact(u32),
}

impl Header {
    /// Per column, where its cells go: empty when the header was not
    /// checked against the playbook reading the rows.
    pub(crate) fn slots(&self) -> &[Column] {
        &self.slots
    }
}

/// Where the cells of `column` go for `program`.
fn slot_of(program: &Program, column: &str) -> Column {
    match fact_of(program, column) {
        Some(fact) => Column::Fact(fact),
        None if column == "id" => Column::Id,
        None if column == "as_of" => Column::AsOf,
        None => Column::Skip,
    }
}

fn slots_of(program: &Program, columns: &[String]) -> Vec<Column> {
    columns.iter().map(|c| slot_of(program, c)).collect()
}

impl Header {
    /// This header as read by `program`: which of its columns are facts.
    pub fn for_program(&self, program: &Program) -> Header {
        Header {
            columns: self.columns.clone(),
            used: self.columns.iter().map(|c| is_used(program, c)).collect(),
            warnings: Vec::new(),
            checked: true,
            facts: facts_of(program, &self.columns),
            slots: slots_of(program, &self.columns),
        }
    }
}

fn facts_of(program: &Program, columns: &[String]) -> Vec<(Option<u32>, String)> {
    columns
        .iter()
        .map(|c| (fact_of(program, c), quoted_key(c)))
        .collect()
}

fn is_used(program: &Program, column: &str) -> bool {
    column == "id" || column == "as_of" || program.fact_index(column).is_some()
}

/// A header row checked only for duplicate columns, for rows that several
/// playbooks decode (`augur diff`): each decodes through
/// [`Header::for_program`].
pub fn unchecked_header(columns: Vec<String>) -> Result<Header, String> {
    check_duplicate_columns(&columns)?;
    Ok(Header {
        used: vec![false; columns.len()],
        columns,
        warnings: Vec::new(),
        checked: false,
        facts: Vec::new(),
        slots: Vec::new(),
    })
}

fn check_duplicate_columns(columns: &[String]) -> Result<(), String> {
    for (index, column) in columns.iter().enumerate() {
        if let Some(first) = columns.iter().take(index).position(|c| c == column) {
            return Err(format!(
                "the header names `{column}` twice, in columns {} and {}; keep one",
                first + 1,
                index + 1
            ));
        }
    }
    Ok(())
}

/// Checks a header row: a column named twice is an error naming both
/// columns; a column that is not a fact is a warning (with the fact it
/// probably means, ignoring case), given once for the whole file.
pub fn check_header(program: &Program, columns: Vec<String>) -> Result<Header, String> {
    check_duplicate_columns(&columns)?;
    let mut header = Header {
        used: Vec::with_capacity(columns.len()),
        warnings: Vec::new(),
        columns: Vec::new(),
        checked: true,
        facts: facts_of(program, &columns),
        slots: slots_of(program, &columns),
    };
    for (index, column) in columns.iter().enumerate() {
        let used = is_used(program, column);
        header.used.push(used);
        // `outcome` is reserved: not a fact, its cells skipped, no warning.
        if !used && !crate::deal::is_reserved_key(column) {
            header
                .warnings
                .push(unknown_column_warning(program, column, index + 1));
        }
    }
    header.columns = columns;
    Ok(header)
}

/// The fact a mistyped key probably means: the same name in another case,
/// else the closest name.
pub fn fact_suggestion<'p>(program: &'p Program, key: &str) -> Option<&'p str> {
    let lower = key.to_lowercase();
    program
        .facts
        .iter()
        .map(|f| f.name.as_str())
        .find(|name| name.to_lowercase() == lower)
        .or_else(|| did_you_mean(key, program.facts.iter().map(|f| f.name.as_str())))
}

fn unknown_column_warning(program: &Program, column: &str, number: usize) -> String {
    let mut text =
        format!("column {number} `{column}` is not a fact of this playbook; its cells are ignored");
    if let Some(fact) = fact_suggestion(program, column) {
        text.push_str(&format!("; did you mean `{fact}`?"));
    } else if column.contains(';') || column.contains('\t') {
        text.push_str(
            "; this header looks separated by `;` or tabs, but Augur reads comma-separated files",
        );
    } else if column.contains(['，', '；', '、']) {
        // A spreadsheet with a Chinese input method: full-width separators.
        text.push_str(
            "; this header looks separated by full-width `，` or `；`, but Augur reads files separated by the ASCII comma `,`",
        );
    }
    text
}

/// Turns one CSV row into the JSON text of a deal object. A row with more
/// or fewer cells than the header is an error; an empty cell is unknown.
pub fn row_to_text(program: &Program, header: &Header, row: &[&str]) -> Result<String, DealError> {
    if row.len() != header.columns.len() {
        return Err(DealError {
            message: format!(
                "this row has {} cell(s) but the header has {} column(s); \
                 every row needs one cell per column (leave a cell empty for unknown)",
                row.len(),
                header.columns.len()
            ),
            path: "$".into(),
        });
    }
    let mut text = String::with_capacity(row.iter().map(|c| c.len() + 8).sum::<usize>() + 2);
    text.push('{');
    for (index, ((column, used), cell)) in header
        .columns
        .iter()
        .zip(&header.used)
        .zip(row.iter())
        .enumerate()
    {
        if !used {
            continue;
        }
        // A header made for this playbook knows each column's fact.
        let (fact, key) = match header.facts.get(index) {
            Some((fact, key)) => (*fact, Cow::Borrowed(key.as_str())),
            None => (fact_of(program, column), Cow::Owned(quoted_key(column))),
        };
        if let Some(value) = cell_json_of(program, fact, column, cell)? {
            if text.len() > 1 {
                text.push(',');
            }
            text.push_str(&key);
            text.push(':');
            text.push_str(&value);
        }
    }
    text.push('}');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program() -> Program {
        let analysis = augur_check::analyze_text(
            "enum Stage { early, late }\nfacts { stage: Stage\n champion: bool?\n budget: number?\n n: int? }\nsignal s { when champion weight 1 }\n",
        );
        assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
        analysis.program
    }

    #[test]
    fn booleans_accept_what_crms_export() {
        let program = program();
        for (cell, value) in [
            ("TRUE", "true"),
            ("Yes", "true"),
            ("1", "true"),
            (" no ", "false"),
            ("FALSE", "false"),
            ("0", "false"),
            ("是", "true"),
            ("否", "false"),
        ] {
            assert_eq!(
                cell_json(&program, "champion", cell)
                    .ok()
                    .flatten()
                    .as_deref(),
                Some(value),
                "{cell}"
            );
        }
        assert!(cell_json(&program, "champion", "maybe").is_err());
    }

    #[test]
    fn numbers_keep_every_digit() {
        let program = program();
        assert_eq!(
            cell_value(&program, "budget", "12345678901234567890123456").map(|v| format!("{v:?}")),
            Ok(format!(
                "{:?}",
                crate::Value::Number("12345678901234567890123456".parse().unwrap_or_default())
            ))
        );
        assert_eq!(cell_value(&program, "n", "-0"), Ok(crate::Value::Int(0)));
        assert!(cell_value(&program, "budget", "1e400")
            .unwrap_err()
            .message
            .contains("out of range"));
        assert!(cell_value(&program, "budget", "1,5").is_err());
    }

    #[test]
    fn headers_and_rows_are_checked() {
        let program = program();
        let error =
            check_header(&program, vec!["stage".into(), "n".into(), "stage".into()]).unwrap_err();
        assert!(error.contains("columns 1 and 3"), "{error}");
        let header = check_header(&program, vec!["Stage".into(), "Champion".into()]).unwrap();
        assert!(
            header.warnings[0].contains("did you mean `stage`?"),
            "{:?}",
            header.warnings
        );
        assert!(header.warnings[1].contains("did you mean `champion`?"));
        let header = check_header(&program, vec!["stage;champion".into()]).unwrap();
        assert!(header.warnings[0].contains("separated by `;`"));
        let header = check_header(&program, vec!["stage，champion".into()]).unwrap();
        assert!(
            header.warnings[0].contains("full-width `，`"),
            "{:?}",
            header.warnings
        );
        let header = check_header(&program, vec!["stage".into(), "n".into()]).unwrap();
        assert!(row_to_text(&program, &header, &["late", "1", "2"]).is_err());
        assert!(row_to_text(&program, &header, &["late"]).is_err());
        assert_eq!(
            row_to_text(&program, &header, &["late", ""]).unwrap(),
            r#"{"stage":"late"}"#
        );
    }

    #[test]
    fn a_header_made_for_the_playbook_reads_rows_as_cell_json_does() {
        let program = program();
        let columns: Vec<String> = ["id", "stage", "champion", "budget", "n", "other"]
            .iter()
            .map(|c| c.to_string())
            .collect();
        let checked = check_header(&program, columns.clone()).unwrap();
        let mut unaware = checked.clone();
        unaware.facts.clear();
        for row in [
            ["d1", "late", "yes", "12.50", "3", "x"],
            ["d\"2", "early", "", "", "-0", ""],
            ["", "late", "否", "1e3", "", "y"],
            ["d4", "late", "maybe", "1", "2", ""],
            ["d5", "late", "true", "1,5", "2", ""],
        ] {
            assert_eq!(
                row_to_text(&program, &checked, &row),
                row_to_text(&program, &unaware, &row),
                "{row:?}"
            );
        }
        assert_eq!(
            row_to_text(
                &program,
                &checked,
                &["d1", "late", "yes", "12.50", "3", "x"]
            )
            .unwrap(),
            r#"{"id":"d1","stage":"late","champion":true,"budget":12.50,"n":3}"#
        );
    }
}
