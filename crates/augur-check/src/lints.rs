//! Warnings: things that are legal but almost certainly not what the author
//! meant. They never stop evaluation.

use crate::check::Checker;
use crate::ir::{self, CompareOp, ExprKind, Literal, Location, Read};
use augur_syntax::{Code, Diagnostic};

pub(crate) fn lint(checker: &mut Checker<'_>) {
    let mut warnings = Vec::new();
    let program = &checker.program;

    for (id, signal) in program.signals.iter().enumerate() {
        if signal.weight == 0 && !checker.referenced.contains(&Read::Signal(id as u32)) {
            warnings.push(
                Diagnostic::warning(
                    Code::UnobservedSignal,
                    signal.location.span,
                    format!("signal `{}` has no effect", signal.name),
                )
                .with_label("weight 0 and never read")
                .with_help(
                    "give it a `weight`, or read it in a verdict, advice, let or another signal",
                )
                .in_file(signal.location.file),
            );
        }
    }
    for (id, fact) in program.facts.iter().enumerate() {
        if !checker.referenced.contains(&Read::Fact(id as u32)) {
            warnings.push(
                Diagnostic::warning(
                    Code::UnusedFact,
                    fact.location.span,
                    format!("no rule reads the fact `{}`", fact.name),
                )
                .with_label("unused fact")
                .with_help("use it in a signal, let, verdict or advice, or remove it from `facts`")
                .in_file(fact.location.file),
            );
        }
    }

    let mut conditions: Vec<(&ir::Expr, &str)> = Vec::new();
    for group in &program.groups {
        if let Some(when) = &group.when {
            if is_contradiction(when) {
                warnings.push(
                    Diagnostic::warning(
                        Code::DeadGroup,
                        when.location.span,
                        format!("the signals of group `{}` can never fire", group.name),
                    )
                    .with_label("this condition can never hold")
                    .with_help(
                        "the condition asks for two different values of the same fact at once",
                    )
                    .in_file(when.location.file),
                );
            } else {
                conditions.push((when, "group"));
            }
        }
    }
    for signal in &program.signals {
        conditions.push((&signal.when, "signal"));
    }
    for verdict in &program.verdicts {
        for arm in &verdict.arms {
            if let Some(when) = &arm.when {
                conditions.push((when, "verdict arm"));
            }
        }
    }
    for advice in &program.advice {
        conditions.push((&advice.when, "advice"));
    }
    for (condition, what) in conditions {
        if condition.ty.ty.is_error() || !is_constant(condition) {
            continue;
        }
        let Location { file, span } = condition.location;
        let code = if what == "group"
            && matches!(condition.kind, ExprKind::Literal(Literal::Bool(false)))
        {
            Code::DeadGroup
        } else {
            Code::ConstantCondition
        };
        warnings.push(
            Diagnostic::warning(
                code,
                span,
                format!("this {what} condition does not depend on the deal"),
            )
            .with_label("always the same")
            .with_help("a condition should read facts, lets, signals, verdicts or the score")
            .in_file(file),
        );
    }
    undecided_not(program, &mut warnings);
    checker.diagnostics.extend(warnings);
}

/// `augur::undecided-not`: `not s` where the signal `s` may be undecided
/// (its condition, or its group's, reads a fact that may be unknown). An
/// undecided signal reads as "did not fire", so `not s` then holds although
/// nothing decided it. `decided(s)` anywhere in the same condition guards it.
fn undecided_not(program: &ir::Program, warnings: &mut Vec<Diagnostic>) {
    let may_be_undecided = |id: u32| -> bool {
        program.signals.get(id as usize).is_some_and(|signal| {
            signal.when.ty.maybe_unknown
                || signal
                    .group
                    .and_then(|g| program.groups.get(g as usize))
                    .and_then(|g| g.when.as_ref())
                    .is_some_and(|w| w.ty.maybe_unknown)
        })
    };
    let mut conditions: Vec<&ir::Expr> = Vec::new();
    conditions.extend(program.lets.iter().map(|l| &l.value));
    conditions.extend(program.groups.iter().filter_map(|g| g.when.as_ref()));
    conditions.extend(program.signals.iter().map(|s| &s.when));
    for verdict in &program.verdicts {
        conditions.extend(verdict.arms.iter().filter_map(|a| a.when.as_ref()));
    }
    conditions.extend(program.advice.iter().map(|a| &a.when));
    // One set of buffers for every condition: most conditions have no
    // `not` at all, and allocating three vectors each was most of the work.
    let mut guarded = Vec::new();
    let mut negated = Vec::new();
    let mut stack = Vec::new();
    for condition in conditions {
        guarded.clear();
        negated.clear();
        stack.clear();
        stack.push(condition);
        while let Some(expr) = stack.pop() {
            match &expr.kind {
                ExprKind::Call(ir::Builtin::Decided, args) => {
                    if let Some(ExprKind::Signal(id)) = args.first().map(|a| &a.kind) {
                        guarded.push(*id);
                    }
                }
                ExprKind::Not(inner) => match inner.kind {
                    ExprKind::Signal(id) => negated.push((id, expr)),
                    _ => stack.push(inner),
                },
                _ => expr.push_operands(&mut stack),
            }
        }
        for &(id, expr) in &negated {
            if guarded.contains(&id) || !may_be_undecided(id) {
                continue;
            }
            let Some(signal) = program.signals.get(id as usize) else {
                continue;
            };
            let name = &signal.name;
            warnings.push(
                Diagnostic::warning(
                    Code::UndecidedNot,
                    expr.location.span,
                    format!(
                        "`not {name}` also holds when `{name}` could not be decided because facts it reads are unknown"
                    ),
                )
                .with_label("true when nothing is known, too")
                .with_help(format!(
                    "for \"decided not to fire\", write `decided({name}) and not {name}`; \
                     to keep \"did not fire, or not known\", write `not decided({name}) or not {name}`"
                ))
                .with_suggestion(
                    format!("Change to `decided({name}) and not {name}`"),
                    expr.location.span,
                    format!("(decided({name}) and not {name})"),
                )
                .in_file(expr.location.file),
            );
        }
    }
}

/// True when the expression reads nothing from the deal.
fn is_constant(expr: &ir::Expr) -> bool {
    // Room for a typical condition's operands without growing.
    let mut stack = Vec::with_capacity(16);
    stack.push(expr);
    while let Some(expr) = stack.pop() {
        match &expr.kind {
            ExprKind::Fact(_)
            | ExprKind::Let(_)
            | ExprKind::Signal(_)
            | ExprKind::Verdict(_)
            | ExprKind::Score
            | ExprKind::GroupScore(_)
            | ExprKind::Today
            | ExprKind::Item(_) => return false,
            ExprKind::Literal(_) => {}
            ExprKind::Field(inner, _)
            | ExprKind::MapField(inner, _)
            | ExprKind::Not(inner)
            | ExprKind::Neg(inner) => stack.push(inner),
            ExprKind::And(a, b)
            | ExprKind::Or(a, b)
            | ExprKind::Compare(_, a, b)
            | ExprKind::Arith(_, a, b)
            | ExprKind::Coalesce(a, b) => {
                stack.push(a);
                stack.push(b);
            }
            ExprKind::In { value, list, .. } => {
                stack.push(value);
                stack.push(list);
            }
            ExprKind::Filter { list, cond, .. } => {
                stack.push(list);
                stack.push(cond);
            }
            ExprKind::List(items) | ExprKind::Call(_, items) => stack.extend(items.iter()),
            ExprKind::Text(template) => {
                stack.extend(template.parts.iter().filter_map(|p| match p {
                    ir::TemplatePart::Value(v) => Some(v),
                    ir::TemplatePart::Text(_) => None,
                }))
            }
        }
    }
    true
}

/// `fact == a and … and fact == b` with `a != b`: can never hold.
fn is_contradiction(expr: &ir::Expr) -> bool {
    let mut conjuncts = Vec::new();
    let mut stack = vec![expr];
    while let Some(expr) = stack.pop() {
        match &expr.kind {
            ExprKind::And(a, b) => {
                stack.push(a);
                stack.push(b);
            }
            ExprKind::Literal(Literal::Bool(false)) => return true,
            ExprKind::Compare(CompareOp::Eq, lhs, rhs) => match (&lhs.kind, &rhs.kind) {
                (ExprKind::Fact(f), ExprKind::Literal(Literal::Variant(v)))
                | (ExprKind::Literal(Literal::Variant(v)), ExprKind::Fact(f)) => {
                    conjuncts.push((*f, *v))
                }
                _ => {}
            },
            _ => {}
        }
    }
    conjuncts
        .iter()
        .any(|(f, v)| conjuncts.iter().any(|(g, w)| f == g && v != w))
}
