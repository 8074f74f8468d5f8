//! The end of a batch: `--summary` (deals per verdict arm, the signals that
//! fired most) as a JSON record or text, and closing the `--format json`
//! array.

use super::*;

/// Signals listed by `--summary`.
pub const SUMMARY_SIGNALS: usize = 10;

impl Batch<'_> {
    /// Ends the output after the last input: closes the JSON document and,
    /// with `summary`, adds the summary (a last record in json and jsonl,
    /// lines on stderr in text).
    pub fn finish(
        &self,
        totals: &mut Totals,
        summary: bool,
        sink: &mut dyn Sink,
    ) -> io::Result<()> {
        let summary_json = summary.then(|| self.summary_json(totals));
        match self.options.format {
            OutputFormat::Text => {
                if summary {
                    for line in self.summary_text(totals).lines() {
                        sink.message(line);
                    }
                }
            }
            OutputFormat::Jsonl => {
                if let Some(value) = summary_json {
                    let mut line = value.to_string();
                    line.push('\n');
                    sink.output(line.as_bytes())?;
                }
            }
            OutputFormat::Json => {
                if let Some(value) = summary_json {
                    // With a summary the document is always an array, its
                    // last element the summary.
                    if let Some(first) = totals.json_first.take() {
                        sink.output(b"[\n")?;
                        sink.output(indent(&first).as_bytes())?;
                        totals.json_items = 2;
                    }
                    let item = serde_json::to_string_pretty(&value).unwrap_or_default();
                    if totals.json_items == 0 {
                        sink.output(b"[\n")?;
                        totals.json_items = 2;
                    } else {
                        sink.output(b",\n")?;
                    }
                    sink.output(indent(&item).as_bytes())?;
                }
                match (totals.json_items, totals.json_first.take()) {
                    (0, _) => sink.output(b"[]\n")?,
                    (_, Some(first)) => {
                        sink.output(first.as_bytes())?;
                        sink.output(b"\n")?;
                    }
                    _ => sink.output(b"\n]\n")?,
                }
            }
        }
        Ok(())
    }

    /// The most frequent signals: `(signal, times fired)`, most first.
    pub(super) fn top_signals(&self, totals: &Totals) -> Vec<(usize, u64)> {
        let mut fired: Vec<(usize, u64)> = totals
            .signals
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, n)| *n > 0)
            .collect();
        fired.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        fired.truncate(SUMMARY_SIGNALS);
        fired
    }

    /// The `--summary` record of json and jsonl output.
    pub fn summary_json(&self, totals: &Totals) -> Json {
        let program = &self.analysis.program;
        let mut verdicts = serde_json::Map::new();
        for (id, verdict) in program.verdicts.iter().enumerate() {
            let counts = totals.arms.get(id);
            let arms: serde_json::Map<String, Json> = verdict
                .arms
                .iter()
                .enumerate()
                .map(|(arm, info)| {
                    let n = counts.and_then(|c| c.get(arm)).copied().unwrap_or(0);
                    (info.name.clone(), Json::from(n))
                })
                .collect();
            verdicts.insert(verdict.name.clone(), Json::Object(arms));
        }
        let signals: Vec<Json> = self
            .top_signals(totals)
            .into_iter()
            .filter_map(|(id, n)| {
                program
                    .signals
                    .get(id)
                    .map(|s| json!({ "name": s.name, "label": s.label, "fired": n }))
            })
            .collect();
        json!({ "summary": {
            "deals": totals.deals,
            "evaluated": totals.deals - totals.failed,
            "failed": totals.failed,
            "verdicts": verdicts,
            "signals": signals,
        }})
    }

    /// The `--summary` lines of text output.
    pub fn summary_text(&self, totals: &Totals) -> String {
        let program = &self.analysis.program;
        let mut out = format!(
            "Summary: {} deal(s), {} evaluated, {} could not be evaluated\n",
            totals.deals,
            totals.deals - totals.failed,
            totals.failed
        );
        for (id, verdict) in program.verdicts.iter().enumerate() {
            let counts = totals.arms.get(id);
            let arms: Vec<String> = verdict
                .arms
                .iter()
                .enumerate()
                .map(|(arm, info)| {
                    let n = counts.and_then(|c| c.get(arm)).copied().unwrap_or(0);
                    format!("{} {n}", info.label)
                })
                .collect();
            out.push_str(&format!("  {}: {}\n", verdict.label, arms.join(" · ")));
        }
        let top = self.top_signals(totals);
        if !top.is_empty() {
            out.push_str("  Signals that fired most often:\n");
            for (id, n) in top {
                if let Some(signal) = program.signals.get(id) {
                    out.push_str(&format!("  {n:>8}  {} ({})\n", signal.label, signal.name));
                }
            }
        }
        out
    }
}
