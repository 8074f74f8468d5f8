//! Writes the synthetic won/lost history of `examples/history/` (see
//! `augur_bench::history` for the planted model):
//!
//! ```text
//! cargo run -p augur-bench --bin augur-history > examples/history/deals.jsonl
//! ```
//!
//! Arguments: `[COUNT [SEED]]` (default 3000 deals, seed 2026).

fn main() {
    let mut args = std::env::args().skip(1);
    let count = args.next().and_then(|a| a.parse().ok()).unwrap_or(3000);
    let seed = args.next().and_then(|a| a.parse().ok()).unwrap_or(2026);
    for deal in augur_bench::history::history(seed, count) {
        println!("{deal}");
    }
}
