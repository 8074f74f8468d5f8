//! Value classes: each fact's domain cut into the finitely many classes the
//! playbook can tell apart, with one real representative value per class.
//!
//! Enum facts have their variants, bool facts true and false. Numbers and
//! dates are cut at every constant the lowered IR compares them against
//! (through `let`s, `+`/`-` with constants, `days_since` and `days_until`):
//! each threshold is a class of its own, and so is each open interval
//! between two thresholds and each side beyond them. Date thresholds written
//! relative to `today` are kept as day offsets and placed on the calendar per
//! deal. Texts are the literals they are compared with plus one other text.
//! Lists and records have no classes: the search keeps them as recorded.
//!
//! Representatives are values a deal could hold, so every claim the guide
//! makes can be replayed with `augur eval --set`.

use augur_check::ir::{
    ArithOp, Builtin, CompareOp, Expr, ExprKind, FactId, Literal, Program, Type,
};
use augur_eval::Value;
use augur_syntax::Date;
use rust_decimal::Decimal;
use std::collections::BTreeSet;
use std::sync::Arc;

/// What a fact's values can be cut into.
#[derive(Clone, Debug)]
enum Domain {
    Variants(u32),
    Bool,
    Int(BTreeSet<i64>),
    Number(BTreeSet<Decimal>),
    /// Absolute day numbers and offsets from `today`.
    Date {
        absolute: BTreeSet<i64>,
        relative: BTreeSet<i64>,
    },
    Text(BTreeSet<Arc<str>>),
    /// Lists and records: kept as recorded.
    Opaque,
}

/// The value classes of every fact of one playbook.
#[derive(Clone, Debug)]
pub struct Classes {
    domains: Vec<Domain>,
}

/// How a value follows a fact: `value = sign * fact + offset` for numbers,
/// `fact + offset` days for dates, or `sign * (fact - today) + offset` days
/// for `days_since`/`days_until`.
#[derive(Clone, Copy, Debug)]
enum Track {
    Linear { sign: i64, offset: Decimal },
    Date { offset: i64 },
    Days { sign: i64, offset: i64 },
}

/// A constant side of a comparison.
#[derive(Clone, Copy, Debug)]
enum Const {
    Num(Decimal),
    Date(i64),
    /// `today` plus this many days.
    Today(i64),
}

impl Classes {
    pub fn new(program: &Program) -> Classes {
        let mut domains: Vec<Domain> = program
            .facts
            .iter()
            .map(|fact| match &fact.ty.ty {
                Type::Enum(id) => Domain::Variants(
                    program
                        .enums
                        .get(*id as usize)
                        .map_or(0, |e| e.variants.len() as u32),
                ),
                Type::Bool => Domain::Bool,
                Type::Int => Domain::Int(BTreeSet::new()),
                Type::Number => Domain::Number(BTreeSet::new()),
                Type::Date => Domain::Date {
                    absolute: BTreeSet::new(),
                    relative: BTreeSet::new(),
                },
                Type::Text => Domain::Text(BTreeSet::new()),
                _ => Domain::Opaque,
            })
            .collect();
        let mut collector = Collector {
            program,
            domains: &mut domains,
        };
        for expr in every_expr(program) {
            collector.walk(expr);
        }
        Classes { domains }
    }

    /// Whether the search can try values of this fact.
    pub fn searchable(&self, fact: FactId) -> bool {
        !matches!(
            self.domains.get(fact as usize),
            None | Some(Domain::Opaque) | Some(Domain::Variants(0))
        )
    }

    /// One representative value per class of `fact`, in order (empty for
    /// lists and records).
    pub fn values(&self, fact: FactId, today: Date) -> Vec<Value> {
        match self.domains.get(fact as usize) {
            Some(Domain::Variants(n)) => (0..*n).map(Value::Variant).collect(),
            Some(Domain::Bool) => vec![Value::Bool(true), Value::Bool(false)],
            Some(Domain::Int(points)) => int_reps(points.iter().copied())
                .into_iter()
                .map(Value::Int)
                .collect(),
            Some(Domain::Number(points)) => {
                number_reps(points).into_iter().map(Value::Number).collect()
            }
            Some(Domain::Date { absolute, relative }) => {
                let today = i64::from(today.days());
                let points = absolute
                    .iter()
                    .copied()
                    .chain(relative.iter().map(|r| today.saturating_add(*r)));
                let points: Vec<i64> = if absolute.is_empty() && relative.is_empty() {
                    vec![today]
                } else {
                    points.collect()
                };
                int_reps(points)
                    .into_iter()
                    .filter_map(|d| i32::try_from(d).ok())
                    .map(Date::from_days)
                    .filter(|d| (0..=9999).contains(&d.ymd().0))
                    .map(Value::Date)
                    .collect()
            }
            Some(Domain::Text(literals)) => {
                let mut values: Vec<Value> = literals.iter().cloned().map(Value::Text).collect();
                let mut other = String::from("other");
                while literals.iter().any(|l| **l == *other) {
                    other.push('_');
                }
                values.push(Value::Text(other.into()));
                values
            }
            Some(Domain::Opaque) | None => Vec::new(),
        }
    }
}

/// A run of neighbouring classes of a number or date fact, as bounds a rep
/// reads: `low` and `high` are `(value, inclusive)`; `None` is unbounded.
/// For integers and dates a run bounded on both sides is given with both
/// bounds inclusive (`31–59`, not `> 30 and < 60`).
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    pub low: Option<(Value, bool)>,
    pub high: Option<(Value, bool)>,
}

impl Run {
    /// Every value of the fact.
    pub fn is_all(&self) -> bool {
        self.low.is_none() && self.high.is_none()
    }
}

/// The sorted cut points of an ordered fact on one day.
enum Points {
    /// Integers, or dates as day numbers (`date` tells which).
    Whole {
        points: Vec<i64>,
        date: bool,
    },
    Number(Vec<Decimal>),
}

impl Points {
    fn len(&self) -> usize {
        match self {
            Points::Whole { points, .. } => points.len(),
            Points::Number(points) => points.len(),
        }
    }

    /// Classes in order: gap 0, point 0, gap 1, …, point n-1, gap n; the
    /// ordinal of a value is 2k for gap k and 2k+1 for point k.
    fn ordinal(&self, value: &Value) -> Option<usize> {
        fn place<T: Ord>(points: &[T], v: &T) -> usize {
            let below = points.iter().take_while(|p| *p < v).count();
            if points.get(below) == Some(v) {
                2 * below + 1
            } else {
                2 * below
            }
        }
        match (self, value) {
            (
                Points::Whole {
                    points,
                    date: false,
                },
                Value::Int(v),
            ) => Some(place(points, v)),
            (Points::Whole { points, date: true }, Value::Date(d)) => {
                Some(place(points, &i64::from(d.days())))
            }
            (Points::Number(points), Value::Number(v)) => Some(place(points, v)),
            (Points::Number(points), Value::Int(v)) => Some(place(points, &Decimal::from(*v))),
            _ => None,
        }
    }

    /// Whether the class at `ordinal` holds no value (a gap between two
    /// neighbouring whole numbers).
    fn empty(&self, ordinal: usize) -> bool {
        let Points::Whole { points, .. } = self else {
            return false;
        };
        if ordinal % 2 == 1 || ordinal == 0 {
            return false;
        }
        let k = ordinal / 2;
        match (points.get(k.wrapping_sub(1)), points.get(k)) {
            (Some(a), Some(b)) => a.saturating_add(1) >= *b,
            _ => false,
        }
    }

    fn value(&self, index: usize, shift: i64) -> Option<Value> {
        match self {
            Points::Whole { points, date } => {
                let v = points.get(index)?.saturating_add(shift);
                if *date {
                    i32::try_from(v)
                        .ok()
                        .map(|d| Value::Date(Date::from_days(d)))
                } else {
                    Some(Value::Int(v))
                }
            }
            Points::Number(points) => points.get(index).map(|p| Value::Number(*p)),
        }
    }

    fn run(&self, first: usize, last: usize) -> Option<Run> {
        let n = self.len();
        let whole = matches!(self, Points::Whole { .. });
        let bounded = first > 0 && last < 2 * n;
        // Low bound: a point is included; a gap starts just above the point before it.
        let low = if first == 0 {
            None
        } else if first % 2 == 1 {
            Some((self.value(first / 2, 0)?, true))
        } else if whole && bounded {
            Some((self.value(first / 2 - 1, 1)?, true))
        } else {
            Some((self.value(first / 2 - 1, 0)?, false))
        };
        let high = if last == 2 * n {
            None
        } else if last % 2 == 1 {
            Some((self.value(last / 2, 0)?, true))
        } else if whole && bounded {
            Some((self.value(last / 2, -1)?, true))
        } else {
            Some((self.value(last / 2, 0)?, false))
        };
        Some(Run { low, high })
    }
}

impl Classes {
    fn points(&self, fact: FactId, today: Date) -> Option<Points> {
        match self.domains.get(fact as usize)? {
            Domain::Int(points) => Some(Points::Whole {
                points: points.iter().copied().collect(),
                date: false,
            }),
            Domain::Number(points) => Some(Points::Number(points.iter().copied().collect())),
            Domain::Date { absolute, relative } => {
                let today = i64::from(today.days());
                let mut points: BTreeSet<i64> = absolute
                    .iter()
                    .copied()
                    .chain(relative.iter().map(|r| today.saturating_add(*r)))
                    .collect();
                if points.is_empty() {
                    points.insert(today);
                }
                Some(Points::Whole {
                    points: points.into_iter().collect(),
                    date: true,
                })
            }
            _ => None,
        }
    }

    /// Whether two values of `fact` are in the same class (the playbook
    /// cannot tell them apart).
    pub fn same_class(&self, fact: FactId, a: &Value, b: &Value, today: Date) -> bool {
        match self.points(fact, today) {
            Some(points) => points.ordinal(a).is_some() && points.ordinal(a) == points.ordinal(b),
            None => a == b,
        }
    }

    /// Whether `values` meet every class of `fact`: saying "if the fact is
    /// one of these" then says nothing.
    pub fn covers_all(&self, fact: FactId, values: &[Value], today: Date) -> bool {
        let all = self.values(fact, today);
        !all.is_empty()
            && all
                .iter()
                .all(|r| values.iter().any(|v| self.same_class(fact, r, v, today)))
    }

    /// The classes of `values` of a number or date fact, merged into runs of
    /// neighbouring classes, in order (`None` for other facts). A single
    /// run with no bounds means every value.
    pub fn runs(&self, fact: FactId, values: &[Value], today: Date) -> Option<Vec<Run>> {
        let points = self.points(fact, today)?;
        let count = 2 * points.len() + 1;
        let mut member = vec![false; count];
        for v in values {
            if let Some(slot) = points.ordinal(v).and_then(|o| member.get_mut(o)) {
                *slot = true;
            }
        }
        if !member.iter().any(|m| *m) {
            return None;
        }
        let mut runs = Vec::new();
        let mut start: Option<usize> = None;
        let mut last_member = 0;
        for o in 0..count {
            let inside = member.get(o).copied().unwrap_or(false);
            if inside {
                if start.is_none() {
                    start = Some(o);
                }
                last_member = o;
            } else if !points.empty(o) {
                if let Some(first) = start.take() {
                    runs.push(points.run(first, last_member)?);
                }
            }
        }
        if let Some(first) = start {
            runs.push(points.run(first, last_member)?);
        }
        Some(runs)
    }
}

/// Representatives of the classes cut at `points`: each point, one value in
/// each gap between two points, and one beyond each end.
fn int_reps(points: impl IntoIterator<Item = i64>) -> Vec<i64> {
    let points: BTreeSet<i64> = points.into_iter().collect();
    if points.is_empty() {
        return vec![0];
    }
    let mut reps = Vec::new();
    let mut previous: Option<i64> = None;
    for p in &points {
        match previous {
            None => reps.push(p.saturating_sub(1)),
            Some(prev) if prev.saturating_add(1) < *p => reps.push(prev.saturating_add(1)),
            Some(_) => {}
        }
        reps.push(*p);
        previous = Some(*p);
    }
    if let Some(last) = previous {
        reps.push(last.saturating_add(1));
    }
    reps.dedup();
    reps
}

fn number_reps(points: &BTreeSet<Decimal>) -> Vec<Decimal> {
    if points.is_empty() {
        return vec![Decimal::ZERO];
    }
    let mut reps = Vec::new();
    let mut previous: Option<Decimal> = None;
    for p in points {
        match previous {
            None => reps.push(p.checked_sub(Decimal::ONE).unwrap_or(*p)),
            Some(prev) => reps.push(
                prev.checked_add(*p)
                    .and_then(|s| s.checked_div(Decimal::TWO))
                    .unwrap_or(prev),
            ),
        }
        reps.push(*p);
        previous = Some(*p);
    }
    if let Some(last) = previous {
        reps.push(last.checked_add(Decimal::ONE).unwrap_or(last));
    }
    reps.iter().map(|d| d.normalize()).collect()
}

/// Every expression of the program whose comparisons can cut a domain.
fn every_expr(program: &Program) -> Vec<&Expr> {
    let mut out: Vec<&Expr> = Vec::new();
    out.extend(program.lets.iter().map(|l| &l.value));
    out.extend(program.groups.iter().filter_map(|g| g.when.as_ref()));
    out.extend(program.signals.iter().map(|s| &s.when));
    for verdict in &program.verdicts {
        out.extend(verdict.arms.iter().filter_map(|a| a.when.as_ref()));
    }
    out.extend(program.advice.iter().map(|a| &a.when));
    out
}

struct Collector<'a> {
    program: &'a Program,
    domains: &'a mut Vec<Domain>,
}

impl Collector<'_> {
    fn walk(&mut self, expr: &Expr) {
        match &expr.kind {
            ExprKind::Compare(op, a, b) => {
                self.compare(*op, a, b);
                self.walk(a);
                self.walk(b);
            }
            ExprKind::In { value, list, .. } => {
                if let ExprKind::List(items) = &list.kind {
                    for item in items {
                        self.compare(CompareOp::Eq, value, item);
                    }
                }
                self.walk(value);
                self.walk(list);
            }
            ExprKind::Field(e, _)
            | ExprKind::MapField(e, _)
            | ExprKind::Not(e)
            | ExprKind::Neg(e) => self.walk(e),
            ExprKind::And(a, b)
            | ExprKind::Or(a, b)
            | ExprKind::Arith(_, a, b)
            | ExprKind::Coalesce(a, b) => {
                self.walk(a);
                self.walk(b);
            }
            ExprKind::Filter { list, cond, .. } => {
                self.walk(list);
                self.walk(cond);
            }
            ExprKind::List(items) | ExprKind::Call(_, items) => {
                for item in items {
                    self.walk(item);
                }
            }
            _ => {}
        }
    }

    fn compare(&mut self, _op: CompareOp, a: &Expr, b: &Expr) {
        for (tracked, constant) in [(a, b), (b, a)] {
            let (Some((fact, track)), Some(c)) = (self.track(tracked, 0), constant_of(constant))
            else {
                if let (Some(fact), ExprKind::Literal(Literal::Text(t))) =
                    (direct_fact(self.program, tracked, 0), &constant.kind)
                {
                    if let Some(Domain::Text(set)) = self.domains.get_mut(fact as usize) {
                        set.insert(t.clone());
                    }
                }
                continue;
            };
            self.add_threshold(fact, track, c);
        }
    }

    fn add_threshold(&mut self, fact: FactId, track: Track, c: Const) {
        let Some(domain) = self.domains.get_mut(fact as usize) else {
            return;
        };
        match (domain, track, c) {
            (Domain::Int(points), Track::Linear { sign, offset }, Const::Num(c)) => {
                let t = (c - offset) * Decimal::from(sign);
                let (floor, ceil) = (t.floor(), t.ceil());
                for p in [floor, ceil] {
                    if let Ok(p) = i64::try_from(p) {
                        points.insert(p);
                    }
                }
            }
            (Domain::Number(points), Track::Linear { sign, offset }, Const::Num(c)) => {
                if let Some(t) = c
                    .checked_sub(offset)
                    .and_then(|d| d.checked_mul(Decimal::from(sign)))
                {
                    points.insert(t.normalize());
                }
            }
            (Domain::Date { absolute, .. }, Track::Date { offset }, Const::Date(d)) => {
                absolute.insert(d.saturating_sub(offset));
            }
            (Domain::Date { relative, .. }, Track::Date { offset }, Const::Today(t)) => {
                relative.insert(t.saturating_sub(offset));
            }
            (Domain::Date { relative, .. }, Track::Days { sign, offset }, Const::Num(c)) => {
                // sign * (d - today) + offset = c
                for c in [c.floor(), c.ceil()] {
                    if let Ok(c) = i64::try_from(c) {
                        relative.insert(c.saturating_sub(offset).saturating_mul(sign));
                    }
                }
            }
            _ => {}
        }
    }

    /// The fact this expression follows, and how, if it follows exactly one.
    fn track(&self, expr: &Expr, depth: u32) -> Option<(FactId, Track)> {
        if depth > 32 {
            return None;
        }
        match &expr.kind {
            ExprKind::Fact(id) => match expr.ty.ty {
                Type::Date => Some((*id, Track::Date { offset: 0 })),
                Type::Int | Type::Number => Some((
                    *id,
                    Track::Linear {
                        sign: 1,
                        offset: Decimal::ZERO,
                    },
                )),
                _ => None,
            },
            ExprKind::Let(id) => self
                .program
                .lets
                .get(*id as usize)
                .and_then(|l| self.track(&l.value, depth + 1)),
            ExprKind::Neg(inner) => match self.track(inner, depth + 1)? {
                (f, Track::Linear { sign, offset }) => Some((
                    f,
                    Track::Linear {
                        sign: -sign,
                        offset: -offset,
                    },
                )),
                (f, Track::Days { sign, offset }) => Some((
                    f,
                    Track::Days {
                        sign: -sign,
                        offset: -offset,
                    },
                )),
                _ => None,
            },
            ExprKind::Call(builtin @ (Builtin::DaysSince | Builtin::DaysUntil), args) => {
                let (f, Track::Date { offset }) = self.track(args.first()?, depth + 1)? else {
                    return None;
                };
                // days_since(d + k) = today - d - k; days_until(d + k) = d + k - today.
                Some(if *builtin == Builtin::DaysSince {
                    (
                        f,
                        Track::Days {
                            sign: -1,
                            offset: -offset,
                        },
                    )
                } else {
                    (f, Track::Days { sign: 1, offset })
                })
            }
            ExprKind::Arith(op @ (ArithOp::Add | ArithOp::Sub), a, b) => {
                let (tracked, constant, tracked_left) = match (constant_of(a), constant_of(b)) {
                    (None, Some(c)) => (a, c, true),
                    (Some(c), None) if *op == ArithOp::Add => (b, c, false),
                    _ => return None,
                };
                let _ = tracked_left;
                let minus = *op == ArithOp::Sub;
                match (self.track(tracked, depth + 1)?, constant) {
                    ((f, Track::Linear { sign, offset }), Const::Num(c)) => Some((
                        f,
                        Track::Linear {
                            sign,
                            offset: if minus { offset - c } else { offset + c },
                        },
                    )),
                    ((f, Track::Days { sign, offset }), Const::Num(c)) => {
                        let c = i64::try_from(c.trunc()).ok()?;
                        Some((
                            f,
                            Track::Days {
                                sign,
                                offset: if minus { offset - c } else { offset + c },
                            },
                        ))
                    }
                    ((f, Track::Date { offset }), Const::Num(c)) => {
                        let c = i64::try_from(c.trunc()).ok()?;
                        Some((
                            f,
                            Track::Date {
                                offset: if minus { offset - c } else { offset + c },
                            },
                        ))
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

/// The fact an expression is, directly or through lets.
fn direct_fact(program: &Program, expr: &Expr, depth: u32) -> Option<FactId> {
    if depth > 32 {
        return None;
    }
    match &expr.kind {
        ExprKind::Fact(id) => Some(*id),
        ExprKind::Let(id) => program
            .lets
            .get(*id as usize)
            .and_then(|l| direct_fact(program, &l.value, depth + 1)),
        _ => None,
    }
}

/// The value of an expression that reads no fact, if it is a number or a
/// date (possibly relative to `today`).
fn constant_of(expr: &Expr) -> Option<Const> {
    match &expr.kind {
        ExprKind::Literal(Literal::Int(i)) => Some(Const::Num(Decimal::from(*i))),
        ExprKind::Literal(Literal::Number(n)) => Some(Const::Num(*n)),
        ExprKind::Literal(Literal::Date(d)) => Some(Const::Date(i64::from(d.days()))),
        ExprKind::Today => Some(Const::Today(0)),
        ExprKind::Neg(inner) => match constant_of(inner)? {
            Const::Num(n) => Some(Const::Num(-n)),
            _ => None,
        },
        ExprKind::Arith(op @ (ArithOp::Add | ArithOp::Sub), a, b) => {
            let minus = *op == ArithOp::Sub;
            match (constant_of(a)?, constant_of(b)?) {
                (Const::Num(x), Const::Num(y)) => Some(Const::Num(if minus {
                    x.checked_sub(y)?
                } else {
                    x.checked_add(y)?
                })),
                (Const::Date(d), Const::Num(n)) => {
                    let n = i64::try_from(n.trunc()).ok()?;
                    Some(Const::Date(if minus { d - n } else { d + n }))
                }
                (Const::Today(t), Const::Num(n)) => {
                    let n = i64::try_from(n.trunc()).ok()?;
                    Some(Const::Today(if minus { t - n } else { t + n }))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_cut_at_thresholds() {
        assert_eq!(int_reps([30, 60]), vec![29, 30, 31, 60, 61]);
        assert_eq!(int_reps([0, 1]), vec![-1, 0, 1, 2]);
        assert_eq!(int_reps(Vec::new()), vec![0]);
    }

    #[test]
    fn standing_session_minutes_and_decision_date() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/standing.augur"
        ))
        .unwrap();
        let analysis = augur_check::analyze_text(&text);
        let program = &analysis.program;
        let classes = Classes::new(program);
        let minutes = program.fact_index("session_minutes").unwrap();
        assert_eq!(
            classes.values(minutes, Date::parse("2026-11-20").unwrap()),
            vec![
                Value::Int(29),
                Value::Int(30),
                Value::Int(31),
                Value::Int(60),
                Value::Int(61)
            ]
        );
        // days_until(decision_on) >= 0, <= 7 and <= 30: cut at today,
        // today + 7 and today + 30.
        let decision = program.fact_index("decision_on").unwrap();
        let values: Vec<String> = classes
            .values(decision, Date::parse("2026-11-20").unwrap())
            .iter()
            .map(|v| match v {
                Value::Date(d) => d.to_string(),
                _ => String::new(),
            })
            .collect();
        assert_eq!(
            values,
            [
                "2026-11-19",
                "2026-11-20",
                "2026-11-21",
                "2026-11-27",
                "2026-11-28",
                "2026-12-20",
                "2026-12-21"
            ]
        );
        let events = program.fact_index("events").unwrap();
        assert!(!classes.searchable(events));
    }

    #[test]
    fn classes_merge_into_ranges() {
        let analysis = augur_check::analyze_text(
            "facts { n: int?, d: date?, x: number? }\n\
             signal a { when n >= 30 and n <= 60 weight 1 }\n\
             signal b { when days_until(d) <= 7 weight 1 }\n\
             signal c { when x > 1.5 and x < 3 weight 1 }\n",
        );
        let program = &analysis.program;
        let classes = Classes::new(program);
        let today = Date::parse("2026-11-20").unwrap();
        let n = program.fact_index("n").unwrap();
        let int = |v: i64| Value::Int(v);
        // 30 and 31 (standing for 31–59) and 60 merge into one closed range.
        assert_eq!(
            classes.runs(n, &[int(30), int(31), int(60)], today),
            Some(vec![Run {
                low: Some((int(30), true)),
                high: Some((int(60), true))
            }])
        );
        // 31 stands for the whole gap between the thresholds.
        assert_eq!(
            classes.runs(n, &[int(45)], today),
            Some(vec![Run {
                low: Some((int(31), true)),
                high: Some((int(59), true))
            }])
        );
        assert_eq!(
            classes.runs(n, &[int(29), int(61)], today),
            Some(vec![
                Run {
                    low: None,
                    high: Some((int(30), false))
                },
                Run {
                    low: Some((int(60), false)),
                    high: None
                }
            ])
        );
        let every = classes.values(n, today);
        assert!(classes.covers_all(n, &every, today));
        assert!(!classes.covers_all(n, &every[1..], today));
        assert!(classes.runs(n, &every, today).unwrap()[0].is_all());
        assert!(classes.same_class(n, &int(31), &int(59), today));
        assert!(!classes.same_class(n, &int(30), &int(31), today));
        // Dates relative to today: on or before today + 7.
        let d = program.fact_index("d").unwrap();
        let date = |s: &str| Value::Date(Date::parse(s).unwrap());
        assert_eq!(
            classes.runs(d, &[date("2026-11-01"), date("2026-11-27")], today),
            Some(vec![Run {
                low: None,
                high: Some((date("2026-11-27"), true))
            }])
        );
        // Numbers: an open interval stays open.
        let x = program.fact_index("x").unwrap();
        let num = |s: &str| Value::Number(s.parse().unwrap());
        assert_eq!(
            classes.runs(x, &[num("2")], today),
            Some(vec![Run {
                low: Some((num("1.5"), false)),
                high: Some((num("3"), false))
            }])
        );
    }
}
