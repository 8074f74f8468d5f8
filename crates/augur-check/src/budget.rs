//! The output budget of one deal, estimated before any deal is seen.
//!
//! A playbook that passes every other check can still make one deal's
//! report enormous: a `let` that doubles a long text a few times, then
//! thousands of signal messages that each interpolate it. Evaluation stops
//! such a deal at run time (`augur_eval`'s text budget), but the author
//! should hear about it from `check`: this pass adds up, for every signal
//! message and advice text, the bytes the playbook itself puts there
//! (literal text, lets built from literal text), and reports
//! `augur::too-large` where the sum first passes [`MAX_DEAL_OUTPUT_BYTES`].
//!
//! What a deal brings (a fact's text) is not counted: it is unknown here,
//! and bounded at run time. The estimate is an upper bound of the
//! playbook's own share, never a guess at a typical deal.

use crate::check::Checker;
use crate::ir::{Expr, ExprKind, Literal, Template, TemplatePart};
use augur_syntax::{Code, Diagnostic};

/// Most bytes of messages, advice and texts built while evaluating one
/// deal. Evaluation enforces the same figure at run time.
pub const MAX_DEAL_OUTPUT_BYTES: u64 = 16 * 1024 * 1024;

/// Longest text one calculation may build (as at run time).
const MAX_TEXT_BYTES: u64 = 1024 * 1024;

/// Bytes a value of a non-text kind renders to, at most (a number, a
/// date, a variant name is short; a list is rendered as its items).
const SHORT_VALUE_BYTES: u64 = 64;

/// The playbook's own share of `expr`'s rendered text, at most.
fn estimate(expr: &Expr, lets: &[u64]) -> u64 {
    let bytes = match &expr.kind {
        ExprKind::Literal(Literal::Text(text)) => text.len() as u64,
        ExprKind::Literal(_) => SHORT_VALUE_BYTES,
        ExprKind::Let(id) => lets.get(*id as usize).copied().unwrap_or(0),
        ExprKind::Arith(_, left, right) => {
            estimate(left, lets).saturating_add(estimate(right, lets))
        }
        ExprKind::Coalesce(left, right) => estimate(left, lets).max(estimate(right, lets)),
        ExprKind::Text(template) => template_estimate(template, lets),
        ExprKind::List(items) => items
            .iter()
            .map(|item| estimate(item, lets))
            .fold(0u64, u64::saturating_add),
        // Facts, items of deal lists and calls on them come from the deal.
        _ => SHORT_VALUE_BYTES,
    };
    bytes.min(MAX_TEXT_BYTES)
}

fn template_estimate(template: &Template, lets: &[u64]) -> u64 {
    template
        .parts
        .iter()
        .map(|part| match part {
            TemplatePart::Text(text) => text.len() as u64,
            TemplatePart::Value(expr) => estimate(expr, lets),
        })
        .fold(0u64, u64::saturating_add)
        .min(MAX_TEXT_BYTES)
}

/// Adds up every message and advice text, reporting where the sum first
/// passes the budget.
pub(crate) fn check_budget(checker: &mut Checker) {
    // In evaluation order, a let's estimate is known before any reader.
    let mut lets = vec![0u64; checker.program.lets.len()];
    for step in &checker.program.order {
        if let crate::ir::Step::Let(id) = step {
            if let Some(info) = checker.program.lets.get(*id as usize) {
                let bytes = estimate(&info.value, &lets);
                if let Some(slot) = lets.get_mut(*id as usize) {
                    *slot = bytes;
                }
            }
        }
    }
    let mut total: u64 = 0;
    let mut over = None;
    for signal in &checker.program.signals {
        total = total.saturating_add(template_estimate(&signal.message, &lets));
        if total > MAX_DEAL_OUTPUT_BYTES {
            over = Some((signal.location, format!("signal `{}`", signal.name)));
            break;
        }
    }
    if over.is_none() {
        'advice: for advice in &checker.program.advice {
            for text in &advice.text {
                total = total.saturating_add(template_estimate(text, &lets));
                if total > MAX_DEAL_OUTPUT_BYTES {
                    over = Some((advice.location, format!("advice `{}`", advice.name)));
                    break 'advice;
                }
            }
        }
    }
    if let Some((location, what)) = over {
        checker.error(
            Diagnostic::error(
                Code::TooLarge,
                location.span,
                format!(
                    "with {what}, the messages and advice of one deal could pass {} MiB",
                    MAX_DEAL_OUTPUT_BYTES / (1024 * 1024)
                ),
            )
            .with_label("the report passes its size limit here")
            .with_help(
                "a message or advice that interpolates a long text repeats it in every report; \
                 interpolate a shorter text, or fewer times",
            )
            .in_file(location.file),
        );
    }
}
