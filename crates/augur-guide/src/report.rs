//! Guidance as the JSON contract's additions (`possible`, `decided`,
//! `approximate`, `why_not`, `find_out_next`, advice `settled`) and as the
//! text a rep reads in a minute ("Where we stand: … — not settled: …").
//!
//! Words come from the playbook (labels, doc strings, variant names), so a
//! Chinese playbook reads in Chinese; the few fixed words are the CLI's.

use crate::whynot::{direct_reads, read_name, read_value, source_text};
use crate::words::Words;
use crate::{Guidance, Guide};
use augur_check::ir::FactId;
use augur_eval::{Deal, Outcome, Value};
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
                                    json!({
                                        "fact": self.fact_name(c.fact),
                                        "to": self.fact_value_json(c.fact, &c.to),
                                    })
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

    /// What each value of a decisive fact does to a verdict, in words:
    /// `Reference only if late_objection is unsolvable or price`.
    /// `with_current`: also the values that keep the arm chosen now.
    pub fn effect_text(
        &self,
        guidance: &Guidance,
        fact: FactId,
        verdict: u32,
        with_current: bool,
    ) -> Vec<String> {
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
        let mut lines = Vec::new();
        for arm in arms {
            let sure: Vec<String> = effects
                .iter()
                .filter(|e| e.arms == [*arm])
                .map(|e| self.value_text(fact, &e.value))
                .collect();
            let maybe: Vec<String> = effects
                .iter()
                .filter(|e| e.arms.len() > 1 && e.arms.contains(arm))
                .map(|e| self.value_text(fact, &e.value))
                .collect();
            if *arm == value && (sure.is_empty() || !with_current) {
                continue;
            }
            let name = self.fact_name(fact);
            let words = Words::for_program(self.program);
            let label = self.arm_label(verdict, *arm);
            if !sure.is_empty() {
                lines.push(words.arm_if(&label, &name, &sure.join(words.or), true));
            } else if !maybe.is_empty() {
                lines.push(words.arm_if(&label, &name, &maybe.join(words.or), false));
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
                let mut changes = Vec::new();
                for d in &guidance.find_out_next {
                    changes.extend(self.effect_text(guidance, d.fact, guide.verdict, false));
                }
                line.push_str(words.dash());
                line.push_str(words.not_settled);
                if !changes.is_empty() {
                    line.push_str(words.colon());
                    line.push_str(&changes.join(words.clause_sep()));
                }
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
                    let parts: Vec<String> = change
                        .iter()
                        .map(|c| {
                            format!(
                                "{} = {}",
                                self.fact_name(c.fact),
                                self.value_text(c.fact, &c.to)
                            )
                        })
                        .collect();
                    line.push_str(&words.it_would_take(&parts.join(words.list_sep)));
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
            out.push_str(&format!(
                "  {:<10} {:>4}  {}  [{}]\n",
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

impl Guide<'_> {
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
