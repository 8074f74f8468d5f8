//! The one place that states the formatter's properties, shared by every
//! integration test: idempotent, meaning-preserving, comment-preserving, and
//! clean output (LF, no trailing whitespace, one final newline, at most one
//! blank line in a row).
//!
//! Not a test itself; each test file includes it with `mod common;`.
#![allow(dead_code)]

use augur_syntax::ast::{
    ArmCondition, Expr, ExprKind, File, ItemKind, SignalClause, Template, TemplatePart,
    TestStatement,
};
use augur_syntax::Span;

/// Formats `text` and checks every property; returns the formatted text, or
/// `None` when `text` itself does not parse (such files are skipped).
pub fn check(text: &str) -> Option<String> {
    let before = augur_syntax::parse(text);
    if before.has_errors() {
        assert!(
            augur_fmt::format(text).is_err(),
            "a file with parse errors must not be formatted"
        );
        return None;
    }
    let formatted = match augur_fmt::format(text) {
        Ok(formatted) => formatted,
        Err(diagnostics) => panic!("parsed without errors but format failed: {diagnostics:?}"),
    };
    let after = augur_syntax::parse(&formatted);
    assert!(
        !after.has_errors(),
        "the formatted text does not parse: {:?}\n--- input\n{text}\n--- output\n{formatted}",
        after.diagnostics
    );

    // Meaning-preserving: the trees are equal, spans aside.
    let (mut old, mut new) = (before.file.clone(), after.file.clone());
    clear_spans(&mut old);
    clear_spans(&mut new);
    assert!(
        old.items == new.items,
        "the meaning changed\n--- input\n{text}\n--- output\n{formatted}"
    );

    // Comment-preserving: the same comments, as a multiset of trimmed texts.
    assert_eq!(
        comment_texts(&before.file),
        comment_texts(&after.file),
        "comments changed\n--- input\n{text}\n--- output\n{formatted}"
    );

    // Idempotent.
    let again = augur_fmt::format(&formatted).unwrap_or_default();
    assert!(
        again == formatted,
        "not idempotent\n--- input\n{text}\n--- first\n{formatted}\n--- second\n{again}"
    );

    // Clean text.
    assert!(!formatted.contains('\r'), "CR in output:\n{formatted}");
    if !formatted.is_empty() {
        assert!(
            formatted.ends_with('\n') && !formatted.ends_with("\n\n"),
            "bad ending:\n{formatted:?}"
        );
        assert!(
            !formatted.starts_with('\n'),
            "starts with a blank line:\n{formatted}"
        );
    }
    assert!(
        !formatted.contains("\n\n\n"),
        "two blank lines in a row:\n{formatted}"
    );
    for line in formatted.lines() {
        assert_eq!(
            line,
            line.trim_end_matches([' ', '\t']),
            "trailing whitespace in {line:?}"
        );
    }
    Some(formatted)
}

/// The comments of a file, trimmed and sorted.
pub fn comment_texts(file: &File) -> Vec<String> {
    let mut texts: Vec<String> = file
        .comments
        .iter()
        .map(|comment| comment.text.trim().to_string())
        .collect();
    texts.sort();
    texts
}

/// Resets the spans that `PartialEq` does not ignore: `Template::span` and the
/// `otherwise` keyword's span (every `Spanned` already ignores its own).
pub fn clear_spans(file: &mut File) {
    for item in &mut file.items {
        match &mut item.node {
            ItemKind::Let(def) => clear_expr(&mut def.value),
            ItemKind::Group(def) => {
                if let Some(when) = &mut def.when {
                    clear_expr(when);
                }
                for signal in &mut def.signals {
                    clear_clauses(&mut signal.node.clauses);
                }
            }
            ItemKind::Signal(def) => clear_clauses(&mut def.clauses),
            ItemKind::Verdict(def) => {
                for arm in &mut def.arms {
                    match &mut arm.node.condition {
                        ArmCondition::When(condition) => clear_expr(condition),
                        ArmCondition::Otherwise(span) => *span = Span::default(),
                    }
                }
            }
            ItemKind::Advice(def) => {
                clear_expr(&mut def.when);
                def.text.iter_mut().for_each(clear_template);
            }
            ItemKind::Test(def) => {
                for statement in &mut def.statements {
                    if let TestStatement::Expect(condition) = &mut statement.node {
                        clear_expr(condition);
                    }
                }
            }
            ItemKind::Playbook(_)
            | ItemKind::Import(_)
            | ItemKind::Enum(_)
            | ItemKind::Record(_)
            | ItemKind::Facts(_) => {}
        }
    }
}

fn clear_clauses(clauses: &mut [augur_syntax::Spanned<SignalClause>]) {
    for clause in clauses {
        match &mut clause.node {
            SignalClause::When(condition) => clear_expr(condition),
            SignalClause::Message(template) => clear_template(template),
            SignalClause::Weight(_) => {}
        }
    }
}

fn clear_template(template: &mut Template) {
    template.span = Span::default();
    for part in &mut template.parts {
        if let TemplatePart::Interpolation(inner) = part {
            clear_expr(inner);
        }
    }
}

fn clear_expr(expr: &mut Expr) {
    match &mut expr.node {
        ExprKind::Bool(_)
        | ExprKind::Int(_)
        | ExprKind::Number(_)
        | ExprKind::Date(_)
        | ExprKind::Name(_) => {}
        ExprKind::Text(template) => clear_template(template),
        ExprKind::Field(base, _) | ExprKind::Paren(base) | ExprKind::Unary(_, base) => {
            clear_expr(base)
        }
        ExprKind::Call(_, args) | ExprKind::List(args) => args.iter_mut().for_each(clear_expr),
        ExprKind::Binary(_, lhs, rhs) | ExprKind::Where(lhs, rhs) => {
            clear_expr(lhs);
            clear_expr(rhs);
        }
    }
}
