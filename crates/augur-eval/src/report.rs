//! Reports: an [`Outcome`] as the result JSON (docs/language.md) and as text for a rep.

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
    /// The constant parts of the result JSON, serialised the first time a
    /// result is written as JSON: a text report (one deal, as a rep runs
    /// it) never needs them.
    fragments: std::sync::OnceLock<Fragments>,
}

/// Pieces of the compact result JSON that do not depend on the deal, so
/// [`Reporter::write_json`] only writes what each deal changes.
struct Fragments {
    /// `,"playbook":{…},"verdicts":{`
    after_deal: Vec<u8>,
    /// `"standing":{"value":"backup","label":"…"}` for each verdict and arm.
    verdict_arms: Vec<Vec<Vec<u8>>>,
    /// `"standing":{"value":null,"label":null}` for each verdict.
    verdict_none: Vec<Vec<u8>>,
    /// `"late":` for each group.
    group_keys: Vec<Vec<u8>>,
    /// `{"name":…,"weight":…,"message":` for each signal.
    signal_heads: Vec<Vec<u8>>,
    /// `,"at":{"file":…,"line":…}}` for each signal.
    signal_tails: Vec<Vec<u8>>,
    /// `{"name":…,"text":` for each advice.
    advice_heads: Vec<Vec<u8>>,
    /// `"fact_name"` for each fact.
    fact_names: Vec<Vec<u8>>,
    /// For each signal whose message has no `{…}`: the message, and the
    /// whole signal object with it (head, escaped message, tail).
    signal_constants: Vec<Option<(String, Vec<u8>)>>,
    /// For each advice whose texts have no `{…}`: the joined text, and the
    /// whole advice object with it.
    advice_constants: Vec<Option<(String, Vec<u8>)>>,
}

/// The text of a template without interpolations (`None` when it has one).
fn constant_text(template: &augur_check::ir::Template) -> Option<String> {
    let mut text = String::new();
    for part in &template.parts {
        match part {
            augur_check::ir::TemplatePart::Text(part) => text.push_str(part),
            augur_check::ir::TemplatePart::Value(_) => return None,
        }
    }
    Some(text)
}

/// Compact JSON text of a value (which cannot fail for `Json`).
fn json_bytes(value: &Json) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

/// The compact JSON of `value` without its closing `}`: the start of an
/// object the caller goes on writing.
fn open_object(value: &Json) -> Vec<u8> {
    let mut bytes = json_bytes(value);
    bytes.pop();
    bytes
}

impl Fragments {
    fn new(analysis: &Analysis, signal_at: &[(String, u32)]) -> Self {
        let program = &analysis.program;
        let mut after_deal = b",\"playbook\":".to_vec();
        after_deal.extend(json_bytes(
            &json!({ "title": program.title, "version": program.version }),
        ));
        after_deal.extend(b",\"verdicts\":{");
        let member = |key: &str, value: Json| -> Vec<u8> {
            let mut bytes = json_bytes(&Json::from(key));
            bytes.push(b':');
            bytes.extend(json_bytes(&value));
            bytes
        };
        let verdict_arms = program
            .verdicts
            .iter()
            .map(|verdict| {
                verdict
                    .arms
                    .iter()
                    .map(|arm| {
                        member(
                            &verdict.name,
                            json!({ "value": arm.name, "label": arm.label }),
                        )
                    })
                    .collect()
            })
            .collect();
        let verdict_none = program
            .verdicts
            .iter()
            .map(|verdict| member(&verdict.name, json!({ "value": null, "label": null })))
            .collect();
        let group_keys = program
            .groups
            .iter()
            .map(|group| {
                let mut key = json_bytes(&Json::from(group.name.as_str()));
                key.push(b':');
                key
            })
            .collect();
        let signal_heads: Vec<Vec<u8>> = program
            .signals
            .iter()
            .map(|signal| {
                let group = signal
                    .group
                    .and_then(|g| program.groups.get(g as usize))
                    .map(|g| g.name.clone());
                let mut head = open_object(&json!({
                    "name": signal.name,
                    "label": signal.label,
                    "group": group,
                    "weight": signal.weight,
                }));
                head.extend(b",\"message\":");
                head
            })
            .collect();
        let signal_tails: Vec<Vec<u8>> = signal_at
            .iter()
            .map(|(file, line)| {
                let mut tail = b",\"at\":".to_vec();
                tail.extend(json_bytes(&json!({ "file": file, "line": line })));
                tail.push(b'}');
                tail
            })
            .collect();
        let advice_heads: Vec<Vec<u8>> = program
            .advice
            .iter()
            .map(|advice| {
                let mut head = open_object(&json!({ "name": advice.name }));
                head.extend(b",\"text\":");
                head
            })
            .collect();
        let fact_names = program
            .facts
            .iter()
            .map(|fact| json_bytes(&Json::from(fact.name.as_str())))
            .collect();
        let signal_constants = program
            .signals
            .iter()
            .zip(signal_heads.iter().zip(&signal_tails))
            .map(|(signal, (head, tail))| {
                let text = constant_text(&signal.message)?;
                let mut bytes: Vec<u8> = head.clone();
                write_string(&mut bytes, &text);
                bytes.extend_from_slice(tail);
                Some((text, bytes))
            })
            .collect();
        let advice_constants = program
            .advice
            .iter()
            .zip(&advice_heads)
            .map(|(advice, head)| {
                // Joined as the evaluator joins the rendered parts.
                let mut text = String::new();
                for template in &advice.text {
                    let part = constant_text(template)?;
                    if crate::eval::needs_space_between(&text, &part) {
                        text.push(' ');
                    }
                    text.push_str(&part);
                }
                let mut bytes: Vec<u8> = head.clone();
                write_string(&mut bytes, &text);
                bytes.push(b'}');
                Some((text, bytes))
            })
            .collect();
        Fragments {
            after_deal,
            verdict_arms,
            verdict_none,
            group_keys,
            signal_heads,
            signal_tails,
            advice_heads,
            fact_names,
            signal_constants,
            advice_constants,
        }
    }
}

/// Writes `text` as a JSON string, escaped exactly as `serde_json` does
/// (`\"`, `\\`, the short escapes `\b \f \n \r \t`, other control
/// characters as `\u00XX`; everything else as is). Messages are most of a
/// result's bytes; copying the runs between escapes, found eight bytes at a
/// time, is much faster than serde_json's byte-at-a-time writer.
pub(crate) fn write_string(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut rest = bytes;
    while let Some(at) = next_escape(rest) {
        let (run, tail) = rest.split_at(at);
        out.extend_from_slice(run);
        let Some((&byte, tail)) = tail.split_first() else {
            break;
        };
        match byte {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                for nibble in [byte >> 4, byte & 0xf] {
                    out.push(HEX.get(usize::from(nibble)).copied().unwrap_or(b'0'));
                }
            }
        }
        rest = tail;
    }
    out.extend_from_slice(rest);
    out.push(b'"');
}

/// The position of the first byte JSON must escape (`"`, `\\`, a control
/// character), looking at eight bytes at a time.
fn next_escape(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let mut offset = 0;
    for word in bytes.chunks_exact(8) {
        let mut array = [0u8; 8];
        array.copy_from_slice(word);
        let x = u64::from_le_bytes(array);
        // A byte below 0x20, or equal to `"` or `\\`, sets its high bit.
        let special = (x.wrapping_sub(ONES * 0x20) & !x & HIGHS)
            | has_zero(x ^ (ONES * u64::from(b'"')))
            | has_zero(x ^ (ONES * u64::from(b'\\')));
        if special != 0 {
            break;
        }
        offset += 8;
    }
    bytes
        .get(offset..)?
        .iter()
        .position(|&b| b < 0x20 || b == b'"' || b == b'\\')
        .map(|at| offset + at)
}

/// A `,` before every element of a JSON list or object but the first.
fn comma(out: &mut Vec<u8>, first: &mut bool) {
    if !std::mem::take(first) {
        out.push(b',');
    }
}

fn write_int(out: &mut Vec<u8>, n: i64) {
    let mut buffer = itoa::Buffer::new();
    out.extend_from_slice(buffer.format(n).as_bytes());
}

impl<'a> Reporter<'a> {
    pub fn new(analysis: &'a Analysis, display_root: &str) -> Self {
        let indexes: Vec<LineIndex> = analysis
            .sources
            .iter()
            .map(|s| LineIndex::new(&s.text))
            .collect();
        let signal_at: Vec<(String, u32)> = analysis
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
            fragments: std::sync::OnceLock::new(),
        }
    }

    fn fragments(&self) -> &Fragments {
        self.fragments
            .get_or_init(|| Fragments::new(self.analysis, &self.signal_at))
    }

    /// Appends the compact JSON of [`Reporter::json`] to `out`, byte for
    /// byte the same, without building a `serde_json::Value`: the batch
    /// path of `augur eval --format jsonl`.
    pub fn write_json(&self, out: &mut Vec<u8>, deal: &Json, outcome: &Outcome) {
        let fragments = self.fragments();
        out.extend_from_slice(b"{\"deal\":");
        match deal {
            Json::String(id) => write_string(out, id),
            _ => {
                let _ = serde_json::to_writer(&mut *out, deal);
            }
        }
        out.extend_from_slice(&fragments.after_deal);
        for (index, (arms, arm)) in fragments
            .verdict_arms
            .iter()
            .zip(&outcome.verdicts)
            .enumerate()
        {
            if index > 0 {
                out.push(b',');
            }
            match arms
                .get(*arm as usize)
                .or_else(|| fragments.verdict_none.get(index))
            {
                Some(bytes) => out.extend_from_slice(bytes),
                None => out.extend_from_slice(b"\"\":null"),
            }
        }
        out.extend_from_slice(b"},\"score\":");
        write_int(out, outcome.score);
        out.extend_from_slice(b",\"groups\":{");
        let mut first = true;
        for (group, score) in &outcome.groups {
            if let Some(key) = fragments.group_keys.get(*group as usize) {
                comma(out, &mut first);
                out.extend_from_slice(key);
                write_int(out, *score);
            }
        }
        out.extend_from_slice(b"},\"signals\":[");
        let mut first = true;
        for (id, message) in outcome.messages.iter().enumerate() {
            let (Some(message), Some(head), Some(tail)) = (
                message,
                fragments.signal_heads.get(id),
                fragments.signal_tails.get(id),
            ) else {
                continue;
            };
            comma(out, &mut first);
            match fragments.signal_constants.get(id) {
                Some(Some((text, bytes))) if text == message => out.extend_from_slice(bytes),
                _ => {
                    out.extend_from_slice(head);
                    write_string(out, message);
                    out.extend_from_slice(tail);
                }
            }
        }
        out.extend_from_slice(b"],\"advice\":[");
        let mut first = true;
        for (id, text) in &outcome.advice {
            if let Some(head) = fragments.advice_heads.get(*id as usize) {
                comma(out, &mut first);
                match fragments.advice_constants.get(*id as usize) {
                    Some(Some((constant, bytes))) if constant == text => {
                        out.extend_from_slice(bytes);
                    }
                    _ => {
                        out.extend_from_slice(head);
                        write_string(out, text);
                        out.push(b'}');
                    }
                }
            }
        }
        out.extend_from_slice(b"],\"unknown\":[");
        let mut first = true;
        for fact in &outcome.unknown {
            if let Some(name) = fragments.fact_names.get(*fact as usize) {
                comma(out, &mut first);
                out.extend_from_slice(name);
            }
        }
        out.extend_from_slice(b"]}");
    }

    /// The result object (docs/language.md, "The result").
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
        write_signals_text(program, outcome, "Signals", "No signals fired.", &mut out);
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

/// The fired signals for a person: a section per group (with its score) after
/// the signals outside any group, each signal signed with its label and, when
/// it has one, its message. `heading` and `none` are the words of the
/// report's language. Shared by this report and the guided one.
pub fn write_signals_text(
    program: &augur_check::ir::Program,
    outcome: &Outcome,
    heading: &str,
    none: &str,
    out: &mut String,
) {
    let mut any_signal = false;
    let mut sections: Vec<(Option<u32>, String)> = vec![(None, heading.to_string())];
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
                "  {:>4}  {}\n",
                signed(signal.weight),
                signal.label
            ));
            // A signal without a message renders its label: once is enough.
            if message != &signal.label {
                out.push_str(&format!("        {message}\n"));
            }
        }
    }
    if !any_signal {
        out.push_str(&format!("\n{none}\n"));
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

#[cfg(test)]
mod tests {
    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut every_control: String = (0u8..0x20).map(char::from).collect();
        every_control.push_str("\"\\/ é 王总 🙂 \u{7f}\u{2028}");
        let long =
            "A sudden late objection (unsolvable): they are preparing to \"eliminate\" us.\n"
                .repeat(5);
        for text in [
            "",
            "plain",
            "a\"b",
            "\\",
            "line\nbreak\ttab",
            "12345678\"",
            &every_control,
            &long,
        ] {
            let mut ours = Vec::new();
            super::write_string(&mut ours, text);
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                serde_json::to_string(text).unwrap(),
                "{text:?}"
            );
        }
    }
}

/// `text` ready for a terminal: every control character except line feed
/// and tab (C0, DEL, C1: what moves the cursor, changes colours or sets the
/// window title) written as a visible `\u{1B}`. A playbook cannot hold such
/// characters (the parser refuses them), but a deal's id and text facts
/// can, and text reports print them.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:X}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod terminal_tests {
    use super::terminal_safe;

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(terminal_safe("plain 中文\n\tok"), "plain 中文\n\tok");
        assert_eq!(
            terminal_safe("a\u{1b}]0;owned\u{7}b\rc\u{9b}d\u{7f}"),
            "a\\u{1B}]0;owned\\u{7}b\\u{D}c\\u{9B}d\\u{7F}"
        );
    }
}
