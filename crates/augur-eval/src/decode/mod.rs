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

    /// The batch decodes every deal of a chunk into one `Deal`: nothing of a
    /// deal may stay behind for the next, whichever path decoded either.
    #[test]
    fn a_deal_decoded_into_holds_only_that_deal() {
        let analysis = augur_check::analyze_text(PLAYBOOK);
        let decoder = DealDecoder::new(&analysis.program);
        let deals = [
            r#"{"id":"a","as_of":"2026-01-02","stage":"call","minutes":5,"x":1,"y":2,"events":[{"kind":"demo","on":"2026-01-01","note":"n"}],"name":"王"}"#,
            r#"{"stage":"demo"}"#,
            r#"{"id":7,"stage":"demo","name":"\ud83d\ude00","z":null}"#,
            r#"{"stage":"nope"}"#,
            r#"{"id":"b","stage":"call","champion":true}"#,
            r#"{"id":"c","stage":"call","minutes":5,"minutes":6}"#,
            r#"{"stage":"demo","budget":1.25}"#,
        ];
        let mut reused = Deal::default();
        for text in deals.iter().chain(deals.iter().rev()) {
            let fresh = decode_deal_text(&analysis.program, text);
            match (decoder.decode_text_into(text, &mut reused), fresh) {
                (Ok(()), Ok(fresh)) => {
                    assert_eq!(reused.facts, fresh.facts, "{text}");
                    assert_eq!(reused.id, fresh.id, "{text}");
                    assert_eq!(reused.as_of, fresh.as_of, "{text}");
                    assert_eq!(reused.unknown_keys, fresh.unknown_keys, "{text}");
                }
                (Err(a), Err(b)) => assert_eq!(a, b, "{text}"),
                (a, b) => panic!("{text}: into {a:?}, reference {b:?}"),
            }
        }
    }

    /// Strings of every length around the one-word read (keys, ids, texts,
    /// variants), with a quote, an escape or a control byte at each place,
    /// and strings cut short at the end of the text.
    #[test]
    fn strings_near_a_word_long_are_read_as_the_reference_reads_them() {
        for length in 0..18 {
            for at in 0..=length {
                for special in ["\\\"", "\\n", "\u{1}", "\"", "é", "王"] {
                    let mut text: String = "x".repeat(length);
                    text.insert_str(at.min(text.len()), special);
                    same(&format!(r#"{{"stage":"demo","name":"{text}"}}"#));
                    same(&format!(r#"{{"stage":"demo","{text}":1}}"#));
                    same(&format!(r#"{{"id":"{text}","stage":"demo"}}"#));
                    same(&format!(r#"{{"stage":"{text}"}}"#));
                    same(&format!(r#"{{"stage":"demo","name":"{text}"#));
                }
            }
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
            r#"{"stage":"demo","outcome":"won","other":1}"#,
            r#"{"stage":"demo","outcome":{"deep":[1]},"outcome":"lost"}"#,
            r#"{"stage":"demo","\u006futcome":"won"}"#,
        ] {
            same(text);
        }
    }

    #[test]
    fn outcome_is_reserved_not_an_unknown_key() {
        for text in [
            r#"{"stage":"demo","outcome":"won","other":1}"#,
            r#"{"stage":"demo","outcome":null}"#,
        ] {
            let analysis = augur_check::analyze_text(PLAYBOOK);
            let decoder = DealDecoder::new(&analysis.program);
            // The fast path itself takes it (it does not give up).
            let fast = decoder.decode_fast(text).unwrap().unknown_keys;
            let slow = decode_deal_text(&analysis.program, text).unwrap();
            assert_eq!(fast, slow.unknown_keys, "{text}");
            assert!(!fast.contains(&"outcome".to_string()), "{text}");
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

    /// Reading keys with guesses gives what finding them gives: a guess is
    /// taken only when the text is exactly the name in quotes, for names of
    /// every length (the guess compares one word, two words, or the whole
    /// name) and keys that differ from the guessed name by one character
    /// anywhere, are longer or shorter, escaped, or cut by the text's end.
    #[test]
    fn keys_guessed_from_the_one_before_are_the_keys_found() {
        let names = [
            "a",
            "id",
            "as_of",
            "amount",
            "budget_",
            "champion",
            "decision_maker",
            "long_name_of_fifteen",
            "客户",
            "决策人已经见过面",
        ];
        let table = KeyTable::new(names.to_vec());
        let read_all = |text: &str, guessing: bool| {
            let mut scan = Scan::new(text);
            let mut previous = table.start();
            let mut read = Vec::new();
            loop {
                let at = scan.pos;
                let key = if guessing {
                    table.read_key(&mut scan, previous)
                } else {
                    scan.key().map(|key| table.find(&key).ok_or(key))
                };
                match key {
                    Ok(Ok(index)) => {
                        previous = index;
                        read.push((at, Some(index), scan.pos));
                    }
                    Ok(Err(_)) => read.push((at, None, scan.pos)),
                    Err(Bail) => {
                        read.push((at, None, usize::MAX));
                        break;
                    }
                }
                // Past the value and the comma.
                match scan.bytes[scan.pos..].iter().position(|b| *b == b',') {
                    Some(comma) => scan.pos += comma + 1,
                    None => break,
                }
            }
            read
        };
        for name in names.iter().skip(1) {
            let chars: Vec<char> = name.chars().collect();
            let with = |at: usize, c: char| {
                let mut changed = chars.clone();
                changed[at] = if changed[at] == c { 'y' } else { c };
                changed.into_iter().collect::<String>()
            };
            let mut keys = vec![
                with(0, 'x'),
                with(chars.len() / 2, 'x'),
                with(chars.len() - 1, 'x'),
                with(chars.len() - 1, '客'),
                format!("{name}x"),
                format!("{name} "),
                chars[..chars.len() - 1].iter().collect(),
                format!(
                    "\\u{:04x}{}",
                    u32::from(chars[0]),
                    &name[chars[0].len_utf8()..]
                ),
            ];
            keys.push(name.to_string());
            for key in keys {
                for text in [
                    format!(r#""a":1, "{name}":1}}"#),
                    format!(r#""a":1, "{key}":1, "{name}" : 2}}"#),
                    // The second guess: `id` followed `a`, the name `id`.
                    format!(r#""a":1, "id":1, "{name}":1}}"#),
                    format!(r#""a":1, "{key}":1}}"#),
                    format!(r#""a":1, "{name}":1}}"#),
                    format!(r#""a":1, "{key}":"#),
                    format!(r#""a":1, "{key}""#),
                    format!(r#""a":1, "{key}"#),
                ] {
                    assert_eq!(read_all(&text, true), read_all(&text, false), "{text}");
                }
            }
        }
        // Objects of changing orders, each read twice in a row.
        for text in [
            r#""id" : 1, "as_of":1, "amount":1, "champion":1}"#,
            r#""champion":1, "id":1, "as_of":1}"#,
            r#""决策人已经见过面":1, "客户":1, "客":1, "客户户":1}"#,
            r#""a":1,"b":1,"a" :1,"aa":1,"a""#,
        ] {
            for _ in 0..2 {
                assert_eq!(read_all(text, true), read_all(text, false), "{text}");
            }
        }
    }

    /// An enum's variant read by comparing the text with each name is the
    /// variant found by hashing the string, and the scan ends in the same
    /// place, for a table small enough to compare and one that is not.
    #[test]
    fn variants_compared_name_by_name_are_the_variants_found() {
        let small = KeyTable::new(vec!["mid", "middle", "客户", "early_and_long_stage"]);
        let large = KeyTable::new(vec!["a", "b", "c", "d", "e"]);
        let mut texts = Vec::new();
        for name in ["mid", "middle", "客户", "early_and_long_stage", "a", "e"] {
            let mut chars = name.chars();
            let first = chars.next().unwrap_or('a');
            let rest: String = chars.collect();
            let shorter: String = name.chars().take(name.chars().count() - 1).collect();
            for variant in [
                name.to_string(),
                format!("{name}x"),
                format!("x{name}"),
                shorter,
                format!("\\u{:04x}{rest}", u32::from(first)),
            ] {
                texts.push(format!("\"{variant}\","));
                texts.push(format!("\"{variant}\""));
                texts.push(format!("\"{variant}"));
            }
        }
        texts.push("\"\"".into());
        for table in [&small, &large] {
            for text in &texts {
                let mut compared = Scan::new(text);
                let mut hashed = Scan::new(text);
                let by_name = table.read_name(&mut compared).ok();
                let by_hash = hashed.bytes_of_string().ok().map(|name| table.find(&name));
                assert_eq!(by_name, by_hash, "{text}");
                if by_name.is_some() {
                    assert_eq!(compared.pos, hashed.pos, "{text}");
                }
            }
        }
    }

    #[test]
    fn short_numbers_are_read_as_the_number_module_reads_them() {
        use scan::{decimal_of, short_number, whole_of};
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
            // Read while scanning, the parts are the ones read from the text.
            let scanned = Scan::new(&text).number_parts().ok();
            let short = Scan::new(&text).number().ok().map(|t| (t, short_number(t)));
            assert_eq!(scanned, short, "{text}");
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
        // Not JSON numbers, or followed by more: refused, or read as far,
        // alike.
        for text in [
            "1.", "-", "-.5", ".5", "01", "1e", "1e+", "1.5e3x", "2.x", "--1", "0x10",
        ] {
            let (mut fused, mut plain) = (Scan::new(text), Scan::new(text));
            let scanned = fused.number_parts().ok().map(|(t, _)| t);
            assert_eq!(scanned, plain.number().ok(), "{text}");
            if scanned.is_some() {
                assert_eq!(fused.pos, plain.pos, "{text}");
            }
        }
    }
}
