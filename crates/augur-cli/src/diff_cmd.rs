//! `augur diff OLD NEW DEALS…`: reads both playbook versions (files or git
//! revisions), streams the deals through `augur_corpus::Diff` and writes the
//! report. Only files, stdout/stderr and the exit code live here.

use augur_corpus::diff::{change_markdown, change_text, Severity};
use augur_corpus::spill::Spill;
use augur_corpus::{Diff, GitCli, PlaybookRef};
use augur_eval::batch::{map_records, Options, OutputFormat};
use augur_eval::report::terminal_safe;
use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
    Jsonl,
    Markdown,
}

/// Compare two versions of a playbook on the same deals
///
/// OLD and NEW are playbook files, or files at a git revision
/// (`HEAD~1:playbooks/standing.augur`: the path relative to the current
/// folder or absolute, read from the git repository the file is in;
/// imports are read at the same revision). Each deal is decoded for each
/// version by that version's facts. Exit code 1 if an input could not be read
/// or a deal could be evaluated by neither version (a deal only one version
/// evaluates is reported as a change), or with --fail-on-change if any
/// verdict changed; 2 for bad usage or an unreadable revision.
#[derive(Args)]
pub struct DiffArgs {
    /// The playbook before the change (a file, or REV:path)
    old: String,
    /// The playbook after the change (a file, or REV:path)
    new: String,
    /// Deal inputs as for `augur eval` (.json, .jsonl, .csv, or - for stdin; default: stdin)
    deals: Vec<String>,
    /// text: summary then changed deals, most severe first; jsonl: one record per
    /// changed deal then {"summary": …}; json: one document; markdown: a pull-request comment
    #[arg(long, value_enum, default_value = "text")]
    format: DiffFormat,
    /// Exit 1 when any verdict changed (a guard for refactors that must not change results)
    #[arg(long)]
    fail_on_change: bool,
    /// The evaluation date (default: the deal's "as_of", else today's date in UTC)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::date_arg)]
    today: Option<augur_syntax::Date>,
    /// Treat deal keys that are not facts of a version as errors
    #[arg(long)]
    strict: bool,
    /// Worker threads evaluating deals (default: every core)
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
}

/// Changed deals listed in Markdown at most (a PR comment has a size limit).
const MARKDOWN_DEALS: u64 = 50;

pub fn run(args: DiffArgs) -> ExitCode {
    let today = args.today;
    let git = GitCli {
        dir: PathBuf::from("."),
    };
    let old_ref = PlaybookRef::parse(&args.old);
    let new_ref = PlaybookRef::parse(&args.new);
    let mut analyses = Vec::new();
    for reference in [&old_ref, &new_ref] {
        if let PlaybookRef::File(path) = reference {
            if !path.is_file() {
                eprintln!(
                    "error: {} is not a playbook file (nor REV:path, a file at a git revision)",
                    path.display()
                );
                return ExitCode::from(2);
            }
        }
        let analysis = match augur_corpus::revision::analyze(reference, &git) {
            Ok(analysis) => analysis,
            Err(message) => {
                eprintln!("error: {message}");
                return ExitCode::from(2);
            }
        };
        if analysis.has_errors() {
            crate::diagnostics::print_diagnostics(&analysis, &reference.display_root());
            eprintln!(
                "error: {} has errors; fix them before comparing",
                reference.display()
            );
            return ExitCode::from(1);
        }
        analyses.push(analysis);
    }
    let (Some(old), Some(new)) = (analyses.first(), analyses.get(1)) else {
        return ExitCode::from(2);
    };
    let options = Options {
        format: OutputFormat::Jsonl,
        explain: false,
        strict: args.strict,
        today,
        fallback_today: crate::system_today(),
        jobs: args
            .jobs
            .map_or_else(crate::eval_cmd::default_jobs, usize::from),
    };
    let jobs = options.jobs;
    let diff = Diff::new(
        old,
        &old_ref.display_root(),
        new,
        &new_ref.display_root(),
        options,
    );
    let inputs = match crate::eval_cmd::deal_inputs(&args.deals) {
        Ok(inputs) => inputs,
        Err(code) => return code,
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut summary = diff.new_summary();
    let mut spill = Spill::new();
    // Changed deals per severity (Markdown lists only the first few).
    let mut changed = [0u64; 3];
    let mut failed = false;
    let format = args.format;
    for name in &inputs {
        let input = match augur_eval::inputs::open(name, None) {
            Ok(input) => input,
            Err(message) => {
                eprintln!("error: {message}");
                failed = true;
                continue;
            }
        };
        let result = map_records(
            input,
            jobs,
            &|record| diff.compare(record),
            &mut |compared, _| {
                // Deal ids, keys and values may hold control characters.
                for message in &compared.messages {
                    eprintln!("{}", terminal_safe(message));
                }
                let Some(change) = diff.count(&mut summary, compared.result) else {
                    return Ok(());
                };
                match format {
                    DiffFormat::Jsonl => {
                        serde_json::to_writer(&mut out, &change.to_json())?;
                        out.write_all(b"\n")
                    }
                    DiffFormat::Json => {
                        let mut bytes = b",\n    ".to_vec();
                        serde_json::to_writer(&mut bytes, &change.to_json())?;
                        spill.push(change.severity(), &bytes)
                    }
                    DiffFormat::Text => spill.push(
                        change.severity(),
                        format!("\n{}", terminal_safe(&change_text(&change))).as_bytes(),
                    ),
                    DiffFormat::Markdown => {
                        let count = changed.get_mut(change.severity() as usize);
                        let seen = count.map_or(0, |n| {
                            *n += 1;
                            *n
                        });
                        if seen <= MARKDOWN_DEALS {
                            spill.push(
                                change.severity(),
                                terminal_safe(&change_markdown(&change)).as_bytes(),
                            )
                        } else {
                            Ok(())
                        }
                    }
                }
            },
        );
        if let Err(message) = result {
            eprintln!("error: {message}");
            failed = true;
        }
    }
    let written = finish(
        &diff,
        &summary,
        (spill, changed),
        format,
        (&old_ref, &new_ref),
        &mut out,
    )
    .and_then(|()| out.flush());
    if let Err(e) = written {
        eprintln!("error: cannot write the report: {e}");
        failed = true;
    }
    if failed || summary.failed > 0 {
        ExitCode::from(1)
    } else if args.fail_on_change && summary.verdicts_changed > 0 {
        eprintln!(
            "{} deal(s) changed a verdict (--fail-on-change)",
            summary.verdicts_changed
        );
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn finish(
    diff: &Diff<'_>,
    summary: &augur_corpus::DiffSummary,
    (spill, changed): (Spill, [u64; 3]),
    format: DiffFormat,
    (old_ref, new_ref): (&PlaybookRef, &PlaybookRef),
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let (old_name, new_name) = (old_ref.display(), new_ref.display());
    match format {
        DiffFormat::Jsonl => {
            serde_json::to_writer(&mut *out, &diff.summary_json(summary))?;
            out.write_all(b"\n")
        }
        DiffFormat::Json => {
            let mut head = diff.summary_json(summary);
            if let Some(head) = head.as_object_mut() {
                head.insert("old".into(), old_name.into());
                head.insert("new".into(), new_name.into());
            }
            let head = serde_json::to_string(&head)?;
            // `{"summary":…,"old":…,"new":…,"changes":[ … ]}`, changes most
            // severe first.
            out.write_all(
                head.get(..head.len().saturating_sub(1))
                    .unwrap_or("{")
                    .as_bytes(),
            )?;
            out.write_all(b",\n  \"changes\": [")?;
            // Every change starts with `,`; the first one's is dropped.
            let mut changes = SkipFirstByte {
                out,
                skipped: false,
            };
            spill.drain(&mut changes, &mut |_, _, _| Ok(()))?;
            out.write_all(b"\n  ]\n}\n")
        }
        DiffFormat::Text => {
            out.write_all(diff.summary_text(summary, &old_name, &new_name).as_bytes())?;
            spill.drain(out, &mut |severity, count, out| {
                let what = match severity {
                    Severity::Verdict => "a verdict changed",
                    Severity::Score => "the score changed, no verdict did",
                    Severity::Detail => "only signals or advice changed",
                };
                write!(out, "\n{count} deal(s) where {what}:\n")
            })
        }
        DiffFormat::Markdown => {
            out.write_all(
                diff.summary_markdown(summary, &old_name, &new_name)
                    .as_bytes(),
            )?;
            spill.drain(out, &mut |severity, shown, out| {
                let what = match severity {
                    Severity::Verdict => "Deals whose verdict changed",
                    Severity::Score => "Deals whose score changed (no verdict did)",
                    Severity::Detail => "Deals where only signals or advice changed",
                };
                let total = changed.get(severity as usize).copied().unwrap_or(0);
                if total > shown {
                    write!(out, "\n#### {what}: {total} (the first {shown})\n\n")
                } else {
                    write!(out, "\n#### {what}: {total}\n\n")
                }
            })
        }
    }
}

/// A writer that drops the first byte written through it.
struct SkipFirstByte<'w> {
    out: &'w mut dyn Write,
    skipped: bool,
}

impl Write for SkipFirstByte<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if !self.skipped && !bytes.is_empty() {
            self.skipped = true;
            self.out.write_all(bytes.get(1..).unwrap_or_default())?;
            return Ok(bytes.len());
        }
        self.out.write(bytes)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}
