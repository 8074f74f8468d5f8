//! Augur's evaluator: decodes a deal against a checked playbook, evaluates
//! every rule, and reports the result as the result JSON (docs/language.md) or as text.
//!
//! Batches (`batch`) stream deals from any reader through a pool of worker
//! threads, in input order.
//!
//! It does not parse or check playbooks (`augur-check` does, and a program
//! with errors must not be evaluated), open files or talk to terminals: the
//! CLI opens the inputs and draws the progress bar.
//!
//! ```
//! let analysis = augur_check::analyze_text(
//!     "enum Stage { early, late }\nfacts { stage: Stage }\nsignal late_stage { when stage == late weight 2 }\n",
//! );
//! let deal = augur_eval::decode_deal(&analysis.program, &serde_json::json!({"stage": "late"})).unwrap();
//! let today = augur_syntax::Date::parse("2026-11-20").unwrap();
//! let outcome = augur_eval::evaluate(&analysis.program, &deal, today).unwrap();
//! assert_eq!(outcome.score, 2);
//! ```
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod batch;
pub mod csv_deals;
pub mod deal;
pub mod decode;
pub mod eval;
pub mod fast;
pub mod inputs;
pub mod number;
pub mod report;
pub mod testing;
pub mod value;

pub use deal::{deal_entries, decode_deal, decode_deal_text, Deal, DealError, MAX_VALUE_DEPTH};
pub use decode::DealDecoder;
pub use eval::{
    compare_interval, evaluate, evaluate_fired, evaluate_kept, evaluate_kept_again,
    evaluate_three_valued, evaluate_three_valued_open, evaluate_verdicts, evaluate_with_probes,
    EvalError, Fired, Kept, Outcome, Partial,
};
pub use report::Reporter;
pub use value::Value;
