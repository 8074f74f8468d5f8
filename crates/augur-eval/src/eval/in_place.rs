//! The fast path's shortcuts (`fast.rs` turns them on): comparisons and
//! `x in [a, b]` that read facts, lets, signals and fields where they are
//! instead of copying them, and `count(list where …)` without building the
//! list. Each counts exactly the steps the reference path would; the
//! differential tests hold both paths to the same bytes.

use super::*;

impl Frame<'_> {
    /// On the fast path, a comparison whose sides are read where they are
    /// (a fact, a let, a literal, a field of `it`) instead of copied out: the
    /// same value as the general case, and the same steps counted.
    /// `None` when a side is anything else.
    pub(super) fn compare_in_place(
        &mut self,
        op: CompareOp,
        a: &ir::Expr,
        b: &ir::Expr,
    ) -> Result<Option<Value>, EvalError> {
        if !(self.in_place(a) && self.in_place(b)) {
            return Ok(None);
        }
        for side in [a, b] {
            if let ExprKind::Let(id) = side.kind {
                self.force_let(id)?;
            }
        }
        // The two sides (the comparison itself was counted by `eval`); a
        // step past the limit is left to the caller's check (`crate::fast`
        // then asks the reference).
        self.steps += 2;
        let (left_made, right_made) = (self.made_value(a), self.made_value(b));
        let left = match &left_made {
            Some(value) => Some(value),
            None => self.value_in_place(a),
        };
        let right = match &right_made {
            Some(value) => Some(value),
            None => self.value_in_place(b),
        };
        Ok(Some(match (left, right) {
            (Some(left), Some(right)) if !left.is_unknown() && !right.is_unknown() => {
                Value::Bool(compare_known(op, left, right))
            }
            (left, right) => {
                let mut blame = Blame::default();
                for side in [left, right].into_iter().flatten() {
                    if let Value::Unknown(b) = side {
                        blame.union(b);
                    }
                }
                Value::Unknown(blame)
            }
        }))
    }

    /// On the fast path, `count(list where cond)` without building the
    /// filtered list: the same value, and the same steps, as the general
    /// case.
    pub(super) fn count_where(
        &mut self,
        list: &ir::Expr,
        cond: &ir::Expr,
    ) -> Result<Value, EvalError> {
        // The filter (the call was counted by `eval`); the caller checks
        // the step limit.
        self.steps += 1;
        if let (ExprKind::List(written), ExprKind::Item(0)) = (&list.kind, &cond.kind) {
            // `count([a, b, c] where it)`: how many of these hold, without
            // building the list. The list node, each item, and (when the list
            // is known) the condition once per item.
            self.steps += 1;
            let mut count: i64 = 0;
            let mut blame: Option<Blame> = None;
            for item in written {
                match self.eval(item)? {
                    Value::Unknown(b) => blame.get_or_insert_with(Blame::default).union(&b),
                    Value::Bool(true) => count += 1,
                    _ => {}
                }
            }
            if let Some(blame) = blame {
                return Ok(Value::Unknown(blame));
            }
            self.steps += written.len() as u64;
            return Ok(Value::Int(count));
        }
        let items = match self.eval(list)? {
            Value::List(items) => items,
            unknown @ Value::Unknown(_) => return Ok(unknown),
            _ => return Ok(Value::Int(0)),
        };
        let mut count: i64 = 0;
        self.items.push((items.clone(), 0));
        for position in 0..items.len() {
            if let Some(current) = self.items.last_mut() {
                current.1 = position;
            }
            match self.eval(cond) {
                Ok(Value::Bool(true)) => count += 1,
                Ok(_) => {}
                Err(error) => {
                    self.items.pop();
                    return Err(error);
                }
            }
        }
        self.items.pop();
        Ok(Value::Int(count))
    }

    /// The value of a literal, a signal or a verdict as recorded (as
    /// [`Frame::eval`] makes it outside the three-valued reading); `None`
    /// for what [`Frame::value_in_place`] reads.
    pub(super) fn made_value(&self, expr: &ir::Expr) -> Option<Value> {
        match &expr.kind {
            ExprKind::Literal(literal) => Some(literal_value(literal)),
            ExprKind::Signal(id) => Some(Value::Bool(
                self.fired.get(*id as usize).copied().unwrap_or(false),
            )),
            ExprKind::Verdict(id) => Some(Value::Variant(
                self.verdicts.get(*id as usize).copied().unwrap_or(0),
            )),
            _ => None,
        }
    }

    /// On the fast path, `value in [a, b, …]` where the value is read in
    /// place and the items are literals: what [`Frame::in_literal`] gives,
    /// with the same steps counted, without copying anything.
    pub(super) fn in_place_list(
        &mut self,
        value: &ir::Expr,
        items: &[ir::Expr],
        negated: bool,
    ) -> Result<Option<Value>, EvalError> {
        if !self.in_place(value)
            || !items
                .iter()
                .all(|item| matches!(item.kind, ExprKind::Literal(_)))
        {
            return Ok(None);
        }
        if let ExprKind::Let(id) = value.kind {
            self.force_let(id)?;
        }
        // The value and each item (`in` was counted by `eval`); the caller
        // checks the step limit.
        self.steps += 1 + items.len() as u64;
        let made = self.made_value(value);
        let unknown = Value::unknown();
        let needle = match &made {
            Some(needle) => needle,
            None => self.value_in_place(value).unwrap_or(&unknown),
        };
        if let Value::Unknown(blame) = needle {
            return Ok(Some(Value::Unknown(blame.clone())));
        }
        let found = items.iter().any(|item| match &item.kind {
            ExprKind::Literal(literal) => equal(&literal_value(literal), needle),
            _ => false,
        });
        Ok(Some(Value::Bool(found != negated)))
    }

    /// Whether [`Frame::value_in_place`] or [`Frame::made_value`] can read
    /// `expr` (never in the three-valued reading).
    pub(super) fn in_place(&self, expr: &ir::Expr) -> bool {
        if self.three.is_some() {
            return false;
        }
        match &expr.kind {
            ExprKind::Literal(_)
            | ExprKind::Fact(_)
            | ExprKind::Let(_)
            | ExprKind::Signal(_)
            | ExprKind::Verdict(_) => true,
            ExprKind::Field(base, _) => matches!(base.kind, ExprKind::Item(_)),
            _ => false,
        }
    }

    /// The value of a fact, a (computed) let or a field of `it`, where it
    /// is; what [`Frame::eval`] would return a copy of (`None`: an unknown
    /// with no blame).
    pub(super) fn value_in_place(&self, expr: &ir::Expr) -> Option<&Value> {
        match &expr.kind {
            ExprKind::Fact(id) => self.facts.get(*id as usize),
            ExprKind::Let(id) => self.lets.get(*id as usize),
            ExprKind::Field(base, index) => {
                let ExprKind::Item(depth) = base.kind else {
                    return None;
                };
                match self.current_item(depth) {
                    Some(Value::Record(fields)) => fields.get(*index as usize),
                    Some(unknown @ Value::Unknown(_)) => Some(unknown),
                    _ => None,
                }
            }
            _ => None,
        }
    }
}
