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

/// Deals, won and lost of one group (an arm, an advice, a score bin).
#[derive(Clone, Debug)]
pub struct Group {
    pub name: String,
    pub label: String,
    pub deals: u64,
    pub won: u64,
    pub lost: u64,
    pub win_rate: Option<f64>,
    pub interval: Option<(f64, f64)>,
    pub small: bool,
}

impl Group {
    fn new(name: &str, label: &str, won: u64, lost: u64) -> Self {
        let deals = won + lost;
        Group {
            name: name.to_string(),
            label: label.to_string(),
            deals,
            won,
            lost,
            win_rate: rate(won, deals),
            interval: wilson(won, deals),
            small: deals < SMALL_SAMPLE,
        }
    }

    fn to_json(&self) -> Json {
        json!({
            "label": self.label,
            "deals": self.deals,
            "won": self.won,
            "lost": self.lost,
            "win_rate": self.win_rate,
            "interval": self.interval.map(|(l, h)| vec![l, h]),
            "small_sample": self.small,
        })
    }
}

#[derive(Clone, Debug)]
pub struct VerdictReport {
    pub name: String,
    pub label: String,
    pub arms: Vec<Group>,
}

#[derive(Clone, Debug)]
pub struct SignalReport {
    pub name: String,
    pub label: String,
    pub weight: i64,
    pub fired: u64,
    /// Won among the deals where it fired.
    pub won: u64,
    pub win_rate_fired: Option<f64>,
    pub interval_fired: Option<(f64, f64)>,
    pub win_rate_not_fired: Option<f64>,
    /// Win rate when fired ÷ win rate of the deals it applied to (its
    /// group's deals, or all deals): above 1 it goes with wins.
    pub lift: Option<f64>,
    /// Fired vs not fired, two-proportion z.
    pub z: Option<f64>,
    /// The weight's sign disagrees with a significant (95%) difference.
    pub wrong_sign: bool,
    pub small: bool,
}

/// A range of scores with its deals and win rate.
#[derive(Clone, Debug)]
pub struct ScoreBin {
    pub from: i64,
    pub to: i64,
    pub group: Group,
}

/// A backtest's figures, as data.
#[derive(Clone, Debug)]
pub struct Report {
    pub deals: u64,
    pub won: u64,
    pub skipped: u64,
    pub failed: u64,
    pub win_rate: Option<f64>,
    pub interval: Option<(f64, f64)>,
    pub verdicts: Vec<VerdictReport>,
    pub signals: Vec<SignalReport>,
    pub advice: Vec<Group>,
    pub never_fired: Vec<String>,
    pub always_fired: Vec<String>,
    pub calibration: Vec<ScoreBin>,
    pub fit: Option<FitReport>,
}

/// `--fit`: the fitted weights and what adopting them would change.
#[derive(Clone, Debug)]
pub struct FitReport {
    pub fit: Fit,
    pub adoption: Option<Adoption>,
}

/// What adopting fitted weights changes, over the same deals.
#[derive(Clone, Debug, Default)]
pub struct Adoption {
    /// Deals evaluated both ways (with an outcome).
    pub deals: u64,
    /// Deals where any verdict changed.
    pub verdicts_changed: u64,
    /// Per verdict: `(name, hits before, hits after)`; a hit is a deal
    /// whose first arm was chosen and was won, or another arm and was lost.
    pub hits: Vec<(String, u64, u64)>,
}

/// Score bins of at least [`SMALL_SAMPLE`] deals (or a twelfth of them, if
/// more), adjacent scores merged, for the calibration plot.
fn calibration(scores: &BTreeMap<i64, [u64; 2]>, deals: u64) -> Vec<ScoreBin> {
    let least = SMALL_SAMPLE.max(deals / 12);
    let mut bins: Vec<ScoreBin> = Vec::new();
    let mut open: Option<(i64, i64, u64, u64)> = None;
    for (score, [won, lost]) in scores {
        let (from, _, w, l) = open.unwrap_or((*score, *score, 0, 0));
        let bin = (from, *score, w + won, l + lost);
        if bin.2 + bin.3 >= least {
            bins.push(score_bin(bin));
            open = None;
        } else {
            open = Some(bin);
        }
    }
    if let Some(rest) = open {
        match bins.last_mut() {
            Some(last) => {
                let merged = (
                    last.from,
                    rest.1,
                    last.group.won + rest.2,
                    last.group.lost + rest.3,
                );
                *last = score_bin(merged);
            }
            None => bins.push(score_bin(rest)),
        }
    }
    bins
}

fn score_bin((from, to, won, lost): (i64, i64, u64, u64)) -> ScoreBin {
    let name = if from == to {
        from.to_string()
    } else {
        format!("{from}..{to}")
    };
    ScoreBin {
        from,
        to,
        group: Group::new(&name, &name, won, lost),
    }
}

fn fixed(value: Option<f64>) -> Json {
    value.map_or(Json::Null, |v| json!((v * 10_000.0).round() / 10_000.0))
}

impl Report {
    /// The JSON of `--format json` (keys of the contract, plus
    /// intervals and flags).
    pub fn to_json(&self) -> Json {
        let mut arms = Map::new();
        for verdict in &self.verdicts {
            let mut each = Map::new();
            for arm in &verdict.arms {
                let mut value = arm.to_json();
                if let Some(object) = value.as_object_mut() {
                    object.insert("win_rate".into(), fixed(arm.win_rate));
                }
                each.insert(arm.name.clone(), value);
            }
            arms.insert(verdict.name.clone(), Json::Object(each));
        }
        let mut signals = Map::new();
        for signal in &self.signals {
            signals.insert(
                signal.name.clone(),
                json!({
                    "label": signal.label,
                    "weight": signal.weight,
                    "fired": signal.fired,
                    "won_fired": signal.won,
                    "win_rate_fired": fixed(signal.win_rate_fired),
                    "interval_fired": signal.interval_fired.map(|(l, h)| vec![l, h]),
                    "win_rate_not_fired": fixed(signal.win_rate_not_fired),
                    "lift": fixed(signal.lift),
                    "wrong_sign": signal.wrong_sign,
                    "small_sample": signal.small,
                }),
            );
        }
        let mut advice = Map::new();
        for group in &self.advice {
            advice.insert(
                group.name.clone(),
                json!({ "label": group.label, "given": group.deals, "won": group.won, "win_rate": fixed(group.win_rate), "small_sample": group.small }),
            );
        }
        let calibration: Vec<Json> = self
            .calibration
            .iter()
            .map(|bin| {
                json!({
                    "score_from": bin.from,
                    "score_to": bin.to,
                    "deals": bin.group.deals,
                    "won": bin.group.won,
                    "win_rate": fixed(bin.group.win_rate),
                    "interval": bin.group.interval.map(|(l, h)| vec![l, h]),
                })
            })
            .collect();
        let mut out = json!({
            "deals": self.deals,
            "won": self.won,
            "lost": self.deals - self.won,
            "skipped": self.skipped,
            "failed": self.failed,
            "win_rate": fixed(self.win_rate),
            "interval": self.interval.map(|(l, h)| vec![l, h]),
            "arms": arms,
            "signals": signals,
            "advice": advice,
            "never_fired": self.never_fired,
            "always_fired": self.always_fired,
            "calibration": calibration,
        });
        if let (Some(fit), Some(object)) = (&self.fit, out.as_object_mut()) {
            object.insert("fit".into(), fit.to_json());
        }
        out
    }

    /// The report for people.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "{} deal(s) with an outcome: {} won, {} lost, win rate {}",
            self.deals,
            self.won,
            self.deals - self.won,
            percent_with_interval(self.win_rate, self.interval)
        );
        if self.skipped > 0 {
            out.push_str(&format!("; {} skipped (no outcome)", self.skipped));
        }
        if self.failed > 0 {
            out.push_str(&format!("; {} could not be evaluated", self.failed));
        }
        out.push_str(".\n");
        for verdict in &self.verdicts {
            out.push_str(&format!(
                "\n{} ({}): win rate per arm, 95% interval\n",
                verdict.label, verdict.name
            ));
            for arm in &verdict.arms {
                out.push_str(&format!(
                    "  {} {:>6} deals  {:>6} won  {}{}\n",
                    pad(&arm.label, 24),
                    arm.deals,
                    arm.won,
                    percent_with_interval(arm.win_rate, arm.interval),
                    if arm.small { "  (small sample)" } else { "" }
                ));
            }
        }
        out.push_str(
            "\nSignals: win rate when fired / not fired, lift (win rate when fired ÷ win rate of the deals it applies to: its group's, or all)\n",
        );
        let mut signals: Vec<&SignalReport> = self.signals.iter().filter(|s| s.fired > 0).collect();
        signals.sort_by(|a, b| {
            b.lift
                .unwrap_or(0.0)
                .partial_cmp(&a.lift.unwrap_or(0.0))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        for signal in signals {
            let mut notes = Vec::new();
            if signal.wrong_sign {
                notes.push(format!(
                    "WRONG SIGN? weight {:+} but the history says the opposite",
                    signal.weight
                ));
            }
            if signal.small {
                notes.push("small sample".to_string());
            }
            out.push_str(&format!(
                "  {:<22} weight {:>+3}  fired {:>6}  {:>6} / {:<6}  lift {}{}\n",
                signal.name,
                signal.weight,
                signal.fired,
                percent(signal.win_rate_fired),
                percent(signal.win_rate_not_fired),
                signal.lift.map_or("-".to_string(), |l| format!("{l:.2}")),
                if notes.is_empty() {
                    String::new()
                } else {
                    format!("  ({})", notes.join("; "))
                }
            ));
        }
        if !self.never_fired.is_empty() {
            out.push_str(&format!("  never fired: {}\n", self.never_fired.join(", ")));
        }
        if !self.always_fired.is_empty() {
            out.push_str(&format!(
                "  always fired: {}\n",
                self.always_fired.join(", ")
            ));
        }
        out.push_str("\nAdvice: how often given, win rate when given\n");
        for advice in &self.advice {
            out.push_str(&format!(
                "  {:<22} given {:>6}  {}{}\n",
                advice.name,
                advice.deals,
                percent(advice.win_rate),
                if advice.small { "  (small sample)" } else { "" }
            ));
        }
        if let Some(fit) = &self.fit {
            out.push_str(&fit.to_text());
        }
        out
    }
}

impl FitReport {
    pub fn to_json(&self) -> Json {
        let mut weights = Map::new();
        for signal in &self.fit.signals {
            weights.insert(
                signal.name.clone(),
                json!({
                    "current": signal.current,
                    "suggested": signal.suggested.map(|(w, _, _)| w),
                    "interval": signal.suggested.map(|(_, l, h)| vec![l, h]),
                    "log_odds": signal.log_odds.map(|(b, _, _)| b),
                    "log_odds_interval": signal.log_odds.map(|(_, l, h)| vec![l, h]),
                }),
            );
        }
        let mut out = json!({
            "method": "logistic regression (Newton/IRLS, ridge 1.0) on the fired signals",
            "intercept": self.fit.intercept,
            "scale": self.fit.scale,
            "converged": self.fit.converged,
            "weights": weights,
        });
        if let (Some(adoption), Some(object)) = (&self.adoption, out.as_object_mut()) {
            let hits: Map<String, Json> = adoption
                .hits
                .iter()
                .map(|(name, before, after)| {
                    (
                        name.clone(),
                        json!({
                            "before": fixed(rate(*before, adoption.deals)),
                            "after": fixed(rate(*after, adoption.deals)),
                        }),
                    )
                })
                .collect();
            object.insert(
                "if_adopted".into(),
                json!({ "deals": adoption.deals, "verdicts_changed": adoption.verdicts_changed, "hit_rate": hits }),
            );
        }
        out
    }

    pub fn to_text(&self) -> String {
        let mut out = format!(
            "\nFitted weights (logistic regression on the fired signals, scaled to the playbook's range: {:.2} weight per unit of log-odds){}\n",
            self.fit.scale,
            if self.fit.converged { "" } else { " — did not fully converge" }
        );
        out.push_str(&format!(
            "  {:<22} {:>7} {:>9}  95% interval\n",
            "signal", "current", "suggested"
        ));
        for signal in &self.fit.signals {
            match signal.suggested {
                Some((weight, low, high)) => out.push_str(&format!(
                    "  {:<22} {:>+7} {:>+9}  {low:+.1} to {high:+.1}{}\n",
                    signal.name,
                    signal.current,
                    weight,
                    if (weight > 0) != (signal.current > 0) && weight != 0 && signal.current != 0 {
                        "  (sign differs)"
                    } else {
                        ""
                    }
                )),
                None => out.push_str(&format!(
                    "  {:<22} {:>+7} {:>9}  (never or always fired: no estimate)\n",
                    signal.name, signal.current, "-"
                )),
            }
        }
        if let Some(adoption) = &self.adoption {
            out.push_str(&format!(
                "\nIf adopted: {} of {} deal(s) would change a verdict.\n",
                adoption.verdicts_changed, adoption.deals
            ));
            for (name, before, after) in &adoption.hits {
                out.push_str(&format!(
                    "  {name}: hit rate {} now, {} with the fitted weights\n",
                    percent(rate(*before, adoption.deals)),
                    percent(rate(*after, adoption.deals))
                ));
            }
            out.push_str("  (a hit: the first arm chosen and the deal won, or another arm and the deal lost)\n");
        }
        out.push_str("Nothing was rewritten: the author decides.\n");
        out
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

/// `text` padded with spaces to `width` terminal columns (Chinese
/// characters take two).
fn pad(text: &str, width: usize) -> String {
    let used = unicode_width::UnicodeWidthStr::width(text);
    format!("{text}{}", " ".repeat(width.saturating_sub(used)))
}

fn percent(value: Option<f64>) -> String {
    value.map_or("-".to_string(), |v| format!("{:.1}%", v * 100.0))
}

fn percent_with_interval(value: Option<f64>, interval: Option<(f64, f64)>) -> String {
    match (value, interval) {
        (Some(v), Some((l, h))) => {
            format!("{:>5.1}% ({:.1}–{:.1}%)", v * 100.0, l * 100.0, h * 100.0)
        }
        _ => "-".to_string(),
    }
}
