//! Evaluating the built-in functions: one exhaustive `match` on
//! [`Builtin`], so a built-in the checker's registry
//! (`augur-check/src/builtins.rs`) adds does not compile until it is
//! evaluated here.

use super::*;

impl Frame<'_> {
    pub(super) fn call(
        &mut self,
        builtin: Builtin,
        values: &[Value],
        args: &[ir::Expr],
        expr: &ir::Expr,
    ) -> Result<Value, EvalError> {
        if builtin == Builtin::Decided {
            let Some(ExprKind::Signal(id)) = args.first().map(|a| &a.kind) else {
                return Ok(Value::unknown());
            };
            let open = self
                .three
                .as_ref()
                .and_then(|t| t.signals.get(*id as usize).cloned().flatten());
            return Ok(match open {
                // Three-valued: any completion of the open facts decides it.
                Some(blame) if self.is_open(&blame) => Value::Unknown(blame),
                Some(_) => Value::Bool(false),
                None => Value::Bool(!self.undecided.get(*id as usize).copied().unwrap_or(false)),
            });
        }
        if builtin == Builtin::Known {
            if let Some(Value::Unknown(blame)) = values.first() {
                if self.is_open(blame) {
                    return Ok(Value::Unknown(blame.clone()));
                }
            }
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
            Builtin::Known | Builtin::Decided => Value::Bool(true),
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
