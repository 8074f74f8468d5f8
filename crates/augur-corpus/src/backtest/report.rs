//! What a backtest found, as plain data ([`Report`], [`FitReport`]) and as
//! text and JSON; the HTML page reads the same data (`html.rs`).
//!
//! Not here: reading deals and counting them (`backtest.rs`).

use super::*;

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
    pub(super) fn new(name: &str, label: &str, won: u64, lost: u64) -> Self {
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
pub(super) fn calibration(scores: &BTreeMap<i64, [u64; 2]>, deals: u64) -> Vec<ScoreBin> {
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

pub(super) fn score_bin((from, to, won, lost): (i64, i64, u64, u64)) -> ScoreBin {
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

pub(super) fn fixed(value: Option<f64>) -> Json {
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

/// `text` padded with spaces to `width` terminal columns (Chinese
/// characters take two).
pub(super) fn pad(text: &str, width: usize) -> String {
    let used = unicode_width::UnicodeWidthStr::width(text);
    format!("{text}{}", " ".repeat(width.saturating_sub(used)))
}

pub(super) fn percent(value: Option<f64>) -> String {
    value.map_or("-".to_string(), |v| format!("{:.1}%", v * 100.0))
}

pub(super) fn percent_with_interval(value: Option<f64>, interval: Option<(f64, f64)>) -> String {
    match (value, interval) {
        (Some(v), Some((l, h))) => {
            format!("{:>5.1}% ({:.1}–{:.1}%)", v * 100.0, l * 100.0, h * 100.0)
        }
        _ => "-".to_string(),
    }
}
