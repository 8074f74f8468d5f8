//! `augur test`: run the `test` blocks of playbooks (`augur_eval::testing`),
//! optionally with coverage and a minimum; text, JSON, JSON Lines, GitHub
//! annotations or SARIF. Exit 1 on a failed test, a playbook with errors, or
//! coverage below the minimum.

use crate::diagnostics::{diagnostic_json, print_diagnostics, Files};
use crate::playbooks::{display_root, playbook_files};
use crate::team_formats::{self, ReportFormat};
use augur_check::FsLoader;
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

/// `--min-coverage N`: a percentage from 0 to 100.
pub(crate) fn percent_arg(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(n) if (0.0..=100.0).contains(&n) => Ok(n),
        _ => Err(format!(
            "expected a percentage from 0 to 100, found `{text}`"
        )),
    }
}

pub(crate) fn run(
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
    // Each file read and parsed once, however many tested files import it.
    let shared = augur_check::SharedFiles::new();
    for file in &files {
        let analysis = shared.analyze(file);
        let (loader, _) = FsLoader::for_playbook(file);
        let root = display_root(file);
        if analysis.has_errors() {
            // Text shows the diagnostics on stderr; the machine formats
            // carry them in their own output (as `check` does) and leave
            // stderr quiet.
            let mut shown = Files::new(&analysis, &root);
            let diagnostics: Vec<_> = analysis
                .diagnostics
                .iter()
                .map(|d| diagnostic_json(&mut shown, d))
                .collect();
            match format {
                ReportFormat::Text => {
                    print_diagnostics(&analysis, &root);
                    eprintln!(
                        "error: {} has errors; its tests were not run",
                        file.display()
                    );
                }
                ReportFormat::Json | ReportFormat::Jsonl => records.push(json!({
                    "playbook": file.display().to_string(),
                    "passed": false,
                    "error": "the playbook has errors; its tests were not run",
                    "diagnostics": diagnostics,
                })),
                ReportFormat::Github | ReportFormat::Sarif => playbook_problems.extend(diagnostics),
            }
            failed += 1;
            continue;
        }
        let results =
            augur_eval::testing::run_tests(&analysis, &loader, filter, crate::system_today());
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
