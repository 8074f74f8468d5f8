//! Expressions: the tree walker's `eval` (one arm per kind of expression),
//! conditions and scores, and the value helpers it shares with the other
//! files here (comparison, equality, arithmetic with overflow checks, the
//! blame an unknown carries).

use super::*;

pub(super) fn overflow(expr: &ir::Expr) -> EvalError {
    EvalError {
        message: "a number in this calculation is too large (integer overflow)".into(),
        location: expr.location,
    }
}

pub(super) fn as_decimal(value: &Value) -> Option<Decimal> {
    match value {
        Value::Int(i) => Some(Decimal::from(*i)),
        Value::Number(n) => Some(*n),
        _ => None,
    }
}

/// `left op right` for two known values.
pub(super) fn compare_known(op: CompareOp, left: &Value, right: &Value) -> bool {
    match op {
        CompareOp::Eq => equal(left, right),
        CompareOp::Ne => !equal(left, right),
        _ => match compare(left, right) {
            Some(ordering) => match op {
                CompareOp::Lt => ordering == Ordering::Less,
                CompareOp::Le => ordering != Ordering::Greater,
                CompareOp::Gt => ordering == Ordering::Greater,
                _ => ordering != Ordering::Less,
            },
            None => false,
        },
    }
}

/// A literal as a value.
pub(super) fn literal_value(literal: &Literal) -> Value {
    match literal {
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Int(i) => Value::Int(*i),
        Literal::Number(n) => Value::Number(*n),
        Literal::Text(t) => Value::Text(t.clone()),
        Literal::Date(d) => Value::Date(*d),
        Literal::Variant(v) => Value::Variant(*v),
    }
}

pub(super) fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Int(_) | Value::Number(_), Value::Int(_) | Value::Number(_)) => {
            compare_numbers(a, b)
        }
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::Text(x), Value::Text(y)) => Some(x.cmp(y)),
        (Value::Variant(x), Value::Variant(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// The order of two numbers (whole or decimal), exactly.
///
/// A decimal is a whole mantissa over a power of ten, so two of them are
/// ordered by bringing both mantissas to the larger scale: in `i128` that is
/// a multiplication or two, where `Decimal::cmp` rescales through 32-bit
/// words (a comparison with a literal was most of a small deal's
/// evaluation). When the scaled mantissa would not fit, `Decimal::cmp`
/// decides.
fn compare_numbers(a: &Value, b: &Value) -> Option<Ordering> {
    fn parts(value: &Value) -> Option<(i128, u32)> {
        match value {
            Value::Int(i) => Some((i128::from(*i), 0)),
            Value::Number(n) => Some((n.mantissa(), n.scale())),
            _ => None,
        }
    }
    let ((left, left_scale), (right, right_scale)) = (parts(a)?, parts(b)?);
    let scaled = |mantissa: i128, by: u32| mantissa.checked_mul(10i128.checked_pow(by)?);
    let exact = match left_scale.cmp(&right_scale) {
        Ordering::Equal => Some(left.cmp(&right)),
        Ordering::Less => scaled(left, right_scale - left_scale).map(|left| left.cmp(&right)),
        Ordering::Greater => scaled(right, left_scale - right_scale).map(|right| left.cmp(&right)),
    };
    match exact {
        Some(ordering) => Some(ordering),
        None => Some(as_decimal(a)?.cmp(&as_decimal(b)?)),
    }
}

pub(super) fn equal(a: &Value, b: &Value) -> bool {
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
    pub(super) fn condition(&mut self, expr: &ir::Expr) -> Result<bool, EvalError> {
        match self.eval(expr)? {
            Value::Bool(b) => Ok(b),
            Value::Unknown(blame) => {
                self.relevant.union(&blame);
                Ok(false)
            }
            _ => Ok(false),
        }
    }

    pub(super) fn score(&self, group: Option<u32>) -> Result<i64, EvalError> {
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

    pub(super) fn eval(&mut self, expr: &ir::Expr) -> Result<Value, EvalError> {
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
            ExprKind::Literal(literal) => literal_value(literal),
            ExprKind::Fact(id) => self
                .facts
                .get(*id as usize)
                .cloned()
                .unwrap_or_else(Value::unknown),
            ExprKind::Let(id) => {
                if self.lazy.is_some() {
                    self.force_let(*id)?;
                }
                self.lets
                    .get(*id as usize)
                    .cloned()
                    .unwrap_or_else(Value::unknown)
            }
            ExprKind::Signal(id) => match self
                .three
                .as_ref()
                .and_then(|t| t.signals.get(*id as usize).cloned().flatten())
            {
                Some(blame) => Value::Unknown(blame),
                None => Value::Bool(self.fired.get(*id as usize).copied().unwrap_or(false)),
            },
            ExprKind::Verdict(id) => match self
                .three
                .as_ref()
                .and_then(|t| t.verdicts.get(*id as usize).cloned().flatten())
            {
                Some(blame) => Value::Unknown(blame),
                None => Value::Variant(self.verdicts.get(*id as usize).copied().unwrap_or(0)),
            },
            ExprKind::Score | ExprKind::GroupScore(_) if self.three.is_some() => {
                let group = match expr.kind {
                    ExprKind::GroupScore(g) => Some(g),
                    _ => None,
                };
                let (low, high, blame) = self.score_interval(group);
                if blame.is_empty() || low == high {
                    Value::Int(low)
                } else {
                    Value::Unknown(blame)
                }
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
                if self.three.is_some() {
                    if let Some(value) = self.compare_score_interval(*op, a, b)? {
                        return Ok(value);
                    }
                    if let Some(value) = self.compare_verdict_arms(*op, a, b) {
                        return Ok(value);
                    }
                }
                if self.lazy.is_some() {
                    if let Some(value) = self.compare_in_place(*op, a, b)? {
                        return Ok(value);
                    }
                }
                let (left, right) = (self.eval(a)?, self.eval(b)?);
                if left.is_unknown() || right.is_unknown() {
                    return Ok(unknown_of(&[&left, &right]));
                }
                Value::Bool(compare_known(*op, &left, &right))
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
                    if self.lazy.is_some() {
                        if let Some(result) = self.in_place_list(value, items, *negated)? {
                            return Ok(result);
                        }
                    }
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
                // Three-valued: if the left side is unknown only for want of
                // facts, every completion knows it, so `b` is never used.
                Value::Unknown(blame) if self.is_open(&blame) => Value::Unknown(blame),
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
            ExprKind::Call(Builtin::Count, args) if self.lazy.is_some() => {
                if let [ir::Expr {
                    kind:
                        ExprKind::Filter {
                            list,
                            cond,
                            mode: FilterMode::Where,
                        },
                    ..
                }] = args.as_slice()
                {
                    return self.count_where(list, cond);
                }
                let mut values: smallvec::SmallVec<[Value; 2]> = smallvec::SmallVec::new();
                for arg in args {
                    values.push(self.eval(arg)?);
                }
                self.call(Builtin::Count, &values, args, expr)?
            }
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

    /// In the three-valued reading, whether an unknown value is blamed on a
    /// fact the deal leaves open (so a completion may know it).
    pub(super) fn is_open(&self, blame: &Blame) -> bool {
        self.three
            .as_ref()
            .is_some_and(|t| t.open.intersects(blame))
    }

    /// The item `depth` `where` levels out (0 = innermost).
    pub(super) fn current_item(&self, depth: u32) -> Option<&Value> {
        let level = self.items.len().checked_sub(1 + depth as usize)?;
        let (list, position) = self.items.get(level)?;
        list.get(*position)
    }

    /// `value in [items…]`, with the meaning of building the list first:
    /// unknown when the value or any item is unknown.
    pub(super) fn in_literal(
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
}

/// The facts an expression's list is computed from (through lets), as blame.
pub(super) fn static_blame(program: &Program, expr: Option<&ir::Expr>) -> Blame {
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

pub(super) fn unknown_of(values: &[&Value]) -> Value {
    let mut blame = Blame::default();
    for value in values {
        if let Value::Unknown(b) = value {
            blame.union(b);
        }
    }
    Value::Unknown(blame)
}

pub(super) fn arith(
    op: ArithOp,
    left: &Value,
    right: &Value,
    expr: &ir::Expr,
) -> Result<Value, EvalError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every pair of a spread of wholes and decimals (the largest
    /// mantissas, every scale from 0 to 28, negative zero) is ordered as
    /// `Decimal::cmp` orders it, including where scaling overflows `i128`.
    #[test]
    fn numbers_compare_as_decimals_do() {
        let max = Decimal::MAX.mantissa();
        let mantissas = [
            0,
            1,
            -1,
            5,
            10,
            -10,
            500_000,
            999_999_999,
            i128::from(i64::MAX),
            i128::from(i64::MIN),
            max,
            -max,
            max / 7,
        ];
        let mut values = Vec::new();
        for mantissa in mantissas {
            for scale in [0, 1, 2, 5, 10, 18, 27, 28] {
                if let Ok(n) = Decimal::try_from_i128_with_scale(mantissa, scale) {
                    values.push(Value::Number(n));
                }
            }
        }
        values.push(Value::Number(Decimal::from_parts(0, 0, 0, true, 3)));
        for i in [0, 1, -1, 500_000, i64::MAX, i64::MIN] {
            values.push(Value::Int(i));
        }
        for a in &values {
            for b in &values {
                let expected = as_decimal(a).zip(as_decimal(b)).map(|(x, y)| x.cmp(&y));
                assert_eq!(compare_numbers(a, b), expected, "{a:?} vs {b:?}");
            }
        }
    }
}
