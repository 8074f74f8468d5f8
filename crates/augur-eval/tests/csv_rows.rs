//! The CSV fast path (`DealDecoder::decode_row_fast`, cells straight into
//! fact slots) against the reference path (`csv_deals::row_to_text`, then
//! `decode_deal_text`), the oracle: on rows generated from each playbook's
//! facts — every example playbook (the Chinese one too), every
//! benchmark playbook and every `tests/eval` case — with hostile cells mixed in (blank and space-only
//! cells, `TRUE`, `是`, huge numbers, `-0`, `1e400`, bad dates, unknown
//! variants, broken JSON in list cells, quotes), extra and misspelt
//! columns, columns in any order and ragged rows. Whenever the fast path
//! accepts a row, the reference must accept it and decode the same deal;
//! whatever the fast path does, `decode_row` and `decode_record` must give
//! the reference's value or exactly its error, for a header checked against
//! the playbook and for one left unchecked (as `augur diff` reads it).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use augur_check::ir::{Program, Type};
use augur_check::{analyze, Analysis, FsLoader};
use augur_eval::csv_deals::{check_header, row_to_text, unchecked_header, Header};
use augur_eval::{decode_deal_text, Deal, DealDecoder, DealError};
use serde_json::{json, Map, Value as Json};
use std::path::{Path, PathBuf};

/// A small seeded generator (xorshift), so failures replay.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const BLANKS: &[&str] = &["", " ", "  \t", "\u{3000}", "\u{a0}"];
const BOOLS: &[&str] = &[
    "true",
    "FALSE",
    "Yes",
    " no ",
    "1",
    "0",
    "是",
    "否",
    " 是 ",
    "Y",
    "n",
    "TRUE ",
    "maybe",
    "ｔｒｕｅ",
    "İ",
    "是的",
    "tRuE",
    "\u{212a}",
];
const INTS: &[&str] = &[
    "0",
    "-0",
    "42",
    " 7 ",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "1.0",
    "1e2",
    "1,5",
    "01",
    "+3",
    ".5",
    "abc",
    "１２",
    "-",
    "3 4",
];
const NUMBERS: &[&str] = &[
    "0.1",
    "-0",
    "-0.000",
    "1e400",
    "1E-3",
    "12.50",
    " 3.25\t",
    "79228162514264337593543950335",
    "79228162514264337593543950336",
    "12345678901234567890.5",
    "0.00000000000000000000000000001",
    "1.",
    "--1",
    "1..2",
    "0x10",
    "NaN",
];
const TEXTS: &[&str] = &[
    "Acme",
    " padded ",
    "a \"quoted\" word",
    "line\nbreak",
    "客户只关心价格",
    "混合 text 与中文",
    "tab\there",
    "\\backslash\\",
    "{\"json\":1}",
    "null",
];
const DATES: &[&str] = &[
    "2026-01-31",
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    " 2026-01-01",
    "2026-01-01 ",
    "2026/01/01",
    "２０２６-01-01",
    "2026-1-1",
    "soon",
];
const BROKEN_JSON: &[&str] = &[
    "[",
    "[1,",
    "[,]",
    "null",
    " null ",
    " [] ",
    "{}",
    "[null]",
    "\"x\"",
    "[] x",
    "[{\"a\":1,\"a\":2}]",
    "[\"\\ud800\"]",
    "[1e400]",
    "[[[[[]]]]]",
    "\u{a0}[]",
    "[]\n",
];
const IDS: &[&str] = &[
    "deal-1",
    " spaced ",
    "\"q\"",
    "中文编号",
    "7",
    "1e400",
    "null",
];
const AS_OFS: &[&str] = &[
    "2026-06-15",
    "2026-02-30",
    " 2026-06-15",
    "soon",
    "2026-6-15",
];

/// A JSON value of `ty` (a list or record cell's content), sometimes wrong.
fn json_of(rng: &mut Rng, program: &Program, ty: &Type, depth: u32) -> Json {
    let wild = rng.chance(3);
    match ty {
        Type::Bool => json!(rng.chance(50)),
        Type::Int => json!(rng.below(500)),
        Type::Number => {
            serde_json::from_str(&format!("{}.{}", rng.below(1000), rng.below(100))).unwrap()
        }
        Type::Text => json!(rng.pick(TEXTS)),
        Type::Date if wild => json!("2026-02-30"),
        Type::Date => json!(format!(
            "2026-{:02}-{:02}",
            1 + rng.below(12),
            1 + rng.below(28)
        )),
        Type::Enum(_) | Type::Verdict(_) => {
            let names = program.variant_names(ty);
            if names.is_empty() || wild {
                json!("no_such_variant")
            } else {
                json!(rng.pick(&names))
            }
        }
        Type::Record(id) => {
            let mut object = Map::new();
            if let Some(record) = program.records.get(*id as usize) {
                for field in &record.fields {
                    if !field.ty.maybe_unknown || rng.chance(80) {
                        let value = if field.ty.maybe_unknown && rng.chance(10) {
                            Json::Null
                        } else {
                            json_of(rng, program, &field.ty.ty, depth + 1)
                        };
                        object.insert(field.name.clone(), value);
                    }
                }
            }
            if wild {
                object.insert("no_such_field".into(), json!(1));
            }
            Json::Object(object)
        }
        Type::List(element) => {
            let len = if depth > 2 {
                rng.below(2)
            } else {
                rng.below(6)
            };
            Json::Array(
                (0..len)
                    .map(|_| json_of(rng, program, element, depth + 1))
                    .collect(),
            )
        }
        Type::Nothing | Type::Error => Json::Null,
    }
}

/// A cell for a value of `ty`: mostly a good one, sometimes a hostile one.
fn cell_of(rng: &mut Rng, program: &Program, ty: &Type) -> String {
    if rng.chance(8) {
        return rng.pick(BLANKS).to_string();
    }
    let hostile = rng.chance(12);
    match ty {
        Type::Bool => rng
            .pick(if hostile { BOOLS } else { &BOOLS[..8] })
            .to_string(),
        Type::Int if hostile => rng.pick(INTS).to_string(),
        Type::Int => format!("{}", rng.below(1000) as i64 - 100),
        Type::Number if hostile => rng.pick(NUMBERS).to_string(),
        Type::Number => format!("{}.{:02}", rng.below(100_000), rng.below(100)),
        Type::Text => rng.pick(TEXTS).to_string(),
        Type::Date if hostile => rng.pick(DATES).to_string(),
        Type::Date => format!("2026-{:02}-{:02}", 1 + rng.below(12), 1 + rng.below(28)),
        Type::Enum(_) | Type::Verdict(_) => {
            let names = program.variant_names(ty);
            match (hostile, names.is_empty()) {
                (false, false) => rng.pick(&names).to_string(),
                (true, false) if rng.chance(50) => {
                    let name = rng.pick(&names);
                    if rng.chance(50) {
                        format!(" {name}")
                    } else {
                        name.to_uppercase()
                    }
                }
                _ => "no_such_variant".to_string(),
            }
        }
        Type::List(_) | Type::Record(_) => {
            if hostile {
                rng.pick(BROKEN_JSON).to_string()
            } else {
                let text = json_of(rng, program, ty, 0).to_string();
                if rng.chance(10) {
                    serde_json::to_string_pretty(&serde_json::from_str::<Json>(&text).unwrap())
                        .unwrap()
                } else {
                    text
                }
            }
        }
        Type::Nothing | Type::Error => "x".to_string(),
    }
}

/// The columns of one generated file: `id`, `as_of`, every fact (a few left
/// out), a column that is no fact and one misspelt, in a shuffled order.
fn columns_of(rng: &mut Rng, program: &Program) -> Vec<String> {
    let mut columns = vec!["id".to_string(), "as_of".to_string()];
    for fact in &program.facts {
        if rng.chance(90) {
            columns.push(fact.name.clone());
        }
    }
    columns.push("not_a_fact".into());
    if let Some(fact) = program.facts.first() {
        columns.push(fact.name.to_uppercase());
    }
    for i in (1..columns.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        columns.swap(i, j);
    }
    columns.dedup();
    columns
}

fn row_of(rng: &mut Rng, program: &Program, columns: &[String]) -> Vec<String> {
    let mut row: Vec<String> = columns
        .iter()
        .map(|column| match column.as_str() {
            "id" if rng.chance(80) => rng.pick(IDS).to_string(),
            "as_of" if rng.chance(30) => rng.pick(AS_OFS).to_string(),
            "id" | "as_of" => String::new(),
            name => match program.fact_index(name) {
                Some(index) => cell_of(rng, program, &program.facts[index as usize].ty.ty),
                None => rng.pick(TEXTS).to_string(),
            },
        })
        .collect();
    // Now and then a ragged row.
    if rng.chance(2) {
        row.pop();
    } else if rng.chance(2) {
        row.push("extra".into());
    }
    row
}

fn same_deal(fast: &Deal, reference: &Deal, row: &[&str]) {
    assert_eq!(fast.id, reference.id, "id of {row:?}");
    assert_eq!(fast.as_of, reference.as_of, "as_of of {row:?}");
    assert_eq!(fast.facts, reference.facts, "facts of {row:?}");
    assert_eq!(fast.unknown_keys, reference.unknown_keys, "keys of {row:?}");
}

fn same_result(got: Result<Deal, DealError>, reference: &Result<Deal, DealError>, row: &[&str]) {
    match (got, reference) {
        (Ok(a), Ok(b)) => same_deal(&a, b, row),
        (Err(a), Err(b)) => assert_eq!(&a, b, "{row:?}"),
        (a, b) => panic!("{row:?}: got {a:?}, reference {b:?}"),
    }
}

/// Compares every path on one row; returns whether the fast path accepted.
fn compare(decoder: &DealDecoder<'_>, checked: &Header, unchecked: &Header, row: &[&str]) -> bool {
    let program = decoder.program();
    let reference = row_to_text(program, checked, row).and_then(|t| decode_deal_text(program, &t));
    let fast = decoder.decode_row_fast(checked, row);
    if let Some(fast) = &fast {
        match &reference {
            Ok(reference) => same_deal(fast, reference, row),
            Err(error) => {
                panic!("the fast path accepted a row the reference refuses ({error}): {row:?}")
            }
        }
    }
    let fast_unchecked = decoder.decode_row_fast(unchecked, row);
    assert_eq!(fast.is_some(), fast_unchecked.is_some(), "{row:?}");
    if let (Some(a), Some(b)) = (&fast, &fast_unchecked) {
        same_deal(a, b, row);
    }
    same_result(decoder.decode_row(checked, row), &reference, row);
    same_result(decoder.decode_row(unchecked, row), &reference, row);
    let record = csv::StringRecord::from(row.to_vec());
    same_result(decoder.decode_record(checked, &record), &reference, row);
    same_result(decoder.decode_record(unchecked, &record), &reference, row);
    fast.is_some()
}

/// `rows` generated rows of `analysis`, over a few generated headers.
fn compare_rows(name: &str, analysis: &Analysis, seed: u64, rows: usize) {
    let program = &analysis.program;
    let decoder = DealDecoder::new(program);
    let mut rng = Rng(seed | 1);
    let (mut accepted, mut valid) = (0, 0);
    for _ in 0..4 {
        let columns = columns_of(&mut rng, program);
        let checked = check_header(program, columns.clone()).unwrap();
        let unchecked = unchecked_header(columns.clone()).unwrap();
        for _ in 0..rows / 4 {
            let row = row_of(&mut rng, program, &columns);
            let row: Vec<&str> = row.iter().map(String::as_str).collect();
            accepted += usize::from(compare(&decoder, &checked, &unchecked, &row));
            valid += usize::from(
                row_to_text(program, &checked, &row)
                    .and_then(|t| decode_deal_text(program, &t))
                    .is_ok(),
            );
        }
    }
    // A fact named `id` or `as_of` leaves every row to the reference path;
    // otherwise the fast path must take every row the reference accepts.
    let shadowed = program
        .facts
        .iter()
        .any(|f| f.name == "id" || f.name == "as_of");
    if !shadowed {
        assert_eq!(
            accepted, valid,
            "{name}: the fast path gave up on valid rows"
        );
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn playbooks(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "augur"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no playbooks in {}", dir.display());
    files
}

#[test]
fn the_example_playbooks_read_generated_rows_as_the_reference_does() {
    let examples = repo().join("examples");
    for file in playbooks(&examples) {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let analysis = analyze(&name, &FsLoader::new(&examples));
        assert!(!analysis.has_errors(), "{name}: {:?}", analysis.diagnostics);
        for seed in [1, 2, 3] {
            compare_rows(&name, &analysis, seed * 7919, 1200);
        }
    }
}

#[test]
fn the_benchmark_playbooks_read_generated_rows_as_the_reference_does() {
    for file in playbooks(&repo().join("crates/augur-bench/playbooks")) {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let (loader, entry) = FsLoader::for_playbook(&file);
        let analysis = analyze(&entry, &loader);
        assert!(!analysis.has_errors(), "{name}: {:?}", analysis.diagnostics);
        compare_rows(&name, &analysis, 31_337, 800);
    }
}

#[test]
fn the_evaluator_cases_read_generated_rows_as_the_reference_does() {
    for file in playbooks(&repo().join("tests/eval")) {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&file).unwrap();
        let analysis = augur_check::analyze_text(&text);
        assert!(!analysis.has_errors(), "{name}: {:?}", analysis.diagnostics);
        for seed in [11, 12] {
            compare_rows(&name, &analysis, seed * 104_729, 600);
        }
    }
}

/// Cells chosen one by one, each against a playbook of every type.
#[test]
fn hostile_cells_are_read_as_the_reference_reads_them() {
    let analysis = augur_check::analyze_text(
        "enum Stage { early, late, 晚期 }\n\
         record Event { kind: Stage, on: date, note: text? }\n\
         facts { stage: Stage?  ok: bool?  n: int?  amount: number?  on: date?  note: text?\n\
                 events: list<Event>  tags: list<text>  last: Event?  must: int }\n\
         signal s { when ok weight 1 }\n",
    );
    assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
    let program = &analysis.program;
    let decoder = DealDecoder::new(program);
    let columns: Vec<String> = [
        "id", "as_of", "stage", "ok", "n", "amount", "on", "note", "events", "tags", "last",
        "must", "other",
    ]
    .iter()
    .map(|c| c.to_string())
    .collect();
    let checked = check_header(program, columns.clone()).unwrap();
    let unchecked = unchecked_header(columns.clone()).unwrap();
    let base = [
        "d1",
        "2026-01-02",
        "late",
        "yes",
        "3",
        "1.50",
        "2026-01-01",
        "hi",
        r#"[{"kind":"early","on":"2026-01-01"}]"#,
        r#"["a","b"]"#,
        r#"{"kind":"晚期","on":"2026-01-01","note":null}"#,
        "1",
        "whatever",
    ];
    assert!(compare(&decoder, &checked, &unchecked, &base));
    let mut hostile: Vec<&str> = Vec::new();
    for list in [
        BLANKS,
        BOOLS,
        INTS,
        NUMBERS,
        TEXTS,
        DATES,
        BROKEN_JSON,
        IDS,
        AS_OFS,
    ] {
        hostile.extend_from_slice(list);
    }
    hostile.extend_from_slice(&[
        "EARLY",
        "晚期",
        " late",
        "late ",
        "\"late\"",
        r#"[{"kind":"early","on":"2026-01-01","kind":"late"}]"#,
        r#"[{"kind":"early"}]"#,
        r#"["a",null]"#,
        r#"["a\u0041"]"#,
        r#"["\ud83d\ude00"]"#,
        r#"{"kind":"early","on":"2026-01-01","extra":1}"#,
    ]);
    let (mut accepted, mut valid) = (0, 0);
    for column in 0..columns.len() {
        for cell in &hostile {
            let mut row = base;
            row[column] = cell;
            accepted += usize::from(compare(&decoder, &checked, &unchecked, &row));
            // The fast path gives up on surrogate escapes (as for JSON
            // deals), on nothing else the reference accepts.
            valid += usize::from(
                decoder.decode_row(&checked, &row).is_ok()
                    && !(cell.contains("\\ud83d")
                        && ["events", "tags", "last"].contains(&&*columns[column])),
            );
        }
    }
    assert_eq!(accepted, valid);
    assert!(accepted > 300, "{accepted}");
    // Ragged rows keep the reference's error.
    let short = &base[..base.len() - 1];
    assert!(!compare(&decoder, &checked, &unchecked, short));
    assert!(decoder
        .decode_row(&checked, short)
        .unwrap_err()
        .message
        .contains("cell(s)"));
}

/// The fast path reads what the reference reads: exact numbers, spellings
/// of yes and no in any case, text with its spaces.
#[test]
fn the_fast_path_reads_cells_by_their_facts_types() {
    let analysis = augur_check::analyze_text(
        "enum Stage { early, late }\n\
         facts { stage: Stage  ok: bool?  n: int?  amount: number?  note: text? }\n\
         signal s { when ok weight 1 }\n",
    );
    let program = &analysis.program;
    let decoder = DealDecoder::new(program);
    let columns: Vec<String> = ["stage", "ok", "n", "amount", "note"]
        .iter()
        .map(|c| c.to_string())
        .collect();
    let header = check_header(program, columns).unwrap();
    let deal = decoder
        .decode_row_fast(
            &header,
            &["late", " TRUE ", "-0", "12345678901234567890.5", " a "],
        )
        .unwrap();
    assert_eq!(deal.facts[0], augur_eval::Value::Variant(1));
    assert_eq!(deal.facts[1], augur_eval::Value::Bool(true));
    assert_eq!(deal.facts[2], augur_eval::Value::Int(0));
    assert_eq!(
        deal.facts[3],
        augur_eval::Value::Number("12345678901234567890.5".parse().unwrap())
    );
    assert_eq!(deal.facts[4], augur_eval::Value::Text(" a ".into()));
    let deal = decoder
        .decode_row_fast(&header, &["early", "否", "", " ", ""])
        .unwrap();
    assert_eq!(deal.facts[1], augur_eval::Value::Bool(false));
    assert!(matches!(deal.facts[2], augur_eval::Value::Unknown(_)));
    // A value the reference refuses: the fast path gives up, and the
    // reference's message comes out.
    assert!(decoder
        .decode_row_fast(&header, &["late", "", "", "1e400", ""])
        .is_none());
    let error = decoder
        .decode_row(&header, &["late", "", "", "1e400", ""])
        .unwrap_err();
    assert_eq!(error.path, "$.amount");
    assert!(error.message.contains("out of range"), "{error}");
}
