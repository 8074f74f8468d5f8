//! The `augur` binary: parses arguments and dispatches. All language
//! knowledge lives in the library crates; this crate only knows files,
//! terminals and exit codes (0 success, 1 problems found, 2 bad usage).

use augur_check::{Analysis, FsLoader};
use augur_syntax::{ColumnUnit, Date, Diagnostic, LineIndex, Severity};

mod ask_cmd;
mod eval_cmd;
use clap::{Parser, Subcommand, ValueEnum};
use serde_json::{json, Value as Json};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "augur",
    version,
    about = "Check sales playbooks and evaluate deals against them"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
    Jsonl,
}

#[derive(Subcommand)]
enum Command {
    /// Parse and check playbooks (a folder means every *.augur under it)
    Check {
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Run every `test` block of the playbooks (a folder means every *.augur under it)
    Test {
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
        /// Only run tests whose name contains this text
        #[arg(long)]
        filter: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Also list the signals never fired, verdict arms and advice never chosen
        #[arg(long)]
        coverage: bool,
    },
    /// Rewrite playbooks in the one canonical layout (`-` formats stdin to stdout)
    Fmt {
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
        /// List the files that would change and exit 1; change nothing
        #[arg(long)]
        check: bool,
    },
    /// Evaluate deals (.json, .jsonl, .csv, or - for stdin) against a playbook
    ///
    /// Inputs are streamed: results come out as deals are read, in input
    /// order, one result or error per deal; a bad deal never stops the others.
    /// Exit code 1 if any deal could not be evaluated.
    Eval {
        /// The playbook (.augur) to evaluate the deals against
        playbook: PathBuf,
        /// Deal files: .json (one deal), .jsonl (one a line), .csv (one a row), - for stdin
        /// (JSON Lines, or one pretty-printed deal); none means stdin
        deals: Vec<String>,
        /// text: a report for people; json: one document; jsonl: one result a line
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// List every signal, fired or not, with the values its condition read
        #[arg(long)]
        explain: bool,
        /// The evaluation date (default: the deal's "as_of", else today's date in UTC)
        #[arg(long, value_name = "YYYY-MM-DD")]
        today: Option<String>,
        /// Treat deal keys that are not facts as errors
        #[arg(long)]
        strict: bool,
        /// Worker threads evaluating deals (default: every core)
        #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
        jobs: Option<u16>,
        /// At the end, count the deals per verdict and list the signals that fired most
        /// (text: on stderr; json/jsonl: a last record {"summary": …})
        #[arg(long)]
        summary: bool,
        /// Evaluate as if the deal recorded FACT=VALUE (read as a CSV cell; repeatable;
        /// an empty VALUE makes the fact unknown)
        #[arg(long = "set", value_name = "FACT=VALUE")]
        set: Vec<String>,
        /// jsonl: add guidance to each result (possible verdicts, why not, what to find
        /// out next); text and json always have it
        #[arg(long)]
        guide: bool,
    },
    /// Interview a rep about a deal: asks the question that matters most next, saves
    /// the deal after every answer, and stops when every verdict is decided
    Ask {
        /// The playbook (.augur)
        playbook: PathBuf,
        /// The deal file to start from and save to (default: a new deal.json)
        deal: Option<PathBuf>,
        /// The evaluation date (default: the deal's "as_of", else today's date in UTC)
        #[arg(long, value_name = "YYYY-MM-DD")]
        today: Option<String>,
    },
    /// Run the language server for editors (LSP over stdin/stdout)
    Lsp,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check { paths, format } => check(&paths, format),
        Command::Fmt { paths, check } => fmt(&paths, check),
        Command::Ask {
            playbook,
            deal,
            today,
        } => {
            let today = match today.as_deref().map(|t| Date::parse(t).ok_or(t)) {
                Some(Err(bad)) => {
                    eprintln!("error: --today expects a date YYYY-MM-DD, found \"{bad}\"");
                    return ExitCode::from(2);
                }
                Some(Ok(date)) => Some(date),
                None => None,
            };
            ask_cmd::run(ask_cmd::AskArgs {
                playbook: &playbook,
                deal: deal.as_deref(),
                today,
                fallback_today: system_today(),
            })
        }
        Command::Lsp => ExitCode::from(u8::try_from(augur_lsp::run_stdio()).unwrap_or(1)),
        Command::Test {
            paths,
            filter,
            format,
            coverage,
        } => test(&paths, filter.as_deref(), format, coverage),
        Command::Eval {
            playbook,
            deals,
            format,
            explain,
            today,
            strict,
            jobs,
            summary,
            set,
            guide,
        } => {
            let today = match today.as_deref().map(|t| Date::parse(t).ok_or(t)) {
                Some(Err(bad)) => {
                    eprintln!("error: --today expects a date YYYY-MM-DD, found \"{bad}\"");
                    return ExitCode::from(2);
                }
                Some(Ok(date)) => Some(date),
                None => None,
            };
            eval_cmd::run(eval_cmd::EvalArgs {
                playbook: &playbook,
                deals: &deals,
                options: augur_eval::batch::Options {
                    format: eval_cmd::output_format(format),
                    explain,
                    strict,
                    today,
                    fallback_today: system_today(),
                    jobs: jobs.map_or_else(eval_cmd::default_jobs, usize::from),
                },
                summary,
                set: &set,
                guide,
            })
        }
    }
}

/// The playbooks named by `paths` (folders: every `*.augur` under them);
/// a path that does not exist is bad usage.
fn playbook_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ExitCode> {
    let mut files = Vec::new();
    for path in paths {
        if !path.exists() {
            eprintln!("error: {} does not exist", path.display());
            return Err(ExitCode::from(2));
        }
        collect_playbooks(path, &mut files);
    }
    Ok(files)
}

fn collect_playbooks(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for entry in entries {
            if entry.is_dir() || entry.extension().is_some_and(|e| e == "augur") {
                collect_playbooks(&entry, out);
            }
        }
    } else {
        out.push(path.to_path_buf());
    }
}

fn analyze(path: &Path) -> Analysis {
    let (loader, name) = FsLoader::for_playbook(path);
    augur_check::analyze(&name, &loader)
}

fn display_root(path: &Path) -> String {
    path.parent()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn diagnostic_path(analysis: &Analysis, root: &str, diagnostic: &Diagnostic) -> (String, String) {
    let source = analysis.source(diagnostic.file);
    let rel = source.map_or("", |s| s.path.as_str());
    let path = if root.is_empty() {
        rel.to_string()
    } else {
        format!("{root}/{rel}")
    };
    (path, source.map(|s| s.text.to_string()).unwrap_or_default())
}

fn print_diagnostics(analysis: &Analysis, root: &str) {
    let color = std::io::stderr().is_terminal();
    for diagnostic in &analysis.diagnostics {
        let (path, text) = diagnostic_path(analysis, root, diagnostic);
        eprint!(
            "{}",
            augur_syntax::render::render_report(diagnostic, &path, &text, color)
        );
    }
}

fn diagnostic_json(analysis: &Analysis, root: &str, diagnostic: &Diagnostic) -> Json {
    let (path, text) = diagnostic_path(analysis, root, diagnostic);
    let index = LineIndex::new(&text);
    let start = index.line_col(&text, diagnostic.span.start, ColumnUnit::Char);
    let end = index.line_col(&text, diagnostic.span.end, ColumnUnit::Char);
    json!({
        "code": diagnostic.code.as_str(),
        "severity": match diagnostic.severity { Severity::Error => "error", Severity::Warning => "warning" },
        "message": diagnostic.message,
        "file": path,
        "line": start.line + 1,
        "column": start.column + 1,
        "end_line": end.line + 1,
        "end_column": end.column + 1,
        "help": diagnostic.help,
    })
}

fn check(paths: &[PathBuf], format: Format) -> ExitCode {
    let files = match playbook_files(paths) {
        Ok(files) => files,
        Err(code) => return code,
    };
    let mut errors = 0;
    let mut all = Vec::new();
    for file in &files {
        let analysis = analyze(file);
        let root = display_root(file);
        errors += analysis.diagnostics.iter().filter(|d| d.is_error()).count();
        match format {
            Format::Text => print_diagnostics(&analysis, &root),
            Format::Json | Format::Jsonl => all.extend(
                analysis
                    .diagnostics
                    .iter()
                    .map(|d| diagnostic_json(&analysis, &root, d)),
            ),
        }
    }
    match format {
        Format::Text => eprintln!("checked {} playbook(s): {errors} error(s)", files.len()),
        Format::Json => println!("{}", Json::Array(all)),
        Format::Jsonl => all.iter().for_each(|d| println!("{d}")),
    }
    if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn system_today() -> Date {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Date::from_days((seconds / 86_400) as i32)
}

fn fmt(paths: &[PathBuf], check_only: bool) -> ExitCode {
    if paths.len() == 1 && paths.first().is_some_and(|p| p.as_os_str() == "-") {
        let mut text = String::new();
        if std::io::Read::read_to_string(&mut std::io::stdin(), &mut text).is_err() {
            eprintln!("error: stdin is not valid UTF-8 text");
            return ExitCode::from(1);
        }
        return match augur_fmt::format(&text) {
            Ok(formatted) => {
                print!("{formatted}");
                ExitCode::SUCCESS
            }
            Err(diagnostics) => {
                for d in &diagnostics {
                    eprint!(
                        "{}",
                        augur_syntax::render::render_report(
                            d,
                            "<stdin>",
                            &text,
                            std::io::stderr().is_terminal()
                        )
                    );
                }
                ExitCode::from(1)
            }
        };
    }
    let files = match playbook_files(paths) {
        Ok(files) => files,
        Err(code) => return code,
    };
    let mut problems = false;
    for file in &files {
        let text = match std::fs::read(file).map(String::from_utf8) {
            Ok(Ok(text)) => text,
            Ok(Err(e)) => {
                eprintln!(
                    "error: {} is not valid UTF-8 (invalid byte at offset {}); left untouched",
                    file.display(),
                    e.utf8_error().valid_up_to()
                );
                problems = true;
                continue;
            }
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", file.display());
                problems = true;
                continue;
            }
        };
        let formatted = match augur_fmt::format(&text) {
            Ok(formatted) => formatted,
            Err(diagnostics) => {
                for d in &diagnostics {
                    eprint!(
                        "{}",
                        augur_syntax::render::render_report(
                            d,
                            &file.display().to_string(),
                            &text,
                            std::io::stderr().is_terminal()
                        )
                    );
                }
                eprintln!("error: {} does not parse; left untouched", file.display());
                problems = true;
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        if check_only {
            println!("{}", file.display());
            problems = true;
            continue;
        }
        // Write beside the file, then rename over it: never a half-written playbook.
        let temporary = file.with_extension("augur.fmt-tmp");
        let written = std::fs::write(&temporary, formatted.as_bytes())
            .and_then(|()| std::fs::rename(&temporary, file));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&temporary);
            eprintln!("error: cannot write {}: {e}", file.display());
            problems = true;
        }
    }
    if problems {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn test(paths: &[PathBuf], filter: Option<&str>, format: Format, with_coverage: bool) -> ExitCode {
    let files = match playbook_files(paths) {
        Ok(files) => files,
        Err(code) => return code,
    };
    let (mut passed, mut failed) = (0, 0);
    let mut records = Vec::new();
    for file in &files {
        let (loader, name) = FsLoader::for_playbook(file);
        let analysis = augur_check::analyze(&name, &loader);
        let root = display_root(file);
        if analysis.has_errors() {
            print_diagnostics(&analysis, &root);
            eprintln!(
                "error: {} has errors; its tests were not run",
                file.display()
            );
            failed += 1;
            continue;
        }
        let results = augur_eval::testing::run_tests(&analysis, &loader, filter, system_today());
        for result in &results {
            let shown = if root.is_empty() {
                result.file.clone()
            } else {
                format!("{root}/{}", result.file)
            };
            if result.passed() {
                passed += 1;
            } else {
                failed += 1;
            }
            match format {
                Format::Text => {
                    let status = if result.passed() { "ok" } else { "FAILED" };
                    println!("test {shown}: {} ... {status}", result.name);
                    if let Some(error) = &result.error {
                        println!("    error: {error}");
                    }
                    for failure in &result.failures {
                        println!("    {shown}:{}: expect {} — {}", failure.line, failure.expect, failure.reason);
                    }
                    if !result.failures.is_empty() {
                        if let Some(outcome) = &result.outcome {
                            let program = &analysis.program;
                            for (verdict, arm) in program.verdicts.iter().zip(&outcome.verdicts) {
                                let arm = verdict.arms.get(*arm as usize).map_or("?", |a| a.name.as_str());
                                println!("      {} was {arm} (score {})", verdict.name, outcome.score);
                            }
                            let fired: Vec<&str> = program
                                .signals
                                .iter()
                                .zip(&outcome.fired)
                                .filter(|(_, f)| **f)
                                .map(|(s, _)| s.name.as_str())
                                .collect();
                            println!("      signals that fired: {}", if fired.is_empty() { "none".to_string() } else { fired.join(", ") });
                        }
                    }
                }
                Format::Json | Format::Jsonl => records.push(json!({
                    "file": shown,
                    "line": result.line,
                    "name": result.name,
                    "passed": result.passed(),
                    "error": result.error,
                    "failures": result.failures.iter().map(|f| json!({"expect": f.expect, "line": f.line, "reason": f.reason})).collect::<Vec<_>>(),
                })),
            }
        }
        if with_coverage {
            let coverage = augur_eval::testing::coverage(&analysis, &results);
            let shown = file.display().to_string();
            match format {
                Format::Text => {
                    println!(
                        "coverage of {shown}: {:.1}% ({} of {})",
                        coverage.percent(),
                        coverage.covered,
                        coverage.total
                    );
                    for name in &coverage.signals_never_fired {
                        println!("    signal never fired: {name}");
                    }
                    for name in &coverage.arms_never_chosen {
                        println!("    verdict arm never chosen: {name}");
                    }
                    for name in &coverage.advice_never_given {
                        println!("    advice never given: {name}");
                    }
                }
                Format::Json | Format::Jsonl => records.push(json!({
                    "coverage": shown,
                    "percent": coverage.percent(),
                    "signals_never_fired": coverage.signals_never_fired,
                    "arms_never_chosen": coverage.arms_never_chosen,
                    "advice_never_given": coverage.advice_never_given,
                })),
            }
        }
    }
    match format {
        Format::Text => println!("\n{passed} passed, {failed} failed"),
        Format::Json => println!(
            "{}",
            json!({ "results": records, "passed": passed, "failed": failed })
        ),
        Format::Jsonl => records.iter().for_each(|r| println!("{r}")),
    }
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
