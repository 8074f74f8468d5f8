//! Property tests over generated playbooks (proptest): random items and
//! expressions, written out sloppily with random spaces, tabs, CRLF and LF
//! line breaks, blank lines and comments between any two tokens, must format
//! idempotently, keep their meaning and keep every comment.
//!
//! The generator builds small syntax structures and renders them as text
//! (adding the parentheses precedence needs), so every generated playbook
//! parses; it is not a model of the formatter's output.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

// ------------------------------------------------------------------ pools

const NAMES: &[&str] = &[
    "stage",
    "score",
    "a",
    "b2",
    "deal_size",
    "阶段",
    "客户",
    "it",
    "today",
    "_x",
    "𠮷野家",
    "early",
    "a_rather_long_name_to_push_lines_past_their_limits_阶段",
];
const TYPES: &[&str] = &["int", "text", "Stage", "日期", "bool"];
/// Plain strings as written between the quotes (escapes included).
const PLAIN: &[&str] = &[
    "Title",
    "中文标题",
    "with {braces}",
    r#"q\"uote\""#,
    r"\{x\}",
    "emoji 😀 𠮷",
    "",
    "raw\ttab",
    r"back\\slash",
    r"nl\n",
];
/// Text pieces of interpolating strings as written (escapes included).
const TEXTS: &[&str] = &[
    "hello ",
    "中文 😀",
    r#"\"q\""#,
    r"\\",
    "raw\ttab",
    r"\{lit\}",
    r"\n",
    "𠮷",
];
const NUMBERS: &[&str] = &["2.5", "0.0", "10.25"];
const DATA_NUMBERS: &[&str] = &["12.5", "-0.25", "0.0"];
const DATES: &[&str] = &["2026-11-20", "2024-02-29", "1999-12-31"];
const WEIGHTS: &[&str] = &["+3", "-2", "0", "7", "-1000000"];
/// Binary operators with their precedence (see the grammar).
const OPS: &[(&str, u8)] = &[
    ("or", 1),
    ("and", 2),
    ("==", 4),
    ("!=", 4),
    ("<", 4),
    ("<=", 4),
    (">", 4),
    (">=", 4),
    ("in", 4),
    ("not in", 4),
    ("??", 5),
    ("+", 6),
    ("-", 6),
    ("*", 7),
    ("/", 7),
];
/// What may stand between two tokens: always some whitespace, often a comment.
const SEPS: &[&str] = &[
    " ",
    "  ",
    "\n",
    "\n\n",
    "\n\n\n    ",
    "\t",
    " # c\n",
    "  #中文注释 𠮷\n\n",
    "\n# own line\n",
    "\r\n",
    " #😀 emoji   \r\n  ",
    "\n  # indented\n\n# two\n",
    "#tight\n",
    "\n\n# spaced\n\n",
    " ",
    "\n",
];

// ------------------------------------------------------------- structures

#[derive(Debug, Clone)]
enum E {
    Name(usize),
    Int(u32),
    Num(usize),
    Date(usize),
    Bool(bool),
    Str(Vec<Tp>),
    Call(usize, Vec<E>),
    List(Vec<E>),
    Field(Box<E>, usize),
    Paren(Box<E>),
    Not(Box<E>),
    Neg(Box<E>),
    Bin(usize, Box<E>, Box<E>),
    Where(Box<E>, Box<E>),
}

#[derive(Debug, Clone)]
enum Tp {
    Text(usize),
    Interp(E),
}

#[derive(Debug, Clone)]
enum D {
    Rec(Vec<(usize, D, bool)>),
    List(Vec<D>, bool),
    Date(usize),
    Int(i64),
    Num(usize),
    Bool(bool),
    Str(usize),
    Var(usize),
}

#[derive(Debug, Clone)]
enum Ty {
    Named(usize, bool),
    List(Box<Ty>, bool),
}

#[derive(Debug, Clone)]
struct Field {
    name: usize,
    ty: Ty,
    doc: Option<usize>,
    comma: bool,
}

#[derive(Debug, Clone)]
struct Signal {
    name: usize,
    label: Option<usize>,
    when: Option<E>,
    weight: Option<usize>,
    message: Option<Vec<Tp>>,
    order: usize,
}

#[derive(Debug, Clone)]
enum Stmt {
    GivenFile(usize),
    GivenInline(Vec<(usize, D, bool)>),
    Today(usize),
    Expect(E),
}

#[derive(Debug, Clone)]
enum Item {
    Playbook(usize, Option<usize>),
    Import(usize),
    Enum(usize, Option<usize>, Vec<(usize, Option<usize>, bool)>),
    Record(usize, Option<usize>, Vec<Field>),
    Facts(Vec<Field>),
    Let(usize, E),
    Group(usize, Option<usize>, Option<E>, Vec<Signal>),
    Signal(Signal),
    Verdict(usize, Option<usize>, Vec<(usize, Option<usize>, Option<E>)>),
    Advice(usize, Option<usize>, E, Vec<Vec<Tp>>),
    Test(usize, Vec<Stmt>),
}

// -------------------------------------------------------------- strategies

fn name() -> impl Strategy<Value = usize> {
    0..NAMES.len()
}

fn plain() -> impl Strategy<Value = usize> {
    0..PLAIN.len()
}

fn expr() -> impl Strategy<Value = E> {
    let leaf = prop_oneof![
        name().prop_map(E::Name),
        any::<u32>().prop_map(E::Int),
        (0..NUMBERS.len()).prop_map(E::Num),
        (0..DATES.len()).prop_map(E::Date),
        any::<bool>().prop_map(E::Bool),
        vec((0..TEXTS.len()).prop_map(Tp::Text), 0..3).prop_map(E::Str),
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            (name(), vec(inner.clone(), 0..3)).prop_map(|(n, args)| E::Call(n, args)),
            vec(inner.clone(), 0..3).prop_map(E::List),
            (inner.clone(), name()).prop_map(|(base, field)| E::Field(Box::new(base), field)),
            inner.clone().prop_map(|e| E::Paren(Box::new(e))),
            inner.clone().prop_map(|e| E::Not(Box::new(e))),
            inner.clone().prop_map(|e| E::Neg(Box::new(e))),
            (0..OPS.len(), inner.clone(), inner.clone()).prop_map(|(op, l, r)| E::Bin(
                op,
                Box::new(l),
                Box::new(r)
            )),
            (inner.clone(), inner.clone()).prop_map(|(l, r)| E::Where(Box::new(l), Box::new(r))),
            vec(
                prop_oneof![
                    (0..TEXTS.len()).prop_map(Tp::Text),
                    inner.prop_map(Tp::Interp)
                ],
                0..4
            )
            .prop_map(E::Str),
        ]
    })
}

fn template() -> impl Strategy<Value = Vec<Tp>> {
    vec(
        prop_oneof![3 => (0..TEXTS.len()).prop_map(Tp::Text), 1 => expr().prop_map(Tp::Interp)],
        0..4,
    )
}

fn data() -> impl Strategy<Value = D> {
    let leaf = prop_oneof![
        (0..DATES.len()).prop_map(D::Date),
        prop_oneof![any::<i64>(), -5i64..5].prop_map(D::Int),
        (0..DATA_NUMBERS.len()).prop_map(D::Num),
        any::<bool>().prop_map(D::Bool),
        plain().prop_map(D::Str),
        name().prop_map(D::Var),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            vec((name(), inner.clone(), any::<bool>()), 0..4).prop_map(D::Rec),
            (vec(inner, 0..4), any::<bool>()).prop_map(|(items, comma)| D::List(items, comma)),
        ]
    })
}

fn ty() -> impl Strategy<Value = Ty> {
    ((0..TYPES.len()), any::<bool>())
        .prop_map(|(n, opt)| Ty::Named(n, opt))
        .prop_recursive(2, 4, 1, |inner| {
            (inner, any::<bool>()).prop_map(|(element, opt)| Ty::List(Box::new(element), opt))
        })
}

fn field() -> impl Strategy<Value = Field> {
    (name(), ty(), option::of(plain()), any::<bool>()).prop_map(|(name, ty, doc, comma)| Field {
        name,
        ty,
        doc,
        comma,
    })
}

fn signal() -> impl Strategy<Value = Signal> {
    (
        name(),
        option::of(plain()),
        option::of(expr()),
        option::of(0..WEIGHTS.len()),
        option::of(template()),
        0..6usize,
    )
        .prop_map(|(name, label, when, weight, message, order)| Signal {
            name,
            label,
            when,
            weight,
            message,
            order,
        })
}

fn stmt() -> impl Strategy<Value = Stmt> {
    prop_oneof![
        plain().prop_map(Stmt::GivenFile),
        vec((name(), data(), any::<bool>()), 0..5).prop_map(Stmt::GivenInline),
        (0..DATES.len()).prop_map(Stmt::Today),
        expr().prop_map(Stmt::Expect),
    ]
}

fn item() -> impl Strategy<Value = Item> {
    prop_oneof![
        (plain(), option::of(plain())).prop_map(|(t, v)| Item::Playbook(t, v)),
        plain().prop_map(Item::Import),
        (
            name(),
            option::of(plain()),
            vec((name(), option::of(plain()), any::<bool>()), 0..5)
        )
            .prop_map(|(n, d, vs)| Item::Enum(n, d, vs)),
        (name(), option::of(plain()), vec(field(), 0..4))
            .prop_map(|(n, d, fs)| Item::Record(n, d, fs)),
        vec(field(), 0..5).prop_map(Item::Facts),
        (name(), expr()).prop_map(|(n, e)| Item::Let(n, e)),
        (
            name(),
            option::of(plain()),
            option::of(expr()),
            vec(signal(), 0..3)
        )
            .prop_map(|(n, l, w, ss)| Item::Group(n, l, w, ss)),
        signal().prop_map(Item::Signal),
        (
            name(),
            option::of(plain()),
            vec((name(), option::of(plain()), option::of(expr())), 0..4)
        )
            .prop_map(|(n, l, arms)| Item::Verdict(n, l, arms)),
        (name(), option::of(plain()), expr(), vec(template(), 1..3))
            .prop_map(|(n, l, w, ts)| Item::Advice(n, l, w, ts)),
        (plain(), vec(stmt(), 0..4)).prop_map(|(n, ss)| Item::Test(n, ss)),
    ]
}

// --------------------------------------------------------------- rendering

/// Text pieces and the places between them where separators go.
#[derive(Default)]
struct Out {
    pieces: Vec<Option<String>>,
}

impl Out {
    fn t(&mut self, text: &str) {
        self.pieces.push(Some(text.to_string()));
    }
    fn s(&mut self) {
        self.pieces.push(None);
    }
    fn ts(&mut self, text: &str) {
        self.t(text);
        self.s();
    }
    fn text(&self, seps: &[usize]) -> String {
        let mut out = String::new();
        let mut next = 0;
        for piece in &self.pieces {
            match piece {
                Some(text) => out.push_str(text),
                None => {
                    let index = seps.get(next % seps.len().max(1)).copied().unwrap_or(0);
                    out.push_str(SEPS[index % SEPS.len()]);
                    next += 1;
                }
            }
        }
        out
    }
}

fn level(e: &E) -> u8 {
    match e {
        E::Where(..) => 0,
        E::Bin(op, ..) => OPS[*op].1,
        E::Not(_) => 3,
        E::Neg(_) => 8,
        E::Field(..) => 9,
        _ => 10,
    }
}

fn render_expr(out: &mut Out, e: &E, min: u8) {
    if level(e) < min {
        out.ts("(");
        render_expr(out, e, 0);
        out.s();
        out.t(")");
        return;
    }
    match e {
        E::Name(n) => out.t(NAMES[*n]),
        E::Int(v) => out.t(&v.to_string()),
        E::Num(n) => out.t(NUMBERS[*n]),
        E::Date(n) => out.t(DATES[*n]),
        E::Bool(v) => out.t(if *v { "true" } else { "false" }),
        E::Str(parts) => render_template(out, parts),
        E::Call(n, args) => {
            out.t(NAMES[*n]);
            out.s();
            render_list(out, "(", args, ")");
        }
        E::List(items) => render_list(out, "[", items, "]"),
        E::Field(base, field) => {
            render_expr(out, base, 9);
            out.s();
            out.ts(".");
            out.t(NAMES[*field]);
        }
        E::Paren(inner) => {
            out.ts("(");
            render_expr(out, inner, 0);
            out.s();
            out.t(")");
        }
        E::Not(inner) => {
            out.ts("not");
            render_expr(out, inner, 3);
        }
        E::Neg(inner) => {
            out.ts("-");
            render_expr(out, inner, 8);
        }
        E::Bin(op, lhs, rhs) => {
            let (symbol, prec) = OPS[*op];
            let (lmin, rmin) = if prec == 4 { (5, 5) } else { (prec, prec + 1) };
            render_expr(out, lhs, lmin);
            out.s();
            if symbol == "not in" {
                out.ts("not");
                out.ts("in");
            } else {
                out.ts(symbol);
            }
            render_expr(out, rhs, rmin);
        }
        E::Where(list, condition) => {
            render_expr(out, list, 0);
            out.s();
            out.ts("where");
            render_expr(out, condition, 1);
        }
    }
}

fn render_list(out: &mut Out, open: &str, items: &[E], close: &str) {
    out.ts(open);
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            out.ts(",");
        }
        render_expr(out, item, 0);
        out.s();
    }
    if items.len() == 2 {
        out.ts(",");
    }
    out.t(close);
}

/// An interpolating string: text pieces are glued to the quotes; inside
/// `{…}` separators (and so comments and line breaks) are allowed.
fn render_template(out: &mut Out, parts: &[Tp]) {
    let mut current = String::from("\"");
    for part in parts {
        match part {
            Tp::Text(n) => current.push_str(TEXTS[*n]),
            Tp::Interp(e) => {
                current.push('{');
                out.t(&current);
                out.s();
                render_expr(out, e, 0);
                out.s();
                current = String::from("}");
            }
        }
    }
    current.push('"');
    out.t(&current);
}

fn render_plain(out: &mut Out, n: usize) {
    out.t(&format!("\"{}\"", PLAIN[n]));
}

fn render_data(out: &mut Out, d: &D) {
    match d {
        D::Rec(entries) => render_record(out, entries),
        D::List(items, comma) => {
            out.ts("[");
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.ts(",");
                }
                render_data(out, item);
                out.s();
            }
            if *comma && !items.is_empty() {
                out.ts(",");
            }
            out.t("]");
        }
        D::Date(n) => out.t(DATES[*n]),
        D::Int(v) => out.t(&v.to_string()),
        D::Num(n) => out.t(DATA_NUMBERS[*n]),
        D::Bool(v) => out.t(if *v { "true" } else { "false" }),
        D::Str(n) => render_plain(out, *n),
        D::Var(n) => out.t(NAMES[*n]),
    }
}

fn render_record(out: &mut Out, entries: &[(usize, D, bool)]) {
    out.ts("{");
    for (key, value, comma) in entries {
        out.ts(NAMES[*key]);
        out.ts("=");
        render_data(out, value);
        out.s();
        if *comma {
            out.ts(",");
        }
    }
    out.t("}");
}

fn render_ty(out: &mut Out, ty: &Ty) {
    let optional = match ty {
        Ty::Named(n, optional) => {
            out.t(TYPES[*n]);
            optional
        }
        Ty::List(element, optional) => {
            out.ts("list");
            out.ts("<");
            render_ty(out, element);
            out.s();
            out.t(">");
            optional
        }
    };
    if *optional {
        out.s();
        out.t("?");
    }
}

fn render_fields(out: &mut Out, fields: &[Field]) {
    out.ts("{");
    for field in fields {
        out.ts(NAMES[field.name]);
        out.ts(":");
        render_ty(out, &field.ty);
        out.s();
        if let Some(doc) = field.doc {
            render_plain(out, doc);
            out.s();
        }
        if field.comma {
            out.ts(",");
        }
    }
    out.t("}");
}

fn render_label(out: &mut Out, label: Option<usize>) {
    if let Some(label) = label {
        render_plain(out, label);
        out.s();
    }
}

fn render_signal(out: &mut Out, signal: &Signal) {
    out.ts("signal");
    out.ts(NAMES[signal.name]);
    render_label(out, signal.label);
    out.ts("{");
    let orders: [[usize; 3]; 6] = [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ];
    for clause in orders[signal.order % 6] {
        match clause {
            0 => {
                if let Some(when) = &signal.when {
                    out.ts("when");
                    render_expr(out, when, 0);
                    out.s();
                }
            }
            1 => {
                if let Some(weight) = signal.weight {
                    out.ts("weight");
                    out.ts(WEIGHTS[weight]);
                }
            }
            _ => {
                if let Some(message) = &signal.message {
                    out.ts("message");
                    render_template(out, message);
                    out.s();
                }
            }
        }
    }
    out.t("}");
}

fn render_item(out: &mut Out, item: &Item) {
    match item {
        Item::Playbook(title, version) => {
            out.ts("playbook");
            render_plain(out, *title);
            if let Some(version) = version {
                out.s();
                out.ts("version");
                render_plain(out, *version);
            }
        }
        Item::Import(path) => {
            out.ts("import");
            render_plain(out, *path);
        }
        Item::Enum(n, doc, variants) => {
            out.ts("enum");
            out.ts(NAMES[*n]);
            render_label(out, *doc);
            out.ts("{");
            for (variant, doc, comma) in variants {
                out.ts(NAMES[*variant]);
                render_label(out, *doc);
                if *comma {
                    out.ts(",");
                }
            }
            out.t("}");
        }
        Item::Record(n, doc, fields) => {
            out.ts("record");
            out.ts(NAMES[*n]);
            render_label(out, *doc);
            render_fields(out, fields);
        }
        Item::Facts(fields) => {
            out.ts("facts");
            render_fields(out, fields);
        }
        Item::Let(n, value) => {
            out.ts("let");
            out.ts(NAMES[*n]);
            out.ts("=");
            render_expr(out, value, 0);
        }
        Item::Group(n, label, when, signals) => {
            out.ts("group");
            out.ts(NAMES[*n]);
            render_label(out, *label);
            if let Some(when) = when {
                out.ts("when");
                render_expr(out, when, 0);
                out.s();
            }
            out.ts("{");
            for signal in signals {
                render_signal(out, signal);
                out.s();
            }
            out.t("}");
        }
        Item::Signal(signal) => render_signal(out, signal),
        Item::Verdict(n, label, arms) => {
            out.ts("verdict");
            out.ts(NAMES[*n]);
            render_label(out, *label);
            out.ts("{");
            for (index, (arm, label, when)) in arms.iter().enumerate() {
                out.ts(NAMES[*arm]);
                render_label(out, *label);
                // FIXME: only the last arm may be `otherwise`: the grammar's
                // `otherwise` rule is not atomic, so `otherwise` followed by
                // another arm is a syntax error (reported to augur-syntax).
                let fallback = E::Name(*arm);
                let when = if index + 1 == arms.len() {
                    when.as_ref()
                } else {
                    Some(when.as_ref().unwrap_or(&fallback))
                };
                match when {
                    Some(when) => {
                        out.ts("when");
                        render_expr(out, when, 0);
                        out.s();
                    }
                    None => out.ts("otherwise"),
                }
            }
            out.t("}");
        }
        Item::Advice(n, label, when, texts) => {
            out.ts("advice");
            out.ts(NAMES[*n]);
            render_label(out, *label);
            out.ts("when");
            render_expr(out, when, 0);
            out.s();
            out.ts("{");
            for text in texts {
                render_template(out, text);
                out.s();
            }
            out.t("}");
        }
        Item::Test(n, statements) => {
            out.ts("test");
            render_plain(out, *n);
            out.s();
            out.ts("{");
            for statement in statements {
                match statement {
                    Stmt::GivenFile(path) => {
                        out.ts("given");
                        render_plain(out, *path);
                    }
                    Stmt::GivenInline(entries) => {
                        out.ts("given");
                        render_record(out, entries);
                    }
                    Stmt::Today(date) => {
                        out.ts("today");
                        out.t(DATES[*date]);
                    }
                    Stmt::Expect(condition) => {
                        out.ts("expect");
                        render_expr(out, condition, 0);
                    }
                }
                out.s();
            }
            out.t("}");
        }
    }
}

fn playbook() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        vec(item(), 0..6),
        vec(0..SEPS.len(), 1..40),
        any::<bool>(),
    )
        .prop_map(|(leading, items, seps, end_comment)| {
            let mut out = Out::default();
            if leading {
                out.s();
            }
            for item in &items {
                render_item(&mut out, item);
                out.s();
            }
            if end_comment {
                out.t("# the end, without a line break");
            }
            out.text(&seps)
        })
}

// ------------------------------------------------------------------ tests

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn generated_playbooks_keep_every_property(text in playbook()) {
        let parse = augur_syntax::parse(&text);
        prop_assert!(!parse.has_errors(), "the generator wrote a broken playbook: {:?}\n{}", parse.diagnostics, text);
        prop_assert!(common::check(&text).is_some());
    }

    #[test]
    fn damaged_playbooks_that_still_parse_keep_every_property(text in playbook(), cut in any::<prop::sample::Index>(), len in 1usize..4) {
        // Deleting a few characters mostly breaks the file (then it must be
        // refused); sometimes it gives another valid playbook to check.
        let chars: Vec<char> = text.chars().collect();
        if chars.is_empty() {
            return Ok(());
        }
        let at = cut.index(chars.len());
        let damaged: String = chars.iter().take(at).chain(chars.iter().skip(at + len)).collect();
        let _ = common::check(&damaged);
    }
}
