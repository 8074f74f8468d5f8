//! Compiling a playbook's rules into runs of [`Op`]s ([`Code::new`]): what
//! is compiled, what stays one [`Op::Eval`] of the tree walker, and the
//! stack depth a run needs.

use super::*;

impl<'p> Code<'p> {
    /// The compiled rules of `program`, or `None` when it has more facts
    /// than a blame mask holds.
    pub(crate) fn new(program: &'p Program) -> Option<Code<'p>> {
        if program.facts.len() > MASK_FACTS {
            return None;
        }
        let mut code = Code::default();
        let most: i128 = program
            .signals
            .iter()
            .map(|signal| i128::from(signal.weight).abs())
            .sum();
        code.score_safe = most <= i128::from(i64::MAX);
        code.lets = program
            .lets
            .iter()
            .map(|info| code.compile(&info.value))
            .collect();
        code.groups = program
            .groups
            .iter()
            .map(|group| group.when.as_ref().and_then(|when| code.compile(when)))
            .collect();
        code.signals = program
            .signals
            .iter()
            .map(|signal| code.compile(&signal.when))
            .collect();
        code.arms = program
            .verdicts
            .iter()
            .map(|verdict| {
                verdict
                    .arms
                    .iter()
                    .map(|arm| arm.when.as_ref().and_then(|when| code.compile(when)))
                    .collect()
            })
            .collect();
        code.advice = program
            .advice
            .iter()
            .map(|advice| code.compile(&advice.when))
            .collect();
        Some(code)
    }

    /// The operations of one run.
    pub(crate) fn ops(&self, run: Run) -> &[Op] {
        self.runs
            .get(run.0 as usize)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// Compiles a rule, or `None` when it is not a scalar, would be one
    /// tree-walker operation anyway, or needs too deep a stack.
    fn compile(&mut self, expr: &'p ir::Expr) -> Option<Run> {
        if !scalar(&expr.ty.ty) {
            return None;
        }
        let outer = std::mem::take(&mut self.ops);
        let (runs, loops, exprs) = (self.runs.len(), self.loops.len(), self.exprs.len());
        let (literals, compared) = (self.literals.len(), self.compared.len());
        self.emit(expr);
        let ops = std::mem::replace(&mut self.ops, outer);
        if matches!(ops.as_slice(), [Op::Eval(_)]) || max_depth(&ops) > MAX_DEPTH {
            self.runs.truncate(runs);
            self.loops.truncate(loops);
            self.exprs.truncate(exprs);
            self.literals.truncate(literals);
            self.compared.truncate(compared);
            return None;
        }
        self.runs.push(ops);
        Some(Run((self.runs.len() - 1) as u32))
    }

    fn expr_index(&mut self, expr: &'p ir::Expr) -> u32 {
        self.exprs.push(expr);
        (self.exprs.len() - 1) as u32
    }

    fn here(&self) -> u32 {
        self.ops.len() as u32
    }

    /// Sets the jump target of the test at `at` to the next operation.
    fn patch(&mut self, at: usize) {
        let target = self.here();
        if let Some(Op::AndTest(t) | Op::OrTest(t) | Op::CoalesceTest(t)) = self.ops.get_mut(at) {
            *t = target;
        }
    }

    /// Emits the operations that leave the value of `expr` (a scalar) on
    /// the stack.
    fn emit(&mut self, expr: &'p ir::Expr) {
        let both = |a: &ir::Expr, b: &ir::Expr| scalar(&a.ty.ty) && scalar(&b.ty.ty);
        match &expr.kind {
            ExprKind::Literal(literal) => match literal {
                Literal::Bool(b) => self.ops.push(Op::Lit(Cell::bool(*b))),
                Literal::Int(i) => self.ops.push(Op::Lit(Cell::int(*i))),
                Literal::Date(d) => self.ops.push(Op::Lit(Cell::date(*d))),
                Literal::Variant(v) => self.ops.push(Op::Lit(Cell::variant(*v))),
                Literal::Number(_) | Literal::Text(_) => self.eval(expr),
            },
            ExprKind::Fact(id) => self.ops.push(Op::Fact(*id)),
            ExprKind::Let(id) => self.ops.push(Op::Let(*id)),
            ExprKind::Signal(id) => self.ops.push(Op::Signal(*id)),
            ExprKind::Verdict(id) => self.ops.push(Op::Verdict(*id)),
            ExprKind::Score => self.ops.push(Op::Score),
            ExprKind::GroupScore(id) => self.ops.push(Op::GroupScore(*id)),
            ExprKind::Today => self.ops.push(Op::Today),
            ExprKind::Not(inner) if scalar(&inner.ty.ty) => {
                self.emit(inner);
                self.ops.push(Op::Not);
            }
            ExprKind::Neg(inner) if inner.ty.ty == Type::Int => {
                self.emit(inner);
                let index = self.expr_index(expr);
                self.ops.push(Op::Neg(index));
            }
            ExprKind::And(a, b) | ExprKind::Or(a, b) if both(a, b) => {
                let and = matches!(expr.kind, ExprKind::And(..));
                self.emit(a);
                let test = self.ops.len();
                self.ops
                    .push(if and { Op::AndTest(0) } else { Op::OrTest(0) });
                self.emit(b);
                self.ops.push(if and { Op::AndJoin } else { Op::OrJoin });
                self.patch(test);
            }
            // A text or a number read where it is and compared with a
            // literal: numbers are decimals, which no cell holds.
            ExprKind::Compare(op, a, b) if matches!(a.ty.ty, Type::Text | Type::Number) => {
                let place = match &a.kind {
                    ExprKind::Fact(id) => Some(Place::Fact(*id)),
                    ExprKind::Field(base, index) => match base.kind {
                        ExprKind::Item(depth) => Some(Place::ItemField(depth, *index)),
                        _ => None,
                    },
                    _ => None,
                };
                let comparable = match (&a.ty.ty, &b.kind) {
                    (Type::Text, ExprKind::Literal(literal @ Literal::Text(_)))
                    | (
                        Type::Number,
                        ExprKind::Literal(literal @ (Literal::Number(_) | Literal::Int(_))),
                    ) => Some(literal),
                    _ => None,
                };
                match (place, comparable) {
                    (Some(place), Some(literal)) => {
                        self.compared.push(literal_value(literal));
                        let index = (self.compared.len() - 1) as u32;
                        self.ops.push(Op::ComparePlace(place, index, *op));
                    }
                    _ => self.eval(expr),
                }
            }
            ExprKind::Compare(op, a, b) if both(a, b) => {
                self.emit(a);
                match literal(b) {
                    Some(cell) => self.ops.push(Op::CompareWith(*op, cell)),
                    None => {
                        self.emit(b);
                        self.ops.push(Op::Compare(*op));
                    }
                }
            }
            ExprKind::Arith(op, a, b)
                if matches!(expr.ty.ty, Type::Int | Type::Date)
                    && matches!(a.ty.ty, Type::Int | Type::Date)
                    && matches!(b.ty.ty, Type::Int | Type::Date)
                    && *op != ArithOp::Div =>
            {
                self.emit(a);
                self.emit(b);
                let index = self.expr_index(expr);
                self.ops.push(Op::Arith(*op, index));
            }
            ExprKind::In {
                value,
                list,
                negated,
            } if scalar(&value.ty.ty) => match &list.kind {
                ExprKind::List(items) if items.iter().all(|item| literal(item).is_some()) => {
                    self.emit(value);
                    let start = self.literals.len() as u32;
                    self.literals.extend(items.iter().filter_map(literal));
                    self.ops
                        .push(Op::InLiterals(start, items.len() as u32, *negated));
                }
                ExprKind::List(items) if items.iter().all(|item| scalar(&item.ty.ty)) => {
                    self.emit(value);
                    for item in items {
                        self.emit(item);
                    }
                    self.ops.push(Op::In(items.len() as u32, *negated));
                }
                _ => self.eval(expr),
            },
            ExprKind::Coalesce(a, b) if both(a, b) => {
                self.emit(a);
                let test = self.ops.len();
                self.ops.push(Op::CoalesceTest(0));
                self.emit(b);
                self.patch(test);
            }
            ExprKind::Call(builtin, args) => self.emit_call(*builtin, args, expr),
            ExprKind::Item(depth) => self.ops.push(Op::Item(*depth)),
            ExprKind::Field(base, index) => match base.kind {
                ExprKind::Item(depth) => self.ops.push(Op::ItemField(depth, *index)),
                _ => self.eval(expr),
            },
            ExprKind::Filter {
                list,
                cond,
                mode: mode @ (FilterMode::Any | FilterMode::All),
            } => {
                let mode = if *mode == FilterMode::Any {
                    LoopMode::Any
                } else {
                    LoopMode::All
                };
                self.emit_loop(mode, list, cond, expr);
            }
            _ => self.eval(expr),
        }
    }

    /// A filter over a list fact or let whose condition compiles: one
    /// [`Op::Loop`]; anything else goes to the tree walker whole.
    fn emit_loop(
        &mut self,
        mode: LoopMode,
        list: &'p ir::Expr,
        cond: &'p ir::Expr,
        expr: &'p ir::Expr,
    ) {
        let source = match list.kind {
            ExprKind::Fact(id) => Source::Fact(id),
            ExprKind::Let(id) => Source::Let(id),
            _ => return self.eval(expr),
        };
        match self.compile(cond) {
            Some(body) => {
                self.loops.push(Loop {
                    mode,
                    list: source,
                    body,
                });
                self.ops.push(Op::Loop((self.loops.len() - 1) as u32));
            }
            None => self.eval(expr),
        }
    }

    fn emit_call(&mut self, builtin: Builtin, args: &'p [ir::Expr], expr: &'p ir::Expr) {
        match (builtin, args) {
            (Builtin::DaysSince | Builtin::DaysUntil, [date]) if date.ty.ty == Type::Date => {
                self.emit(date);
                self.ops.push(if builtin == Builtin::DaysSince {
                    Op::DaysSince
                } else {
                    Op::DaysUntil
                });
            }
            (Builtin::Known, [value]) if scalar(&value.ty.ty) => {
                self.emit(value);
                self.ops.push(Op::Known);
            }
            (Builtin::Decided, [signal]) => match signal.kind {
                ExprKind::Signal(id) => self.ops.push(Op::Decided(id)),
                _ => self.eval(expr),
            },
            (Builtin::Count | Builtin::LenList, [list]) => match &list.kind {
                ExprKind::Fact(id) => self.ops.push(Op::CountFact(*id)),
                ExprKind::Let(id) => self.ops.push(Op::CountLet(*id)),
                ExprKind::Filter {
                    list: written,
                    cond,
                    mode: FilterMode::Where,
                } if builtin == Builtin::Count => match (&written.kind, &cond.kind) {
                    (ExprKind::List(items), ExprKind::Item(0))
                        if items.iter().all(|item| item.ty.ty == Type::Bool) =>
                    {
                        for item in items {
                            self.emit(item);
                        }
                        self.ops.push(Op::CountTrue(items.len() as u32));
                    }
                    _ => self.emit_loop(LoopMode::Count, written, cond, expr),
                },
                _ => self.eval(expr),
            },
            _ => self.eval(expr),
        }
    }

    /// Hands `expr` to the tree walker.
    fn eval(&mut self, expr: &'p ir::Expr) {
        let index = self.expr_index(expr);
        self.ops.push(Op::Eval(index));
    }
}

/// The deepest the stack gets running `ops` (jumps only skip ahead, and
/// every path through a compiled expression leaves one value, so a linear
/// count over-estimates nothing that matters: it is an upper bound).
pub(super) fn max_depth(ops: &[Op]) -> usize {
    let mut depth: isize = 0;
    let mut deepest: isize = 0;
    for op in ops {
        depth += match op {
            Op::Lit(_)
            | Op::Fact(_)
            | Op::Let(_)
            | Op::Signal(_)
            | Op::Verdict(_)
            | Op::Score
            | Op::GroupScore(_)
            | Op::Today
            | Op::Decided(_)
            | Op::CountFact(_)
            | Op::CountLet(_)
            | Op::Item(_)
            | Op::ItemField(..)
            | Op::Loop(_)
            | Op::ComparePlace(..)
            | Op::Eval(_) => 1,
            Op::Not
            | Op::Neg(_)
            | Op::DaysSince
            | Op::DaysUntil
            | Op::Known
            | Op::CompareWith(..)
            | Op::InLiterals(..)
            | Op::AndTest(_)
            | Op::OrTest(_) => 0,
            Op::Compare(_) | Op::Arith(..) | Op::AndJoin | Op::OrJoin | Op::CoalesceTest(_) => -1,
            Op::In(n, _) => -(*n as isize),
            Op::CountTrue(n) => 1 - (*n as isize),
        };
        deepest = deepest.max(depth);
    }
    deepest.max(0) as usize
}
