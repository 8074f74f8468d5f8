//! The `augur` binary end to end: the article's cases, exit codes, and every
//! bad-input class of the docs (each names the deal and the JSON path, and a bad
//! record never stops the batch).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn augur(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_augur"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn the_articles_three_cases_get_the_articles_verdicts() {
    for playbook in ["examples/standing.augur", "examples/standing.zh.augur"] {
        for (deal, verdicts) in [
            ("case1_laokong_coalmine", ["backup", "备选"]),
            ("case2_smartech", ["first_choice", "首选"]),
            ("case3_anhui", ["reference", "参考"]),
        ] {
            let output = augur(
                &[
                    "eval",
                    playbook,
                    &format!("examples/deals/{deal}.json"),
                    "--format",
                    "json",
                ],
                None,
            );
            assert!(output.status.success(), "{}", stderr(&output));
            let result: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
            let value = result["verdicts"]
                .as_object()
                .unwrap()
                .values()
                .next()
                .unwrap()["value"]
                .as_str()
                .unwrap()
                .to_string();
            assert!(
                verdicts.contains(&value.as_str()),
                "{playbook} {deal}: {value}"
            );
        }
    }
}

#[test]
fn evaluation_is_deterministic() {
    let args = [
        "eval",
        "examples/standing.augur",
        "examples/deals/case3_anhui.json",
        "--format",
        "json",
    ];
    assert_eq!(augur(&args, None).stdout, augur(&args, None).stdout);
}

#[test]
fn examples_check_clean_and_errors_exit_1() {
    let output = augur(&["check", "examples"], None);
    assert!(output.status.success(), "{}", stderr(&output));
    let output = augur(
        &[
            "check",
            "tests/check/unknown_variant.augur",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(1));
    let diagnostics: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let first = &diagnostics[0];
    assert_eq!(first["code"], "augur::unknown-variant");
    assert_eq!(first["line"], 4);
    assert_eq!(first["column"], 26);
    assert!(first["help"].as_str().unwrap().contains("early, mid, late"));
}

#[test]
fn bad_usage_exits_2() {
    assert_eq!(augur(&["eval"], None).status.code(), Some(2));
    assert_eq!(
        augur(
            &[
                "eval",
                "examples/standing.augur",
                "-",
                "--today",
                "tomorrow"
            ],
            None
        )
        .status
        .code(),
        Some(2)
    );
    assert_eq!(
        augur(&["check", "no/such/dir"], None).status.code(),
        Some(2)
    );
}

#[test]
fn every_bad_input_class_names_the_deal_and_path_and_the_batch_goes_on() {
    let lines = [
        r#"{"id": "ok-1", "stage": "mid"}"#,
        r#"{"id": "bad-date", "stage": "late", "decision_on": "next week"}"#,
        r#"{"id": "bad-enum", "stage": "middle"}"#,
        r#"{"id": "bad-type", "stage": "mid", "session_minutes": "long"}"#,
        r#"{"id": "broken", "stage": "#,
        r#"{"id": "bad-event", "stage": "late", "events": [{"kind": "demo", "on": "2026-01-01"}, {"kind": "demo", "on": "soon"}]}"#,
        r#"{"id": "ok-2", "stage": "early"}"#,
    ];
    let input = lines.join("\n");
    let output = augur(
        &[
            "eval",
            "examples/standing.augur",
            "-",
            "--format",
            "jsonl",
            "--today",
            "2026-11-20",
        ],
        Some(&input),
    );
    assert_eq!(output.status.code(), Some(1));
    let records: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        records.len(),
        lines.len(),
        "one output record per input record"
    );
    assert_eq!(records[0]["deal"], "ok-1");
    assert_eq!(records[6]["deal"], "ok-2");
    assert_eq!(records[1]["error"]["path"], "$.decision_on");
    assert_eq!(
        records[1]["error"]["message"],
        "expected a date \"YYYY-MM-DD\", found \"next week\""
    );
    assert!(records[2]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("early, mid, late"));
    assert_eq!(records[3]["error"]["path"], "$.session_minutes");
    assert_eq!(records[4]["deal"], "stdin:5");
    assert!(records[4]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("malformed JSON"));
    assert_eq!(records[5]["error"]["path"], "$.events[1].on");
    let errors = stderr(&output);
    assert!(
        errors.contains("stdin:2 $.decision_on: expected a date"),
        "{errors}"
    );
}

#[test]
fn unknown_keys_warn_and_strict_makes_them_errors() {
    let deal = r#"{"stage": "mid", "budget": 3}"#;
    let output = augur(
        &["eval", "examples/standing.augur", "-", "--format", "jsonl"],
        Some(deal),
    );
    assert!(output.status.success());
    assert!(stderr(&output).contains("`budget` is not a fact"));
    let output = augur(
        &[
            "eval",
            "examples/standing.augur",
            "-",
            "--format",
            "jsonl",
            "--strict",
        ],
        Some(deal),
    );
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn text_report_has_verdict_signals_advice_and_find_out_next() {
    let output = augur(
        &[
            "eval",
            "examples/standing.augur",
            "examples/deals/case3_anhui.json",
        ],
        None,
    );
    let text = stdout(&output);
    assert!(text.contains("Reference only"), "{text}");
    assert!(text.contains("-5"), "{text}");
    assert!(text.contains("Advice"), "{text}");
    // Disqualified by known facts: nothing unknown can change it, so there
    // is nothing to find out.
    assert!(text.contains("Reference only — settled."), "{text}");
    assert!(!text.contains("Find out next"), "{text}");
    assert!(
        text.contains("Nothing left to find out changes the verdict or the advice."),
        "{text}"
    );
}

#[test]
fn fmt_formats_stdin_checks_files_and_leaves_broken_files_untouched() {
    let output = augur(
        &["fmt", "-"],
        Some("facts {   阶段:int?   }\nsignal s{when 阶段>1 weight 1}  # 注释\n"),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let formatted = stdout(&output);
    assert!(formatted.contains("# 注释"), "{formatted}");
    let again = augur(&["fmt", "-"], Some(&formatted));
    assert_eq!(stdout(&again), formatted, "formatting is idempotent");

    let dir = std::env::temp_dir().join(format!("augur-fmt-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let messy = dir.join("messy.augur");
    let broken = dir.join("broken.augur");
    std::fs::write(&messy, "facts {   a:bool?   }\nsignal s{when a weight 1}\n").unwrap();
    std::fs::write(&broken, "signal s { when = }\n").unwrap();
    let dir_arg = dir.to_string_lossy().into_owned();
    let check = augur(&["fmt", "--check", &dir_arg], None);
    assert_eq!(check.status.code(), Some(1));
    assert!(stdout(&check).contains("messy.augur"));
    let write = augur(&["fmt", &dir_arg], None);
    assert_eq!(write.status.code(), Some(1), "the broken file is reported");
    assert_eq!(
        std::fs::read_to_string(&broken).unwrap(),
        "signal s { when = }\n"
    );
    assert_ne!(
        std::fs::read_to_string(&messy).unwrap(),
        "facts {   a:bool?   }\nsignal s{when a weight 1}\n"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn explain_lists_every_signal_with_the_values_it_read() {
    let args = [
        "eval",
        "examples/standing.augur",
        "examples/deals/case3_anhui.json",
        "--format",
        "json",
        "--explain",
    ];
    let result: serde_json::Value = serde_json::from_str(&stdout(&augur(&args, None))).unwrap();
    let signals = result["signals"].as_array().unwrap();
    assert!(signals.iter().any(|s| s["fired"] == false));
    assert!(signals.iter().any(|s| s["read"]
        .as_object()
        .is_some_and(|r| r.values().any(|v| v == "late"))));
}

#[test]
fn test_runs_examples_with_full_coverage() {
    let output = augur(&["test", "examples", "--coverage"], None);
    assert!(output.status.success(), "{}", stdout(&output));
    let text = stdout(&output);
    assert!(
        text.contains("coverage of examples/standing.augur: 100.0%"),
        "{text}"
    );
    assert!(text.trim_end().ends_with("24 passed, 0 failed"), "{text}");
    let filtered = augur(
        &[
            "test",
            "examples/standing.augur",
            "--filter",
            "Case 2",
            "--format",
            "json",
        ],
        None,
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&filtered)).unwrap();
    assert_eq!(json["passed"], 1);
}

#[test]
fn a_failing_expectation_shows_why() {
    let dir = std::env::temp_dir().join(format!("augur-test-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let playbook = dir.join("p.augur");
    std::fs::write(
        &playbook,
        "enum Stage { early, late }\nfacts { stage: Stage  a: bool? }\nsignal s { when a weight 1 }\nverdict v { hi \"Hi\" when score > 0  lo \"Lo\" otherwise }\ntest \"wrong\" {\n  given { stage = late }\n  expect v == hi\n  expect a\n}\ntest \"escape\" {\n  given \"../../etc/passwd\"\n  expect s\n}\n",
    )
    .unwrap();
    let output = augur(&["test", &playbook.to_string_lossy()], None);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(
        text.contains("p.augur:7: expect v == hi — was false"),
        "{text}"
    );
    assert!(text.contains("v was lo (score 0)"), "{text}");
    assert!(
        text.contains("expect a — was unknown (because a is unknown)"),
        "{text}"
    );
    assert!(text.contains("leaves the playbook's folder"), "{text}");
    assert!(text.ends_with("0 passed, 2 failed\n"), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn csv_rows_are_deals_and_a_bad_cell_names_its_row_and_column() {
    let output = augur(
        &[
            "eval",
            "examples/standing.augur",
            "examples/deals/batch.csv",
            "--format",
            "jsonl",
        ],
        None,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let records: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records[2]["verdicts"]["standing"]["value"], "reference");

    let dir = std::env::temp_dir().join(format!("augur-csv-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("deals.csv");
    std::fs::write(&file, "id,stage,session_minutes,events\na,mid,,\nb,late,long,\nc,early,45,\"[{\"\"kind\"\":\"\"demo\"\",\"\"on\"\":\"\"2026-01-01\"\"}]\"\n").unwrap();
    let output = augur(
        &[
            "eval",
            "examples/standing.augur",
            &file.to_string_lossy(),
            "--format",
            "jsonl",
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(1));
    let records: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 3);
    assert_eq!(records[0]["deal"], "a");
    assert!(records[1]["deal"]
        .as_str()
        .unwrap()
        .ends_with("deals.csv:3"));
    assert_eq!(records[1]["error"]["path"], "$.session_minutes");
    assert!(records[1]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("column `session_minutes`"));
    assert_eq!(records[2]["deal"], "c");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A signal without a message shows its label once in the text report, and
/// a Chinese advice's sentences are joined without a space.
#[test]
fn text_report_shows_a_label_once_and_joins_chinese_sentences() {
    let dir = std::env::temp_dir().join(format!("augur-cli-label-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let playbook = dir.join("p.augur");
    std::fs::write(
        &playbook,
        "facts { a: bool? }\nsignal s \"A label\" { when a weight 2 }\nadvice 建议 when s { \"第一句。\" \"第二句。\" }\n",
    )
    .unwrap();
    let output = augur(
        &["eval", playbook.to_str().unwrap(), "-"],
        Some("{\"a\": true}\n"),
    );
    let text = stdout(&output);
    assert_eq!(text.matches("A label").count(), 1, "{text}");
    assert!(text.contains("第一句。第二句。"), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}
