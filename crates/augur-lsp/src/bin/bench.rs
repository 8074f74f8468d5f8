//! Benchmark of the language server's hot paths on a generated 5,000-line
//! playbook (not a test; figures go to docs/lsp.md):
//!
//! ```text
//! cargo run --release -p augur-lsp --bin augur-lsp-bench [-- ROUNDS]
//! cargo run --release -p augur-lsp --bin augur-lsp-bench -- --dump FILE   # write the playbook
//! ```
//!
//! - **diagnostics**: a one-character edit applied to the text, the whole
//!   re-analysis of the snapshot, and conversion to LSP diagnostics (what a
//!   `didChange` costs once the debounce delay has passed);
//! - **completion**: completion after `stage == ` in the last signal,
//!   converted to LSP items;
//! - **hover**: hover on a fact in the last signal, converted to LSP;
//! - **tokens 10k**: `semanticTokens/full` of a generated 10,000-line
//!   playbook (must stay under 50 ms: it is linear in the document);
//! - **parse 10k / check 10k**: parsing, and parsing plus checking, of the
//!   10,000-line playbook (what `augur check` does for one file); the `1t`
//!   rows parse it whole on one thread instead of in pieces;
//! - **inlay hints**: a one-character edit, the re-analysis, the pinned
//!   deal evaluated again and every hint of the file converted to LSP
//!   positions (what an editor's hint request costs after an edit).
//!
//! Prints the median and 95th percentile of each.
#![deny(clippy::indexing_slicing)]

use augur_ide::edit::{apply_change, ContentChange};
use augur_lsp::analyze_snapshot;
use augur_syntax::{ColumnUnit, FileId, LineCol};
use std::fmt::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower_lsp::lsp_types::Url;

/// A playbook of about `lines` lines, with Chinese names and text mixed in.
pub fn generate(lines: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "playbook \"Benchmark 基准\" version \"1.0.0\"\n");
    let _ = writeln!(
        out,
        "enum Stage \"买方阶段\" {{ early \"刚开始\", mid, late }}"
    );
    let _ = writeln!(out, "enum Amount {{ many, some, few }}");
    let _ = writeln!(out, "record Event {{ kind: Amount, on: date \"哪天\" }}\n");
    let facts = 100;
    let _ = writeln!(out, "facts {{");
    let _ = writeln!(out, "  stage: Stage \"Phase\"");
    let _ = writeln!(out, "  events: list<Event>");
    for i in 0..facts {
        let _ = writeln!(out, "  事实_{i}: Amount? \"fact number {i} 𠮷\"");
    }
    let _ = writeln!(out, "}}\n");
    let _ = writeln!(out, "let last_event = last(events)");
    let _ = writeln!(out, "let days = days_since(last_event.on)\n");
    let mut signal = 0;
    let mut group = 0;
    while out.lines().count() + 40 < lines {
        let _ = writeln!(
            out,
            "group g{group} \"Group {group} 组\" when stage == mid or days > {group} {{"
        );
        for _ in 0..8 {
            let fact = signal % facts;
            let _ = writeln!(out, "  # signal {signal}: 注释 😀");
            let _ = writeln!(out, "  signal s{signal} \"Signal {signal} 信号\" {{");
            let _ = writeln!(out, "    when 事实_{fact} == few and stage == early");
            let _ = writeln!(
                out,
                "    weight {}",
                [-2, -1, 1, 2, 3].get(signal % 5).copied().unwrap_or(1)
            );
            let _ = writeln!(out, "    message \"Because {{事实_{fact}}} was seen\"");
            let _ = writeln!(out, "  }}");
            signal += 1;
        }
        let _ = writeln!(out, "}}\n");
        group += 1;
    }
    let _ = writeln!(out, "verdict standing \"Where we stand\" {{");
    let _ = writeln!(out, "  first \"First\" when score >= 5 and s0");
    let _ = writeln!(out, "  backup \"Backup\" when score >= 0");
    let _ = writeln!(out, "  reference \"Reference\" otherwise");
    let _ = writeln!(out, "}}\n");
    let _ = writeln!(
        out,
        "advice leave when standing == reference {{ \"Leave early.\" }}\n"
    );
    let _ = writeln!(out, "signal last_one {{");
    let _ = writeln!(out, "  when stage == late and 事实_1 == many");
    let _ = writeln!(out, "  weight 1");
    let _ = writeln!(out, "}}");
    out
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(index).copied().unwrap_or_default()
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "{name:<12} median {:>8.3} ms   p95 {:>8.3} ms   ({} runs)",
        percentile(&samples, 0.5).as_secs_f64() * 1e3,
        percentile(&samples, 0.95).as_secs_f64() * 1e3,
        samples.len()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let (Some("--dump"), Some(path)) = (args.get(1).map(String::as_str), args.get(2)) {
        // `--dump PATH [LINES]`: the generated playbook, for profiling
        // `augur check` on it (10,000 lines by default, as `check 10k`).
        let lines = args.get(3).and_then(|n| n.parse().ok()).unwrap_or(10_000);
        if let Err(error) = std::fs::write(path, generate(lines)) {
            eprintln!("cannot write {path}: {error}");
        }
        return;
    }
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100);
    let text = generate(5000);
    let line_count = text.lines().count();
    let Ok(uri) = Url::parse("untitled:bench.augur") else {
        return;
    };
    let unit = ColumnUnit::Utf16;
    let first = analyze_snapshot(&uri, Arc::from(text.as_str()), 1, 1, unit, &[], None);
    println!(
        "playbook: {line_count} lines, {} bytes, {} signals, {} diagnostics",
        text.len(),
        first.analysis.program.signals.len(),
        first.analysis.diagnostics.len()
    );

    // Where the time goes: parsing alone, and the whole check.
    let mut parse = Vec::new();
    let mut check = Vec::new();
    for _ in 0..rounds.min(20) {
        let start = Instant::now();
        std::hint::black_box(augur_syntax::parse(&text));
        parse.push(start.elapsed());
        let start = Instant::now();
        std::hint::black_box(augur_check::analyze_text(&text));
        check.push(start.elapsed());
    }
    report("(parse)", parse);
    report("(analyze)", check);

    // One-character edits: type `x` and delete it again in a message, so
    // every other run has one more diagnostic-free change.
    let target_line = text
        .lines()
        .position(|l| l.contains("message"))
        .unwrap_or(0) as u32;
    let mut previous = analyze_snapshot(&uri, Arc::from(text.as_str()), 1, 1, unit, &[], None);
    let mut current = text.clone();
    let mut samples = Vec::new();
    for round in 0..rounds {
        let start = Instant::now();
        let change = if round % 2 == 0 {
            ContentChange {
                range: Some((
                    LineCol {
                        line: target_line,
                        column: 14,
                    },
                    LineCol {
                        line: target_line,
                        column: 14,
                    },
                )),
                text: "x",
            }
        } else {
            ContentChange {
                range: Some((
                    LineCol {
                        line: target_line,
                        column: 14,
                    },
                    LineCol {
                        line: target_line,
                        column: 15,
                    },
                )),
                text: "",
            }
        };
        apply_change(&mut current, change, unit);
        let snap = analyze_snapshot(
            &uri,
            Arc::from(current.as_str()),
            round as i32 + 2,
            round as u64 + 2,
            unit,
            &[],
            Some(&previous),
        );
        let diagnostics = snap.lsp_diagnostics();
        samples.push(start.elapsed());
        std::hint::black_box(diagnostics);
        previous = snap;
    }
    report("diagnostics", samples);

    // Completion after `stage == ` on the last signal's `when` line.
    let completion_text = text.replace("when stage == late and 事实_1 == many", "when stage == ");
    let snap = analyze_snapshot(
        &uri,
        Arc::from(completion_text.as_str()),
        1,
        1,
        unit,
        &[],
        None,
    );
    let line = completion_text
        .lines()
        .position(|l| l.ends_with("when stage == "))
        .unwrap_or(0);
    let column = completion_text
        .lines()
        .nth(line)
        .map_or(0, |l| l.encode_utf16().count());
    let position = tower_lsp::lsp_types::Position::new(line as u32, column as u32);
    let mut samples = Vec::new();
    let mut count = 0;
    for _ in 0..rounds {
        let start = Instant::now();
        let offset = snap.offset(FileId::ROOT, position);
        let items: Vec<_> = augur_ide::completions(&snap.analysis, FileId::ROOT, offset)
            .into_iter()
            .map(|i| snap.completion_item(i))
            .collect();
        samples.push(start.elapsed());
        count = items.len();
        std::hint::black_box(items);
    }
    report("completion", samples);
    println!("             ({count} items)");

    // Hover on `事实_1` in the last signal.
    let line = text
        .lines()
        .position(|l| l.contains("事实_1 == many"))
        .unwrap_or(0);
    let column = text
        .lines()
        .nth(line)
        .and_then(|l| {
            l.find("事实_1")
                .map(|at| l.get(..at).map_or(0, |b| b.encode_utf16().count()))
        })
        .unwrap_or(0);
    let position = tower_lsp::lsp_types::Position::new(line as u32, column as u32 + 1);
    let mut samples = Vec::new();
    let mut found = false;
    for _ in 0..rounds {
        let start = Instant::now();
        let offset = first.offset(FileId::ROOT, position);
        let hover = augur_ide::hover(&first.analysis, FileId::ROOT, offset)
            .map(|h| (first.range(FileId::ROOT, h.span), h.markdown));
        samples.push(start.elapsed());
        found = hover.is_some();
        std::hint::black_box(hover);
    }
    report("hover", samples);

    // Semantic tokens of a 10,000-line playbook (the whole request once the
    // snapshot is analysed: tokens, positions, LSP encoding).
    let big = generate(10_000);
    let big_snap = analyze_snapshot(&uri, Arc::from(big.as_str()), 1, 1, unit, &[], None);
    let mut samples = Vec::new();
    let mut tokens = 0;
    for _ in 0..rounds.min(50) {
        let start = Instant::now();
        let result = big_snap.semantic_tokens();
        samples.push(start.elapsed());
        tokens = result.data.len();
        std::hint::black_box(result);
    }
    report("tokens 10k", samples);
    println!(
        "             ({} lines, {tokens} tokens)",
        big.lines().count()
    );
    println!("             (hover found: {found})");

    // `augur check` of the same 10,000-line playbook without the process:
    // parsing alone, then parsing and checking (what the CLI does per file).
    // The `1t` rows parse the file whole on one thread (what a file under
    // 32 KB, or a machine with one core, gets), alternated with the others
    // so a busy machine slows both alike.
    let loader = augur_check::MemoryLoader::new([("playbook.augur", big.as_str())]);
    let (mut parse, mut parse_1t, mut check, mut check_1t) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds.min(30) {
        let start = Instant::now();
        std::hint::black_box(augur_syntax::parse(&big));
        parse.push(start.elapsed());
        let start = Instant::now();
        std::hint::black_box(augur_syntax::parser::parse_whole(&big));
        parse_1t.push(start.elapsed());
        let start = Instant::now();
        std::hint::black_box(augur_check::analyze_text(&big));
        check.push(start.elapsed());
        let start = Instant::now();
        std::hint::black_box(augur_check::analyze_with(
            "playbook.augur",
            &loader,
            &|_, text| augur_syntax::parser::parse_whole(text),
        ));
        check_1t.push(start.elapsed());
    }
    report("parse 10k", parse);
    report("parse 10k 1t", parse_1t);
    report("check 10k", check);
    report("check 10k 1t", check_1t);

    inlay_hints_after_edits(&uri, &text, target_line, rounds);
}

/// A deal for the generated playbook: the stage and a third of the facts.
fn bench_deal() -> String {
    let mut deal = String::from("{\"stage\": \"early\", \"events\": []");
    for i in (0..100).step_by(3) {
        let value = ["few", "some", "many"].get(i % 3).copied().unwrap_or("few");
        let _ = write!(deal, ", \"事实_{i}\": \"{value}\"");
    }
    deal.push('}');
    deal
}

fn inlay_hints_after_edits(uri: &Url, text: &str, target_line: u32, rounds: usize) {
    use augur_ide::live::{evaluate_pin, inlay_hints, Pin};
    let unit = ColumnUnit::Utf16;
    let files = augur_check::MemoryLoader::new([("deal.json", bench_deal())]);
    let pin = Pin::Deal("deal.json".into());
    let Some(today) = augur_syntax::Date::parse("2026-11-20") else {
        return;
    };
    let mut previous = analyze_snapshot(uri, Arc::from(text), 1, 1, unit, &[], None);
    let mut current = text.to_string();
    let (mut whole, mut hints_only) = (Vec::new(), Vec::new());
    let mut count = 0;
    for round in 0..rounds {
        let start = Instant::now();
        let (from, to, insert) = if round % 2 == 0 {
            (14, 14, "x")
        } else {
            (14, 15, "")
        };
        apply_change(
            &mut current,
            ContentChange {
                range: Some((
                    LineCol {
                        line: target_line,
                        column: from,
                    },
                    LineCol {
                        line: target_line,
                        column: to,
                    },
                )),
                text: insert,
            },
            unit,
        );
        let snap = analyze_snapshot(
            uri,
            Arc::from(current.as_str()),
            round as i32 + 2,
            round as u64 + 2,
            unit,
            &[],
            Some(&previous),
        );
        let analysed = Instant::now();
        let live = evaluate_pin(&snap.analysis, &files, &pin, today);
        let hints: Vec<_> = match &live.result {
            Ok(evaluated) => inlay_hints(&snap.analysis, FileId::ROOT, evaluated)
                .into_iter()
                .map(|h| (snap.position(FileId::ROOT, h.offset), h.label))
                .collect(),
            Err(error) => {
                eprintln!("the pinned deal does not evaluate: {}", error.message);
                return;
            }
        };
        hints_only.push(analysed.elapsed());
        whole.push(start.elapsed());
        count = hints.len();
        std::hint::black_box(hints);
        previous = snap;
    }
    report("inlay hints", whole);
    report("(pin+hints)", hints_only);
    println!("             ({count} hints; edit + re-analysis + evaluation + hints)");
}
