//! Hashed tables of a playbook's names (deal keys, record fields, enum
//! variants): one probe and one comparison per key read.

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
            names,
            places,
            seed,
            shift,
        }
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
