//! Hashed tables of a playbook's names (deal keys, record fields, enum
//! variants): one probe and one comparison per key read, and before that a
//! guess of the key from the one before it (see [`KeyTable::read_key`]).

use super::scan::Scan;
use super::Step;
use std::borrow::Cow;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

/// A table of names (facts, fields, variants) found by hash: open
/// addressing over a power-of-two table at most a quarter full, with a seed
/// chosen so that the names do not collide when one exists. A lookup hashes
/// at most 16 bytes of the key and compares it with one name.
pub(super) struct KeyTable<'p> {
    names: Vec<&'p str>,
    /// Per name, its length and first and last eight bytes as words
    /// ([`words_of`]): for names of up to 16 bytes, equal words mean equal
    /// names.
    words: Vec<(usize, u64, u64)>,
    /// `index + 1` of the name at each place; 0 is empty.
    places: Vec<u32>,
    seed: u64,
    shift: u32,
    /// Per name, the name as a JSON key is mostly written (`"name"`), for
    /// [`KeyTable::read_key`]'s guess.
    quoted: Vec<Quoted>,
    /// Per name, and last for an object's start: the name that followed it
    /// in the last object read that had it (`u32::MAX`: none yet). Shared by
    /// every thread; written only when a guess fails, so threads reading
    /// files of one key order never write it.
    next: Vec<AtomicU32>,
}

/// Most names of a table whose strings [`KeyTable::read_name`] compares
/// one by one before hashing.
const FEW_NAMES: usize = 4;

/// A name written as a plain JSON string, quotes included, as words to
/// compare with the text ([`words_of`]): its length, its first eight bytes
/// (padded with zeros when shorter) and its last eight bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Quoted {
    /// 0 when the name cannot be written plainly (it holds a quote, a
    /// backslash or a control character): never guessed.
    len: usize,
    head: u64,
    tail: u64,
}

impl Quoted {
    fn of(name: &str) -> Quoted {
        let plain = name.bytes().all(|b| b != b'"' && b != b'\\' && b >= 0x20);
        let mut bytes = Vec::with_capacity(name.len() + 2);
        bytes.push(b'"');
        bytes.extend_from_slice(name.as_bytes());
        bytes.push(b'"');
        // The same words a key is hashed by (a quoted name is at least
        // three bytes: for one of up to eight, `head` is all of it).
        let (len, head, tail) = words_of(&bytes);
        Quoted {
            len: if plain { len } else { 0 },
            head,
            tail,
        }
    }

    /// Whether `rest` starts with this name written plainly. `name`: the
    /// name itself, compared in full when it is longer than 14 bytes.
    #[inline]
    fn starts(&self, rest: &[u8], name: &[u8]) -> bool {
        let len = self.len;
        if len == 0 {
            return false;
        }
        match rest.first_chunk::<8>() {
            Some(first) if len <= 8 => {
                let mask = u64::MAX >> ((8 - len) * 8);
                u64::from_le_bytes(*first) & mask == self.head
            }
            Some(first) if len <= 16 => {
                u64::from_le_bytes(*first) == self.head
                    && rest
                        .get(len - 8..len)
                        .and_then(|tail| tail.first_chunk::<8>())
                        .is_some_and(|tail| u64::from_le_bytes(*tail) == self.tail)
            }
            _ => {
                rest.len() >= len
                    && rest.first() == Some(&b'"')
                    && rest.get(len - 1) == Some(&b'"')
                    && rest.get(1..len - 1) == Some(name)
            }
        }
    }
}

impl<'p> KeyTable<'p> {
    pub(super) fn new(names: Vec<&'p str>) -> Self {
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
            quoted: names.iter().map(|n| Quoted::of(n)).collect(),
            next: (0..=names.len())
                .map(|_| AtomicU32::new(u32::MAX))
                .collect(),
            names,
            places,
            seed,
            shift,
        }
    }

    /// What [`KeyTable::read_key`] takes as `previous` for an object's
    /// first key.
    pub(super) fn start(&self) -> usize {
        self.names.len()
    }

    /// Reads an object member's key (the scan at or before its opening
    /// quote) and the `:` after it: the index of the name it is, or the key
    /// itself when it is none of the table's names.
    ///
    /// `previous` is the index of the key before it in the same object
    /// ([`KeyTable::start`] for the first). The name that followed
    /// `previous` in the last object is tried first, then the name that
    /// followed that one, by comparing the text with the name written
    /// plainly (`"name"`, quotes included, so the key can be neither longer
    /// nor escaped): the deals of one file mostly write their keys in one
    /// order, some of them left out, and a right guess needs neither the
    /// string's end found nor its hash. Wrong guesses cost a comparison
    /// each, then the key is read and found as without them, and the order
    /// learnt (a second guess that was right teaches nothing, so deals
    /// without an optional key do not unlearn it). A guess never decides
    /// anything the comparison has not confirmed.
    #[inline(always)]
    pub(super) fn read_key<'t>(
        &self,
        scan: &mut Scan<'t>,
        previous: usize,
    ) -> Step<Result<usize, Cow<'t, [u8]>>> {
        scan.ws();
        // The name that followed `previous`.
        if let Some(guess) = self.next.get(previous).map(|n| n.load(Relaxed) as usize) {
            if self.take_key(guess, scan)? {
                return Ok(Ok(guess));
            }
        }
        self.read_unguessed_key(scan, previous)
    }

    /// [`KeyTable::read_key`] once the first guess was wrong: the name that
    /// followed the guess (the object may lack an optional key the last
    /// one had), then the key read and found.
    #[inline(never)]
    fn read_unguessed_key<'t>(
        &self,
        scan: &mut Scan<'t>,
        previous: usize,
    ) -> Step<Result<usize, Cow<'t, [u8]>>> {
        let follower = self.next.get(previous);
        let guess = follower
            .and_then(|n| self.next.get(n.load(Relaxed) as usize))
            .map(|n| n.load(Relaxed) as usize);
        if let Some(guess) = guess {
            if self.take_key(guess, scan)? {
                return Ok(Ok(guess));
            }
        }
        let key = scan.key()?;
        Ok(match self.find(&key) {
            Some(index) => {
                if let Some(next) = follower {
                    next.store(index as u32, Relaxed);
                }
                Ok(index)
            }
            None => Err(key),
        })
    }

    /// Reads a JSON string (the scan at its opening quote) that should be
    /// one of the table's names, an enum's variant: its index, or `None`
    /// when it is no name. A table of a few names is first compared name by
    /// name with the text, as [`KeyTable::read_key`] compares its guess:
    /// cheaper than finding the string's end and hashing it.
    #[inline]
    pub(super) fn read_name(&self, scan: &mut Scan<'_>) -> Step<Option<usize>> {
        if self.names.len() <= FEW_NAMES {
            for index in 0..self.names.len() {
                if let Some(len) = self.written_at(index, scan) {
                    scan.pos += len;
                    return Ok(Some(index));
                }
            }
        }
        Ok(self.find(&scan.bytes_of_string()?))
    }

    /// If the key at the scan is name `guess` written plainly, reads it and
    /// the `:` after it.
    #[inline(always)]
    fn take_key(&self, guess: usize, scan: &mut Scan<'_>) -> Step<bool> {
        match self.written_at(guess, scan) {
            Some(len) => {
                scan.pos += len;
                scan.ws();
                scan.eat(b':')?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// The length of name `index` written plainly, if the text at the
    /// scan's position starts with it.
    #[inline]
    fn written_at(&self, index: usize, scan: &Scan<'_>) -> Option<usize> {
        let (quoted, name) = (self.quoted.get(index)?, self.names.get(index)?);
        let rest = scan.bytes.get(scan.pos..)?;
        quoted.starts(rest, name.as_bytes()).then_some(quoted.len)
    }

    /// The index of the name `key`, if it is one.
    #[inline]
    pub(super) fn find(&self, key: &[u8]) -> Option<usize> {
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
pub(super) fn words_of(key: &[u8]) -> (usize, u64, u64) {
    match (key.first_chunk::<8>(), key.last_chunk::<8>()) {
        (Some(head), Some(tail)) => (
            key.len(),
            u64::from_le_bytes(*head),
            u64::from_le_bytes(*tail),
        ),
        _ => (key.len(), short_word(key), 0),
    }
}

/// A key of fewer than eight bytes as one little-endian word padded with
/// zeros, read as two overlapping halves (the bytes both halves hold land
/// in the same place) rather than byte by byte: most keys are this short.
#[inline]
fn short_word(key: &[u8]) -> u64 {
    let len = key.len();
    match (key.first_chunk::<4>(), key.last_chunk::<4>()) {
        (Some(head), Some(tail)) => {
            u64::from(u32::from_le_bytes(*head))
                | u64::from(u32::from_le_bytes(*tail)) << ((len - 4) * 8)
        }
        _ => {
            let byte = |at: usize| key.get(at).map_or(0, |b| u64::from(*b));
            match len.checked_sub(1) {
                Some(last) => byte(0) | byte(len / 2) << (len / 2 * 8) | byte(last) << (last * 8),
                None => 0,
            }
        }
    }
}

#[inline]
pub(super) fn hash_words((length, head, tail): (usize, u64, u64), seed: u64) -> u64 {
    (head ^ tail.rotate_left(29) ^ (length as u64) ^ seed).wrapping_mul(0x2545_f491_4f6c_dd1d)
}

/// A hash of a key from its length, first and last eight bytes.
pub(super) fn key_hash(key: &[u8], seed: u64) -> u64 {
    hash_words(words_of(key), seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key shorter than a word is its bytes, in order, padded with
    /// zeros: two keys of one length share a word only when they are equal.
    #[test]
    fn short_keys_are_their_bytes_padded_with_zeros() {
        for len in 0..8 {
            let key: Vec<u8> = (0..len as u8).map(|i| 0xa1 + i * 7).collect();
            let mut padded = [0u8; 8];
            padded[..len].copy_from_slice(&key);
            assert_eq!(short_word(&key), u64::from_le_bytes(padded), "{len}");
            assert_eq!(words_of(&key), (len, u64::from_le_bytes(padded), 0));
        }
    }
}
