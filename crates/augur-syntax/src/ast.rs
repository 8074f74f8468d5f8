//! The typed syntax tree of one playbook file.
//!
//! Every node that can be pointed at is a [`Spanned`] value, so it knows the
//! bytes it came from; equality ignores spans. The tree is a faithful record of
//! what was written (parentheses included), not a resolved program: names are
//! strings here and get their meaning in `augur-check`.

use crate::date::Date;
use crate::span::{Span, Spanned};

/// A name as written (identifier), with its span.
pub type Ident = Spanned<String>;
/// A string literal without interpolation (titles, labels, docs, paths).
pub type PlainString = Spanned<String>;
pub type Item = Spanned<ItemKind>;
pub type Expr = Spanned<ExprKind>;
pub type TypeExpr = Spanned<TypeKind>;

/// One parsed file: its items in order, every comment (for the formatter),
/// and the names declared by items or entries that did not parse.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct File {
    pub items: Vec<Item>,
    pub comments: Vec<Comment>,
    pub broken: Vec<BrokenDecl>,
}

/// A name whose declaration did not parse (`signal late_risk { when ++ }`
/// swallowed by recovery). A syntax error has already been reported there;
/// the checker treats the name as existing, so its uses raise no second error.
#[derive(Clone, Debug, PartialEq)]
pub struct BrokenDecl {
    pub kind: BrokenKind,
    pub name: Ident,
}

/// What kind of name a broken declaration declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BrokenKind {
    /// A fact, `let`, signal, group, verdict or advice.
    Value,
    /// An enum or record.
    Type,
    /// An enum variant, a record field or a verdict arm.
    Member,
}

/// A `# …` comment; `text` includes the `#`, not the line break.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    pub span: Span,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ItemKind {
    Playbook(PlaybookHeader),
    Import(Import),
    Enum(EnumDef),
    Record(RecordDef),
    Facts(FactsBlock),
    Let(LetDef),
    Group(GroupDef),
    Signal(SignalDef),
    Verdict(VerdictDef),
    Advice(AdviceDef),
    Test(TestDef),
}

impl ItemKind {
    /// The declared name, for items that have one.
    pub fn name(&self) -> Option<&Ident> {
        match self {
            ItemKind::Enum(def) => Some(&def.name),
            ItemKind::Record(def) => Some(&def.name),
            ItemKind::Let(def) => Some(&def.name),
            ItemKind::Group(def) => Some(&def.name),
            ItemKind::Signal(def) => Some(&def.name),
            ItemKind::Verdict(def) => Some(&def.name),
            ItemKind::Advice(def) => Some(&def.name),
            ItemKind::Playbook(_)
            | ItemKind::Import(_)
            | ItemKind::Facts(_)
            | ItemKind::Test(_) => None,
        }
    }

    /// The keyword that starts the item, as people call it.
    pub fn keyword(&self) -> &'static str {
        match self {
            ItemKind::Playbook(_) => "playbook",
            ItemKind::Import(_) => "import",
            ItemKind::Enum(_) => "enum",
            ItemKind::Record(_) => "record",
            ItemKind::Facts(_) => "facts",
            ItemKind::Let(_) => "let",
            ItemKind::Group(_) => "group",
            ItemKind::Signal(_) => "signal",
            ItemKind::Verdict(_) => "verdict",
            ItemKind::Advice(_) => "advice",
            ItemKind::Test(_) => "test",
        }
    }
}

/// `playbook "title" version "1.0.0"`
#[derive(Clone, Debug, PartialEq)]
pub struct PlaybookHeader {
    pub title: PlainString,
    pub version: Option<PlainString>,
}

/// `import "path/to/file.augur"`
#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    pub path: PlainString,
}

/// `enum Name "doc" { a "doc", b }`
#[derive(Clone, Debug, PartialEq)]
pub struct EnumDef {
    pub name: Ident,
    pub doc: Option<PlainString>,
    pub variants: Vec<Spanned<VariantDef>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct VariantDef {
    pub name: Ident,
    pub doc: Option<PlainString>,
}

/// `record Name "doc" { field: Type "doc" }`
#[derive(Clone, Debug, PartialEq)]
pub struct RecordDef {
    pub name: Ident,
    pub doc: Option<PlainString>,
    pub fields: Vec<Spanned<FieldDef>>,
}

/// A record field or a fact: `name: Type "doc"`.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldDef {
    pub name: Ident,
    pub ty: TypeExpr,
    pub doc: Option<PlainString>,
}

/// `facts { … }`
#[derive(Clone, Debug, PartialEq)]
pub struct FactsBlock {
    pub facts: Vec<Spanned<FieldDef>>,
}

/// A type as written: a name or `list<T>`, and `?` if it may be unknown.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeKind {
    Named {
        name: Ident,
        optional: bool,
    },
    List {
        element: Box<TypeExpr>,
        optional: bool,
    },
}

/// `let name = expr`
#[derive(Clone, Debug, PartialEq)]
pub struct LetDef {
    pub name: Ident,
    pub value: Expr,
}

/// `group name "label" when cond { signals }`
#[derive(Clone, Debug, PartialEq)]
pub struct GroupDef {
    pub name: Ident,
    pub label: Option<PlainString>,
    pub when: Option<Expr>,
    pub signals: Vec<Spanned<SignalDef>>,
}

/// `signal name "label" { when …  weight …  message "…" }`
#[derive(Clone, Debug, PartialEq)]
pub struct SignalDef {
    pub name: Ident,
    pub label: Option<PlainString>,
    /// The clauses in the order written (the formatter keeps that order).
    pub clauses: Vec<Spanned<SignalClause>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SignalClause {
    When(Expr),
    Weight(i64),
    Message(Template),
}

impl SignalDef {
    pub fn when(&self) -> Option<&Expr> {
        self.clauses.iter().find_map(|clause| match &clause.node {
            SignalClause::When(expr) => Some(expr),
            _ => None,
        })
    }

    pub fn weight(&self) -> Option<Spanned<i64>> {
        self.clauses.iter().find_map(|clause| match clause.node {
            SignalClause::Weight(weight) => Some(Spanned::new(weight, clause.span)),
            _ => None,
        })
    }

    pub fn message(&self) -> Option<&Template> {
        self.clauses.iter().find_map(|clause| match &clause.node {
            SignalClause::Message(template) => Some(template),
            _ => None,
        })
    }
}

/// `verdict name "label" { arm "label" when cond … arm "label" otherwise }`
#[derive(Clone, Debug, PartialEq)]
pub struct VerdictDef {
    pub name: Ident,
    pub label: Option<PlainString>,
    pub arms: Vec<Spanned<VerdictArm>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct VerdictArm {
    pub name: Ident,
    pub label: Option<PlainString>,
    pub condition: ArmCondition,
}

#[derive(Clone, Debug)]
pub enum ArmCondition {
    When(Expr),
    /// The span of the `otherwise` keyword.
    Otherwise(Span),
}

/// Equality ignores the span of `otherwise`, like [`Spanned`].
impl PartialEq for ArmCondition {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (ArmCondition::When(a), ArmCondition::When(b)) => a == b,
            (ArmCondition::Otherwise(_), ArmCondition::Otherwise(_)) => true,
            _ => false,
        }
    }
}

/// `advice name "label" when cond { "text" "more text" }`
#[derive(Clone, Debug, PartialEq)]
pub struct AdviceDef {
    pub name: Ident,
    pub label: Option<PlainString>,
    pub when: Expr,
    /// One or more strings, joined with a space when shown.
    pub text: Vec<Template>,
}

/// `test "name" { given …  today …  expect … }`
#[derive(Clone, Debug, PartialEq)]
pub struct TestDef {
    pub name: PlainString,
    pub statements: Vec<Spanned<TestStatement>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TestStatement {
    /// `given "deals/case.json"`, relative to the playbook.
    GivenFile(PlainString),
    /// `given { stage = mid, … }`
    GivenInline(Vec<DataEntry>),
    /// `today 2026-11-20`
    Today(Date),
    /// `expect cond`
    Expect(Expr),
}

/// `name = value` inside an inline deal.
#[derive(Clone, Debug, PartialEq)]
pub struct DataEntry {
    pub key: Ident,
    pub value: Spanned<DataValue>,
}

/// A literal value in an inline deal.
#[derive(Clone, Debug, PartialEq)]
pub enum DataValue {
    Record(Vec<DataEntry>),
    List(Vec<Spanned<DataValue>>),
    Date(Date),
    Int(i64),
    /// A decimal number as written (`12.5`, `-0.25`).
    Number(String),
    Bool(bool),
    Text(String),
    /// A bare identifier: an enum variant.
    Variant(String),
}

/// A string literal that may interpolate `{expr}`.
#[derive(Clone, Debug)]
pub struct Template {
    pub parts: Vec<TemplatePart>,
    pub span: Span,
}

/// Equality ignores the span, like [`Spanned`].
impl PartialEq for Template {
    fn eq(&self, other: &Self) -> bool {
        self.parts == other.parts
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum TemplatePart {
    Text(String),
    Interpolation(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Bool(bool),
    Int(i64),
    /// A decimal literal as written, e.g. `2.5`.
    Number(String),
    Date(Date),
    Text(Template),
    /// A bare name: a fact, let, signal, verdict, `it`, `score`, `today`, or an
    /// enum variant when the expected type says so.
    Name(String),
    /// `base.field` (a record field, a field of every list item, or `Enum.variant`).
    Field(Box<Expr>, Ident),
    /// `function(args…)`
    Call(Ident, Vec<Expr>),
    List(Vec<Expr>),
    /// `( expr )`, kept so the formatter can keep the author's grouping.
    Paren(Box<Expr>),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `list where condition`
    Where(Box<Expr>, Box<Expr>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
    Neg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Coalesce,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::In => "in",
            BinaryOp::NotIn => "not in",
            BinaryOp::Coalesce => "??",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
        }
    }

    /// Binding strength; higher binds tighter. `where` is 0, unary `-` is 8.
    pub fn precedence(self) -> u8 {
        match self {
            BinaryOp::Or => 1,
            BinaryOp::And => 2,
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge
            | BinaryOp::In
            | BinaryOp::NotIn => 4,
            BinaryOp::Coalesce => 5,
            BinaryOp::Add | BinaryOp::Sub => 6,
            BinaryOp::Mul | BinaryOp::Div => 7,
        }
    }

    pub fn is_comparison(self) -> bool {
        self.precedence() == 4
    }
}

/// Calls `visit` on `expr` and every expression inside it, parents first.
/// Iterative, so deep trees cannot overflow the stack.
pub fn walk_expr<'a>(expr: &'a Expr, mut visit: impl FnMut(&'a Expr)) {
    let mut stack = vec![expr];
    while let Some(expr) = stack.pop() {
        visit(expr);
        match &expr.node {
            ExprKind::Bool(_)
            | ExprKind::Int(_)
            | ExprKind::Number(_)
            | ExprKind::Date(_)
            | ExprKind::Name(_) => {}
            ExprKind::Text(template) => {
                for part in template.parts.iter().rev() {
                    if let TemplatePart::Interpolation(inner) = part {
                        stack.push(inner);
                    }
                }
            }
            ExprKind::Field(base, _) | ExprKind::Paren(base) | ExprKind::Unary(_, base) => {
                stack.push(base)
            }
            ExprKind::Call(_, args) | ExprKind::List(args) => stack.extend(args.iter().rev()),
            ExprKind::Binary(_, lhs, rhs) | ExprKind::Where(lhs, rhs) => {
                stack.push(rhs);
                stack.push(lhs);
            }
        }
    }
}
