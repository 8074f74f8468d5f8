//! The `augur` binary: parses arguments and dispatches. All language
//! knowledge lives in the library crates; this crate only knows files,
//! terminals and exit codes (0 success, 1 problems found, 2 bad usage).
// TODO(security): remove after the eval rewrite merges
#![allow(clippy::indexing_slicing)]

use augur_check::{Analysis, FsLoader};
use augur_syntax::{ColumnUnit, Date, Diagnostic, LineIndex, Severity};
use clap::{Parser, Subcommand, ValueEnum};
use serde_json::{json, Value as Json};
use std::io::{BufRead, IsTerminal, Read, Write};
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
    /// Evaluate deals (.json, .jsonl, or - for stdin) against a playbook
    Eval {
        playbook: PathBuf,
        deals: Vec<String>,
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
    },
    /// Run the language server for editors (LSP over stdin/stdout)
    Lsp,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check { paths, format } => check(&paths, format),
        Command::Fmt { paths, check } => fmt(&paths, check),
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
        } => {
            let today = match today.as_deref().map(|t| Date::parse(t).ok_or(t)) {
                Some(Err(bad)) => {
                    eprintln!("error: --today expects a date YYYY-MM-DD, found \"{bad}\"");
                    return ExitCode::from(2);
                }
                Some(Ok(date)) => Some(date),
                None => None,
            };
            eval(&playbook, &deals, format, explain, today, strict)
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

/// One input record: its display name and its JSON (or why it is unreadable).
type Record = (String, Result<Json, augur_eval::DealError>);

fn read_csv(
    input: &str,
    reader: Box<dyn BufRead>,
    program: &augur_check::Program,
) -> Result<Vec<Record>, String> {
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let header: Vec<String> = csv
        .headers()
        .map_err(|e| format!("{input}: cannot read the header row: {e}"))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    let mut records = Vec::new();
    for (index, row) in csv.records().enumerate() {
        // Row numbers count the header as row 1, as spreadsheets do.
        let name = format!("{input}:{}", index + 2);
        let record = row
            .map_err(|e| augur_eval::DealError {
                message: format!("malformed CSV row: {e}"),
                path: "$".into(),
            })
            .and_then(|row| {
                let cells: Vec<String> = row.iter().map(str::to_string).collect();
                augur_eval::csv_deals::row_to_json(program, &header, &cells)
            });
        records.push((name, record));
    }
    Ok(records)
}

fn read_records(input: &str, program: &augur_check::Program) -> Result<Vec<Record>, String> {
    let is_stdin = input == "-";
    let reader: Box<dyn BufRead> = if is_stdin {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        let file = std::fs::File::open(input).map_err(|e| format!("cannot open {input}: {e}"))?;
        Box::new(std::io::BufReader::new(file))
    };
    if input.ends_with(".json") {
        let mut bytes = Vec::new();
        // Read at most one byte past the limit: enough to know it is over.
        let mut reader = reader;
        Read::take(&mut reader, augur_eval::deal::MAX_DEAL_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read {input}: {e}"))?;
        let parsed = augur_eval::deal::check_deal_size(bytes.len())
            .and_then(|()| {
                std::str::from_utf8(&bytes).map_err(|e| augur_eval::DealError {
                    message: format!(
                        "not valid UTF-8 (invalid byte at offset {})",
                        e.valid_up_to()
                    ),
                    path: "$".into(),
                })
            })
            .and_then(|text| {
                serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| {
                    augur_eval::DealError {
                        message: format!("malformed JSON: {e}"),
                        path: "$".into(),
                    }
                })
            });
        return Ok(vec![(input.to_string(), parsed)]);
    }
    if input.ends_with(".csv") {
        return read_csv(input, reader, program);
    }
    let mut records = Vec::new();
    let name = if is_stdin { "stdin" } else { input };
    for (number, line) in reader.split(b'\n').enumerate() {
        let line = line.map_err(|e| format!("cannot read {input}: {e}"))?;
        if let Err(error) = augur_eval::deal::check_deal_size(line.len()) {
            records.push((format!("{name}:{}", number + 1), Err(error)));
            continue;
        }
        let text = match String::from_utf8(line) {
            Ok(text) => text,
            Err(e) => {
                let error = augur_eval::DealError {
                    message: format!(
                        "not valid UTF-8 (invalid byte at offset {})",
                        e.utf8_error().valid_up_to()
                    ),
                    path: "$".into(),
                };
                records.push((format!("{name}:{}", number + 1), Err(error)));
                continue;
            }
        };
        let text = text.trim_start_matches('\u{feff}').trim();
        if text.is_empty() {
            continue;
        }
        let parsed = serde_json::from_str(text).map_err(|e| augur_eval::DealError {
            message: format!("malformed JSON: {e}"),
            path: "$".into(),
        });
        records.push((format!("{name}:{}", number + 1), parsed));
    }
    Ok(records)
}

fn system_today() -> Date {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Date::from_days((seconds / 86_400) as i32)
}

fn eval(
    playbook: &Path,
    deals: &[String],
    format: Format,
    explain: bool,
    today: Option<Date>,
    strict: bool,
) -> ExitCode {
    if !playbook.is_file() {
        eprintln!("error: {} is not a playbook file", playbook.display());
        return ExitCode::from(2);
    }
    let analysis = analyze(playbook);
    let root = display_root(playbook);
    if analysis.has_errors() {
        print_diagnostics(&analysis, &root);
        eprintln!("error: the playbook has errors; fix them before evaluating deals");
        return ExitCode::from(1);
    }
    let program = &analysis.program;
    let reporter = augur_eval::Reporter::new(&analysis, &root);
    let inputs: Vec<String> = if deals.is_empty() {
        vec!["-".to_string()]
    } else {
        deals.to_vec()
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = false;
    let mut results = Vec::new();
    for input in &inputs {
        let records = match read_records(input, program) {
            Ok(records) => records,
            Err(message) => {
                eprintln!("error: {message}");
                failed = true;
                continue;
            }
        };
        for (name, record) in records {
            let result = record.and_then(|json| {
                let deal = augur_eval::decode_deal(program, &json)?;
                if strict {
                    if let Some(key) = deal.unknown_keys.first() {
                        return Err(augur_eval::DealError { message: format!("`{key}` is not a fact of this playbook"), path: format!("$.{key}") });
                    }
                }
                for key in &deal.unknown_keys {
                    eprintln!("warning: {name} $.{key}: `{key}` is not a fact of this playbook; it is ignored");
                }
                let today = today.or(deal.as_of).unwrap_or_else(system_today);
                let outcome = augur_eval::evaluate(program, &deal, today).map_err(|e| augur_eval::DealError {
                    message: e.message,
                    path: format!("line {}", analysis.line_of(&e.location)),
                })?;
                Ok((deal.id.clone(), outcome, deal.facts))
            });
            let (value, text) = match result {
                Ok((id, outcome, facts)) => {
                    let id_json = id.unwrap_or_else(|| Json::String(name.clone()));
                    let label = match &id_json {
                        Json::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    let mut value = reporter.json(&id_json, &outcome);
                    if explain {
                        reporter.add_explanation(&outcome, &facts, &mut value);
                    }
                    (value, reporter.text(&label, &outcome))
                }
                Err(error) => {
                    failed = true;
                    eprintln!("error: {name} {}: {}", error.path, error.message);
                    let value = json!({ "deal": name, "error": { "message": error.message, "path": error.path } });
                    (value, String::new())
                }
            };
            let _ = match format {
                Format::Text => {
                    if !text.is_empty() {
                        writeln!(out, "{text}")
                    } else {
                        Ok(())
                    }
                }
                Format::Jsonl => writeln!(out, "{value}"),
                Format::Json => {
                    results.push(value);
                    Ok(())
                }
            };
        }
    }
    if format == Format::Json {
        let value = if results.len() == 1 {
            results.pop().unwrap_or(Json::Null)
        } else {
            Json::Array(results)
        };
        let _ = writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        );
    }
    let _ = out.flush();
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
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
