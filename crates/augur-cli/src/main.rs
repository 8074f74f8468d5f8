//! The `augur` binary: parses arguments and dispatches. All language
//! knowledge lives in the library crates; this crate only knows files,
//! terminals and exit codes (0 success, 1 problems found, 2 bad usage).

use augur_check::{Analysis, FsLoader};
use augur_syntax::{ColumnUnit, Date, Diagnostic, LineIndex, Severity};

mod ask_cmd;
mod backtest_cmd;
mod diff_cmd;
mod eval_cmd;
mod fmt_write;
mod schema_cmd;
mod setup_cmd;
mod team_formats;
use clap::{Parser, Subcommand, ValueEnum};
use serde_json::{json, Value as Json};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use team_formats::ReportFormat;

#[derive(Parser)]
#[command(
    name = "augur",
    version,
    about = "Check sales playbooks and evaluate deals against them",
    after_help = "Exit codes: 0 all went well; 1 the work found problems (errors in a playbook, failed tests, deals that could not be read); 2 bad usage.\nColour: on a terminal only; NO_COLOR=1 turns it off, CLICOLOR_FORCE=1 turns it on anywhere."
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

/// `augur eval --input`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum InputArg {
    Json,
    Jsonl,
    Csv,
}

impl InputArg {
    fn format(self) -> augur_eval::inputs::InputFormat {
        match self {
            InputArg::Json => augur_eval::inputs::InputFormat::Json,
            InputArg::Jsonl => augur_eval::inputs::InputFormat::Jsonl,
            InputArg::Csv => augur_eval::inputs::InputFormat::Csv,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Parse and check playbooks (a folder means every *.augur under it)
    Check {
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
        /// text, json, jsonl, github (Actions annotations) or sarif (SARIF 2.1.0)
        #[arg(long, value_enum, default_value = "text")]
        format: ReportFormat,
    },
    /// Run every `test` block of the playbooks (a folder means every *.augur under it)
    Test {
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
        /// Only run tests whose name contains this text
        #[arg(long)]
        filter: Option<String>,
        /// text, json, jsonl, github (Actions annotations) or sarif (SARIF 2.1.0)
        #[arg(long, value_enum, default_value = "text")]
        format: ReportFormat,
        /// Also list the signals never fired, verdict arms and advice never chosen
        #[arg(long)]
        coverage: bool,
        /// Exit 1 when a playbook's test coverage is below N percent (implies --coverage)
        #[arg(long, value_name = "N")]
        min_coverage: Option<f64>,
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
        /// Deal files: .json (one deal), .jsonl (one a line), .csv (one a row), a folder
        /// (the deal files in it), - for stdin (JSON Lines unless --input); none means stdin
        deals: Vec<String>,
        /// Read every input (stdin included) as json (one deal), jsonl (one a line) or
        /// csv (one a row), whatever its name
        #[arg(long, value_enum, value_name = "KIND")]
        input: Option<InputArg>,
        /// text: a report for people; json: one document; jsonl: one result a line
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// List every signal, fired or not, with the values its condition read
        #[arg(long)]
        explain: bool,
        /// The evaluation date (default: the deal's "as_of", else today's date in UTC)
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = date_arg)]
        today: Option<Date>,
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
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = date_arg)]
        today: Option<Date>,
    },
    /// Run the language server for editors (LSP over stdin/stdout)
    Lsp,
    Diff(diff_cmd::DiffArgs),
    Backtest(backtest_cmd::BacktestArgs),
    Schema(schema_cmd::SchemaArgs),
    Init(setup_cmd::InitArgs),
    Completions(setup_cmd::CompletionsArgs),
    Man(setup_cmd::ManArgs),
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
        } => ask_cmd::run(ask_cmd::AskArgs {
            playbook: &playbook,
            deal: deal.as_deref(),
            today,
            fallback_today: system_today(),
        }),
        Command::Lsp => ExitCode::from(u8::try_from(augur_lsp::run_stdio()).unwrap_or(1)),
        Command::Diff(args) => diff_cmd::run(args),
        Command::Backtest(args) => backtest_cmd::run(args),
        Command::Schema(args) => schema_cmd::run(args),
        Command::Init(args) => setup_cmd::init(args),
        Command::Completions(args) => setup_cmd::completions(args),
        Command::Man(args) => setup_cmd::man(args),
        Command::Test {
            paths,
            filter,
            format,
            coverage,
            min_coverage,
        } => test(&paths, filter.as_deref(), format, (coverage, min_coverage)),
        Command::Eval {
            playbook,
            deals,
            input,
            format,
            explain,
            today,
            strict,
            jobs,
            summary,
            set,
            guide,
        } => eval_cmd::run(eval_cmd::EvalArgs {
            playbook: &playbook,
            deals: &deals,
            input: input.map(InputArg::format),
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
        }),
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
    // A file named twice (or reached from two folders) is handled once.
    let mut seen = std::collections::HashSet::new();
    files.retain(|file| seen.insert(std::fs::canonicalize(file).unwrap_or_else(|_| file.clone())));
    Ok(files)
}

/// A folder's playbooks: each file once, symlink loops ended, hidden
/// entries and what `.augurignore`/`.gitignore` inside it list skipped.
fn collect_playbooks(path: &Path, out: &mut Vec<PathBuf>) {
    let (files, notes) = augur_eval::inputs::walk(path, augur_eval::inputs::is_playbook);
    for note in notes {
        eprintln!("warning: {note}");
    }
    out.extend(files);
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

/// The shown path, text and line index of each file of an analysis, built
/// once per file so that N diagnostics cost N, not N × the file's size.
struct Files<'a> {
    analysis: &'a Analysis,
    root: &'a str,
    indexes: std::collections::HashMap<augur_syntax::FileId, LineIndex>,
    canonical: std::collections::HashMap<augur_syntax::FileId, String>,
}

impl<'a> Files<'a> {
    fn new(analysis: &'a Analysis, root: &'a str) -> Self {
        Files {
            analysis,
            root,
            indexes: std::collections::HashMap::new(),
            canonical: std::collections::HashMap::new(),
        }
    }

    fn path(&self, file: augur_syntax::FileId) -> String {
        let rel = self.analysis.source(file).map_or("", |s| s.path.as_str());
        if self.root.is_empty() {
            rel.to_string()
        } else {
            format!("{}/{rel}", self.root)
        }
    }

    fn text(&self, file: augur_syntax::FileId) -> &'a str {
        self.analysis.source(file).map_or("", |s| &s.text[..])
    }

    fn index(&mut self, file: augur_syntax::FileId) -> &LineIndex {
        let text = self.text(file);
        self.indexes
            .entry(file)
            .or_insert_with(|| LineIndex::new(text))
    }
}

fn print_diagnostics(analysis: &Analysis, root: &str) {
    let mut files = Files::new(analysis, root);
    let all: Vec<&Diagnostic> = analysis.diagnostics.iter().collect();
    print_these(&mut files, &all);
}

/// Prints `diagnostics` of `files` in one write; each file's line index is
/// built once, so N diagnostics render in linear time.
fn print_these(files: &mut Files<'_>, diagnostics: &[&Diagnostic]) {
    let color = colour_on_stderr();
    let mut out = String::new();
    for diagnostic in diagnostics {
        let path = files.path(diagnostic.file);
        let text = files.text(diagnostic.file);
        let index = files.index(diagnostic.file);
        out.push_str(&augur_syntax::render::render_report_indexed(
            diagnostic, &path, text, index, color,
        ));
    }
    eprint!("{out}");
}

/// What makes two diagnostics the same: the file (however reached), the
/// place, the code and the message.
fn diagnostic_key(files: &mut Files<'_>, diagnostic: &Diagnostic) -> String {
    let path = files.path(diagnostic.file);
    let file = files
        .canonical
        .entry(diagnostic.file)
        .or_insert_with(|| canonical(&path));
    format!(
        "{}\0{}\0{}\0{}\0{}",
        file,
        diagnostic.span.start,
        diagnostic.span.end,
        diagnostic.code.as_str(),
        diagnostic.message
    )
}

/// A file's path as one spelling, so the same file reached from two roots
/// is recognised.
fn canonical(path: &str) -> String {
    std::fs::canonicalize(path)
        .map_or_else(|_| path.to_string(), |p| p.to_string_lossy().into_owned())
}

fn diagnostic_json(files: &mut Files<'_>, diagnostic: &Diagnostic) -> Json {
    let path = files.path(diagnostic.file);
    let text = files.text(diagnostic.file);
    let index = files.index(diagnostic.file);
    let start = index.line_col(text, diagnostic.span.start, ColumnUnit::Char);
    let end = index.line_col(text, diagnostic.span.end, ColumnUnit::Char);
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

fn check(paths: &[PathBuf], format: ReportFormat) -> ExitCode {
    let files = match playbook_files(paths) {
        Ok(files) => files,
        Err(code) => return code,
    };
    let mut errors = 0;
    let mut warnings = 0;
    let mut all = Vec::new();
    // Each diagnostic once, however many checked files import its file.
    let mut printed = std::collections::HashSet::new();
    for file in &files {
        let analysis = analyze(file);
        let root = display_root(file);
        let mut new = Vec::new();
        let mut shown = Files::new(&analysis, &root);
        for diagnostic in &analysis.diagnostics {
            if printed.insert(diagnostic_key(&mut shown, diagnostic)) {
                if diagnostic.is_error() {
                    errors += 1;
                } else {
                    warnings += 1;
                }
                new.push(diagnostic);
            }
        }
        match format {
            ReportFormat::Text => print_these(&mut shown, &new),
            _ => all.extend(new.iter().map(|d| diagnostic_json(&mut shown, d))),
        }
    }
    match format {
        ReportFormat::Text => eprintln!(
            "checked {} playbook(s): {errors} error(s), {warnings} warning(s)",
            files.len()
        ),
        ReportFormat::Json => println!("{}", Json::Array(all)),
        ReportFormat::Jsonl => all.iter().for_each(|d| println!("{d}")),
        ReportFormat::Github | ReportFormat::Sarif => {
            let findings: Vec<_> = all.iter().map(team_formats::from_diagnostic).collect();
            team_formats::print(format, &findings);
        }
    }
    if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `--today` (and other date arguments) read by clap: a bad date is bad
/// usage, exit code 2, with clap's usage line.
pub(crate) fn date_arg(text: &str) -> Result<Date, String> {
    Date::parse(text).ok_or_else(|| format!("expected a date YYYY-MM-DD, found \"{text}\""))
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
                            colour_on_stderr()
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
                            colour_on_stderr()
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
        if let Err(message) = fmt_write::replace(file, &formatted) {
            eprintln!("error: {message}");
            problems = true;
        }
    }
    if problems {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn test(
    paths: &[PathBuf],
    filter: Option<&str>,
    format: ReportFormat,
    (with_coverage, min_coverage): (bool, Option<f64>),
) -> ExitCode {
    let with_coverage = with_coverage || min_coverage.is_some();
    let mut below_minimum = false;
    // Diagnostics of playbooks whose tests could not run (github, sarif).
    let mut playbook_problems = Vec::new();
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
            let mut shown = Files::new(&analysis, &root);
            playbook_problems.extend(
                analysis
                    .diagnostics
                    .iter()
                    .map(|d| diagnostic_json(&mut shown, d)),
            );
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
                ReportFormat::Text => {
                    let status = if result.passed() { "ok" } else { "FAILED" };
                    println!("test {shown}: {} ... {status}", result.name);
                    if let Some(error) = &result.error {
                        println!("    error: {error}");
                    }
                    if let Some(warning) = &result.date_warning {
                        println!("    warning: {warning}");
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
                _ => records.push(json!({
                    "file": shown,
                    "line": result.line,
                    "name": result.name,
                    "passed": result.passed(),
                    "error": result.error,
                    "warning": result.date_warning,
                    "failures": result.failures.iter().map(|f| json!({"expect": f.expect, "line": f.line, "reason": f.reason})).collect::<Vec<_>>(),
                })),
            }
        }
        if with_coverage {
            let coverage = augur_eval::testing::coverage(&analysis, &results);
            let shown = file.display().to_string();
            let below = min_coverage.is_some_and(|minimum| coverage.percent() < minimum);
            below_minimum |= below;
            match format {
                ReportFormat::Text => {
                    if let (true, Some(minimum)) = (below, min_coverage) {
                        println!("coverage of {shown} is below the minimum {minimum}%");
                    }
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
                _ => records.push(json!({
                    "coverage": shown,
                    "percent": coverage.percent(),
                    "minimum": min_coverage,
                    "below_minimum": below,
                    "signals_never_fired": coverage.signals_never_fired,
                    "arms_never_chosen": coverage.arms_never_chosen,
                    "advice_never_given": coverage.advice_never_given,
                })),
            }
        }
    }
    match format {
        ReportFormat::Text => println!("\n{passed} passed, {failed} failed"),
        ReportFormat::Json => println!(
            "{}",
            json!({ "results": records, "passed": passed, "failed": failed })
        ),
        ReportFormat::Jsonl => records.iter().for_each(|r| println!("{r}")),
        ReportFormat::Github | ReportFormat::Sarif => {
            let mut findings: Vec<_> = playbook_problems
                .iter()
                .map(team_formats::from_diagnostic)
                .collect();
            findings.extend(team_formats::from_test_records(&records));
            team_formats::print(format, &findings);
        }
    }
    if failed > 0 || below_minimum {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Whether diagnostics on stderr are coloured: on a terminal, unless
/// `NO_COLOR` is set (to anything but the empty string); anywhere when
/// `CLICOLOR_FORCE` is set to anything but `0` (<https://no-color.org>,
/// <https://bixense.com/clicolors/>).
fn colour_on_stderr() -> bool {
    colour_wanted(
        std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0"),
        std::io::stderr().is_terminal(),
    )
}

fn colour_wanted(no_color: bool, force: bool, terminal: bool) -> bool {
    !no_color && (force || terminal)
}

#[cfg(test)]
mod tests {
    use super::colour_wanted;

    #[test]
    fn no_color_wins_then_force_then_the_terminal() {
        assert!(!colour_wanted(true, true, true));
        assert!(colour_wanted(false, true, false));
        assert!(colour_wanted(false, false, true));
        assert!(!colour_wanted(false, false, false));
    }
}
