//! Expressions: turns the flat run of pairs of an `expr` (operands, the
//! operators between them, `not` and `-` before them, field names after
//! them; see the grammar) into [`Expr`] trees grouped by precedence,
//! counting depth against [`limits::MAX_EXPR_DEPTH`].
//!
//! The run is read left to right, one precedence level per function, loosest
//! first: [`Builder::logic`] (`where`, `or`, `and`), `not`, one comparison,
//! arithmetic (`??`, `+ -`, `* /`), unary `-`, then a primary and its fields.
//! Each level takes what belongs to it from the front of the run and leaves
//! the rest to the level above.

use super::*;
use std::iter::Peekable;

impl Builder<'_> {
    /// Builds an expression and enforces the depth limit.
    pub(super) fn top_expr(&mut self, pair: Pair<'_, Rule>) -> Expr {
        self.expr(pair).0
    }

    /// Builds an expression (an `expr` pair) and returns it with its depth.
    /// A subtree that would be deeper than the limit is replaced by a
    /// placeholder and reported, so no later pass (or `Drop`) ever meets a
    /// deep tree.
    pub(super) fn expr(&mut self, pair: Pair<'_, Rule>) -> (Expr, usize) {
        let mut run = children(pair.clone()).peekable();
        // Most expressions are one name: nothing to group.
        if let Some(name) = run.next_if(|first| first.as_rule() == Rule::ident) {
            if run.peek().is_none() {
                let span = self.span_of(&name);
                let ident = self.ident_at(name, span);
                return (Spanned::new(ExprKind::Name(ident.node), span), 1);
            }
            run = children(pair.clone()).peekable();
        }
        match self.logic(&mut run) {
            Some(built) => built,
            None => (placeholder(self.span_of(&pair)), 1),
        }
    }

    pub(super) fn too_deep(&mut self, span: Span) {
        if self
            .diagnostics
            .iter()
            .any(|d| d.code == Code::TooDeep && d.span.contains(span.start))
        {
            return;
        }
        self.diagnostics.push(
            Diagnostic::error(
                Code::TooDeep,
                span,
                format!(
                    "this expression is nested more than {} levels deep",
                    limits::MAX_EXPR_DEPTH
                ),
            )
            .with_help("split it into named `let` values"),
        );
    }

    /// The whole run: `not` operands and the `where`, `or` and `and`
    /// between them, grouped by precedence (`where` loosest, then `or`, then
    /// `and`, each left to right) with two stacks. `None` when it got too
    /// deep (reported): the caller puts a placeholder over the whole run.
    fn logic<'i, I>(&mut self, run: &mut Peekable<I>) -> Option<(Expr, usize)>
    where
        I: Iterator<Item = Pair<'i, Rule>>,
    {
        let mut climb = Climb::default();
        loop {
            let operand = self.not_level(run);
            climb.operands.push(operand);
            let Some(op) = run.next() else { break };
            let op = match op.as_rule() {
                Rule::kw_where => Infix::Where,
                Rule::kw_or => Infix::Binary(BinaryOp::Or),
                _ => Infix::Binary(BinaryOp::And),
            };
            if !self.climb_operator(&mut climb, op) {
                return None;
            }
        }
        self.climb_finish(climb)
    }

    /// `not`s, then a comparison (or an arithmetic run alone).
    fn not_level<'i, I>(&mut self, run: &mut Peekable<I>) -> (Expr, usize)
    where
        I: Iterator<Item = Pair<'i, Rule>>,
    {
        let nots = self.prefixes(run, Rule::kw_not);
        let operand = self.comparison(run);
        self.apply_prefixes(nots, UnaryOp::Not, operand)
            .unwrap_or_else(|whole| (placeholder(whole), 1))
    }

    /// The spans of the prefix operators `rule` (`not` or `-`) at the front
    /// of the run. Most operands have none, and then nothing is allocated.
    fn prefixes<'i, I>(&self, run: &mut Peekable<I>, rule: Rule) -> Vec<Span>
    where
        I: Iterator<Item = Pair<'i, Rule>>,
    {
        let mut spans = Vec::new();
        while let Some(prefix) = run.next_if(|part| part.as_rule() == rule) {
            spans.push(self.span_of(&prefix));
        }
        spans
    }

    /// Applies `op` once for each prefix to `operand`, the innermost (the
    /// last written) first. `Err` with the span it covered when that got too
    /// deep (reported).
    fn apply_prefixes(
        &mut self,
        mut prefixes: Vec<Span>,
        op: UnaryOp,
        (mut expr, mut depth): (Expr, usize),
    ) -> Result<(Expr, usize), Span> {
        while let Some(prefix) = prefixes.pop() {
            depth += 1;
            let whole = prefix.cover(expr.span);
            if depth > limits::MAX_EXPR_DEPTH {
                self.too_deep(whole);
                return Err(whole);
            }
            expr = Spanned::new(ExprKind::Unary(op, Box::new(expr)), whole);
        }
        Ok((expr, depth))
    }

    /// An arithmetic run, then at most one comparison operator and another.
    fn comparison<'i, I>(&mut self, run: &mut Peekable<I>) -> (Expr, usize)
    where
        I: Iterator<Item = Pair<'i, Rule>>,
    {
        let (lhs, lhs_depth) = self.arith(run);
        let Some(op) = run.next_if(|part| part.as_rule() == Rule::cmp_op) else {
            return (lhs, lhs_depth);
        };
        let (rhs, rhs_depth) = self.arith(run);
        let depth = lhs_depth.max(rhs_depth) + 1;
        let whole = lhs.span.cover(rhs.span);
        if depth > limits::MAX_EXPR_DEPTH {
            self.too_deep(whole);
            return (placeholder(whole), 1);
        }
        let kind = ExprKind::Binary(binary_op(&op), Box::new(lhs), Box::new(rhs));
        (Spanned::new(kind, whole), depth)
    }

    /// Operands, each with its unary minus signs, and the `??`, `+ -`,
    /// `* /` between them, grouped by precedence (`??` loosest, then `+ -`,
    /// then `* /`, each left to right) with two stacks. When something in
    /// it gets too deep, the whole arithmetic run is one placeholder (the
    /// rest of it is skipped).
    fn arith<'i, I>(&mut self, run: &mut Peekable<I>) -> (Expr, usize)
    where
        I: Iterator<Item = Pair<'i, Rule>>,
    {
        let start = run
            .peek()
            .map_or(self.text.len(), |part| part.as_span().start());
        let first = match self.signed_operand(run) {
            Ok(first) => first,
            Err(end) => return self.arith_placeholder(run, start, end),
        };
        if run
            .peek()
            .is_none_or(|next| next.as_rule() != Rule::arith_op)
        {
            return first;
        }
        let mut climb = Climb::default();
        climb.operands.push(first);
        while let Some(op) = run.next_if(|part| part.as_rule() == Rule::arith_op) {
            if !self.climb_operator(&mut climb, Infix::Binary(binary_op(&op))) {
                let end = self.span_of(&op).end;
                return self.arith_placeholder(run, start, end);
            }
            match self.signed_operand(run) {
                Ok(operand) => climb.operands.push(operand),
                Err(end) => return self.arith_placeholder(run, start, end),
            }
        }
        let end = climb
            .operands
            .last()
            .map_or(start, |(expr, _)| expr.span.end);
        match self.climb_finish(climb) {
            Some(built) => built,
            None => (placeholder(Span::new(start, end)), 1),
        }
    }

    /// A placeholder for an arithmetic run from `start` that got too deep at
    /// `end`; the rest of the run is skipped.
    fn arith_placeholder<'i, I>(
        &mut self,
        run: &mut Peekable<I>,
        start: usize,
        mut end: usize,
    ) -> (Expr, usize)
    where
        I: Iterator<Item = Pair<'i, Rule>>,
    {
        while let Some(part) = run.next_if(|part| {
            !matches!(
                part.as_rule(),
                Rule::cmp_op | Rule::kw_where | Rule::kw_or | Rule::kw_and
            )
        }) {
            end = self.span_of(&part).end;
        }
        (placeholder(Span::new(start, end)), 1)
    }

    /// An operand with the unary minus signs before it. `Err` with where the
    /// operand ends when it got too deep (reported).
    fn signed_operand<'i, I>(&mut self, run: &mut Peekable<I>) -> Result<(Expr, usize), usize>
    where
        I: Iterator<Item = Pair<'i, Rule>>,
    {
        let signs = self.prefixes(run, Rule::neg_op);
        let operand = self.postfix(run);
        self.apply_prefixes(signs, UnaryOp::Neg, operand)
            .map_err(|whole| whole.end)
    }

    /// A primary (a call when a name is followed by its arguments) and the
    /// field names after it.
    fn postfix<'i, I>(&mut self, run: &mut Peekable<I>) -> (Expr, usize)
    where
        I: Iterator<Item = Pair<'i, Rule>>,
    {
        let Some(first) = run.next() else {
            // The grammar puts an operand wherever this is called.
            let end = self.text.len();
            return (placeholder(Span::new(end, end)), 1);
        };
        let (mut expr, mut depth) = match run.next_if(|next| next.as_rule() == Rule::call_args) {
            Some(args) => self.call(first, args),
            None => self.primary(first),
        };
        if depth > limits::MAX_EXPR_DEPTH {
            self.too_deep(expr.span);
            (expr, depth) = (placeholder(expr.span), 1);
        }
        while let Some(field) = run.next_if(|part| part.as_rule() == Rule::ident) {
            depth += 1;
            let field = self.ident(field);
            let whole = expr.span.cover(field.span);
            if depth > limits::MAX_EXPR_DEPTH {
                self.too_deep(whole);
                while run.next_if(|part| part.as_rule() == Rule::ident).is_some() {}
                return (placeholder(whole), 1);
            }
            expr = Spanned::new(ExprKind::Field(Box::new(expr), field), whole);
        }
        (expr, depth)
    }

    /// Takes the next operator of a flat rule: first reduces every operator
    /// on the stack that binds at least as tightly (so each level groups
    /// left to right). False when an expression got too deep (reported).
    fn climb_operator(&mut self, climb: &mut Climb, op: Infix) -> bool {
        while let Some(&top) = climb.operators.last() {
            if top.precedence() < op.precedence() {
                break;
            }
            climb.operators.pop();
            if !self.reduce(&mut climb.operands, top) {
                return false;
            }
        }
        climb.operators.push(op);
        true
    }

    /// Reduces what is left on the stacks into one expression.
    /// `None` when an expression got too deep (reported).
    fn climb_finish(&mut self, mut climb: Climb) -> Option<(Expr, usize)> {
        while let Some(op) = climb.operators.pop() {
            if !self.reduce(&mut climb.operands, op) {
                return None;
            }
        }
        climb.operands.pop()
    }

    /// Replaces the top two operands with `lhs op rhs`; false when that is
    /// nested too deeply (the error is reported).
    fn reduce(&mut self, operands: &mut Vec<(Expr, usize)>, op: Infix) -> bool {
        let (Some((rhs, rhs_depth)), Some((lhs, lhs_depth))) = (operands.pop(), operands.pop())
        else {
            return false;
        };
        let depth = lhs_depth.max(rhs_depth) + 1;
        let whole = lhs.span.cover(rhs.span);
        if depth > limits::MAX_EXPR_DEPTH {
            self.too_deep(whole);
            return false;
        }
        let kind = match op {
            Infix::Where => ExprKind::Where(Box::new(lhs), Box::new(rhs)),
            Infix::Binary(op) => ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
        };
        operands.push((Spanned::new(kind, whole), depth));
        true
    }

    /// An operand that is not a call: a name, a literal, a parenthesis, a
    /// list or a string.
    fn primary(&mut self, pair: Pair<'_, Rule>) -> (Expr, usize) {
        let span = self.span_of(&pair);
        match pair.as_rule() {
            Rule::paren => match children(pair).next() {
                Some(inner) => {
                    let (inner, depth) = self.expr(inner);
                    (
                        Spanned::new(ExprKind::Paren(Box::new(inner)), span),
                        depth + 1,
                    )
                }
                None => (placeholder(span), 1),
            },
            Rule::list_lit => {
                let mut depth = 0;
                let items = children(pair)
                    .map(|item| {
                        let (item, item_depth) = self.expr(item);
                        depth = depth.max(item_depth);
                        item
                    })
                    .collect();
                (Spanned::new(ExprKind::List(items), span), depth + 1)
            }
            Rule::string => {
                let template = self.template(pair);
                (Spanned::new(ExprKind::Text(template), span), 2)
            }
            Rule::date_lit => match self.date(pair) {
                Some(date) => (Spanned::new(ExprKind::Date(date), span), 1),
                None => (placeholder(span), 1),
            },
            Rule::number => {
                let text = pair.as_str();
                if text.contains('.') {
                    (Spanned::new(ExprKind::Number(text.to_string()), span), 1)
                } else {
                    match self.int(text, span) {
                        Some(value) => (Spanned::new(ExprKind::Int(value), span), 1),
                        None => (placeholder(span), 1),
                    }
                }
            }
            Rule::bool_lit => (
                Spanned::new(ExprKind::Bool(pair.as_str() == "true"), span),
                1,
            ),
            Rule::ident => {
                let ident = self.ident_at(pair, span);
                (Spanned::new(ExprKind::Name(ident.node), span), 1)
            }
            _ => (placeholder(span), 1),
        }
    }

    /// A call: its name and the `call_args` pair that followed it.
    fn call(&mut self, name: Pair<'_, Rule>, args: Pair<'_, Rule>) -> (Expr, usize) {
        let span = self.span_of(&name).cover(self.span_of(&args));
        let name = self.ident(name);
        let mut depth = 0;
        let args = children(args)
            .map(|arg| {
                let (arg, arg_depth) = self.expr(arg);
                depth = depth.max(arg_depth);
                arg
            })
            .collect();
        (Spanned::new(ExprKind::Call(name, args), span), depth + 1)
    }
}

pub(super) fn binary_op(op: &Pair<'_, Rule>) -> BinaryOp {
    let text = op.as_str();
    match op.as_rule() {
        Rule::kw_or => BinaryOp::Or,
        Rule::kw_and => BinaryOp::And,
        Rule::coalesce_op => BinaryOp::Coalesce,
        _ => match text {
            "??" => BinaryOp::Coalesce,
            "==" => BinaryOp::Eq,
            "!=" => BinaryOp::Ne,
            "<" => BinaryOp::Lt,
            "<=" => BinaryOp::Le,
            ">" => BinaryOp::Gt,
            ">=" => BinaryOp::Ge,
            "in" => BinaryOp::In,
            "+" => BinaryOp::Add,
            "-" => BinaryOp::Sub,
            "*" => BinaryOp::Mul,
            "/" => BinaryOp::Div,
            _ if text.starts_with("not") => BinaryOp::NotIn,
            _ => BinaryOp::Eq,
        },
    }
}

/// How tightly an arithmetic operator binds (higher binds tighter).
/// The two stacks of a flat rule being grouped by precedence: operands
/// (with their depth) and the operators not yet applied.
#[derive(Default)]
struct Climb {
    operands: Vec<(Expr, usize)>,
    operators: Vec<Infix>,
}

/// An operator of a flat rule (`expr`, `arith_expr`); `where` makes its
/// own kind of node.
#[derive(Clone, Copy)]
enum Infix {
    Where,
    Binary(BinaryOp),
}

impl Infix {
    /// Loosest first. Operators of one rule only meet their own kind, so
    /// the two scales may share numbers.
    fn precedence(self) -> u8 {
        match self {
            Infix::Where => 0,
            Infix::Binary(BinaryOp::Or | BinaryOp::Coalesce) => 1,
            Infix::Binary(BinaryOp::And | BinaryOp::Add | BinaryOp::Sub) => 2,
            Infix::Binary(_) => 3,
        }
    }
}
