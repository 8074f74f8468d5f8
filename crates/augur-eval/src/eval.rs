//! Evaluating a checked program against one decoded deal.
//!
//! Rules run in the checker's dependency order (`Program::order`), so a rule
//! never waits on another and nothing recurses across rules. Unknown values
//! carry the facts that made them unknown; and/or/not follow Kleene logic.

use crate::deal::Deal;
use crate::value::{Blame, Value};
use augur_check::ir::{
    self, ArithOp, Builtin, CompareOp, ExprKind, FilterMode, Literal, Program, Step, Type,
};
use augur_syntax::Date;
use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::sync::Arc;

/// An evaluation that cannot give a result (e.g. an integer overflow).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalError {
    pub message: String,
    pub location: ir::Location,
}

/// The outcome of one deal.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The chosen arm of each verdict.
    pub verdicts: Vec<u32>,
    pub score: i64,
    /// Groups whose condition held, with their weight sums.
    pub groups: Vec<(u32, i64)>,
    pub fired: Vec<bool>,
    /// Rendered messages of the signals that fired (`None` otherwise).
    pub messages: Vec<Option<String>>,
    pub advice: Vec<(u32, String)>,
    /// The facts whose being unknown left a condition undecided.
    pub unknown: Vec<u32>,
    /// Values of each let (for `--explain`).
    pub lets: Vec<Value>,
}

struct Frame<'a> {
    program: &'a Program,
    facts: &'a [Value],
    today: Date,
    lets: Vec<Value>,
    fired: Vec<bool>,
    group_active: Vec<bool>,
    verdicts: Vec<u32>,
    /// The lists being filtered by `where`/`any`/`all`, innermost last,
    /// each with the position of its current item (`it`). Holding the list
    /// rather than a copy of each item saves a reference count per item.
    items: Vec<(Arc<[Value]>, usize)>,
    relevant: Blame,
    /// Expressions evaluated so far, against [`MAX_EVAL_STEPS`].
    steps: u64,
    /// Bytes of text built so far, against [`MAX_DEAL_OUTPUT_BYTES`].
    output_bytes: usize,
}

/// Evaluates `deal` with `today` as the evaluation date.
pub fn evaluate(program: &Program, deal: &Deal, today: Date) -> Result<Outcome, EvalError> {
    augur_syntax::with_stack(|| evaluate_on_this_stack(program, deal, today, &[]))
        .map(|(outcome, _)| outcome)
}

/// Evaluates `deal` and then each probe (e.g. a test's `expect` conditions)
/// with every rule's result in scope.
pub fn evaluate_with_probes(
    program: &Program,
    deal: &Deal,
    today: Date,
    probes: &[&ir::Expr],
) -> Result<(Outcome, Vec<Value>), EvalError> {
    augur_syntax::with_stack(|| evaluate_on_this_stack(program, deal, today, probes))
}

fn evaluate_on_this_stack(
    program: &Program,
    deal: &Deal,
    today: Date,
    probes: &[&ir::Expr],
) -> Result<(Outcome, Vec<Value>), EvalError> {
    let mut frame = Frame {
        program,
        facts: &deal.facts,
        today,
        lets: vec![Value::unknown(); program.lets.len()],
        fired: vec![false; program.signals.len()],
        group_active: vec![false; program.groups.len()],
        verdicts: vec![0; program.verdicts.len()],
        items: Vec::new(),
        relevant: Blame::default(),
        steps: 0,
        output_bytes: 0,
    };
    for step in &program.order {
        match *step {
            Step::Let(id) => {
                if let Some(info) = program.lets.get(id as usize) {
                    let value = frame.eval(&info.value)?;
                    if let Some(slot) = frame.lets.get_mut(id as usize) {
                        *slot = value;
                    }
                }
            }
            Step::Group(id) => {
                let Some(group) = program.groups.get(id as usize) else {
                    continue;
                };
                let active = match &group.when {
                    Some(when) => frame.condition(when)?,
                    None => true,
                };
                if let Some(slot) = frame.group_active.get_mut(id as usize) {
                    *slot = active;
                }
            }
            Step::Signal(id) => {
                let Some(signal) = program.signals.get(id as usize) else {
                    continue;
                };
                let group_ok = signal
                    .group
                    .is_none_or(|g| frame.group_active.get(g as usize).copied().unwrap_or(false));
                let fired = group_ok && frame.condition(&signal.when)?;
                if let Some(slot) = frame.fired.get_mut(id as usize) {
                    *slot = fired;
                }
            }
            Step::Verdict(id) => {
                let Some(verdict) = program.verdicts.get(id as usize) else {
                    continue;
                };
                let mut chosen = verdict.arms.len().saturating_sub(1) as u32;
                for (index, arm) in verdict.arms.iter().enumerate() {
                    let holds = match &arm.when {
                        Some(when) => frame.condition(when)?,
                        None => true,
                    };
                    if holds {
                        chosen = index as u32;
                        break;
                    }
                }
                if let Some(slot) = frame.verdicts.get_mut(id as usize) {
                    *slot = chosen;
                }
            }
        }
    }
    let mut advice = Vec::new();
    for (id, item) in program.advice.iter().enumerate() {
        if frame.condition(&item.when)? {
            let mut text = String::new();
            for part in &item.text {
                let part = frame.render(part, item.location)?;
                if needs_space_between(&text, &part) {
                    text.push(' ');
                }
                text.push_str(&part);
            }
            advice.push((id as u32, text));
        }
    }
    let mut messages = Vec::with_capacity(program.signals.len());
    for (id, signal) in program.signals.iter().enumerate() {
        messages.push(if frame.fired.get(id).copied().unwrap_or(false) {
            Some(frame.render(&signal.message, signal.location)?)
        } else {
            None
        });
    }
    let score = frame.score(None)?;
    let mut groups = Vec::new();
    for (id, active) in frame.group_active.iter().enumerate() {
        if *active {
            groups.push((id as u32, frame.score(Some(id as u32))?));
        }
    }
    let mut probe_values = Vec::with_capacity(probes.len());
    for probe in probes {
        probe_values.push(frame.eval(probe)?);
    }
    let outcome = Outcome {
        verdicts: frame.verdicts,
        score,
        groups,
        fired: frame.fired,
        messages,
        advice,
        unknown: frame.relevant.facts().collect(),
        lets: frame.lets,
    };
    Ok((outcome, probe_values))
}

fn overflow(expr: &ir::Expr) -> EvalError {
    EvalError {
        message: "a number in this calculation is too large (integer overflow)".into(),
        location: expr.location,
    }
}

fn as_decimal(value: &Value) -> Option<Decimal> {
    match value {
        Value::Int(i) => Some(Decimal::from(*i)),
        Value::Number(n) => Some(*n),
        _ => None,
    }
}

fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Int(_) | Value::Number(_), Value::Int(_) | Value::Number(_)) => {
            Some(as_decimal(a)?.cmp(&as_decimal(b)?))
        }
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::Text(x), Value::Text(y)) => Some(x.cmp(y)),
        (Value::Variant(x), Value::Variant(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Record(x), Value::Record(y)) | (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| equal(p, q))
        }
        _ => compare(a, b) == Some(Ordering::Equal),
    }
}

impl Frame<'_> {
    /// Evaluates a condition: true only when it is known to be true. An
    /// unknown condition records its blame as relevant unknowns.
    fn condition(&mut self, expr: &ir::Expr) -> Result<bool, EvalError> {
        match self.eval(expr)? {
            Value::Bool(b) => Ok(b),
            Value::Unknown(blame) => {
                self.relevant.union(&blame);
                Ok(false)
            }
            _ => Ok(false),
        }
    }

    fn score(&self, group: Option<u32>) -> Result<i64, EvalError> {
        let mut total: i64 = 0;
        for (id, signal) in self.program.signals.iter().enumerate() {
            if self.fired.get(id).copied().unwrap_or(false)
                && (group.is_none() || signal.group == group)
            {
                total = total
                    .checked_add(signal.weight)
                    .ok_or_else(|| overflow(&signal.when))?;
            }
        }
        Ok(total)
    }

    /// Renders a message, advice or text template, charging its bytes to
    /// the deal's output budget.
    fn render(
        &mut self,
        template: &ir::Template,
        location: ir::Location,
    ) -> Result<String, EvalError> {
        let mut out = String::new();
        for part in &template.parts {
            match part {
                ir::TemplatePart::Text(text) => out.push_str(text),
                ir::TemplatePart::Value(expr) => {
                    let value = self.eval(expr)?;
                    value.render(&expr.ty.ty, self.program, &mut out);
                    check_text_len(out.len(), expr)?;
                }
            }
        }
        self.charge(out.len(), location)?;
        Ok(out)
    }

    /// Counts `bytes` of text built for this deal against
    /// [`MAX_DEAL_OUTPUT_BYTES`].
    fn charge(&mut self, bytes: usize, location: ir::Location) -> Result<(), EvalError> {
        self.output_bytes = self.output_bytes.saturating_add(bytes);
        if self.output_bytes as u64 > MAX_DEAL_OUTPUT_BYTES {
            return Err(EvalError {
                message: format!(
                    "this deal's messages, advice and texts would pass {MAX_DEAL_OUTPUT_BYTES} bytes \
                     (the limit for one deal); a message that repeats a long text is the usual cause (here)"
                ),
                location,
            });
        }
        Ok(())
    }

    fn eval(&mut self, expr: &ir::Expr) -> Result<Value, EvalError> {
        self.steps += 1;
        if self.steps > MAX_EVAL_STEPS {
            return Err(EvalError {
                message: format!(
                    "evaluating this deal took more than {MAX_EVAL_STEPS} steps (here); \
                     nested `where` over long lists multiply"
                ),
                location: expr.location,
            });
        }
        Ok(match &expr.kind {
            ExprKind::Literal(literal) => match literal {
                Literal::Bool(b) => Value::Bool(*b),
                Literal::Int(i) => Value::Int(*i),
                Literal::Number(n) => Value::Number(*n),
                Literal::Text(t) => Value::Text(t.clone()),
                Literal::Date(d) => Value::Date(*d),
                Literal::Variant(v) => Value::Variant(*v),
            },
            ExprKind::Fact(id) => self
                .facts
                .get(*id as usize)
                .cloned()
                .unwrap_or_else(Value::unknown),
            ExprKind::Let(id) => self
                .lets
                .get(*id as usize)
                .cloned()
                .unwrap_or_else(Value::unknown),
            ExprKind::Signal(id) => {
                Value::Bool(self.fired.get(*id as usize).copied().unwrap_or(false))
            }
            ExprKind::Verdict(id) => {
                Value::Variant(self.verdicts.get(*id as usize).copied().unwrap_or(0))
            }
            ExprKind::Score => Value::Int(self.score(None)?),
            ExprKind::GroupScore(group) => Value::Int(self.score(Some(*group))?),
            ExprKind::Today => Value::Date(self.today),
            ExprKind::Item(depth) => self
                .current_item(*depth)
                .cloned()
                .unwrap_or_else(Value::unknown),
            ExprKind::Field(base, index) if matches!(base.kind, ExprKind::Item(_)) => {
                // `it.field` (and a bare `field` inside `where`): read the
                // field in place instead of copying the record first.
                let ExprKind::Item(depth) = base.kind else {
                    return Ok(Value::unknown());
                };
                match self.current_item(depth) {
                    Some(Value::Record(fields)) => fields
                        .get(*index as usize)
                        .cloned()
                        .unwrap_or_else(Value::unknown),
                    Some(unknown @ Value::Unknown(_)) => unknown.clone(),
                    _ => Value::unknown(),
                }
            }
            ExprKind::Field(base, index) => match self.eval(base)? {
                Value::Record(fields) => fields
                    .get(*index as usize)
                    .cloned()
                    .unwrap_or_else(Value::unknown),
                unknown @ Value::Unknown(_) => unknown,
                _ => Value::unknown(),
            },
            ExprKind::MapField(base, index) => match self.eval(base)? {
                Value::List(items) => Value::List(
                    items
                        .iter()
                        .filter_map(|item| match item {
                            Value::Record(fields) => fields
                                .get(*index as usize)
                                .filter(|v| !v.is_unknown())
                                .cloned(),
                            _ => None,
                        })
                        .collect::<Vec<_>>()
                        .into(),
                ),
                other => other,
            },
            ExprKind::Not(inner) => match self.eval(inner)? {
                Value::Bool(b) => Value::Bool(!b),
                other => other,
            },
            ExprKind::Neg(inner) => match self.eval(inner)? {
                Value::Int(i) => Value::Int(i.checked_neg().ok_or_else(|| overflow(expr))?),
                Value::Number(n) => Value::Number(-n),
                other => other,
            },
            ExprKind::And(a, b) => {
                let left = self.eval(a)?;
                if left == Value::Bool(false) {
                    return Ok(left);
                }
                let right = self.eval(b)?;
                match (left, right) {
                    (_, Value::Bool(false)) => Value::Bool(false),
                    (Value::Bool(true), Value::Bool(true)) => Value::Bool(true),
                    (l, r) => unknown_of(&[&l, &r]),
                }
            }
            ExprKind::Or(a, b) => {
                let left = self.eval(a)?;
                if left == Value::Bool(true) {
                    return Ok(left);
                }
                let right = self.eval(b)?;
                match (left, right) {
                    (_, Value::Bool(true)) => Value::Bool(true),
                    (Value::Bool(false), Value::Bool(false)) => Value::Bool(false),
                    (l, r) => unknown_of(&[&l, &r]),
                }
            }
            ExprKind::Compare(op, a, b) => {
                let (left, right) = (self.eval(a)?, self.eval(b)?);
                if left.is_unknown() || right.is_unknown() {
                    return Ok(unknown_of(&[&left, &right]));
                }
                let result = match op {
                    CompareOp::Eq => equal(&left, &right),
                    CompareOp::Ne => !equal(&left, &right),
                    _ => match compare(&left, &right) {
                        Some(ordering) => match op {
                            CompareOp::Lt => ordering == Ordering::Less,
                            CompareOp::Le => ordering != Ordering::Greater,
                            CompareOp::Gt => ordering == Ordering::Greater,
                            _ => ordering != Ordering::Less,
                        },
                        None => false,
                    },
                };
                Value::Bool(result)
            }
            ExprKind::Arith(op, a, b) => {
                let (left, right) = (self.eval(a)?, self.eval(b)?);
                if left.is_unknown() || right.is_unknown() {
                    return Ok(unknown_of(&[&left, &right]));
                }
                let value = arith(*op, &left, &right, expr)?;
                if let Value::Text(text) = &value {
                    self.charge(text.len(), expr.location)?;
                }
                value
            }
            ExprKind::In {
                value,
                list,
                negated,
            } => {
                if let ExprKind::List(items) = &list.kind {
                    // `x in [a, b]`: compare item by item rather than
                    // building the list, as the common case of `in`.
                    return self.in_literal(value, items, *negated);
                }
                let (needle, haystack) = (self.eval(value)?, self.eval(list)?);
                match (&needle, &haystack) {
                    (Value::Unknown(_), _) | (_, Value::Unknown(_)) => {
                        unknown_of(&[&needle, &haystack])
                    }
                    (_, Value::List(items)) => {
                        Value::Bool(items.iter().any(|item| equal(item, &needle)) != *negated)
                    }
                    _ => Value::unknown(),
                }
            }
            ExprKind::Coalesce(a, b) => match self.eval(a)? {
                Value::Unknown(_) => self.eval(b)?,
                known => known,
            },
            ExprKind::Filter { list, cond, mode } => {
                let items = match self.eval(list)? {
                    Value::List(items) => items,
                    other => return Ok(other),
                };
                let mut kept = Vec::new();
                let mut blame: Option<Blame> = None;
                let mut decided = None;
                self.items.push((items.clone(), 0));
                for (position, item) in items.iter().enumerate() {
                    if let Some(current) = self.items.last_mut() {
                        current.1 = position;
                    }
                    let result = self.eval(cond);
                    let result = match result {
                        Ok(value) => value,
                        Err(error) => {
                            self.items.pop();
                            return Err(error);
                        }
                    };
                    match result {
                        Value::Bool(true) => match mode {
                            FilterMode::Where => kept.push(item.clone()),
                            FilterMode::Any => {
                                decided = Some(true);
                                break;
                            }
                            FilterMode::All => {}
                        },
                        Value::Bool(false) if *mode == FilterMode::All => {
                            decided = Some(false);
                            break;
                        }
                        Value::Unknown(b) => blame.get_or_insert_with(Blame::default).union(&b),
                        _ => {}
                    }
                }
                self.items.pop();
                match mode {
                    FilterMode::Where => Value::List(kept.into()),
                    _ => match (decided, blame) {
                        (Some(b), _) => Value::Bool(b),
                        (None, Some(blame)) => Value::Unknown(blame),
                        (None, None) => Value::Bool(*mode == FilterMode::All),
                    },
                }
            }
            ExprKind::List(items) => {
                let mut values = Vec::with_capacity(items.len());
                let mut blame: Option<Blame> = None;
                for item in items {
                    match self.eval(item)? {
                        Value::Unknown(b) => blame.get_or_insert_with(Blame::default).union(&b),
                        value => values.push(value),
                    }
                }
                match blame {
                    Some(blame) => Value::Unknown(blame),
                    None => Value::List(values.into()),
                }
            }
            ExprKind::Text(template) => Value::Text(self.render(template, expr.location)?.into()),
            ExprKind::Call(builtin, args) => {
                // Built-ins take one or two arguments: no allocation.
                let mut values: smallvec::SmallVec<[Value; 2]> = smallvec::SmallVec::new();
                for arg in args {
                    values.push(self.eval(arg)?);
                }
                self.call(*builtin, &values, args, expr)?
            }
        })
    }

    /// The item `depth` `where` levels out (0 = innermost).
    fn current_item(&self, depth: u32) -> Option<&Value> {
        let level = self.items.len().checked_sub(1 + depth as usize)?;
        let (list, position) = self.items.get(level)?;
        list.get(*position)
    }

    /// `value in [items…]`, with the meaning of building the list first:
    /// unknown when the value or any item is unknown.
    fn in_literal(
        &mut self,
        value: &ir::Expr,
        items: &[ir::Expr],
        negated: bool,
    ) -> Result<Value, EvalError> {
        let needle = self.eval(value)?;
        let mut blame: Option<Blame> = match &needle {
            Value::Unknown(b) => Some(b.clone()),
            _ => None,
        };
        let mut found = false;
        for item in items {
            match self.eval(item)? {
                Value::Unknown(b) => blame.get_or_insert_with(Blame::default).union(&b),
                candidate => found = found || (blame.is_none() && equal(&candidate, &needle)),
            }
        }
        Ok(match blame {
            Some(blame) => Value::Unknown(blame),
            None => Value::Bool(found != negated),
        })
    }

    fn call(
        &mut self,
        builtin: Builtin,
        values: &[Value],
        args: &[ir::Expr],
        expr: &ir::Expr,
    ) -> Result<Value, EvalError> {
        if builtin == Builtin::Known {
            return Ok(Value::Bool(!values.first().is_none_or(Value::is_unknown)));
        }
        if values.iter().any(Value::is_unknown) {
            let mut blame = Blame::default();
            for value in values {
                if let Value::Unknown(b) = value {
                    blame.union(b);
                }
            }
            return Ok(Value::Unknown(blame));
        }
        let first = values.first();
        let items: &[Value] = match first {
            Some(Value::List(items)) => items,
            _ => &[],
        };
        // An empty list makes first/last/min/max unknown; the facts the list
        // was computed from are what would need finding out.
        let empty_blame = || Value::Unknown(static_blame(self.program, args.first()));
        Ok(match builtin {
            Builtin::Count | Builtin::LenList => Value::Int(items.len() as i64),
            Builtin::AnyBool => Value::Bool(items.iter().any(|v| *v == Value::Bool(true))),
            Builtin::AllBool => Value::Bool(items.iter().all(|v| *v == Value::Bool(true))),
            Builtin::First => items.first().cloned().unwrap_or_else(empty_blame),
            Builtin::Last => items.last().cloned().unwrap_or_else(empty_blame),
            Builtin::Min | Builtin::Max => {
                let mut best: Option<&Value> = None;
                for item in items.iter() {
                    best = match best {
                        None => Some(item),
                        Some(current) => {
                            let ordering = compare(item, current).unwrap_or(Ordering::Equal);
                            let better = if builtin == Builtin::Min {
                                ordering == Ordering::Less
                            } else {
                                ordering == Ordering::Greater
                            };
                            Some(if better { item } else { current })
                        }
                    };
                }
                best.cloned().unwrap_or_else(empty_blame)
            }
            Builtin::Sum => {
                let mut total = Value::Int(0);
                for item in items.iter() {
                    total = arith(ArithOp::Add, &total, item, expr)?;
                }
                if matches!(expr.ty.ty, Type::Number) {
                    if let Value::Int(i) = total {
                        total = Value::Number(Decimal::from(i));
                    }
                }
                total
            }
            Builtin::DaysSince | Builtin::DaysUntil => match first {
                Some(Value::Date(date)) => {
                    let days = i64::from(self.today.days()) - i64::from(date.days());
                    Value::Int(if builtin == Builtin::DaysSince {
                        days
                    } else {
                        -days
                    })
                }
                _ => Value::unknown(),
            },
            Builtin::LenText => match first {
                Some(Value::Text(text)) => Value::Int(text.chars().count() as i64),
                _ => Value::unknown(),
            },
            Builtin::ContainsText => match (first, values.get(1)) {
                (Some(Value::Text(text)), Some(Value::Text(part))) => {
                    Value::Bool(text.contains(part.as_ref()))
                }
                _ => Value::unknown(),
            },
            Builtin::ContainsItem => match values.get(1) {
                Some(needle) => Value::Bool(items.iter().any(|item| equal(item, needle))),
                None => Value::unknown(),
            },
            Builtin::Known => Value::Bool(true),
            Builtin::Round => {
                let digits = match values.get(1) {
                    Some(Value::Int(d)) => u32::try_from(*d).unwrap_or(0),
                    _ => 0,
                };
                let number = match first {
                    Some(Value::Number(n)) => *n,
                    Some(Value::Int(i)) => rust_decimal::Decimal::from(*i),
                    _ => return Ok(Value::unknown()),
                };
                Value::Number(number.round_dp_with_strategy(
                    digits,
                    rust_decimal::RoundingStrategy::MidpointAwayFromZero,
                ))
            }
        })
    }
}

/// The facts an expression's list is computed from (through lets), as blame.
fn static_blame(program: &Program, expr: Option<&ir::Expr>) -> Blame {
    let mut blame = Blame::default();
    let mut stack: Vec<&ir::Expr> = expr.into_iter().collect();
    let mut seen_lets = Vec::new();
    while let Some(expr) = stack.pop() {
        match &expr.kind {
            ExprKind::Fact(id) => blame.insert(*id),
            ExprKind::Let(id) if !seen_lets.contains(id) => {
                seen_lets.push(*id);
                if let Some(info) = program.lets.get(*id as usize) {
                    stack.push(&info.value);
                }
            }
            ExprKind::Field(inner, _)
            | ExprKind::MapField(inner, _)
            | ExprKind::Not(inner)
            | ExprKind::Neg(inner) => stack.push(inner),
            ExprKind::Filter { list, .. } => stack.push(list),
            ExprKind::Call(_, args) | ExprKind::List(args) => stack.extend(args.iter()),
            _ => {}
        }
    }
    blame
}

fn unknown_of(values: &[&Value]) -> Value {
    let mut blame = Blame::default();
    for value in values {
        if let Value::Unknown(b) = value {
            blame.union(b);
        }
    }
    Value::Unknown(blame)
}

/// Most expression steps one deal's evaluation may take. Every rule is
/// evaluated once, but `where` inside `where` over long lists multiplies
/// (100,000 × 100,000 …); this bound keeps one deal to a few seconds at most.
pub const MAX_EVAL_STEPS: u64 = 50_000_000;

/// Most bytes of messages, advice and joined texts one deal's evaluation
/// may build (the checker estimates the playbook's share of it statically).
pub use augur_check::budget::MAX_DEAL_OUTPUT_BYTES;

/// Longest text a calculation may build, in bytes. Without it, a few `let`s
/// that each join a text to itself would double it into gigabytes.
pub const MAX_TEXT_BYTES: usize = 1024 * 1024;

fn check_text_len(bytes: usize, expr: &ir::Expr) -> Result<(), EvalError> {
    if bytes > MAX_TEXT_BYTES {
        return Err(EvalError {
            message: format!(
                "this text would be {bytes} bytes long; texts may be at most {MAX_TEXT_BYTES} bytes"
            ),
            location: expr.location,
        });
    }
    Ok(())
}

fn arith(op: ArithOp, left: &Value, right: &Value, expr: &ir::Expr) -> Result<Value, EvalError> {
    Ok(match (left, right) {
        (Value::Int(a), Value::Int(b)) if op != ArithOp::Div => Value::Int(
            match op {
                ArithOp::Add => a.checked_add(*b),
                ArithOp::Sub => a.checked_sub(*b),
                _ => a.checked_mul(*b),
            }
            .ok_or_else(|| overflow(expr))?,
        ),
        (Value::Date(a), Value::Date(b)) => Value::Int(i64::from(a.days()) - i64::from(b.days())),
        (Value::Date(a), Value::Int(days)) => {
            let days = if op == ArithOp::Sub {
                days.checked_neg()
            } else {
                Some(*days)
            };
            let moved = days
                .and_then(|d| i32::try_from(d).ok())
                .and_then(|d| a.days().checked_add(d));
            match moved
                .map(Date::from_days)
                .filter(|d| (0..=9999).contains(&d.ymd().0))
            {
                Some(date) => Value::Date(date),
                None => {
                    return Err(EvalError {
                        message: "this date falls outside the years 0–9999".into(),
                        location: expr.location,
                    })
                }
            }
        }
        (Value::Text(a), Value::Text(b)) => {
            check_text_len(a.len() + b.len(), expr)?;
            Value::Text(format!("{a}{b}").into())
        }
        _ => {
            let (Some(a), Some(b)) = (as_decimal(left), as_decimal(right)) else {
                return Ok(Value::unknown());
            };
            let result = match op {
                ArithOp::Add => a.checked_add(b),
                ArithOp::Sub => a.checked_sub(b),
                ArithOp::Mul => a.checked_mul(b),
                ArithOp::Div => {
                    if b.is_zero() {
                        // Division by zero has no answer: unknown, by design.
                        return Ok(Value::unknown());
                    }
                    a.checked_div(b)
                }
            };
            Value::Number(result.ok_or_else(|| overflow(expr))?.normalize())
        }
    })
}

/// Whether two sentences of an advice are joined with a space: yes between
/// words of scripts that use spaces, no where either side is Chinese or
/// Japanese ("担忧。别相信", not "担忧。 别相信").
fn needs_space_between(before: &str, after: &str) -> bool {
    let (Some(last), Some(first)) = (before.chars().next_back(), after.chars().next()) else {
        return false;
    };
    !(is_wide_script(last) || is_wide_script(first))
}

/// Han ideographs, CJK punctuation, kana and full-width forms: scripts
/// written without spaces between sentences.
fn is_wide_script(c: char) -> bool {
    matches!(
        u32::from(c),
        0x3000..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF
    )
}
