//! The checked program: every name resolved to an index, every expression
//! typed. This is what `augur-eval` runs; it never looks a name up.
//!
//! Indices (`FactId`, `LetId`, …) are positions in the `Program`'s vectors.
//! Expressions keep their span and file so evaluation errors (overflow) can
//! point back at the source.

use augur_syntax::{ast, Date, FileId, Span};
use rust_decimal::Decimal;
use std::fmt;
use std::sync::Arc;

pub type EnumId = u32;
pub type RecordId = u32;
pub type FactId = u32;
pub type LetId = u32;
pub type GroupId = u32;
pub type SignalId = u32;
pub type VerdictId = u32;
pub type AdviceId = u32;

/// A value's type. `Error` stands for "already reported" and is compatible
/// with everything, so one mistake does not cascade into many.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    Bool,
    Int,
    Number,
    Text,
    Date,
    Enum(EnumId),
    Record(RecordId),
    /// The arms of a verdict behave like an enum's variants.
    Verdict(VerdictId),
    List(Box<Type>),
    /// The element type of `[]`, compatible with any list.
    Nothing,
    Error,
}

impl Type {
    pub fn is_numeric(&self) -> bool {
        matches!(self, Type::Int | Type::Number | Type::Error)
    }

    pub fn is_error(&self) -> bool {
        matches!(self, Type::Error)
    }

    /// The type both values can be compared or combined as, if any.
    pub fn unify(&self, other: &Type) -> Option<Type> {
        match (self, other) {
            (Type::Error, _) | (_, Type::Error) => Some(Type::Error),
            (a, b) if a == b => Some(a.clone()),
            (Type::Int, Type::Number) | (Type::Number, Type::Int) => Some(Type::Number),
            (Type::Nothing, other) | (other, Type::Nothing) => Some(other.clone()),
            (Type::List(a), Type::List(b)) => a.unify(b).map(|t| Type::List(Box::new(t))),
            _ => None,
        }
    }
}

/// A type plus whether the value may be unknown (`T?`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ty {
    pub ty: Type,
    pub maybe_unknown: bool,
}

impl Ty {
    pub fn known(ty: Type) -> Ty {
        Ty {
            ty,
            maybe_unknown: false,
        }
    }

    pub fn error() -> Ty {
        Ty::known(Type::Error)
    }
}

/// A constant written in the playbook.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Bool(bool),
    Int(i64),
    Number(Decimal),
    Text(Arc<str>),
    Date(Date),
    /// A variant of an enum, or an arm of a verdict: its index.
    Variant(u32),
}

/// Where a rule lives, for reports (`"at": {"file", "line"}`) and errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: FileId,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: Ty,
    pub location: Location,
}

impl Expr {
    /// The expressions directly inside this one: operands, arguments, list
    /// items, a filter's list and condition (not the values interpolated in a
    /// text). For walkers that look through a whole condition.
    pub fn operands(&self) -> Vec<&Expr> {
        let mut operands = Vec::new();
        self.push_operands(&mut operands);
        operands
    }

    /// [`Self::operands`] pushed onto `out`, in the same order, without a
    /// vector of their own (for walkers that keep one stack).
    pub fn push_operands<'e>(&'e self, out: &mut Vec<&'e Expr>) {
        match &self.kind {
            ExprKind::Field(x, _)
            | ExprKind::MapField(x, _)
            | ExprKind::Not(x)
            | ExprKind::Neg(x) => out.push(x),
            ExprKind::And(a, b)
            | ExprKind::Or(a, b)
            | ExprKind::Compare(_, a, b)
            | ExprKind::Arith(_, a, b)
            | ExprKind::Coalesce(a, b) => out.extend([&**a, &**b]),
            ExprKind::In { value, list, .. } => out.extend([&**value, &**list]),
            ExprKind::Filter { list, cond, .. } => out.extend([&**list, &**cond]),
            ExprKind::List(items) | ExprKind::Call(_, items) => out.extend(items.iter()),
            _ => {}
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CompareOp {
    /// The comparison with its sides swapped: `a op b` is `b op.mirrored() a`.
    pub fn mirrored(self) -> CompareOp {
        match self {
            CompareOp::Lt => CompareOp::Gt,
            CompareOp::Le => CompareOp::Ge,
            CompareOp::Gt => CompareOp::Lt,
            CompareOp::Ge => CompareOp::Le,
            other => other,
        }
    }
}

/// The built-in functions after overload resolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    Count,
    /// `any(list<bool>)`
    AnyBool,
    /// `all(list<bool>)`
    AllBool,
    First,
    Last,
    Min,
    Max,
    Sum,
    DaysSince,
    DaysUntil,
    LenText,
    LenList,
    ContainsText,
    ContainsItem,
    Known,
    /// `round(x, digits)`: digits is a whole-number literal, 0 to 10.
    Round,
    /// `decided(signal)`: the signal's condition was decided (fired, or
    /// decided not to fire) from what is recorded.
    Decided,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    Literal(Literal),
    Fact(FactId),
    Let(LetId),
    Signal(SignalId),
    Verdict(VerdictId),
    Score,
    GroupScore(GroupId),
    Today,
    /// `it`: the item at this many `where` levels out (0 = innermost).
    Item(u32),
    /// A field of a record value.
    Field(Box<Expr>, u32),
    /// A field of every record in a list (`events.on`).
    MapField(Box<Expr>, u32),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Compare(CompareOp, Box<Expr>, Box<Expr>),
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    /// `value in list` (negated for `not in`).
    In {
        value: Box<Expr>,
        list: Box<Expr>,
        negated: bool,
    },
    Coalesce(Box<Expr>, Box<Expr>),
    /// `list where cond`; `any(list, cond)`; `all(list, cond)`.
    Filter {
        list: Box<Expr>,
        cond: Box<Expr>,
        mode: FilterMode,
    },
    List(Vec<Expr>),
    Text(Template),
    Call(Builtin, Vec<Expr>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterMode {
    Where,
    Any,
    All,
}

/// A string with interpolations, ready to render.
#[derive(Clone, Debug)]
pub struct Template {
    pub parts: Vec<TemplatePart>,
}

#[derive(Clone, Debug)]
pub enum TemplatePart {
    Text(Arc<str>),
    Value(Expr),
}

#[derive(Clone, Debug)]
pub struct EnumInfo {
    pub name: String,
    pub doc: Option<String>,
    pub variants: Vec<VariantInfo>,
    pub location: Location,
}

#[derive(Clone, Debug)]
pub struct VariantInfo {
    pub name: String,
    pub doc: Option<String>,
    pub location: Location,
}

#[derive(Clone, Debug)]
pub struct RecordInfo {
    pub name: String,
    pub doc: Option<String>,
    pub fields: Vec<FieldInfo>,
    pub location: Location,
}

/// A record field or a fact.
#[derive(Clone, Debug)]
pub struct FieldInfo {
    pub name: String,
    pub ty: Ty,
    pub doc: Option<String>,
    pub location: Location,
}

#[derive(Clone, Debug)]
pub struct LetInfo {
    pub name: String,
    pub value: Expr,
    pub location: Location,
}

#[derive(Clone, Debug)]
pub struct GroupInfo {
    pub name: String,
    pub label: Option<String>,
    pub when: Option<Expr>,
    pub signals: Vec<SignalId>,
    pub location: Location,
}

#[derive(Clone, Debug)]
pub struct SignalInfo {
    pub name: String,
    pub label: String,
    pub group: Option<GroupId>,
    pub when: Expr,
    pub weight: i64,
    pub message: Template,
    pub location: Location,
    /// The facts, lets, signals and verdicts its condition names directly,
    /// shown by `--explain`.
    pub reads: Vec<Read>,
}

/// A named value a condition reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Read {
    Fact(FactId),
    Let(LetId),
    Signal(SignalId),
    Verdict(VerdictId),
}

#[derive(Clone, Debug)]
pub struct VerdictInfo {
    pub name: String,
    pub label: String,
    pub arms: Vec<ArmInfo>,
    pub location: Location,
}

#[derive(Clone, Debug)]
pub struct ArmInfo {
    pub name: String,
    pub label: String,
    /// `None` for `otherwise`.
    pub when: Option<Expr>,
    pub location: Location,
}

#[derive(Clone, Debug)]
pub struct AdviceInfo {
    pub name: String,
    pub label: Option<String>,
    pub when: Expr,
    pub text: Vec<Template>,
    pub location: Location,
}

#[derive(Clone, Debug)]
pub struct TestInfo {
    pub name: String,
    pub location: Location,
    /// The deal, in the order written: files to load, then inline overrides.
    pub givens: Vec<Given>,
    pub today: Option<Date>,
    pub expects: Vec<Expect>,
}

#[derive(Clone, Debug)]
pub enum Given {
    /// A path as written, relative to the file that holds the test.
    File { path: String, location: Location },
    /// An inline deal: each key with its value as JSON text, numbers
    /// exactly as written (never through a binary float).
    Inline(Vec<(String, String)>),
}

#[derive(Clone, Debug)]
pub struct Expect {
    pub condition: Expr,
    /// The condition as written, for failure reports.
    pub source: String,
    pub location: Location,
}

/// One step of evaluation, in dependency order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Step {
    Let(LetId),
    Group(GroupId),
    Signal(SignalId),
    Verdict(VerdictId),
}

/// A checked playbook, ready to evaluate.
#[derive(Clone, Debug, Default)]
pub struct Program {
    pub title: Option<String>,
    pub version: Option<String>,
    pub enums: Vec<EnumInfo>,
    pub records: Vec<RecordInfo>,
    pub facts: Vec<FieldInfo>,
    pub lets: Vec<LetInfo>,
    pub groups: Vec<GroupInfo>,
    pub signals: Vec<SignalInfo>,
    pub verdicts: Vec<VerdictInfo>,
    pub advice: Vec<AdviceInfo>,
    pub tests: Vec<TestInfo>,
    /// Lets, groups, signals and verdicts in an order where everything a
    /// step reads comes before it.
    pub order: Vec<Step>,
}

impl Program {
    pub fn fact_index(&self, name: &str) -> Option<FactId> {
        self.facts
            .iter()
            .position(|fact| fact.name == name)
            .map(|i| i as FactId)
    }

    /// A type as an author writes it (`list<Event>`, `Stage`).
    pub fn type_name(&self, ty: &Type) -> String {
        match ty {
            Type::Bool => "bool".into(),
            Type::Int => "int".into(),
            Type::Number => "number".into(),
            Type::Text => "text".into(),
            Type::Date => "date".into(),
            Type::Enum(id) => self
                .enums
                .get(*id as usize)
                .map_or("?".into(), |e| e.name.clone()),
            Type::Record(id) => self
                .records
                .get(*id as usize)
                .map_or("?".into(), |r| r.name.clone()),
            Type::Verdict(id) => self
                .verdicts
                .get(*id as usize)
                .map_or("?".into(), |v| format!("verdict {}", v.name)),
            Type::List(element) => format!("list<{}>", self.type_name(element)),
            Type::Nothing => "nothing".into(),
            Type::Error => "unknown type".into(),
        }
    }

    pub fn ty_name(&self, ty: &Ty) -> String {
        let mut name = self.type_name(&ty.ty);
        if ty.maybe_unknown {
            name.push('?');
        }
        name
    }

    /// The variant names of an enum or the arm names of a verdict, one by
    /// one (nothing is collected: lowering asks this for every variant
    /// written in a condition).
    pub fn variant_names_iter<'p>(&'p self, ty: &Type) -> impl Iterator<Item = &'p str> + 'p {
        let variants = match ty {
            Type::Enum(id) => self.enums.get(*id as usize).map(|e| e.variants.as_slice()),
            _ => None,
        };
        let arms = match ty {
            Type::Verdict(id) => self.verdicts.get(*id as usize).map(|v| v.arms.as_slice()),
            _ => None,
        };
        let variants = variants.unwrap_or_default().iter().map(|v| v.name.as_str());
        let arms = arms.unwrap_or_default().iter().map(|a| a.name.as_str());
        variants.chain(arms)
    }

    /// The variant names of an enum or the arm names of a verdict.
    pub fn variant_names(&self, ty: &Type) -> Vec<&str> {
        match ty {
            Type::Enum(id) => self.enums.get(*id as usize).map_or(Vec::new(), |e| {
                e.variants.iter().map(|v| v.name.as_str()).collect()
            }),
            Type::Verdict(id) => self.verdicts.get(*id as usize).map_or(Vec::new(), |v| {
                v.arms.iter().map(|a| a.name.as_str()).collect()
            }),
            _ => Vec::new(),
        }
    }
}

impl fmt::Display for CompareOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        })
    }
}

/// What a name in the source refers to: the shared vocabulary of hover,
/// go-to-definition, references and rename.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Symbol {
    Enum(EnumId),
    Variant(EnumId, u32),
    Record(RecordId),
    Field(RecordId, u32),
    Fact(FactId),
    Let(LetId),
    Group(GroupId),
    Signal(SignalId),
    Verdict(VerdictId),
    Arm(VerdictId, u32),
    Advice(AdviceId),
}

/// One occurrence of a symbol's name in the source (its definition included).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Occurrence {
    pub symbol: Symbol,
    pub file: FileId,
    pub span: Span,
    pub is_definition: bool,
}

/// The AST type is re-exported for tools that walk source and program together.
pub type SourceFile = ast::File;
