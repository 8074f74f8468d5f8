//! `augur backtest PLAYBOOK DEALS…`: streams the deals through
//! `augur_corpus::Backtest`, optionally fits weights (reading the deals a
//! second time to count what adopting them would change), and writes the
//! report as text, JSON and/or one HTML page. Only files, stdout/stderr and
//! the exit code live here.

use augur_corpus::backtest::{self, Adoption, AdoptionCheck, Backtest, FitReport};
use augur_eval::batch::{map_records, Options, OutputFormat};
use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BacktestFormat {
    Text,
    Json,
}

/// Check a playbook against won/lost history
///
/// Each deal carries its outcome under "outcome" ("won" or "lost"; --outcome
/// names another key or CSV column); deals without one are counted and
/// skipped. Deals are evaluated as of their own "as_of". Reports the win
/// rate per verdict arm (95% Wilson interval), per signal (fired or not,
/// lift, a flag where the history contradicts the weight's sign) and per
/// advice; small samples are labelled. Exit code 1 if a deal could not be
/// evaluated.
#[derive(Args)]
pub struct BacktestArgs {
    /// The playbook file
    playbook: PathBuf,
    /// Deal inputs as for `augur eval` (.json, .jsonl, .csv, or - for stdin; default: stdin)
    deals: Vec<String>,
    /// The key (or CSV column) holding each deal's outcome
    #[arg(long, value_name = "KEY", default_value = backtest::OUTCOME_KEY)]
    outcome: String,
    #[arg(long, value_enum, default_value = "text")]
    format: BacktestFormat,
    /// Fit weights to the history (logistic regression), show them beside the
    /// current ones and what adopting them would change; nothing is rewritten
    #[arg(long)]
    fit: bool,
    /// Also write the report as one self-contained HTML page with charts
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// The evaluation date for deals without "as_of" (default: today's date in UTC)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::date_arg)]
    today: Option<augur_syntax::Date>,
    /// Worker threads evaluating deals (default: every core)
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
}

pub fn run(args: BacktestArgs) -> ExitCode {
    let today = args.today;
    if !args.playbook.is_file() {
        eprintln!("error: {} is not a playbook file", args.playbook.display());
        return ExitCode::from(2);
    }
    let inputs = match crate::eval_cmd::deal_inputs(&args.deals) {
        Ok(inputs) => inputs,
        Err(code) => return code,
    };
    if args.fit && inputs.iter().any(|i| i == "-") {
        eprintln!("error: --fit reads the deals twice, so they must be files, not stdin");
        return ExitCode::from(2);
    }
    let analysis = crate::playbooks::analyze(&args.playbook);
    let root = crate::playbooks::display_root(&args.playbook);
    if analysis.has_errors() {
        crate::diagnostics::print_diagnostics(&analysis, &root);
        eprintln!("error: the playbook has errors; fix them before a backtest");
        return ExitCode::from(1);
    }
    let options = Options {
        format: OutputFormat::Jsonl,
        explain: false,
        strict: false,
        // A deal's own date first: --today only fills in for deals without one.
        today: None,
        fallback_today: today.unwrap_or_else(crate::system_today),
        jobs: args
            .jobs
            .map_or_else(crate::eval_cmd::default_jobs, usize::from),
    };
    let jobs = options.jobs;
    let backtest = Backtest::new(&analysis, &root, options.clone(), &args.outcome);
    let mut totals = backtest.totals();
    let mut failed = false;
    for name in &inputs {
        let result = augur_eval::inputs::open(name, None).and_then(|input| {
            map_records(
                input,
                jobs,
                &|record| backtest.observe(record),
                &mut |(messages, observed), _| {
                    // Deal keys and values may hold control characters.
                    for message in &messages {
                        eprintln!("{}", augur_eval::report::terminal_safe(message));
                    }
                    backtest.count(&mut totals, observed);
                    Ok(())
                },
            )
            .map_err(|e| format!("error: {e}"))
        });
        if let Err(message) = result {
            eprintln!("error: {message}");
            failed = true;
        }
    }
    if let Some(hint) = backtest.no_outcome_hint(&totals) {
        eprintln!("{hint}");
    }
    let mut report = backtest.report(&totals);
    if args.fit {
        match backtest.fit(&totals) {
            Ok(fit) => {
                let fitted = backtest::with_weights(&analysis, &fit.weights());
                let check = AdoptionCheck::new(
                    Backtest::new(&analysis, &root, options.clone(), &args.outcome),
                    Backtest::new(&fitted, &root, options.clone(), &args.outcome),
                );
                let mut adoption = Adoption::default();
                for name in &inputs {
                    let result = augur_eval::inputs::open(name, None).and_then(|input| {
                        map_records(
                            input,
                            jobs,
                            &|record| check.compare(record),
                            &mut |compared, _| {
                                check.count(&mut adoption, compared);
                                Ok(())
                            },
                        )
                        .map_err(|e| format!("error: {e}"))
                    });
                    if let Err(message) = result {
                        eprintln!("{message}");
                        failed = true;
                    }
                }
                report.fit = Some(FitReport {
                    fit,
                    adoption: Some(adoption),
                });
            }
            Err(reason) => {
                eprintln!("error: cannot fit weights: {reason}");
                failed = true;
            }
        }
    }
    if let Some(path) = &args.html {
        let title = analysis
            .program
            .title
            .clone()
            .unwrap_or_else(|| args.playbook.display().to_string());
        let page = augur_corpus::html::page(
            &title,
            augur_corpus::html::lang_of(&analysis.program),
            &report,
        );
        if let Err(e) = std::fs::write(path, page) {
            eprintln!("error: cannot write {}: {e}", path.display());
            failed = true;
        }
    }
    let text = match args.format {
        BacktestFormat::Text => augur_eval::report::terminal_safe(&report.to_text()).into_owned(),
        BacktestFormat::Json => {
            let mut text = serde_json::to_string_pretty(&report.to_json()).unwrap_or_default();
            text.push('\n');
            text
        }
    };
    let mut out = std::io::stdout().lock();
    if out
        .write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .is_err()
    {
        failed = true;
    }
    if failed || totals.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
