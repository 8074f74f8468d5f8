//! Arbitrary bytes as a CSV export against the flagship playbooks:
//! - the batch pipeline never panics or hangs, and gives exactly one record
//!   per data row (a ragged row, a bad cell, a duplicate column: an error
//!   record, never a lost or an extra one);
//! - a header naming a column twice is refused as a whole;
//! - every cell the CSV reader accepts for a fact reads the same through
//!   `cell_value` without panicking, any error naming its column.
#![no_main]

use augur_check::{analyze, Analysis, FsLoader};
use augur_eval::batch::{Batch, Input, InputKind, Options, OutputFormat, Sink, Totals};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn playbooks() -> &'static [Analysis] {
    static PLAYBOOKS: OnceLock<Vec<Analysis>> = OnceLock::new();
    PLAYBOOKS.get_or_init(|| {
        let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples");
        ["standing.augur", "standing.zh.augur"]
            .iter()
            .map(|name| {
                let analysis = analyze(name, &FsLoader::new(examples));
                assert!(!analysis.has_errors(), "{name}: {:?}", analysis.diagnostics);
                analysis
            })
            .collect()
    })
}

#[derive(Default)]
struct Memory {
    out: Vec<u8>,
}

impl Sink for Memory {
    fn output(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.out.extend_from_slice(bytes);
        Ok(())
    }
    fn message(&mut self, _line: &str) {}
}

fn options() -> Options {
    Options {
        format: OutputFormat::Jsonl,
        explain: false,
        strict: false,
        today: None,
        fallback_today: augur_syntax::Date::from_ymd(2026, 11, 28)
            .unwrap_or_else(|| panic!("date")),
        jobs: 1,
    }
}

fuzz_target!(|data: &[u8]| {
    for analysis in playbooks() {
        let batch = Batch::new(analysis, "examples", options());
        let mut sink = Memory::default();
        let mut totals = Totals::default();
        let input = Input {
            name: "fuzz.csv".into(),
            kind: InputKind::Csv,
            reader: Box::new(std::io::Cursor::new(data.to_vec())),
        };
        let result = batch.run(input, &mut totals, &mut sink);
        let lines = sink.out.iter().filter(|b| **b == b'\n').count() as u64;
        assert_eq!(lines, totals.deals);
        // The rows the csv crate sees after the header are the records.
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(std::io::Cursor::new(data));
        if let Ok(header) = reader.headers().cloned() {
            let columns: Vec<String> = header
                .iter()
                .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
                .collect();
            let duplicate = columns
                .iter()
                .enumerate()
                .any(|(i, c)| columns.iter().take(i).any(|d| d == c));
            if duplicate {
                assert!(result.is_err(), "a duplicate column must refuse the file");
                assert_eq!(totals.deals, 0);
                continue;
            }
            let rows = reader.records().count() as u64;
            if result.is_ok() {
                assert_eq!(totals.deals, rows);
            }
            // One way to read a cell: alone as in its row.
            let program = &analysis.program;
            let mut rows = csv::ReaderBuilder::new()
                .flexible(true)
                .from_reader(std::io::Cursor::new(data));
            for row in rows.records().flatten().take(4) {
                for (column, cell) in columns.iter().zip(row.iter()) {
                    if program.fact_index(column).is_none() || cell.trim().is_empty() {
                        continue;
                    }
                    if let Ok(Some(_)) = augur_eval::csv_deals::cell_json(program, column, cell) {
                        if let Err(error) = augur_eval::csv_deals::cell_value(program, column, cell)
                        {
                            // The column itself, or a place inside its value.
                            let path = format!("$.{column}");
                            let rest = error.path.strip_prefix(&path);
                            assert!(
                                rest.is_some_and(|r| r.is_empty()
                                    || r.starts_with('.')
                                    || r.starts_with('[')),
                                "{error}"
                            );
                        }
                    }
                }
            }
        }
    }
});
