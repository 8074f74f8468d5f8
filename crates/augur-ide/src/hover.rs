//! Hover: what a name means, in words for a methodology author.
//!
//! Facts, variants and fields show their type and doc string; signals their
//! label, group, weight and message; verdicts their arms; lets their type;
//! built-in functions their signature and one-line doc.

use crate::{occurrence_at, source_of, text_of, Analysis};
use augur_check::ir::{self, Symbol, Template, TemplatePart};
use augur_syntax::{FileId, Span};
use std::fmt::Write;

/// Markdown to show, and the span of the name it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    pub span: Span,
    pub markdown: String,
}

pub fn hover(analysis: &Analysis, file: FileId, offset: usize) -> Option<Hover> {
    if let Some(occurrence) = occurrence_at(analysis, file, offset) {
        let markdown = describe(analysis, occurrence.symbol)?;
        return Some(Hover {
            span: occurrence.span,
            markdown,
        });
    }
    // Built-in functions and values have no declaration to point at.
    let text = text_of(analysis, file);
    let (span, word) = crate::lex::ident_at(text, offset)?;
    let (name, signature, doc) = augur_check::builtins()
        .iter()
        .chain(BUILTIN_VALUES)
        .find(|(name, _, _)| *name == word)?;
    Some(Hover {
        span,
        markdown: format!("```augur\n{signature}\n```\n{doc}\n\n*built-in `{name}`*"),
    })
}

const BUILTIN_VALUES: &[(&str, &str, &str)] = &[
    (
        "today",
        "today: date",
        "The evaluation date (the deal's `as_of`, or `--today`).",
    ),
    (
        "it",
        "it",
        "Inside `where`, `any` or `all`: the list item being looked at.",
    ),
];

fn code(markdown: &mut String, line: &str) {
    let _ = writeln!(markdown, "```augur\n{line}\n```");
}

fn template(analysis: &Analysis, template: &Template) -> String {
    let mut out = String::new();
    for part in &template.parts {
        match part {
            TemplatePart::Text(text) => out.push_str(text),
            TemplatePart::Value(expr) => {
                let _ = write!(out, "{{{}}}", source_of(analysis, &expr.location));
            }
        }
    }
    out
}

fn describe(analysis: &Analysis, symbol: Symbol) -> Option<String> {
    let p = &analysis.program;
    let at = |i: u32| i as usize;
    let mut md = String::new();
    match symbol {
        Symbol::Fact(id) => {
            let fact = p.facts.get(at(id))?;
            code(
                &mut md,
                &format!("fact {}: {}", fact.name, p.ty_name(&fact.ty)),
            );
            if let Some(doc) = &fact.doc {
                let _ = writeln!(md, "{doc}");
            }
            if fact.ty.maybe_unknown {
                let _ = writeln!(md, "\nMay be unknown for a deal.");
            }
        }
        Symbol::Enum(id) => {
            let e = p.enums.get(at(id))?;
            code(&mut md, &format!("enum {}", e.name));
            if let Some(doc) = &e.doc {
                let _ = writeln!(md, "{doc}\n");
            }
            for variant in &e.variants {
                match &variant.doc {
                    Some(doc) => {
                        let _ = writeln!(md, "- `{}` — {doc}", variant.name);
                    }
                    None => {
                        let _ = writeln!(md, "- `{}`", variant.name);
                    }
                }
            }
        }
        Symbol::Variant(e, v) => {
            let en = p.enums.get(at(e))?;
            let variant = en.variants.get(at(v))?;
            code(&mut md, &format!("{}.{}", en.name, variant.name));
            if let Some(doc) = &variant.doc {
                let _ = writeln!(md, "{doc}");
            }
        }
        Symbol::Record(id) => {
            let r = p.records.get(at(id))?;
            code(&mut md, &format!("record {}", r.name));
            if let Some(doc) = &r.doc {
                let _ = writeln!(md, "{doc}\n");
            }
            for field in &r.fields {
                let _ = write!(md, "- `{}: {}`", field.name, p.ty_name(&field.ty));
                if let Some(doc) = &field.doc {
                    let _ = write!(md, " — {doc}");
                }
                md.push('\n');
            }
        }
        Symbol::Field(r, f) => {
            let record = p.records.get(at(r))?;
            let field = record.fields.get(at(f))?;
            code(
                &mut md,
                &format!("{}.{}: {}", record.name, field.name, p.ty_name(&field.ty)),
            );
            if let Some(doc) = &field.doc {
                let _ = writeln!(md, "{doc}");
            }
        }
        Symbol::Let(id) => {
            let l = p.lets.get(at(id))?;
            code(
                &mut md,
                &format!("let {}: {}", l.name, p.ty_name(&l.value.ty)),
            );
            let _ = writeln!(md, "= `{}`", source_of(analysis, &l.value.location));
        }
        Symbol::Group(id) => {
            let g = p.groups.get(at(id))?;
            code(&mut md, &format!("group {}", g.name));
            if let Some(label) = &g.label {
                let _ = writeln!(md, "**{label}**\n");
            }
            if let Some(when) = &g.when {
                let _ = writeln!(md, "when `{}`\n", source_of(analysis, &when.location));
            }
            let names: Vec<String> = g
                .signals
                .iter()
                .filter_map(|s| p.signals.get(at(*s)))
                .map(|s| format!("`{}`", s.name))
                .collect();
            if !names.is_empty() {
                let _ = writeln!(md, "signals: {}", names.join(", "));
            }
        }
        Symbol::Signal(id) => {
            let s = p.signals.get(at(id))?;
            code(&mut md, &format!("signal {}: bool", s.name));
            let _ = writeln!(md, "**{}**\n", s.label);
            if let Some(group) = s.group.and_then(|g| p.groups.get(at(g))) {
                let _ = writeln!(md, "- group: `{}`", group.name);
            }
            let _ = writeln!(md, "- weight: {}", s.weight);
            let _ = writeln!(md, "- when: `{}`", source_of(analysis, &s.when.location));
            let _ = writeln!(md, "- message: {}", template(analysis, &s.message));
        }
        Symbol::Verdict(id) => {
            let v = p.verdicts.get(at(id))?;
            code(&mut md, &format!("verdict {}", v.name));
            let _ = writeln!(md, "**{}**\n", v.label);
            for arm in &v.arms {
                let _ = writeln!(md, "{}", arm_line(analysis, arm));
            }
        }
        Symbol::Arm(v, a) => {
            let verdict = p.verdicts.get(at(v))?;
            let arm = verdict.arms.get(at(a))?;
            code(&mut md, &format!("{}.{}", verdict.name, arm.name));
            let _ = writeln!(md, "{}", arm_line(analysis, arm));
        }
        Symbol::Advice(id) => {
            let a = p.advice.get(at(id))?;
            code(&mut md, &format!("advice {}", a.name));
            if let Some(label) = &a.label {
                let _ = writeln!(md, "**{label}**\n");
            }
            let _ = writeln!(md, "when `{}`\n", source_of(analysis, &a.when.location));
            for text in &a.text {
                let _ = writeln!(md, "> {}", template(analysis, text));
            }
        }
    }
    Some(md)
}

fn arm_line(analysis: &Analysis, arm: &ir::ArmInfo) -> String {
    match &arm.when {
        Some(when) => format!(
            "- `{}` “{}” when `{}`",
            arm.name,
            arm.label,
            source_of(analysis, &when.location)
        ),
        None => format!("- `{}` “{}” otherwise", arm.name, arm.label),
    }
}
