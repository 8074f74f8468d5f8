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
//! templates, arithmetic on numbers (decimals), lists and records, `where`
//! that builds a list, and the built-ins that take them. A text or number
//! fact (or field of `it`) compared with a literal is one operation that
//! reads the value where it is ([`Op::ComparePlace`]): no cell holds a
//! decimal. `any`, `all` and `count(… where
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
    /// A text or number fact, or such a field of `it`, compared in place
    /// with a literal ([`Code::compared`]): 3 (the comparison and both
    /// sides).
    ComparePlace(Place, u32, CompareOp),
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
    /// The literals of [`Op::ComparePlace`]: texts and numbers.
    compared: Vec<Value>,
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

mod compile;
mod run;
#[cfg(test)]
mod tests;
