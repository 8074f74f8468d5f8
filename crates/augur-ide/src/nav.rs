//! Go to definition, find references and rename, across the root file and
//! every file it imports. All three start from the checker's occurrences:
//! every place a declared name is written, with the symbol it means.

use crate::{definition_of, occurrence_at, symbol_name, Analysis, FileSpan, TextEdit};
use augur_check::ir::Symbol;
use augur_syntax::{FileId, Span};

pub fn definition(analysis: &Analysis, file: FileId, offset: usize) -> Option<FileSpan> {
    let occurrence = occurrence_at(analysis, file, offset)?;
    definition_of(analysis, occurrence.symbol)
}

/// Every place the name at `offset` is written (its declaration only when
/// `include_declaration`), in file and position order.
pub fn references(
    analysis: &Analysis,
    file: FileId,
    offset: usize,
    include_declaration: bool,
) -> Vec<FileSpan> {
    let Some(occurrence) = occurrence_at(analysis, file, offset) else {
        return Vec::new();
    };
    all_of(analysis, occurrence.symbol)
        .into_iter()
        .filter(|(_, is_definition)| include_declaration || !is_definition)
        .map(|(span, _)| span)
        .collect()
}

fn all_of(analysis: &Analysis, symbol: Symbol) -> Vec<(FileSpan, bool)> {
    let mut spans: Vec<(FileSpan, bool)> = analysis
        .occurrences
        .iter()
        .filter(|o| o.symbol == symbol)
        .map(|o| {
            (
                FileSpan {
                    file: o.file,
                    span: o.span,
                },
                o.is_definition,
            )
        })
        .collect();
    spans.sort();
    spans.dedup();
    spans
}

/// The span of the name that would be renamed, or why it cannot be.
pub fn prepare_rename(analysis: &Analysis, file: FileId, offset: usize) -> Result<Span, String> {
    match occurrence_at(analysis, file, offset) {
        Some(occurrence) => Ok(occurrence.span),
        None => Err("only a declared name (a fact, let, signal, group, verdict, arm, enum, variant, record, field or advice) can be renamed".into()),
    }
}

/// The edits that rename the symbol at `offset` to `new_name` everywhere, or
/// a plain reason why not (not a name, taken, a keyword).
pub fn rename(
    analysis: &Analysis,
    file: FileId,
    offset: usize,
    new_name: &str,
) -> Result<Vec<TextEdit>, String> {
    let symbol = occurrence_at(analysis, file, offset)
        .map(|o| o.symbol)
        .ok_or_else(|| "there is no declared name here to rename".to_string())?;
    let new_name = new_name.trim();
    if !crate::lex::is_identifier(new_name) {
        return Err(format!(
            "`{new_name}` is not a valid name: use letters (any script), digits and `_`, not starting with a digit, and not a keyword"
        ));
    }
    if ["score", "today", "it", "list"].contains(&new_name) {
        return Err(format!("`{new_name}` is built into the language"));
    }
    if symbol_name(analysis, symbol) == Some(new_name) {
        return Ok(Vec::new());
    }
    if let Some(what) = taken(analysis, symbol, new_name) {
        return Err(format!("`{new_name}` is already the name of {what}"));
    }
    Ok(all_of(analysis, symbol)
        .into_iter()
        .map(|(at, _)| TextEdit {
            file: at.file,
            span: at.span,
            new_text: new_name.to_string(),
        })
        .collect())
}

/// What else already has `name` in the namespace `symbol` lives in.
fn taken(analysis: &Analysis, symbol: Symbol, name: &str) -> Option<String> {
    let p = &analysis.program;
    let value = || -> Option<String> {
        if p.facts.iter().any(|f| f.name == name) {
            return Some("a fact".into());
        }
        if p.lets.iter().any(|l| l.name == name) {
            return Some("a let".into());
        }
        if p.signals.iter().any(|s| s.name == name) {
            return Some("a signal".into());
        }
        p.verdicts
            .iter()
            .any(|v| v.name == name)
            .then(|| "a verdict".into())
    };
    match symbol {
        Symbol::Fact(_) | Symbol::Let(_) | Symbol::Signal(_) | Symbol::Verdict(_) => value(),
        Symbol::Enum(_) | Symbol::Record(_) => {
            let builtin = ["bool", "int", "number", "text", "date"].contains(&name);
            (builtin
                || p.enums.iter().any(|e| e.name == name)
                || p.records.iter().any(|r| r.name == name))
            .then(|| "a type".into())
        }
        Symbol::Variant(e, _) => p
            .enums
            .get(e as usize)
            .filter(|en| en.variants.iter().any(|v| v.name == name))
            .map(|en| format!("a variant of `{}`", en.name)),
        Symbol::Field(r, _) => p
            .records
            .get(r as usize)
            .filter(|rec| rec.fields.iter().any(|f| f.name == name))
            .map(|rec| format!("a field of `{}`", rec.name)),
        Symbol::Arm(v, _) => p
            .verdicts
            .get(v as usize)
            .filter(|ve| ve.arms.iter().any(|a| a.name == name))
            .map(|ve| format!("an arm of `{}`", ve.name)),
        Symbol::Group(_) => p
            .groups
            .iter()
            .any(|g| g.name == name)
            .then(|| "a group".into()),
        Symbol::Advice(_) => p
            .advice
            .iter()
            .any(|a| a.name == name)
            .then(|| "an advice".into()),
    }
}
