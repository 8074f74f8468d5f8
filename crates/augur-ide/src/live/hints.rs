//! Inlay hints for the pinned deal: after each signal its outcome, after
//! each `let` its value, after each verdict arm chosen / possible /
//! impossible, after each advice whether it is given; and how values and
//! scores are written in them.

use super::*;

/// One inlay hint: a label shown at a byte offset (after the text there).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlayHint {
    pub offset: usize,
    pub label: String,
    /// A longer explanation shown on hovering the hint.
    pub tooltip: Option<String>,
}

/// A number with its sign, the minus as U+2212 (`+3`, `−2`); zero has
/// none (`0`). The one format of scores and weights in the editor.
pub fn signed(n: i64) -> String {
    match n.cmp(&0) {
        std::cmp::Ordering::Less => format!("−{}", n.unsigned_abs()),
        std::cmp::Ordering::Equal => "0".into(),
        std::cmp::Ordering::Greater => format!("+{n}"),
    }
}

/// The score as lenses and status bars show it: `score +3`, `score 0`.
pub fn score_text(score: i64) -> String {
    format!("score {}", signed(score))
}

pub(super) fn fact_names(analysis: &Analysis, facts: &[FactId]) -> String {
    let names: Vec<&str> = facts
        .iter()
        .filter_map(|f| analysis.program.facts.get(*f as usize))
        .map(|f| f.name.as_str())
        .collect();
    if names.is_empty() {
        "a value that cannot be computed".into()
    } else {
        names.join(", ")
    }
}

pub(super) fn blame_of(value: &Value) -> Option<Vec<FactId>> {
    match value {
        Value::Unknown(blame) => Some(blame.facts().collect()),
        _ => None,
    }
}

/// Longest value shown in a hint, in characters.
const MAX_SHOWN: usize = 40;

/// A value as the author reads it: texts quoted, lists bracketed, unknown
/// as `?`, cut short after [`MAX_SHOWN`] characters.
pub fn show(analysis: &Analysis, value: &Value, ty: &ir::Type) -> String {
    let program = &analysis.program;
    let mut out = String::new();
    match value {
        Value::Text(text) => {
            let _ = write!(out, "\"{text}\"");
        }
        Value::List(items) => {
            let element = match ty {
                ir::Type::List(element) => element.as_ref(),
                _ => &ir::Type::Error,
            };
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&show(analysis, item, element));
                if out.chars().count() > MAX_SHOWN {
                    break;
                }
            }
            out.push(']');
        }
        other => other.render(ty, program, &mut out),
    }
    if out.chars().count() > MAX_SHOWN {
        let cut: String = out.chars().take(MAX_SHOWN - 1).collect();
        return format!("{cut}…");
    }
    out
}

pub(super) fn signal_label(
    analysis: &Analysis,
    id: usize,
    state: &SignalState,
) -> (String, String) {
    let weight = analysis
        .program
        .signals
        .get(id)
        .map_or(0, |signal| signal.weight);
    match state {
        SignalState::Fired => (
            format!("✓ {}", signed(weight)),
            format!("fires for the pinned deal: {} to the score", signed(weight)),
        ),
        SignalState::NotFired => ("✗".into(), "does not fire for the pinned deal".into()),
        SignalState::GroupOff => (
            "✗ group off".into(),
            "does not fire: its group's condition does not hold for the pinned deal".into(),
        ),
        SignalState::Unknown(facts) => {
            let names = fact_names(analysis, facts);
            (
                format!("? needs {names}"),
                format!("cannot be decided for the pinned deal until {names} is known"),
            )
        }
    }
}

/// The state of arm `arm` of verdict `verdict`, as a short label.
pub(super) fn arm_label(
    analysis: &Analysis,
    live: &Evaluated,
    verdict: usize,
    arm: usize,
) -> String {
    let chosen = live.outcome.verdicts.get(verdict).copied() == Some(arm as u32);
    let possible = live
        .reach
        .as_ref()
        .and_then(|r| r.possible.get(verdict)?.get(arm).copied());
    let condition = live
        .arm_conditions
        .get(verdict)
        .and_then(|arms| arms.get(arm))
        .cloned()
        .flatten();
    let deciders = live
        .reach
        .as_ref()
        .and_then(|r| r.arm_facts.get(verdict)?.get(arm).cloned())
        .unwrap_or_default();
    let approximate = live
        .reach
        .as_ref()
        .is_some_and(|r| r.approximate.get(verdict).copied().unwrap_or(false));
    let settled = live
        .reach
        .as_ref()
        .and_then(|r| r.possible.get(verdict))
        .is_some_and(|arms| arms.iter().filter(|p| **p).count() <= 1);
    match (chosen, possible) {
        (true, None) => "✓ chosen".into(),
        (true, Some(_)) if settled && !approximate => "✓ chosen, settled".into(),
        (true, Some(_)) => "✓ chosen, not settled".into(),
        (false, Some(true)) if approximate => "possible (not searched to the end)".into(),
        (false, Some(true)) if !deciders.is_empty() => {
            format!("possible: depends on {}", fact_names(analysis, &deciders))
        }
        (false, Some(true)) => match condition.as_ref().and_then(blame_of) {
            Some(facts) => format!("possible: needs {}", fact_names(analysis, &facts)),
            None => "possible".into(),
        },
        (false, Some(false)) => "✗ impossible".into(),
        (false, None) => {
            let before_chosen = live
                .outcome
                .verdicts
                .get(verdict)
                .is_some_and(|c| (arm as u32) < *c);
            match condition.as_ref().and_then(blame_of) {
                Some(facts) if before_chosen => {
                    format!("? needs {}", fact_names(analysis, &facts))
                }
                _ => "✗ not chosen".into(),
            }
        }
    }
}

/// The offset just after the name a symbol is declared with (in `file`).
fn after_name(analysis: &Analysis, file: FileId, symbol: Symbol) -> Option<usize> {
    let at = definition_of(analysis, symbol)?;
    (at.file == file).then_some(at.span.end)
}

/// Where an arm's hint goes: after its condition, or after `otherwise`.
fn arm_end(analysis: &Analysis, file: FileId, arm: &ir::ArmInfo) -> Option<usize> {
    if arm.location.file != file {
        return None;
    }
    if let Some(when) = &arm.when {
        return Some(when.location.span.end);
    }
    let text = text_of(analysis, file);
    let rest = text.get(arm.location.span.end..)?;
    let line = rest.split('\n').next().unwrap_or("");
    let keyword = line.find("otherwise")?;
    Some(arm.location.span.end + keyword + "otherwise".len())
}

/// The inlay hints of `file` for the pinned deal: after each signal's name
/// its outcome, after each `let` its value, after each verdict arm whether
/// it is chosen (possible, impossible), after each advice's name whether it
/// is given. Sorted by offset.
pub fn inlay_hints(analysis: &Analysis, file: FileId, live: &Evaluated) -> Vec<InlayHint> {
    let program = &analysis.program;
    let mut hints = Vec::new();
    for (id, state) in live.signals.iter().enumerate() {
        if let Some(offset) = after_name(analysis, file, Symbol::Signal(id as u32)) {
            let (label, tooltip) = signal_label(analysis, id, state);
            hints.push(InlayHint {
                offset,
                label,
                tooltip: Some(tooltip),
            });
        }
    }
    for (id, info) in program.lets.iter().enumerate() {
        if info.location.file != file {
            continue;
        }
        let Some(value) = live.outcome.lets.get(id) else {
            continue;
        };
        let label = match blame_of(value) {
            Some(facts) => format!("= ? needs {}", fact_names(analysis, &facts)),
            None => format!("= {}", show(analysis, value, &info.value.ty.ty)),
        };
        hints.push(InlayHint {
            offset: info.value.location.span.end,
            label,
            tooltip: Some(format!("`{}` for the pinned deal", info.name)),
        });
    }
    for (v, verdict) in program.verdicts.iter().enumerate() {
        for (a, arm) in verdict.arms.iter().enumerate() {
            if let Some(offset) = arm_end(analysis, file, arm) {
                hints.push(InlayHint {
                    offset,
                    label: arm_label(analysis, live, v, a),
                    tooltip: Some(format!("{} “{}” for the pinned deal", arm.name, arm.label)),
                });
            }
        }
    }
    for (id, advice) in program.advice.iter().enumerate() {
        let Some(offset) = after_name(analysis, file, Symbol::Advice(id as u32)) else {
            continue;
        };
        let given = live.outcome.advice.iter().any(|(a, _)| *a as usize == id);
        let settled = live
            .reach
            .as_ref()
            .is_none_or(|r| r.advice_settled.get(id).copied().unwrap_or(true));
        let label = if given && !settled {
            "✓ given, not settled".to_string()
        } else if given {
            "✓ given".to_string()
        } else {
            match live.advice_conditions.get(id).and_then(blame_of) {
                Some(facts) => format!("? needs {}", fact_names(analysis, &facts)),
                None => "✗ not given".into(),
            }
        };
        hints.push(InlayHint {
            offset,
            label,
            tooltip: Some(format!("advice `{}` for the pinned deal", advice.name)),
        });
    }
    hints.sort_by_key(|h| h.offset);
    hints
}
