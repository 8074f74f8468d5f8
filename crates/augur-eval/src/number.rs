//! Numbers in deals, read exactly from their text.
//!
//! A deal's number is never routed through `f64`: both deal decoders and the
//! CSV reader hand the number's own text (`1234567890.123456789`, `1e3`,
//! `-0`) to these functions, which either give the exact value or refuse it
//! with a reason. Nothing here rounds: a value `rust_decimal` cannot hold
//! exactly (more than 28 digits after the point, or beyond ±79 octillion)
//! is an error, not an approximation.
//!
//! Not a JSON parser: the callers have already cut the number out of its
//! document; this module checks the number grammar itself.

use rust_decimal::Decimal;

/// Why a number's text was refused (the caller adds where it was).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberError {
    /// Not written as a JSON number (`+3`, `.5`, `1,5`, `abc`).
    NotANumber,
    /// A fraction or exponent where a whole number is expected.
    NotWhole,
    /// Too large or too small to hold exactly.
    OutOfRange,
}

/// The parts of a JSON number: sign, all digits (integer then fraction
/// part), and the power of ten that applies to those digits.
struct Parts {
    negative: bool,
    digits: Vec<u8>,
    exponent: i64,
    whole_syntax: bool,
}

/// Splits a JSON number (RFC 8259 grammar: `-? int frac? exp?`).
fn split(text: &str) -> Result<Parts, NumberError> {
    let bytes = text.as_bytes();
    let mut at = 0;
    let negative = bytes.first() == Some(&b'-');
    if negative {
        at += 1;
    }
    let int_start = at;
    while bytes.get(at).is_some_and(u8::is_ascii_digit) {
        at += 1;
    }
    let int_part = bytes.get(int_start..at).unwrap_or_default();
    if int_part.is_empty() || (int_part.len() > 1 && int_part.first() == Some(&b'0')) {
        return Err(NumberError::NotANumber);
    }
    let mut digits: Vec<u8> = int_part.to_vec();
    let mut exponent: i64 = 0;
    let mut whole_syntax = true;
    if bytes.get(at) == Some(&b'.') {
        whole_syntax = false;
        at += 1;
        let start = at;
        while bytes.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        let fraction = bytes.get(start..at).unwrap_or_default();
        if fraction.is_empty() {
            return Err(NumberError::NotANumber);
        }
        digits.extend_from_slice(fraction);
        exponent -= fraction.len() as i64;
    }
    if matches!(bytes.get(at), Some(b'e' | b'E')) {
        whole_syntax = false;
        at += 1;
        let exp_negative = match bytes.get(at) {
            Some(b'-') => {
                at += 1;
                true
            }
            Some(b'+') => {
                at += 1;
                false
            }
            _ => false,
        };
        let start = at;
        let mut value: i64 = 0;
        while let Some(digit) = bytes.get(at).filter(|b| b.is_ascii_digit()) {
            // Saturate: an exponent of a million digits is out of range
            // either way.
            value = value
                .saturating_mul(10)
                .saturating_add(i64::from(digit - b'0'))
                .min(1_000_000);
            at += 1;
        }
        if at == start {
            return Err(NumberError::NotANumber);
        }
        exponent += if exp_negative { -value } else { value };
    }
    if at != bytes.len() {
        return Err(NumberError::NotANumber);
    }
    Ok(Parts {
        negative,
        digits,
        exponent,
        whole_syntax,
    })
}

/// The largest mantissa a `Decimal` holds: 2^96 - 1.
const MAX_MANTISSA: i128 = (1 << 96) - 1;

/// Reads a JSON number exactly as a decimal. `-0` is zero.
pub fn parse_decimal(text: &str) -> Result<Decimal, NumberError> {
    let parts = split(text)?;
    let mut digits: &[u8] = &parts.digits;
    let mut exponent = parts.exponent;
    // Leading zeros carry nothing; trailing zeros move into the exponent so
    // that `1.50000…0` (any length) and `1e2` both fit.
    while let Some((b'0', rest)) = digits.split_first() {
        digits = rest;
    }
    while let Some((b'0', rest)) = digits.split_last() {
        digits = rest;
        exponent += 1;
    }
    if digits.is_empty() {
        return Ok(Decimal::ZERO);
    }
    // A Decimal holds at most 29 digits and 28 places after the point.
    if digits.len() > 29 {
        return Err(NumberError::OutOfRange);
    }
    let mut mantissa: i128 = 0;
    for digit in digits {
        mantissa = mantissa * 10 + i128::from(digit - b'0');
    }
    let scale = if exponent < 0 {
        u32::try_from(-exponent).map_err(|_| NumberError::OutOfRange)?
    } else {
        for _ in 0..exponent {
            mantissa = mantissa.checked_mul(10).ok_or(NumberError::OutOfRange)?;
            if mantissa > MAX_MANTISSA {
                return Err(NumberError::OutOfRange);
            }
        }
        0
    };
    if scale > 28 {
        return Err(NumberError::OutOfRange);
    }
    if parts.negative {
        mantissa = -mantissa;
    }
    Decimal::try_from_i128_with_scale(mantissa, scale).map_err(|_| NumberError::OutOfRange)
}

/// Reads a JSON number as a whole number (`int`): digits with an optional
/// `-`, no point or exponent. `-0` is zero.
pub fn parse_whole(text: &str) -> Result<i64, NumberError> {
    let parts = split(text)?;
    if !parts.whole_syntax {
        return Err(NumberError::NotWhole);
    }
    text.parse::<i64>().map_err(|_| NumberError::OutOfRange)
}

/// Whether `text` starts like a JSON number (so it is one, or malformed).
pub fn looks_numeric(text: &str) -> bool {
    matches!(text.as_bytes().first(), Some(b'-' | b'0'..=b'9'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap_or_default()
    }

    #[test]
    fn every_digit_is_kept() {
        assert_eq!(
            parse_decimal("1234567890.123456789"),
            Ok(dec("1234567890.123456789"))
        );
        assert_eq!(
            parse_decimal("12345678901234567890123456").map(|d| d.to_string()),
            Ok("12345678901234567890123456".to_string())
        );
        assert_eq!(parse_decimal("1.5e3"), Ok(dec("1500")));
        assert_eq!(parse_decimal("15E-1"), Ok(dec("1.5")));
        assert_eq!(parse_decimal("-0"), Ok(Decimal::ZERO));
        assert_eq!(parse_decimal("-0.0e5"), Ok(Decimal::ZERO));
        assert_eq!(
            parse_decimal("0.0000000000000000000000000001"),
            Ok(dec("1e-28"))
        );
        assert_eq!(
            parse_decimal("79228162514264337593543950335"),
            Ok(Decimal::MAX)
        );
        assert_eq!(
            parse_decimal("1.000000000000000000000000000000000000000000"),
            Ok(dec("1"))
        );
    }

    #[test]
    fn what_cannot_be_held_exactly_is_refused() {
        for text in [
            "1e400",
            "79228162514264337593543950336",
            "0.00000000000000000000000000001",
            "0.1234567890123456789012345678901",
            "1e-400",
            "1e99999999999999999999",
        ] {
            assert_eq!(parse_decimal(text), Err(NumberError::OutOfRange), "{text}");
        }
        for text in ["+1", ".5", "1.", "01", "1e", "1,5", "", "-", "abc", "1 "] {
            assert_eq!(parse_decimal(text), Err(NumberError::NotANumber), "{text}");
        }
    }

    #[test]
    fn whole_numbers() {
        assert_eq!(parse_whole("-0"), Ok(0));
        assert_eq!(parse_whole("9223372036854775807"), Ok(i64::MAX));
        assert_eq!(parse_whole("-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(
            parse_whole("9223372036854775808"),
            Err(NumberError::OutOfRange)
        );
        assert_eq!(parse_whole("3.0"), Err(NumberError::NotWhole));
        assert_eq!(parse_whole("1e3"), Err(NumberError::NotWhole));
        assert_eq!(parse_whole("+3"), Err(NumberError::NotANumber));
    }
}
