//! Code lenses (pin, run, the verdict's result), failing tests as
//! diagnostics, running tests by command, and the pinned deal's status line.

use super::*;

/// What clicking a code lens does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LensAction {
    PinTest(String),
    RunTest(String),
    RunAllTests,
    Unpin,
    /// Nothing: the lens only shows a result.
    Show,
}

/// One code lens: a title shown above the line of `offset`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lens {
    pub offset: usize,
    pub title: String,
    pub action: LensAction,
}

/// The headline of the pinned deal for one verdict: "Backup · score −3 ·
/// 1 question decides it".
pub fn verdict_summary(analysis: &Analysis, live: &Evaluated, verdict: usize) -> Option<String> {
    let info = analysis.program.verdicts.get(verdict)?;
    let chosen = live.outcome.verdicts.get(verdict)?;
    let arm = info.arms.get(*chosen as usize)?;
    let mut title = format!("{} · {}", arm.label, score_text(live.outcome.score));
    if let Some(reach) = &live.reach {
        if reach.approximate.get(verdict).copied().unwrap_or(false) {
            title.push_str(" · open questions remain (not searched to the end)");
            return Some(title);
        }
        match reach.deciding.get(verdict) {
            Some(0) | None => title.push_str(" · settled"),
            Some(1) => title.push_str(" · 1 question decides it"),
            Some(n) => {
                let _ = write!(title, " · {n} questions decide it");
            }
        }
    }
    Some(title)
}

/// The code lenses of `file`: "Run all tests" and the pin at the top
/// (`pin_lens`: for editors without a status bar item), "Pin" and "▶ Run"
/// above each test, and the pinned deal's result above each verdict.
pub fn code_lenses(
    analysis: &Analysis,
    file: FileId,
    live: Option<&Live>,
    pin_lens: bool,
) -> Vec<Lens> {
    let program = &analysis.program;
    let mut lenses = Vec::new();
    let tests: Vec<&ir::TestInfo> = program
        .tests
        .iter()
        .filter(|t| t.location.file == file)
        .collect();
    if pin_lens {
        let title = match live {
            Some(live) => {
                let what = match &live.pin {
                    Pin::Test(name) => format!("test “{name}”"),
                    Pin::Deal(path) => format!("deal {path}"),
                };
                format!(
                    "📌 Pinned: {what} — {} (click to unpin)",
                    status(analysis, live)
                )
            }
            None => "📌 No deal pinned: click “Pin” above a test, or run augur.pinDeal".into(),
        };
        let action = if live.is_some() {
            LensAction::Unpin
        } else {
            LensAction::Show
        };
        lenses.push(Lens {
            offset: 0,
            title,
            action,
        });
    }
    if !tests.is_empty() {
        lenses.push(Lens {
            offset: 0,
            title: format!("▶ Run all tests ({})", program.tests.len()),
            action: LensAction::RunAllTests,
        });
    }
    for test in tests {
        let pinned = live.is_some_and(|l| l.pin == Pin::Test(test.name.clone()));
        lenses.push(Lens {
            offset: test.location.span.start,
            title: if pinned {
                "📌 Pinned".into()
            } else {
                "Pin".into()
            },
            action: if pinned {
                LensAction::Unpin
            } else {
                LensAction::PinTest(test.name.clone())
            },
        });
        lenses.push(Lens {
            offset: test.location.span.start,
            title: "▶ Run".into(),
            action: LensAction::RunTest(test.name.clone()),
        });
    }
    if let Some(live) = live {
        for v in 0..program.verdicts.len() {
            let Some(at) = definition_of(analysis, Symbol::Verdict(v as u32)) else {
                continue;
            };
            if at.file != file {
                continue;
            }
            let title = match &live.result {
                Ok(evaluated) => match verdict_summary(analysis, evaluated, v) {
                    Some(summary) => format!("{summary} · pinned: {}", live.pin.name()),
                    None => continue,
                },
                Err(e) => format!("pinned: {} — {}", live.pin.name(), e.message),
            };
            lenses.push(Lens {
                offset: at.span.start,
                title,
                action: LensAction::Show,
            });
        }
    }
    lenses
}

/// Runs the tests of the playbook (all of them, or the one named `only`)
/// and turns every failure into a diagnostic: a failed `expect` on its
/// line, with what was expected and what came out; a deal that cannot be
/// built on its `given` (or on the test's name). Passing tests give none.
pub fn test_diagnostics(
    analysis: &Analysis,
    files: &dyn Loader,
    only: Option<&str>,
    system_today: Date,
) -> Vec<Diagnostic> {
    if analysis.has_errors() {
        return Vec::new();
    }
    let mut diagnostics = Vec::new();
    for test in &analysis.program.tests {
        if only.is_some_and(|name| name != test.name) {
            continue;
        }
        let result = augur_eval::testing::run_test(analysis, files, test, system_today);
        if let Some(message) = &result.error {
            let at = result.error_location.unwrap_or(test.location);
            diagnostics.push(failed(
                at,
                format!("test “{}” cannot run: {message}", test.name),
            ));
            continue;
        }
        if result.failures.is_empty() {
            continue;
        }
        let deal = augur_eval::testing::test_deal(analysis, files, test).ok();
        for failure in &result.failures {
            let expect = test.expects.iter().find(|e| e.location == failure.location);
            let actual = match (expect, &result.outcome, &deal) {
                (Some(expect), Some(outcome), Some(deal)) => {
                    read_values(analysis, &expect.condition, deal, outcome)
                }
                _ => String::new(),
            };
            let mut message = format!(
                "test “{}”: expected `{}`, but it {}",
                test.name, failure.expect, failure.reason
            );
            if !actual.is_empty() {
                let _ = write!(message, "; actually {actual}");
            }
            diagnostics.push(failed(failure.location, message));
        }
    }
    diagnostics
}

fn failed(at: ir::Location, message: String) -> Diagnostic {
    let mut diagnostic = Diagnostic::warning(Code::TestFailed, at.span, message);
    diagnostic.file = at.file;
    diagnostic
}

/// A one-line summary of the pinned deal for a status bar: the verdicts'
/// chosen arms and the score, or why there is nothing to show.
pub fn status(analysis: &Analysis, live: &Live) -> String {
    match &live.result {
        Ok(evaluated) => {
            let verdicts: Vec<String> = (0..analysis.program.verdicts.len())
                .filter_map(|v| verdict_summary(analysis, evaluated, v))
                .collect();
            if verdicts.is_empty() {
                score_text(evaluated.outcome.score)
            } else {
                verdicts.join("; ")
            }
        }
        Err(e) => e.message.clone(),
    }
}

pub use augur_eval::testing::TestOutcome;

/// Runs the tests of the playbook (all, or the one named `only`) for the
/// "▶ Run" lenses; an error says why nothing ran.
pub fn run_tests(
    analysis: &Analysis,
    files: &dyn Loader,
    only: Option<&str>,
    system_today: Date,
) -> Result<Vec<TestOutcome>, String> {
    if analysis.has_errors() {
        return Err("the playbook has errors: fix them to run its tests".into());
    }
    let results: Vec<TestOutcome> = analysis
        .program
        .tests
        .iter()
        .filter(|t| only.is_none_or(|name| t.name == name))
        .map(|t| augur_eval::testing::run_test(analysis, files, t, system_today))
        .collect();
    if results.is_empty() {
        return Err(match only {
            Some(name) => format!("there is no test “{name}” in this playbook"),
            None => "this playbook has no tests".into(),
        });
    }
    Ok(results)
}

/// One sentence on a run of tests, for a message to the author.
pub fn run_summary(results: &[TestOutcome]) -> String {
    let passed = results.iter().filter(|r| r.passed()).count();
    match results {
        [one] if passed == 1 => format!("Test “{}” passed.", one.name),
        [one] => format!(
            "Test “{}” failed: see the warnings (augur::test-failed) in the playbook.",
            one.name
        ),
        _ if passed == results.len() => format!("All {passed} tests passed."),
        _ => format!(
            "{} of {} tests failed: see the warnings (augur::test-failed) in the playbook.",
            results.len() - passed,
            results.len()
        ),
    }
}
