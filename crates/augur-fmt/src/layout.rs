//! The canonical layout of each item: which lines a node becomes, how blocks
//! open and close, and how columns are aligned (docs/formatting.md is the
//! prose version of this file).
//!
//! Every line is handed to the [`Printer`] with the source range it came
//! from, in source order, so comments land next to the code they were
//! written beside. This module never reorders anything and never drops a
//! node: the meaning-preservation tests compare the re-parsed tree with the
//! original one.

use crate::expr::{self, width};
use crate::printer::{Blank, Printer};
use augur_syntax::ast::{
    AdviceDef, ArmCondition, DataEntry, DataValue, EnumDef, FieldDef, File, GroupDef, Item,
    ItemKind, SignalClause, SignalDef, TestDef, TestStatement, VerdictDef,
};
use augur_syntax::{Span, Spanned};

/// An enum without variant docs goes on one line if it fits in this many columns.
pub const ENUM_ONE_LINE_WIDTH: usize = 80;
/// An inline `given { … }` deal (or a record or list inside it) goes on one
/// line if it fits in this many columns.
pub const DATA_ONE_LINE_WIDTH: usize = 100;

/// Formats a parsed file; `text` is the source it was parsed from (used for
/// comment positions and the author's blank lines).
pub(crate) fn format_file(file: &File, text: &str) -> String {
    let mut comments = file.comments.clone();
    comments.sort_by_key(|comment| comment.span.start);
    let mut layout = Layout {
        printer: Printer::new(text, &comments),
        text,
    };
    let mut previous: Option<&ItemKind> = None;
    for item in &file.items {
        let blank = match (previous, &item.node) {
            (None, _) => Blank::Keep,
            (Some(ItemKind::Import(_)), ItemKind::Import(_))
            | (Some(ItemKind::Let(_)), ItemKind::Let(_)) => Blank::Keep,
            _ => Blank::Force,
        };
        layout.item(item, blank);
        previous = Some(&item.node);
    }
    layout.printer.finish()
}

struct Layout<'a> {
    printer: Printer<'a>,
    text: &'a str,
}

impl Layout<'_> {
    fn item(&mut self, item: &Item, blank: Blank) {
        let span = item.span;
        match &item.node {
            ItemKind::Playbook(header) => {
                let mut text = format!("playbook {}", expr::plain_string(&header.title));
                if let Some(version) = &header.version {
                    text.push_str(" version ");
                    text.push_str(&expr::plain_string(version));
                }
                self.printer.line(span, text, blank);
            }
            ItemKind::Import(import) => {
                self.printer.line(
                    span,
                    format!("import {}", expr::plain_string(&import.path)),
                    blank,
                );
            }
            ItemKind::Let(def) => {
                self.printer.line(
                    span,
                    format!("let {} = {}", def.name.node, expr::expr(&def.value)),
                    blank,
                );
            }
            ItemKind::Enum(def) => self.enum_def(span, def, blank),
            ItemKind::Record(def) => {
                let header = format!("record {}{}", def.name.node, doc_suffix(def.doc.as_ref()));
                let after = def
                    .doc
                    .as_ref()
                    .map_or(def.name.span.end, |doc| doc.span.end);
                self.fields(span, header, after, &def.fields, blank);
            }
            ItemKind::Facts(facts) => {
                let after = span.start.saturating_add("facts".len());
                self.fields(span, "facts".to_string(), after, &facts.facts, blank);
            }
            ItemKind::Group(def) => self.group(span, def, blank),
            ItemKind::Signal(def) => self.signal(span, def, blank),
            ItemKind::Verdict(def) => self.verdict(span, def, blank),
            ItemKind::Advice(def) => self.advice(span, def, blank),
            ItemKind::Test(def) => self.test(span, def, blank),
        }
    }

    /// A `header { … }` block: `header {}` when it has no children and no
    /// comments, else the header line, the body, and `}` on its own line.
    fn block(
        &mut self,
        span: Span,
        header: String,
        after: usize,
        blank: Blank,
        empty: bool,
        body: impl FnOnce(&mut Self),
    ) {
        let open = self.find_open(after);
        let close = self.close_at(span);
        if empty && !self.printer.has_comment_within(open, close) {
            self.printer.line(span, format!("{header} {{}}"), blank);
            return;
        }
        self.printer.open(
            Span::new(span.start, open.saturating_add(1)),
            format!("{header} {{"),
            blank,
        );
        body(self);
        self.printer.close(close, "}");
    }

    /// The byte offset of the closing bracket that ends `span`.
    fn close_at(&self, span: Span) -> usize {
        self.printer
            .tight_end(span.start, span.end)
            .saturating_sub(1)
    }

    /// The first `{` or `[` at or after `from`, skipping whitespace and
    /// comments (only those can sit between a header and its bracket).
    fn find_open(&self, from: usize) -> usize {
        let bytes = self.text.as_bytes();
        let mut at = from;
        let mut in_comment = false;
        while let Some(&byte) = bytes.get(at) {
            if in_comment {
                in_comment = byte != b'\n' && byte != b'\r';
            } else {
                match byte {
                    b'{' | b'[' => return at,
                    b'#' => in_comment = true,
                    _ => {}
                }
            }
            at += 1;
        }
        from
    }

    fn enum_def(&mut self, span: Span, def: &EnumDef, blank: Blank) {
        let header = format!("enum {}{}", def.name.node, doc_suffix(def.doc.as_ref()));
        let after = def
            .doc
            .as_ref()
            .map_or(def.name.span.end, |doc| doc.span.end);
        let open = self.find_open(after);
        let close = self.close_at(span);
        if !def.variants.is_empty()
            && def.variants.iter().all(|variant| variant.doc.is_none())
            && !self.printer.has_comment_within(open, close)
        {
            let names: Vec<&str> = def
                .variants
                .iter()
                .map(|variant| variant.name.node.as_str())
                .collect();
            let one_line = format!("{header} {{ {} }}", names.join(", "));
            if self.printer.indent() * 2 + width(&one_line) <= ENUM_ONE_LINE_WIDTH {
                self.printer.line(span, one_line, blank);
                return;
            }
        }
        self.block(
            span,
            header,
            after,
            blank,
            def.variants.is_empty(),
            |this| {
                let name_width = max_width(
                    def.variants
                        .iter()
                        .filter(|v| v.doc.is_some())
                        .map(|v| v.name.node.as_str()),
                );
                for variant in &def.variants {
                    let row = match &variant.doc {
                        Some(doc) => format!(
                            "{} {}",
                            pad(&variant.name.node, name_width),
                            expr::plain_string(doc)
                        ),
                        None => variant.name.node.clone(),
                    };
                    this.printer.line(variant.span, row, Blank::Keep);
                }
            },
        );
    }

    /// Record fields or facts: `name: Type "doc"`, one per line, with the
    /// types and the docs each starting in one column.
    fn fields(
        &mut self,
        span: Span,
        header: String,
        after: usize,
        fields: &[Spanned<FieldDef>],
        blank: Blank,
    ) {
        self.block(span, header, after, blank, fields.is_empty(), |this| {
            let cells: Vec<(String, String, Option<String>)> = fields
                .iter()
                .map(|field| {
                    let doc = field.doc.as_ref().map(|doc| expr::plain_string(doc));
                    (
                        format!("{}:", field.name.node),
                        expr::type_expr(&field.ty),
                        doc,
                    )
                })
                .collect();
            let name_width = max_width(cells.iter().map(|(name, _, _)| name.as_str()));
            let type_width = max_width(
                cells
                    .iter()
                    .filter(|(_, _, doc)| doc.is_some())
                    .map(|(_, ty, _)| ty.as_str()),
            );
            for (field, (name, ty, doc)) in fields.iter().zip(cells) {
                let row = match doc {
                    Some(doc) => {
                        format!("{} {} {doc}", pad(&name, name_width), pad(&ty, type_width))
                    }
                    None => format!("{} {ty}", pad(&name, name_width)),
                };
                this.printer.line(field.span, row, Blank::Keep);
            }
        });
    }

    fn group(&mut self, span: Span, def: &GroupDef, blank: Blank) {
        let mut header = format!("group {}{}", def.name.node, doc_suffix(def.label.as_ref()));
        let mut after = def
            .label
            .as_ref()
            .map_or(def.name.span.end, |label| label.span.end);
        if let Some(when) = &def.when {
            header.push_str(" when ");
            header.push_str(&expr::expr(when));
            after = when.span.end;
        }
        self.block(span, header, after, blank, def.signals.is_empty(), |this| {
            for signal in &def.signals {
                this.signal(signal.span, signal, Blank::Force);
            }
        });
    }

    fn signal(&mut self, span: Span, def: &SignalDef, blank: Blank) {
        let header = format!("signal {}{}", def.name.node, doc_suffix(def.label.as_ref()));
        let after = def
            .label
            .as_ref()
            .map_or(def.name.span.end, |label| label.span.end);
        self.block(span, header, after, blank, def.clauses.is_empty(), |this| {
            for clause in &def.clauses {
                let text = match &clause.node {
                    SignalClause::When(condition) => format!("when {}", expr::expr(condition)),
                    SignalClause::Weight(weight) => format!("weight {weight}"),
                    SignalClause::Message(message) => {
                        format!("message {}", expr::template(message))
                    }
                };
                this.printer.line(clause.span, text, Blank::Keep);
            }
        });
    }

    /// Verdict arms, one per line: names, labels and `when`/`otherwise` each
    /// start in one column.
    fn verdict(&mut self, span: Span, def: &VerdictDef, blank: Blank) {
        let header = format!(
            "verdict {}{}",
            def.name.node,
            doc_suffix(def.label.as_ref())
        );
        let after = def
            .label
            .as_ref()
            .map_or(def.name.span.end, |label| label.span.end);
        self.block(span, header, after, blank, def.arms.is_empty(), |this| {
            let labels: Vec<Option<String>> = def
                .arms
                .iter()
                .map(|arm| arm.label.as_ref().map(|label| expr::plain_string(label)))
                .collect();
            let name_width = max_width(def.arms.iter().map(|arm| arm.name.node.as_str()));
            let any_label = labels.iter().any(Option::is_some);
            let label_width = max_width(labels.iter().flatten().map(String::as_str));
            for (arm, label) in def.arms.iter().zip(labels) {
                let mut row = pad(&arm.name.node, name_width);
                row.push(' ');
                if any_label {
                    row.push_str(&pad(label.as_deref().unwrap_or(""), label_width));
                    row.push(' ');
                }
                match &arm.condition {
                    ArmCondition::When(condition) => {
                        row.push_str("when ");
                        row.push_str(&expr::expr(condition));
                    }
                    ArmCondition::Otherwise(_) => row.push_str("otherwise"),
                }
                this.printer.line(arm.span, row, Blank::Keep);
            }
        });
    }

    fn advice(&mut self, span: Span, def: &AdviceDef, blank: Blank) {
        let header = format!(
            "advice {}{} when {}",
            def.name.node,
            doc_suffix(def.label.as_ref()),
            expr::expr(&def.when)
        );
        self.block(
            span,
            header,
            def.when.span.end,
            blank,
            def.text.is_empty(),
            |this| {
                for text in &def.text {
                    this.printer
                        .line(text.span, expr::template(text), Blank::Keep);
                }
            },
        );
    }

    fn test(&mut self, span: Span, def: &TestDef, blank: Blank) {
        let header = format!("test {}", expr::plain_string(&def.name));
        self.block(
            span,
            header,
            def.name.span.end,
            blank,
            def.statements.is_empty(),
            |this| {
                for statement in &def.statements {
                    match &statement.node {
                        TestStatement::GivenFile(path) => {
                            this.printer.line(
                                statement.span,
                                format!("given {}", expr::plain_string(path)),
                                Blank::Keep,
                            );
                        }
                        TestStatement::GivenInline(entries) => {
                            this.given_inline(statement.span, entries)
                        }
                        TestStatement::Today(date) => {
                            this.printer
                                .line(statement.span, format!("today {date}"), Blank::Keep)
                        }
                        TestStatement::Expect(condition) => {
                            this.printer.line(
                                statement.span,
                                format!("expect {}", expr::expr(condition)),
                                Blank::Keep,
                            );
                        }
                    }
                }
            },
        );
    }

    /// `given { … }` on one line if it fits and holds no comment; else one
    /// entry per line, nested records and lists decided the same way.
    fn given_inline(&mut self, span: Span, entries: &[DataEntry]) {
        let open = self.find_open(span.start.saturating_add("given".len()));
        let close = self.close_at(span);
        let one_line = format!("given {}", expr::data_record(entries));
        if self.fits(&one_line, DATA_ONE_LINE_WIDTH)
            && !self.printer.has_comment_within(open, close)
        {
            self.printer.line(span, one_line, Blank::Keep);
            return;
        }
        self.printer.open(
            Span::new(span.start, open.saturating_add(1)),
            "given {".to_string(),
            Blank::Keep,
        );
        self.data_entries(entries);
        self.printer.close(close, "}");
    }

    fn data_entries(&mut self, entries: &[DataEntry]) {
        for entry in entries {
            self.data_line(
                entry.key.span.start,
                format!("{} = ", entry.key.node),
                &entry.value,
                "",
            );
        }
    }

    /// One line of a broken inline record or list: `head` + value + `suffix`
    /// (`key = ` and nothing, or nothing and `,` for list items). A record or
    /// list value that does not fit, or holds a comment, is broken in turn.
    fn data_line(&mut self, start: usize, head: String, value: &Spanned<DataValue>, suffix: &str) {
        let one_line = format!("{head}{}{suffix}", expr::data_value(&value.node));
        let close = self.close_at(value.span);
        let keep_whole = self.fits(&one_line, DATA_ONE_LINE_WIDTH)
            && !self.printer.has_comment_within(value.span.start, close);
        match &value.node {
            DataValue::Record(entries) if !keep_whole => {
                self.printer.open(
                    Span::new(start, value.span.start.saturating_add(1)),
                    format!("{head}{{"),
                    Blank::Keep,
                );
                self.data_entries(entries);
                self.printer.close(close, &format!("}}{suffix}"));
            }
            DataValue::List(items) if !keep_whole => {
                self.printer.open(
                    Span::new(start, value.span.start.saturating_add(1)),
                    format!("{head}["),
                    Blank::Keep,
                );
                for item in items {
                    self.data_line(item.span.start, String::new(), item, ",");
                }
                self.printer.close(close, &format!("]{suffix}"));
            }
            _ => self
                .printer
                .line(Span::new(start, value.span.end), one_line, Blank::Keep),
        }
    }

    fn fits(&self, line: &str, limit: usize) -> bool {
        self.printer.indent() * 2 + width(line) <= limit
    }
}

/// ` "doc"` for an optional doc string or label, else nothing.
fn doc_suffix(doc: Option<&Spanned<String>>) -> String {
    doc.map(|doc| format!(" {}", expr::plain_string(doc)))
        .unwrap_or_default()
}

fn max_width<'s>(cells: impl Iterator<Item = &'s str>) -> usize {
    cells.map(width).max().unwrap_or(0)
}

/// `text` followed by spaces up to `columns` display columns.
fn pad(text: &str, columns: usize) -> String {
    let mut out = text.to_string();
    for _ in width(text)..columns {
        out.push(' ');
    }
    out
}
