//! Hover additions for the pinned deal: a signal's, let's, verdict's or
//! advice's value, and the values its condition read.

use super::*;

/// The named values an expression reads, in order of first appearance.
pub fn reads(expr: &ir::Expr) -> Vec<ir::Read> {
    let mut found = Vec::new();
    let mut stack = vec![expr];
    while let Some(expr) = stack.pop() {
        let read = match &expr.kind {
            ExprKind::Fact(id) => Some(ir::Read::Fact(*id)),
            ExprKind::Let(id) => Some(ir::Read::Let(*id)),
            ExprKind::Signal(id) => Some(ir::Read::Signal(*id)),
            ExprKind::Verdict(id) => Some(ir::Read::Verdict(*id)),
            _ => None,
        };
        if let Some(read) = read {
            if !found.contains(&read) {
                found.push(read);
            }
        }
        // Children pushed in reverse, so they pop in source order; a text's
        // interpolated values count as read too.
        if let ExprKind::Text(template) = &expr.kind {
            stack.extend(template.parts.iter().rev().filter_map(|p| match p {
                ir::TemplatePart::Value(e) => Some(e),
                ir::TemplatePart::Text(_) => None,
            }));
        }
        stack.extend(expr.operands().into_iter().rev());
    }
    found
}

/// The values an expression reads, for the pinned deal: "score = −3,
/// stage = late".
pub(super) fn read_values(
    analysis: &Analysis,
    expr: &ir::Expr,
    deal: &Deal,
    outcome: &Outcome,
) -> String {
    let mut parts: Vec<String> = reads(expr)
        .into_iter()
        .filter_map(|read| value_of_read(analysis, read, deal, outcome))
        .map(|(name, value)| format!("{name} = {value}"))
        .collect();
    if mentions_score(expr) {
        parts.insert(0, format!("score = {}", signed(outcome.score)));
    }
    parts.join(", ")
}

fn mentions_score(expr: &ir::Expr) -> bool {
    let mut stack = vec![expr];
    while let Some(expr) = stack.pop() {
        if matches!(expr.kind, ExprKind::Score) {
            return true;
        }
        stack.extend(expr.operands());
    }
    false
}

fn value_of_read(
    analysis: &Analysis,
    read: ir::Read,
    deal: &Deal,
    outcome: &Outcome,
) -> Option<(String, String)> {
    let program = &analysis.program;
    let unknown = |value: &Value, shown: String| match blame_of(value) {
        Some(facts) if !facts.is_empty() => format!("? (needs {})", fact_names(analysis, &facts)),
        Some(_) => "?".into(),
        None => shown,
    };
    Some(match read {
        ir::Read::Fact(id) => {
            let fact = program.facts.get(id as usize)?;
            let value = deal.facts.get(id as usize)?;
            let shown = show(analysis, value, &fact.ty.ty);
            (fact.name.clone(), unknown(value, shown))
        }
        ir::Read::Let(id) => {
            let info = program.lets.get(id as usize)?;
            let value = outcome.lets.get(id as usize)?;
            let shown = show(analysis, value, &info.value.ty.ty);
            (info.name.clone(), unknown(value, shown))
        }
        ir::Read::Signal(id) => {
            let signal = program.signals.get(id as usize)?;
            let fired = outcome.fired.get(id as usize).copied().unwrap_or(false);
            (
                signal.name.clone(),
                if fired { "fired" } else { "did not fire" }.into(),
            )
        }
        ir::Read::Verdict(id) => {
            let verdict = program.verdicts.get(id as usize)?;
            let arm = verdict
                .arms
                .get(*outcome.verdicts.get(id as usize)? as usize)?;
            (verdict.name.clone(), arm.name.clone())
        }
    })
}

/// What hover adds on a signal, let, verdict, arm or advice: its value for
/// the pinned deal and the values its condition read (Markdown).
pub fn hover_addition(analysis: &Analysis, symbol: Symbol, live: &Live) -> Option<String> {
    let program = &analysis.program;
    let head = format!("**Pinned deal** ({}):", live.pin.name());
    let evaluated = match &live.result {
        Ok(evaluated) => evaluated,
        Err(e) => {
            return matches!(
                symbol,
                Symbol::Signal(_) | Symbol::Let(_) | Symbol::Verdict(_) | Symbol::Arm(..)
            )
            .then(|| format!("{head} {}", e.message));
        }
    };
    let (deal, outcome) = (&evaluated.deal, &evaluated.outcome);
    let (value, condition): (String, Option<&ir::Expr>) = match symbol {
        Symbol::Signal(id) => {
            let state = evaluated.signals.get(id as usize)?;
            let (_, tooltip) = signal_label(analysis, id as usize, state);
            (tooltip, program.signals.get(id as usize).map(|s| &s.when))
        }
        Symbol::Let(id) => {
            let info = program.lets.get(id as usize)?;
            let (_, shown) = value_of_read(analysis, ir::Read::Let(id), deal, outcome)?;
            (format!("`{}` = {shown}", info.name), Some(&info.value))
        }
        Symbol::Verdict(id) => {
            let summary = verdict_summary(analysis, evaluated, id as usize)?;
            let verdict = program.verdicts.get(id as usize)?;
            let chosen = outcome.verdicts.get(id as usize).copied()?;
            let arm = verdict.arms.get(chosen as usize)?;
            let mut text = summary;
            for (a, other) in verdict.arms.iter().enumerate() {
                let _ = write!(
                    text,
                    "\n- `{}`: {}",
                    other.name,
                    arm_label(analysis, evaluated, id as usize, a)
                );
            }
            (text, arm.when.as_ref())
        }
        Symbol::Arm(v, a) => {
            let verdict = program.verdicts.get(v as usize)?;
            let arm = verdict.arms.get(a as usize)?;
            (
                format!(
                    "`{}`: {}",
                    arm.name,
                    arm_label(analysis, evaluated, v as usize, a as usize)
                ),
                arm.when.as_ref(),
            )
        }
        Symbol::Advice(id) => {
            let advice = program.advice.get(id as usize)?;
            let given = outcome.advice.iter().any(|(a, _)| *a == id);
            (
                format!(
                    "`{}` is {}",
                    advice.name,
                    if given { "given" } else { "not given" }
                ),
                Some(&advice.when),
            )
        }
        _ => return None,
    };
    let mut md = format!("{head} {value}");
    if let Some(condition) = condition {
        let read = read_values(analysis, condition, deal, outcome);
        if !read.is_empty() {
            let _ = write!(
                md,
                "\n\n`{}` read: {read}",
                source_of(analysis, &condition.location)
            );
        }
    }
    Some(md)
}

/// [`hover_addition`] for the name written at `offset` in `file`.
pub fn hover_at(analysis: &Analysis, file: FileId, offset: usize, live: &Live) -> Option<String> {
    let occurrence = crate::occurrence_at(analysis, file, offset)?;
    hover_addition(analysis, occurrence.symbol, live)
}
