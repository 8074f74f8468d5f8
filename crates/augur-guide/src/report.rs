//! Guidance as the JSON contract's additions (`possible`, `decided`,
//! `approximate`, `why_not`, `find_out_next`, advice `settled`) and as the
//! text a rep reads in a minute ("Where we stand: … — not settled: …").
//!
//! Words come from the playbook (labels, doc strings, variant names), so a
//! Chinese playbook reads in Chinese; the few fixed words are the CLI's.

use crate::classes::Run;
use crate::whynot::{direct_reads, read_name, read_value, source_text};
use crate::words::Words;
use crate::{Guidance, Guide};
use augur_check::ir::FactId;
use augur_eval::{Deal, Outcome, Value};
use augur_syntax::Date;
use serde_json::{json, Map, Value as Json};

impl Guide<'_> {
    fn fact_name(&self, fact: FactId) -> String {
        self.program
            .facts
            .get(fact as usize)
            .map_or_else(String::new, |f| f.name.clone())
    }

    fn arm_name(&self, verdict: u32, arm: u32) -> String {
        self.program
            .verdicts
            .get(verdict as usize)
            .and_then(|v| v.arms.get(arm as usize))
            .map_or_else(String::new, |a| a.name.clone())
    }

    fn arm_label(&self, verdict: u32, arm: u32) -> String {
        self.program
            .verdicts
            .get(verdict as usize)
            .and_then(|v| v.arms.get(arm as usize))
            .map_or_else(String::new, |a| a.label.clone())
    }

    fn fact_value_json(&self, fact: FactId, value: &Value) -> Json {
        self.program
            .facts
            .get(fact as usize)
            .map_or(Json::Null, |f| value.to_json(&f.ty.ty, self.program))
    }

    /// A fact's value as a rep reads it (`unsolvable`, `30`, `2026-11-20`).
    pub fn value_text(&self, fact: FactId, value: &Value) -> String {
        let mut out = String::new();
        if let Some(f) = self.program.facts.get(fact as usize) {
            value.render(&f.ty.ty, self.program, &mut out);
        }
        out
    }

    /// Adds the guidance members to a result object of `Reporter::json`.
    pub fn add_json(&self, guidance: &Guidance, result: &mut Json) {
        let program = self.program;
        let Some(object) = result.as_object_mut() else {
            return;
        };
        if let Some(Json::Object(verdicts)) = object.get_mut("verdicts") {
            for guide in &guidance.verdicts {
                let Some(info) = program.verdicts.get(guide.verdict as usize) else {
                    continue;
                };
                let Some(Json::Object(entry)) = verdicts.get_mut(&info.name) else {
                    continue;
                };
                entry.insert(
                    "possible".into(),
                    guide
                        .possible
                        .iter()
                        .map(|a| Json::from(self.arm_name(guide.verdict, *a)))
                        .collect(),
                );
                entry.insert("decided".into(), Json::Bool(guide.decided));
                if guide.approximate {
                    entry.insert("approximate".into(), Json::Bool(true));
                }
                let why: Vec<Json> = guide
                    .why
                    .iter()
                    .map(|f| {
                        json!({
                            "condition": f.condition,
                            "read": f.read.iter().cloned().collect::<Map<String, Json>>(),
                        })
                    })
                    .collect();
                entry.insert("why".into(), Json::Array(why));
                let mut why_not = Map::new();
                for why in &guide.why_not {
                    let failed: Vec<Json> = why
                        .failed
                        .iter()
                        .map(|f| {
                            json!({
                                "condition": f.condition,
                                "value": f.value,
                                "read": f.read.iter().cloned().collect::<Map<String, Json>>(),
                            })
                        })
                        .collect();
                    let changes: Vec<Json> = why
                        .changes
                        .iter()
                        .map(|set| {
                            set.iter()
                                .map(|c| {
                                    let mut change = json!({
                                        "fact": self.fact_name(c.fact),
                                        "to": self.fact_value_json(c.fact, &c.to),
                                        "known": c.now.is_some(),
                                    });
                                    if let (Some(now), Some(map)) = (&c.now, change.as_object_mut())
                                    {
                                        map.insert("now".into(), self.fact_value_json(c.fact, now));
                                    }
                                    change
                                })
                                .collect()
                        })
                        .collect();
                    let mut item = json!({ "failed": failed, "changes": changes });
                    if let (Some(reason), Some(map)) = (&why.reason, item.as_object_mut()) {
                        map.insert("reason".into(), Json::from(reason.clone()));
                    }
                    if why.approximate {
                        if let Some(map) = item.as_object_mut() {
                            map.insert("approximate".into(), Json::Bool(true));
                        }
                    }
                    why_not.insert(self.arm_name(guide.verdict, why.arm), item);
                }
                entry.insert("why_not".into(), Json::Object(why_not));
            }
        }
        if let Some(Json::Array(advice)) = object.get_mut("advice") {
            for item in advice.iter_mut() {
                let Some(map) = item.as_object_mut() else {
                    continue;
                };
                let name = map.get("name").and_then(Json::as_str).unwrap_or_default();
                let settled = program
                    .advice
                    .iter()
                    .position(|a| a.name == name)
                    .and_then(|id| guidance.settled.get(id).copied())
                    .unwrap_or(true);
                map.insert("settled".into(), Json::Bool(settled));
            }
        }
        let next: Vec<Json> = guidance
            .find_out_next
            .iter()
            .map(|d| {
                let verdicts: Map<String, Json> = d
                    .verdicts
                    .iter()
                    .filter_map(|(v, arms)| {
                        let info = program.verdicts.get(*v as usize)?;
                        Some((
                            info.name.clone(),
                            arms.iter()
                                .map(|a| Json::from(self.arm_name(*v, *a)))
                                .collect(),
                        ))
                    })
                    .collect();
                let advice: Vec<Json> = d
                    .advice
                    .iter()
                    .filter_map(|a| program.advice.get(*a as usize))
                    .map(|a| Json::from(a.name.clone()))
                    .collect();
                json!({
                    "fact": self.fact_name(d.fact),
                    "question": self.question(d.fact),
                    "verdicts": verdicts,
                    "advice": advice,
                })
            })
            .collect();
        object.insert("find_out_next".into(), Json::Array(next));
    }

    /// The condition that `values` of `fact` meet, in words: `is unsolvable
    /// or price`, `≥ 30`, `between 31 and 59`, `≤ 2026-11-27`. `None` when they meet every
    /// class of the fact (saying so would tell nothing).
    pub fn values_condition(&self, fact: FactId, values: &[Value], today: Date) -> Option<String> {
        let words = Words::for_program(self.program);
        if values.is_empty() || self.classes.covers_all(fact, values, today) {
            return None;
        }
        if let Some(runs) = self.classes.runs(fact, values, today) {
            if runs.iter().any(Run::is_all) {
                return None;
            }
            let parts: Vec<String> = runs
                .iter()
                .map(|run| self.run_text(fact, run, words))
                .collect();
            return Some(parts.join(words.or));
        }
        let mut shown: Vec<String> = Vec::new();
        for v in values {
            let text = self.value_text(fact, v);
            if !shown.contains(&text) {
                shown.push(text);
            }
        }
        Some(words.is_values(&shown.join(words.or)))
    }

    fn run_text(&self, fact: FactId, run: &Run, words: &Words) -> String {
        let bound = |(value, inclusive): &(Value, bool), low: bool| {
            let v = self.value_text(fact, value);
            match (low, inclusive) {
                (true, true) => format!("≥ {v}"),
                (true, false) => format!("> {v}"),
                (false, true) => format!("≤ {v}"),
                (false, false) => format!("< {v}"),
            }
        };
        match (&run.low, &run.high) {
            (Some((a, true)), Some((b, true))) if a == b => {
                format!("= {}", self.value_text(fact, a))
            }
            (Some((a, true)), Some((b, true))) => {
                words.range(&self.value_text(fact, a), &self.value_text(fact, b))
            }
            (Some(low), Some(high)) => {
                format!("{}{}{}", bound(low, true), words.and, bound(high, false))
            }
            (Some(low), None) => bound(low, true),
            (None, Some(high)) => bound(high, false),
            (None, None) => String::new(),
        }
    }

    /// One change of a why-not set in words: `budget ≥ 100` (every value
    /// found to work in its place, as a range), with what is recorded now
    /// for a known fact: `budget ≥ 100 (now 50)`.
    fn change_text(&self, change: &crate::Change, today: Date) -> String {
        let words = Words::for_program(self.program);
        let name = self.fact_name(change.fact);
        let condition = match self.classes.runs(change.fact, &change.alike, today) {
            Some(_) => self.values_condition(change.fact, &change.alike, today),
            None if change.alike.len() > 1 => {
                self.values_condition(change.fact, &change.alike, today)
            }
            None => None,
        }
        .unwrap_or_else(|| format!("= {}", self.value_text(change.fact, &change.to)));
        let mut out = format!("{name} {condition}");
        if let Some(now) = &change.now {
            out.push_str(&words.now_is(&self.value_text(change.fact, now)));
        }
        out
    }

    /// What each value of a decisive fact does to a verdict, in words:
    /// `Reference only if late_objection is unsolvable or price`, numbers
    /// and dates as ranges (`First choice possible if session_minutes ≥ 30`).
    /// A line whose values cover every value of the fact is left out.
    /// `with_current`: also the values that keep the arm chosen now.
    pub fn effect_text(
        &self,
        guidance: &Guidance,
        fact: FactId,
        verdict: u32,
        with_current: bool,
    ) -> Vec<String> {
        self.effects(guidance, fact, verdict, with_current)
            .into_iter()
            .map(|(_, line)| line)
            .collect()
    }

    /// [`Self::effect_text`], each line with whether it is sure (that value
    /// settles the arm) or only possible.
    fn effects(
        &self,
        guidance: &Guidance,
        fact: FactId,
        verdict: u32,
        with_current: bool,
    ) -> Vec<(bool, String)> {
        let Some(decisive) = guidance.find_out_next.iter().find(|d| d.fact == fact) else {
            return Vec::new();
        };
        let value = guidance
            .verdicts
            .get(verdict as usize)
            .map_or(0, |v| v.value);
        let effects: Vec<&crate::Effect> = decisive
            .effects
            .iter()
            .filter(|e| e.verdict == verdict)
            .collect();
        let Some(arms) = decisive
            .verdicts
            .iter()
            .find(|(v, _)| *v == verdict)
            .map(|(_, a)| a)
        else {
            return Vec::new();
        };
        let words = Words::for_program(self.program);
        let name = self.fact_name(fact);
        let mut lines = Vec::new();
        for arm in arms {
            let sure: Vec<Value> = effects
                .iter()
                .filter(|e| e.arms == [*arm])
                .map(|e| e.value.clone())
                .collect();
            let maybe: Vec<Value> = effects
                .iter()
                .filter(|e| e.arms.len() > 1 && e.arms.contains(arm))
                .map(|e| e.value.clone())
                .collect();
            if *arm == value && (sure.is_empty() || !with_current) {
                continue;
            }
            let label = self.arm_label(verdict, *arm);
            let (is_sure, values) = if sure.is_empty() {
                (false, maybe)
            } else {
                (true, sure)
            };
            if let Some(condition) = self.values_condition(fact, &values, guidance.today) {
                lines.push((is_sure, words.arm_if(&label, &name, &condition, is_sure)));
            }
        }
        lines
    }

    /// The text report for a rep, with guidance. `explain` adds every signal
    /// with the values its condition read.
    pub fn text(
        &self,
        label: &str,
        deal: &Deal,
        outcome: &Outcome,
        guidance: &Guidance,
        explain: bool,
    ) -> String {
        let program = self.program;
        let words = Words::for_program(program);
        let mut out = String::new();
        let title = program.title.as_deref().unwrap_or("playbook");
        out.push_str(&format!("{} {label}  ({title})\n", words.deal));
        for guide in &guidance.verdicts {
            let Some(info) = program.verdicts.get(guide.verdict as usize) else {
                continue;
            };
            let chosen = self.arm_label(guide.verdict, guide.value);
            let mut line = format!("  {}{}{chosen}", info.label, words.colon());
            if guide.decided && guide.possible.first() != Some(&guide.value) {
                // What is recorded matches no complete deal.
                line.push_str(&words.as_recorded_but(
                    &self.arm_label(guide.verdict, guide.possible.first().copied().unwrap_or(0)),
                ));
            } else if !guide.decided && !guide.possible.contains(&guide.value) {
                // Recorded, it reads as an arm no complete deal reaches.
                let arms: Vec<String> = guide
                    .possible
                    .iter()
                    .map(|a| self.arm_label(guide.verdict, *a))
                    .collect();
                line.push_str(&words.as_recorded_but(&arms.join(words.or)));
            } else if !guide.decided {
                line.push_str(words.dash());
                line.push_str(words.not_settled);
                line.push_str(&self.headline_effects(guidance, guide.verdict));
                line.push_str(words.stop());
            } else {
                line.push_str(words.dash());
                line.push_str(words.settled);
                line.push_str(words.stop());
            }
            if guide.approximate {
                line.push(' ');
                line.push_str(words.cut_short);
            }
            out.push_str(&line);
            out.push('\n');
            if !guide.why.is_empty() {
                let held: Vec<String> = guide.why.iter().map(|f| self.failed_text(f)).collect();
                out.push_str(&format!(
                    "    {}{}{}\n",
                    words.because,
                    words.colon(),
                    held.join(words.clause_sep())
                ));
            }
            for why in &guide.why_not {
                if guide.possible.contains(&why.arm) {
                    continue;
                }
                let failed: Vec<String> = why.failed.iter().map(|f| self.failed_text(f)).collect();
                let mut line = format!(
                    "    {}{}{}{}",
                    self.arm_label(guide.verdict, why.arm),
                    words.out_of_reach,
                    words.colon(),
                    failed.join(words.clause_sep())
                );
                if let Some(change) = why.changes.first() {
                    // Unknown facts to find out, then known ones that would
                    // have to change.
                    let find_out: Vec<String> = change
                        .iter()
                        .filter(|c| c.now.is_none())
                        .map(|c| self.change_text(c, guidance.today))
                        .collect();
                    let must_change: Vec<String> = change
                        .iter()
                        .filter(|c| c.now.is_some())
                        .map(|c| self.change_text(c, guidance.today))
                        .collect();
                    line.push_str(&words.it_would_take(
                        &find_out.join(words.list_sep),
                        &must_change.join(words.list_sep),
                    ));
                } else if let Some(reason) = &why.reason_kind {
                    let reason = words.reason(self.program, reason);
                    if words.stop() == "." {
                        line.push_str(&format!("\n      ({reason})"));
                    } else {
                        line.push_str(&format!("\n      （{reason}）"));
                    }
                }
                out.push_str(&line);
                out.push('\n');
            }
        }
        out.push_str(&format!("  {} {}", words.score, signed(outcome.score)));
        let (low, high) = guidance.partial.score;
        if low != high {
            out.push_str(&words.between(&signed(low), &signed(high)));
        }
        out.push('\n');
        self.signals_text(outcome, words, &mut out);
        if !outcome.advice.is_empty() {
            out.push_str(&format!("\n{}\n", words.advice));
            for (id, text) in &outcome.advice {
                out.push_str(&format!("  • {text}\n"));
                if !guidance.settled.get(*id as usize).copied().unwrap_or(true) {
                    out.push_str(&format!("    {}\n", words.advice_not_settled));
                }
            }
        }
        if !guidance.find_out_next.is_empty() {
            out.push_str(&format!("\n{}\n", words.find_out_next));
            for d in &guidance.find_out_next {
                let question = self.question(d.fact);
                let name = self.fact_name(d.fact);
                if question == name {
                    out.push_str(&format!("  ? {name}\n"));
                } else {
                    out.push_str(&format!("  ? {name}{}{question}\n", words.dash()));
                }
                for (v, _) in &d.verdicts {
                    let label = program
                        .verdicts
                        .get(*v as usize)
                        .map_or("", |i| i.label.as_str());
                    for effect in self.effect_text(guidance, d.fact, *v, true) {
                        out.push_str(&format!("      {label}{}{effect}\n", words.colon()));
                    }
                }
                let advice: Vec<String> = d
                    .advice
                    .iter()
                    .filter_map(|a| program.advice.get(*a as usize))
                    .map(|a| a.label.clone().unwrap_or_else(|| a.name.clone()))
                    .collect();
                if !advice.is_empty() {
                    out.push_str(&format!(
                        "      {}{}{}\n",
                        words.can_change_advice,
                        words.colon(),
                        advice.join(words.list_sep)
                    ));
                }
            }
        } else if guidance.verdicts.iter().all(|v| v.decided) {
            out.push_str(&format!("\n{}\n", words.nothing_left));
        }
        if !guidance.message_only.is_empty() {
            let names: Vec<String> = guidance
                .message_only
                .iter()
                .map(|f| self.fact_name(*f))
                .collect();
            out.push_str(&format!(
                "\n{}{}{}\n",
                words.only_message,
                words.colon(),
                names.join(words.list_sep)
            ));
        }
        if explain {
            self.explain_text(deal, outcome, guidance, &mut out);
        }
        out
    }

    fn signals_text(&self, outcome: &Outcome, words: &Words, out: &mut String) {
        augur_eval::report::write_signals_text(
            self.program,
            outcome,
            words.signals,
            words.no_signals,
            out,
        );
    }

    /// `--explain` in text: every signal, fired / not fired / undecided, with
    /// the values its condition read.
    fn explain_text(&self, deal: &Deal, outcome: &Outcome, guidance: &Guidance, out: &mut String) {
        let program = self.program;
        let words = Words::for_program(program);
        out.push_str(&format!("\n{}\n", words.every_signal));
        for (id, signal) in program.signals.iter().enumerate() {
            let state = match guidance.partial.fired.get(id).copied().flatten() {
                None => words.undecided,
                Some(true) => words.fired,
                Some(false) => words.not_fired,
            };
            let reads: Vec<String> = direct_reads(&signal.when)
                .into_iter()
                .map(|e| {
                    let value = read_for_explain(self, deal, guidance, outcome, e);
                    format!("{} = {}", read_name(self, e), value)
                })
                .collect();
            // A signal of a group that is off cannot fire, whatever it reads.
            let group = signal
                .group
                .filter(|g| !outcome.groups.iter().any(|(active, _)| active == g))
                .and_then(|g| program.groups.get(g as usize))
                .map(|g| {
                    let off = g.when.as_ref().is_none_or(|when| {
                        augur_eval::evaluate_with_probes(program, deal, guidance.today, &[when])
                            .ok()
                            .and_then(|(_, values)| values.into_iter().next())
                            .is_some_and(|v| v == Value::Bool(false))
                    });
                    words.group_state(&g.name, off)
                })
                .unwrap_or_default();
            out.push_str(&format!(
                "  {:<10} {:>4}  {}  [{}]{group}\n",
                state,
                signed(signal.weight),
                signal.name,
                source_text(self, &signal.when)
            ));
            if !reads.is_empty() {
                out.push_str(&format!(
                    "             {}{}{}\n",
                    words.read,
                    words.colon(),
                    reads.join(words.list_sep)
                ));
            }
        }
    }
}

fn read_for_explain(
    guide: &Guide<'_>,
    deal: &Deal,
    guidance: &Guidance,
    outcome: &Outcome,
    e: &augur_check::ir::Expr,
) -> String {
    use augur_check::ir::ExprKind;
    let value = match &e.kind {
        ExprKind::Fact(f) => deal.facts.get(*f as usize).cloned(),
        ExprKind::Let(l) => outcome.lets.get(*l as usize).cloned(),
        ExprKind::Signal(s) => outcome.fired.get(*s as usize).map(|b| Value::Bool(*b)),
        ExprKind::Verdict(v) => outcome
            .verdicts
            .get(*v as usize)
            .map(|a| Value::Variant(*a)),
        ExprKind::Score => Some(Value::Int(outcome.score)),
        ExprKind::GroupScore(g) => Some(Value::Int(
            outcome
                .groups
                .iter()
                .find(|(id, _)| id == g)
                .map_or(0, |(_, s)| *s),
        )),
        _ => None,
    };
    let value = value.unwrap_or_else(Value::unknown);
    match read_value(guide, &guidance.partial, e, &value) {
        Json::Null => Words::for_program(guide.program).not_known.to_string(),
        Json::String(s) => s,
        other => other.to_string(),
    }
}

/// Most clauses in the "not settled" headline; the rest is under "Find out
/// next".
const HEADLINE_CLAUSES: usize = 3;

impl Guide<'_> {
    /// The headline's clauses after "not settled": what the decisive facts
    /// can do to this verdict, sure effects first, at most
    /// [`HEADLINE_CLAUSES`], then how many more questions matter.
    fn headline_effects(&self, guidance: &Guidance, verdict: u32) -> String {
        let words = Words::for_program(self.program);
        let mut clauses: Vec<(bool, FactId, String)> = Vec::new();
        for d in &guidance.find_out_next {
            for (sure, line) in self.effects(guidance, d.fact, verdict, false) {
                clauses.push((sure, d.fact, line));
            }
        }
        // Sure effects first; otherwise the order of "Find out next".
        clauses.sort_by_key(|(sure, _, _)| !*sure);
        let shown: Vec<&(bool, FactId, String)> = clauses.iter().take(HEADLINE_CLAUSES).collect();
        let mut more: Vec<FactId> = clauses
            .iter()
            .skip(HEADLINE_CLAUSES)
            .map(|(_, f, _)| *f)
            .filter(|f| !shown.iter().any(|(_, s, _)| s == f))
            .collect();
        more.sort_unstable();
        more.dedup();
        if shown.is_empty() {
            return String::new();
        }
        let mut out = String::from(words.colon());
        let texts: Vec<&str> = shown.iter().map(|(_, _, t)| t.as_str()).collect();
        out.push_str(&texts.join(words.clause_sep()));
        if !more.is_empty() {
            out.push_str(&words.more_questions(more.len()));
        }
        out
    }

    /// A failed condition in words: the labels of the signals that made it
    /// fail, or the condition with the values it read.
    fn failed_text(&self, failed: &crate::Failed) -> String {
        let labels: Vec<String> = failed
            .because
            .iter()
            .filter_map(|s| self.program.signals.get(*s as usize))
            .map(|s| s.label.clone())
            .collect();
        if labels.is_empty() {
            condition_text(failed)
        } else {
            labels.join(", ")
        }
    }
}

fn condition_text(failed: &crate::Failed) -> String {
    let reads: Vec<String> = failed
        .read
        .iter()
        .map(|(name, value)| match value {
            Json::Null => format!("{name} not known"),
            Json::String(s) => format!("{name} = {s}"),
            other => format!("{name} = {other}"),
        })
        .collect();
    if reads.is_empty() {
        failed.condition.clone()
    } else {
        format!("{} ({})", failed.condition, reads.join(", "))
    }
}

fn signed(n: i64) -> String {
    if n > 0 {
        format!("+{n}")
    } else {
        n.to_string()
    }
}
