//! Declarations and items: builds the symbol tables, checks every item, and
//! assembles the [`Program`].
//!
//! Names live in four namespaces: types (enums, records), values (facts, lets,
//! signals, verdicts), groups, and advice. Expressions are lowered in
//! `lower.rs` (names in `names.rs`, built-ins in `builtins.rs`); enums,
//! records, type expressions and the facts block in `check/types.rs`;
//! `test` items in `test_items.rs`; evaluation order and cycles in `order.rs`; warnings in
//! `lints.rs`.

mod types;

use crate::ir::{self, *};
use crate::{Analysis, Source};
use augur_syntax::ast::{self, ArmCondition, ItemKind, TypeKind};
use augur_syntax::{did_you_mean, Code, Diagnostic, FileId, Span, Spanned};
/// The checker's maps and sets: foldhash is several times faster than
/// std's SipHash on short names and still seeded per process, so a
/// playbook cannot be written to make its names collide.
pub(crate) type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
pub(crate) type HashSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

/// What a value name refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ValueRef {
    Fact(FactId),
    Let(LetId),
    Signal(SignalId),
    Verdict(VerdictId),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TypeRef {
    Builtin(&'static str),
    Enum(EnumId),
    Record(RecordId),
}

/// How far a `let` has been checked (lets are checked on demand, so one let
/// may refer to another declared later).
#[derive(Clone, Debug)]
pub(crate) enum LetState {
    Pending,
    InProgress,
    Done(Ty),
}

/// Names that are built into expressions and cannot be declared.
pub(crate) const RESERVED_VALUES: &[&str] = &["score", "today", "it"];
const BUILTIN_TYPES: &[&str] = &["bool", "int", "number", "text", "date"];

pub(crate) struct Checker<'a> {
    pub(crate) sources: &'a [Source],
    pub(crate) program: Program,
    pub(crate) diagnostics: Vec<Diagnostic>,
    pub(crate) occurrences: Vec<Occurrence>,
    pub(crate) types: HashMap<String, TypeRef>,
    pub(crate) values: HashMap<String, ValueRef>,
    pub(crate) groups: HashMap<String, GroupId>,
    /// The AST of each let, for on-demand checking.
    pub(crate) let_defs: Vec<(FileId, &'a ast::LetDef)>,
    pub(crate) let_states: Vec<LetState>,
    /// How many lets are being checked inside each other right now.
    pub(crate) let_depth: usize,
    /// The file whose expressions are being lowered.
    pub(crate) file: FileId,
    /// Element types of the enclosing `where` / `any` / `all` (innermost last).
    pub(crate) item_scopes: Vec<Type>,
    /// What the rule being lowered reads (for `--explain`) and depends on.
    pub(crate) reads: Vec<Read>,
    pub(crate) deps: Vec<(crate::order::Node, Location)>,
    /// Dependencies of each evaluation step, for ordering and cycle checks.
    pub(crate) step_deps: Vec<(Step, Vec<(crate::order::Node, Location)>)>,
    /// Values referenced anywhere (for the unused/unobserved lints).
    pub(crate) referenced: HashSet<Read>,
    /// Where a new fact can be inserted (for the "declare this fact" fix).
    pub(crate) facts_close: Option<Insertion>,
    /// Where a new variant can be inserted in each enum (for "add variant").
    pub(crate) enum_close: HashMap<EnumId, Insertion>,
    /// Names whose declarations did not parse: known to exist, so using them
    /// raises no second error (the syntax error was the one message).
    pub(crate) broken: BrokenNames,
}

/// The names declared by broken items and entries, by kind.
#[derive(Default)]
pub(crate) struct BrokenNames {
    pub(crate) values: HashSet<String>,
    pub(crate) types: HashSet<String>,
    pub(crate) members: HashSet<String>,
}

impl BrokenNames {
    fn collect(sources: &[Source]) -> Self {
        let mut names = BrokenNames::default();
        for decl in sources.iter().flat_map(|s| &s.parse.file.broken) {
            let set = match decl.kind {
                ast::BrokenKind::Value => &mut names.values,
                ast::BrokenKind::Type => &mut names.types,
                ast::BrokenKind::Member => &mut names.members,
            };
            set.insert(decl.name.node.clone());
        }
        names
    }
}

/// The closing `}` of a block and the end of its last entry, so a quick fix
/// can add an entry in the block's own layout.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Insertion {
    pub(crate) file: FileId,
    pub(crate) close: usize,
    pub(crate) last_end: Option<usize>,
}

pub(crate) fn check(sources: Vec<Source>, diagnostics: Vec<Diagnostic>) -> Analysis {
    let (program, diagnostics, occurrences) = {
        let mut checker = Checker {
            sources: &sources,
            program: Program::default(),
            diagnostics,
            occurrences: Vec::new(),
            types: BUILTIN_TYPES
                .iter()
                .map(|t| (t.to_string(), TypeRef::Builtin(t)))
                .collect(),
            values: HashMap::default(),
            groups: HashMap::default(),
            let_defs: Vec::new(),
            let_states: Vec::new(),
            let_depth: 0,
            file: FileId::ROOT,
            item_scopes: Vec::new(),
            reads: Vec::new(),
            deps: Vec::new(),
            step_deps: Vec::new(),
            referenced: Default::default(),
            facts_close: None,
            enum_close: HashMap::default(),
            broken: BrokenNames::collect(&sources),
        };
        checker.reserve();
        for (index, source) in sources.iter().enumerate() {
            let file = FileId(index as u32);
            checker.diagnostics.extend(
                source
                    .parse
                    .diagnostics
                    .iter()
                    .cloned()
                    .map(|d| d.in_file(file)),
            );
        }
        checker.run();
        (checker.program, checker.diagnostics, checker.occurrences)
    };
    Analysis {
        sources,
        diagnostics,
        program,
        occurrences,
    }
}

impl<'a> Checker<'a> {
    pub(crate) fn items(&self) -> impl Iterator<Item = (FileId, &'a ast::Item)> + 'a {
        let sources: &'a [Source] = self.sources;
        sources.iter().enumerate().flat_map(|(index, source)| {
            source
                .parse
                .file
                .items
                .iter()
                .map(move |item| (FileId(index as u32), item))
        })
    }

    pub(crate) fn location(&self, span: Span) -> Location {
        Location {
            file: self.file,
            span,
        }
    }

    pub(crate) fn error(&mut self, diagnostic: Diagnostic) {
        let file = self.file;
        self.diagnostics.push(diagnostic.in_file(file));
    }

    /// Whether a syntax error was reported inside `span` of the current file
    /// (then a missing part there is that error's doing, not a second one).
    pub(crate) fn syntax_error_inside(&self, span: Span) -> bool {
        self.diagnostics.iter().any(|d| {
            d.code == Code::Syntax
                && d.file == self.file
                && span.start <= d.span.start
                && d.span.start < span.end
        })
    }

    /// The source text under `span` in the file being checked.
    pub(crate) fn source_text(&self, span: Span) -> Option<&'a str> {
        let sources: &'a [Source] = self.sources;
        sources
            .get(self.file.0 as usize)?
            .text
            .get(span.start..span.end)
    }

    /// Where `}` closes the block `item` (if its text ends with one).
    fn insertion_for(&self, item_span: Span, last_end: Option<usize>) -> Option<Insertion> {
        let close = item_span.end.checked_sub(1)?;
        let text = self.sources.get(self.file.0 as usize).map(|s| &*s.text)?;
        (text.get(close..item_span.end) == Some("}")).then_some(Insertion {
            file: self.file,
            close,
            last_end,
        })
    }

    /// A suggestion that adds `entry` to the block at `at`: on its own line
    /// when the `}` is alone on its line, else after the last entry.
    pub(crate) fn insert_entry(&self, at: Insertion, entry: &str) -> (FileId, Span, String) {
        let text = self
            .sources
            .get(at.file.0 as usize)
            .map_or("", |s| &*s.text);
        let line_start = text
            .get(..at.close)
            .and_then(|b| b.rfind('\n'))
            .map_or(0, |i| i + 1);
        let alone = text
            .get(line_start..at.close)
            .is_some_and(|t| t.trim().is_empty());
        let (offset, replacement) = if alone {
            (line_start, format!("  {entry}\n"))
        } else if let Some(end) = at.last_end {
            (end, format!(", {entry}"))
        } else {
            (at.close, format!(" {entry} "))
        };
        (at.file, Span::new(offset, offset), replacement)
    }

    pub(crate) fn occurrence(&mut self, symbol: Symbol, span: Span, is_definition: bool) {
        self.occurrences.push(Occurrence {
            symbol,
            file: self.file,
            span,
            is_definition,
        });
    }

    /// Makes room up front in the lists that grow with the playbook (a big
    /// one otherwise copies them several times as they grow). Capacity
    /// only: nothing anyone reads depends on it.
    fn reserve(&mut self) {
        let mut signals = 0;
        let mut groups = 0;
        let mut bytes = 0;
        for source in self.sources {
            bytes += source.text.len();
            for item in &source.parse.file.items {
                match &item.node {
                    ItemKind::Group(def) => {
                        groups += 1;
                        signals += def.signals.len();
                    }
                    ItemKind::Signal(_) => signals += 1,
                    _ => {}
                }
            }
        }
        self.program.signals.reserve(signals);
        self.step_deps.reserve(signals + groups);
        // About one name written per 20 bytes of text in a typical playbook.
        self.occurrences.reserve(bytes / 20);
    }

    fn run(&mut self) {
        self.check_headers();
        self.declare_types();
        self.declare_facts();
        self.declare_values();
        self.check_lets();
        self.check_groups_and_signals();
        self.check_verdicts();
        self.check_advice();
        self.check_tests();
        crate::order::order(self);
        if !self.diagnostics.iter().any(Diagnostic::is_error) {
            crate::budget::check_budget(self);
        }
        // Warnings only once the playbook is free of errors: a broken rule
        // reads nothing, which would make every lint cry wolf.
        if !self.diagnostics.iter().any(Diagnostic::is_error) {
            crate::lints::lint(self);
        }
    }

    fn check_headers(&mut self) {
        for (index, source) in self.sources.iter().enumerate() {
            let file = FileId(index as u32);
            let mut seen = false;
            for (position, item) in source.parse.file.items.iter().enumerate() {
                if let ItemKind::Playbook(header) = &item.node {
                    if seen {
                        self.diagnostics.push(
                            Diagnostic::error(
                                Code::Header,
                                item.span,
                                "a file has at most one `playbook` header",
                            )
                            .with_help("remove this second header")
                            .in_file(file),
                        );
                    } else if position != 0 {
                        self.diagnostics.push(
                            Diagnostic::error(
                                Code::Header,
                                item.span,
                                "the `playbook` header must be the first item of the file",
                            )
                            .with_help("move it to the top, above imports and declarations")
                            .in_file(file),
                        );
                    }
                    if !seen && index == 0 {
                        self.program.title = Some(header.title.node.clone());
                        self.program.version = header.version.as_ref().map(|v| v.node.clone());
                    }
                    seen = true;
                }
            }
        }
    }

    /// Reports `name` as a duplicate if `existing` already holds it.
    fn duplicate(&mut self, name: &ast::Ident, what: &str, first: Option<Location>) {
        let mut diagnostic = Diagnostic::error(
            Code::DuplicateName,
            name.span,
            format!("`{}` is declared twice", name.node),
        )
        .with_label(format!("second {what} named `{}`", name.node))
        .with_help("give each declaration its own name");
        if let Some(first) = first {
            diagnostic = diagnostic.with_secondary(first.file, first.span, "first declared here");
        }
        self.error(diagnostic);
    }

    fn value_location(&self, value: ValueRef) -> Option<Location> {
        match value {
            ValueRef::Fact(id) => self.program.facts.get(id as usize).map(|f| f.location),
            ValueRef::Let(id) => self.program.lets.get(id as usize).map(|l| l.location),
            ValueRef::Signal(id) => self.program.signals.get(id as usize).map(|s| s.location),
            ValueRef::Verdict(id) => self.program.verdicts.get(id as usize).map(|v| v.location),
        }
    }

    fn type_location(&self, ty: TypeRef) -> Option<Location> {
        match ty {
            TypeRef::Builtin(_) => None,
            TypeRef::Enum(id) => self.program.enums.get(id as usize).map(|e| e.location),
            TypeRef::Record(id) => self.program.records.get(id as usize).map(|r| r.location),
        }
    }

    /// Declares a value name; reports duplicates and reserved names.
    fn declare_value(&mut self, name: &ast::Ident, value: ValueRef, what: &str) -> bool {
        if RESERVED_VALUES.contains(&name.node.as_str()) {
            self.error(
                Diagnostic::error(
                    Code::DuplicateName,
                    name.span,
                    format!("`{}` is a built-in name", name.node),
                )
                .with_help(
                    "choose another name; `score`, `today` and `it` are built into the language",
                ),
            );
            return false;
        }
        if let Some(existing) = self.values.get(&name.node).copied() {
            let first = self.value_location(existing);
            self.duplicate(name, what, first);
            return false;
        }
        self.values.insert(name.node.clone(), value);
        true
    }

    fn declare_values(&mut self) {
        let items: Vec<_> = self.items().collect();
        let mut advice_names: HashMap<String, Location> = HashMap::default();
        for (file, item) in items {
            self.file = file;
            match &item.node {
                ItemKind::Let(def) => {
                    let id = self.program.lets.len() as LetId;
                    if self.declare_value(&def.name, ValueRef::Let(id), "let") {
                        self.occurrence(Symbol::Let(id), def.name.span, true);
                        self.program.lets.push(LetInfo {
                            name: def.name.node.clone(),
                            value: placeholder(self.location(def.value.span)),
                            location: self.location(def.name.span),
                        });
                        self.let_defs.push((file, def));
                        self.let_states.push(LetState::Pending);
                    }
                }
                ItemKind::Group(def) => {
                    let id = self.program.groups.len() as GroupId;
                    if let Some(&existing) = self.groups.get(&def.name.node) {
                        let first = self
                            .program
                            .groups
                            .get(existing as usize)
                            .map(|g| g.location);
                        self.duplicate(&def.name, "group", first);
                    } else {
                        self.groups.insert(def.name.node.clone(), id);
                    }
                    self.occurrence(Symbol::Group(id), def.name.span, true);
                    self.program.groups.push(GroupInfo {
                        name: def.name.node.clone(),
                        label: def.label.as_ref().map(|l| l.node.clone()),
                        when: None,
                        signals: Vec::new(),
                        location: self.location(def.name.span),
                    });
                    for signal in &def.signals {
                        self.declare_signal(signal, Some(id));
                    }
                }
                ItemKind::Signal(def) => {
                    let spanned = Spanned::new(def.clone(), item.span);
                    self.declare_signal(&spanned, None);
                }
                ItemKind::Verdict(def) => {
                    let id = self.program.verdicts.len() as VerdictId;
                    if self.declare_value(&def.name, ValueRef::Verdict(id), "verdict") {
                        self.occurrence(Symbol::Verdict(id), def.name.span, true);
                        let mut arms: Vec<ArmInfo> = Vec::new();
                        // Names seen so far, so that N arms cost N, not N².
                        let mut seen: HashMap<&str, usize> = HashMap::default();
                        for arm in &def.arms {
                            if let Some(first) = seen
                                .get(arm.name.node.as_str())
                                .and_then(|i| arms.get(*i))
                                .map(|a| a.location)
                            {
                                self.duplicate(&arm.name, "verdict arm", Some(first));
                            }
                            self.occurrence(
                                Symbol::Arm(id, arms.len() as u32),
                                arm.name.span,
                                true,
                            );
                            // The first arm of a name is the one a
                            // duplicate points back to.
                            seen.entry(arm.name.node.as_str()).or_insert(arms.len());
                            arms.push(ArmInfo {
                                name: arm.name.node.clone(),
                                label: arm
                                    .label
                                    .as_ref()
                                    .map_or_else(|| arm.name.node.clone(), |l| l.node.clone()),
                                when: None,
                                location: self.location(arm.name.span),
                            });
                        }
                        self.program.verdicts.push(VerdictInfo {
                            name: def.name.node.clone(),
                            label: def
                                .label
                                .as_ref()
                                .map_or_else(|| def.name.node.clone(), |l| l.node.clone()),
                            arms,
                            location: self.location(def.name.span),
                        });
                    }
                }
                ItemKind::Advice(def) => {
                    if let Some(first) = advice_names.get(&def.name.node).copied() {
                        self.duplicate(&def.name, "advice", Some(first));
                    }
                    advice_names.insert(def.name.node.clone(), self.location(def.name.span));
                    let id = self.program.advice.len() as AdviceId;
                    self.occurrence(Symbol::Advice(id), def.name.span, true);
                    self.program.advice.push(AdviceInfo {
                        name: def.name.node.clone(),
                        label: def.label.as_ref().map(|l| l.node.clone()),
                        when: placeholder(self.location(def.when.span)),
                        text: Vec::new(),
                        location: self.location(def.name.span),
                    });
                }
                _ => {}
            }
        }
    }

    fn declare_signal(&mut self, signal: &Spanned<ast::SignalDef>, group: Option<GroupId>) {
        let def = &signal.node;
        let id = self.program.signals.len() as SignalId;
        if !self.declare_value(&def.name, ValueRef::Signal(id), "signal") {
            return;
        }
        self.occurrence(Symbol::Signal(id), def.name.span, true);
        if let Some(group) = group.and_then(|g| self.program.groups.get_mut(g as usize)) {
            group.signals.push(id);
        }
        let label = def
            .label
            .as_ref()
            .map_or_else(|| def.name.node.clone(), |l| l.node.clone());
        self.program.signals.push(SignalInfo {
            name: def.name.node.clone(),
            message: Template {
                parts: vec![TemplatePart::Text(label.as_str().into())],
            },
            label,
            group,
            when: placeholder(self.location(signal.span)),
            weight: def.weight().map_or(0, |w| w.node),
            location: self.location(def.name.span),
            reads: Vec::new(),
        });
    }

    fn check_lets(&mut self) {
        for id in 0..self.let_defs.len() {
            self.let_type(id as LetId, None);
        }
    }

    /// Starts collecting what one rule reads and depends on.
    pub(crate) fn begin_rule(&mut self) {
        self.reads.clear();
        self.deps.clear();
    }

    pub(crate) fn end_rule(&mut self, step: Option<Step>) -> Vec<Read> {
        let mut reads = std::mem::take(&mut self.reads);
        reads.sort();
        reads.dedup();
        let deps = std::mem::take(&mut self.deps);
        if let Some(step) = step {
            self.step_deps.push((step, deps));
        }
        reads
    }

    fn check_groups_and_signals(&mut self) {
        let items: Vec<_> = self.items().collect();
        let mut group_id = 0;
        for (file, item) in items {
            self.file = file;
            match &item.node {
                ItemKind::Group(def) => {
                    let id = group_id;
                    group_id += 1;
                    self.begin_rule();
                    let when = def.when.as_ref().map(|when| self.lower_condition(when));
                    self.end_rule(Some(Step::Group(id)));
                    if let Some(group) = self.program.groups.get_mut(id as usize) {
                        group.when = when;
                    }
                    for signal in &def.signals {
                        self.check_signal(&signal.node, signal.span, Some(id));
                    }
                }
                ItemKind::Signal(def) => self.check_signal(def, item.span, None),
                _ => {}
            }
        }
    }

    fn check_signal(&mut self, def: &ast::SignalDef, span: Span, group: Option<GroupId>) {
        let Some(ValueRef::Signal(id)) = self.values.get(&def.name.node).copied() else {
            return;
        };
        if self.program.signals.get(id as usize).map(|s| s.location)
            != Some(self.location(def.name.span))
        {
            return; // a duplicate name, reported already
        }
        self.begin_rule();
        if let Some(group) = group {
            self.deps.push((
                crate::order::Node::Step(Step::Group(group)),
                self.location(def.name.span),
            ));
        }
        let when = match def.when() {
            Some(when) => self.lower_condition(when),
            // A `when` that did not parse was reported as a syntax error.
            None if self.syntax_error_inside(span) => placeholder(self.location(span)),
            None => {
                self.error(
                    Diagnostic::error(
                        Code::Syntax,
                        def.name.span,
                        format!("signal `{}` has no `when`", def.name.node),
                    )
                    .with_label("never fires")
                    .with_help("add a line `when <condition>` saying when this signal fires"),
                );
                placeholder(self.location(span))
            }
        };
        let message = def.message().map(|m| self.lower_template(m));
        let reads = self.end_rule(Some(Step::Signal(id)));
        if let Some(signal) = self.program.signals.get_mut(id as usize) {
            signal.when = when;
            signal.reads = reads;
            if let Some(message) = message {
                signal.message = message;
            }
        }
    }

    fn check_verdicts(&mut self) {
        let items: Vec<_> = self.items().collect();
        for (file, item) in items {
            self.file = file;
            let ItemKind::Verdict(def) = &item.node else {
                continue;
            };
            let Some(ValueRef::Verdict(id)) = self.values.get(&def.name.node).copied() else {
                continue;
            };
            if self.program.verdicts.get(id as usize).map(|v| v.location)
                != Some(self.location(def.name.span))
            {
                continue;
            }
            self.begin_rule();
            let mut otherwise_at: Option<Span> = None;
            let mut conditions = Vec::new();
            for arm in &def.arms {
                if let Some(otherwise) = otherwise_at {
                    self.error(
                        Diagnostic::error(
                            Code::UnreachableArm,
                            arm.span,
                            format!("arm `{}` can never be chosen", arm.name.node),
                        )
                        .with_label("after `otherwise`")
                        .with_secondary(self.file, otherwise, "`otherwise` always matches")
                        .with_help("move this arm above the `otherwise` arm"),
                    );
                }
                conditions.push(match &arm.node.condition {
                    ArmCondition::When(when) => Some(self.lower_condition(when)),
                    ArmCondition::Otherwise(span) => {
                        otherwise_at.get_or_insert(*span);
                        None
                    }
                });
            }
            let last_is_otherwise = matches!(
                def.arms.last().map(|a| &a.node.condition),
                Some(ArmCondition::Otherwise(_))
            );
            if !last_is_otherwise && otherwise_at.is_none() && !self.syntax_error_inside(item.span)
            {
                let end = item.span.end.saturating_sub(1);
                let indent = "  ";
                let mut diagnostic = Diagnostic::error(
                    Code::MissingOtherwise,
                    def.name.span,
                    format!("verdict `{}` has no `otherwise` arm", def.name.node),
                )
                .with_label("some deals would get no answer")
                .with_help("add a last arm that catches every other deal, e.g. `unclear \"Unclear\" otherwise`");
                diagnostic = diagnostic.with_suggestion(
                    "Add an `otherwise` arm",
                    Span::new(end, end),
                    format!("{indent}unclear \"Unclear\" otherwise\n"),
                );
                self.error(diagnostic);
            }
            self.end_rule(Some(Step::Verdict(id)));
            if let Some(verdict) = self.program.verdicts.get_mut(id as usize) {
                for (arm, condition) in verdict.arms.iter_mut().zip(conditions) {
                    arm.when = condition;
                }
            }
        }
    }

    fn check_advice(&mut self) {
        let items: Vec<_> = self.items().collect();
        let mut id = 0usize;
        for (file, item) in items {
            self.file = file;
            let ItemKind::Advice(def) = &item.node else {
                continue;
            };
            self.begin_rule();
            let when = self.lower_condition(&def.when);
            let text: Vec<_> = def.text.iter().map(|t| self.lower_template(t)).collect();
            self.end_rule(None);
            if let Some(advice) = self.program.advice.get_mut(id) {
                advice.when = when;
                advice.text = text;
            }
            id += 1;
        }
    }
}

/// A stand-in expression for a rule that failed to check.
pub(crate) fn placeholder(location: Location) -> ir::Expr {
    ir::Expr {
        kind: ExprKind::Literal(Literal::Bool(false)),
        ty: Ty::error(),
        location,
    }
}
