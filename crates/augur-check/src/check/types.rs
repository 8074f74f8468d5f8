//! The type namespace and the facts block: enums and records declared
//! (names first, so types may refer to each other in any order), their
//! fields and variants, type expressions resolved, and the facts declared.
//! Values (lets, signals, verdicts) are declared in `check.rs`.

use super::*;

impl Checker<'_> {
    pub(super) fn declare_types(&mut self) {
        // Names first, so types may refer to each other in any order.
        let items: Vec<_> = self.items().collect();
        for &(file, item) in &items {
            self.file = file;
            let (name, kind) = match &item.node {
                ItemKind::Enum(def) => {
                    (&def.name, TypeRef::Enum(self.program.enums.len() as EnumId))
                }
                ItemKind::Record(def) => (
                    &def.name,
                    TypeRef::Record(self.program.records.len() as RecordId),
                ),
                _ => continue,
            };
            if let Some(existing) = self.types.get(&name.node).copied() {
                let first = self.type_location(existing);
                self.duplicate(name, "type", first);
                continue;
            }
            self.types.insert(name.node.clone(), kind);
            let location = self.location(name.span);
            match (&item.node, kind) {
                (ItemKind::Enum(def), TypeRef::Enum(id)) => {
                    self.occurrence(Symbol::Enum(id), name.span, true);
                    let last_end = def.variants.last().map(|v| v.span.end);
                    if let Some(at) = self.insertion_for(item.span, last_end) {
                        self.enum_close.insert(id, at);
                    }
                    let mut variants: Vec<VariantInfo> = Vec::new();
                    // Names seen so far, so that N variants cost N, not N².
                    let mut seen: HashMap<&str, usize> = HashMap::default();
                    for variant in &def.variants {
                        if let Some(first) = seen
                            .get(variant.name.node.as_str())
                            .and_then(|i| variants.get(*i))
                            .map(|v| v.location)
                        {
                            self.duplicate(&variant.name, "variant", Some(first));
                            continue;
                        }
                        self.occurrence(
                            Symbol::Variant(id, variants.len() as u32),
                            variant.name.span,
                            true,
                        );
                        seen.insert(variant.name.node.as_str(), variants.len());
                        variants.push(VariantInfo {
                            name: variant.name.node.clone(),
                            doc: variant.doc.as_ref().map(|d| d.node.clone()),
                            location: self.location(variant.name.span),
                        });
                    }
                    self.program.enums.push(EnumInfo {
                        name: name.node.clone(),
                        doc: def.doc.as_ref().map(|d| d.node.clone()),
                        variants,
                        location,
                    });
                }
                (ItemKind::Record(def), TypeRef::Record(id)) => {
                    self.occurrence(Symbol::Record(id), name.span, true);
                    self.program.records.push(RecordInfo {
                        name: name.node.clone(),
                        doc: def.doc.as_ref().map(|d| d.node.clone()),
                        fields: Vec::new(),
                        location,
                    });
                }
                _ => {}
            }
        }
        // Then record fields, whose types may name any type.
        for &(file, item) in &items {
            self.file = file;
            let ItemKind::Record(def) = &item.node else {
                continue;
            };
            let Some(TypeRef::Record(id)) = self.types.get(&def.name.node).copied() else {
                continue;
            };
            if self.program.records.get(id as usize).map(|r| r.location)
                != Some(self.location(def.name.span))
            {
                continue; // a duplicate record; already reported
            }
            let fields = self.fields(&def.fields, |index| Symbol::Field(id, index));
            if let Some(record) = self.program.records.get_mut(id as usize) {
                record.fields = fields;
            }
        }
    }

    /// Checks a list of `name: Type "doc"` declarations.
    fn fields(
        &mut self,
        defs: &[Spanned<ast::FieldDef>],
        symbol: impl Fn(u32) -> Symbol,
    ) -> Vec<FieldInfo> {
        let mut fields: Vec<FieldInfo> = Vec::new();
        // Names seen so far, so that N fields cost N, not N².
        let mut seen: HashMap<&str, usize> = HashMap::default();
        for def in defs {
            if let Some(first) = seen
                .get(def.name.node.as_str())
                .and_then(|i| fields.get(*i))
                .map(|f| f.location)
            {
                self.duplicate(&def.name, "field", Some(first));
                continue;
            }
            self.occurrence(symbol(fields.len() as u32), def.name.span, true);
            let ty = self.resolve_type(&def.ty);
            seen.insert(def.name.node.as_str(), fields.len());
            fields.push(FieldInfo {
                name: def.name.node.clone(),
                ty,
                doc: def.doc.as_ref().map(|d| d.node.clone()),
                location: self.location(def.name.span),
            });
        }
        fields
    }

    fn resolve_type(&mut self, ty: &ast::TypeExpr) -> Ty {
        match &ty.node {
            TypeKind::List { element, optional } => {
                if *optional {
                    // A missing list is the empty list, so `?` would promise
                    // an "unknown" state that never happens.
                    let question = Span::new(ty.span.end.saturating_sub(1), ty.span.end);
                    self.error(
                        Diagnostic::error(
                            Code::NeverUnknown,
                            question,
                            "a list is never unknown: a missing list is the empty list",
                        )
                        .with_label("this `?` has no effect")
                        .with_help("remove the `?`; to ask whether anything was recorded, write `count(xs) > 0`")
                        .with_suggestion("Remove the `?`", question, String::new()),
                    );
                }
                let element = self.resolve_type(element);
                if element.maybe_unknown {
                    self.error(
                        Diagnostic::error(Code::TypeMismatch, ty.span, "list items cannot be optional")
                            .with_help("a list simply leaves out what is not known: write `list<T>` without `?` inside"),
                    );
                }
                Ty {
                    ty: Type::List(Box::new(element.ty)),
                    maybe_unknown: *optional,
                }
            }
            TypeKind::Named { name, optional } => {
                let resolved = match self.types.get(&name.node).copied() {
                    Some(TypeRef::Builtin(builtin)) => match builtin {
                        "bool" => Type::Bool,
                        "int" => Type::Int,
                        "number" => Type::Number,
                        "text" => Type::Text,
                        _ => Type::Date,
                    },
                    Some(TypeRef::Enum(id)) => {
                        self.occurrence(Symbol::Enum(id), name.span, false);
                        Type::Enum(id)
                    }
                    Some(TypeRef::Record(id)) => {
                        self.occurrence(Symbol::Record(id), name.span, false);
                        Type::Record(id)
                    }
                    None if self.broken.types.contains(&name.node) => Type::Error,
                    None => {
                        let suggestion =
                            did_you_mean(&name.node, self.types.keys().map(String::as_str))
                                .map(str::to_string);
                        let mut diagnostic = Diagnostic::error(
                            Code::UnknownType,
                            name.span,
                            format!("there is no type named `{}`", name.node),
                        )
                        .with_label("unknown type");
                        diagnostic = match suggestion {
                            Some(s) => diagnostic
                                .with_help(format!("did you mean `{s}`?"))
                                .with_suggestion(format!("Change to `{s}`"), name.span, s.clone()),
                            None => diagnostic.with_help(
                                "the types are bool, int, number, text, date, list<T>, and the enums and records this playbook declares",
                            ),
                        };
                        self.error(diagnostic);
                        Type::Error
                    }
                };
                Ty {
                    ty: resolved,
                    maybe_unknown: *optional,
                }
            }
        }
    }

    pub(super) fn declare_facts(&mut self) {
        let mut first_block: Option<Location> = None;
        let items: Vec<_> = self.items().collect();
        for (file, item) in items {
            self.file = file;
            let ItemKind::Facts(block) = &item.node else {
                continue;
            };
            if let Some(first) = first_block {
                self.error(
                    Diagnostic::error(
                        Code::DuplicateFacts,
                        item.span,
                        "a playbook has one `facts` block",
                    )
                    .with_secondary(first.file, first.span, "the first `facts` block")
                    .with_help("move these facts into the first `facts` block"),
                );
                continue;
            }
            first_block =
                Some(self.location(Span::new(item.span.start, item.span.start + "facts".len())));
            self.facts_close =
                self.insertion_for(item.span, block.facts.last().map(|f| f.span.end));
            let facts = self.fields(&block.facts, Symbol::Fact);
            for (index, (fact, def)) in facts.iter().zip(block.facts.iter()).enumerate() {
                let _ = fact;
                self.declare_value(&def.name, ValueRef::Fact(index as FactId), "fact");
            }
            self.program.facts = facts;
        }
    }
}
