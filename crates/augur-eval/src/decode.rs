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
//!   one scratch vector per thread, so a list costs one allocation, its own.
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

use crate::csv_deals::{row_to_text, Column, Header, FALSE_WORDS, TRUE_WORDS};
use crate::deal::{decode_deal_text, Deal, DealError, MAX_LIST_ITEMS, MAX_VALUE_DEPTH};
use crate::value::{Blame, Value};
use augur_check::ir::{FieldInfo, Program, Type};
use augur_syntax::Date;
use smallvec::SmallVec;
use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::Arc;

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
    pub fn new(program: &'p Program) -> Self {
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
        }
    }

    pub fn program(&self) -> &'p Program {
        self.program
    }

    /// Decodes one deal written as JSON text (one `.json` file, one JSONL
    /// line). The result, value or error, is that of
    /// [`crate::decode_deal_text`].
    pub fn decode_text(&self, text: &str) -> Result<Deal, DealError> {
        match self.decode_fast(text) {
            Some(deal) => Ok(deal),
            None => decode_deal_text(self.program, text),
        }
    }

    /// The fast path alone: `None` when it gives up (for a deal the
    /// reference decoder refuses, and for some unusual valid ones). Public
    /// so tests and fuzzing can compare it with the reference decoder.
    pub fn decode_fast(&self, text: &str) -> Option<Deal> {
        if self.slow_only {
            return None;
        }
        with_scratch(|scratch| self.deal(text, scratch))
    }

    /// Decodes one CSV row under `header` (a header checked against this
    /// playbook, or one left unchecked for several playbooks). The result,
    /// value or error, is that of the reference path:
    /// [`crate::csv_deals::row_to_text`], then [`crate::decode_deal_text`].
    pub fn decode_row(&self, header: &Header, row: &[&str]) -> Result<Deal, DealError> {
        self.decode_cells(header, row.len(), row.iter().copied())
    }

    /// [`DealDecoder::decode_row`] for a row as the `csv` crate reads it.
    pub fn decode_record(
        &self,
        header: &Header,
        row: &csv::StringRecord,
    ) -> Result<Deal, DealError> {
        self.decode_cells(header, row.len(), row.iter())
    }

    /// [`DealDecoder::decode_row`] for a row of `len` cells given one by
    /// one (the fast path reads them in order; the reference path, if it
    /// must decide, collects them).
    pub fn decode_cells<'c>(
        &self,
        header: &Header,
        len: usize,
        cells: impl Iterator<Item = &'c str> + Clone,
    ) -> Result<Deal, DealError> {
        let fast = if self.slow_only {
            None
        } else {
            with_scratch(|scratch| self.row(header, len, cells.clone(), scratch))
        };
        match fast {
            Some(deal) => Ok(deal),
            None => self.decode_row_reference(header, &cells.collect::<Vec<_>>()),
        }
    }

    /// The CSV fast path alone: `None` when it gives up. Public so tests
    /// and fuzzing can compare it with the reference path.
    pub fn decode_row_fast(&self, header: &Header, row: &[&str]) -> Option<Deal> {
        if self.slow_only {
            return None;
        }
        with_scratch(|scratch| self.row(header, row.len(), row.iter().copied(), scratch))
    }

    /// The reference path for a CSV row: the row as the JSON text of a
    /// deal, decoded.
    fn decode_row_reference(&self, header: &Header, row: &[&str]) -> Result<Deal, DealError> {
        let program = self.program;
        let text = if header.checked {
            row_to_text(program, header, row)
        } else {
            row_to_text(program, &header.for_program(program), row)
        };
        text.and_then(|text| self.decode_text(&text))
    }

    /// Where the cells of column `index` (named `name`) go: from the header
    /// when it was checked against this playbook, else found by name.
    #[inline]
    fn slot(&self, slots: &[Column], index: usize, name: &str) -> Column {
        if let Some(slot) = slots.get(index) {
            return *slot;
        }
        let count = self.program.facts.len();
        match self.keys.find(name.as_bytes()) {
            Some(index) if index < count => Column::Fact(index as u32),
            Some(index) if index == count => Column::Id,
            Some(_) => Column::AsOf,
            None => Column::Skip,
        }
    }

    /// One CSV row of `len` cells, each read straight into its slot.
    fn row<'c>(
        &self,
        header: &Header,
        len: usize,
        cells: impl Iterator<Item = &'c str>,
        scratch: &mut Vec<Value>,
    ) -> Step<Deal> {
        if len != header.columns.len() {
            return Err(Bail);
        }
        let program = self.program;
        let count = program.facts.len();
        // A checked header knows its columns' slots; an unchecked one is
        // read by name (one hashed lookup a column).
        let slots = if header.checked { header.slots() } else { &[] };
        let mut deal = unfilled_deal(count);
        let mut seen = Seen::new(count);
        for (index, (name, cell)) in header.columns.iter().zip(cells).enumerate() {
            let slot = self.slot(slots, index, name);
            // A blank cell is unknown: as if the deal left the key out.
            if slot == Column::Skip || trimmed(cell).is_empty() {
                continue;
            }
            match slot {
                Column::Skip => {}
                Column::Id => deal.id = Some(serde_json::Value::String(cell.to_owned())),
                Column::AsOf => deal.as_of = Some(date_of(cell.as_bytes())?),
                Column::Fact(fact) => {
                    let index = fact as usize;
                    let info = program.facts.get(index).ok_or(Bail)?;
                    if !seen.insert(index) {
                        return Err(Bail);
                    }
                    let value = match self.cell(cell, &info.ty.ty, fact, scratch)? {
                        Some(value) => value,
                        None => missing(info, fact).ok_or(Bail)?,
                    };
                    *deal.facts.get_mut(index).ok_or(Bail)? = value;
                }
            }
        }
        for (index, (slot, fact)) in deal.facts.iter_mut().zip(&program.facts).enumerate() {
            if !seen.contains(index) {
                *slot = missing(fact, index as u32).ok_or(Bail)?;
            }
        }
        Ok(deal)
    }

    /// One non-blank CSV cell read as `ty`, as [`crate::csv_deals`] reads
    /// it; `None` for a list or record cell holding `null`.
    fn cell(
        &self,
        cell: &str,
        ty: &Type,
        blame: u32,
        scratch: &mut Vec<Value>,
    ) -> Step<Option<Value>> {
        Ok(Some(match ty {
            Type::Int => Value::Int(whole_of(number_cell(trimmed(cell))?)?),
            Type::Number => Value::Number(decimal_of(number_cell(trimmed(cell))?)?),
            Type::Bool => Value::Bool(bool_cell(trimmed(cell))?),
            // Text, dates and variants are taken as written, spaces kept.
            Type::Text => Value::Text(Arc::from(cell)),
            Type::Date => Value::Date(date_of(cell.as_bytes())?),
            Type::Enum(id) => {
                let table = self.variants.get(*id as usize).ok_or(Bail)?;
                Value::Variant(table.find(cell.as_bytes()).ok_or(Bail)? as u32)
            }
            // JSON inside the cell, decoded as a deal's value is.
            Type::List(_) | Type::Record(_) => {
                let mut scan = Scan::new(cell);
                let value = self.value(&mut scan, ty, blame, scratch, 0)?;
                scan.ws();
                if scan.pos != scan.bytes.len() {
                    return Err(Bail);
                }
                return Ok(value);
            }
            _ => return Err(Bail),
        }))
    }

    fn deal(&self, text: &str, scratch: &mut Vec<Value>) -> Step<Deal> {
        let program = self.program;
        let count = program.facts.len();
        let (id_key, as_of_key) = (count, count + 1);
        let mut scan = Scan::new(text);
        if scan.ws_peek()? != b'{' {
            return Err(Bail);
        }
        scan.pos += 1;
        let mut deal = unfilled_deal(count);
        let mut seen = Seen::new(count + 2);
        scan.elements(b'}', |scan| {
            let key = scan.key()?;
            match self.keys.find(&key) {
                Some(index) => {
                    if !seen.insert(index) {
                        return Err(Bail);
                    }
                    if index == id_key {
                        deal.id = scan.id()?;
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
                None => {
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
        Ok(deal)
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
            (Type::Int, b'-' | b'0'..=b'9') => Value::Int(whole_of(scan.number()?)?),
            (Type::Number, b'-' | b'0'..=b'9') => Value::Number(decimal_of(scan.number()?)?),
            (Type::Text, b'"') => Value::Text(Arc::from(&*scan.string()?)),
            (Type::Date, b'"') => Value::Date(date_of(&scan.bytes_of_string()?)?),
            (Type::Enum(id), b'"') => {
                let name = scan.bytes_of_string()?;
                let table = self.variants.get(*id as usize).ok_or(Bail)?;
                Value::Variant(table.find(&name).ok_or(Bail)? as u32)
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
        scan.elements(b'}', |scan| {
            let key = scan.key()?;
            let index = table.find(&key).ok_or(Bail)?;
            if !seen.insert(index) {
                return Err(Bail);
            }
            let field = record.fields.get(index).ok_or(Bail)?;
            let value = match self.value(scan, &field.ty.ty, blame, scratch, depth + 1)? {
                Some(value) => value,
                None => missing(field, blame).ok_or(Bail)?,
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
    Deal {
        id: None,
        as_of: None,
        facts: vec![Value::Bool(false); count],
        unknown_keys: Vec::new(),
    }
}

/// Runs `decode` with the thread's scratch stack (emptied before and after);
/// `None` when it gives up.
fn with_scratch<T>(decode: impl FnOnce(&mut Vec<Value>) -> Step<T>) -> Option<T> {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => {
            scratch.clear();
            let result = decode(&mut scratch).ok();
            scratch.clear();
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

/// `cell.trim()`, without its cost when the cell starts and ends with a
/// printable ASCII character (none of them is white space).
#[inline]
fn trimmed(cell: &str) -> &str {
    match (cell.as_bytes().first(), cell.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => cell,
        _ => cell.trim(),
    }
}

/// A number cell (spaces trimmed) checked against JSON's number grammar,
/// which is what [`crate::number`] accepts.
fn number_cell(text: &str) -> Step<&str> {
    let mut scan = Scan::new(text);
    let number = scan.number()?;
    if scan.pos != text.len() {
        return Err(Bail);
    }
    Ok(number)
}

/// A yes/no cell (spaces trimmed): one of [`TRUE_WORDS`] or [`FALSE_WORDS`]
/// ignoring case. Comparing ignoring ASCII case is what lower-casing the
/// cell does here: the words' only non-ASCII letters (`是`, `否`) have no
/// case, and no other letter lower-cases to an ASCII one of the words.
fn bool_cell(word: &str) -> Step<bool> {
    if TRUE_WORDS.iter().any(|w| w.eq_ignore_ascii_case(word)) {
        Ok(true)
    } else if FALSE_WORDS.iter().any(|w| w.eq_ignore_ascii_case(word)) {
        Ok(false)
    } else {
        Err(Bail)
    }
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

/// A table of names (facts, fields, variants) found by hash: open
/// addressing over a power-of-two table at most a quarter full, with a seed
/// chosen so that the names do not collide when one exists. A lookup hashes
/// at most 16 bytes of the key and compares it with one name.
struct KeyTable<'p> {
    names: Vec<&'p str>,
    /// Per name, its length and first and last eight bytes as words
    /// ([`words_of`]): for names of up to 16 bytes, equal words mean equal
    /// names.
    words: Vec<(usize, u64, u64)>,
    /// `index + 1` of the name at each place; 0 is empty.
    places: Vec<u32>,
    seed: u64,
    shift: u32,
}

impl<'p> KeyTable<'p> {
    fn new(names: Vec<&'p str>) -> Self {
        let size = (names.len() * 4).next_power_of_two().max(8);
        let shift = 64 - size.trailing_zeros();
        let place = |name: &str, seed: u64| (key_hash(name.as_bytes(), seed) >> shift) as usize;
        // Look for a seed under which every name has its own place; keep the
        // last one tried otherwise (probing still finds every name).
        let mut seed = 0;
        for candidate in 0..256u64 {
            seed = candidate.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            let mut used = vec![false; size];
            let distinct = names
                .iter()
                .all(|name| match used.get_mut(place(name, seed)) {
                    Some(taken) => !std::mem::replace(taken, true),
                    None => false,
                });
            if distinct {
                break;
            }
        }
        let mut places = vec![0u32; size];
        for (index, name) in names.iter().enumerate() {
            let mut at = place(name, seed);
            while places.get(at).is_some_and(|p| *p != 0) {
                at = (at + 1) & (size - 1);
            }
            if let Some(p) = places.get_mut(at) {
                *p = index as u32 + 1;
            }
        }
        KeyTable {
            words: names.iter().map(|n| words_of(n.as_bytes())).collect(),
            names,
            places,
            seed,
            shift,
        }
    }

    /// The index of the name `key`, if it is one.
    #[inline]
    fn find(&self, key: &[u8]) -> Option<usize> {
        let mask = self.places.len() - 1;
        let words = words_of(key);
        let mut at = (hash_words(words, self.seed) >> self.shift) as usize;
        loop {
            let index = (*self.places.get(at)? as usize).checked_sub(1)?;
            if *self.words.get(index)? == words
                && (key.len() <= 16 || self.names.get(index)?.as_bytes() == key)
            {
                return Some(index);
            }
            at = (at + 1) & mask;
        }
    }
}

/// A key's length and its first and last eight bytes as words (a shorter
/// key: all its bytes in the first word, 0 in the second).
#[inline]
fn words_of(key: &[u8]) -> (usize, u64, u64) {
    match (key.first_chunk::<8>(), key.last_chunk::<8>()) {
        (Some(head), Some(tail)) => (
            key.len(),
            u64::from_le_bytes(*head),
            u64::from_le_bytes(*tail),
        ),
        _ => (
            key.len(),
            key.iter()
                .fold(0u64, |word, byte| (word << 8) | u64::from(*byte)),
            0,
        ),
    }
}

#[inline]
fn hash_words((length, head, tail): (usize, u64, u64), seed: u64) -> u64 {
    (head ^ tail.rotate_left(29) ^ (length as u64) ^ seed).wrapping_mul(0x2545_f491_4f6c_dd1d)
}

/// A hash of a key from its length, first and last eight bytes.
fn key_hash(key: &[u8], seed: u64) -> u64 {
    hash_words(words_of(key), seed)
}

/// A cursor over a deal's JSON text.
struct Scan<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
}

impl<'t> Scan<'t> {
    fn new(text: &'t str) -> Self {
        Scan {
            text,
            bytes: text.as_bytes(),
            pos: 0,
        }
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[inline]
    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// The next byte that is not white space.
    #[inline]
    fn ws_peek(&mut self) -> Step<u8> {
        self.ws();
        self.peek().ok_or(Bail)
    }

    #[inline]
    fn eat(&mut self, byte: u8) -> Step<()> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(Bail)
        }
    }

    /// The elements of an object or list whose opening byte was just
    /// consumed, up to and including `close`: `each` reads one element (for
    /// an object, its key through [`Scan::key`] first), then a `,` or
    /// `close` must follow. Always inlined: through the recursion of
    /// `value` the compiler otherwise keeps the call, about 1% of a deal.
    #[inline(always)]
    fn elements(&mut self, close: u8, mut each: impl FnMut(&mut Self) -> Step<()>) -> Step<()> {
        if self.ws_peek()? == close {
            self.pos += 1;
            return Ok(());
        }
        loop {
            each(self)?;
            match self.ws_peek()? {
                b',' => self.pos += 1,
                byte if byte == close => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(Bail),
            }
        }
    }

    /// An object member's key and the `:` after it.
    #[inline(always)]
    fn key(&mut self) -> Step<Cow<'t, [u8]>> {
        if self.ws_peek()? != b'"' {
            return Err(Bail);
        }
        let key = self.bytes_of_string()?;
        self.ws();
        self.eat(b':')?;
        Ok(key)
    }

    fn literal(&mut self, word: &[u8]) -> Step<()> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(Bail)
        }
    }

    /// A string's content (at its opening quote), borrowed unless it has
    /// escapes.
    fn string(&mut self) -> Step<Cow<'t, str>> {
        let (start, end, escaped) = self.string_span()?;
        let raw = self.text.get(start..end).ok_or(Bail)?;
        if escaped {
            unescape(raw).map(Cow::Owned)
        } else {
            Ok(Cow::Borrowed(raw))
        }
    }

    /// A string's content as bytes (at its opening quote): for keys, enum
    /// variants and dates, which are compared, never kept.
    #[inline]
    fn bytes_of_string(&mut self) -> Step<Cow<'t, [u8]>> {
        let (start, end, escaped) = self.string_span()?;
        if escaped {
            let raw = self.text.get(start..end).ok_or(Bail)?;
            unescape(raw).map(|s| Cow::Owned(s.into_bytes()))
        } else {
            self.bytes.get(start..end).map(Cow::Borrowed).ok_or(Bail)
        }
    }

    /// Passes a string (at its opening quote), checking it as JSON does:
    /// where its content starts and ends, and whether it has escapes.
    fn string_span(&mut self) -> Step<(usize, usize, bool)> {
        self.eat(b'"')?;
        let start = self.pos;
        let mut escaped = false;
        loop {
            // Eight bytes at a time up to the first quote, backslash or
            // control character.
            let rest = self.bytes.get(self.pos..).ok_or(Bail)?;
            let mut skipped = 0;
            for chunk in rest.chunks_exact(8) {
                let mut word = [0u8; 8];
                word.copy_from_slice(chunk);
                let special = special_bytes(u64::from_le_bytes(word));
                if special != 0 {
                    skipped += (special.trailing_zeros() / 8) as usize;
                    break;
                }
                skipped += 8;
            }
            self.pos += skipped;
            match self.peek().ok_or(Bail)? {
                b'"' => {
                    let end = self.pos;
                    self.pos += 1;
                    return Ok((start, end, escaped));
                }
                b'\\' => {
                    escaped = true;
                    match self.bytes.get(self.pos + 1).ok_or(Bail)? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.pos += 2,
                        b'u' => {
                            let code = hex4(self.bytes.get(self.pos + 2..self.pos + 6))?;
                            if (0xd800..0xe000).contains(&code) {
                                return Err(Bail);
                            }
                            self.pos += 6;
                        }
                        _ => return Err(Bail),
                    }
                }
                0..=0x1f => return Err(Bail),
                _ => self.pos += 1,
            }
        }
    }

    /// A number's text (at its first byte), checked against JSON's grammar.
    fn number(&mut self) -> Step<&'t str> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(Bail),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.some_digits()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            self.some_digits()?;
        }
        self.text.get(start..self.pos).ok_or(Bail)
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }

    fn some_digits(&mut self) -> Step<()> {
        match self.peek() {
            Some(b'0'..=b'9') => {
                self.digits();
                Ok(())
            }
            _ => Err(Bail),
        }
    }

    /// The deal's `"id"`: read as the reference decoder reads it.
    fn id(&mut self) -> Step<Option<serde_json::Value>> {
        match self.ws_peek()? {
            b'n' => self.literal(b"null").map(|()| None),
            b'"' => {
                let start = self.pos;
                let (from, to, escaped) = self.string_span()?;
                let raw = self.text.get(start..self.pos).ok_or(Bail)?;
                if escaped {
                    serde_json::from_str(raw).map(Some).map_err(|_| Bail)
                } else {
                    let content = self.text.get(from..to).ok_or(Bail)?;
                    Ok(Some(serde_json::Value::String(content.to_owned())))
                }
            }
            b'-' | b'0'..=b'9' => {
                let raw = self.number()?;
                serde_json::from_str(raw).map(Some).map_err(|_| Bail)
            }
            _ => Err(Bail),
        }
    }

    /// Passes any JSON value, building nothing.
    fn skip(&mut self, depth: u32) -> Step<()> {
        match self.ws_peek()? {
            b'"' => self.string_span().map(drop),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number().map(drop),
            open @ (b'{' | b'[') => {
                if depth >= MAX_SKIP_DEPTH {
                    return Err(Bail);
                }
                let close = if open == b'{' { b'}' } else { b']' };
                self.pos += 1;
                self.elements(close, |scan| {
                    if open == b'{' {
                        // The key is only passed: no need to unescape it.
                        if scan.ws_peek()? != b'"' {
                            return Err(Bail);
                        }
                        scan.string_span()?;
                        scan.ws();
                        scan.eat(b':')?;
                    }
                    scan.skip(depth + 1)
                })
            }
            _ => Err(Bail),
        }
    }
}

/// The high bit of each byte of `word` that is a quote, a backslash or a
/// control character (below 0x20). Exact for the lowest such byte, which is
/// all the caller uses (a borrow can only flag bytes above a true one).
#[inline]
fn special_bytes(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let zero = |x: u64| x.wrapping_sub(ONES) & !x;
    let quote = word ^ (ONES * u64::from(b'"'));
    let backslash = word ^ (ONES * u64::from(b'\\'));
    (zero(quote) | zero(backslash) | (word.wrapping_sub(ONES * 0x20) & !word)) & HIGHS
}

/// A date `YYYY-MM-DD` read from its bytes: what [`Date::parse`] accepts
/// (checked against it in the tests), without going through `str::parse`.
fn date_of(bytes: &[u8]) -> Step<Date> {
    let Some(&[y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2]) = bytes.first_chunk::<10>() else {
        return Err(Bail);
    };
    if bytes.len() != 10 {
        return Err(Bail);
    }
    let number = |digits: &[u8]| {
        digits.iter().try_fold(0i32, |n, d| {
            if d.is_ascii_digit() {
                Ok(n * 10 + i32::from(d - b'0'))
            } else {
                Err(Bail)
            }
        })
    };
    Date::from_ymd(
        number(&[y1, y2, y3, y4])?,
        number(&[m1, m2])?,
        number(&[d1, d2])?,
    )
    .ok_or(Bail)
}

/// A short number's sign, digits (point left out) and how many of them are
/// after the point: `None` for an exponent or more than 18 digits, which
/// go the long way.
fn short_number(text: &str) -> Option<(bool, i64, u32)> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mut mantissa, mut count, mut places, mut after_point) = (0i64, 0u32, 0u32, false);
    for byte in rest.bytes() {
        match byte {
            b'0'..=b'9' => {
                count += 1;
                if count > 18 {
                    return None;
                }
                mantissa = mantissa * 10 + i64::from(byte - b'0');
                places += u32::from(after_point);
            }
            b'.' => after_point = true,
            _ => return None,
        }
    }
    Some((negative, mantissa, places))
}

/// An `int` as [`crate::number::parse_whole`] reads it (the JSON grammar
/// was checked by [`Scan::number`]).
fn whole_of(text: &str) -> Step<i64> {
    match short_number(text) {
        Some((negative, mantissa, 0)) if !text.contains('.') => {
            Ok(if negative { -mantissa } else { mantissa })
        }
        _ => crate::number::parse_whole(text).map_err(|_| Bail),
    }
}

/// A `number` as [`crate::number::parse_decimal`] reads it: trailing zeros
/// after the point dropped, zero without a sign.
fn decimal_of(text: &str) -> Step<rust_decimal::Decimal> {
    let Some((negative, mut mantissa, mut places)) = short_number(text) else {
        return crate::number::parse_decimal(text).map_err(|_| Bail);
    };
    if mantissa == 0 {
        return Ok(rust_decimal::Decimal::ZERO);
    }
    while places > 0 && mantissa % 10 == 0 {
        mantissa /= 10;
        places -= 1;
    }
    let mantissa = if negative { -mantissa } else { mantissa };
    rust_decimal::Decimal::try_from_i128_with_scale(i128::from(mantissa), places).map_err(|_| Bail)
}

/// Four hex digits of a `\u` escape.
fn hex4(digits: Option<&[u8]>) -> Step<u32> {
    let digits = digits.ok_or(Bail)?;
    digits.iter().try_fold(0u32, |code, byte| {
        let digit = char::from(*byte).to_digit(16).ok_or(Bail)?;
        Ok(code * 16 + digit)
    })
}

/// A string's content with its escapes replaced (the escapes were checked
/// by [`Scan::string_span`]; surrogates never get here).
fn unescape(raw: &str) -> Step<String> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find('\\') {
        out.push_str(rest.get(..at).ok_or(Bail)?);
        let escape = rest.get(at + 1..).ok_or(Bail)?;
        let (ch, used) = match escape.as_bytes().first().ok_or(Bail)? {
            b'"' => ('"', 1),
            b'\\' => ('\\', 1),
            b'/' => ('/', 1),
            b'b' => ('\u{8}', 1),
            b'f' => ('\u{c}', 1),
            b'n' => ('\n', 1),
            b'r' => ('\r', 1),
            b't' => ('\t', 1),
            b'u' => {
                let code = hex4(escape.as_bytes().get(1..5))?;
                (char::from_u32(code).ok_or(Bail)?, 5)
            }
            _ => return Err(Bail),
        };
        out.push(ch);
        rest = escape.get(used..).ok_or(Bail)?;
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAYBOOK: &str = r#"
enum Kind { demo, call }
record Event { kind: Kind, on: date, note: text? }
facts {
  stage: Kind
  minutes: int?
  budget: number?
  champion: bool?
  events: list<Event>
  name: text?
}
signal s { when minutes > 3 weight 1 }
"#;

    fn decode_both(text: &str) -> (Result<Deal, DealError>, Result<Deal, DealError>) {
        let analysis = augur_check::analyze_text(PLAYBOOK);
        assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
        let decoder = DealDecoder::new(&analysis.program);
        let fast = decoder.decode_text(text);
        let slow = decode_deal_text(&analysis.program, text);
        (fast, slow)
    }

    fn same(text: &str) {
        let (fast, slow) = decode_both(text);
        match (fast, slow) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a.facts, b.facts, "{text}");
                assert_eq!(a.id, b.id, "{text}");
                assert_eq!(a.as_of, b.as_of, "{text}");
                assert_eq!(a.unknown_keys, b.unknown_keys, "{text}");
            }
            (Err(a), Err(b)) => assert_eq!(a, b, "{text}"),
            (a, b) => panic!("{text}: fast {a:?} slow {b:?}"),
        }
    }

    #[test]
    fn fast_and_slow_decoders_agree() {
        for text in [
            r#"{"stage":"demo"}"#,
            r#"{"id":7,"as_of":"2026-01-02","stage":"call","minutes":12,"budget":1.5e3,"champion":true,"name":"王总 \"quoted\"","events":[{"kind":"demo","on":"2026-01-01"}]}"#,
            r#"{"id":null,"stage":"demo","minutes":null,"budget":12345678901234567890}"#,
            r#"{"stage":"demo","extra":{"deep":[1,2,3]},"extra":1,"other":null}"#,
            r#"{"stage":"demo","stage":"call"}"#,
            r#"{"stage":"demo","id":1.25}"#,
            r#"{"stage":"demo","budget":-0.000001}"#,
            r#"{"stage":"demo","budget":1e400}"#,
            r#"{"stage":"nope"}"#,
            r#"{"minutes":3}"#,
            r#"{"stage":"demo","minutes":3.0}"#,
            r#"{"stage":"demo","minutes":9223372036854775808}"#,
            r#"{"stage":"demo","events":[null]}"#,
            r#"{"stage":"demo","events":[{"kind":"demo"}]}"#,
            r#"{"stage":"demo","events":[{"kind":"demo","on":"2026-02-30"}]}"#,
            r#"{"stage":"demo","events":[{"kind":"demo","on":"2026-02-03","extra":1}]}"#,
            r#"{"stage":"demo","events":{}}"#,
            r#"{"stage":"demo","id":[1]}"#,
            r#"{"stage":"demo","as_of":"soon"}"#,
            r#"{"stage":"demo","as_of":null}"#,
            r#"[{"stage":"demo"}]"#,
            r#"{"stage":"demo"} trailing"#,
            r#"{"stage":"demo""#,
            "",
            r#"{"stage":"d\u0065mo","n\u0061me":"x"}"#,
            r#"{"stage":"demo","budget":1234567890.123456789}"#,
            r#"{"stage":"demo","budget":12345678901234567890123456}"#,
            r#"{"stage":"demo","budget":79228162514264337593543950336}"#,
            r#"{"stage":"demo","budget":0.00000000000000000000000000001}"#,
            r#"{"stage":"demo","budget":-0,"minutes":-0}"#,
            r#"{"stage":"demo","minutes":1e2}"#,
            r#"{"stage":"demo","minutes":-9223372036854775808}"#,
            r#"{"stage":"demo","id":1e400}"#,
            r#"{"stage":"demo","extra":1e400}"#,
            r#"{"stage":"demo","budget":1,"budget":2}"#,
            r#"{"stage":"demo","id":1,"id":2}"#,
            r#"{"stage":"demo","as_of":null,"as_of":"2026-01-01"}"#,
            r#"{"stage":"demo","x":1,"x":1}"#,
            r#"{"stage":"demo","events":[{"kind":"demo","on":"2026-01-01","kind":"call"}]}"#,
            "{\"stage\":\"demo\",\n\"stage\":\"call\"}",
            r#"{"stage":"demo","budget":null,"budget":1}"#,
        ] {
            same(text);
        }
    }

    #[test]
    fn numbers_are_exact_and_duplicates_name_both_places() {
        let (fast, _) = decode_both(r#"{"stage":"demo","budget":1234567890.123456789}"#);
        assert_eq!(
            fast.unwrap().facts[2],
            Value::Number("1234567890.123456789".parse().unwrap())
        );
        let (fast, _) = decode_both(r#"{"stage":"demo","budget":12345678901234567890123456}"#);
        let Value::Number(n) = fast.unwrap().facts[2] else {
            panic!("a number")
        };
        assert_eq!(n.to_string(), "12345678901234567890123456");
        let (fast, _) = decode_both(r#"{"stage":"demo","minutes":-0}"#);
        assert_eq!(fast.unwrap().facts[1], Value::Int(0));
        let (fast, _) = decode_both(r#"{"stage":"demo","budget":1e400}"#);
        let error = fast.unwrap_err();
        assert_eq!(error.path, "$.budget");
        assert!(error.message.contains("1e400 is out of range"), "{error}");
        let (fast, _) = decode_both(r#"{"stage":"demo","stage":"call"}"#);
        let error = fast.unwrap_err();
        assert_eq!(error.path, "$.stage");
        assert!(
            error
                .message
                .contains("at column 10 and again at column 25"),
            "{error}"
        );
    }

    #[test]
    fn unknown_facts_are_blamed_on_their_fact() {
        let (fast, _) =
            decode_both(r#"{"stage":"demo","events":[{"kind":"demo","on":"2026-01-01"}]}"#);
        let deal = fast.unwrap();
        assert_eq!(deal.facts[1], Value::Unknown(Blame::fact(1)));
        let Value::List(events) = &deal.facts[4] else {
            panic!("events is a list")
        };
        let Value::Record(fields) = &events[0] else {
            panic!("an event is a record")
        };
        assert_eq!(fields[2], Value::Unknown(Blame::fact(4)));
    }

    #[test]
    fn dates_are_read_as_date_parse_reads_them() {
        let mut texts: Vec<String> = vec![
            "2026-02-29".into(),
            "2024-02-29".into(),
            "0000-01-01".into(),
            "9999-12-31".into(),
            "2026-1-01".into(),
            "2026-01-1 ".into(),
            "+026-01-01".into(),
            "2026-01-01x".into(),
            "2026/01/01".into(),
            "２０２６-01-01".into(),
            String::new(),
        ];
        for month in 0..=13 {
            for day in [0, 1, 28, 29, 30, 31, 32] {
                texts.push(format!("2025-{month:02}-{day:02}"));
            }
        }
        for text in texts {
            assert_eq!(
                date_of(text.as_bytes()).ok(),
                Date::parse(&text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn key_tables_find_every_name_and_nothing_else() {
        let names: Vec<String> = (0..300)
            .map(|i| match i % 3 {
                0 => format!("k{i}"),
                1 => format!("customer_name_{i}_long_enough_to_pass_sixteen"),
                _ => format!("名前{i}"),
            })
            .collect();
        let table = KeyTable::new(names.iter().map(String::as_str).collect());
        for (index, name) in names.iter().enumerate() {
            assert_eq!(table.find(name.as_bytes()), Some(index), "{name}");
            let mut other = name.clone().into_bytes();
            other.push(b'x');
            assert_eq!(table.find(&other), None);
            if let Some(last) = other.len().checked_sub(2) {
                other.truncate(last + 1);
                other[last] ^= 1;
                assert!(table
                    .find(&other)
                    .is_none_or(|i| names[i].as_bytes() == other));
            }
        }
        assert_eq!(table.find(b""), None);
        let small = KeyTable::new(vec!["id", "as_of", "stage"]);
        assert_eq!(small.find(b"as_of"), Some(1));
        assert_eq!(small.find(b"as_oF"), None);
    }

    #[test]
    fn short_numbers_are_read_as_the_number_module_reads_them() {
        let mut texts: Vec<String> = [
            "0",
            "-0",
            "0.0",
            "-0.000",
            "1",
            "-1",
            "10",
            "100",
            "100.0",
            "1.50",
            "1.05",
            "0.001",
            "-0.0010",
            "999999999999999999",
            "-999999999999999999",
            "9999999999999999999",
            "123456789.123456789",
            "12345678901234567.8",
            "1234567890123456789",
            "1e2",
            "1.5E-3",
            "0.1000000000000000000000000001",
        ]
        .iter()
        .map(|t| t.to_string())
        .collect();
        let mut seed = 7u64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let digits = (seed % 21) as usize;
            let whole = format!("{}", seed % 10u64.pow((seed % 12) as u32 + 1));
            let fraction: String = (0..digits % 9)
                .map(|i| char::from(b'0' + ((seed >> i) % 10) as u8))
                .collect();
            let sign = if seed.is_multiple_of(3) { "-" } else { "" };
            texts.push(format!("{sign}{whole}"));
            texts.push(format!("{sign}{whole}.{fraction}0"));
            texts.push(format!("{sign}{whole}.{fraction}"));
        }
        for text in texts {
            if text.ends_with('.') {
                continue;
            }
            let expected = crate::number::parse_decimal(&text).ok();
            let got = decimal_of(&text).ok();
            assert_eq!(got, expected, "{text}");
            assert_eq!(
                got.map(|d| d.to_string()),
                expected.map(|d| d.to_string()),
                "{text}"
            );
            assert_eq!(
                whole_of(&text).ok(),
                crate::number::parse_whole(&text).ok(),
                "{text}"
            );
        }
    }
}
