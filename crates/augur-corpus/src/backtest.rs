//! `augur backtest`: how well a playbook's calls match won/lost history.
//!
//! Each deal carries its outcome under a key (`outcome` unless told
//! otherwise: `"won"` or `"lost"`). Workers decode and evaluate each deal as
//! of its own `as_of` ([`Backtest::observe`]); the caller's thread adds the
//! observation to [`Totals`], which hold counts only (per arm, per signal,
//! per advice, per score, and the fired-signal patterns for `--fit`), so
//! memory does not grow with the number of deals. [`Backtest::report`]
//! turns the totals into a [`Report`]: plain data that the text, JSON and
//! HTML renderings read.

use crate::fit::{self, Fit, Patterns};
use crate::stats::{rate, two_proportion_z, wilson, SMALL_SAMPLE, Z95};
use augur_check::Analysis;
use augur_eval::batch::{Batch, Options, Record};
use serde_json::{json, Map, Value as Json};
use std::collections::BTreeMap;

mod report;
use report::calibration;
pub use report::{Adoption, FitReport, Group, Report, ScoreBin, SignalReport, VerdictReport};

/// The default key of a deal's outcome.
pub const OUTCOME_KEY: &str = "outcome";

/// What one record contributed.
pub enum Observed {
    /// Evaluated, with an outcome.
    Scored(Observation),
    /// No outcome (or one that is neither won nor lost): counted, skipped.
    /// When the key is absent, another key holding `won`/`lost`, if any.
    NoOutcome(Option<String>),
    /// Could not be evaluated.
    Failed,
}

/// One evaluated deal with its outcome.
pub struct Observation {
    pub won: bool,
    pub arms: Vec<u32>,
    pub fired: Vec<bool>,
    pub advice: Vec<u32>,
    /// The groups whose condition held.
    pub groups: Vec<u32>,
    pub score: i64,
}

/// The counts of a backtest so far.
#[derive(Clone, Debug, Default)]
pub struct Totals {
    /// Deals evaluated with an outcome.
    pub deals: u64,
    pub won: u64,
    /// Deals without a (readable) outcome.
    pub skipped: u64,
    /// A key (or CSV column) other than the outcome key that held `won` or
    /// `lost` in a skipped deal: the probable `--outcome`.
    pub outcome_hint: Option<String>,
    /// Deals that could not be evaluated.
    pub failed: u64,
    /// `[won, lost]` per verdict, per arm.
    pub arms: Vec<Vec<[u64; 2]>>,
    /// `[won, lost]` among the deals where each signal fired. "Not fired"
    /// is counted within the deals the signal's group applied to.
    pub signals: Vec<[u64; 2]>,
    /// `[won, lost]` among the deals given each advice.
    pub advice: Vec<[u64; 2]>,
    /// `[won, lost]` among the deals where each group's condition held.
    pub groups: Vec<[u64; 2]>,
    /// `[won, lost]` per score.
    pub scores: BTreeMap<i64, [u64; 2]>,
    /// Deals by fired-signal pattern (for `--fit`).
    pub patterns: Patterns,
}

/// A playbook ready to be scored against history.
pub struct Backtest<'a> {
    batch: Batch<'a>,
    key: String,
}

impl<'a> Backtest<'a> {
    pub fn new(analysis: &'a Analysis, display_root: &str, options: Options, key: &str) -> Self {
        Backtest {
            batch: Batch::new(analysis, display_root, options),
            key: key.to_string(),
        }
    }

    pub fn analysis(&self) -> &'a Analysis {
        self.batch.analysis()
    }

    /// Empty totals sized for the playbook.
    pub fn totals(&self) -> Totals {
        let program = &self.analysis().program;
        Totals {
            arms: program
                .verdicts
                .iter()
                .map(|v| vec![[0, 0]; v.arms.len()])
                .collect(),
            signals: vec![[0, 0]; program.signals.len()],
            advice: vec![[0, 0]; program.advice.len()],
            groups: vec![[0, 0]; program.groups.len()],
            ..Totals::default()
        }
    }

    /// The outcome of a record: `Some(true)` won, `Some(false)` lost.
    /// `Err` carries what the record says when it is neither.
    pub fn outcome_of(&self, record: &Record<'_>) -> Result<Option<bool>, String> {
        match record.value_of(&self.key) {
            None => Ok(None),
            Some(Json::String(text)) => match text.trim().to_lowercase().as_str() {
                "won" => Ok(Some(true)),
                "lost" => Ok(Some(false)),
                "" => Ok(None),
                _ => Err(text),
            },
            Some(other) => Err(other.to_string()),
        }
    }

    /// The first key of `record` (other than the outcome key) whose value
    /// reads as an outcome: a probable `--outcome`.
    fn outcome_like_key(&self, record: &Record<'_>) -> Option<String> {
        record
            .members()
            .into_iter()
            .find(|(key, value)| {
                *key != self.key
                    && value
                        .as_str()
                        .is_some_and(|v| matches!(v.trim().to_lowercase().as_str(), "won" | "lost"))
            })
            .map(|(key, _)| key)
    }

    /// What to tell someone whose deals all lacked an outcome: the key that
    /// probably holds it, else how to name one. `None` when some deal had
    /// an outcome (or none was skipped).
    pub fn no_outcome_hint(&self, totals: &Totals) -> Option<String> {
        if totals.deals > 0 || totals.failed > 0 || totals.skipped == 0 {
            return None;
        }
        Some(match &totals.outcome_hint {
            Some(key) => format!(
                "hint: no deal had an outcome under `{}`, but `{key}` holds \"won\"/\"lost\": try --outcome {key}",
                self.key
            ),
            None => format!(
                "hint: no deal had an outcome under `{}` (\"won\" or \"lost\"); name the key or CSV column that holds it with --outcome KEY",
                self.key
            ),
        })
    }

    /// Evaluates one record (on a worker thread); messages for stderr.
    pub fn observe(&self, record: &Record<'_>) -> (Vec<String>, Observed) {
        let mut messages = Vec::new();
        let won = match self.outcome_of(record) {
            Ok(Some(won)) => won,
            Ok(None) => return (messages, Observed::NoOutcome(self.outcome_like_key(record))),
            Err(found) => {
                messages.push(format!(
                    "warning: {} $.{}: the outcome must be \"won\" or \"lost\", found {found}; the deal is skipped",
                    record.name(),
                    self.key
                ));
                return (messages, Observed::NoOutcome(None));
            }
        };
        let quiet = [self.key.as_str()];
        match self.batch.evaluate_record(record, &quiet, &mut messages) {
            Ok((_, outcome)) => {
                let observation = Observation {
                    won,
                    arms: outcome.verdicts,
                    fired: outcome.fired,
                    advice: outcome.advice.iter().map(|(id, _)| *id).collect(),
                    groups: outcome.groups.iter().map(|(id, _)| *id).collect(),
                    score: outcome.score,
                };
                (messages, Observed::Scored(observation))
            }
            Err(error) => {
                messages.push(format!(
                    "error: {} {}: {}",
                    record.name(),
                    error.path,
                    error.message
                ));
                (messages, Observed::Failed)
            }
        }
    }

    /// Adds one observation to the totals.
    pub fn count(&self, totals: &mut Totals, observed: Observed) {
        let observation = match observed {
            Observed::Scored(observation) => observation,
            Observed::NoOutcome(hint) => {
                totals.skipped += 1;
                if totals.outcome_hint.is_none() {
                    totals.outcome_hint = hint;
                }
                return;
            }
            Observed::Failed => {
                totals.failed += 1;
                return;
            }
        };
        let side = usize::from(!observation.won);
        let add = |cell: Option<&mut [u64; 2]>| {
            if let Some(n) = cell.and_then(|c| c.get_mut(side)) {
                *n += 1;
            }
        };
        totals.deals += 1;
        totals.won += u64::from(observation.won);
        for (counts, arm) in totals.arms.iter_mut().zip(&observation.arms) {
            add(counts.get_mut(*arm as usize));
        }
        for (counts, fired) in totals.signals.iter_mut().zip(&observation.fired) {
            if *fired {
                add(Some(counts));
            }
        }
        for advice in &observation.advice {
            add(totals.advice.get_mut(*advice as usize));
        }
        for group in &observation.groups {
            add(totals.groups.get_mut(*group as usize));
        }
        add(Some(
            totals.scores.entry(observation.score).or_insert([0, 0]),
        ));
        add(Some(
            totals
                .patterns
                .entry(fit::pattern(&observation.fired))
                .or_insert([0, 0]),
        ));
    }

    /// The report of the totals.
    pub fn report(&self, totals: &Totals) -> Report {
        let program = &self.analysis().program;
        let overall = rate(totals.won, totals.deals);
        let verdicts = program
            .verdicts
            .iter()
            .zip(&totals.arms)
            .map(|(verdict, counts)| VerdictReport {
                name: verdict.name.clone(),
                label: verdict.label.clone(),
                arms: verdict
                    .arms
                    .iter()
                    .zip(counts)
                    .map(|(arm, [won, lost])| Group::new(&arm.name, &arm.label, *won, *lost))
                    .collect(),
            })
            .collect();
        let signals: Vec<SignalReport> = program
            .signals
            .iter()
            .zip(&totals.signals)
            .map(|(signal, [won, lost])| {
                // A signal in a group is compared with the deals its group
                // applied to (a late-stage signal with other late deals),
                // not with deals it could never have fired on.
                let [base_won, base_lost] = signal
                    .group
                    .and_then(|g| totals.groups.get(g as usize))
                    .copied()
                    .unwrap_or([totals.won, totals.deals - totals.won]);
                let fired = won + lost;
                let not_fired = (base_won + base_lost).saturating_sub(fired);
                let won_not_fired = base_won.saturating_sub(*won);
                let win_rate_fired = rate(*won, fired);
                let win_rate_not_fired = rate(won_not_fired, not_fired);
                let lift = match (win_rate_fired, rate(base_won, base_won + base_lost)) {
                    (Some(f), Some(o)) if o > 0.0 => Some(f / o),
                    _ => None,
                };
                let z = two_proportion_z(*won, fired, won_not_fired, not_fired);
                let significant = z.filter(|z| z.abs() > Z95);
                let wrong_sign = match significant {
                    Some(z) => (signal.weight > 0 && z < 0.0) || (signal.weight < 0 && z > 0.0),
                    None => false,
                };
                SignalReport {
                    name: signal.name.clone(),
                    label: signal.label.clone(),
                    weight: signal.weight,
                    fired,
                    won: *won,
                    win_rate_fired,
                    interval_fired: wilson(*won, fired),
                    win_rate_not_fired,
                    lift,
                    z,
                    wrong_sign,
                    small: fired < SMALL_SAMPLE || not_fired < SMALL_SAMPLE,
                }
            })
            .collect();
        let advice = program
            .advice
            .iter()
            .zip(&totals.advice)
            .map(|(advice, [won, lost])| {
                let label = advice.label.clone().unwrap_or_else(|| advice.name.clone());
                Group::new(&advice.name, &label, *won, *lost)
            })
            .collect();
        let never_fired = signals
            .iter()
            .filter(|s| s.fired == 0 && totals.deals > 0)
            .map(|s| s.name.clone())
            .collect();
        let always_fired = signals
            .iter()
            .filter(|s| s.fired == totals.deals && totals.deals > 0)
            .map(|s| s.name.clone())
            .collect();
        Report {
            deals: totals.deals,
            won: totals.won,
            skipped: totals.skipped,
            failed: totals.failed,
            win_rate: overall,
            interval: wilson(totals.won, totals.deals),
            verdicts,
            signals,
            advice,
            never_fired,
            always_fired,
            calibration: calibration(&totals.scores, totals.deals),
            fit: None,
        }
    }

    /// Fits weights to the totals' patterns (`--fit`).
    pub fn fit(&self, totals: &Totals) -> Result<Fit, String> {
        let program = &self.analysis().program;
        let names: Vec<String> = program.signals.iter().map(|s| s.name.clone()).collect();
        let weights: Vec<i64> = program.signals.iter().map(|s| s.weight).collect();
        fit::fit(&names, &weights, &totals.patterns)
    }
}

/// Evaluates deals with the current and the fitted weights, to count what
/// adopting the fit would change.
pub struct AdoptionCheck<'a> {
    current: Backtest<'a>,
    fitted: Backtest<'a>,
}

/// One deal evaluated both ways: `(won, arms now, arms fitted)`.
pub type Compared = Option<(bool, Vec<u32>, Vec<u32>)>;

impl<'a> AdoptionCheck<'a> {
    /// `fitted` is the same analysis with the fitted weights
    /// ([`with_weights`]).
    pub fn new(current: Backtest<'a>, fitted: Backtest<'a>) -> Self {
        AdoptionCheck { current, fitted }
    }

    pub fn compare(&self, record: &Record<'_>) -> Compared {
        let (_, Observed::Scored(now)) = self.current.observe(record) else {
            return None;
        };
        let (_, Observed::Scored(then)) = self.fitted.observe(record) else {
            return None;
        };
        Some((now.won, now.arms, then.arms))
    }

    pub fn count(&self, adoption: &mut Adoption, compared: Compared) {
        let Some((won, now, then)) = compared else {
            return;
        };
        if adoption.hits.is_empty() {
            adoption.hits = self
                .current
                .analysis()
                .program
                .verdicts
                .iter()
                .map(|v| (v.name.clone(), 0, 0))
                .collect();
        }
        adoption.deals += 1;
        adoption.verdicts_changed += u64::from(now != then);
        for ((_, before, after), (a, b)) in adoption.hits.iter_mut().zip(now.iter().zip(&then)) {
            *before += u64::from((*a == 0) == won);
            *after += u64::from((*b == 0) == won);
        }
    }
}

/// A copy of `analysis` whose signals have `weights`.
pub fn with_weights(analysis: &Analysis, weights: &[i64]) -> Analysis {
    let mut copy = analysis.clone();
    for (signal, weight) in copy.program.signals.iter_mut().zip(weights) {
        signal.weight = *weight;
    }
    copy
}
