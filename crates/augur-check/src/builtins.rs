//! The built-in functions, in one place for the checker: each one's name,
//! signature and one-line documentation ([`BUILTINS`], which hover,
//! completion and semantic tokens read through [`builtins`]), and its type
//! rule with overload resolution ([`Checker::lower_call`], which turns a call
//! into an [`ir::Builtin`]).
//!
//! Evaluation lives one layer up, in `augur-eval` (`eval/builtins.rs`, `Frame::call`),
//! as one exhaustive `match` on [`ir::Builtin`]: adding a variant here does
//! not compile until it is evaluated there. The tidy test checks that every
//! name here is documented in docs/language.md.

use crate::check::Checker;
use crate::ir::{self, *};
use crate::order::Node;
use augur_syntax::ast::{self, ExprKind as Ast};
use augur_syntax::{did_you_mean, Code, Diagnostic, Span};

const BUILTINS: &[(&str, &str, &str)] = &[
    (
        "count",
        "count(list) -> int",
        "How many items the list has.",
    ),
    (
        "any",
        "any(list<bool>) or any(list, condition) -> bool",
        "True when at least one item is true (or meets the condition).",
    ),
    (
        "all",
        "all(list<bool>) or all(list, condition) -> bool",
        "True when every item is true (or meets the condition).",
    ),
    (
        "first",
        "first(list<T>) -> T?",
        "The first item; unknown when the list is empty.",
    ),
    (
        "last",
        "last(list<T>) -> T?",
        "The last item; unknown when the list is empty.",
    ),
    (
        "min",
        "min(list<T>) -> T?",
        "The smallest number or earliest date; unknown when the list is empty.",
    ),
    (
        "max",
        "max(list<T>) -> T?",
        "The largest number or latest date; unknown when the list is empty.",
    ),
    (
        "sum",
        "sum(list<int|number>) -> int|number",
        "The total of the numbers; 0 when the list is empty.",
    ),
    (
        "days_since",
        "days_since(date) -> int",
        "Days from the date until today (positive for past dates).",
    ),
    (
        "days_until",
        "days_until(date) -> int",
        "Days from today until the date (positive for future dates).",
    ),
    (
        "len",
        "len(text|list) -> int",
        "The number of characters of a text or items of a list.",
    ),
    (
        "contains",
        "contains(text, text) or contains(list<T>, T) -> bool",
        "Whether the text contains the other text, or the list contains the item.",
    ),
    (
        "round",
        "round(number, digits) -> number",
        "The number rounded to `digits` decimal places (a whole number from 0 to 10); halves round away from zero.",
    ),
    (
        "known",
        "known(value) -> bool",
        "Whether a value that may be unknown is known for this deal.",
    ),
    (
        "decided",
        "decided(signal) -> bool",
        "Whether the signal's condition was decided (it fired, or it was decided not to fire) rather than left open by unknown facts.",
    ),
    (
        "score",
        "score or score(group) -> int",
        "The sum of the weights of the signals that fired (in one group).",
    ),
];

/// The built-in functions: `(name, signature, one-line doc)`.
pub fn builtins() -> &'static [(&'static str, &'static str, &'static str)] {
    BUILTINS
}

impl Checker<'_> {
    pub(crate) fn never_unknown(&mut self, span: Span, what: &str) {
        self.error(
            Diagnostic::error(Code::NeverUnknown, span, format!("{what} is not needed: this value is never unknown"))
                .with_label("always known")
                .with_help("only facts declared with `?` (and values computed from them) can be unknown; remove the check"),
        );
    }

    fn arity(
        &mut self,
        name: &ast::Ident,
        args: &[ast::Expr],
        allowed: &[usize],
        span: Span,
    ) -> bool {
        if allowed.contains(&args.len()) {
            return true;
        }
        let signature = BUILTINS
            .iter()
            .find(|b| b.0 == name.node)
            .map_or("", |b| b.1);
        let counts: Vec<String> = allowed.iter().map(|n| n.to_string()).collect();
        self.error(
            Diagnostic::error(
                Code::BadCall,
                span,
                format!(
                    "`{}` takes {} argument(s), found {}",
                    name.node,
                    counts.join(" or "),
                    args.len()
                ),
            )
            .with_help(format!("use it as {signature}")),
        );
        false
    }

    pub(crate) fn lower_call(
        &mut self,
        name: &ast::Ident,
        args: &[ast::Expr],
        span: Span,
    ) -> ir::Expr {
        let function = name.node.as_str();
        if function == "score" {
            if !self.arity(name, args, &[1], span) {
                return self.poisoned(span);
            }
            let group_name = match args.first().map(|a| &a.node) {
                Some(Ast::Name(group)) => Some(group.clone()),
                _ => None,
            };
            let arg_span = args.first().map_or(span, |a| a.span);
            return match group_name
                .as_ref()
                .and_then(|g| self.groups.get(g).copied())
            {
                Some(group) => {
                    self.occurrence(Symbol::Group(group), arg_span, false);
                    self.deps
                        .push((Node::GroupScore(group), self.location(span)));
                    self.node(ExprKind::GroupScore(group), Ty::known(Type::Int), span)
                }
                None => {
                    let groups: Vec<String> =
                        self.program.groups.iter().map(|g| g.name.clone()).collect();
                    let mut diagnostic = Diagnostic::error(
                        Code::UnknownName,
                        arg_span,
                        "`score(…)` needs the name of a group",
                    )
                    .with_label("not a group");
                    if let Some(s) = group_name
                        .as_deref()
                        .and_then(|g| did_you_mean(g, groups.iter().map(String::as_str)))
                    {
                        diagnostic = diagnostic.with_suggestion(
                            format!("Change to `{s}`"),
                            arg_span,
                            s.to_string(),
                        );
                    }
                    self.error(
                        diagnostic.with_help(format!("the groups are: {}", groups.join(", "))),
                    );
                    self.poisoned(span)
                }
            };
        }
        let Some(_) = BUILTINS.iter().find(|b| b.0 == function) else {
            let names: Vec<&str> = BUILTINS.iter().map(|b| b.0).collect();
            let mut diagnostic = Diagnostic::error(
                Code::UnknownName,
                name.span,
                format!("there is no function named `{function}`"),
            )
            .with_label("unknown function");
            diagnostic = match did_you_mean(function, names.iter().copied()) {
                Some(s) => diagnostic
                    .with_help(format!("did you mean `{s}`?"))
                    .with_suggestion(format!("Change to `{s}`"), name.span, s.to_string()),
                None => diagnostic.with_help(format!("the functions are: {}", names.join(", "))),
            };
            self.error(diagnostic);
            return self.poisoned(span);
        };
        // any/all with a condition: the condition sees each item, like `where`.
        if matches!(function, "any" | "all") && args.len() == 2 {
            let (Some(list), Some(cond)) = (args.first(), args.get(1)) else {
                return self.poisoned(span);
            };
            let list = self.lower(list, None);
            let mode = if function == "any" {
                FilterMode::Any
            } else {
                FilterMode::All
            };
            return self.lower_filter(list, cond, mode, span);
        }
        let allowed: &[usize] = if matches!(function, "contains" | "round") {
            &[2]
        } else {
            &[1]
        };
        if !self.arity(name, args, allowed, span) {
            return self.poisoned(span);
        }
        // Later arguments are read with the first one's item type as a hint,
        // so `contains(stages, late)` finds the variant.
        let mut lowered: Vec<ir::Expr> = Vec::with_capacity(args.len());
        for arg in args {
            let hint = lowered.first().map(|first: &ir::Expr| match &first.ty.ty {
                Type::List(element) => element.as_ref().clone(),
                other => other.clone(),
            });
            lowered.push(self.lower(arg, hint.as_ref()));
        }
        let Some(first) = lowered.first() else {
            return self.poisoned(span);
        };
        let first_ty = first.ty.clone();
        let first_span = first.location.span;
        let element = match &first_ty.ty {
            Type::List(element) => Some(element.as_ref().clone()),
            _ => None,
        };
        let list_unknown = first_ty.maybe_unknown;
        let bad = |checker: &mut Self, expected: &str| {
            checker.mismatch(
                first_span,
                expected,
                &first_ty,
                &format!(
                    "`{function}` is used as {}",
                    BUILTINS
                        .iter()
                        .find(|b| b.0 == function)
                        .map_or("", |b| b.1)
                ),
            );
        };
        if first_ty.ty.is_error() {
            return self.poisoned(span);
        }
        let (builtin, ty) = match function {
            "count" => match element {
                Some(_) => (
                    Builtin::Count,
                    Ty {
                        ty: Type::Int,
                        maybe_unknown: list_unknown,
                    },
                ),
                None => {
                    bad(self, "a list");
                    return self.poisoned(span);
                }
            },
            "any" | "all" => match element {
                Some(Type::Bool | Type::Nothing | Type::Error) => {
                    let builtin = if function == "any" {
                        Builtin::AnyBool
                    } else {
                        Builtin::AllBool
                    };
                    (
                        builtin,
                        Ty {
                            ty: Type::Bool,
                            maybe_unknown: list_unknown,
                        },
                    )
                }
                _ => {
                    bad(self, "a list of yes/no values, or a list and a condition");
                    return self.poisoned(span);
                }
            },
            "first" | "last" => match element {
                Some(element) => {
                    let builtin = if function == "first" {
                        Builtin::First
                    } else {
                        Builtin::Last
                    };
                    (
                        builtin,
                        Ty {
                            ty: element,
                            maybe_unknown: true,
                        },
                    )
                }
                None => {
                    bad(self, "a list");
                    return self.poisoned(span);
                }
            },
            "min" | "max" => match element {
                Some(
                    element @ (Type::Int | Type::Number | Type::Date | Type::Enum(_) | Type::Error),
                ) => {
                    let builtin = if function == "min" {
                        Builtin::Min
                    } else {
                        Builtin::Max
                    };
                    (
                        builtin,
                        Ty {
                            ty: element,
                            maybe_unknown: true,
                        },
                    )
                }
                _ => {
                    bad(self, "a list of numbers or dates");
                    return self.poisoned(span);
                }
            },
            "sum" => match element {
                Some(element @ (Type::Int | Type::Number | Type::Error)) => (
                    Builtin::Sum,
                    Ty {
                        ty: element,
                        maybe_unknown: list_unknown,
                    },
                ),
                Some(Type::Nothing) => (
                    Builtin::Sum,
                    Ty {
                        ty: Type::Int,
                        maybe_unknown: list_unknown,
                    },
                ),
                _ => {
                    bad(self, "a list of numbers");
                    return self.poisoned(span);
                }
            },
            "days_since" | "days_until" => match first_ty.ty {
                Type::Date => {
                    let builtin = if function == "days_since" {
                        Builtin::DaysSince
                    } else {
                        Builtin::DaysUntil
                    };
                    (
                        builtin,
                        Ty {
                            ty: Type::Int,
                            maybe_unknown: first_ty.maybe_unknown,
                        },
                    )
                }
                _ => {
                    bad(self, "a date");
                    return self.poisoned(span);
                }
            },
            "len" => match (&first_ty.ty, element) {
                (Type::Text, _) => (
                    Builtin::LenText,
                    Ty {
                        ty: Type::Int,
                        maybe_unknown: first_ty.maybe_unknown,
                    },
                ),
                (_, Some(_)) => (
                    Builtin::LenList,
                    Ty {
                        ty: Type::Int,
                        maybe_unknown: first_ty.maybe_unknown,
                    },
                ),
                _ => {
                    bad(self, "a text or a list");
                    return self.poisoned(span);
                }
            },
            "round" => {
                if !matches!(first_ty.ty, Type::Int | Type::Number) {
                    bad(self, "a number");
                    return self.poisoned(span);
                }
                let digits = lowered.get(1);
                let literal = digits.and_then(|d| match d.kind {
                    ExprKind::Literal(Literal::Int(n)) => Some(n),
                    _ => None,
                });
                if !literal.is_some_and(|n| (0..=10).contains(&n)) {
                    let at = digits.map_or(span, |d| d.location.span);
                    self.error(
                        Diagnostic::error(
                            Code::BadCall,
                            at,
                            "`round` needs the number of decimal places as a whole number from 0 to 10",
                        )
                        .with_label("decimal places")
                        .with_help("write it as a number, e.g. `round(ratio, 2)`"),
                    );
                    return self.poisoned(span);
                }
                (
                    Builtin::Round,
                    Ty {
                        ty: Type::Number,
                        maybe_unknown: first_ty.maybe_unknown,
                    },
                )
            }
            "contains" => {
                let second = lowered
                    .get(1)
                    .map(|a| a.ty.clone())
                    .unwrap_or_else(Ty::error);
                let second_span = lowered.get(1).map_or(span, |a| a.location.span);
                let maybe_unknown = first_ty.maybe_unknown || second.maybe_unknown;
                match (&first_ty.ty, element) {
                    (Type::Text, _) => {
                        if !matches!(second.ty, Type::Text | Type::Error) {
                            self.mismatch(
                                second_span,
                                "text",
                                &second,
                                "`contains(text, part)` looks for a piece of text",
                            );
                        }
                        (
                            Builtin::ContainsText,
                            Ty {
                                ty: Type::Bool,
                                maybe_unknown,
                            },
                        )
                    }
                    (_, Some(element)) => {
                        if element.unify(&second.ty).is_none() {
                            let expected = self.program.type_name(&element);
                            self.mismatch(
                                second_span,
                                &expected,
                                &second,
                                "`contains(list, item)` looks for an item of the list's type",
                            );
                        }
                        (
                            Builtin::ContainsItem,
                            Ty {
                                ty: Type::Bool,
                                maybe_unknown,
                            },
                        )
                    }
                    _ => {
                        bad(self, "a text or a list");
                        return self.poisoned(span);
                    }
                }
            }
            "decided" => {
                if !matches!(first.kind, ExprKind::Signal(_)) {
                    bad(self, "a signal");
                    return self.poisoned(span);
                }
                (Builtin::Decided, Ty::known(Type::Bool))
            }
            "known" => {
                if !first_ty.maybe_unknown {
                    self.never_unknown(first_span, "`known(…)`");
                }
                (Builtin::Known, Ty::known(Type::Bool))
            }
            _ => return self.poisoned(span),
        };
        self.node(ExprKind::Call(builtin, lowered), ty, span)
    }
}
