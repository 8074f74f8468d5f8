//! Running a compiled rule ([`Frame::run`]): the loop over its [`Op`]s, with
//! the top of the stack in a local, and the arithmetic on cells.

use super::*;

/// The stack of one run below its top (which the run keeps in a local):
/// its depth bounded by [`MAX_DEPTH`].
type Stack = [Cell; MAX_DEPTH + 1];

impl Frame<'_> {
    /// Runs one compiled rule and gives its value, or [`Stop::Fallback`]
    /// when the tree walker must decide.
    pub(in crate::eval) fn run(&mut self, code: &Code<'_>, run: Run) -> Result<Cell, Stop> {
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
                Op::ComparePlace(place, index, op) => {
                    self.steps += 3;
                    let value = match place {
                        Place::Fact(id) => self.facts.get(id as usize),
                        Place::ItemField(level, field) => match self.current_item(level) {
                            Some(Value::Record(fields)) => fields.get(field as usize),
                            Some(unknown @ Value::Unknown(_)) => Some(unknown),
                            _ => None,
                        },
                    };
                    let literal = code.compared.get(index as usize).ok_or(Stop::Fallback)?;
                    push!(match value {
                        Some(value @ (Value::Text(_) | Value::Number(_) | Value::Int(_))) => {
                            Cell::bool(compare_known(op, value, literal))
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
    pub(in crate::eval) fn fast_score(&self, group: Option<u32>) -> Result<i64, EvalError> {
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
    pub(in crate::eval) fn value_of(
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
    pub(in crate::eval) fn test(
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
    pub(in crate::eval) fn run_steps_compiled(&mut self, code: &Code<'_>) -> Result<(), EvalError> {
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
