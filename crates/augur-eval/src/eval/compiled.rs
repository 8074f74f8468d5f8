//! Rules compiled to flat operations: the fast path's way of evaluating
//! conditions (of groups, signals, verdict arms and advice) and `let`s
//! without walking the expression tree.
//!
//! Each rule whose value is a scalar (`bool`, `int`, `date`, an enum or a
//! verdict) is compiled once per playbook ([`Code::new`]) into a run of
//! [`Op`]s over a small stack of [`Cell`]s: a scalar, or an unknown with
//! its blame as a bit mask over the first 64 facts. `and`, `or` and `??`
//! become jumps. What is not compiled here is evaluated by the tree walker
//! ([`Frame::eval`]) as one operation ([`Op::Eval`]): texts built from
//! templates, numbers (decimals), lists and records, `where` that builds a
//! list, and the built-ins that take them. `any`, `all` and `count(… where
//! …)` over a list fact or let are compiled: their condition is a run of its
//! own, run once per item ([`Op::Loop`]). A playbook of more than 64 facts
//! is not compiled at all.
//!
//! Why the results cannot differ from the tree walker's:
//! - every operation does what the tree walker does for its node, in the
//!   same order (left operand first, the same short circuits), so the same
//!   error comes first;
//! - every operation counts the steps the tree walker counts for its
//!   node(s) ([`MAX_EVAL_STEPS`]); the limit itself is checked by
//!   `crate::fast` after the run (a compiled run loops only over the items
//!   of a list, so it ends), and a deal that could be near it is evaluated
//!   on the reference path;
//! - a value of a kind the operation does not expect (never from a decoded
//!   deal) stops the run ([`Stop`]): the rule is evaluated again by the tree
//!   walker, which decides (steps counted twice only over-estimate).
//!
//! Not here: the three-valued reading (guidance) and `--explain` use the
//! reference path, never this code.

use super::*;

/// What a [`Cell`] holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Unknown: the bits are the facts that made it so.
    Unknown,
    Bool,
    Int,
    /// A day number.
    Date,
    /// An enum variant or a verdict arm.
    Variant,
}

/// A value on the compiled program's stack: a kind and 64 bits (a blame
/// mask, 0 or 1, an int, a day number or a variant's index). Values of one
/// kind order as their bits read as an `i64`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Cell {
    kind: Kind,
    bits: u64,
}

impl Cell {
    pub(crate) const fn unknown(bits: u64) -> Cell {
        Cell {
            kind: Kind::Unknown,
            bits,
        }
    }

    pub(crate) const fn bool(b: bool) -> Cell {
        Cell {
            kind: Kind::Bool,
            bits: b as u64,
        }
    }

    pub(crate) const fn int(i: i64) -> Cell {
        Cell {
            kind: Kind::Int,
            bits: i as u64,
        }
    }

    pub(crate) fn date(d: Date) -> Cell {
        Cell {
            kind: Kind::Date,
            bits: i64::from(d.days()) as u64,
        }
    }

    pub(crate) const fn variant(v: u32) -> Cell {
        Cell {
            kind: Kind::Variant,
            bits: v as u64,
        }
    }

    fn is_unknown(self) -> bool {
        self.kind == Kind::Unknown
    }

    fn is(self, b: bool) -> bool {
        self == Cell::bool(b)
    }

    fn as_int(self) -> i64 {
        self.bits as i64
    }

    fn as_date(self) -> Date {
        Date::from_days(self.bits as i64 as i32)
    }

    fn blame(self) -> u64 {
        if self.is_unknown() {
            self.bits
        } else {
            0
        }
    }

    fn of(value: &Value) -> Option<Cell> {
        Some(match value {
            Value::Unknown(blame) => Cell::unknown(blame.low_word()?),
            Value::Bool(b) => Cell::bool(*b),
            Value::Int(i) => Cell::int(*i),
            Value::Date(d) => Cell::date(*d),
            Value::Variant(v) => Cell::variant(*v),
            _ => return None,
        })
    }

    fn value(self) -> Value {
        match self.kind {
            Kind::Unknown => Value::Unknown(Blame::from_low_word(self.bits)),
            Kind::Bool => Value::Bool(self.bits != 0),
            Kind::Int => Value::Int(self.as_int()),
            Kind::Date => Value::Date(self.as_date()),
            Kind::Variant => Value::Variant(self.bits as u32),
        }
    }

    /// How two known values of one kind order (`None` across kinds, as
    /// [`compare`] has it).
    fn compare(self, other: Cell) -> Option<Ordering> {
        (self.kind == other.kind && !self.is_unknown()).then(|| self.as_int().cmp(&other.as_int()))
    }

    /// `self op other`, unknown when either is.
    fn compare_op(self, op: CompareOp, other: Cell) -> Cell {
        if self.is_unknown() || other.is_unknown() {
            return Cell::unknown(self.blame() | other.blame());
        }
        let ordering = self.compare(other);
        Cell::bool(match op {
            CompareOp::Eq => ordering == Some(Ordering::Equal),
            CompareOp::Ne => ordering != Some(Ordering::Equal),
            CompareOp::Lt => ordering == Some(Ordering::Less),
            CompareOp::Le => matches!(ordering, Some(Ordering::Less | Ordering::Equal)),
            CompareOp::Gt => ordering == Some(Ordering::Greater),
            CompareOp::Ge => matches!(ordering, Some(Ordering::Greater | Ordering::Equal)),
        })
    }
}

/// One flat operation. The comment of each says the steps it counts (what
/// the tree walker counts for the same node).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    /// A constant (1 step).
    Lit(Cell),
    /// A fact's slot (1).
    Fact(u32),
    /// A let, computed first if lazy (1, plus the let's own).
    Let(u32),
    /// Whether a signal fired (1).
    Signal(u32),
    /// A verdict's arm (1).
    Verdict(u32),
    /// `score` (1).
    Score,
    /// `score(group)` (1).
    GroupScore(u32),
    /// `today` (1).
    Today,
    /// `not` (1).
    Not,
    /// `-x` on an int (1); the index of the expression, for the overflow.
    Neg(u32),
    /// A comparison of the two values on top (1).
    Compare(CompareOp),
    /// A comparison of the top with a literal (2: the comparison and the
    /// literal).
    CompareWith(CompareOp, Cell),
    /// A text fact or a text field of `it` compared with a text literal
    /// ([`Code::texts`]): 3 (the comparison and both sides).
    CompareText(Place, u32, CompareOp),
    /// `top in [literals]` ([`Code::literals`] from, how many, negated):
    /// 1 for `in`, 1 per literal.
    InLiterals(u32, u32, bool),
    /// Arithmetic on ints and dates (1); the index of the expression.
    Arith(ArithOp, u32),
    /// `and`: counts its step, and jumps to the target (keeping the value)
    /// when the left side is `false`.
    AndTest(u32),
    /// `and` of the two values on top.
    AndJoin,
    /// `or`: jumps when the left side is `true`.
    OrTest(u32),
    /// `or` of the two values on top.
    OrJoin,
    /// `??`: counts its step; jumps when the left side is known, else drops
    /// it for the right side.
    CoalesceTest(u32),
    /// `value in [items]` over the value and `n` items on top (1).
    In(u32, bool),
    /// `days_since` (1).
    DaysSince,
    /// `days_until` (1).
    DaysUntil,
    /// `known(x)` (1).
    Known,
    /// `decided(signal)` (2: the call and the signal).
    Decided(u32),
    /// `count(fact)` of a list fact (2).
    CountFact(u32),
    /// `count(let)` of a list let (2, plus the let's own).
    CountLet(u32),
    /// `count([a, b, …] where it)` over `n` values on top (3, plus `n` when
    /// none is unknown).
    CountTrue(u32),
    /// `it` at this many `where` levels out (1).
    Item(u32),
    /// A field of `it` at this many levels out (1): depth, field.
    ItemField(u32, u32),
    /// A filter over a list ([`Code::loops`]): 1 for the filter (2 for
    /// `count(…)` around it), 1 for the list, and the condition's steps
    /// per item.
    Loop(u32),
    /// An expression the tree walker evaluates (its own steps).
    Eval(u32),
}

/// A compiled rule (or a filter's condition): its place in [`Code::runs`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Run(u32);

/// What a filter over a list does with its condition's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LoopMode {
    /// `count(list where cond)`: how many items it holds for.
    Count,
    /// `any(list, cond)`.
    Any,
    /// `all(list, cond)`.
    All,
}

/// A filter over a list fact or let, its condition compiled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Loop {
    mode: LoopMode,
    /// The list: a fact's or a let's.
    list: Source,
    /// The condition, run once per item with the item as `it`.
    body: Run,
}

/// A value read where it is: a fact, or a field of `it` (levels out,
/// field).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    Fact(u32),
    ItemField(u32, u32),
}

/// Where a list is read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    Fact(u32),
    Let(u32),
}

/// Why a compiled run stopped early.
pub(crate) enum Stop {
    /// The error the tree walker gives too.
    Error(EvalError),
    /// A value of an unexpected kind: evaluate the rule on the tree walker.
    Fallback,
}

impl From<EvalError> for Stop {
    fn from(error: EvalError) -> Self {
        Stop::Error(error)
    }
}

/// A playbook's rules compiled, made once per playbook.
#[derive(Clone, Debug, Default)]
pub(crate) struct Code<'p> {
    /// The operations of each run; jumps are positions within a run.
    runs: Vec<Vec<Op>>,
    /// The run being compiled.
    ops: Vec<Op>,
    loops: Vec<Loop>,
    /// The items of `in [literals]`.
    literals: Vec<Cell>,
    /// The texts of [`Op::CompareText`].
    texts: Vec<Arc<str>>,
    /// The expressions operations point at (for [`Op::Eval`] and errors).
    exprs: Vec<&'p ir::Expr>,
    pub(crate) lets: Vec<Option<Run>>,
    pub(crate) groups: Vec<Option<Run>>,
    pub(crate) signals: Vec<Option<Run>>,
    pub(crate) arms: Vec<Vec<Option<Run>>>,
    pub(crate) advice: Vec<Option<Run>>,
    /// Whether no sum of the signals' weights can overflow, so the scores
    /// can be added up as signals fire ([`Frame::fast_score`]).
    score_safe: bool,
}

/// Facts a blame mask can name.
const MASK_FACTS: usize = 64;

/// Deepest stack a compiled rule may need; deeper rules stay on the tree
/// walker.
const MAX_DEPTH: usize = 8;

/// A literal that is a scalar, as a cell.
fn literal(expr: &ir::Expr) -> Option<Cell> {
    match &expr.kind {
        ExprKind::Literal(Literal::Bool(b)) => Some(Cell::bool(*b)),
        ExprKind::Literal(Literal::Int(i)) => Some(Cell::int(*i)),
        ExprKind::Literal(Literal::Date(d)) => Some(Cell::date(*d)),
        ExprKind::Literal(Literal::Variant(v)) => Some(Cell::variant(*v)),
        _ => None,
    }
}

fn scalar(ty: &Type) -> bool {
    matches!(
        ty,
        Type::Bool | Type::Int | Type::Date | Type::Enum(_) | Type::Verdict(_)
    )
}

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
        let (literals, texts) = (self.literals.len(), self.texts.len());
        self.emit(expr);
        let ops = std::mem::replace(&mut self.ops, outer);
        if matches!(ops.as_slice(), [Op::Eval(_)]) || max_depth(&ops) > MAX_DEPTH {
            self.runs.truncate(runs);
            self.loops.truncate(loops);
            self.exprs.truncate(exprs);
            self.literals.truncate(literals);
            self.texts.truncate(texts);
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
            ExprKind::Compare(op, a, b) if a.ty.ty == Type::Text => {
                let place = match &a.kind {
                    ExprKind::Fact(id) => Some(Place::Fact(*id)),
                    ExprKind::Field(base, index) => match base.kind {
                        ExprKind::Item(depth) => Some(Place::ItemField(depth, *index)),
                        _ => None,
                    },
                    _ => None,
                };
                match (place, &b.kind) {
                    (Some(place), ExprKind::Literal(Literal::Text(text))) => {
                        self.texts.push(text.clone());
                        let index = (self.texts.len() - 1) as u32;
                        self.ops.push(Op::CompareText(place, index, *op));
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
fn max_depth(ops: &[Op]) -> usize {
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
            | Op::CompareText(..)
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

/// The stack of one run below its top (which the run keeps in a local):
/// its depth bounded by [`MAX_DEPTH`].
type Stack = [Cell; MAX_DEPTH + 1];

impl Frame<'_> {
    /// Runs one compiled rule and gives its value, or [`Stop::Fallback`]
    /// when the tree walker must decide.
    pub(super) fn run(&mut self, code: &Code<'_>, run: Run) -> Result<Cell, Stop> {
        let ops = code.ops(run);
        let mut stack: Stack = [Cell::unknown(0); MAX_DEPTH + 1];
        // Values below the top; the first push saves a placeholder.
        let mut depth = 0usize;
        let mut top = Cell::unknown(0);
        let mut pc = 0usize;
        macro_rules! push {
            ($cell:expr) => {{
                let cell = $cell;
                *stack.get_mut(depth).ok_or(Stop::Fallback)? = top;
                depth += 1;
                top = cell;
            }};
        }
        macro_rules! pop {
            () => {{
                depth = depth.checked_sub(1).ok_or(Stop::Fallback)?;
                *stack.get(depth).ok_or(Stop::Fallback)?
            }};
        }
        while let Some(op) = ops.get(pc) {
            pc += 1;
            match *op {
                Op::Lit(cell) => {
                    self.steps += 1;
                    push!(cell);
                }
                Op::Fact(id) => {
                    self.steps += 1;
                    push!(match self.facts.get(id as usize) {
                        Some(value) => Cell::of(value).ok_or(Stop::Fallback)?,
                        None => Cell::unknown(0),
                    });
                }
                Op::Let(id) => {
                    self.steps += 1;
                    self.force_let(id)?;
                    push!(match self.lets.get(id as usize) {
                        Some(value) => Cell::of(value).ok_or(Stop::Fallback)?,
                        None => Cell::unknown(0),
                    });
                }
                Op::Signal(id) => {
                    self.steps += 1;
                    push!(Cell::bool(
                        self.fired.get(id as usize).copied().unwrap_or(false)
                    ));
                }
                Op::Verdict(id) => {
                    self.steps += 1;
                    push!(Cell::variant(
                        self.verdicts.get(id as usize).copied().unwrap_or(0)
                    ));
                }
                Op::Score => {
                    self.steps += 1;
                    push!(Cell::int(self.fast_score(None)?));
                }
                Op::GroupScore(id) => {
                    self.steps += 1;
                    push!(Cell::int(self.fast_score(Some(id))?));
                }
                Op::Today => {
                    self.steps += 1;
                    push!(Cell::date(self.today));
                }
                Op::Not => {
                    self.steps += 1;
                    if top.kind == Kind::Bool {
                        top.bits ^= 1;
                    }
                }
                Op::Neg(index) => {
                    self.steps += 1;
                    match top.kind {
                        Kind::Int => match top.as_int().checked_neg() {
                            Some(negated) => top = Cell::int(negated),
                            None => return Err(overflow(expr_at(code, index)?).into()),
                        },
                        Kind::Unknown => {}
                        _ => return Err(Stop::Fallback),
                    }
                }
                Op::Compare(op) => {
                    self.steps += 1;
                    let left = pop!();
                    top = left.compare_op(op, top);
                }
                Op::CompareWith(op, literal) => {
                    // The comparison and its literal right side.
                    self.steps += 2;
                    top = top.compare_op(op, literal);
                }
                Op::Arith(op, index) => {
                    self.steps += 1;
                    let left = pop!();
                    top = arith_cells(op, left, top, code, index)?;
                }
                Op::AndTest(target) => {
                    self.steps += 1;
                    if top.is(false) {
                        pc = target as usize;
                    }
                }
                Op::AndJoin => {
                    let left = pop!();
                    // `false` on the right, or both `true`: the right side.
                    top = if top.is(false) || (left.is(true) && top.is(true)) {
                        top
                    } else {
                        Cell::unknown(left.blame() | top.blame())
                    };
                }
                Op::OrTest(target) => {
                    self.steps += 1;
                    if top.is(true) {
                        pc = target as usize;
                    }
                }
                Op::OrJoin => {
                    let left = pop!();
                    // `true` on the right, or both `false`: the right side.
                    top = if top.is(true) || (left.is(false) && top.is(false)) {
                        top
                    } else {
                        Cell::unknown(left.blame() | top.blame())
                    };
                }
                Op::CoalesceTest(target) => {
                    self.steps += 1;
                    if top.is_unknown() {
                        // The right side's value takes its place.
                        top = pop!();
                    } else {
                        pc = target as usize;
                    }
                }
                Op::In(count, negated) => {
                    self.steps += 1;
                    // The needle and the items: `count` values below the
                    // top, and the top.
                    let base = depth.checked_sub(count as usize).ok_or(Stop::Fallback)?;
                    let below = stack.get(base..depth).ok_or(Stop::Fallback)?;
                    let mut values = below.iter().copied().chain(std::iter::once(top));
                    let needle = values.next().ok_or(Stop::Fallback)?;
                    let mut unknown = needle.is_unknown();
                    let mut blame = needle.blame();
                    let mut found = false;
                    for item in values {
                        if item.is_unknown() {
                            unknown = true;
                            blame |= item.bits;
                        } else {
                            found = found
                                || (!unknown && item.compare(needle) == Some(Ordering::Equal));
                        }
                    }
                    depth = base;
                    top = if unknown {
                        Cell::unknown(blame)
                    } else {
                        Cell::bool(found != negated)
                    };
                }
                Op::CompareText(place, index, op) => {
                    self.steps += 3;
                    let value = match place {
                        Place::Fact(id) => self.facts.get(id as usize),
                        Place::ItemField(level, field) => match self.current_item(level) {
                            Some(Value::Record(fields)) => fields.get(field as usize),
                            Some(unknown @ Value::Unknown(_)) => Some(unknown),
                            _ => None,
                        },
                    };
                    let literal = code.texts.get(index as usize).ok_or(Stop::Fallback)?;
                    push!(match value {
                        Some(Value::Text(text)) => {
                            let ordering = text.as_ref().cmp(literal.as_ref());
                            Cell::bool(match op {
                                CompareOp::Eq => ordering == Ordering::Equal,
                                CompareOp::Ne => ordering != Ordering::Equal,
                                CompareOp::Lt => ordering == Ordering::Less,
                                CompareOp::Le => ordering != Ordering::Greater,
                                CompareOp::Gt => ordering == Ordering::Greater,
                                CompareOp::Ge => ordering != Ordering::Less,
                            })
                        }
                        Some(unknown @ Value::Unknown(_)) => {
                            Cell::of(unknown).ok_or(Stop::Fallback)?
                        }
                        None => Cell::unknown(0),
                        Some(_) => return Err(Stop::Fallback),
                    });
                }
                Op::InLiterals(start, count, negated) => {
                    // `in`, and each literal item.
                    self.steps += 1 + u64::from(count);
                    if !top.is_unknown() {
                        let items = code
                            .literals
                            .get(start as usize..(start + count) as usize)
                            .unwrap_or_default();
                        let found = items
                            .iter()
                            .any(|item| item.compare(top) == Some(Ordering::Equal));
                        top = Cell::bool(found != negated);
                    }
                }
                Op::DaysSince | Op::DaysUntil => {
                    self.steps += 1;
                    match top.kind {
                        Kind::Date => {
                            let days = i64::from(self.today.days()) - top.as_int();
                            top = Cell::int(if *op == Op::DaysSince { days } else { -days });
                        }
                        Kind::Unknown => {}
                        _ => top = Cell::unknown(0),
                    }
                }
                Op::Known => {
                    self.steps += 1;
                    top = Cell::bool(!top.is_unknown());
                }
                Op::Decided(id) => {
                    self.steps += 2;
                    push!(Cell::bool(
                        !self.undecided.get(id as usize).copied().unwrap_or(false)
                    ));
                }
                Op::CountFact(id) => {
                    self.steps += 2;
                    push!(count_of(self.facts.get(id as usize))?);
                }
                Op::CountLet(id) => {
                    self.steps += 2;
                    self.force_let(id)?;
                    push!(count_of(self.lets.get(id as usize))?);
                }
                Op::CountTrue(count) => {
                    self.steps += 3;
                    if count == 0 {
                        push!(Cell::int(0));
                        continue;
                    }
                    // `count` values: `count - 1` below the top, and the top.
                    let base = (depth + 1)
                        .checked_sub(count as usize)
                        .ok_or(Stop::Fallback)?;
                    let below = stack.get(base..depth).ok_or(Stop::Fallback)?;
                    let mut unknown = false;
                    let mut blame = 0;
                    let mut held: i64 = 0;
                    for item in below.iter().copied().chain(std::iter::once(top)) {
                        if item.is_unknown() {
                            unknown = true;
                            blame |= item.bits;
                        } else if item.is(true) {
                            held += 1;
                        }
                    }
                    depth = base;
                    top = if unknown {
                        Cell::unknown(blame)
                    } else {
                        self.steps += u64::from(count);
                        Cell::int(held)
                    };
                }
                Op::Item(level) => {
                    self.steps += 1;
                    push!(match self.current_item(level) {
                        Some(value) => Cell::of(value).ok_or(Stop::Fallback)?,
                        None => Cell::unknown(0),
                    });
                }
                Op::ItemField(level, index) => {
                    self.steps += 1;
                    push!(match self.current_item(level) {
                        Some(Value::Record(fields)) => match fields.get(index as usize) {
                            Some(value) => Cell::of(value).ok_or(Stop::Fallback)?,
                            None => Cell::unknown(0),
                        },
                        Some(unknown @ Value::Unknown(_)) => {
                            Cell::of(unknown).ok_or(Stop::Fallback)?
                        }
                        _ => Cell::unknown(0),
                    });
                }
                Op::Loop(index) => {
                    let lp = code.loops.get(index as usize).ok_or(Stop::Fallback)?;
                    push!(self.run_loop(code, *lp)?);
                }
                Op::Eval(index) => {
                    let expr = expr_at(code, index)?;
                    let value = self.eval(expr)?;
                    push!(Cell::of(&value).ok_or(Stop::Fallback)?);
                }
            }
        }
        // One value: the top, above the first push's placeholder.
        if depth == 1 {
            Ok(top)
        } else {
            Err(Stop::Fallback)
        }
    }

    /// A filter over a list, as the tree walker's `Filter` (for `any`,
    /// `all`) and `count_where` (for `count`) give it, with the same steps.
    fn run_loop(&mut self, code: &Code<'_>, lp: Loop) -> Result<Cell, Stop> {
        // The filter, `count(…)` around it, and the list.
        self.steps += if lp.mode == LoopMode::Count { 3 } else { 2 };
        let list = match lp.list {
            Source::Fact(id) => self.facts.get(id as usize),
            Source::Let(id) => {
                self.force_let(id)?;
                self.lets.get(id as usize)
            }
        };
        let items = match list {
            Some(Value::List(items)) => items.clone(),
            Some(unknown @ Value::Unknown(_)) => return Cell::of(unknown).ok_or(Stop::Fallback),
            None => return Ok(Cell::unknown(0)),
            Some(_) if lp.mode == LoopMode::Count => return Ok(Cell::int(0)),
            Some(_) => return Err(Stop::Fallback),
        };
        let mut count: i64 = 0;
        let mut unknown = false;
        let mut blame = 0;
        let mut decided = None;
        let len = items.len();
        self.items.push((items, 0));
        for position in 0..len {
            if let Some(current) = self.items.last_mut() {
                current.1 = position;
            }
            let cell = match self.run(code, lp.body) {
                Ok(cell) => cell,
                Err(stop) => {
                    self.items.pop();
                    return Err(stop);
                }
            };
            match lp.mode {
                LoopMode::Count if cell.is(true) => count += 1,
                LoopMode::Any if cell.is(true) => {
                    decided = Some(true);
                    break;
                }
                LoopMode::All if cell.is(false) => {
                    decided = Some(false);
                    break;
                }
                LoopMode::Any | LoopMode::All if cell.is_unknown() => {
                    unknown = true;
                    blame |= cell.bits;
                }
                _ => {}
            }
        }
        self.items.pop();
        Ok(match (lp.mode, decided) {
            (LoopMode::Count, _) => Cell::int(count),
            (_, Some(b)) => Cell::bool(b),
            _ if unknown => Cell::unknown(blame),
            (mode, None) => Cell::bool(mode == LoopMode::All),
        })
    }

    /// The score (of a group, or of all signals) as [`Frame::score`] gives
    /// it: from the totals added up as signals fired when no sum can
    /// overflow, else counted again.
    pub(super) fn fast_score(&self, group: Option<u32>) -> Result<i64, EvalError> {
        match self.code {
            Some(code) if code.score_safe => Ok(match group {
                None => self.score_total,
                Some(g) => self.group_totals.get(g as usize).copied().unwrap_or(0),
            }),
            _ => self.score(group),
        }
    }

    /// A rule's value on the compiled code when it has some, else on the
    /// tree walker.
    pub(super) fn value_of(
        &mut self,
        code: &Code<'_>,
        run: Option<Run>,
        expr: &ir::Expr,
    ) -> Result<Value, EvalError> {
        if let Some(run) = run {
            match self.run(code, run) {
                Ok(cell) => return Ok(cell.value()),
                Err(Stop::Error(error)) => return Err(error),
                Err(Stop::Fallback) => {}
            }
        }
        self.eval(expr)
    }

    /// A condition as [`Frame::tri_condition`] reads it outside the
    /// three-valued reading: true only when known true; an unknown adds
    /// its blame to the relevant unknowns and sets `last_unknown`.
    pub(super) fn test(
        &mut self,
        code: &Code<'_>,
        run: Option<Run>,
        expr: &ir::Expr,
    ) -> Result<bool, EvalError> {
        // A condition that is one fact (`when decided_early`) is read at
        // once: a run's setup would cost more than the tree walker.
        if let Some([Op::Fact(id)]) = run.map(|run| code.ops(run)) {
            self.steps += 1;
            let cell = match self.facts.get(*id as usize) {
                Some(value) => Cell::of(value),
                None => Some(Cell::unknown(0)),
            };
            if let Some(cell) = cell {
                return Ok(self.held(cell));
            }
            self.steps -= 1;
        }
        let cell = match run.map(|run| self.run(code, run)) {
            Some(Ok(cell)) => cell,
            Some(Err(Stop::Error(error))) => return Err(error),
            Some(Err(Stop::Fallback)) | None => {
                let (holds, _) = self.tri_condition(expr)?;
                return Ok(holds);
            }
        };
        Ok(self.held(cell))
    }

    /// Whether a condition's value holds; an unknown adds its blame to the
    /// relevant unknowns and sets `last_unknown`.
    fn held(&mut self, cell: Cell) -> bool {
        self.last_unknown = cell.is_unknown();
        if cell.is_unknown() {
            self.relevant.union_low_word(cell.bits);
        }
        cell.is(true)
    }

    /// [`Frame::run_steps`] outside the three-valued reading, with the
    /// compiled rules.
    pub(super) fn run_steps_compiled(&mut self, code: &Code<'_>) -> Result<(), EvalError> {
        let program = self.program;
        for step in &program.order {
            match *step {
                Step::Let(id) => {
                    if self.is_lazy(id) {
                        continue;
                    }
                    if let Some(info) = program.lets.get(id as usize) {
                        let run = code.lets.get(id as usize).copied().flatten();
                        let value = self.value_of(code, run, &info.value)?;
                        if let Some(slot) = self.lets.get_mut(id as usize) {
                            *slot = value;
                        }
                    }
                }
                Step::Group(id) => {
                    let Some(group) = program.groups.get(id as usize) else {
                        continue;
                    };
                    let (active, unknown) = match &group.when {
                        Some(when) => {
                            let run = code.groups.get(id as usize).copied().flatten();
                            (self.test(code, run, when)?, self.last_unknown)
                        }
                        None => (true, false),
                    };
                    if let Some(slot) = self.group_active.get_mut(id as usize) {
                        *slot = active;
                    }
                    if let Some(slot) = self.group_unknown.get_mut(id as usize) {
                        *slot = unknown;
                    }
                }
                Step::Signal(id) => {
                    let Some(signal) = program.signals.get(id as usize) else {
                        continue;
                    };
                    let (group_ok, group_unknown) = match signal.group {
                        None => (true, false),
                        Some(g) => (
                            self.group_active.get(g as usize).copied().unwrap_or(false),
                            self.group_unknown.get(g as usize).copied().unwrap_or(false),
                        ),
                    };
                    self.last_unknown = false;
                    let fired = if group_ok {
                        let run = code.signals.get(id as usize).copied().flatten();
                        self.test(code, run, &signal.when)?
                    } else {
                        false
                    };
                    if let Some(slot) = self.fired.get_mut(id as usize) {
                        *slot = fired;
                    }
                    if fired && code.score_safe {
                        // Cannot overflow: the weights' magnitudes add up
                        // to at most `i64::MAX`.
                        self.score_total += signal.weight;
                        if let Some(total) = signal
                            .group
                            .and_then(|g| self.group_totals.get_mut(g as usize))
                        {
                            *total += signal.weight;
                        }
                    }
                    if let Some(slot) = self.undecided.get_mut(id as usize) {
                        *slot = group_unknown || (group_ok && self.last_unknown);
                    }
                }
                Step::Verdict(id) => {
                    let Some(verdict) = program.verdicts.get(id as usize) else {
                        continue;
                    };
                    let runs = code.arms.get(id as usize);
                    let mut chosen = verdict.arms.len().saturating_sub(1) as u32;
                    for (index, arm) in verdict.arms.iter().enumerate() {
                        let holds = match &arm.when {
                            Some(when) => {
                                let run = runs.and_then(|r| r.get(index)).copied().flatten();
                                self.test(code, run, when)?
                            }
                            None => true,
                        };
                        if holds {
                            chosen = index as u32;
                            break;
                        }
                    }
                    if let Some(slot) = self.verdicts.get_mut(id as usize) {
                        *slot = chosen;
                    }
                }
            }
        }
        Ok(())
    }
}

fn expr_at<'c>(code: &'c Code<'_>, index: u32) -> Result<&'c ir::Expr, Stop> {
    code.exprs
        .get(index as usize)
        .copied()
        .ok_or(Stop::Fallback)
}

/// `count(x)` of a list read in place, as the built-in gives it.
fn count_of(value: Option<&Value>) -> Result<Cell, Stop> {
    Ok(match value {
        Some(Value::List(items)) => Cell::int(items.len() as i64),
        Some(Value::Unknown(blame)) => Cell::unknown(blame.low_word().ok_or(Stop::Fallback)?),
        None => Cell::unknown(0),
        Some(_) => Cell::int(0),
    })
}

/// [`arith`] on ints and dates: the same values and the same errors.
fn arith_cells(
    op: ArithOp,
    left: Cell,
    right: Cell,
    code: &Code<'_>,
    index: u32,
) -> Result<Cell, Stop> {
    if left.is_unknown() || right.is_unknown() {
        return Ok(Cell::unknown(left.blame() | right.blame()));
    }
    match (left.kind, right.kind) {
        (Kind::Int, Kind::Int) if op != ArithOp::Div => {
            let (a, b) = (left.as_int(), right.as_int());
            let result = match op {
                ArithOp::Add => a.checked_add(b),
                ArithOp::Sub => a.checked_sub(b),
                _ => a.checked_mul(b),
            };
            match result {
                Some(i) => Ok(Cell::int(i)),
                None => Err(overflow(expr_at(code, index)?).into()),
            }
        }
        (Kind::Date, Kind::Date) | (Kind::Date, Kind::Int) => {
            match arith(op, &left.value(), &right.value(), expr_at(code, index)?)? {
                Value::Int(i) => Ok(Cell::int(i)),
                Value::Date(d) => Ok(Cell::date(d)),
                _ => Err(Stop::Fallback),
            }
        }
        _ => Err(Stop::Fallback),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program(text: &str) -> Program {
        let analysis = augur_check::analyze_text(text);
        assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
        analysis.program
    }

    const EVERY_OP: &str = "enum Stage { early, late }\n\
         record Event { kind: text  on: date }\n\
         facts { stage: Stage?  n: int?  m: int?  on: date?  ok: bool?  note: text?  events: list<Event> }\n\
         signal a { when stage == late and n > 3 weight 1 }\n\
         signal b { when stage in [early, late] or n in [1, 2, m] weight 1 }\n\
         signal c { when not ok or (n ?? 7) >= -m weight 2 }\n\
         signal d { when count([a, b, ok, n > 1] where it) >= 2 and known(on) weight 1 }\n\
         signal e { when days_since(on) > 10 or days_until(on + 3) < n * 2 - m weight 1 }\n\
         signal f { when count(events) > 1 and decided(a) and note == \"x\" weight 1 }\n\
         signal g { when today - on > 30 and decided(e) weight 1 }\n\
         signal k { when any(events, it.on > today - 300) and all(events, it.kind != \"z\") or count(events where it.on < today) > 1 weight 1 }\n\
         group grp \"G\" when (ok ?? (stage == late)) { signal h { when n > 0 weight 3 } }\n\
         verdict v \"V\" {\n hot \"Hot\" when a and d and score >= 2\n cold \"Cold\" otherwise\n}\n\
         advice push \"Push\" when v == hot and not f and score(grp) >= 0 { \"Go.\" }\n";

    const DEALS: &[&str] = &[
        r#"{"stage": "late", "n": 5, "m": 2, "on": "2026-10-01", "ok": true, "note": "x", "events": [{"kind": "x", "on": "2026-01-01"}, {"kind": "y", "on": "2026-02-01"}]}"#,
        r#"{"stage": null, "n": null, "m": null, "on": null, "ok": null, "events": []}"#,
        r#"{"stage": "early", "n": 2, "ok": false, "events": []}"#,
        r#"{"n": 1, "m": 1, "on": "2026-11-25", "ok": true, "events": []}"#,
    ];

    #[test]
    fn every_operation_counts_the_steps_of_the_tree_walker() {
        // No lets: every step runs on all paths, so the counts must match.
        let program = program(EVERY_OP);
        let code = Code::new(&program).unwrap();
        assert!(code.signals.iter().all(Option::is_some));
        let decoder = crate::DealDecoder::new(&program);
        let today = Date::parse("2026-11-29").unwrap();
        let lazy: Vec<bool> = Vec::new();
        for text in DEALS {
            let deal = decoder.decode_text(text).unwrap();
            let reference = steps_of_run(&program, &deal, today, None, None);
            let compiled = steps_of_run(&program, &deal, today, Some(&lazy), Some(&code));
            assert_eq!(compiled, reference, "{text}");
        }
    }

    #[test]
    fn every_operation_gives_the_tree_walkers_outcome() {
        let program = program(EVERY_OP);
        let decoder = crate::DealDecoder::new(&program);
        let compiled = crate::fast::Evaluator::new(&program);
        assert!(compiled.is_compiled());
        let mut scratch = crate::fast::Scratch::default();
        let today = Date::parse("2026-11-29").unwrap();
        for text in DEALS {
            let deal = decoder.decode_text(text).unwrap();
            let a = compiled.evaluate(&deal, today, &mut scratch).unwrap();
            let b = evaluate(&program, &deal, today).unwrap();
            assert_eq!(a.fired, b.fired, "{text}");
            assert_eq!(a.verdicts, b.verdicts, "{text}");
            assert_eq!(a.unknown, b.unknown, "{text}");
            assert_eq!(a.advice, b.advice, "{text}");
        }
    }

    #[test]
    fn and_or_become_jumps_past_the_right_side() {
        let program = program(
            "facts { a: bool?  b: bool?  c: bool? }\n\
             signal s { when a and (b or c) weight 1 }\n",
        );
        let code = Code::new(&program).unwrap();
        let run = code.signals[0].unwrap();
        // The `and` test jumps past its join (index 7), the `or` test past
        // its own (index 6).
        assert_eq!(
            code.ops(run),
            [
                Op::Fact(0),
                Op::AndTest(7),
                Op::Fact(1),
                Op::OrTest(6),
                Op::Fact(2),
                Op::OrJoin,
                Op::AndJoin,
            ]
        );
    }

    #[test]
    fn what_is_not_a_scalar_goes_to_the_tree_walker_as_one_operation() {
        let program = program(
            "record Event { kind: text }\n\
             facts { note: text?  amount: number?  events: list<Event>  n: int? }\n\
             let kinds = events.kind\n\
             let ratio = amount / 3\n\
             signal texts { when note == \"x\" and n > 1 weight 1 }\n\
             signal numbers { when amount > 1.5 weight 1 }\n\
             signal filtered { when any(events, kind == \"x\") weight 1 }\n",
        );
        let code = Code::new(&program).unwrap();
        // Lets of lists and numbers are not compiled.
        assert_eq!(code.lets, [None, None]);
        let texts = code.signals[0].unwrap();
        assert_eq!(
            code.ops(texts),
            [
                Op::CompareText(Place::Fact(0), 0, CompareOp::Eq),
                Op::AndTest(5),
                Op::Fact(3),
                Op::CompareWith(CompareOp::Gt, Cell::int(1)),
                Op::AndJoin
            ]
        );
        // A condition that would be one tree-walker operation is left alone.
        assert_eq!(code.signals[1], None);
        // A text field of `it` against a text: a loop with a compiled body.
        let filtered = code.signals[2].unwrap();
        assert_eq!(code.ops(filtered), [Op::Loop(0)]);
        assert_eq!(
            code.ops(code.loops[0].body),
            [Op::CompareText(Place::ItemField(0, 0), 1, CompareOp::Eq)]
        );
    }

    #[test]
    fn a_playbook_of_more_facts_than_a_mask_holds_is_not_compiled() {
        let facts: String = (0..65).map(|i| format!("f{i}: int?\n")).collect();
        let wide = program(&format!(
            "facts {{\n{facts}}}\nsignal s {{ when f64 > 1 weight 1 }}\n"
        ));
        assert!(Code::new(&wide).is_none());
        let facts: String = (0..64).map(|i| format!("f{i}: int?\n")).collect();
        let program = program(&format!(
            "facts {{\n{facts}}}\nsignal s {{ when f63 > 1 weight 1 }}\n"
        ));
        assert!(Code::new(&program).is_some());
    }

    #[test]
    fn an_overflow_is_the_tree_walkers_error_at_the_same_place() {
        let program = program(
            "facts { n: int?  m: int? }\n\
             let product = n * m\n\
             signal s { when product > 1 or -n > 0 weight 1 }\n",
        );
        let decoder = crate::DealDecoder::new(&program);
        let compiled = crate::fast::Evaluator::new(&program);
        let mut scratch = crate::fast::Scratch::default();
        let today = Date::parse("2026-11-29").unwrap();
        for text in [
            r#"{"n": 9223372036854775807, "m": 2}"#,
            r#"{"n": -9223372036854775808, "m": 0}"#,
        ] {
            let deal = decoder.decode_text(text).unwrap();
            let a = compiled.evaluate(&deal, today, &mut scratch).unwrap_err();
            let b = evaluate(&program, &deal, today).unwrap_err();
            assert_eq!(a, b, "{text}");
        }
    }

    #[test]
    fn literals_are_folded_into_comparisons_and_in() {
        let program = program(
            "enum Stage { early, mid, late }\n\
             facts { stage: Stage?  n: int?  m: int? }\n\
             signal s { when stage in [early, late] and n < m and n not in [1, m] weight 1 }\n",
        );
        let code = Code::new(&program).unwrap();
        assert_eq!(
            code.ops(code.signals[0].unwrap()),
            [
                // `(stage in [early, late] and n < m) and n not in [1, m]`
                Op::Fact(0),
                Op::InLiterals(0, 2, false),
                Op::AndTest(7),
                Op::Fact(1),
                Op::Fact(2),
                Op::Compare(CompareOp::Lt),
                Op::AndJoin,
                Op::AndTest(13),
                Op::Fact(1),
                Op::Lit(Cell::int(1)),
                Op::Fact(2),
                Op::In(2, true),
                Op::AndJoin,
            ]
        );
        assert_eq!(code.literals, [Cell::variant(0), Cell::variant(2)]);
    }

    #[test]
    fn cells_of_one_kind_order_as_their_values() {
        let day = |text| Cell::date(Date::parse(text).unwrap());
        assert_eq!(
            day("0001-01-01").compare(day("2026-11-29")),
            Some(Ordering::Less)
        );
        assert_eq!(Cell::int(-5).compare(Cell::int(3)), Some(Ordering::Less));
        assert_eq!(
            Cell::bool(true).compare(Cell::bool(false)),
            Some(Ordering::Greater)
        );
        assert_eq!(Cell::int(0).compare(Cell::bool(false)), None);
        assert_eq!(Cell::unknown(0).compare(Cell::unknown(0)), None);
        assert_eq!(
            day("1999-12-31").value(),
            Value::Date(Date::parse("1999-12-31").unwrap())
        );
    }

    #[test]
    fn scores_are_added_up_as_signals_fire_only_when_they_cannot_overflow() {
        let evaluate_both = |program: &Program, deal: &str| {
            let decoder = crate::DealDecoder::new(program);
            let deal = decoder.decode_text(deal).unwrap();
            let today = Date::parse("2026-11-29").unwrap();
            let compiled = crate::fast::Evaluator::new(program);
            let fast = compiled.evaluate(&deal, today, &mut crate::fast::Scratch::default());
            let reference = evaluate(program, &deal, today);
            (Code::new(program).unwrap().score_safe, fast, reference)
        };
        let mut playbook = program(
            "facts { n: int }\n\
             group g \"G\" when n > 0 { signal a { when n > 1 weight 5 } }\n\
             signal b { when n > 2 weight -2 }\n\
             verdict v \"V\" { hot \"Hot\" when score == 3 and score(g) == 5\n cold \"Cold\" otherwise }\n",
        );
        let (safe, fast, reference) = evaluate_both(&playbook, r#"{"n": 3}"#);
        assert!(safe);
        let (fast, reference) = (fast.unwrap(), reference.unwrap());
        assert_eq!(
            (fast.score, &fast.groups, &fast.verdicts),
            (3, &vec![(0, 5)], &vec![0])
        );
        assert_eq!(
            (fast.score, &fast.groups, &fast.verdicts),
            (reference.score, &reference.groups, &reference.verdicts)
        );
        // Weights the checker would refuse (it bounds them), so that a sum
        // can overflow: the scores are counted as the reference counts them,
        // and the overflow is its error.
        playbook.signals[0].weight = i64::MAX;
        playbook.signals[1].weight = i64::MAX;
        let (safe, fast, reference) = evaluate_both(&playbook, r#"{"n": 3}"#);
        assert!(!safe);
        assert_eq!(fast.unwrap_err(), reference.unwrap_err());
    }

    #[test]
    fn the_stack_depth_is_an_upper_bound() {
        assert_eq!(
            max_depth(&[
                Op::Fact(0),
                Op::Fact(1),
                Op::Fact(2),
                Op::In(2, false),
                Op::Lit(Cell::bool(true)),
                Op::CountTrue(2),
            ]),
            3
        );
    }
}
