//! The byte scanner under the fast decoder: JSON strings, numbers, dates
//! and skipped values read straight from the text, and the exact readers of
//! numbers and dates they feed.

use super::*;

/// A cursor over a deal's JSON text.
pub(super) struct Scan<'t> {
    pub(super) text: &'t str,
    pub(super) bytes: &'t [u8],
    pub(super) pos: usize,
}

impl<'t> Scan<'t> {
    pub(super) fn new(text: &'t str) -> Self {
        Scan {
            text,
            bytes: text.as_bytes(),
            pos: 0,
        }
    }

    #[inline]
    pub(super) fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[inline]
    pub(super) fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// The next byte that is not white space.
    #[inline]
    pub(super) fn ws_peek(&mut self) -> Step<u8> {
        self.ws();
        self.peek().ok_or(Bail)
    }

    #[inline]
    pub(super) fn eat(&mut self, byte: u8) -> Step<()> {
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
    pub(super) fn elements(
        &mut self,
        close: u8,
        mut each: impl FnMut(&mut Self) -> Step<()>,
    ) -> Step<()> {
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
    pub(super) fn key(&mut self) -> Step<Cow<'t, [u8]>> {
        if self.ws_peek()? != b'"' {
            return Err(Bail);
        }
        let key = self.bytes_of_string()?;
        self.ws();
        self.eat(b':')?;
        Ok(key)
    }

    pub(super) fn literal(&mut self, word: &[u8]) -> Step<()> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(Bail)
        }
    }

    /// A string's content (at its opening quote), borrowed unless it has
    /// escapes.
    pub(super) fn string(&mut self) -> Step<Cow<'t, str>> {
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
    pub(super) fn bytes_of_string(&mut self) -> Step<Cow<'t, [u8]>> {
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
    pub(super) fn string_span(&mut self) -> Step<(usize, usize, bool)> {
        self.eat(b'"')?;
        let start = self.pos;
        let mut escaped = false;
        loop {
            // Eight bytes at a time up to the first quote, backslash or
            // control character (one word read per step, no iterator to
            // set up: most strings of a deal are keys shorter than 32
            // bytes).
            while let Some(word) = self
                .bytes
                .get(self.pos..)
                .and_then(|r| r.first_chunk::<8>())
            {
                let special = special_bytes(u64::from_le_bytes(*word));
                if special != 0 {
                    self.pos += (special.trailing_zeros() / 8) as usize;
                    break;
                }
                self.pos += 8;
            }
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
    pub(super) fn number(&mut self) -> Step<&'t str> {
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

    /// [`Scan::number`], with the short number's parts ([`short_number`]
    /// of the text) read in the same pass.
    pub(super) fn number_parts(&mut self) -> Step<(&'t str, Option<ShortNumber>)> {
        let start = self.pos;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        let (mut mantissa, mut count) = (0i64, 0u32);
        match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                count = 1;
            }
            Some(b'1'..=b'9') => self.accumulate(&mut mantissa, &mut count),
            _ => return Err(Bail),
        }
        let mut places = 0;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            let before = count;
            self.accumulate(&mut mantissa, &mut count);
            places = count - before;
            if places == 0 {
                return Err(Bail);
            }
        }
        let mut short = count <= 18;
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            self.some_digits()?;
            short = false;
        }
        let text = self.text.get(start..self.pos).ok_or(Bail)?;
        Ok((text, short.then_some((negative, mantissa, places))))
    }

    /// Passes digits, adding each to `mantissa` (which is only meaningful
    /// while `count` stays at most 18) and counting them.
    fn accumulate(&mut self, mantissa: &mut i64, count: &mut u32) {
        while let Some(digit @ b'0'..=b'9') = self.peek() {
            *mantissa = mantissa
                .wrapping_mul(10)
                .wrapping_add(i64::from(digit - b'0'));
            *count += 1;
            self.pos += 1;
        }
    }

    pub(super) fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }

    pub(super) fn some_digits(&mut self) -> Step<()> {
        match self.peek() {
            Some(b'0'..=b'9') => {
                self.digits();
                Ok(())
            }
            _ => Err(Bail),
        }
    }

    /// The deal's `"id"` (at its first byte), read as the reference decoder
    /// reads it; `reuse` is room to write a string id without escapes into.
    pub(super) fn id(&mut self, reuse: Option<String>) -> Step<Option<serde_json::Value>> {
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
                    let mut id = reuse.unwrap_or_default();
                    id.clear();
                    id.push_str(content);
                    Ok(Some(serde_json::Value::String(id)))
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
    pub(super) fn skip(&mut self, depth: u32) -> Step<()> {
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
pub(super) fn special_bytes(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let zero = |x: u64| x.wrapping_sub(ONES) & !x;
    let quote = word ^ (ONES * u64::from(b'"'));
    let backslash = word ^ (ONES * u64::from(b'\\'));
    (zero(quote) | zero(backslash) | (word.wrapping_sub(ONES * 0x20) & !word)) & HIGHS
}

/// A date `YYYY-MM-DD` read from its bytes: what [`Date::parse`] accepts
/// (checked against it in the tests), without going through `str::parse`.
pub(super) fn date_of(bytes: &[u8]) -> Step<Date> {
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
/// after the point.
pub(super) type ShortNumber = (bool, i64, u32);

/// The [`ShortNumber`] of a number's text: `None` for an exponent or more
/// than 18 digits, which go the long way.
pub(super) fn short_number(text: &str) -> Option<ShortNumber> {
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
pub(super) fn whole_of(text: &str) -> Step<i64> {
    whole_of_parts(text, short_number(text))
}

/// [`whole_of`] with the text's [`short_number`] already read.
pub(super) fn whole_of_parts(text: &str, short: Option<ShortNumber>) -> Step<i64> {
    match short {
        Some((negative, mantissa, 0)) if !text.contains('.') => {
            Ok(if negative { -mantissa } else { mantissa })
        }
        _ => crate::number::parse_whole(text).map_err(|_| Bail),
    }
}

/// A `number` as [`crate::number::parse_decimal`] reads it: trailing zeros
/// after the point dropped, zero without a sign.
pub(super) fn decimal_of(text: &str) -> Step<rust_decimal::Decimal> {
    decimal_of_parts(text, short_number(text))
}

/// [`decimal_of`] with the text's [`short_number`] already read.
pub(super) fn decimal_of_parts(
    text: &str,
    short: Option<ShortNumber>,
) -> Step<rust_decimal::Decimal> {
    let Some((negative, mantissa, mut places)) = short else {
        return crate::number::parse_decimal(text).map_err(|_| Bail);
    };
    if mantissa == 0 {
        return Ok(rust_decimal::Decimal::ZERO);
    }
    // At most 18 digits: the magnitude fits in 64 bits, the scale is at
    // most 18 (a decimal holds 96 bits and a scale of up to 28).
    let mut magnitude = mantissa.unsigned_abs();
    while places > 0 && magnitude % 10 == 0 {
        magnitude /= 10;
        places -= 1;
    }
    Ok(rust_decimal::Decimal::from_parts(
        magnitude as u32,
        (magnitude >> 32) as u32,
        0,
        negative,
        places,
    ))
}

/// Four hex digits of a `\u` escape.
pub(super) fn hex4(digits: Option<&[u8]>) -> Step<u32> {
    let digits = digits.ok_or(Bail)?;
    digits.iter().try_fold(0u32, |code, byte| {
        let digit = char::from(*byte).to_digit(16).ok_or(Bail)?;
        Ok(code * 16 + digit)
    })
}

/// A string's content with its escapes replaced (the escapes were checked
/// by [`Scan::string_span`]; surrogates never get here).
pub(super) fn unescape(raw: &str) -> Step<String> {
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
