//! `augur diff` for people: the summary and its transition tables, and
//! each changed deal, as text for a terminal and as Markdown for a pull
//! request. What the comparison found is computed in `diff` itself; this
//! module only words it.

use super::*;

impl Diff<'_> {
    /// The summary for people: counts, what changed in the playbook, and a
    /// transition table per verdict (rows OLD, columns NEW).
    pub fn summary_text(&self, summary: &DiffSummary, old_name: &str, new_name: &str) -> String {
        let mut out = format!(
            "Compared {old_name} (OLD) with {new_name} (NEW) on {} deal(s): {} changed a verdict, {} changed in any way",
            summary.deals, summary.verdicts_changed, summary.changed
        );
        if summary.failed > 0 {
            out.push_str(&format!(
                ", {} could not be evaluated by either",
                summary.failed
            ));
        }
        out.push_str(".\n");
        for line in self.changes_text() {
            out.push_str(&format!("  {line}\n"));
        }
        for (pair, table) in self.verdicts.iter().zip(&summary.transitions) {
            out.push_str(&format!(
                "\n{} ({}): rows OLD, columns NEW\n",
                pair.label, pair.name
            ));
            out.push_str(&self.table_text(pair, table));
        }
        out
    }

    /// One line per kind of change in the playbook itself.
    pub fn changes_text(&self) -> Vec<String> {
        let c = &self.changes;
        let mut lines = Vec::new();
        let list = |items: &[String]| items.join(", ");
        let typed = |items: &[(String, String)]| {
            items
                .iter()
                .map(|(n, t)| format!("{n} ({t})"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !c.facts_added.is_empty() {
            lines.push(format!("facts added: {}", typed(&c.facts_added)));
        }
        if !c.facts_removed.is_empty() {
            lines.push(format!("facts removed: {}", typed(&c.facts_removed)));
        }
        if !c.facts_retyped.is_empty() {
            let items: Vec<String> = c
                .facts_retyped
                .iter()
                .map(|(n, a, b)| format!("{n} ({a} → {b})"))
                .collect();
            lines.push(format!("facts retyped: {}", items.join(", ")));
        }
        if !c.signals_added.is_empty() {
            lines.push(format!("signals added: {}", list(&c.signals_added)));
        }
        if !c.signals_removed.is_empty() {
            lines.push(format!("signals removed: {}", list(&c.signals_removed)));
        }
        if !c.weights.is_empty() {
            let items: Vec<String> = c
                .weights
                .iter()
                .map(|(n, a, b)| format!("{n} {a:+} → {b:+}"))
                .collect();
            lines.push(format!("weights changed: {}", items.join(", ")));
        }
        if !c.verdicts_added.is_empty() {
            lines.push(format!("verdicts added: {}", list(&c.verdicts_added)));
        }
        if !c.verdicts_removed.is_empty() {
            lines.push(format!("verdicts removed: {}", list(&c.verdicts_removed)));
        }
        let arms = |items: &[(String, String)]| {
            items
                .iter()
                .map(|(v, a)| format!("{v}.{a}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !c.arms_added.is_empty() {
            lines.push(format!("verdict arms added: {}", arms(&c.arms_added)));
        }
        if !c.arms_removed.is_empty() {
            lines.push(format!("verdict arms removed: {}", arms(&c.arms_removed)));
        }
        if !c.advice_added.is_empty() {
            lines.push(format!("advice added: {}", list(&c.advice_added)));
        }
        if !c.advice_removed.is_empty() {
            lines.push(format!("advice removed: {}", list(&c.advice_removed)));
        }
        for condition in &c.conditions {
            lines.push(format!(
                "condition of {} changed: {} → {}",
                condition.label(),
                condition.from,
                condition.to
            ));
        }
        lines
    }

    fn table_text(&self, pair: &VerdictPair, table: &[Vec<u64>]) -> String {
        let rows = pair_transitions(pair, table);
        let columns = column_names(&rows);
        let first_width = rows
            .keys()
            .map(|k| unicode_width::UnicodeWidthStr::width(k.as_str()))
            .chain([7])
            .max()
            .unwrap_or(7);
        let widths: Vec<usize> = columns.iter().map(|c| columns_of(c).max(6)).collect();
        let mut out = format!("  {:<first_width$}", "OLD\\NEW");
        for (column, width) in columns.iter().zip(&widths) {
            let room = " ".repeat(width.saturating_sub(columns_of(column)));
            out.push_str(&format!("  {room}{column}"));
        }
        out.push('\n');
        for (from, cells) in &rows {
            let room = " ".repeat(first_width.saturating_sub(columns_of(from)));
            out.push_str(&format!("  {from}{room}"));
            for (column, width) in columns.iter().zip(&widths) {
                let n = cells.get(column).and_then(Json::as_u64).unwrap_or(0);
                out.push_str(&format!("  {n:>width$}"));
            }
            out.push('\n');
        }
        out
    }

    /// Markdown table of one verdict's transitions.
    pub fn summary_markdown(
        &self,
        summary: &DiffSummary,
        old_name: &str,
        new_name: &str,
    ) -> String {
        let mut out = format!(
            "### What this playbook change does\n\n`{old_name}` → `{new_name}` on **{}** deal(s): **{}** changed a verdict, {} changed in any way",
            summary.deals, summary.verdicts_changed, summary.changed
        );
        if summary.failed > 0 {
            out.push_str(&format!(", {} could not be evaluated", summary.failed));
        }
        out.push_str(".\n\n");
        for line in self.changes_text() {
            out.push_str(&format!("- {}\n", markdown_escape(&line)));
        }
        for (pair, table) in self.verdicts.iter().zip(&summary.transitions) {
            let rows = pair_transitions(pair, table);
            let columns = column_names(&rows);
            out.push_str(&format!(
                "\n**{}** (`{}`): rows old, columns new\n\n| old \\ new |",
                markdown_escape(&pair.label),
                pair.name
            ));
            for column in &columns {
                out.push_str(&format!(" {column} |"));
            }
            out.push_str("\n|---|");
            out.push_str(&"---:|".repeat(columns.len()));
            out.push('\n');
            for (from, cells) in &rows {
                out.push_str(&format!("| {from} |"));
                for column in &columns {
                    let n = cells.get(column).and_then(Json::as_u64).unwrap_or(0);
                    if n > 0 && from != column {
                        out.push_str(&format!(" **{n}** |"));
                    } else {
                        out.push_str(&format!(" {n} |"));
                    }
                }
                out.push('\n');
            }
        }
        out
    }
}

/// Terminal columns of `text` (Chinese characters take two).
fn columns_of(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// The column names of a transition table.
fn column_names(rows: &Map<String, Json>) -> Vec<String> {
    rows.values()
        .next()
        .and_then(Json::as_object)
        .map(|c| c.keys().cloned().collect())
        .unwrap_or_default()
}

/// Escapes the characters Markdown would read as formatting.
pub fn markdown_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '|' | '*' | '_' | '`' | '<' | '>' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A deal's label in text: its id as text.
pub fn deal_label(deal: &Json) -> String {
    match deal {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The text of one changed deal.
pub fn change_text(change: &DealChange) -> String {
    let mut out = format!("{}\n", deal_label(&change.deal));
    for (verdict, from, to) in &change.verdicts {
        out.push_str(&format!("  {verdict}: {from} → {to}\n"));
    }
    if let Some(error) = &change.errors.0 {
        out.push_str(&format!("  OLD could not evaluate it: {error}\n"));
    }
    if let Some(error) = &change.errors.1 {
        out.push_str(&format!("  NEW could not evaluate it: {error}\n"));
    }
    if change.score.0 != change.score.1 {
        out.push_str(&format!(
            "  score: {} → {}\n",
            change.score.0, change.score.1
        ));
    }
    if !change.signals_added.is_empty() {
        out.push_str(&format!(
            "  fired only in NEW: {}\n",
            change.signals_added.join(", ")
        ));
    }
    if !change.signals_removed.is_empty() {
        out.push_str(&format!(
            "  fired only in OLD: {}\n",
            change.signals_removed.join(", ")
        ));
    }
    for (signal, from, to) in &change.weights {
        out.push_str(&format!("  weight of {signal}: {from:+} → {to:+}\n"));
    }
    if !change.conditions.is_empty() {
        out.push_str(&format!(
            "  conditions changed: {}\n",
            change.conditions.join(", ")
        ));
    }
    if !change.advice_added.is_empty() {
        out.push_str(&format!(
            "  advice gained: {}\n",
            change.advice_added.join(", ")
        ));
    }
    if !change.advice_removed.is_empty() {
        out.push_str(&format!(
            "  advice lost: {}\n",
            change.advice_removed.join(", ")
        ));
    }
    out
}

/// One changed deal as a Markdown list item.
pub fn change_markdown(change: &DealChange) -> String {
    let mut parts = Vec::new();
    for (verdict, from, to) in &change.verdicts {
        parts.push(format!("{verdict}: {from} → **{to}**"));
    }
    if change.score.0 != change.score.1 {
        parts.push(format!("score {} → {}", change.score.0, change.score.1));
    }
    if !change.signals_added.is_empty() {
        parts.push(format!("+{}", change.signals_added.join(", +")));
    }
    if !change.signals_removed.is_empty() {
        parts.push(format!("−{}", change.signals_removed.join(", −")));
    }
    for (signal, from, to) in &change.weights {
        parts.push(format!("weight of {signal} {from:+} → {to:+}"));
    }
    if !change.conditions.is_empty() {
        parts.push(format!(
            "conditions changed: {}",
            change.conditions.join(", ")
        ));
    }
    if !change.advice_added.is_empty() {
        parts.push(format!("advice gained: {}", change.advice_added.join(", ")));
    }
    if !change.advice_removed.is_empty() {
        parts.push(format!("advice lost: {}", change.advice_removed.join(", ")));
    }
    if change.errors.0.is_some() || change.errors.1.is_some() {
        parts.push("evaluated by one version only".to_string());
    }
    format!(
        "- `{}`: {}\n",
        deal_label(&change.deal).replace('`', "'"),
        markdown_escape(&parts.join("; ")).replace("\\*\\*", "**")
    )
}
