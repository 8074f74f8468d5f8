//! Batch evaluation: every deal of a CRM export, streamed, on every core,
//! results in input order.
//!
//! The pipeline has three stages joined by bounded channels, so memory stays
//! flat whatever the input size:
//!
//! ```text
//!  reader thread ──chunks──▶ N worker threads ──results──▶ writer (caller's thread)
//!  cuts lines/rows           decode + evaluate +            puts chunks back in
//!  into numbered chunks      render into a byte buffer      order, writes, reports
//! ```
//!
//! A chunk holds up to [`CHUNK_RECORDS`] records, fewer when each record's
//! output is large (so that a chunk's rendered output stays near
//! [`CHUNK_OUTPUT_BYTES`] whatever the playbook's size), and is also cut whenever
//! the reader has no more input buffered, so a deal piped in on stdin is
//! answered at once rather than when a chunk fills up.
//!
//! One job per file: `pipeline.rs` (the stages and channels), `read.rs`
//! (cutting inputs into chunks), `render.rs` (results into bytes),
//! `summary.rs` (the end of a batch); the types they share, and decoding
//! and evaluating a chunk, are here.
//!
//! This module knows streams, not files or terminals: the CLI opens the
//! inputs and implements [`Sink`] (stdout, stderr, the progress bar).

use crate::deal::{check_deal_size, Deal, DealError, MAX_DEAL_BYTES};
use crate::decode::DealDecoder;
use crate::eval::{evaluate, EvalError, Outcome};
use crate::report::Reporter;
use augur_check::Analysis;
use augur_syntax::Date;
use serde_json::{json, Value as Json};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::{self, BufRead, BufReader, Read};
use std::ops::Range;

mod pipeline;
mod read;
mod record;
mod render;
mod summary;

pub use pipeline::map_records;
use pipeline::pipeline;
use read::{read_chunks, CsvRules};
pub use record::Record;
use record::{csv_text, not_utf8, record_name, Source};
use render::indent;
pub use summary::SUMMARY_SIGNALS;

/// Most records in one chunk of work.
pub const CHUNK_RECORDS: usize = 512;

/// The rendered output one chunk aims at: the workers measure the output
/// per record and the reader cuts chunks so that a chunk's output stays near
/// this, so memory in flight does not grow with the size of the playbook's
/// reports.
pub const CHUNK_OUTPUT_BYTES: usize = 1024 * 1024;

/// Records in the first chunks, before any output has been measured.
const FIRST_CHUNK_RECORDS: usize = 4;

/// Most JSON text in one chunk of work, in bytes.
const CHUNK_BYTES: usize = 1024 * 1024;

/// Stack of each worker thread: deep enough that evaluation never needs to
/// grow its stack (see `augur_syntax::with_stack`), which would cost a
/// system call per deal. Only the pages touched count towards memory.
const WORKER_STACK_BYTES: usize = 64 * 1024 * 1024;

/// Read buffer of JSONL inputs.
const READ_BUFFER_BYTES: usize = 256 * 1024;

/// How results are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// The report for a rep; errors go to stderr only.
    Text,
    /// One pretty JSON document: a single result, or an array of them.
    Json,
    /// One compact JSON result a line.
    Jsonl,
}

/// How a batch is run.
#[derive(Clone, Debug)]
pub struct Options {
    pub format: OutputFormat,
    /// List every signal with the values its condition read.
    pub explain: bool,
    /// Deal keys that are not facts are errors, not warnings.
    pub strict: bool,
    /// `--today`: the evaluation date for every deal.
    pub today: Option<Date>,
    /// The date for deals without `"as_of"` when there is no `--today`.
    pub fallback_today: Date,
    /// Worker threads (at least one).
    pub jobs: usize,
}

/// What an input holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// One deal as a JSON document.
    Json,
    /// One deal a line.
    Jsonl,
    /// A header row naming facts, then one deal a row.
    Csv,
    /// stdin without `--input`: JSON Lines, so one broken line costs one
    /// record. When the first line looks like the start of a pretty-printed
    /// deal, a hint says to pass `--input json`; the rule itself never
    /// changes with what the data looks like.
    Stdin,
}

/// One input stream and the name its records are reported under
/// (`deals.jsonl:17`).
pub struct Input<'r> {
    pub name: String,
    pub kind: InputKind,
    pub reader: Box<dyn Read + Send + 'r>,
}

/// Where a batch sends what it produces. Called on the caller's thread only.
pub trait Sink {
    /// Result bytes, in input order (stdout).
    fn output(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// One line for the person watching: a warning, an error, the summary
    /// (stderr).
    fn message(&mut self, line: &str);
    /// `deals` records done, `bytes` of the current input consumed.
    fn progress(&mut self, _deals: u64, _bytes: u64) {}
}

/// The running totals of a batch, across its inputs.
#[derive(Clone, Debug, Default)]
pub struct Totals {
    /// Records read (results plus errors).
    pub deals: u64,
    /// Records that could not be evaluated.
    pub failed: u64,
    /// How often each verdict chose each arm.
    pub arms: Vec<Vec<u64>>,
    /// How often each signal fired.
    pub signals: Vec<u64>,
    /// `--format json`: results so far, and the first one, held back until
    /// we know whether the output is one object or an array.
    json_items: u64,
    json_first: Option<String>,
}

impl Totals {
    fn merge(&mut self, other: &Totals) {
        self.deals += other.deals;
        self.failed += other.failed;
        add_counts(&mut self.signals, &other.signals);
        if self.arms.len() < other.arms.len() {
            self.arms.resize(other.arms.len(), Vec::new());
        }
        for (mine, theirs) in self.arms.iter_mut().zip(&other.arms) {
            add_counts(mine, theirs);
        }
    }

    fn count(&mut self, outcome: &Outcome) {
        self.deals += 1;
        if self.arms.len() < outcome.verdicts.len() {
            self.arms.resize(outcome.verdicts.len(), Vec::new());
        }
        for (counts, arm) in self.arms.iter_mut().zip(&outcome.verdicts) {
            let arm = *arm as usize;
            if counts.len() <= arm {
                counts.resize(arm + 1, 0);
            }
            if let Some(count) = counts.get_mut(arm) {
                *count += 1;
            }
        }
        if self.signals.len() < outcome.fired.len() {
            self.signals.resize(outcome.fired.len(), 0);
        }
        for (count, fired) in self.signals.iter_mut().zip(&outcome.fired) {
            *count += u64::from(*fired);
        }
    }
}

fn add_counts(mine: &mut Vec<u64>, theirs: &[u64]) {
    if mine.len() < theirs.len() {
        mine.resize(theirs.len(), 0);
    }
    for (a, b) in mine.iter_mut().zip(theirs) {
        *a += b;
    }
}

/// A playbook ready to evaluate batches of deals.
pub struct Batch<'a> {
    analysis: &'a Analysis,
    reporter: Reporter<'a>,
    /// [`DealDecoder::for_rules`] with the fast path (which shows only what
    /// rules read), else [`DealDecoder::new`].
    decoder: DealDecoder<'a>,
    options: Options,
    /// Reporting added by a library above this crate (guidance).
    augment: Option<&'a (dyn Augment + 'a)>,
    /// `--set`: facts every deal is evaluated with, whatever it records.
    set: Vec<(u32, crate::Value)>,
    /// The fast path ([`crate::fast`]), unless `--explain`, an augment or
    /// [`Batch::reference_path`] needs every let's value.
    fast: Option<crate::fast::Evaluator<'a>>,
}

/// What a library above `augur-eval` adds to each result (`augur-guide`'s
/// possible verdicts and what to find out next). With an augment, every
/// result goes through the `serde_json::Value` path, never the fast jsonl
/// writer.
pub trait Augment: Sync {
    /// Adds members to the result object of one deal.
    fn json(&self, deal: &Deal, outcome: &Outcome, today: Date, result: &mut Json);
    /// The whole text report of one deal; `reporter` is the batch's, for
    /// the plain report.
    fn text(
        &self,
        reporter: &Reporter<'_>,
        label: &str,
        deal: &Deal,
        outcome: &Outcome,
        today: Date,
        explain: bool,
    ) -> String;
}

/// The body of one input record, before decoding.
enum RawBody {
    /// JSON text: a range of the chunk's text.
    Json(Range<usize>),
    /// A CSV row, its UTF-8 not yet checked: the worker checks it in one
    /// pass over the row ([`csv_text`]) rather than the reader cell by cell.
    Csv(csv::ByteRecord),
    /// A record that could not even be read (too large, not UTF-8).
    Unreadable(DealError),
}

struct RawRecord {
    /// Line (JSONL), row (CSV, the header is row 1), or 0 for a whole file.
    number: u64,
    body: RawBody,
}

/// Records cut from an input, numbered so results can be put back in order.
struct Chunk {
    seq: u64,
    /// Bytes of the input consumed up to the end of this chunk.
    consumed: u64,
    text: String,
    records: Vec<RawRecord>,
    /// Warnings about the input itself (a CSV header), shown before the
    /// chunk's records.
    notes: Vec<String>,
}

/// A chunk evaluated and rendered.
struct Done {
    seq: u64,
    consumed: u64,
    output: Vec<u8>,
    /// `--format json`: each result, pretty-printed.
    json_items: Vec<String>,
    messages: Vec<String>,
    totals: Totals,
}

/// Buffers handed back after use, so the pipeline reuses the same few
/// megabytes instead of allocating (and page-faulting) fresh ones per chunk.
struct Buffers {
    texts: std::sync::Mutex<Vec<String>>,
    outputs: std::sync::Mutex<Vec<Vec<u8>>>,
    /// Records per chunk, adapted to the output measured per record.
    chunk_records: std::sync::atomic::AtomicUsize,
    /// Output bytes per record last measured, to size a chunk's output
    /// buffer before rendering (growing it by doubling copies it each time).
    output_per_record: std::sync::atomic::AtomicUsize,
}

/// Buffers kept for reuse at most, of each kind.
const POOLED_BUFFERS: usize = 16;

impl Buffers {
    fn new() -> Self {
        Buffers {
            texts: std::sync::Mutex::new(Vec::new()),
            outputs: std::sync::Mutex::new(Vec::new()),
            chunk_records: std::sync::atomic::AtomicUsize::new(FIRST_CHUNK_RECORDS),
            output_per_record: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// How many records the reader puts in a chunk now.
    fn chunk_records(&self) -> usize {
        self.chunk_records
            .load(std::sync::atomic::Ordering::Relaxed)
            .clamp(1, CHUNK_RECORDS)
    }

    /// A worker rendered `records` records into `bytes` bytes: size the
    /// next chunks so their output stays near [`CHUNK_OUTPUT_BYTES`].
    fn observe(&self, records: usize, bytes: usize) {
        if records == 0 {
            return;
        }
        let per_record = bytes / records + 1;
        self.output_per_record
            .store(per_record, std::sync::atomic::Ordering::Relaxed);
        let wanted = (CHUNK_OUTPUT_BYTES / per_record).clamp(1, CHUNK_RECORDS);
        self.chunk_records
            .store(wanted, std::sync::atomic::Ordering::Relaxed);
    }

    fn text(&self) -> String {
        self.texts
            .lock()
            .ok()
            .and_then(|mut pool| pool.pop())
            .unwrap_or_default()
    }

    /// An empty output buffer with room for `records` records' output as
    /// last measured (and a quarter more, for records longer than most).
    fn output(&self, records: usize) -> Vec<u8> {
        let mut output: Vec<u8> = self
            .outputs
            .lock()
            .ok()
            .and_then(|mut pool| pool.pop())
            .unwrap_or_default();
        let per_record = self
            .output_per_record
            .load(std::sync::atomic::Ordering::Relaxed);
        let expected = per_record.saturating_mul(records);
        output.reserve(
            expected
                .saturating_add(expected / 4)
                .min(2 * CHUNK_OUTPUT_BYTES),
        );
        output
    }

    fn give_text(&self, mut text: String) {
        text.clear();
        if let Ok(mut pool) = self.texts.lock() {
            if pool.len() < POOLED_BUFFERS {
                pool.push(text);
            }
        }
    }

    fn give_output(&self, mut output: Vec<u8>) {
        output.clear();
        if let Ok(mut pool) = self.outputs.lock() {
            if pool.len() < POOLED_BUFFERS {
                pool.push(output);
            }
        }
    }
}

/// The fast evaluator's buffers for [`Batch::evaluate_record`], and the
/// outcomes given back with [`Batch::recycle`].
#[derive(Default)]
struct RecordScratch {
    buffers: crate::fast::Scratch,
    spare: Vec<Outcome>,
}

/// Outcomes a worker thread keeps for reuse (a diff has two in flight).
const SPARE_OUTCOMES: usize = 4;

thread_local! {
    /// One [`RecordScratch`] per worker thread. Every evaluation resets the
    /// buffers (and refills an outcome) for its playbook, so the two
    /// versions `augur diff` evaluates can share them.
    static RECORD_SCRATCH: RefCell<RecordScratch> = RefCell::new(RecordScratch::default());
}

impl<'a> Batch<'a> {
    /// `display_root` is prefixed to file names in reports (`"at"`).
    pub fn new(analysis: &'a Analysis, display_root: &str, options: Options) -> Self {
        Batch {
            analysis,
            reporter: Reporter::new(analysis, display_root),
            // Only the fast path shows nothing but what rules read.
            decoder: if options.explain {
                DealDecoder::new(&analysis.program)
            } else {
                DealDecoder::for_rules(&analysis.program)
            },
            options: Options {
                jobs: options.jobs.max(1),
                ..options
            },
            augment: None,
            set: Vec::new(),
            fast: (!options.explain).then(|| crate::fast::Evaluator::new(&analysis.program)),
        }
    }

    /// Adds `augment`'s members and text to every result.
    pub fn with_augment(mut self, augment: &'a (dyn Augment + 'a)) -> Self {
        self.augment = Some(augment);
        self.fast = None;
        self.decoder.build_everything();
        self
    }

    /// Evaluates every deal on the reference path (`eval::evaluate`), not
    /// the fast one: the oracle the differential tests compare with.
    pub fn reference_path(mut self) -> Self {
        self.fast = None;
        self.decoder.build_everything();
        self
    }

    /// Evaluates every deal as if it recorded these facts (`--set`).
    pub fn with_set(mut self, set: Vec<(u32, crate::Value)>) -> Self {
        self.set = set;
        self
    }

    fn today_of(&self, deal: &Deal) -> Date {
        self.options
            .today
            .or(deal.as_of)
            .unwrap_or(self.options.fallback_today)
    }

    /// Evaluates every record of `input`, writing results to `sink` in input
    /// order. `Err` means the input as a whole could not be read (it may
    /// have produced results before that); a bad record is never an `Err`,
    /// only a failed record in `totals`.
    pub fn run(
        &self,
        input: Input<'_>,
        totals: &mut Totals,
        sink: &mut dyn Sink,
    ) -> Result<(), String> {
        let Input { name, kind, reader } = input;
        let name = if name == "-" {
            "stdin".to_string()
        } else {
            name
        };
        let buffers = Buffers::new();
        let buffers = &buffers;
        let csv = CsvRules {
            program: Some(&self.analysis.program),
            strict: self.options.strict,
        };
        pipeline(
            &name,
            kind,
            reader,
            csv,
            self.options.jobs,
            buffers,
            &|chunk, source| {
                let done = self.process(chunk, source, buffers);
                (done.seq, done)
            },
            &mut |done| self.write(done, totals, sink, buffers),
        )
    }

    /// The analysis this batch evaluates.
    pub fn analysis(&self) -> &'a Analysis {
        self.analysis
    }

    /// Decodes one record for this playbook and evaluates it, as [`Batch::run`]
    /// does for each record (warnings about keys that are not facts go to
    /// `messages`, except the keys in `quiet`). For callers that do their own
    /// per-record work with [`map_records`]: `augur diff` evaluates each
    /// record with two playbooks, `augur backtest` scores outcomes.
    pub fn evaluate_record(
        &self,
        record: &Record<'_>,
        quiet: &[&str],
        messages: &mut Vec<String>,
    ) -> Result<(Deal, Outcome), DealError> {
        let mut deal = record.decode(&self.decoder)?;
        deal.unknown_keys
            .retain(|key| !quiet.contains(&key.as_str()));
        self.evaluate(&record.source.name, record.number, deal, messages)
    }

    /// Evaluates one chunk. A panic (a bug: the library is written not to)
    /// turns the chunk's records into error records instead of taking the
    /// batch down.
    fn process(&self, chunk: Chunk, source: &Source, buffers: &Buffers) -> Done {
        let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.process_chunk(&chunk, source, buffers)
        }))
        .unwrap_or_else(|_| {
            let mut done = self.empty_done(chunk.seq, chunk.consumed);
            for record in &chunk.records {
                let error = DealError {
                    message: "internal error while evaluating this deal (please report it)".into(),
                    path: "$".into(),
                };
                self.render_error(&record_name(&source.name, record.number), &error, &mut done);
            }
            done
        });
        let bytes = done.output.len() + done.json_items.iter().map(String::len).sum::<usize>();
        buffers.observe(chunk.records.len(), bytes);
        buffers.give_text(chunk.text);
        done
    }

    fn empty_done(&self, seq: u64, consumed: u64) -> Done {
        Done {
            seq,
            consumed,
            output: Vec::new(),
            json_items: Vec::new(),
            messages: Vec::new(),
            totals: Totals::default(),
        }
    }

    fn process_chunk(&self, chunk: &Chunk, source: &Source, buffers: &Buffers) -> Done {
        let mut done = self.empty_done(chunk.seq, chunk.consumed);
        done.output = buffers.output(chunk.records.len());
        done.messages.extend(chunk.notes.iter().cloned());
        let mut scratch = crate::fast::Scratch::default();
        // One outcome for the whole chunk: each deal's evaluation refills
        // its buffers rather than moving a fresh one in and out.
        let mut outcome = scratch.take_outcome();
        // And one deal, whose buffers each decoding refills.
        let mut deal = Deal::default();
        for record in &chunk.records {
            let decoded =
                Record::new(source, record, &chunk.text).decode_into(&self.decoder, &mut deal);
            let evaluated = decoded.and_then(|()| {
                self.prepare(&source.name, record.number, &mut deal, &mut done.messages)?;
                let today = self.today_of(&deal);
                match &self.fast {
                    Some(fast) => fast.evaluate_into(&deal, today, &mut scratch, &mut outcome),
                    None => evaluate(&self.analysis.program, &deal, today).map(|o| outcome = o),
                }
                .map_err(|e| self.eval_error(e))
            });
            match evaluated {
                Ok(()) => {
                    done.totals.count(&outcome);
                    self.render(&source.name, record.number, &deal, &outcome, &mut done);
                }
                Err(error) => {
                    // The deal's keys that are not facts often explain the
                    // error (`Stage` for `stage`): warn about them first.
                    if let RawBody::Json(range) = &record.body {
                        let text = chunk.text.get(range.clone()).unwrap_or_default();
                        let keys = crate::deal::unknown_keys_of(&self.analysis.program, text);
                        self.key_warnings(&source.name, record.number, &keys, &mut done.messages);
                    }
                    self.render_error(&record_name(&source.name, record.number), &error, &mut done);
                }
            }
        }
        done
    }

    /// What every deal goes through before it is evaluated: `--strict`,
    /// the warnings for keys that are not facts, and `--set`.
    fn prepare(
        &self,
        source: &str,
        number: u64,
        deal: &mut Deal,
        messages: &mut Vec<String>,
    ) -> Result<(), DealError> {
        if self.options.strict {
            if let Some(key) = deal.unknown_keys.first() {
                return Err(DealError {
                    message: format!("`{key}` is not a fact of this playbook"),
                    path: format!("$.{key}"),
                });
            }
        }
        self.key_warnings(source, number, &deal.unknown_keys, messages);
        for (fact, value) in &self.set {
            if let Some(slot) = deal.facts.get_mut(*fact as usize) {
                *slot = value.clone();
            }
        }
        Ok(())
    }

    /// One deal, as `augur diff` and `backtest` evaluate each deal: on the
    /// fast evaluator (as [`Batch::run`] does) with this worker thread's
    /// buffers, so the outcome's `lets` are left empty; on the reference
    /// path when the batch has no fast evaluator (`--explain`, an augment).
    fn evaluate(
        &self,
        source: &str,
        number: u64,
        mut deal: Deal,
        messages: &mut Vec<String>,
    ) -> Result<(Deal, Outcome), DealError> {
        self.prepare(source, number, &mut deal, messages)?;
        let today = self.today_of(&deal);
        let program = &self.analysis.program;
        let outcome = match &self.fast {
            Some(fast) => RECORD_SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
                Ok(mut scratch) => {
                    let mut outcome = scratch.spare.pop().unwrap_or_default();
                    fast.evaluate_into(&deal, today, &mut scratch.buffers, &mut outcome)
                        .map(|()| outcome)
                }
                Err(_) => evaluate(program, &deal, today),
            }),
            None => evaluate(program, &deal, today),
        }
        .map_err(|e| self.eval_error(e))?;
        Ok((deal, outcome))
    }

    /// Gives an outcome of [`Batch::evaluate_record`] back, so this worker
    /// thread's next evaluation refills its buffers instead of allocating
    /// new ones (`augur diff` gives back both versions' outcomes).
    pub fn recycle(outcome: Outcome) {
        RECORD_SCRATCH.with(|scratch| {
            if let Ok(mut scratch) = scratch.try_borrow_mut() {
                if scratch.spare.len() < SPARE_OUTCOMES {
                    scratch.spare.push(outcome);
                }
            }
        });
    }

    /// One warning per deal key that is not a fact, with the fact it
    /// probably means (ignoring case first).
    fn key_warnings(&self, source: &str, number: u64, keys: &[String], messages: &mut Vec<String>) {
        for key in keys {
            let hint = crate::csv_deals::fact_suggestion(&self.analysis.program, key)
                .map(|fact| format!("; did you mean `{fact}`?"))
                .unwrap_or_default();
            messages.push(format!(
                "warning: {} $.{key}: `{key}` is not a fact of this playbook; it is ignored{hint}",
                record_name(source, number)
            ));
        }
    }

    /// An evaluation error as a deal error: the line of the playbook and the
    /// expression that failed, so an author can find it.
    fn eval_error(&self, error: EvalError) -> DealError {
        let expression = self
            .analysis
            .source(error.location.file)
            .and_then(|source| {
                source
                    .text
                    .get(error.location.span.start..error.location.span.end)
            })
            .map(|text| text.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|text| !text.is_empty());
        let message = match expression {
            Some(text) if text.chars().count() > 80 => {
                format!(
                    "{} in `{}…`",
                    error.message,
                    text.chars().take(80).collect::<String>()
                )
            }
            Some(text) => format!("{} in `{text}`", error.message),
            None => error.message,
        };
        // The place is in the playbook, not the deal: name its file.
        let file = self
            .analysis
            .source(error.location.file)
            .map_or("the playbook", |source| source.path.as_str());
        DealError {
            message,
            path: format!("{file} line {}", self.analysis.line_of(&error.location)),
        }
    }
}

#[cfg(test)]
mod tests;
