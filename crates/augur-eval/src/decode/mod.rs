//! The fast deal decoder: JSON text straight into fact slots, made from the
//! playbook.
//!
//! [`crate::decode_deal_text`] is the reference decoder: it reads a deal
//! through `serde_json` (each value as its own text) and says exactly what
//! is wrong with a bad deal. [`DealDecoder`] does the same work in one pass
//! over the bytes, with tables built once per playbook:
//!
//! - deal keys, record fields and enum variants are found through a hashed
//!   table of the playbook's names (a seed is searched so that no two names
//!   share a place: one probe and one comparison per key);
//! - keys that are not facts are skipped without building anything, but
//!   their values are still checked to be JSON (and the key is kept for the
//!   warning, or the `--strict` error);
//! - strings without escapes are borrowed from the input; dates become day
//!   numbers as they are read; list items and record fields are collected in
//!   one scratch vector per thread, so a list costs one allocation, its own;
//! - for evaluation alone ([`DealDecoder::for_rules`]), a record's text field
//!   that no rule can read is checked but not built (`unread.rs`);
//! - the batch decodes every deal of a chunk into one [`Deal`]
//!   ([`DealDecoder::decode_text_into`]), refilling its buffers.
//!
//! The fast path only decides *whether* a deal is valid, and only for what it
//! knows well: anything unusual (an error, a `\u` escape of a surrogate,
//! nesting deeper than 100, a fact named `id`) makes it give up, and the
//! text is decoded again by the reference decoder, whose result (value or
//! error message and JSON path) is returned. So the fast path may be
//! conservative, but it must never accept a deal the reference refuses, nor
//! give a different value: `tests/decoders.rs` and the `decode` fuzz target
//! compare both on every input.
//!
//! CSV rows have their own fast path ([`DealDecoder::decode_row`]): each
//! used cell is read straight into its fact's slot by the fact's type
//! (numbers through the same exact readers, yes/no words compared without
//! allocating, variants through the same tables, a list or record cell's
//! JSON through the same value decoding), with which column goes where
//! worked out once per header ([`crate::csv_deals::check_header`]); a header
//! left unchecked (`augur diff`) is read by looking each column up in the
//! deal's key table. The same rule holds: on anything unusual or wrong the
//! fast path gives up, and the reference path (the row as the JSON text of
//! a deal, [`crate::csv_deals::row_to_text`], then decoded) decides, so
//! errors are word for word the reference's. `tests/csv_rows.rs` and the
//! `decode` fuzz target compare both.
//!
//! It does not evaluate, nor cut CSV into rows (the `csv` crate does, in
//! `batch/read.rs`).

mod keys;
mod rows;
mod scan;
mod unread;

use crate::csv_deals::{row_to_text, Column, Header, FALSE_WORDS, TRUE_WORDS};
use crate::deal::{decode_deal_text, Deal, DealError, MAX_LIST_ITEMS, MAX_VALUE_DEPTH};
use crate::value::{Blame, Value};
use augur_check::ir::{FieldInfo, Program, Type};
use augur_syntax::Date;
use keys::KeyTable;
pub(crate) use rows::trimmed;
use scan::{date_of, decimal_of_parts, whole_of_parts, Scan};
use smallvec::SmallVec;
use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::Arc;
use unread::UnreadText;

/// Decodes deals of one playbook; build it once, use it for every deal (it
/// is `Sync`, so worker threads share one).
pub struct DealDecoder<'p> {
    program: &'p Program,
    /// The deal's keys: fact `i` is `i`; then `id`, then `as_of`.
    keys: KeyTable<'p>,
    /// Per record type, its fields.
    fields: Vec<KeyTable<'p>>,
    /// Per enum type, its variants.
    variants: Vec<KeyTable<'p>>,
    /// A fact named `id` or `as_of` shares its key with the deal's own: the
    /// reference decoder alone handles that.
    slow_only: bool,
    /// Text fields of records that are checked but not built
    /// ([`DealDecoder::for_rules`]); empty for [`DealDecoder::new`].
    unread: UnreadText,
}

/// The fast path gave up (the reference decoder decides).
#[derive(Debug)]
struct Bail;

type Step<T> = Result<T, Bail>;

/// Nesting deeper than this, inside a value no rule reads, is left to the
/// reference decoder.
const MAX_SKIP_DEPTH: u32 = 100;

/// Items of room the scratch stack keeps between deals.
const SCRATCH_KEPT: usize = 4096;

thread_local! {
    /// List items and record fields being collected, as a stack: a nested
    /// list pushes above its parent's items and takes them off when done.
    static SCRATCH: RefCell<Vec<Value>> = const { RefCell::new(Vec::new()) };
}

impl<'p> DealDecoder<'p> {
    /// A decoder that builds every value, exactly as the reference decoder
    /// does.
    pub fn new(program: &'p Program) -> Self {
        Self::with_unread(program, UnreadText::none())
    }

    /// A decoder for evaluation alone: a record's text field that no rule
    /// can read (see `decode/unread.rs`) is checked as the reference checks
    /// it but not built, and holds an unknown with no blame instead. Every verdict,
    /// signal, message and error is the same as with [`DealDecoder::new`];
    /// the decoded facts are not, so this decoder is not for anything that
    /// shows facts (`--explain`) or reasons over them (guidance).
    pub fn for_rules(program: &'p Program) -> Self {
        Self::with_unread(program, UnreadText::of(program))
    }

    /// From now on, builds every value as [`DealDecoder::new`] does (for a
    /// batch that turns out to show facts after all).
    pub fn build_everything(&mut self) {
        self.unread = UnreadText::none();
    }

    fn with_unread(program: &'p Program, unread: UnreadText) -> Self {
        let mut deal_keys: Vec<&'p str> = program.facts.iter().map(|f| f.name.as_str()).collect();
        let slow_only = deal_keys
            .iter()
            .any(|name| *name == "id" || *name == "as_of");
        deal_keys.push("id");
        deal_keys.push("as_of");
        DealDecoder {
            program,
            keys: KeyTable::new(deal_keys),
            fields: program
                .records
                .iter()
                .map(|r| KeyTable::new(r.fields.iter().map(|f| f.name.as_str()).collect()))
                .collect(),
            variants: program
                .enums
                .iter()
                .map(|e| KeyTable::new(e.variants.iter().map(|v| v.name.as_str()).collect()))
                .collect(),
            slow_only,
            unread,
        }
    }

    pub fn program(&self) -> &'p Program {
        self.program
    }

    /// Decodes one deal written as JSON text (one `.json` file, one JSONL
    /// line). The result, value or error, is that of
    /// [`crate::decode_deal_text`].
    pub fn decode_text(&self, text: &str) -> Result<Deal, DealError> {
        let mut deal = Deal::default();
        self.decode_text_into(text, &mut deal).map(|()| deal)
    }

    /// [`DealDecoder::decode_text`] into `deal`, whose buffers it reuses
    /// (the batch decodes every deal of a chunk into one). On an error,
    /// `deal` holds nothing meaningful.
    pub fn decode_text_into(&self, text: &str, deal: &mut Deal) -> Result<(), DealError> {
        let fast =
            !self.slow_only && with_scratch(|scratch| self.deal(text, scratch, deal)).is_some();
        if !fast {
            *deal = decode_deal_text(self.program, text)?;
        }
        Ok(())
    }

    /// The fast path alone: `None` when it gives up (for a deal the
    /// reference decoder refuses, and for some unusual valid ones). Public
    /// so tests and fuzzing can compare it with the reference decoder.
    pub fn decode_fast(&self, text: &str) -> Option<Deal> {
        if self.slow_only {
            return None;
        }
        let mut deal = Deal::default();
        with_scratch(|scratch| self.deal(text, scratch, &mut deal)).map(|()| deal)
    }

    /// The fast path, into `deal` (emptied first, its buffers kept).
    fn deal(&self, text: &str, scratch: &mut Vec<Value>, deal: &mut Deal) -> Step<()> {
        let program = self.program;
        let count = program.facts.len();
        let (id_key, as_of_key) = (count, count + 1);
        // The last deal's id text, for this one's (most ids are strings).
        let mut spare_id = match deal.id.take() {
            Some(serde_json::Value::String(text)) => Some(text),
            _ => None,
        };
        make_unfilled(deal, count);
        let mut scan = Scan::new(text);
        if scan.ws_peek()? != b'{' {
            return Err(Bail);
        }
        scan.pos += 1;
        let mut seen = Seen::new(count + 2);
        let mut outcome_seen = false;
        let mut previous = self.keys.start();
        scan.elements(b'}', |scan| {
            match self.keys.read_key(scan, previous)? {
                Ok(index) => {
                    if !seen.insert(index) {
                        return Err(Bail);
                    }
                    previous = index;
                    if index == id_key {
                        deal.id = scan.id(spare_id.take())?;
                    } else if index == as_of_key {
                        deal.as_of = match scan.ws_peek()? {
                            b'n' => scan.literal(b"null").map(|()| None)?,
                            b'"' => Some(date_of(&scan.bytes_of_string()?)?),
                            _ => return Err(Bail),
                        };
                    } else {
                        let fact = program.facts.get(index).ok_or(Bail)?;
                        let value = match self.value(scan, &fact.ty.ty, index as u32, scratch, 0)? {
                            Some(value) => value,
                            None => missing(fact, index as u32).ok_or(Bail)?,
                        };
                        *deal.facts.get_mut(index).ok_or(Bail)? = value;
                    }
                }
                Err(key) if *key == *b"outcome" => {
                    // Reserved (`backtest` reads it), never warned about;
                    // given twice is the reference decoder's error.
                    if outcome_seen {
                        return Err(Bail);
                    }
                    outcome_seen = true;
                    scan.skip(0)?;
                }
                Err(key) => {
                    scan.skip(0)?;
                    let key = String::from_utf8(key.into_owned()).map_err(|_| Bail)?;
                    if deal.unknown_keys.contains(&key) {
                        return Err(Bail);
                    }
                    deal.unknown_keys.push(key);
                }
            }
            Ok(())
        })?;
        scan.ws();
        if scan.pos != scan.bytes.len() {
            return Err(Bail);
        }
        for (index, (slot, fact)) in deal.facts.iter_mut().zip(&program.facts).enumerate() {
            if !seen.contains(index) {
                *slot = missing(fact, index as u32).ok_or(Bail)?;
            }
        }
        Ok(())
    }

    /// One value read as `ty`; `None` for `null`.
    /// `depth`: how many lists and records hold this value; past
    /// [`MAX_VALUE_DEPTH`] the reference decoder says what is wrong.
    fn value(
        &self,
        scan: &mut Scan<'_>,
        ty: &Type,
        blame: u32,
        scratch: &mut Vec<Value>,
        depth: u32,
    ) -> Step<Option<Value>> {
        if depth > MAX_VALUE_DEPTH && matches!(ty, Type::List(_) | Type::Record(_)) {
            return Err(Bail);
        }
        let first = scan.ws_peek()?;
        if first == b'n' {
            scan.literal(b"null")?;
            return Ok(None);
        }
        Ok(Some(match (ty, first) {
            (Type::Bool, b't') => scan.literal(b"true").map(|()| Value::Bool(true))?,
            (Type::Bool, b'f') => scan.literal(b"false").map(|()| Value::Bool(false))?,
            (Type::Int, b'-' | b'0'..=b'9') => {
                let (text, short) = scan.number_parts()?;
                Value::Int(whole_of_parts(text, short)?)
            }
            (Type::Number, b'-' | b'0'..=b'9') => {
                let (text, short) = scan.number_parts()?;
                Value::Number(decimal_of_parts(text, short)?)
            }
            (Type::Text, b'"') => Value::Text(Arc::from(&*scan.string()?)),
            (Type::Date, b'"') => Value::Date(date_of(&scan.bytes_of_string()?)?),
            (Type::Enum(id), b'"') => {
                let table = self.variants.get(*id as usize).ok_or(Bail)?;
                Value::Variant(table.read_name(scan)?.ok_or(Bail)? as u32)
            }
            (Type::Record(id), b'{') => self.record(scan, *id as usize, blame, scratch, depth)?,
            (Type::List(element), b'[') => {
                scan.pos += 1;
                let base = scratch.len();
                scan.elements(b']', |scan| {
                    let item = self
                        .value(scan, element, blame, scratch, depth + 1)?
                        .ok_or(Bail)?;
                    if scratch.len() - base >= MAX_LIST_ITEMS {
                        return Err(Bail);
                    }
                    scratch.push(item);
                    Ok(())
                })?;
                Value::List(scratch.drain(base..).collect())
            }
            _ => return Err(Bail),
        }))
    }

    fn record(
        &self,
        scan: &mut Scan<'_>,
        id: usize,
        blame: u32,
        scratch: &mut Vec<Value>,
        depth: u32,
    ) -> Step<Value> {
        let (Some(record), Some(table)) = (self.program.records.get(id), self.fields.get(id))
        else {
            return Err(Bail);
        };
        scan.eat(b'{')?;
        let base = scratch.len();
        let count = record.fields.len();
        scratch.resize(base + count, Value::Bool(false));
        let mut seen = Seen::new(count);
        let mut previous = table.start();
        scan.elements(b'}', |scan| {
            let index = table.read_key(scan, previous)?.map_err(|_| Bail)?;
            if !seen.insert(index) {
                return Err(Bail);
            }
            previous = index;
            let field = record.fields.get(index).ok_or(Bail)?;
            let value = if self.unread.contains(id, index) && scan.ws_peek()? == b'"' {
                // Checked as `Scan::string` checks it, not built.
                scan.string_span()?;
                Value::Unknown(Blame::default())
            } else {
                match self.value(scan, &field.ty.ty, blame, scratch, depth + 1)? {
                    Some(value) => value,
                    None => missing(field, blame).ok_or(Bail)?,
                }
            };
            *scratch.get_mut(base + index).ok_or(Bail)? = value;
            Ok(())
        })?;
        for (index, field) in record.fields.iter().enumerate() {
            if !seen.contains(index) {
                *scratch.get_mut(base + index).ok_or(Bail)? = missing(field, blame).ok_or(Bail)?;
            }
        }
        Ok(Value::Record(scratch.drain(base..).collect()))
    }
}

/// A deal with `count` fact slots, each to be filled by the decoder.
fn unfilled_deal(count: usize) -> Deal {
    let mut deal = Deal::default();
    make_unfilled(&mut deal, count);
    deal
}

/// Empties `deal` into `count` fact slots to be filled, keeping its buffers.
fn make_unfilled(deal: &mut Deal, count: usize) {
    deal.id = None;
    deal.as_of = None;
    // Decoding writes every slot (the value given, or the fact's missing
    // value), and a write drops what the last deal left there: the slots
    // are only made anew when their number changes.
    if deal.facts.len() != count {
        deal.facts.clear();
        deal.facts.resize(count, Value::Bool(false));
    }
    deal.unknown_keys.clear();
}

/// Runs `decode` with the thread's scratch stack (emptied before and after);
/// `None` when it gives up.
fn with_scratch<T>(decode: impl FnOnce(&mut Vec<Value>) -> Step<T>) -> Option<T> {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => {
            // Mostly empty already (a decoding drains what it pushes): the
            // check is cheaper than emptying an empty stack.
            if !scratch.is_empty() {
                scratch.clear();
            }
            let result = decode(&mut scratch).ok();
            if !scratch.is_empty() {
                scratch.clear();
            }
            // A deal with a huge list must not keep its room for the
            // thread's whole life.
            if scratch.capacity() > SCRATCH_KEPT {
                scratch.shrink_to(SCRATCH_KEPT);
            }
            result
        }
        Err(_) => decode(&mut Vec::new()).ok(),
    })
}

/// The value of a fact or field that is absent or `null`; `None` when it
/// must be given (the reference decoder then says so).
fn missing(field: &FieldInfo, blame: u32) -> Option<Value> {
    if matches!(field.ty.ty, Type::List(_)) {
        Some(Value::List(Arc::from(Vec::new())))
    } else if field.ty.maybe_unknown {
        Some(Value::Unknown(Blame::fact(blame)))
    } else {
        None
    }
}

/// Which keys of an object were given (to refuse a key given twice).
struct Seen(SmallVec<[u64; 2]>);

impl Seen {
    fn new(count: usize) -> Seen {
        Seen(SmallVec::from_elem(0, count / 64 + 1))
    }

    /// Marks `index`; false if it was already marked.
    fn insert(&mut self, index: usize) -> bool {
        match self.0.get_mut(index / 64) {
            Some(word) => {
                let bit = 1u64 << (index % 64);
                let fresh = *word & bit == 0;
                *word |= bit;
                fresh
            }
            None => false,
        }
    }

    fn contains(&self, index: usize) -> bool {
        self.0
            .get(index / 64)
            .is_some_and(|word| word & (1u64 << (index % 64)) != 0)
    }
}

#[cfg(test)]
mod tests;
