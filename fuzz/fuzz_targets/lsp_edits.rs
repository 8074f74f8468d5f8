//! Random sequences of editor changes, as the language server receives them:
//! ranges in any column unit, past line ends, reversed, inside multi-byte
//! characters (CJK, astral, emoji). Each change goes through
//! `augur_ide::edit::apply_change` and the document is re-analysed. Checks:
//! nothing panics, the text stays valid, every diagnostic and occurrence
//! span lies on character boundaries, and the incremental re-parse
//! (`augur_ide::incremental::reparse`) gives exactly the full parse.
#![no_main]

use arbitrary::Arbitrary;
use augur_check::{analyze_with, MemoryLoader};
use augur_ide::edit::{apply_change, ContentChange};
use augur_syntax::{ColumnUnit, LineCol, Parse};
use libfuzzer_sys::fuzz_target;

mod common;

const BASES: &[&str] = &[
    include_str!("../../examples/standing.zh.augur"),
    "enum 阶段 { 早, 晚 }\nfacts { s: 阶段 }\nsignal 𠮷 { when s == 早 weight 1 } # 😀\n",
    "facts { n: int }\r\nlet x = n + 1\r\n",
    "",
];

#[derive(Arbitrary, Debug)]
struct Edit {
    whole: bool,
    start: (u8, u16),
    end: (u8, u16),
    text: String,
}

#[derive(Arbitrary, Debug)]
struct Input {
    base: u8,
    own: String,
    unit: u8,
    edits: Vec<Edit>,
}

fn fingerprint(text: &str, parse: &Parse) -> String {
    let loader = MemoryLoader::new([("p.augur", text)]);
    let parsed = parse.clone();
    let analysis = analyze_with("p.augur", &loader, &move |_, _| parsed.clone());
    for d in &analysis.diagnostics {
        common::assert_diagnostic_in(|_| Some(text), d);
    }
    for o in &analysis.occurrences {
        common::assert_span_in(text, o.span, "occurrence");
    }
    let item_spans: Vec<_> = parse.file.items.iter().map(|i| i.span).collect();
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        parse.file.items,
        item_spans,
        parse.file.comments,
        analysis.diagnostics,
        analysis.occurrences
    )
}

fuzz_target!(|input: Input| {
    let mut text = match BASES.get(input.base as usize) {
        Some(base) => base.to_string(),
        None => input.own,
    };
    let unit = match input.unit % 3 {
        0 => ColumnUnit::Utf16,
        1 => ColumnUnit::Char,
        _ => ColumnUnit::Utf8,
    };
    let mut parse = augur_syntax::parse(&text);
    for edit in input.edits.iter().take(16) {
        let old_text = text.clone();
        let range = (!edit.whole).then_some((
            LineCol {
                line: edit.start.0.into(),
                column: edit.start.1.into(),
            },
            LineCol {
                line: edit.end.0.into(),
                column: edit.end.1.into(),
            },
        ));
        apply_change(
            &mut text,
            ContentChange {
                range,
                text: &edit.text,
            },
            unit,
        );
        let incremental = augur_ide::incremental::reparse(&old_text, &parse, &text);
        let full = augur_syntax::parse(&text);
        let (a, b) = (fingerprint(&text, &incremental), fingerprint(&text, &full));
        assert!(a == b, "incremental parse differs from full parse\n--- text\n{text}\n--- incremental\n{a}\n--- full\n{b}");
        parse = incremental;
    }
});
