//! Rendering one chunk's results into bytes: each result or error record in
//! the chosen format, and the `--format json` array spliced together from
//! results pretty-printed on the workers.

use super::*;

impl Batch<'_> {
    pub(super) fn render(
        &self,
        source: &str,
        number: u64,
        deal: &Deal,
        outcome: &Outcome,
        done: &mut Done,
    ) {
        let named;
        let id = match &deal.id {
            Some(id) => id,
            None => {
                named = Json::String(record_name(source, number));
                &named
            }
        };
        match self.options.format {
            OutputFormat::Jsonl if !self.options.explain && self.augment.is_none() => {
                self.reporter.write_json(&mut done.output, id, outcome);
                done.output.push(b'\n');
            }
            OutputFormat::Jsonl => {
                let value = self.result_json(id, deal, outcome);
                let _ = serde_json::to_writer(&mut done.output, &value);
                done.output.push(b'\n');
            }
            OutputFormat::Json => {
                let value = self.result_json(id, deal, outcome);
                done.json_items
                    .push(serde_json::to_string_pretty(&value).unwrap_or_default());
            }
            OutputFormat::Text => {
                let label = match &id {
                    Json::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let text = match self.augment {
                    Some(augment) => augment.text(
                        &self.reporter,
                        &label,
                        deal,
                        outcome,
                        self.today_of(deal),
                        self.options.explain,
                    ),
                    None => self.reporter.text(&label, outcome),
                };
                // A deal's id and text facts may hold control characters.
                done.output
                    .extend_from_slice(crate::report::terminal_safe(&text).as_bytes());
                done.output.push(b'\n');
            }
        }
    }

    pub(super) fn result_json(&self, id: &Json, deal: &Deal, outcome: &Outcome) -> Json {
        let mut value = self.reporter.json(id, outcome);
        if self.options.explain {
            self.reporter
                .add_explanation(outcome, &deal.facts, &mut value);
        }
        if let Some(augment) = self.augment {
            augment.json(deal, outcome, self.today_of(deal), &mut value);
        }
        value
    }

    pub(super) fn render_error(&self, name: &str, error: &DealError, done: &mut Done) {
        done.totals.deals += 1;
        done.totals.failed += 1;
        done.messages
            .push(format!("error: {name} {}: {}", error.path, error.message));
        let value =
            json!({ "deal": name, "error": { "message": error.message, "path": error.path } });
        match self.options.format {
            OutputFormat::Text => {}
            OutputFormat::Jsonl => {
                let _ = serde_json::to_writer(&mut done.output, &value);
                done.output.push(b'\n');
            }
            OutputFormat::Json => done
                .json_items
                .push(serde_json::to_string_pretty(&value).unwrap_or_default()),
        }
    }

    pub(super) fn write(
        &self,
        done: Done,
        totals: &mut Totals,
        sink: &mut dyn Sink,
        buffers: &Buffers,
    ) -> io::Result<()> {
        for message in &done.messages {
            sink.message(message);
        }
        sink.output(&done.output)?;
        buffers.give_output(done.output);
        for item in done.json_items {
            self.write_json_item(item, totals, sink)?;
        }
        totals.merge(&done.totals);
        sink.progress(totals.deals, done.consumed);
        Ok(())
    }

    /// `--format json` writes one object for one result and an array for
    /// several, like `serde_json::to_string_pretty` of the array would.
    pub(super) fn write_json_item(
        &self,
        item: String,
        totals: &mut Totals,
        sink: &mut dyn Sink,
    ) -> io::Result<()> {
        totals.json_items += 1;
        match totals.json_items {
            1 => {
                totals.json_first = Some(item);
                Ok(())
            }
            2 => {
                let first = totals.json_first.take().unwrap_or_default();
                sink.output(b"[\n")?;
                sink.output(indent(&first).as_bytes())?;
                sink.output(b",\n")?;
                sink.output(indent(&item).as_bytes())
            }
            _ => {
                sink.output(b",\n")?;
                sink.output(indent(&item).as_bytes())
            }
        }
    }
}

/// Indents a pretty-printed element of an array by one level. JSON strings
/// hold no raw line breaks, so every `\n` is a line of the layout.
pub(super) fn indent(item: &str) -> String {
    let mut out = String::with_capacity(item.len() + 64);
    out.push_str("  ");
    out.push_str(&item.replace('\n', "\n  "));
    out
}
