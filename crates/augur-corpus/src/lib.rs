//! Augur over a corpus of deals: what a playbook change does to them
//! ([`diff`]), how well a playbook matches won/lost history ([`backtest`],
//! with weights fitted to it in [`fit`]), and the reports as data, text,
//! JSON and one self-contained HTML page ([`html`]).
//!
//! Deals are read and evaluated through `augur_eval::batch` (the same
//! reader, worker threads and decoders as `augur eval`); this crate only
//! adds the per-deal comparison or scoring and the totals. Versions of a
//! playbook may come from git revisions ([`revision`]).
//!
//! It does not open deal files, print or choose exit codes: the CLI does.
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod backtest;
pub mod conditions;
pub mod diff;
pub mod fit;
pub mod html;
pub mod revision;
pub mod schema;
pub mod spill;
pub mod stats;

pub use backtest::{Backtest, Report};
pub use diff::{Diff, DiffSummary};
pub use revision::{GitCli, PlaybookRef, Revisions};
