//! Reports: an [`Outcome`] as the result JSON of CLI.md and as text for a rep.

use crate::eval::Outcome;
use augur_check::Analysis;
use augur_syntax::{ColumnUnit, LineIndex};
use serde_json::{json, Map, Value as Json};

/// What is needed to describe outcomes of one playbook (file names and lines
/// of signals are computed once).
pub struct Reporter<'a> {
    analysis: &'a Analysis,
    /// `(file, line)` of each signal.
    signal_at: Vec<(String, u32)>,
}

impl<'a> Reporter<'a> {
    pub fn new(analysis: &'a Analysis, display_root: &str) -> Self {
        let indexes: Vec<LineIndex> = analysis
            .sources
            .iter()
            .map(|s| LineIndex::new(&s.text))
            .collect();
        let signal_at = analysis
            .program
            .signals
            .iter()
            .map(|signal| {
                let file = signal.location.file.0 as usize;
                let source = analysis.sources.get(file);
                let line = match (source, indexes.get(file)) {
                    (Some(source), Some(index)) => {
                        index
                            .line_col(&source.text, signal.location.span.start, ColumnUnit::Char)
                            .line
                            + 1
                    }
                    _ => 0,
                };
                let path = source.map_or_else(String::new, |s| join_path(display_root, &s.path));
                (path, line)
            })
            .collect();
        Reporter {
            analysis,
            signal_at,
        }
    }

    /// The result object of CLI.md.
    pub fn json(&self, deal: &Json, outcome: &Outcome) -> Json {
        let program = &self.analysis.program;
        let mut verdicts = Map::new();
        for (verdict, arm) in program.verdicts.iter().zip(&outcome.verdicts) {
            let chosen = verdict.arms.get(*arm as usize);
            verdicts.insert(
                verdict.name.clone(),
                json!({ "value": chosen.map(|a| a.name.clone()), "label": chosen.map(|a| a.label.clone()) }),
            );
        }
        let mut groups = Map::new();
        for (group, score) in &outcome.groups {
            if let Some(info) = program.groups.get(*group as usize) {
                groups.insert(info.name.clone(), Json::from(*score));
            }
        }
        let signals: Vec<Json> = program
            .signals
            .iter()
            .enumerate()
            .filter_map(|(id, signal)| {
                let message = outcome.messages.get(id)?.as_ref()?;
                let (file, line) = self.signal_at.get(id).cloned().unwrap_or_default();
                let group = signal
                    .group
                    .and_then(|g| program.groups.get(g as usize))
                    .map(|g| g.name.clone());
                Some(json!({
                    "name": signal.name,
                    "label": signal.label,
                    "group": group,
                    "weight": signal.weight,
                    "message": message,
                    "at": { "file": file, "line": line },
                }))
            })
            .collect();
        let advice: Vec<Json> = outcome
            .advice
            .iter()
            .filter_map(|(id, text)| {
                program
                    .advice
                    .get(*id as usize)
                    .map(|a| json!({ "name": a.name, "text": text }))
            })
            .collect();
        let unknown: Vec<Json> = outcome
            .unknown
            .iter()
            .filter_map(|f| program.facts.get(*f as usize))
            .map(|f| Json::from(f.name.clone()))
            .collect();
        json!({
            "deal": deal,
            "playbook": { "title": program.title, "version": program.version },
            "verdicts": verdicts,
            "score": outcome.score,
            "groups": groups,
            "signals": signals,
            "advice": advice,
            "unknown": unknown,
        })
    }

    /// `--explain`: every signal with whether it fired and the values it read.
    pub fn add_explanation(&self, outcome: &Outcome, facts: &[crate::Value], value: &mut Json) {
        let program = &self.analysis.program;
        let signals: Vec<Json> = program
            .signals
            .iter()
            .enumerate()
            .map(|(id, signal)| {
                let read: serde_json::Map<String, Json> = signal
                    .reads
                    .iter()
                    .map(|read| match read {
                        augur_check::ir::Read::Fact(f) => {
                            let fact = program.facts.get(*f as usize);
                            let v = facts.get(*f as usize).zip(fact).map_or(Json::Null, |(v, i)| v.to_json(&i.ty.ty, program));
                            (fact.map_or_else(String::new, |f| f.name.clone()), v)
                        }
                        augur_check::ir::Read::Let(l) => {
                            let info = program.lets.get(*l as usize);
                            let v = outcome.lets.get(*l as usize).zip(info).map_or(Json::Null, |(v, i)| v.to_json(&i.value.ty.ty, program));
                            (info.map_or_else(String::new, |i| i.name.clone()), v)
                        }
                        augur_check::ir::Read::Signal(s) => (
                            program.signals.get(*s as usize).map_or_else(String::new, |s| s.name.clone()),
                            Json::Bool(outcome.fired.get(*s as usize).copied().unwrap_or(false)),
                        ),
                        augur_check::ir::Read::Verdict(v) => {
                            let verdict = program.verdicts.get(*v as usize);
                            let arm = verdict.and_then(|vd| vd.arms.get(outcome.verdicts.get(*v as usize).copied().unwrap_or(0) as usize));
                            (verdict.map_or_else(String::new, |v| v.name.clone()), json!(arm.map(|a| a.name.clone())))
                        }
                    })
                    .collect();
                json!({ "name": signal.name, "fired": outcome.fired.get(id).copied().unwrap_or(false), "weight": signal.weight, "read": read })
            })
            .collect();
        if let Some(object) = value.as_object_mut() {
            object.insert("signals".into(), Json::Array(signals));
        }
    }

    /// The outcome for a rep at a terminal.
    pub fn text(&self, deal: &str, outcome: &Outcome) -> String {
        let program = &self.analysis.program;
        let mut out = String::new();
        let title = program.title.as_deref().unwrap_or("playbook");
        out.push_str(&format!("Deal {deal}  ({title})\n"));
        for (verdict, arm) in program.verdicts.iter().zip(&outcome.verdicts) {
            let chosen = verdict
                .arms
                .get(*arm as usize)
                .map_or("?", |a| a.label.as_str());
            out.push_str(&format!("  {}: {chosen}\n", verdict.label));
        }
        out.push_str(&format!("  score {}\n", signed(outcome.score)));
        let mut any_signal = false;
        let mut sections: Vec<(Option<u32>, String)> = vec![(None, "Signals".to_string())];
        sections.extend(program.groups.iter().enumerate().map(|(id, g)| {
            (
                Some(id as u32),
                g.label.clone().unwrap_or_else(|| g.name.clone()),
            )
        }));
        for (group, heading) in sections {
            let fired: Vec<(usize, &String)> = program
                .signals
                .iter()
                .enumerate()
                .filter(|(_, s)| s.group == group)
                .filter_map(|(id, _)| {
                    outcome
                        .messages
                        .get(id)
                        .and_then(|m| m.as_ref())
                        .map(|m| (id, m))
                })
                .collect();
            if fired.is_empty() {
                continue;
            }
            any_signal = true;
            let group_score = group
                .and_then(|g| outcome.groups.iter().find(|(id, _)| *id == g))
                .map(|(_, s)| *s);
            match group_score {
                Some(score) => out.push_str(&format!("\n{heading} ({})\n", signed(score))),
                None => out.push_str(&format!("\n{heading}\n")),
            }
            for (id, message) in fired {
                let Some(signal) = program.signals.get(id) else {
                    continue;
                };
                out.push_str(&format!(
                    "  {:>4}  {}\n        {}\n",
                    signed(signal.weight),
                    signal.label,
                    message
                ));
            }
        }
        if !any_signal {
            out.push_str("\nNo signals fired.\n");
        }
        if !outcome.advice.is_empty() {
            out.push_str("\nAdvice\n");
            for (_, text) in &outcome.advice {
                out.push_str(&format!("  • {text}\n"));
            }
        }
        if !outcome.unknown.is_empty() {
            out.push_str("\nFind out next\n");
            for fact in outcome
                .unknown
                .iter()
                .filter_map(|f| program.facts.get(*f as usize))
            {
                match &fact.doc {
                    Some(doc) => out.push_str(&format!("  ? {} — {doc}\n", fact.name)),
                    None => out.push_str(&format!("  ? {}\n", fact.name)),
                }
            }
        }
        out
    }
}

fn signed(n: i64) -> String {
    if n > 0 {
        format!("+{n}")
    } else {
        n.to_string()
    }
}

fn join_path(root: &str, path: &str) -> String {
    if root.is_empty() || root == "." {
        path.to_string()
    } else {
        format!("{}/{path}", root.trim_end_matches('/'))
    }
}
