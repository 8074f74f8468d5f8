//! Canonical text of the small things that always fit on one line:
//! expressions, string literals, types and inline-deal values (in their
//! one-line form), plus the display width used for alignment.
//!
//! Everything here is a pure function of the syntax tree; comments and line
//! breaking are the business of `layout.rs` and `printer.rs`. Parentheses are
//! exactly the author's (`ExprKind::Paren`): none are added or removed, so the
//! re-parsed tree is the same.

use augur_syntax::ast::{
    DataEntry, DataValue, Expr, ExprKind, Template, TemplatePart, TypeExpr, TypeKind, UnaryOp,
};
use std::fmt::Write as _;
use unicode_width::UnicodeWidthStr;

/// Display width in terminal columns (CJK and most emoji count 2).
pub(crate) fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// An expression on one line: single spaces around binary operators and
/// keywords, none inside brackets or around `.`.
pub(crate) fn expr(expr: &Expr) -> String {
    let mut out = String::new();
    write_expr(&mut out, expr);
    out
}

fn write_expr(out: &mut String, expr: &Expr) {
    match &expr.node {
        ExprKind::Bool(value) => out.push_str(if *value { "true" } else { "false" }),
        ExprKind::Int(value) => {
            let _ = write!(out, "{value}");
        }
        ExprKind::Number(text) => out.push_str(text),
        ExprKind::Date(date) => {
            let _ = write!(out, "{date}");
        }
        ExprKind::Text(template) => write_template(out, template),
        ExprKind::Name(name) => out.push_str(name),
        ExprKind::Field(base, field) => {
            write_expr(out, base);
            // `1.x` would lex as a malformed number; `1 .x` is what was parsed.
            if matches!(base.node, ExprKind::Int(_) | ExprKind::Number(_)) {
                out.push(' ');
            }
            out.push('.');
            out.push_str(&field.node);
        }
        ExprKind::Call(name, args) => {
            out.push_str(&name.node);
            out.push('(');
            write_list(out, args);
            out.push(')');
        }
        ExprKind::List(items) => {
            out.push('[');
            write_list(out, items);
            out.push(']');
        }
        ExprKind::Paren(inner) => {
            out.push('(');
            write_expr(out, inner);
            out.push(')');
        }
        ExprKind::Unary(op, operand) => {
            out.push_str(match op {
                UnaryOp::Not => "not ",
                UnaryOp::Neg => "-",
            });
            write_expr(out, operand);
        }
        ExprKind::Binary(op, lhs, rhs) => {
            write_expr(out, lhs);
            out.push(' ');
            out.push_str(op.symbol());
            out.push(' ');
            write_expr(out, rhs);
        }
        ExprKind::Where(list, condition) => {
            write_expr(out, list);
            out.push_str(" where ");
            write_expr(out, condition);
        }
    }
}

fn write_list(out: &mut String, items: &[Expr]) {
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            out.push_str(", ");
        }
        write_expr(out, item);
    }
}

/// A string that may interpolate (`message`, advice text, text in
/// expressions): canonical escapes, literal braces escaped, `{expr}` parts
/// formatted as expressions.
pub(crate) fn template(template: &Template) -> String {
    let mut out = String::new();
    write_template(&mut out, template);
    out
}

fn write_template(out: &mut String, template: &Template) {
    out.push('"');
    for part in &template.parts {
        match part {
            TemplatePart::Text(text) => escape_into(out, text, true),
            TemplatePart::Interpolation(inner) => {
                out.push('{');
                write_expr(out, inner);
                out.push('}');
            }
        }
    }
    out.push('"');
}

/// A string without interpolation (titles, labels, docs, paths): braces stay
/// literal.
pub(crate) fn plain_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    escape_into(&mut out, text, false);
    out.push('"');
    out
}

/// The canonical escapes: `\"`, `\\`, `\n`, `\t`, and `\{` `\}` where braces
/// would otherwise start an interpolation. Everything else is written as is.
fn escape_into(out: &mut String, text: &str, braces: bool) {
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '{' if braces => out.push_str("\\{"),
            '}' if braces => out.push_str("\\}"),
            _ => out.push(c),
        }
    }
}

/// A type: `Name`, `list<T>`, with `?` when it may be unknown.
pub(crate) fn type_expr(ty: &TypeExpr) -> String {
    match &ty.node {
        TypeKind::Named { name, optional } => {
            format!("{}{}", name.node, if *optional { "?" } else { "" })
        }
        TypeKind::List { element, optional } => {
            format!(
                "list<{}>{}",
                type_expr(element),
                if *optional { "?" } else { "" }
            )
        }
    }
}

/// An inline-deal value on one line: `{ a = 1, b = [x, y] }`.
pub(crate) fn data_value(value: &DataValue) -> String {
    let mut out = String::new();
    write_data_value(&mut out, value);
    out
}

/// The entries of an inline record on one line, with its braces.
pub(crate) fn data_record(entries: &[DataEntry]) -> String {
    let mut out = String::new();
    write_data_record(&mut out, entries);
    out
}

fn write_data_record(out: &mut String, entries: &[DataEntry]) {
    if entries.is_empty() {
        out.push_str("{}");
        return;
    }
    out.push_str("{ ");
    for (index, entry) in entries.iter().enumerate() {
        if index > 0 {
            out.push_str(", ");
        }
        out.push_str(&entry.key.node);
        out.push_str(" = ");
        write_data_value(out, &entry.value.node);
    }
    out.push_str(" }");
}

fn write_data_value(out: &mut String, value: &DataValue) {
    match value {
        DataValue::Record(entries) => write_data_record(out, entries),
        DataValue::List(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                write_data_value(out, &item.node);
            }
            out.push(']');
        }
        DataValue::Date(date) => {
            let _ = write!(out, "{date}");
        }
        DataValue::Int(value) => {
            let _ = write!(out, "{value}");
        }
        DataValue::Number(text) => out.push_str(text),
        DataValue::Bool(value) => out.push_str(if *value { "true" } else { "false" }),
        DataValue::Text(text) => out.push_str(&plain_string(text)),
        DataValue::Variant(name) => out.push_str(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(text: &str) -> String {
        let parsed = augur_syntax::parse_expression(text).unwrap();
        expr(&parsed)
    }

    #[test]
    fn spacing_is_canonical() {
        assert_eq!(round("a+b*( c-d )"), "a + b * (c - d)");
        assert_eq!(round("not  x  not in [ a ,b, ]"), "not x not in [a, b]");
        assert_eq!(round("f( a,b ) . c"), "f(a, b).c");
        assert_eq!(round("- - x ?? 1"), "--x ?? 1");
        assert_eq!(round("xs where  kind==exec"), "xs where kind == exec");
    }

    #[test]
    fn number_bases_keep_their_space() {
        assert_eq!(round("1 .x"), "1 .x");
        assert_eq!(round("1.5 .x"), "1.5 .x");
        assert_eq!(round("2026-01-02.x"), "2026-01-02.x");
    }

    #[test]
    fn strings_use_canonical_escapes() {
        assert_eq!(
            round(r#""a\"b\\c\{d\}{ x + 1 }""#),
            r#""a\"b\\c\{d\}{x + 1}""#
        );
        assert_eq!(
            plain_string("{literal}\t\n\"中文\""),
            r#""{literal}\t\n\"中文\"""#
        );
    }

    #[test]
    fn widths_count_cjk_twice() {
        assert_eq!(width("阶段"), 4);
        assert_eq!(width("a𠮷"), 3);
    }
}
