//! Runtime values, including the unknown value and what made it unknown.

use augur_check::ir::{FactId, Program, Type};
use augur_syntax::Date;
use rust_decimal::Decimal;
use smallvec::SmallVec;
use std::sync::Arc;

/// The set of facts that made a value unknown: a bitset over fact indices,
/// inline for the first 128 facts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Blame {
    words: SmallVec<[u64; 2]>,
}

impl Blame {
    pub fn fact(fact: FactId) -> Blame {
        if fact < 64 {
            // Every missing fact of a deal is blamed on itself: one word,
            // made in place.
            return Blame {
                words: SmallVec::from_buf_and_len([1 << fact, 0], 1),
            };
        }
        let mut blame = Blame::default();
        blame.insert(fact);
        blame
    }

    pub fn insert(&mut self, fact: FactId) {
        let word = (fact / 64) as usize;
        while self.words.len() <= word {
            self.words.push(0);
        }
        if let Some(bits) = self.words.get_mut(word) {
            *bits |= 1 << (fact % 64);
        }
    }

    pub fn union(&mut self, other: &Blame) {
        if self.words.len() < other.words.len() {
            self.words.resize(other.words.len(), 0);
        }
        for (mine, theirs) in self.words.iter_mut().zip(other.words.iter()) {
            *mine |= theirs;
        }
    }

    pub fn remove(&mut self, fact: FactId) {
        if let Some(bits) = self.words.get_mut((fact / 64) as usize) {
            *bits &= !(1 << (fact % 64));
        }
    }

    /// Whether the two sets share a fact.
    pub fn intersects(&self, other: &Blame) -> bool {
        self.words
            .iter()
            .zip(other.words.iter())
            .any(|(a, b)| a & b != 0)
    }

    pub fn contains(&self, fact: FactId) -> bool {
        self.words
            .get((fact / 64) as usize)
            .is_some_and(|bits| bits & (1 << (fact % 64)) != 0)
    }

    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|w| *w == 0)
    }

    /// The set as one word of bits (facts 0–63), when no later fact is in
    /// it: the compiled evaluator's form of an unknown's blame.
    pub(crate) fn low_word(&self) -> Option<u64> {
        match self.words.split_first() {
            None => Some(0),
            Some((first, rest)) => rest.iter().all(|w| *w == 0).then_some(*first),
        }
    }

    /// The set of the facts whose bits are set in `bits` (facts 0–63).
    pub(crate) fn from_low_word(bits: u64) -> Blame {
        let mut blame = Blame::default();
        blame.union_low_word(bits);
        blame
    }

    /// Adds the facts whose bits are set in `bits` (facts 0–63).
    pub(crate) fn union_low_word(&mut self, bits: u64) {
        if bits == 0 {
            return;
        }
        match self.words.first_mut() {
            Some(first) => *first |= bits,
            None => self.words.push(bits),
        }
    }

    /// The facts, in declaration order.
    pub fn facts(&self) -> impl Iterator<Item = FactId> + '_ {
        self.words.iter().enumerate().flat_map(|(index, bits)| {
            let mut rest = *bits;
            std::iter::from_fn(move || {
                if rest == 0 {
                    return None;
                }
                let bit = rest.trailing_zeros();
                rest &= rest - 1;
                Some(index as u32 * 64 + bit)
            })
        })
    }
}

/// A value during evaluation.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Not known for this deal, because of these facts.
    Unknown(Blame),
    Bool(bool),
    Int(i64),
    Number(Decimal),
    Text(Arc<str>),
    Date(Date),
    /// An enum variant or verdict arm, by index (the type says which enum).
    Variant(u32),
    Record(Arc<[Value]>),
    List(Arc<[Value]>),
}

impl Value {
    pub fn unknown() -> Value {
        Value::Unknown(Blame::default())
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown(_))
    }

    /// The value as the JSON a deal file would hold (`null` when unknown).
    pub fn to_json(&self, ty: &Type, program: &Program) -> serde_json::Value {
        use serde_json::Value as Json;
        match self {
            Value::Unknown(_) => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Int(i) => Json::from(*i),
            Value::Number(n) => number_json(n),
            Value::Text(t) => Json::String(t.to_string()),
            Value::Date(d) => Json::String(d.to_string()),
            Value::Variant(index) => Json::String(
                program
                    .variant_names(ty)
                    .get(*index as usize)
                    .map_or_else(String::new, |n| n.to_string()),
            ),
            Value::Record(fields) => {
                let Type::Record(id) = ty else {
                    return Json::Null;
                };
                let Some(record) = program.records.get(*id as usize) else {
                    return Json::Null;
                };
                Json::Object(
                    record
                        .fields
                        .iter()
                        .zip(fields.iter())
                        .map(|(field, value)| {
                            (field.name.clone(), value.to_json(&field.ty.ty, program))
                        })
                        .collect(),
                )
            }
            Value::List(items) => {
                let element = match ty {
                    Type::List(element) => element.as_ref(),
                    _ => &Type::Error,
                };
                Json::Array(
                    items
                        .iter()
                        .map(|item| item.to_json(element, program))
                        .collect(),
                )
            }
        }
    }

    /// The value as text inside a message: `?` when unknown.
    pub fn render(&self, ty: &Type, program: &Program, out: &mut String) {
        use std::fmt::Write;
        match self {
            Value::Unknown(_) => out.push('?'),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Number(n) => {
                let _ = write!(out, "{}", for_people(n));
            }
            Value::Text(t) => out.push_str(t),
            Value::Date(d) => {
                let _ = write!(out, "{d}");
            }
            Value::Variant(index) => out.push_str(
                program
                    .variant_names(ty)
                    .get(*index as usize)
                    .copied()
                    .unwrap_or("?"),
            ),
            Value::List(items) => {
                let element = match ty {
                    Type::List(element) => element.as_ref(),
                    _ => &Type::Error,
                };
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.render(element, program, out);
                }
            }
            Value::Record(_) => out.push_str(&self.to_json(ty, program).to_string()),
        }
    }
}

/// A number as a person reads it in a message: exactly as it is when it has
/// at most six decimal places (`0.125`, a value from `round(x, 4)`), else
/// rounded to two (`1 / 3` reads `0.33`, not 28 threes). JSON values stay
/// exact; only text shown to people is rounded.
pub fn for_people(n: &Decimal) -> Decimal {
    let n = n.normalize();
    if n.scale() <= 6 {
        n
    } else {
        n.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
            .normalize()
    }
}

/// A decimal as a JSON number, integral decimals without a fraction.
pub fn number_json(n: &Decimal) -> serde_json::Value {
    let text = n.normalize().to_string();
    text.parse::<serde_json::Number>()
        .map_or(serde_json::Value::String(text), serde_json::Value::Number)
}
