//! Running a playbook's `test` blocks: build each test's deal (deal files,
//! then inline overrides), evaluate it, and check every `expect`.
//!
//! Files are read through the checker's root-confined [`Loader`], so a
//! `given` path cannot leave the playbook's folder.

use crate::{decode_deal_text, evaluate_with_probes, Deal, Outcome, Value};
use augur_check::ir::{Location, TestInfo};
use augur_check::{loader, Analysis, Loader};
use augur_syntax::Date;

/// One failed `expect`, with what the author needs to see why.
#[derive(Clone, Debug)]
pub struct Failure {
    /// The condition as written.
    pub expect: String,
    pub line: u32,
    /// "was false" or "was unknown (because … is unknown)".
    pub reason: String,
    /// Where the `expect` is written.
    pub location: Location,
}

/// The result of one test block.
#[derive(Clone, Debug)]
pub struct TestOutcome {
    pub name: String,
    pub file: String,
    pub line: u32,
    /// Set when the deal could not be built or evaluated.
    pub error: Option<String>,
    /// Where the error points: the `given` file that could not be used, or
    /// the rule whose evaluation failed (`None`: the test as a whole).
    pub error_location: Option<Location>,
    pub failures: Vec<Failure>,
    pub outcome: Option<Outcome>,
    /// Set when the test gives no date (no `today`, no `as_of`) yet its
    /// expectations come out differently on other days: it passes or fails
    /// by the calendar. Says what to add.
    pub date_warning: Option<String>,
}

impl TestOutcome {
    pub fn passed(&self) -> bool {
        self.error.is_none() && self.failures.is_empty()
    }
}

/// Runs every test whose name contains `filter`. `system_today` is used
/// when neither the test (`today …`) nor its deal (`as_of`) gives a date.
pub fn run_tests(
    analysis: &Analysis,
    files: &dyn Loader,
    filter: Option<&str>,
    system_today: Date,
) -> Vec<TestOutcome> {
    analysis
        .program
        .tests
        .iter()
        .filter(|test| filter.is_none_or(|f| test.name.contains(f)))
        .map(|test| run_test(analysis, files, test, system_today))
        .collect()
}

/// Why a test's deal could not be built, and where (the `given` file at
/// fault, when there is one).
#[derive(Clone, Debug)]
pub struct DealProblem {
    pub message: String,
    pub location: Option<Location>,
}

/// The deal of a test: its `given` files (read through `files`, relative
/// to the test's own file), then its inline facts, decoded.
pub fn test_deal(
    analysis: &Analysis,
    files: &dyn Loader,
    test: &TestInfo,
) -> Result<Deal, DealProblem> {
    let file = analysis
        .source(test.location.file)
        .map_or_else(String::new, |s| s.path.clone());
    // Each key with its value's JSON text: numbers keep every digit on the
    // way to the decoder. A later `given` overrides an earlier one's keys.
    // With each key, the `given` file that gave it (none: an inline one),
    // so that a value the decoder refuses is blamed on its file.
    type Origin = Option<(String, Location)>;
    let mut deal: Vec<(String, String, Origin)> = Vec::new();
    let mut set = |key: String, text: String, origin: Origin| match deal
        .iter_mut()
        .find(|(k, _, _)| *k == key)
    {
        Some(entry) => {
            entry.1 = text;
            entry.2 = origin;
        }
        None => deal.push((key, text, origin)),
    };
    for given in &test.givens {
        match given {
            augur_check::ir::Given::File { path, location } => {
                let problem = |message: String| DealProblem {
                    message,
                    location: Some(*location),
                };
                let loaded = loader::resolve_relative(&file, path)
                    .and_then(|resolved| files.load(&resolved));
                let text = loaded.map_err(problem)?;
                // Read as a deal file is read: every digit kept, a key
                // given twice refused with both places.
                let entries = crate::deal::deal_entries(&text)
                    .map_err(|e| problem(format!("`{path}` is not a valid deal: {e}")))?;
                for (key, value) in entries {
                    set(key, value, Some((path.clone(), *location)));
                }
            }
            augur_check::ir::Given::Inline(entries) => {
                for (key, text) in entries {
                    set(key.clone(), text.clone(), None);
                }
            }
        }
    }
    let mut text = String::from("{");
    for (i, (key, value, _)) in deal.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&serde_json::to_string(key).unwrap_or_default());
        text.push(':');
        text.push_str(value);
    }
    text.push('}');
    decode_deal_text(&analysis.program, &text).map_err(|error| {
        // `$.key…`: the value of a key some `given` file gave.
        let key = error
            .path
            .strip_prefix("$.")
            .map(|rest| rest.split(['.', '[']).next().unwrap_or(rest));
        let origin = key.and_then(|key| {
            deal.iter()
                .find(|(k, _, _)| k == key)
                .and_then(|(_, _, origin)| origin.as_ref())
        });
        match origin {
            Some((path, location)) => DealProblem {
                message: format!("`{path}` is not a valid deal: {error}"),
                location: Some(*location),
            },
            None => DealProblem {
                message: format!("the test's deal is invalid: {error}"),
                location: None,
            },
        }
    })
}

/// Runs one test block.
pub fn run_test(
    analysis: &Analysis,
    files: &dyn Loader,
    test: &TestInfo,
    system_today: Date,
) -> TestOutcome {
    let file = analysis
        .source(test.location.file)
        .map_or_else(String::new, |s| s.path.clone());
    let mut result = TestOutcome {
        name: test.name.clone(),
        file,
        line: analysis.line_of(&test.location),
        error: None,
        error_location: None,
        failures: Vec::new(),
        outcome: None,
        date_warning: None,
    };
    let program = &analysis.program;
    let deal = match test_deal(analysis, files, test) {
        Ok(deal) => deal,
        Err(problem) => {
            result.error = Some(problem.message);
            result.error_location = problem.location;
            return result;
        }
    };
    let today = test.today.or(deal.as_of).unwrap_or(system_today);
    let probes: Vec<&augur_check::ir::Expr> = test.expects.iter().map(|e| &e.condition).collect();
    match evaluate_with_probes(program, &deal, today, &probes) {
        Ok((outcome, values)) => {
            for (expect, value) in test.expects.iter().zip(values) {
                let reason = match value {
                    Value::Bool(true) => continue,
                    Value::Unknown(blame) => {
                        let names: Vec<&str> = blame
                            .facts()
                            .filter_map(|f| program.facts.get(f as usize))
                            .map(|f| f.name.as_str())
                            .collect();
                        if names.is_empty() {
                            "was unknown".to_string()
                        } else {
                            format!("was unknown (because {} is unknown)", names.join(", "))
                        }
                    }
                    _ => "was false".to_string(),
                };
                result.failures.push(Failure {
                    expect: expect.source.clone(),
                    line: analysis.line_of(&expect.location),
                    reason,
                    location: expect.location,
                });
            }
            result.outcome = Some(outcome);
            if test.today.is_none() && deal.as_of.is_none() {
                result.date_warning = depends_on_today(program, &deal, system_today, &probes);
            }
        }
        Err(error) => {
            result.error = Some(error.message);
            result.error_location = Some(error.location);
        }
    }
    result
}

/// Whether the expectations of a test without a date come out differently on
/// other days (three years either side of `system_today`), and if so the
/// warning that says what to add.
fn depends_on_today(
    program: &augur_check::ir::Program,
    deal: &crate::Deal,
    system_today: Date,
    probes: &[&augur_check::ir::Expr],
) -> Option<String> {
    let passes = |today: Date| {
        evaluate_with_probes(program, deal, today, probes)
            .ok()
            .map(|(_, values)| {
                values
                    .iter()
                    .map(|v| matches!(v, Value::Bool(true)))
                    .collect::<Vec<_>>()
            })
    };
    let now = passes(system_today);
    let other_days = [-1096, 1096].map(|shift| Date::from_days(system_today.days() + shift));
    let differs = other_days.iter().any(|day| passes(*day) != now);
    differs.then(|| {
        let (y, m, d) = system_today.ymd();
        format!(
            "this test gives no date, and its result depends on it: it would pass or fail on other days; add `today {y:04}-{m:02}-{d:02}` (or `as_of` in its deal)"
        )
    })
}

/// What the tests exercised: signals fired, verdict arms and advice chosen.
#[derive(Clone, Debug, Default)]
pub struct Coverage {
    pub signals_never_fired: Vec<String>,
    /// `verdict.arm`
    pub arms_never_chosen: Vec<String>,
    pub advice_never_given: Vec<String>,
    pub covered: usize,
    pub total: usize,
}

impl Coverage {
    pub fn percent(&self) -> f64 {
        if self.total == 0 {
            100.0
        } else {
            self.covered as f64 * 100.0 / self.total as f64
        }
    }
}

pub fn coverage(analysis: &Analysis, results: &[TestOutcome]) -> Coverage {
    let program = &analysis.program;
    let outcomes: Vec<&Outcome> = results.iter().filter_map(|r| r.outcome.as_ref()).collect();
    let mut coverage = Coverage::default();
    for (id, signal) in program.signals.iter().enumerate() {
        coverage.total += 1;
        if outcomes
            .iter()
            .any(|o| o.fired.get(id).copied().unwrap_or(false))
        {
            coverage.covered += 1;
        } else {
            coverage.signals_never_fired.push(signal.name.clone());
        }
    }
    for (id, verdict) in program.verdicts.iter().enumerate() {
        for (arm_id, arm) in verdict.arms.iter().enumerate() {
            coverage.total += 1;
            if outcomes
                .iter()
                .any(|o| o.verdicts.get(id).copied() == Some(arm_id as u32))
            {
                coverage.covered += 1;
            } else {
                coverage
                    .arms_never_chosen
                    .push(format!("{}.{}", verdict.name, arm.name));
            }
        }
    }
    for (id, advice) in program.advice.iter().enumerate() {
        coverage.total += 1;
        if outcomes
            .iter()
            .any(|o| o.advice.iter().any(|(a, _)| *a as usize == id))
        {
            coverage.covered += 1;
        } else {
            coverage.advice_never_given.push(advice.name.clone());
        }
    }
    coverage
}
