//! The fast decoder's unit tests: the fast path against the reference
//! decoder, the name tables and their guesses, the exact number readers.

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
    let (fast, _) = decode_both(r#"{"stage":"demo","events":[{"kind":"demo","on":"2026-01-01"}]}"#);
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
