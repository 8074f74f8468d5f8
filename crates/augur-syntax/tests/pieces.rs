//! A file parsed in pieces on several threads must give exactly the whole
//! file's parse: the same items, comments and diagnostics, span for span
//! (the AST's equality ignores spans, so they are compared apart). Checked
//! on every playbook under `examples/` and `tests/`, on a generated big
//! playbook, and on that playbook broken in many places (where `parse`
//! must fall back to the whole-file parse and say exactly what it says).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use augur_syntax::parser::{parse_in_pieces, parse_whole};
use augur_syntax::shift::spans_of;
use augur_syntax::Parse;
use std::fmt::Write;
use std::path::{Path, PathBuf};

fn assert_same(what: &str, whole: &Parse, pieces: &Parse) {
    assert_eq!(whole.file, pieces.file, "{what}: trees differ");
    assert_eq!(
        spans_of(&whole.file),
        spans_of(&pieces.file),
        "{what}: spans differ"
    );
    assert_eq!(
        format!("{:?}", whole.file.comments),
        format!("{:?}", pieces.file.comments),
        "{what}: comments differ"
    );
    assert_eq!(
        format!("{:?}", whole.diagnostics),
        format!("{:?}", pieces.diagnostics),
        "{what}: diagnostics differ"
    );
}

fn augur_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            augur_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "augur") {
            out.push(path);
        }
    }
}

/// A playbook of about `lines` lines shaped like the language server's
/// benchmark: groups of signals, a comment above each, Chinese names.
fn generate(lines: usize) -> String {
    let mut out = String::from("playbook \"基准\" version \"1.0.0\"\n\n");
    out.push_str("enum Stage \"买方阶段\" { early \"刚开始\", mid, late }\n");
    out.push_str("enum Amount { many, some, few }\n");
    out.push_str("record Event { kind: Amount, on: date \"哪天\" }\n\nfacts {\n");
    out.push_str("  stage: Stage \"Phase\"\n  events: list<Event>\n");
    for i in 0..40 {
        let _ = writeln!(out, "  事实_{i}: Amount? \"fact {i} 𠮷\"");
    }
    out.push_str("}\n\nlet last_event = last(events)\n");
    let mut signal = 0;
    let mut group = 0;
    while out.lines().count() + 20 < lines {
        let _ = writeln!(
            out,
            "# group {group}\ngroup g{group} \"组 {group}\" when stage == mid or days_since(last_event.on) > {group} {{"
        );
        for _ in 0..6 {
            let fact = signal % 40;
            let _ = writeln!(out, "  # signal {signal}: 注释 {{ 😀");
            let _ = writeln!(out, "  signal s{signal} \"信号 {signal} (}}x{{)\" {{");
            let _ = writeln!(out, "    when 事实_{fact} == few and stage in [early, mid]");
            let _ = writeln!(out, "    weight {}", signal % 5);
            let _ = writeln!(out, "    message \"Because {{事实_{fact}}} was seen\"");
            let _ = writeln!(out, "  }}");
            signal += 1;
        }
        let _ = writeln!(
            out,
            "}}\n\nlet l{group} = s{} or not s{}\n",
            signal - 1,
            signal - 2
        );
        group += 1;
    }
    out.push_str("verdict standing {\n  first when score >= 5 and s0\n  rest otherwise\n}\n");
    out.push_str("advice leave when standing == rest { \"Leave {score}.\" }\n");
    out.push_str("test \"t\" {\n  given { stage = early, events = [] }\n  today 2026-01-31\n  expect standing == rest\n}\n");
    out
}

#[test]
fn every_playbook_parses_the_same_in_pieces() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    augur_files(&root.join("examples"), &mut files);
    augur_files(&root.join("tests"), &mut files);
    assert!(files.len() > 40, "{}", files.len());
    let mut cut = 0;
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let whole = parse_whole(&text);
        for pieces in 2..=4 {
            if let Some(parsed) = parse_in_pieces(&text, pieces) {
                cut += 1;
                assert!(!whole.has_errors(), "{}: errors, yet cut", path.display());
                assert_same(&format!("{} in {pieces}", path.display()), &whole, &parsed);
            }
        }
        // Whatever `parse` chooses, it says what the whole parse says.
        assert_same(
            &path.display().to_string(),
            &whole,
            &augur_syntax::parse(&text),
        );
    }
    // Not vacuous: most playbooks without errors can be cut.
    assert!(cut > 30, "only {cut} cuts");
}

#[test]
fn a_big_playbook_parses_the_same_in_pieces() {
    let text = generate(3_000);
    assert!(text.len() > 64 * 1024, "{}", text.len());
    let whole = parse_whole(&text);
    assert!(whole.diagnostics.is_empty(), "{:?}", whole.diagnostics);
    for pieces in 2..=8 {
        let parsed = parse_in_pieces(&text, pieces).expect("cuts");
        assert_same(&format!("in {pieces}"), &whole, &parsed);
    }
    assert_same("parse", &whole, &augur_syntax::parse(&text));
}

/// Broken anywhere (an unclosed brace, quote or bracket, a stray keyword,
/// a comment swallowing a line), the big playbook is parsed whole, with
/// exactly the whole parse's diagnostics and recovered tree.
#[test]
fn a_broken_big_playbook_falls_back_to_the_whole_parse() {
    let text = generate(1_500);
    let breaks = [
        "{",
        "}",
        "\"",
        "(",
        "]",
        "\nsignal ",
        "\nlet ",
        "#",
        " ==",
        "let",
    ];
    let mut seed = 7u64;
    for round in 0..12 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut at = (seed >> 33) as usize % text.len();
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let mut broken = text.clone();
        broken.insert_str(at, breaks[round % breaks.len()]);
        let whole = parse_whole(&broken);
        for pieces in [2, 3] {
            if let Some(parsed) = parse_in_pieces(&broken, pieces) {
                assert_same(&format!("round {round} in {pieces}"), &whole, &parsed);
            }
        }
        assert_same(
            &format!("round {round}"),
            &whole,
            &augur_syntax::parse(&broken),
        );
    }
}
