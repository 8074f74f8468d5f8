//! Times guidance per deal on a JSON Lines corpus, with and without the
//! why-not change search, and counts the search's evaluations:
//! `cargo run --release -p augur-guide --example guide_cost -- PLAYBOOK DEALS.jsonl`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::BufRead;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let analysis = augur_check::analyze_text(&std::fs::read_to_string(&args[1]).unwrap());
    let today = augur_syntax::Date::parse("2026-11-29").unwrap();
    let file = std::io::BufReader::new(std::fs::File::open(&args[2]).unwrap());
    let deals: Vec<augur_eval::Deal> = file
        .lines()
        .filter_map(|l| serde_json::from_str(&l.unwrap()).ok())
        .filter_map(|j| augur_eval::decode_deal(&analysis.program, &j).ok())
        .collect();
    for changes in [0u64, augur_guide::Budget::default().changes] {
        let mut guide = augur_guide::Guide::new(&analysis);
        guide.budget.changes = changes;
        let (mut time, mut evaluations, mut worst) = (Duration::ZERO, 0u64, Duration::ZERO);
        for deal in &deals {
            let started = Instant::now();
            let guidance = guide.guide(deal, today).unwrap();
            let spent = started.elapsed();
            time += spent;
            worst = worst.max(spent);
            evaluations += guidance.evaluations;
        }
        let n = deals.len().max(1) as u32;
        println!(
            "change budget {changes}: {:?} per deal (worst {worst:?}), {} search evaluations per deal",
            time / n,
            evaluations / u64::from(n)
        );
    }
}
