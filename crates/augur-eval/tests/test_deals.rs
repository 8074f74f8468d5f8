//! A test's deal is read exactly: numbers in inline `given`s and in `given`
//! files keep every digit (no binary float on the way), and a later `given`
//! overrides an earlier one's keys.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use augur_check::MemoryLoader;
use augur_eval::testing::run_tests;
use augur_syntax::Date;

const PLAYBOOK: &str = r#"
facts { x: number?  big: number?  n: int? }
signal exact { when x == 1234567890.123456789 weight 1 }
signal huge { when big == 12345678901234567890123456.0 weight 1 }
test "inline numbers keep every digit" {
  given { x = 1234567890.123456789, big = 12345678901234567890123456.0 }
  expect exact and huge
}
test "file numbers keep every digit, inline overrides the file" {
  given "deal.json"
  given { n = 2 }
  expect exact and huge and n == 2
}
"#;

#[test]
fn test_deals_keep_every_digit() {
    let loader = MemoryLoader::new([
        ("p.augur", PLAYBOOK),
        (
            "deal.json",
            r#"{"x": 1234567890.123456789, "big": 12345678901234567890123456, "n": 1}"#,
        ),
    ]);
    let analysis = augur_check::analyze("p.augur", &loader);
    assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
    let today = Date::parse("2026-12-01").unwrap();
    let results = run_tests(&analysis, &loader, None, today);
    assert_eq!(results.len(), 2);
    for result in &results {
        assert!(
            result.passed(),
            "{}: {:?} {:?}",
            result.name,
            result.error,
            result
                .failures
                .iter()
                .map(|f| &f.reason)
                .collect::<Vec<_>>()
        );
    }
}

/// A `given` file is read as a deal file is: a key given twice is an error
/// naming both places, and a number out of range names its key.
#[test]
fn a_given_file_with_a_repeated_key_or_a_huge_number_is_refused_by_name() {
    let playbook = r#"
facts { x: number?  n: int? }
signal some { when n > 0 weight 1 }
test "twice" { given "twice.json" expect some }
test "huge" { given "huge.json" expect some }
"#;
    let loader = MemoryLoader::new([
        ("p.augur", playbook),
        ("twice.json", r#"{"n": 1, "n": 2}"#),
        ("huge.json", r#"{"n": 1, "x": 1e400}"#),
    ]);
    let analysis = augur_check::analyze("p.augur", &loader);
    assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
    let today = Date::parse("2026-12-01").unwrap();
    let results = run_tests(&analysis, &loader, None, today);
    let error = |name: &str| {
        let result = results.iter().find(|r| r.name == name).unwrap();
        format!("{:?}", result.error)
    };
    let twice = error("twice");
    assert!(twice.contains("`n` is given twice"), "{twice}");
    assert!(
        twice.contains("column 7") && twice.contains("column 15"),
        "{twice}"
    );
    let huge = error("huge");
    assert!(
        huge.contains("`huge.json` is not a valid deal: $.x"),
        "{huge}"
    );
    assert!(huge.contains("out of range"), "{huge}");
}
