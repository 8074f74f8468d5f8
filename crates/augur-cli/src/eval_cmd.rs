//! `augur eval`: opens the inputs, runs them through `augur_eval::batch`,
//! and owns what only a command line has — stdout, stderr, the progress bar
//! and the exit code.

use augur_eval::batch::{Batch, Options, OutputFormat, Sink, Totals};
use augur_eval::inputs::InputFormat;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// What `augur eval` was asked to do.
pub struct EvalArgs<'a> {
    pub playbook: &'a Path,
    pub deals: &'a [String],
    /// `--input`: how to read every input, whatever its name.
    pub input: Option<InputFormat>,
    pub options: Options,
    pub summary: bool,
    /// `--set FACT=VALUE`, as written.
    pub set: &'a [String],
    /// `--guide`: guidance in jsonl too.
    pub guide: bool,
}

/// Inputs shorter than this never show a progress bar.
const PROGRESS_AFTER: Duration = Duration::from_millis(700);

/// stdout for results, stderr for messages, and a progress bar on stderr
/// that appears only on a terminal and only once a batch takes a moment.
struct TerminalSink<'o> {
    out: std::io::BufWriter<std::io::StdoutLock<'o>>,
    /// Whether stdout must be flushed after every chunk (a pipe someone
    /// reads as results arrive) or only at the end (a file).
    flush_each_chunk: bool,
    progress: Option<Progress>,
}

struct Progress {
    bar: ProgressBar,
    started: Instant,
    shown: bool,
    /// Bytes of the inputs before the current one.
    bytes_before: u64,
}

impl Sink for TerminalSink<'_> {
    fn output(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.out.write_all(bytes)?;
        if self.flush_each_chunk {
            self.out.flush()?;
        }
        Ok(())
    }

    fn message(&mut self, line: &str) {
        // Warnings and errors quote deal keys and values, which may hold
        // control characters.
        let line = augur_eval::report::terminal_safe(line);
        match &self.progress {
            Some(progress) if progress.shown => progress.bar.suspend(|| eprintln!("{line}")),
            _ => eprintln!("{line}"),
        }
    }

    fn progress(&mut self, deals: u64, bytes: u64) {
        let Some(progress) = &mut self.progress else {
            return;
        };
        if !progress.shown && progress.started.elapsed() >= PROGRESS_AFTER {
            progress.bar.set_draw_target(ProgressDrawTarget::stderr());
            progress.shown = true;
        }
        progress.bar.set_position(progress.bytes_before + bytes);
        let seconds = progress.started.elapsed().as_secs_f64().max(0.001);
        progress.bar.set_message(format!(
            "{deals} deals, {:.0} deals/s",
            deals as f64 / seconds
        ));
    }
}

fn progress_bar(total_bytes: Option<u64>) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(total_bytes, ProgressDrawTarget::hidden());
    let template = if total_bytes.is_some() {
        "{spinner} [{elapsed_precise}] {wide_bar} {percent:>3}%  {msg}  ETA {eta}"
    } else {
        "{spinner} [{elapsed_precise}] {msg}"
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}

pub fn run(args: EvalArgs<'_>) -> ExitCode {
    let EvalArgs {
        playbook,
        deals,
        input,
        options,
        summary,
        set,
        guide,
    } = args;
    if !playbook.is_file() {
        eprintln!("error: {} is not a playbook file", playbook.display());
        return ExitCode::from(2);
    }
    let analysis = crate::playbooks::analyze(playbook);
    let root = crate::playbooks::display_root(playbook);
    if analysis.has_errors() {
        crate::diagnostics::print_diagnostics(&analysis, &root);
        eprintln!("error: the playbook has errors; fix them before evaluating deals");
        return ExitCode::from(1);
    }
    let inputs = match deal_inputs(deals) {
        Ok(inputs) => inputs,
        Err(code) => return code,
    };
    let total_bytes: Option<u64> = inputs
        .iter()
        .map(|name| {
            (name != "-")
                .then(|| std::fs::metadata(name).ok().map(|m| m.len()))
                .flatten()
        })
        .sum();
    let stdout = std::io::stdout();
    let stdout_is_file = is_regular_file_stdout();
    let mut sink = TerminalSink {
        // Small: it gathers the small writes (a summary, a JSON array's
        // commas); a chunk's output, usually larger, is written straight
        // through instead of being copied into the buffer first.
        out: std::io::BufWriter::with_capacity(16 * 1024, stdout.lock()),
        flush_each_chunk: !stdout_is_file,
        progress: std::io::stderr().is_terminal().then(|| Progress {
            bar: progress_bar(total_bytes),
            started: Instant::now(),
            shown: false,
            bytes_before: 0,
        }),
    };
    let mut overrides = Vec::new();
    for item in set {
        match augur_guide::parse_set(&analysis.program, item) {
            Ok(pair) => overrides.push(pair),
            Err(message) => {
                eprintln!("error: {message}");
                return ExitCode::from(2);
            }
        }
    }
    let guided = augur_guide::Guided::new(&analysis);
    let with_guidance = guide || options.format != OutputFormat::Jsonl;
    let batch = Batch::new(&analysis, &root, options).with_set(overrides);
    let batch = if with_guidance {
        batch.with_augment(&guided)
    } else {
        batch
    };
    let mut totals = Totals::default();
    let mut failed_inputs = false;
    for name in &inputs {
        let input = match augur_eval::inputs::open(name, input) {
            Ok(input) => input,
            Err(message) => {
                sink.message(&format!("error: {message}"));
                failed_inputs = true;
                continue;
            }
        };
        let before = totals.deals;
        let csv = input.kind == augur_eval::batch::InputKind::Csv;
        if let Err(message) = batch.run(input, &mut totals, &mut sink) {
            sink.message(&format!("error: {message}"));
            failed_inputs = true;
        } else if totals.deals == before {
            // An empty export is worth a word: nothing was evaluated.
            let shown = if name == "-" { "stdin" } else { name.as_str() };
            let hint = if csv {
                " (a CSV file needs a header row, then one row a deal)"
            } else {
                ""
            };
            sink.message(&format!("warning: {shown} holds no deals{hint}"));
        }
        if let Some(progress) = &mut sink.progress {
            progress.bytes_before += std::fs::metadata(name).map_or(0, |m| m.len());
        }
    }
    if let Some(progress) = &sink.progress {
        progress.bar.finish_and_clear();
    }
    let finished = batch.finish(&mut totals, summary, &mut sink);
    if finished.and_then(|()| sink.out.flush()).is_err() {
        failed_inputs = true;
    }
    // The process ends after this command: freeing the playbook's trees
    // and what was made from them (a thirtieth of a cold `augur eval` of
    // one deal) would be work the exit undoes, as in `augur check`.
    std::mem::forget(batch);
    std::mem::forget(guided);
    std::mem::forget(analysis);
    if failed_inputs || totals.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The deal inputs named on the command line: none means stdin, and a
/// folder stands for the deal files in it (warnings about what a walk
/// skipped go to stderr). Shared by `eval`, `diff` and `backtest`.
pub(crate) fn deal_inputs(named: &[String]) -> Result<Vec<String>, ExitCode> {
    let named: Vec<String> = if named.is_empty() {
        vec!["-".to_string()]
    } else {
        named.to_vec()
    };
    match augur_eval::inputs::expand(&named) {
        Ok((inputs, notes)) => {
            for note in notes {
                eprintln!("warning: {note}");
            }
            Ok(inputs)
        }
        Err(message) => {
            eprintln!("error: {message}");
            Err(ExitCode::from(2))
        }
    }
}

/// Whether stdout goes to a regular file, where flushing per chunk would
/// only cost system calls.
fn is_regular_file_stdout() -> bool {
    #[cfg(unix)]
    {
        std::fs::metadata("/dev/stdout").is_ok_and(|m| m.is_file())
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// The default number of worker threads: every core.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// `--format` of `augur eval` as the batch's output format.
pub fn output_format(format: crate::Format) -> OutputFormat {
    match format {
        crate::Format::Text => OutputFormat::Text,
        crate::Format::Json => OutputFormat::Json,
        crate::Format::Jsonl => OutputFormat::Jsonl,
    }
}
