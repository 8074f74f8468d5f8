//! Team-workflow outputs (issue 13): `--format github` and `--format sarif`
//! of `check` and `test` (SARIF validated against the vendored 2.1.0
//! schema), `test --min-coverage`, `schema`, `init`, `completions`, `man`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::Value as Json;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn augur_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_augur"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("augur-team-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn assert_valid_sarif(log: &Json) {
    let schema: Json = serde_json::from_str(
        &std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(log).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}\n{log:#}");
}

const BROKEN: &str = "facts { stage: int }\nsignal s \"S\" {\n  when stag > 1\n  weight 1\n}\n";

const FAILING_TEST: &str = "facts { n: int }\nsignal big \"Big\" {\n  when n > 10\n  weight 2\n}\nverdict v \"V\" {\n  high \"High\" when big\n  low \"Low\" otherwise\n}\ntest \"small is low\" {\n  given { n = 3 }\n  expect v == low\n}\ntest \"wrong on purpose\" {\n  given { n = 30 }\n  expect v == low\n}\n";

#[test]
fn check_as_github_annotations_and_sarif() {
    let dir = temp_dir("check");
    std::fs::create_dir_all(dir.join("规则")).unwrap();
    std::fs::write(dir.join("规则/broken play.augur"), BROKEN).unwrap();
    let output = augur_in(&dir, &["check", "规则", "--format", "github"]);
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    let line = text.lines().next().unwrap();
    assert!(
        line.starts_with("::error file=规则/broken play.augur,line=3,col=8,endLine=3,endColumn=12,title=augur%3A%3Aunknown-name::"),
        "{line}"
    );
    let output = augur_in(&dir, &["check", "规则", "--format", "sarif"]);
    assert_eq!(output.status.code(), Some(1));
    let log: Json = serde_json::from_slice(&output.stdout).unwrap();
    assert_valid_sarif(&log);
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "augur::unknown-name");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "%E8%A7%84%E5%88%99/broken%20play.augur"
    );
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
    // A clean playbook: an empty, still valid log, exit 0.
    let output = augur_in(
        &root(),
        &["check", "examples/standing.augur", "--format", "sarif"],
    );
    assert!(output.status.success());
    let log: Json = serde_json::from_slice(&output.stdout).unwrap();
    assert_valid_sarif(&log);
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 0);
}

#[test]
fn test_failures_as_github_annotations_and_sarif() {
    let dir = temp_dir("test");
    std::fs::write(dir.join("p.augur"), FAILING_TEST).unwrap();
    let output = augur_in(&dir, &["test", "p.augur", "--format", "github"]);
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.starts_with("::error file=p.augur,line=16,title=augur%3A%3Atest-failed::test wrong on purpose: expect v == low"),
        "{text}"
    );
    let output = augur_in(&dir, &["test", "p.augur", "--format", "sarif"]);
    let log: Json = serde_json::from_slice(&output.stdout).unwrap();
    assert_valid_sarif(&log);
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 1);
}

#[test]
fn min_coverage_fails_below_the_threshold() {
    let dir = temp_dir("coverage");
    let passing = FAILING_TEST.replace("expect v == low\n}\n\n", "").replace(
        "test \"wrong on purpose\" {\n  given { n = 30 }\n  expect v == low\n}\n",
        "",
    );
    std::fs::write(dir.join("p.augur"), &passing).unwrap();
    let output = augur_in(&dir, &["test", "p.augur", "--min-coverage", "100"]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("below the minimum 100%"));
    let output = augur_in(&dir, &["test", "p.augur", "--min-coverage", "10"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let output = augur_in(
        &dir,
        &[
            "test",
            "p.augur",
            "--min-coverage",
            "100",
            "--format",
            "github",
        ],
    );
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains("title=augur%3A%3Acoverage::test coverage"),
        "{text}"
    );
}

fn schema_of(playbook: &str) -> jsonschema::Validator {
    let output = augur_in(&root(), &["schema", playbook]);
    assert!(output.status.success());
    let schema: Json = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

#[test]
fn example_deals_are_valid_against_the_schema_and_bad_ones_are_not() {
    for playbook in ["examples/standing.augur", "examples/standing.zh.augur"] {
        let validator = schema_of(playbook);
        let mut deals: Vec<Json> = [
            "case1_laokong_coalmine.json",
            "case2_smartech.json",
            "case3_anhui.json",
        ]
        .iter()
        .map(|f| {
            serde_json::from_str(
                &std::fs::read_to_string(root().join("examples/deals").join(f)).unwrap(),
            )
            .unwrap()
        })
        .collect();
        let history = std::fs::read_to_string(root().join("examples/history/deals.jsonl")).unwrap();
        deals.extend(
            history
                .lines()
                .take(300)
                .map(|l| serde_json::from_str::<Json>(l).unwrap()),
        );
        for deal in &deals {
            let errors: Vec<String> = validator.iter_errors(deal).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{playbook}: {deal}: {errors:?}");
        }
        // What the decoder refuses, the schema refuses.
        let output = augur_in(
            &root(),
            &[
                "eval",
                playbook,
                "examples/deals/batch.jsonl",
                "--format",
                "jsonl",
            ],
        );
        let results: Vec<Json> = String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let lines: Vec<Json> = std::fs::read_to_string(root().join("examples/deals/batch.jsonl"))
            .unwrap()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap_or(Json::Null))
            .collect();
        for (deal, result) in lines.iter().zip(&results) {
            assert_eq!(
                validator.is_valid(deal),
                result.get("error").is_none(),
                "{playbook}: {deal} → {result}"
            );
        }
        for bad in [
            serde_json::json!({"stage": "nowhere"}),
            serde_json::json!({}),
            serde_json::json!({"stage": "late", "decision_on": "next week"}),
            serde_json::json!({"stage": "late", "events": [{"kind": "demo", "on": "2026-01-01", "extra": 1}]}),
            serde_json::json!({"stage": "late", "session_minutes": 1.5}),
        ] {
            assert!(!validator.is_valid(&bad), "{playbook}: {bad}");
        }
    }
}

#[test]
fn csv_header_names_every_fact() {
    let output = augur_in(
        &root(),
        &["schema", "examples/standing.augur", "--csv-header"],
    );
    let header = String::from_utf8(output.stdout).unwrap();
    let batch = std::fs::read_to_string(root().join("examples/deals/batch.csv")).unwrap();
    assert_eq!(header.trim_end(), batch.lines().next().unwrap());
}

#[test]
fn init_writes_a_starter_that_passes_check_test_and_fmt_and_never_overwrites() {
    let dir = temp_dir("init");
    let output = augur_in(&dir, &["init", "starter"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for args in [
        &["check", "starter/playbook.augur"][..],
        &["test", "starter/playbook.augur", "--min-coverage", "100"][..],
        &["fmt", "--check", "starter/playbook.augur"][..],
        &[
            "eval",
            "starter/playbook.augur",
            "starter/deals/sample.json",
        ][..],
    ] {
        let output = augur_in(&dir, args);
        assert!(
            output.status.success(),
            "{args:?}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    std::fs::write(dir.join("starter/playbook.augur"), "# mine\n").unwrap();
    let output = augur_in(&dir, &["init", "starter"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("already exists"));
    assert_eq!(
        std::fs::read_to_string(dir.join("starter/playbook.augur")).unwrap(),
        "# mine\n"
    );
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = augur_in(&root(), &["completions", shell]);
        assert!(output.status.success());
        let script = String::from_utf8(output.stdout).unwrap();
        assert!(
            script.contains("backtest") && script.contains("diff"),
            "{shell}"
        );
    }
    let output = augur_in(&root(), &["completions", "tcsh"]);
    assert_eq!(output.status.code(), Some(2));
    let output = augur_in(&root(), &["man"]);
    let page = String::from_utf8(output.stdout).unwrap();
    assert!(
        page.starts_with(".ie") || page.contains(".TH augur"),
        "{}",
        &page[..200.min(page.len())]
    );
    assert!(page.contains("backtest"));
    // One page per command, with the command's own options.
    let dir = std::env::temp_dir().join(format!("augur-man-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let output = augur_in(&root(), &["man", "--dir", dir.to_str().unwrap()]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let page = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    assert!(page("augur.1").contains("augur\\-diff(1)"));
    let diff = page("augur-diff.1");
    assert!(diff.contains(".TH augur-diff"), "{diff}");
    assert!(diff.contains("fail\\-on\\-change"), "{diff}");
    assert!(page("augur-backtest.1").contains("\\-\\-fit"));
    assert!(page("augur-test.1").contains("min\\-coverage"));
    assert!(page("augur-schema.1").contains("csv\\-header"));
    for command in [
        "check",
        "eval",
        "test",
        "fmt",
        "lsp",
        "init",
        "completions",
        "man",
    ] {
        assert!(
            dir.join(format!("augur-{command}.1")).is_file(),
            "{command}"
        );
    }
    assert!(!dir.join("augur-help.1").exists());
}

#[test]
fn pre_commit_hooks_run_augur() {
    let hooks = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    for entry in [
        "entry: augur fmt\n",
        "entry: augur check\n",
        "entry: augur fmt --check\n",
    ] {
        assert!(hooks.contains(entry), "{entry}");
    }
}

#[test]
fn a_playbook_with_errors_is_annotated_by_test_too() {
    let dir = temp_dir("test-broken");
    std::fs::write(dir.join("p.augur"), BROKEN).unwrap();
    let output = augur_in(&dir, &["test", "p.augur", "--format", "github"]);
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("title=augur%3A%3Aunknown-name"), "{text}");
    // The annotations carry the errors: no human rendering on stderr, as
    // for `check`; the text format still renders them.
    for format in ["github", "sarif", "json", "jsonl"] {
        let output = augur_in(&dir, &["test", "p.augur", "--format", format]);
        assert_eq!(output.status.code(), Some(1));
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.is_empty(), "{format}: {stderr}");
    }
    // JSON carries the playbook's diagnostics in its own record.
    let output = augur_in(&dir, &["test", "p.augur", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let record = &value["results"][0];
    assert_eq!(record["passed"], false, "{value}");
    assert!(
        record["playbook"].as_str().unwrap().ends_with("p.augur"),
        "{value}"
    );
    assert_eq!(
        record["diagnostics"][0]["code"], "augur::unknown-name",
        "{value}"
    );
    let output = augur_in(&dir, &["test", "p.augur"]);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("its tests were not run"), "{stderr}");
}

#[test]
fn min_coverage_is_a_percentage() {
    let dir = temp_dir("coverage-range");
    std::fs::write(dir.join("p.augur"), FAILING_TEST).unwrap();
    for bad in ["150", "-1", "nan"] {
        let flag = format!("--min-coverage={bad}");
        let output = augur_in(&dir, &["test", "p.augur", &flag]);
        assert_eq!(output.status.code(), Some(2), "{bad}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.contains("0 to 100"), "{bad}: {stderr}");
    }
}
