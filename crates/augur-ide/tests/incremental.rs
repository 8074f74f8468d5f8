//! The incremental re-parse must give exactly what a full parse gives:
//! compared on hundreds of random edits (typing, deleting, unbalanced
//! braces, quotes, new items, CJK and astral characters), through the
//! checker's diagnostics and occurrences, which carry every name's span.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use augur_check::{analyze_with, MemoryLoader};
use augur_ide::incremental::reparse;
use augur_syntax::Parse;

fn fingerprint(text: &str, parse: &Parse) -> String {
    let loader = MemoryLoader::new([("p.augur", text)]);
    let parsed = parse.clone();
    let analysis = analyze_with("p.augur", &loader, &move |_, _| parsed.clone());
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

struct Rng(u64);

impl Rng {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % below.max(1)
    }
}

const INSERTS: &[&str] = &[
    "x",
    "e",
    "}",
    "{",
    "\n",
    "\"",
    "#",
    "态",
    "𠮷",
    "😀",
    " == ",
    " and ",
    "(",
    ")",
    "signal ",
    "\nsignal 新 { when stage == early weight 1 }\n",
    "\nlet y = 1\n",
    "verdict",
    "let",
    "\n\n",
    " weight 2",
    ".",
    ",",
    "[",
    "]",
];

fn run(seed: u64, start: &str, steps: usize) {
    let mut rng = Rng(seed);
    let mut text = start.to_string();
    let mut parse = augur_syntax::parse(&text);
    for step in 0..steps {
        let mut at = rng.next(text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let mut end = (at + rng.next(12)).min(text.len());
        if rng.next(3) == 0 {
            end = at;
        }
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let insert = if rng.next(4) == 0 {
            ""
        } else {
            INSERTS[rng.next(INSERTS.len())]
        };
        let mut new_text = text.clone();
        new_text.replace_range(at..end, insert);
        let incremental = reparse(&text, &parse, &new_text);
        let full = augur_syntax::parse(&new_text);
        let (a, b) = (
            fingerprint(&new_text, &incremental),
            fingerprint(&new_text, &full),
        );
        if a != b {
            let _ = std::fs::write(format!("/tmp/inc-{seed}-a.txt"), a.replace("), ", "),\n"));
            let _ = std::fs::write(format!("/tmp/inc-{seed}-b.txt"), b.replace("), ", "),\n"));
            let _ = std::fs::write(format!("/tmp/inc-{seed}-text.txt"), &text);
            let _ = std::fs::write(
                format!("/tmp/inc-{seed}-edit.txt"),
                format!("{at} {end} {insert:?}"),
            );
        }
        assert!(
            a == b,
            "seed {seed} step {step}: replacing {at}..{end} with {insert:?} in\n{text}"
        );
        text = new_text;
        parse = incremental;
        // Now and then, start again from the clean text.
        if rng.next(40) == 0 {
            text = start.to_string();
            parse = augur_syntax::parse(&text);
        }
    }
}

#[test]
fn incremental_parse_equals_full_parse_on_random_edits() {
    let fixture = include_str!("fixture.augur");
    for seed in 1..=12 {
        run(seed, fixture, 150);
    }
}

#[test]
fn incremental_parse_equals_full_parse_on_the_flagship_playbook() {
    let standing = include_str!("../../../examples/standing.augur");
    run(42, standing, 60);
}
