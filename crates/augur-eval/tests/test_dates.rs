//! A test without a date (`today` or `as_of`) whose result depends on the
//! calendar gets a warning saying what to add; one that does not, none.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use augur_check::loader::MemoryLoader;
use augur_eval::testing::run_tests;
use augur_syntax::Date;

const PLAYBOOK: &str = r#"
facts { decision_on: date?  stage: bool? }
signal decision_soon { when days_until(decision_on) < 30 weight 1 }
signal staged { when stage weight 1 }
test "depends on the calendar" {
  given { decision_on = 2026-12-20 }
  expect decision_soon
}
test "dated" {
  given { decision_on = 2026-12-20 }
  today 2026-12-01
  expect decision_soon
}
test "calendar-free" {
  given { stage = true, decision_on = 2026-12-20 }
  expect staged
}
"#;

#[test]
fn only_the_undated_test_that_depends_on_the_calendar_is_warned() {
    let analysis = augur_check::analyze_text(PLAYBOOK);
    assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
    let today = Date::parse("2026-12-01").unwrap();
    let results = run_tests(&analysis, &MemoryLoader::default(), None, today);
    let warnings: Vec<(&str, bool)> = results
        .iter()
        .map(|r| (r.name.as_str(), r.date_warning.is_some()))
        .collect();
    assert_eq!(
        warnings,
        [
            ("depends on the calendar", true),
            ("dated", false),
            ("calendar-free", false)
        ]
    );
    assert!(results.iter().all(|r| r.passed()));
    let warning = results[0].date_warning.as_deref().unwrap();
    assert!(warning.contains("today 2026-12-01"), "{warning}");
}
