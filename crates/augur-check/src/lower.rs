//! Expressions: name resolution, type checking and lowering to [`ir::Expr`].
//!
//! One function, [`Checker::lower`], walks an expression with the type the
//! context expects (which is how a bare `early` becomes `Stage.early`), and
//! returns the typed IR. Every problem is reported here with its exact span;
//! the result then has type `Error`, which is compatible with everything so
//! one mistake yields one diagnostic.

use crate::check::{Checker, LetState, RESERVED_VALUES};
use crate::ir::{self, *};
use crate::order::Node;
use augur_syntax::ast::{self, BinaryOp, ExprKind as Ast, UnaryOp};
use augur_syntax::{did_you_mean, Code, Diagnostic, Span};
use rust_decimal::Decimal;
use std::str::FromStr;

/// Longest chain of lets that depend on each other, checked recursively.
const MAX_LET_CHAIN: usize = 64;

pub(crate) fn enum_id(ty: &Type) -> EnumId {
    match ty {
        Type::Enum(id) => *id,
        _ => EnumId::MAX,
    }
}

pub(crate) fn boxed(expr: ir::Expr) -> Box<ir::Expr> {
    Box::new(expr)
}

impl Checker<'_> {
    pub(crate) fn type_name(&self, ty: &Type) -> String {
        self.program.type_name(ty)
    }

    pub(crate) fn mismatch(&mut self, span: Span, expected: &str, found: &Ty, help: &str) {
        if found.ty.is_error() {
            return;
        }
        // The parser stands in a placeholder for a literal it rejected; its
        // type says nothing, so do not report it twice.
        let file = self.file;
        let already_reported = self.diagnostics.iter().any(|d| {
            d.file == file
                && d.is_error()
                && d.span.start < span.end.max(span.start + 1)
                && span.start < d.span.end.max(d.span.start + 1)
        });
        if already_reported {
            return;
        }
        let found_name = self.program.ty_name(found);
        self.error(
            Diagnostic::error(
                Code::TypeMismatch,
                span,
                format!("expected {expected}, found {found_name}"),
            )
            .with_label(format!("this is {found_name}"))
            .with_help(help.to_string()),
        );
    }

    pub(crate) fn node(&self, kind: ExprKind, ty: Ty, span: Span) -> ir::Expr {
        ir::Expr {
            kind,
            ty,
            location: self.location(span),
        }
    }

    pub(crate) fn poisoned(&self, span: Span) -> ir::Expr {
        self.node(ExprKind::Literal(Literal::Bool(false)), Ty::error(), span)
    }

    /// Lowers a condition: must be a `bool`.
    pub(crate) fn lower_condition(&mut self, expr: &ast::Expr) -> ir::Expr {
        let lowered = self.lower(expr, Some(&Type::Bool));
        if !matches!(lowered.ty.ty, Type::Bool | Type::Error) {
            self.mismatch(
                expr.span,
                "a yes/no condition (bool)",
                &lowered.ty,
                "a condition compares values, e.g. `stage == late` or `score >= 3`",
            );
        }
        lowered
    }

    pub(crate) fn lower_template(&mut self, template: &ast::Template) -> Template {
        let parts = template
            .parts
            .iter()
            .map(|part| match part {
                ast::TemplatePart::Text(text) => TemplatePart::Text(text.as_str().into()),
                ast::TemplatePart::Interpolation(expr) => {
                    TemplatePart::Value(self.lower(expr, None))
                }
            })
            .collect();
        Template { parts }
    }

    /// The type of a let, checking it first if needed.
    pub(crate) fn let_type(&mut self, id: LetId, used_at: Option<Span>) -> Ty {
        match self.let_states.get(id as usize) {
            Some(LetState::Done(ty)) => return ty.clone(),
            Some(LetState::InProgress) => {
                if let Some(at) = used_at {
                    let name = self
                        .program
                        .lets
                        .get(id as usize)
                        .map(|l| l.name.clone())
                        .unwrap_or_default();
                    self.error(
                        Diagnostic::error(Code::Cycle, at, format!("`{name}` depends on itself"))
                            .with_label("used here while it is being defined")
                            .with_help("a let cannot be computed from itself, directly or through other lets"),
                    );
                }
                return Ty::error();
            }
            Some(LetState::Pending) => {}
            None => return Ty::error(),
        }
        let Some(&(file, def)) = self.let_defs.get(id as usize) else {
            return Ty::error();
        };
        if self.let_depth >= MAX_LET_CHAIN {
            if let Some(at) = used_at {
                self.error(
                    Diagnostic::error(
                        Code::TooDeep,
                        at,
                        format!("more than {MAX_LET_CHAIN} lets depend on each other in one chain"),
                    )
                    .with_help("shorten the chain of lets"),
                );
            }
            return Ty::error();
        }
        if let Some(state) = self.let_states.get_mut(id as usize) {
            *state = LetState::InProgress;
        }
        // Save the caller's context: lets are checked on demand from inside
        // other rules.
        let saved_file = std::mem::replace(&mut self.file, file);
        let saved_scopes = std::mem::take(&mut self.item_scopes);
        let saved_reads = std::mem::take(&mut self.reads);
        let saved_deps = std::mem::take(&mut self.deps);
        self.let_depth += 1;
        let value = self.lower(&def.value, None);
        self.let_depth -= 1;
        let mut reads = std::mem::replace(&mut self.reads, saved_reads);
        reads.sort();
        reads.dedup();
        let deps = std::mem::replace(&mut self.deps, saved_deps);
        self.step_deps.push((Step::Let(id), deps));
        self.item_scopes = saved_scopes;
        self.file = saved_file;
        let ty = value.ty.clone();
        if let Some(info) = self.program.lets.get_mut(id as usize) {
            info.value = value;
        }
        if let Some(state) = self.let_states.get_mut(id as usize) {
            *state = LetState::Done(ty.clone());
        }
        ty
    }

    pub(crate) fn read(&mut self, read: Read, span: Span) {
        self.reads.push(read);
        self.referenced.insert(read);
        let node = match read {
            Read::Fact(_) => return,
            Read::Let(id) => Node::Step(Step::Let(id)),
            Read::Signal(id) => Node::Step(Step::Signal(id)),
            Read::Verdict(id) => Node::Step(Step::Verdict(id)),
        };
        let location = self.location(span);
        self.deps.push((node, location));
    }

    /// Is `name` something other than an enum variant at this point?
    pub(crate) fn is_value_name(&self, name: &str) -> bool {
        self.values.contains_key(name)
            || RESERVED_VALUES.contains(&name)
            || self
                .item_scopes
                .iter()
                .any(|scope| self.record_field(scope, name).is_some())
    }

    pub(crate) fn record_field(&self, ty: &Type, name: &str) -> Option<(u32, Ty)> {
        let Type::Record(id) = ty else { return None };
        let record = self.program.records.get(*id as usize)?;
        record
            .fields
            .iter()
            .enumerate()
            .find(|(_, f)| f.name == name)
            .map(|(i, f)| (i as u32, f.ty.clone()))
    }

    pub(crate) fn variant_index(&self, ty: &Type, name: &str) -> Option<u32> {
        self.program
            .variant_names_iter(ty)
            .position(|v| v == name)
            .map(|i| i as u32)
    }

    /// Lowers `expr`; `expected` is the type the context wants, used to read
    /// bare enum variants (it is a hint: callers check the result's type).
    pub(crate) fn lower(&mut self, expr: &ast::Expr, expected: Option<&Type>) -> ir::Expr {
        let span = expr.span;
        match &expr.node {
            Ast::Bool(value) => self.node(
                ExprKind::Literal(Literal::Bool(*value)),
                Ty::known(Type::Bool),
                span,
            ),
            Ast::Int(value) => self.node(
                ExprKind::Literal(Literal::Int(*value)),
                Ty::known(Type::Int),
                span,
            ),
            Ast::Number(text) => match Decimal::from_str(text) {
                Ok(value) => self.node(
                    ExprKind::Literal(Literal::Number(value)),
                    Ty::known(Type::Number),
                    span,
                ),
                Err(_) => {
                    self.error(
                        Diagnostic::error(
                            Code::BadLiteral,
                            span,
                            format!("the number {text} cannot be represented"),
                        )
                        .with_help("numbers have at most 28 significant digits"),
                    );
                    self.poisoned(span)
                }
            },
            Ast::Date(date) => self.node(
                ExprKind::Literal(Literal::Date(*date)),
                Ty::known(Type::Date),
                span,
            ),
            Ast::Text(template) => {
                let template = self.lower_template(template);
                let constant = match template.parts.as_slice() {
                    [] => Some(String::new()),
                    [TemplatePart::Text(text)] => Some(text.to_string()),
                    _ => None,
                };
                match constant {
                    Some(text) => self.node(
                        ExprKind::Literal(Literal::Text(text.into())),
                        Ty::known(Type::Text),
                        span,
                    ),
                    None => self.node(ExprKind::Text(template), Ty::known(Type::Text), span),
                }
            }
            Ast::Name(name) => self.lower_name(name, span, expected),
            Ast::Field(base, field) => self.lower_field(base, field, span),
            Ast::Call(name, args) => self.lower_call(name, args, span),
            Ast::List(items) => {
                let element_hint = match expected {
                    Some(Type::List(element)) => Some(element.as_ref().clone()),
                    _ => None,
                };
                let mut element = Type::Nothing;
                let mut maybe_unknown = false;
                let mut lowered = Vec::with_capacity(items.len());
                for item in items {
                    let hint = element_hint
                        .clone()
                        .or_else(|| (element != Type::Nothing).then(|| element.clone()));
                    let item = self.lower(item, hint.as_ref());
                    match element.unify(&item.ty.ty) {
                        Some(unified) => element = unified,
                        None => {
                            let expected = self.type_name(&element);
                            self.mismatch(
                                item.location.span,
                                &expected,
                                &item.ty,
                                "all items of a list have the same type",
                            );
                        }
                    }
                    maybe_unknown |= item.ty.maybe_unknown;
                    lowered.push(item);
                }
                self.node(
                    ExprKind::List(lowered),
                    Ty {
                        ty: Type::List(Box::new(element)),
                        maybe_unknown,
                    },
                    span,
                )
            }
            Ast::Paren(inner) => {
                let mut lowered = self.lower(inner, expected);
                lowered.location.span = span;
                lowered
            }
            Ast::Unary(UnaryOp::Not, operand) => {
                let operand = self.lower(operand, Some(&Type::Bool));
                if !matches!(operand.ty.ty, Type::Bool | Type::Error) {
                    self.mismatch(
                        operand.location.span,
                        "a yes/no value (bool) after `not`",
                        &operand.ty,
                        "`not` turns true into false and back",
                    );
                }
                let ty = Ty {
                    ty: Type::Bool,
                    maybe_unknown: operand.ty.maybe_unknown,
                };
                self.node(ExprKind::Not(boxed(operand)), ty, span)
            }
            Ast::Unary(UnaryOp::Neg, operand) => {
                let operand = self.lower(operand, None);
                if !operand.ty.ty.is_numeric() {
                    self.mismatch(
                        operand.location.span,
                        "a number after `-`",
                        &operand.ty,
                        "only numbers can be negated",
                    );
                }
                let ty = operand.ty.clone();
                self.node(ExprKind::Neg(boxed(operand)), ty, span)
            }
            Ast::Binary(op, lhs, rhs) => self.lower_binary(*op, lhs, rhs, span),
            Ast::Where(list, cond) => {
                let list = self.lower(list, None);
                self.lower_filter(list, cond, FilterMode::Where, span)
            }
        }
    }

    fn lower_field(&mut self, base: &ast::Expr, field: &ast::Ident, span: Span) -> ir::Expr {
        // `Stage.early`: a qualified variant.
        if let Ast::Name(type_name) = &base.node {
            if !self.is_value_name(type_name) {
                if let Some(crate::check::TypeRef::Enum(id)) = self.types.get(type_name).copied() {
                    self.occurrence(Symbol::Enum(id), base.span, false);
                    let ty = Type::Enum(id);
                    if let Some(index) = self.variant_index(&ty, &field.node) {
                        self.occurrence(Symbol::Variant(id, index), field.span, false);
                        return self.node(
                            ExprKind::Literal(Literal::Variant(index)),
                            Ty::known(ty),
                            span,
                        );
                    }
                    self.unknown_name(&field.node, field.span, Some(&ty));
                    return self.poisoned(span);
                }
            }
        }
        let base = self.lower(base, None);
        let (record, is_list) = match &base.ty.ty {
            Type::Record(id) => (*id, false),
            Type::List(element) => match element.as_ref() {
                Type::Record(id) => (*id, true),
                _ => return self.not_a_record(base, field, span),
            },
            Type::Error => return self.poisoned(span),
            _ => return self.not_a_record(base, field, span),
        };
        let Some((index, field_ty)) = self.record_field(&Type::Record(record), &field.node) else {
            if self.broken.members.contains(&field.node) {
                return self.poisoned(span);
            }
            let record_info = self.program.records.get(record as usize);
            let names: Vec<String> = record_info
                .map(|r| r.fields.iter().map(|f| f.name.clone()).collect())
                .unwrap_or_default();
            let record_name = record_info.map(|r| r.name.clone()).unwrap_or_default();
            let mut diagnostic = Diagnostic::error(
                Code::UnknownField,
                field.span,
                format!("`{record_name}` has no field `{}`", field.node),
            )
            .with_label("unknown field");
            diagnostic = match did_you_mean(&field.node, names.iter().map(String::as_str))
                .map(str::to_string)
            {
                Some(s) => diagnostic
                    .with_help(format!(
                        "did you mean `{s}`? The fields are: {}",
                        names.join(", ")
                    ))
                    .with_suggestion(format!("Change to `{s}`"), field.span, s),
                None => diagnostic.with_help(format!(
                    "the fields of `{record_name}` are: {}",
                    names.join(", ")
                )),
            };
            self.error(diagnostic);
            return self.poisoned(span);
        };
        self.occurrence(Symbol::Field(record, index), field.span, false);
        if is_list {
            let ty = Ty {
                ty: Type::List(Box::new(field_ty.ty)),
                maybe_unknown: base.ty.maybe_unknown,
            };
            self.node(ExprKind::MapField(boxed(base), index), ty, span)
        } else {
            let ty = Ty {
                ty: field_ty.ty,
                maybe_unknown: field_ty.maybe_unknown || base.ty.maybe_unknown,
            };
            self.node(ExprKind::Field(boxed(base), index), ty, span)
        }
    }

    fn not_a_record(&mut self, base: ir::Expr, field: &ast::Ident, span: Span) -> ir::Expr {
        let found = self.program.ty_name(&base.ty);
        self.error(
            Diagnostic::error(
                Code::TypeMismatch,
                field.span,
                format!("`{found}` has no fields"),
            )
            .with_label("field of a value that is not a record")
            .with_help("only records (and lists of records) have fields, e.g. `last_meeting.on`"),
        );
        self.poisoned(span)
    }

    pub(crate) fn lower_filter(
        &mut self,
        list: ir::Expr,
        cond: &ast::Expr,
        mode: FilterMode,
        span: Span,
    ) -> ir::Expr {
        let element = match &list.ty.ty {
            Type::List(element) => element.as_ref().clone(),
            Type::Error => Type::Error,
            _ => {
                let what = if mode == FilterMode::Where {
                    "`where`"
                } else {
                    "this function"
                };
                self.mismatch(
                    list.location.span,
                    &format!("a list before {what}"),
                    &list.ty,
                    "`where` keeps the items of a list that meet a condition",
                );
                Type::Error
            }
        };
        self.item_scopes.push(element.clone());
        let cond = self.lower_condition(cond);
        self.item_scopes.pop();
        let ty = match mode {
            FilterMode::Where => Ty {
                ty: Type::List(Box::new(element)),
                maybe_unknown: list.ty.maybe_unknown,
            },
            FilterMode::Any | FilterMode::All => Ty {
                ty: Type::Bool,
                maybe_unknown: list.ty.maybe_unknown || cond.ty.maybe_unknown,
            },
        };
        self.node(
            ExprKind::Filter {
                list: boxed(list),
                cond: boxed(cond),
                mode,
            },
            ty,
            span,
        )
    }

    fn lower_binary(
        &mut self,
        op: BinaryOp,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        span: Span,
    ) -> ir::Expr {
        match op {
            BinaryOp::And | BinaryOp::Or => {
                let lhs = self.lower_condition(lhs);
                if op == BinaryOp::Or {
                    if let Some((fix, variant)) = self.or_of_variants_fix(&lhs, rhs) {
                        // The fix rewrites the left comparison too: a warning
                        // about it would be a second message for one mistake.
                        let (file, left) = (self.file, lhs.location.span);
                        self.diagnostics.retain(|d| {
                            !(d.code == Code::VariantReadsAsUnknown
                                && d.file == file
                                && d.span == left)
                        });
                        self.error(
                            Diagnostic::error(
                                Code::UnknownName,
                                rhs.span,
                                format!("`{variant}` alone is not a condition"),
                            )
                            .with_label("a variant, not a yes/no question")
                            .with_help(format!(
                                "`or` joins two conditions; to ask whether a value is one of several variants, write `{fix}`"
                            ))
                            .with_suggestion(format!("Change to `{fix}`"), span, fix.clone()),
                        );
                        let rhs = self.poisoned(rhs.span);
                        let kind = ExprKind::Or(boxed(lhs), boxed(rhs));
                        return self.node(kind, Ty::error(), span);
                    }
                }
                let rhs = self.lower_condition(rhs);
                let ty = Ty {
                    ty: Type::Bool,
                    maybe_unknown: lhs.ty.maybe_unknown || rhs.ty.maybe_unknown,
                };
                let kind = if op == BinaryOp::And {
                    ExprKind::And(boxed(lhs), boxed(rhs))
                } else {
                    ExprKind::Or(boxed(lhs), boxed(rhs))
                };
                self.node(kind, ty, span)
            }
            BinaryOp::In | BinaryOp::NotIn => {
                let value = self.lower(lhs, None);
                let list = self.lower(rhs, Some(&Type::List(Box::new(value.ty.ty.clone()))));
                match &list.ty.ty {
                    Type::List(element) => {
                        if value.ty.ty.unify(element).is_none() {
                            let expected =
                                format!("a list of {}", self.program.type_name(&value.ty.ty));
                            self.mismatch(
                                list.location.span,
                                &expected,
                                &list.ty,
                                "`in` looks for a value in a list of the same type",
                            );
                        }
                    }
                    Type::Error => {}
                    _ => self.mismatch(
                        list.location.span,
                        "a list after `in`",
                        &list.ty,
                        "write the choices in brackets, e.g. `stage in [mid, late]`",
                    ),
                }
                let ty = Ty {
                    ty: Type::Bool,
                    maybe_unknown: value.ty.maybe_unknown || list.ty.maybe_unknown,
                };
                self.node(
                    ExprKind::In {
                        value: boxed(value),
                        list: boxed(list),
                        negated: op == BinaryOp::NotIn,
                    },
                    ty,
                    span,
                )
            }
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge => {
                // A bare variant on the left (`early == stage`) takes its type
                // from the right.
                let lhs_is_bare = matches!(&lhs.node, Ast::Name(n) if !self.is_value_name(n) && self.is_some_variant(n));
                let (lhs, rhs) = if lhs_is_bare {
                    let rhs = self.lower(rhs, None);
                    let lhs = self.lower(lhs, Some(&rhs.ty.ty));
                    (lhs, rhs)
                } else {
                    let lhs = self.lower(lhs, None);
                    let rhs = self.lower(rhs, Some(&lhs.ty.ty));
                    (lhs, rhs)
                };
                if matches!(op, BinaryOp::Eq | BinaryOp::Ne) {
                    self.variant_reads_as_unknown(&lhs, &rhs, span);
                }
                let compare = match op {
                    BinaryOp::Eq => CompareOp::Eq,
                    BinaryOp::Ne => CompareOp::Ne,
                    BinaryOp::Lt => CompareOp::Lt,
                    BinaryOp::Le => CompareOp::Le,
                    BinaryOp::Gt => CompareOp::Gt,
                    _ => CompareOp::Ge,
                };
                match lhs.ty.ty.unify(&rhs.ty.ty) {
                    None => {
                        let expected = self.program.type_name(&lhs.ty.ty);
                        self.mismatch(
                            rhs.location.span,
                            &expected,
                            &rhs.ty,
                            "both sides of a comparison must have the same type",
                        );
                    }
                    Some(common) => {
                        let ordered = matches!(
                            common,
                            Type::Int
                                | Type::Number
                                | Type::Date
                                | Type::Text
                                | Type::Enum(_)
                                | Type::Verdict(_)
                                | Type::Error
                        );
                        if !matches!(compare, CompareOp::Eq | CompareOp::Ne) && !ordered {
                            let found = Ty::known(common);
                            self.mismatch(
                                span,
                                "numbers, dates, texts or enum values to order",
                                &found,
                                "only values with an order can be compared with < <= > >=",
                            );
                        }
                    }
                }
                let ty = Ty {
                    ty: Type::Bool,
                    maybe_unknown: lhs.ty.maybe_unknown || rhs.ty.maybe_unknown,
                };
                self.node(ExprKind::Compare(compare, boxed(lhs), boxed(rhs)), ty, span)
            }
            BinaryOp::Coalesce => {
                let lhs = self.lower(lhs, None);
                let rhs = self.lower(rhs, Some(&lhs.ty.ty));
                if !lhs.ty.maybe_unknown && !lhs.ty.ty.is_error() {
                    self.never_unknown(lhs.location.span, "`??`");
                }
                let ty = match lhs.ty.ty.unify(&rhs.ty.ty) {
                    Some(ty) => ty,
                    None => {
                        let expected = self.program.type_name(&lhs.ty.ty);
                        self.mismatch(
                            rhs.location.span,
                            &expected,
                            &rhs.ty,
                            "the default after `??` must have the type of the value before it",
                        );
                        Type::Error
                    }
                };
                let ty = Ty {
                    ty,
                    maybe_unknown: rhs.ty.maybe_unknown,
                };
                self.node(ExprKind::Coalesce(boxed(lhs), boxed(rhs)), ty, span)
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => {
                let lhs = self.lower(lhs, None);
                let rhs = self.lower(rhs, None);
                let arith = match op {
                    BinaryOp::Add => ArithOp::Add,
                    BinaryOp::Sub => ArithOp::Sub,
                    BinaryOp::Mul => ArithOp::Mul,
                    _ => ArithOp::Div,
                };
                let result = match (&lhs.ty.ty, &rhs.ty.ty, arith) {
                    (Type::Error, _, _) | (_, Type::Error, _) => Type::Error,
                    (Type::Int, Type::Int, ArithOp::Div) => Type::Number,
                    (Type::Int, Type::Int, _) => Type::Int,
                    (Type::Int | Type::Number, Type::Int | Type::Number, _) => Type::Number,
                    (Type::Date, Type::Date, ArithOp::Sub) => Type::Int,
                    (Type::Date, Type::Int, ArithOp::Add | ArithOp::Sub) => Type::Date,
                    (Type::Text, Type::Text, ArithOp::Add) => Type::Text,
                    _ => {
                        let (l, r) = (self.program.ty_name(&lhs.ty), self.program.ty_name(&rhs.ty));
                        self.error(
                            Diagnostic::error(Code::TypeMismatch, span, format!("cannot compute {l} {} {r}", op.symbol()))
                                .with_label("these values cannot be combined")
                                .with_help("arithmetic works on numbers; dates can be subtracted (giving days) or moved by a number of days; texts can be joined with +"),
                        );
                        Type::Error
                    }
                };
                let maybe_unknown =
                    lhs.ty.maybe_unknown || rhs.ty.maybe_unknown || arith == ArithOp::Div;
                self.node(
                    ExprKind::Arith(arith, boxed(lhs), boxed(rhs)),
                    Ty {
                        ty: result,
                        maybe_unknown,
                    },
                    span,
                )
            }
        }
    }
}

pub(crate) fn unreachable_symbol() -> Symbol {
    Symbol::Enum(0)
}
