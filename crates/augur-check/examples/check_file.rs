//! A small driver for profiling `augur check`'s work on one file without
//! the CLI around it (not a test; see docs/performance.md):
//!
//! ```text
//! cargo build --release -p augur-check --example check_file
//! valgrind --tool=callgrind target/release/examples/check_file FILE [--whole] [--parse-only] [--digest] [--repeat N]
//! ```
//!
//! Prints the number of diagnostics and, with `--digest`, a digest of the
//! whole analysis (`Debug` of the trees, diagnostics, program and
//! occurrences), so two builds can be compared for identical results.
//! `--whole` parses on one thread. `--repeat N` does the work N times more
//! and prints the median and best wall time of those runs.
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.iter().find(|a| !a.starts_with("--")) else {
        eprintln!("usage: check_file FILE [--whole] [--parse-only] [--digest] [--repeat N]");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2)
    });
    let whole = args.iter().any(|a| a == "--whole");
    let digest = args.iter().any(|a| a == "--digest");
    let repeat: usize = args
        .iter()
        .position(|a| a == "--repeat")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    if repeat > 0 {
        let parse_only = args.iter().any(|a| a == "--parse-only");
        let mut times: Vec<f64> = (0..repeat)
            .map(|_| {
                let start = std::time::Instant::now();
                if parse_only {
                    let parse = if whole {
                        augur_syntax::parser::parse_whole(&text)
                    } else {
                        augur_syntax::parse(&text)
                    };
                    std::hint::black_box(&parse);
                } else {
                    let analysis = augur_check::analyze_text(&text);
                    std::hint::black_box(&analysis);
                }
                start.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        times.sort_by(f64::total_cmp);
        let median = times.get(times.len() / 2).copied().unwrap_or(0.0);
        let best = times.first().copied().unwrap_or(0.0);
        println!("median {median:.3} ms, best {best:.3} ms ({repeat} runs)");
        return;
    }
    let mut hasher = DefaultHasher::new();
    if args.iter().any(|a| a == "--parse-only") {
        let parse = if whole {
            augur_syntax::parser::parse_whole(&text)
        } else {
            augur_syntax::parse(&text)
        };
        if digest {
            format!("{parse:?}").hash(&mut hasher);
        }
        println!(
            "{} diagnostics, digest {:016x}",
            parse.diagnostics.len(),
            hasher.finish()
        );
        std::mem::forget(parse);
        return;
    }
    let analysis = if whole {
        let loader = augur_check::MemoryLoader::new([("playbook.augur", text.as_str())]);
        augur_check::analyze_with("playbook.augur", &loader, &|_, t| {
            augur_syntax::parser::parse_whole(t)
        })
    } else {
        augur_check::analyze_text(&text)
    };
    if digest {
        format!("{analysis:?}").hash(&mut hasher);
    }
    println!(
        "{} diagnostics, digest {:016x}",
        analysis.diagnostics.len(),
        hasher.finish()
    );
    std::mem::forget(analysis);
}
