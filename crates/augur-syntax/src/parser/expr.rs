//! Expressions: turns the pest pairs of the precedence rules into
//! [`Expr`] trees, counting depth against [`limits::MAX_EXPR_DEPTH`].

use super::*;

impl Builder<'_> {
    /// Builds an expression and enforces the depth limit.
    pub(super) fn top_expr(&mut self, pair: Pair<'_, Rule>) -> Expr {
        self.expr(pair).0
    }

    /// Builds an expression; returns it with its depth. A subtree that would be
    /// deeper than the limit is replaced by a placeholder and reported, so no
    /// later pass (or `Drop`) ever meets a deep tree.
    pub(super) fn expr(&mut self, pair: Pair<'_, Rule>) -> (Expr, usize) {
        if let Some(only) = pass_through(&pair) {
            // A precedence level with one operand and nothing else (most
            // levels of most operands): the operand itself. Its own span
            // would be unused, so it is not worked out.
            return self.expr(only);
        }
        let span = self.span_of(&pair);
        let (expr, depth) = self.expr_inner(pair, span);
        if depth > limits::MAX_EXPR_DEPTH {
            self.too_deep(span);
            return (placeholder(span), 1);
        }
        (expr, depth)
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

    /// `expr`: `not_expr` operands and the `where`, `or` and `and` between
    /// them, grouped by precedence (`where` loosest, then `or`, then `and`,
    /// each left to right) with two stacks.
    /// (An `expr` without any operator never comes here: see [`pass_through`].)
    fn logic(&mut self, pair: Pair<'_, Rule>, span: Span) -> (Expr, usize) {
        let mut climb = Climb::default();
        for part in children(pair) {
            let op = match part.as_rule() {
                Rule::kw_where => Infix::Where,
                Rule::kw_or => Infix::Binary(BinaryOp::Or),
                Rule::kw_and => Infix::Binary(BinaryOp::And),
                _ => {
                    climb.operands.push(self.expr(part));
                    continue;
                }
            };
            if !self.climb_operator(&mut climb, op) {
                return (placeholder(span), 1);
            }
        }
        self.climb_finish(climb, span)
    }

    /// `arith_expr`: operands, each with its unary minus signs, and the
    /// operators between them, grouped by precedence (`??` loosest, then
    /// `+ -`, then `* /`, each left to right) with two stacks.
    /// (One operand without signs or operators never comes here: see
    /// [`pass_through`].)
    fn arith(&mut self, pair: Pair<'_, Rule>, span: Span) -> (Expr, usize) {
        let mut climb = Climb::default();
        let mut signs = Vec::new();
        for part in children(pair) {
            match part.as_rule() {
                Rule::neg_op => signs.push(self.span_of(&part)),
                Rule::postfix_expr => {
                    let (mut expr, mut depth) = self.expr(part);
                    while let Some(sign) = signs.pop() {
                        depth += 1;
                        let whole = sign.cover(expr.span);
                        if depth > limits::MAX_EXPR_DEPTH {
                            self.too_deep(whole);
                            return (placeholder(span), 1);
                        }
                        expr = Spanned::new(ExprKind::Unary(UnaryOp::Neg, Box::new(expr)), whole);
                    }
                    climb.operands.push((expr, depth));
                }
                _ => {
                    if !self.climb_operator(&mut climb, Infix::Binary(binary_op(&part))) {
                        return (placeholder(span), 1);
                    }
                }
            }
        }
        self.climb_finish(climb, span)
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
    fn climb_finish(&mut self, mut climb: Climb, span: Span) -> (Expr, usize) {
        while let Some(op) = climb.operators.pop() {
            if !self.reduce(&mut climb.operands, op) {
                return (placeholder(span), 1);
            }
        }
        climb.operands.pop().unwrap_or((placeholder(span), 1))
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

    fn expr_inner(&mut self, pair: Pair<'_, Rule>, span: Span) -> (Expr, usize) {
        match pair.as_rule() {
            Rule::expr => self.logic(pair, span),
            Rule::arith_expr => self.arith(pair, span),
            Rule::cmp_expr => {
                let mut parts = children(pair);
                let Some(first) = parts.next() else {
                    return (placeholder(span), 1);
                };
                let (mut lhs, mut depth) = self.expr(first);
                while let (Some(op), Some(rhs_pair)) = (parts.next(), parts.next()) {
                    let (rhs, rhs_depth) = self.expr(rhs_pair);
                    depth = depth.max(rhs_depth) + 1;
                    let whole = lhs.span.cover(rhs.span);
                    if depth > limits::MAX_EXPR_DEPTH {
                        self.too_deep(whole);
                        return (placeholder(whole), 1);
                    }
                    let kind = ExprKind::Binary(binary_op(&op), Box::new(lhs), Box::new(rhs));
                    lhs = Spanned::new(kind, whole);
                }
                (lhs, depth)
            }
            Rule::not_expr => {
                // The `not`s, then the operand: most operands have no
                // `not`, and then nothing is allocated here.
                let mut prefixes = Vec::new();
                let mut operand = None;
                for part in children(pair) {
                    prefixes.extend(operand.replace(part));
                }
                let Some(operand) = operand else {
                    return (placeholder(span), 1);
                };
                let (mut expr, mut depth) = self.expr(operand);
                for prefix in prefixes.iter().rev() {
                    depth += 1;
                    let whole = self.span_of(prefix).cover(expr.span);
                    if depth > limits::MAX_EXPR_DEPTH {
                        self.too_deep(whole);
                        return (placeholder(whole), 1);
                    }
                    let op = if prefix.as_rule() == Rule::kw_not {
                        UnaryOp::Not
                    } else {
                        UnaryOp::Neg
                    };
                    expr = Spanned::new(ExprKind::Unary(op, Box::new(expr)), whole);
                }
                (expr, depth)
            }
            Rule::postfix_expr => {
                let mut parts = children(pair).peekable();
                let Some(first) = parts.next() else {
                    return (placeholder(span), 1);
                };
                let (mut expr, mut depth) =
                    match parts.next_if(|next| next.as_rule() == Rule::call_args) {
                        Some(args) => {
                            let (call, depth) = self.call(first, args);
                            if depth > limits::MAX_EXPR_DEPTH {
                                self.too_deep(call.span);
                                (placeholder(call.span), 1)
                            } else {
                                (call, depth)
                            }
                        }
                        None => self.expr(first),
                    };
                for field in parts {
                    depth += 1;
                    let field = self.ident(field);
                    let whole = expr.span.cover(field.span);
                    if depth > limits::MAX_EXPR_DEPTH {
                        self.too_deep(whole);
                        return (placeholder(whole), 1);
                    }
                    expr = Spanned::new(ExprKind::Field(Box::new(expr), field), whole);
                }
                (expr, depth)
            }
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

/// The operand of a precedence level that holds nothing else: an `expr`
/// without `where`/`or`/`and`, a `not_expr` without `not`, a `cmp_expr`
/// without comparison, an `arith_expr` without signs or operators, a
/// `postfix_expr` without call or fields. Building the level would give
/// the operand's own tree and depth unchanged.
fn pass_through<'i>(pair: &Pair<'i, Rule>) -> Option<Pair<'i, Rule>> {
    let level = pair.as_rule();
    if !matches!(
        level,
        Rule::expr | Rule::not_expr | Rule::cmp_expr | Rule::arith_expr | Rule::postfix_expr
    ) {
        return None;
    }
    let only = only_child(pair)?;
    let operand = match level {
        Rule::expr => only.as_rule() == Rule::not_expr,
        Rule::not_expr => only.as_rule() == Rule::cmp_expr,
        Rule::cmp_expr => only.as_rule() == Rule::arith_expr,
        Rule::arith_expr => only.as_rule() == Rule::postfix_expr,
        // The operand comes first; call arguments never come alone.
        _ => only.as_rule() != Rule::call_args,
    };
    operand.then_some(only)
}

/// The one child of a pair (comments aside), if it has exactly one.
fn only_child<'i>(pair: &Pair<'i, Rule>) -> Option<Pair<'i, Rule>> {
    let mut parts = children(pair.clone());
    let first = parts.next()?;
    parts.next().is_none().then_some(first)
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
