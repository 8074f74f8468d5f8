//! The slot decoder as it was before issue 16 (serde's `DeserializeSeed`
//! over `serde_json`'s tokenizer, keys in an FNV hash map), kept here only so
//! `phases` can time it beside today's `augur_eval::SerdeDecoder` on the same
//! corpus. Not used by augur.
//!
//! [`crate::decode_deal`] reads a deal through a `serde_json::Value` tree,
//! which allocates a string for every key and a map for every object. In a
//! batch of a million deals that tree is most of the work, so
//! [`SerdeDecoder`] deserialises the text directly into the slot vector the
//! evaluator reads (serde's `DeserializeSeed`), looking keys up in a table
//! built once per playbook.
//!
//! The fast path only decides *whether* a deal is valid. When it is not, the
//! text is decoded again through the `Value` path, so error messages and JSON
//! paths are exactly those of [`crate::decode_deal`]: one source of truth for
//! what a bad deal is told, and the fast path stays small. Bad deals are rare
//! in a CRM export, so the second pass costs nothing in practice.

use augur_check::ir::{FieldInfo, Program, Type};
use augur_eval::deal::{decode_deal_text, Deal, DealError, MAX_LIST_ITEMS};
use augur_eval::value::{Blame, Value};
use augur_syntax::Date;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// Decodes deals of one playbook; build it once, use it for every deal (it
/// is `Sync`, so worker threads share one).
pub struct SerdeDecoder<'p> {
    program: &'p Program,
    fact_slots: HashMap<&'p str, u32, BuildFnv>,
}

/// FNV-1a: fact names are short and chosen by the playbook's author, not by
/// whoever writes the deal, so a keyed hash buys nothing and SipHash costs a
/// measurable share of decoding. (A deal's keys only probe the table; a
/// hostile deal can at worst make its own lookups slower.)
#[derive(Clone, Copy, Default)]
struct BuildFnv;

struct Fnv(u64);

impl std::hash::BuildHasher for BuildFnv {
    type Hasher = Fnv;
    fn build_hasher(&self) -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// The fast path's own error: it carries no message because the slow path
/// writes the message (see the module comment).
#[derive(Debug)]
struct Rejected;

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("rejected")
    }
}

impl std::error::Error for Rejected {}

impl de::Error for Rejected {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Rejected
    }
}

impl<'p> SerdeDecoder<'p> {
    pub fn new(program: &'p Program) -> Self {
        let fact_slots = program
            .facts
            .iter()
            .enumerate()
            .map(|(index, fact)| (fact.name.as_str(), index as u32))
            .collect();
        SerdeDecoder {
            program,
            fact_slots,
        }
    }

    pub fn program(&self) -> &'p Program {
        self.program
    }

    /// Decodes one deal written as JSON text (one `.json` file, one JSONL
    /// line). Errors are those of [`crate::decode_deal`], plus
    /// `malformed JSON: …` for text that is not JSON.
    pub fn decode_text(&self, text: &str) -> Result<Deal, DealError> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let fast = DealSeed { decoder: self }
            .deserialize(&mut deserializer)
            .ok()
            .filter(|_| deserializer.end().is_ok());
        if let Some(deal) = fast {
            return Ok(deal);
        }
        decode_deal_text(self.program, text)
    }

    /// The value of a fact or field that is absent or `null`; `None` when it
    /// must be given (the slow path then says so).
    fn missing(field: &FieldInfo, blame: u32) -> Option<Value> {
        if matches!(field.ty.ty, Type::List(_)) {
            Some(Value::List(Arc::from(Vec::new())))
        } else if field.ty.maybe_unknown {
            Some(Value::Unknown(Blame::fact(blame)))
        } else {
            None
        }
    }
}

struct DealSeed<'d, 'p> {
    decoder: &'d SerdeDecoder<'p>,
}

impl<'de> DeserializeSeed<'de> for DealSeed<'_, '_> {
    type Value = Deal;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Deal, D::Error> {
        deserializer.deserialize_map(self)
    }
}

/// A key of a deal object.
enum DealKey {
    Id,
    AsOf,
    Fact(u32),
    Other(String),
}

struct DealKeySeed<'d, 'p> {
    decoder: &'d SerdeDecoder<'p>,
}

impl<'de> DeserializeSeed<'de> for DealKeySeed<'_, '_> {
    type Value = DealKey;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<DealKey, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for DealKeySeed<'_, '_> {
    type Value = DealKey;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<DealKey, E> {
        Ok(match key {
            "id" => DealKey::Id,
            "as_of" => DealKey::AsOf,
            _ => match self.decoder.fact_slots.get(key) {
                Some(slot) => DealKey::Fact(*slot),
                None => DealKey::Other(key.to_string()),
            },
        })
    }
}

impl<'de> Visitor<'de> for DealSeed<'_, '_> {
    type Value = Deal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a deal object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Deal, A::Error> {
        let program = self.decoder.program;
        let mut slots: Vec<Option<Value>> = vec![None; program.facts.len()];
        let mut seen = vec![false; program.facts.len()];
        let mut deal = Deal {
            id: None,
            as_of: None,
            facts: Vec::new(),
            unknown_keys: Vec::new(),
        };
        // A key given twice is refused (the slow path names both places).
        let (mut seen_id, mut seen_as_of) = (false, false);
        while let Some(key) = map.next_key_seed(DealKeySeed {
            decoder: self.decoder,
        })? {
            match key {
                DealKey::Id => {
                    if std::mem::replace(&mut seen_id, true) {
                        return reject();
                    }
                    deal.id = map.next_value_seed(IdSeed)?;
                }
                DealKey::AsOf => {
                    if std::mem::replace(&mut seen_as_of, true) {
                        return reject();
                    }
                    deal.as_of = map
                        .next_value::<Option<&str>>()
                        .ok()
                        .ok_or_else(|| de::Error::custom(Rejected))?
                        .map(|text| Date::parse(text).ok_or_else(|| de::Error::custom(Rejected)))
                        .transpose()?;
                }
                DealKey::Fact(slot) => {
                    let fact = program
                        .facts
                        .get(slot as usize)
                        .ok_or_else(|| de::Error::custom(Rejected))?;
                    let value = map.next_value_seed(FieldSeed {
                        program,
                        ty: &fact.ty.ty,
                        blame: slot,
                    })?;
                    match (seen.get_mut(slot as usize), slots.get_mut(slot as usize)) {
                        (Some(seen), Some(entry)) if !*seen => {
                            *seen = true;
                            *entry = value;
                        }
                        _ => return reject(),
                    }
                }
                DealKey::Other(key) => {
                    map.next_value::<IgnoredAny>()?;
                    if deal.unknown_keys.contains(&key) {
                        return reject();
                    }
                    deal.unknown_keys.push(key);
                }
            }
        }
        deal.facts.reserve_exact(slots.len());
        for (index, (slot, fact)) in slots.into_iter().zip(&program.facts).enumerate() {
            let value = match slot {
                Some(value) => value,
                None => SerdeDecoder::missing(fact, index as u32)
                    .ok_or_else(|| de::Error::custom(Rejected))?,
            };
            deal.facts.push(value);
        }
        Ok(deal)
    }
}

/// The deal's `"id"`: a string or a number, or `null`.
struct IdSeed;

impl<'de> DeserializeSeed<'de> for IdSeed {
    type Value = Option<serde_json::Value>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl Visitor<'_> for IdSeed {
    type Value = Option<serde_json::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or number")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(serde_json::Value::String(v.to_string())))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(serde_json::Number::from_f64(v).map(serde_json::Value::Number))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// A fact or record field: `None` for `null` (the caller decides what an
/// absent value means).
struct FieldSeed<'a> {
    program: &'a Program,
    ty: &'a Type,
    blame: u32,
}

impl<'de> DeserializeSeed<'de> for FieldSeed<'_> {
    type Value = Option<Value>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        if matches!(self.ty, Type::Int | Type::Number) {
            return exact_number(self.ty, deserializer);
        }
        deserializer.deserialize_any(ValueVisitor {
            program: self.program,
            ty: self.ty,
            blame: self.blame,
        })
    }
}

/// A list item: `null` is not allowed.
struct ItemSeed<'a> {
    program: &'a Program,
    ty: &'a Type,
    blame: u32,
}

impl<'de> DeserializeSeed<'de> for ItemSeed<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        let value = if matches!(self.ty, Type::Int | Type::Number) {
            exact_number(self.ty, deserializer)?
        } else {
            deserializer.deserialize_any(ValueVisitor {
                program: self.program,
                ty: self.ty,
                blame: self.blame,
            })?
        };
        value.ok_or_else(|| de::Error::custom(Rejected))
    }
}

/// One JSON value read as `ty`; `None` for `null`. Anything the slow path
/// would refuse is refused.
struct ValueVisitor<'a> {
    program: &'a Program,
    ty: &'a Type,
    blame: u32,
}

fn reject<T, E: de::Error>() -> Result<T, E> {
    Err(E::custom(Rejected))
}

/// An `int` or `number` value read from its own text (never through
/// `f64`), with the functions the slow path uses, so both agree on every
/// digit. `None` for `null`.
fn exact_number<'de, D: de::Deserializer<'de>>(
    ty: &Type,
    deserializer: D,
) -> Result<Option<Value>, D::Error> {
    let raw = <&'de RawValue>::deserialize(deserializer)?;
    let text = raw.get();
    if text == "null" {
        return Ok(None);
    }
    match ty {
        Type::Int => augur_eval::number::parse_whole(text)
            .map(|i| Some(Value::Int(i)))
            .or_else(|_| reject()),
        _ => augur_eval::number::parse_decimal(text)
            .map(|d| Some(Value::Number(d)))
            .or_else(|_| reject()),
    }
}

impl<'de> Visitor<'de> for ValueVisitor<'_> {
    type Value = Option<Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a fact value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        match self.ty {
            Type::Bool => Ok(Some(Value::Bool(v))),
            _ => self.other(),
        }
    }

    // `int` and `number` never get here (see `exact_number`): a number is
    // only welcome where the type ignores it.
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        self.other()
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        self.other()
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        self.other()
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        match self.ty {
            Type::Text => Ok(Some(Value::Text(Arc::from(v)))),
            Type::Date => Date::parse(v).map_or_else(reject, |d| Ok(Some(Value::Date(d)))),
            Type::Enum(id) => {
                let position = self
                    .program
                    .enums
                    .get(*id as usize)
                    .and_then(|e| e.variants.iter().position(|variant| variant.name == v));
                position.map_or_else(reject, |index| Ok(Some(Value::Variant(index as u32))))
            }
            _ => self.other(),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let Type::List(element) = self.ty else {
            self.other::<A::Error>()?;
            return reject();
        };
        // serde_json gives no size hint; most lists in a deal are short.
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(8).min(64));
        while let Some(item) = seq.next_element_seed(ItemSeed {
            program: self.program,
            ty: element,
            blame: self.blame,
        })? {
            if items.len() >= MAX_LIST_ITEMS {
                return reject();
            }
            items.push(item);
        }
        Ok(Some(Value::List(items.into())))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let Type::Record(id) = self.ty else {
            self.other::<A::Error>()?;
            return reject();
        };
        let Some(record) = self.program.records.get(*id as usize) else {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(Some(Value::unknown()));
        };
        let mut fields: Vec<Option<Value>> = vec![None; record.fields.len()];
        let mut seen = vec![false; record.fields.len()];
        while let Some(index) = map.next_key_seed(FieldIndexSeed { record })? {
            let Some(index) = index else {
                return reject();
            };
            let (Some(field), Some(entry), Some(seen)) = (
                record.fields.get(index),
                fields.get_mut(index),
                seen.get_mut(index),
            ) else {
                return reject();
            };
            if std::mem::replace(seen, true) {
                return reject();
            }
            *entry = map.next_value_seed(FieldSeed {
                program: self.program,
                ty: &field.ty.ty,
                blame: self.blame,
            })?;
        }
        let mut values = Vec::with_capacity(fields.len());
        for (value, field) in fields.into_iter().zip(&record.fields) {
            match value.or_else(|| SerdeDecoder::missing(field, self.blame)) {
                Some(value) => values.push(value),
                None => return reject(),
            }
        }
        Ok(Some(Value::Record(values.into())))
    }
}

impl ValueVisitor<'_> {
    /// A JSON value of a kind the type does not take: only the types the
    /// evaluator ignores accept it.
    fn other<E: de::Error>(&self) -> Result<Option<Value>, E> {
        match self.ty {
            Type::Verdict(_) | Type::Nothing | Type::Error => Ok(Some(Value::unknown())),
            _ => reject(),
        }
    }
}

/// A record key, as the index of its field (`None`: no such field).
struct FieldIndexSeed<'a> {
    record: &'a augur_check::ir::RecordInfo,
}

impl<'de> DeserializeSeed<'de> for FieldIndexSeed<'_> {
    type Value = Option<usize>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for FieldIndexSeed<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.record.fields.iter().position(|f| f.name == key))
    }
}
