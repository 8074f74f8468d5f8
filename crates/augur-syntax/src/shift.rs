//! Moving every span of a syntax tree by a byte offset: a tree parsed from
//! a stretch of a file (an edited region in the editor, a piece parsed on its
//! own thread) is placed back where that stretch sits in the whole file.
//!
//! Only spans change; nothing here reads or checks the text. The walk
//! itself ([`SpanWalker`]) also serves to compare two trees span by span
//! (the AST's equality ignores spans).

use crate::ast::*;
use crate::diagnostic::Diagnostic;
use crate::span::{Span, Spanned};

/// Calls a function on every span of a tree, in a fixed order (a node's
/// own span before its children's, children in the order written).
pub struct SpanWalker<F: FnMut(&mut Span)>(pub F);

impl<F: FnMut(&mut Span)> SpanWalker<F> {
    pub fn span(&mut self, span: &mut Span) {
        (self.0)(span);
    }

    fn spanned<T>(&mut self, node: &mut Spanned<T>) {
        self.span(&mut node.span);
    }

    fn opt<T>(&mut self, node: &mut Option<Spanned<T>>) {
        if let Some(node) = node {
            self.spanned(node);
        }
    }

    pub fn diagnostic(&mut self, d: &mut Diagnostic) {
        self.span(&mut d.span);
        for label in &mut d.labels {
            self.span(&mut label.span);
        }
        for suggestion in &mut d.suggestions {
            self.span(&mut suggestion.span);
        }
    }

    /// Every item, comment and broken declaration of a file.
    pub fn file(&mut self, file: &mut File) {
        for item in &mut file.items {
            self.item(item);
        }
        for comment in &mut file.comments {
            self.span(&mut comment.span);
        }
        for broken in &mut file.broken {
            self.spanned(&mut broken.name);
        }
    }

    pub fn item(&mut self, item: &mut Item) {
        self.spanned(item);
        match &mut item.node {
            ItemKind::Playbook(h) => {
                self.spanned(&mut h.title);
                self.opt(&mut h.version);
            }
            ItemKind::Import(i) => self.spanned(&mut i.path),
            ItemKind::Enum(def) => {
                self.spanned(&mut def.name);
                self.opt(&mut def.doc);
                for v in &mut def.variants {
                    self.spanned(v);
                    self.spanned(&mut v.node.name);
                    self.opt(&mut v.node.doc);
                }
            }
            ItemKind::Record(def) => {
                self.spanned(&mut def.name);
                self.opt(&mut def.doc);
                self.fields(&mut def.fields);
            }
            ItemKind::Facts(block) => self.fields(&mut block.facts),
            ItemKind::Let(def) => {
                self.spanned(&mut def.name);
                self.expr(&mut def.value);
            }
            ItemKind::Group(def) => {
                self.spanned(&mut def.name);
                self.opt(&mut def.label);
                if let Some(when) = &mut def.when {
                    self.expr(when);
                }
                for signal in &mut def.signals {
                    self.spanned(signal);
                    self.signal(&mut signal.node);
                }
            }
            ItemKind::Signal(def) => self.signal(def),
            ItemKind::Verdict(def) => {
                self.spanned(&mut def.name);
                self.opt(&mut def.label);
                for arm in &mut def.arms {
                    self.spanned(arm);
                    self.spanned(&mut arm.node.name);
                    self.opt(&mut arm.node.label);
                    match &mut arm.node.condition {
                        ArmCondition::When(e) => self.expr(e),
                        ArmCondition::Otherwise(span) => self.span(span),
                    }
                }
            }
            ItemKind::Advice(def) => {
                self.spanned(&mut def.name);
                self.opt(&mut def.label);
                self.expr(&mut def.when);
                for t in &mut def.text {
                    self.template(t);
                }
            }
            ItemKind::Test(def) => {
                self.spanned(&mut def.name);
                for statement in &mut def.statements {
                    self.spanned(statement);
                    match &mut statement.node {
                        TestStatement::GivenFile(path) => self.spanned(path),
                        TestStatement::GivenInline(entries) => self.entries(entries),
                        TestStatement::Today(_) => {}
                        TestStatement::Expect(e) => self.expr(e),
                    }
                }
            }
        }
    }

    fn fields(&mut self, fields: &mut [Spanned<FieldDef>]) {
        for f in fields {
            self.spanned(f);
            self.spanned(&mut f.node.name);
            self.opt(&mut f.node.doc);
            self.type_expr(&mut f.node.ty);
        }
    }

    fn type_expr(&mut self, ty: &mut TypeExpr) {
        self.spanned(ty);
        match &mut ty.node {
            TypeKind::Named { name, .. } => self.spanned(name),
            TypeKind::List { element, .. } => self.type_expr(element),
        }
    }

    fn signal(&mut self, def: &mut SignalDef) {
        self.spanned(&mut def.name);
        self.opt(&mut def.label);
        for clause in &mut def.clauses {
            self.spanned(clause);
            match &mut clause.node {
                SignalClause::When(e) => self.expr(e),
                SignalClause::Weight(_) => {}
                SignalClause::Message(t) => self.template(t),
            }
        }
    }

    fn entries(&mut self, entries: &mut [DataEntry]) {
        for entry in entries {
            self.spanned(&mut entry.key);
            self.data(&mut entry.value);
        }
    }

    fn data(&mut self, value: &mut Spanned<DataValue>) {
        self.spanned(value);
        match &mut value.node {
            DataValue::Record(entries) => self.entries(entries),
            DataValue::List(values) => {
                for v in values {
                    self.data(v);
                }
            }
            _ => {}
        }
    }

    fn template(&mut self, t: &mut Template) {
        self.span(&mut t.span);
        for part in &mut t.parts {
            if let TemplatePart::Interpolation(e) = part {
                self.expr(e);
            }
        }
    }

    /// Iterative, like `walk_expr`, so deep expressions cannot overflow.
    fn expr(&mut self, expr: &mut Expr) {
        let mut stack = vec![expr];
        while let Some(expr) = stack.pop() {
            self.span(&mut expr.span);
            match &mut expr.node {
                ExprKind::Bool(_)
                | ExprKind::Int(_)
                | ExprKind::Number(_)
                | ExprKind::Date(_)
                | ExprKind::Name(_) => {}
                ExprKind::Text(t) => {
                    self.span(&mut t.span);
                    for part in &mut t.parts {
                        if let TemplatePart::Interpolation(e) = part {
                            stack.push(e);
                        }
                    }
                }
                ExprKind::Field(base, field) => {
                    self.spanned(field);
                    stack.push(base);
                }
                ExprKind::Call(name, args) => {
                    self.spanned(name);
                    stack.extend(args.iter_mut());
                }
                ExprKind::List(items) => stack.extend(items.iter_mut()),
                ExprKind::Paren(e) | ExprKind::Unary(_, e) => stack.push(e),
                ExprKind::Binary(_, a, b) | ExprKind::Where(a, b) => {
                    stack.push(a);
                    stack.push(b);
                }
            }
        }
    }
}

/// Moves every span of a tree by a byte offset.
pub struct Shift(pub isize);

impl Shift {
    fn walker(&self) -> SpanWalker<impl FnMut(&mut Span)> {
        let by = self.0;
        let moved = move |x: usize| (x as isize + by).max(0) as usize;
        SpanWalker(move |span: &mut Span| *span = Span::new(moved(span.start), moved(span.end)))
    }

    pub fn span(&self, span: &mut Span) {
        self.walker().span(span);
    }

    pub fn diagnostic(&self, d: &mut Diagnostic) {
        self.walker().diagnostic(d);
    }

    pub fn item(&self, item: &mut Item) {
        self.walker().item(item);
    }

    pub fn file(&self, file: &mut File) {
        self.walker().file(file);
    }
}

/// Every span of a file, in the walk's order: two parses are the same,
/// spans included, when their files are equal and these are.
pub fn spans_of(file: &File) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut copy = file.clone();
    SpanWalker(|span: &mut Span| spans.push(*span)).file(&mut copy);
    spans
}
