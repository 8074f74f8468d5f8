//! Completion by context.
//!
//! The file around the cursor is usually half-typed and so missing from the
//! syntax tree; the context is therefore read from the forgiving lexer (which
//! block the cursor is in, what comes just before it), and the candidates
//! from the checked program of the last analysis (which still holds every
//! item that parsed).
//!
//! | context | offered |
//! |---|---|
//! | start of a line at the top level | item keywords |
//! | inside `signal { }` at a line start | `when`, `weight`, `message`, and values |
//! | inside `group { }` | `signal` |
//! | inside `test { }` at a line start | `given`, `today`, `expect`, and values |
//! | after `name.` | the fields of its record, or the variants of an enum `Stage.` |
//! | after `==`, `!=`, `in [` | the variants (or arms) of the left side's type first, then values |
//! | after `score(` | groups |
//! | after `:` in `facts`/`record` | types |
//! | inside `given { }` | fact names; after `fact =`, its variants |
//! | in an expression | facts, lets, signals, verdicts, built-ins (with snippet arguments) |

use crate::lex::{clamp_offset, lex, token_text, Token, TokenKind as Lex};
use crate::{text_of, Analysis};
use augur_check::ir::{Program, Type};
use augur_syntax::{FileId, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompletionKind {
    Keyword,
    Fact,
    Let,
    Signal,
    Verdict,
    Variant,
    Field,
    Group,
    Function,
    Value,
    Type,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletionItem {
    pub label: String,
    pub kind: CompletionKind,
    pub detail: Option<String>,
    pub documentation: Option<String>,
    /// Snippet text (`count(${1:list})`) when `is_snippet`, else plain text
    /// to insert instead of the label.
    pub insert_text: Option<String>,
    pub is_snippet: bool,
    /// The text the item replaces: the part of the name already typed.
    pub replace: Span,
    /// Sorts the most likely items first ("0" before "1").
    pub sort_text: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Block {
    Enum,
    Record,
    Facts,
    Group,
    Signal,
    Verdict,
    Advice,
    Test,
    Given,
    Other,
}

const SNIPPETS: &[(&str, &str)] = &[
    ("count", "count(${1:list})"),
    ("any", "any(${1:list}, ${2:condition})"),
    ("all", "all(${1:list}, ${2:condition})"),
    ("first", "first(${1:list})"),
    ("last", "last(${1:list})"),
    ("min", "min(${1:list})"),
    ("max", "max(${1:list})"),
    ("sum", "sum(${1:list})"),
    ("days_since", "days_since(${1:date})"),
    ("days_until", "days_until(${1:date})"),
    ("len", "len(${1:value})"),
    ("contains", "contains(${1:list}, ${2:item})"),
    ("known", "known(${1:value})"),
    ("decided", "decided(${1:signal})"),
];

struct Ctx<'a> {
    program: &'a Program,
    replace: Span,
    items: Vec<CompletionItem>,
}

impl Ctx<'_> {
    fn push(&mut self, label: &str, kind: CompletionKind, detail: Option<String>, priority: u8) {
        self.items.push(CompletionItem {
            label: label.to_string(),
            kind,
            detail,
            documentation: None,
            insert_text: None,
            is_snippet: false,
            replace: self.replace,
            sort_text: format!("{priority}{label}"),
        });
    }

    fn keywords(&mut self, words: &[&str]) {
        for word in words {
            self.push(word, CompletionKind::Keyword, None, 2);
        }
    }

    fn types(&mut self) {
        for t in ["bool", "int", "number", "text", "date", "list"] {
            self.push(t, CompletionKind::Type, None, 1);
        }
        let p = self.program;
        for e in &p.enums {
            self.push(&e.name, CompletionKind::Type, Some("enum".into()), 0);
        }
        for r in &p.records {
            self.push(&r.name, CompletionKind::Type, Some("record".into()), 0);
        }
    }

    fn variants(&mut self, ty: &Type) {
        let p = self.program;
        match ty {
            Type::Enum(id) => {
                if let Some(e) = p.enums.get(*id as usize) {
                    for v in &e.variants {
                        self.push(&v.name, CompletionKind::Variant, Some(e.name.clone()), 0);
                        if let Some(last) = self.items.last_mut() {
                            last.documentation = v.doc.clone();
                        }
                    }
                }
            }
            Type::Verdict(id) => {
                if let Some(v) = p.verdicts.get(*id as usize) {
                    for arm in &v.arms {
                        self.push(
                            &arm.name,
                            CompletionKind::Variant,
                            Some(arm.label.clone()),
                            0,
                        );
                    }
                }
            }
            _ => {}
        }
    }

    fn fields(&mut self, ty: &Type) {
        self.fields_at(ty, 0);
    }

    fn fields_at(&mut self, ty: &Type, priority: u8) {
        let record = match ty {
            Type::Record(id) => *id,
            Type::List(inner) => match inner.as_ref() {
                Type::Record(id) => *id,
                _ => return,
            },
            _ => return,
        };
        let p = self.program;
        if let Some(r) = p.records.get(record as usize) {
            for f in &r.fields {
                self.push(
                    &f.name,
                    CompletionKind::Field,
                    Some(p.ty_name(&f.ty)),
                    priority,
                );
                if let Some(last) = self.items.last_mut() {
                    last.documentation = f.doc.clone();
                }
            }
        }
    }

    fn groups(&mut self) {
        let p = self.program;
        for g in &p.groups {
            self.push(&g.name, CompletionKind::Group, g.label.clone(), 0);
        }
    }

    fn facts(&mut self) {
        let p = self.program;
        for f in &p.facts {
            self.push(&f.name, CompletionKind::Fact, Some(p.ty_name(&f.ty)), 1);
            if let Some(last) = self.items.last_mut() {
                last.documentation = f.doc.clone();
            }
        }
    }

    /// Everything an expression may name.
    fn values(&mut self) {
        let p = self.program;
        self.facts();
        for l in &p.lets {
            self.push(
                &l.name,
                CompletionKind::Let,
                Some(p.ty_name(&l.value.ty)),
                1,
            );
        }
        for s in &p.signals {
            self.push(&s.name, CompletionKind::Signal, Some(s.label.clone()), 1);
        }
        for v in &p.verdicts {
            self.push(&v.name, CompletionKind::Verdict, Some(v.label.clone()), 1);
        }
        for e in &p.enums {
            self.push(&e.name, CompletionKind::Type, Some("enum".into()), 3);
        }
        for (name, signature, doc) in augur_check::builtins() {
            if let Some((_, snippet)) = SNIPPETS.iter().find(|(n, _)| n == name) {
                self.push(
                    name,
                    CompletionKind::Function,
                    Some(signature.to_string()),
                    2,
                );
                if let Some(last) = self.items.last_mut() {
                    last.documentation = Some(doc.to_string());
                    last.insert_text = Some(snippet.to_string());
                    last.is_snippet = true;
                }
            }
        }
        self.push("score", CompletionKind::Value, Some("int".into()), 2);
        self.push("today", CompletionKind::Value, Some("date".into()), 2);
        self.keywords(&["not", "true", "false"]);
    }
}

/// Completion items at `offset` of `file`.
pub fn completions(analysis: &Analysis, file: FileId, offset: usize) -> Vec<CompletionItem> {
    let text = text_of(analysis, file);
    let offset = clamp_offset(text, offset);
    let before = text.get(..offset).unwrap_or("");
    let mut tokens = lex(before);
    if let Some(last) = tokens.last() {
        if last.span.end == offset {
            let t = token_text(before, last);
            let open_string = last.kind == Lex::String
                && (t.len() < 2 || !t.ends_with('"') || t.ends_with("\\\""));
            if last.kind == Lex::Comment || open_string {
                return Vec::new();
            }
        }
    }
    let replace = match tokens.last() {
        Some(last) if last.span.end == offset && matches!(last.kind, Lex::Ident | Lex::Keyword) => {
            let span = last.span;
            tokens.pop();
            span
        }
        _ => Span::new(offset, offset),
    };
    tokens.retain(|t| t.kind != Lex::Comment);
    let line_start = before
        .get(..replace.start)
        .map(|b| b.rsplit('\n').next().unwrap_or(b))
        .is_some_and(|line| line.trim().is_empty());
    let column_zero = before
        .get(..replace.start)
        .is_some_and(|b| b.is_empty() || b.ends_with('\n'));
    let mut ctx = Ctx {
        program: &analysis.program,
        replace,
        items: Vec::new(),
    };
    let blocks = blocks(before, &tokens);
    let top = blocks.last().copied();
    let word = |i: usize| -> &str { tokens.get(i).map_or("", |t| token_text(before, t)) };
    let n = tokens.len();
    let prev = if n > 0 { word(n - 1) } else { "" };
    let prev2 = if n > 1 { word(n - 2) } else { "" };

    match top {
        Some(Block::Enum) => return Vec::new(),
        Some(Block::Record | Block::Facts) => {
            if prev == ":" || prev == "<" {
                ctx.types();
            }
            return ctx.items;
        }
        Some(Block::Advice) => return Vec::new(),
        Some(Block::Given) => {
            if prev == "=" {
                if let Some(ty) = chain_type(&analysis.program, &[prev2]) {
                    ctx.variants(&ty);
                }
            } else if prev == "{" || prev == "," || line_start {
                ctx.facts();
            }
            return ctx.items;
        }
        _ => {}
    }
    // Inside `list where …`, the fields of the list's records are in scope.
    let item_type = where_item(&analysis.program, before, &tokens);
    let typed = |names: &[&str]| {
        chain_type(&analysis.program, names).or_else(|| {
            let (first, rest) = names.split_first()?;
            let field = field_type(&analysis.program, item_type.as_ref()?, first)?;
            chain_from(&analysis.program, field, rest)
        })
    };
    if prev == "." {
        let names = chain_before(before, &tokens, n - 1);
        let p = &analysis.program;
        if let [single] = names.as_slice() {
            if let Some(id) = p.enums.iter().position(|e| e.name == *single) {
                if !is_value(p, single) {
                    ctx.variants(&Type::Enum(id as u32));
                    return ctx.items;
                }
            }
        }
        if let Some(ty) = typed(&names) {
            ctx.fields(&ty);
        }
        return ctx.items;
    }
    if prev == "==" || prev == "!=" {
        let names = chain_before(before, &tokens, n - 1);
        if let Some(ty) = typed(&names) {
            ctx.variants(&ty);
        }
        if let Some(ty) = &item_type {
            ctx.fields_at(ty, 1);
        }
        ctx.values();
        return ctx.items;
    }
    if let Some(in_at) = open_in_list(before, &tokens) {
        let lhs_end = if in_at > 0 && word(in_at - 1) == "not" {
            in_at - 1
        } else {
            in_at
        };
        let names = chain_before(before, &tokens, lhs_end);
        if let Some(ty) = typed(&names) {
            ctx.variants(&ty);
        }
        ctx.values();
        return ctx.items;
    }
    if prev == "(" && prev2 == "score" {
        ctx.groups();
        return ctx.items;
    }
    if prev == "weight"
        || prev == "message"
        || prev == "given"
        || prev == "today" && top == Some(Block::Test)
    {
        return Vec::new();
    }
    match top {
        None if column_zero || n == 0 || prev == "}" => {
            ctx.keywords(crate::lex::ITEM_KEYWORDS);
        }
        Some(Block::Group) => ctx.keywords(&["signal"]),
        Some(Block::Signal) if line_start || prev == "{" => {
            ctx.keywords(&["when", "weight", "message"]);
            if !matches!(prev, "{" | "}")
                && !tokens
                    .last()
                    .is_some_and(|t| t.kind == Lex::Number || t.kind == Lex::String)
            {
                ctx.values();
            }
        }
        Some(Block::Verdict)
            if tokens.last().is_some_and(|t| {
                t.kind == Lex::String
                    || (t.kind == Lex::Ident && (prev2 == "{" || line_start_before(before, t)))
            }) =>
        {
            ctx.keywords(&["when", "otherwise"]);
        }
        Some(Block::Verdict) if prev == "{" || prev == "otherwise" => {}
        Some(Block::Test) if line_start || prev == "{" => {
            ctx.keywords(&["given", "today", "expect"]);
            if prev != "{" {
                ctx.values();
            }
        }
        _ => {
            let after_value = tokens.last().is_some_and(|t| {
                matches!(t.kind, Lex::Ident | Lex::Number | Lex::String)
                    || matches!(token_text(before, t), ")" | "]")
            });
            if after_value {
                ctx.keywords(&["and", "or", "in", "where", "not"]);
            } else {
                if let Some(ty) = &item_type {
                    ctx.fields(ty);
                    ctx.push("it", CompletionKind::Value, Some("the list item".into()), 1);
                }
                ctx.values();
            }
        }
    }
    ctx.items
}

fn line_start_before(text: &str, token: &Token) -> bool {
    text.get(..token.span.start)
        .map(|b| b.rsplit('\n').next().unwrap_or(b))
        .is_some_and(|line| line.trim().is_empty())
}

fn is_value(p: &Program, name: &str) -> bool {
    p.facts.iter().any(|f| f.name == name)
        || p.lets.iter().any(|l| l.name == name)
        || p.signals.iter().any(|s| s.name == name)
        || p.verdicts.iter().any(|v| v.name == name)
}

/// The blocks (`{ … }`) the end of `tokens` is inside, outermost first.
fn blocks(text: &str, tokens: &[Token]) -> Vec<Block> {
    let mut stack = Vec::new();
    let mut boundary = 0;
    for (i, token) in tokens.iter().enumerate() {
        match token_text(text, token) {
            "{" => {
                let opener = tokens
                    .get(boundary..i)
                    .unwrap_or(&[])
                    .iter()
                    .rev()
                    .filter(|t| t.kind == Lex::Keyword)
                    .find_map(|t| match token_text(text, t) {
                        "enum" => Some(Block::Enum),
                        "record" => Some(Block::Record),
                        "facts" => Some(Block::Facts),
                        "group" => Some(Block::Group),
                        "signal" => Some(Block::Signal),
                        "verdict" => Some(Block::Verdict),
                        "advice" => Some(Block::Advice),
                        "test" => Some(Block::Test),
                        "given" => Some(Block::Given),
                        _ => None,
                    });
                let block = match (stack.last(), opener) {
                    (Some(Block::Given), _) => Block::Given,
                    (_, Some(block)) => block,
                    (_, None) => Block::Other,
                };
                stack.push(block);
                boundary = i + 1;
            }
            "}" => {
                stack.pop();
                boundary = i + 1;
            }
            _ => {}
        }
    }
    stack
}

/// The names of `a.b.c` ending just before token `end`.
fn chain_before<'t>(text: &'t str, tokens: &[Token], end: usize) -> Vec<&'t str> {
    let mut names = Vec::new();
    let mut i = end;
    while i > 0 {
        let Some(token) = tokens.get(i - 1) else {
            break;
        };
        if token.kind != Lex::Ident {
            break;
        }
        names.push(token_text(text, token));
        if i >= 2
            && tokens
                .get(i - 2)
                .is_some_and(|t| token_text(text, t) == ".")
        {
            i -= 2;
        } else {
            break;
        }
    }
    names.reverse();
    names
}

/// If the cursor is inside `x in [ … `, the index of the `in` token.
fn open_in_list(text: &str, tokens: &[Token]) -> Option<usize> {
    let mut i = tokens.len();
    while i > 0 {
        let token = tokens.get(i - 1)?;
        match token_text(text, token) {
            "[" => {
                let before = tokens.get(i.checked_sub(2)?)?;
                return (token_text(text, before) == "in").then_some(i - 2);
            }
            "," | "." => {}
            _ if matches!(token.kind, Lex::Ident | Lex::Number | Lex::String) => {}
            _ => return None,
        }
        i -= 1;
    }
    None
}

/// The type of the value named by `a.b.c`, if the program knows it.
fn chain_type(p: &Program, names: &[&str]) -> Option<Type> {
    let (first, rest) = names.split_first()?;
    let mut ty = if let Some(f) = p.facts.iter().find(|f| f.name == *first) {
        f.ty.ty.clone()
    } else if let Some(l) = p.lets.iter().find(|l| l.name == *first) {
        l.value.ty.ty.clone()
    } else if let Some(id) = p.verdicts.iter().position(|v| v.name == *first) {
        Type::Verdict(id as u32)
    } else if p.signals.iter().any(|s| s.name == *first) {
        Type::Bool
    } else {
        return None;
    };
    for name in rest {
        let (record, is_list) = match &ty {
            Type::Record(id) => (*id, false),
            Type::List(inner) => match inner.as_ref() {
                Type::Record(id) => (*id, true),
                _ => return None,
            },
            _ => return None,
        };
        let field = p
            .records
            .get(record as usize)?
            .fields
            .iter()
            .find(|f| f.name == *name)?;
        ty = if is_list {
            Type::List(Box::new(field.ty.ty.clone()))
        } else {
            field.ty.ty.clone()
        };
    }
    Some(ty)
}

/// The record type of the items of `list where …` when the end of `tokens`
/// is inside such a condition (the nearest `where` of the current rule).
fn where_item(p: &Program, text: &str, tokens: &[Token]) -> Option<Type> {
    let mut i = tokens.len();
    while i > 0 {
        let token = tokens.get(i - 1)?;
        let word = token_text(text, token);
        if word == "where" {
            let names = chain_before(text, tokens, i - 1);
            return match chain_type(p, &names)? {
                Type::List(inner) => Some(*inner),
                _ => None,
            };
        }
        if matches!(word, "{" | "}" | "when" | "expect" | "=" | "let") {
            return None;
        }
        i -= 1;
    }
    None
}

fn field_type(p: &Program, record: &Type, name: &str) -> Option<Type> {
    let Type::Record(id) = record else {
        return None;
    };
    p.records
        .get(*id as usize)?
        .fields
        .iter()
        .find(|f| f.name == name)
        .map(|f| f.ty.ty.clone())
}

/// Follows `.field` names from a value of type `ty`.
fn chain_from(p: &Program, mut ty: Type, names: &[&str]) -> Option<Type> {
    for name in names {
        ty = match &ty {
            Type::List(inner) => Type::List(Box::new(field_type(p, inner, name)?)),
            other => field_type(p, other, name)?,
        };
    }
    Some(ty)
}
