//! `augur eval` as a batch job (issue 5): streamed inputs, input order kept
//! on every number of workers, errors mid-stream, CSV, stdin answered line by
//! line, `--summary`, exit codes, Chinese playbooks.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use augur_bench::Corpus;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn augur(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_augur"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn program(playbook: &str) -> augur_check::Analysis {
    let (loader, name) = augur_check::FsLoader::for_playbook(&root().join(playbook));
    augur_check::analyze(&name, &loader)
}

/// A JSONL file of `count` generated deals, with bad records at `bad`
/// (0-based line indices) and a blank line after the first deal.
fn corpus_file(dir: &Path, playbook: &str, count: usize, bad: &[usize]) -> PathBuf {
    let analysis = program(playbook);
    let mut corpus = Corpus::new(&analysis.program, 99);
    let path = dir.join("deals.jsonl");
    let mut text = String::new();
    for index in 0..count {
        if bad.contains(&index) {
            text.push_str(if index % 2 == 0 {
                "{\"stage\": \"nowhere\"}\n"
            } else {
                "{not json\n"
            });
        } else {
            text.push_str(&corpus.next_line());
            text.push('\n');
        }
        if index == 0 {
            text.push('\n');
        }
    }
    std::fs::write(&path, text).unwrap();
    path
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("augur-batch-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn every_worker_count_gives_the_same_bytes_in_input_order() {
    let dir = temp_dir("order");
    // Several chunks' worth, with bad records in the middle of chunks.
    let bad = [3, 700, 1500, 2047];
    let deals = corpus_file(&dir, "examples/standing.augur", 2600, &bad);
    let deals = deals.to_str().unwrap();
    let run = |jobs: &str| {
        augur(&[
            "eval",
            "--format",
            "jsonl",
            "--jobs",
            jobs,
            "examples/standing.augur",
            deals,
        ])
    };
    let one = run("1");
    assert_eq!(one.status.code(), Some(1), "bad records make exit code 1");
    let lines: Vec<&str> = std::str::from_utf8(&one.stdout).unwrap().lines().collect();
    assert_eq!(
        lines.len(),
        2600,
        "one record per input record, the blank line skipped"
    );
    for (index, line) in lines.iter().enumerate() {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        if bad.contains(&index) {
            // Line numbers count the blank line after the first deal.
            let line_number = if index == 0 { 1 } else { index + 2 };
            assert_eq!(value["deal"], format!("{deals}:{line_number}"), "{line}");
            assert!(value["error"]["message"].is_string(), "{line}");
        } else {
            assert!(value["verdicts"]["standing"]["value"].is_string(), "{line}");
            assert_eq!(
                value["deal"],
                format!("deal-{:07}", value_id(index, &bad)),
                "{line}"
            );
        }
    }
    let errors = String::from_utf8_lossy(&one.stderr);
    assert_eq!(
        errors.lines().filter(|l| l.starts_with("error:")).count(),
        bad.len(),
        "{errors}"
    );
    for jobs in ["2", "3", "8"] {
        let many = run(jobs);
        assert_eq!(many.stdout, one.stdout, "--jobs {jobs} changes the output");
        assert_eq!(
            many.stderr, one.stderr,
            "--jobs {jobs} changes the messages"
        );
        assert_eq!(many.status.code(), Some(1));
    }
}

/// The generated id of the deal at `index`, counting only good records.
fn value_id(index: usize, bad: &[usize]) -> usize {
    index + 1 - bad.iter().filter(|b| **b < index).count()
}

#[test]
fn a_clean_batch_succeeds_and_stays_quiet() {
    let dir = temp_dir("clean");
    let deals = corpus_file(&dir, "examples/standing.augur", 300, &[]);
    let output = augur(&[
        "eval",
        "--format",
        "jsonl",
        "examples/standing.augur",
        deals.to_str().unwrap(),
    ]);
    assert!(output.status.success());
    // Not a terminal: no progress bar, nothing at all on stderr.
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(output.stdout.iter().filter(|b| **b == b'\n').count(), 300);
}

#[test]
fn chinese_playbook_and_deals_stream_too() {
    let dir = temp_dir("zh");
    let deals = corpus_file(&dir, "examples/standing.zh.augur", 1200, &[4]);
    let output = augur(&[
        "eval",
        "--format",
        "jsonl",
        "--jobs",
        "2",
        "examples/standing.zh.augur",
        deals.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(text.lines().count(), 1200);
    assert!(
        text.contains("\"value\":\"首选\"") || text.contains("\"value\":\"备选\""),
        "{}",
        &text[..400]
    );
    let errors = String::from_utf8(output.stderr).unwrap();
    assert!(errors.contains(":6 $.stage"), "{errors}");
}

#[test]
fn csv_rows_stream_in_order_and_bad_cells_name_row_and_column() {
    let dir = temp_dir("csv");
    let mut csv = String::from("id,stage,session_minutes,decision_on,events\n");
    for row in 0..1400 {
        let minutes = if row == 900 {
            "ninety".to_string()
        } else {
            (row % 120).to_string()
        };
        csv.push_str(&format!(
            "d{row},{},{minutes},2026-12-{:02},\"[{{\"\"kind\"\":\"\"demo\"\",\"\"on\"\":\"\"2026-11-0{}\"\"}}]\"\n",
            ["early", "mid", "late"][row % 3],
            row % 28 + 1,
            row % 9 + 1
        ));
    }
    let path = dir.join("export.csv");
    std::fs::write(&path, csv).unwrap();
    let path = path.to_str().unwrap();
    let output = augur(&[
        "eval",
        "--format",
        "jsonl",
        "--jobs",
        "2",
        "examples/standing.augur",
        path,
    ]);
    assert_eq!(output.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = std::str::from_utf8(&output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1400);
    assert_eq!(lines[0]["deal"], "d0");
    assert_eq!(lines[1399]["deal"], "d1399");
    // Row 1 is the header, so the 901st deal is row 902.
    assert_eq!(lines[900]["deal"], format!("{path}:902"));
    let message = lines[900]["error"]["message"].as_str().unwrap();
    assert!(message.contains("column `session_minutes`"), "{message}");
    assert!(message.contains("ninety"), "{message}");
}

#[test]
fn stdin_results_come_out_before_the_input_ends() {
    // `--jobs 1` reads, evaluates and writes on one thread; more workers
    // run the reader and workers on threads of their own.
    for jobs in ["1", "2"] {
        results_come_out_before_stdin_ends(jobs);
    }
}

fn results_come_out_before_stdin_ends(jobs: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_augur"))
        .args([
            "eval",
            "--format",
            "jsonl",
            "--jobs",
            jobs,
            "examples/standing.augur",
            "-",
        ])
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let (sender, receiver) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if sender.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    for (index, stage) in ["early", "late", "mid"].iter().enumerate() {
        writeln!(
            input,
            "{{\"id\": \"live-{index}\", \"stage\": \"{stage}\", \"as_of\": \"2026-11-20\"}}"
        )
        .unwrap();
        input.flush().unwrap();
        // stdin is still open: the result must arrive anyway.
        let line = receiver
            .recv_timeout(Duration::from_secs(20))
            .expect("a result before EOF");
        assert!(
            line.contains(&format!("\"deal\":\"live-{index}\"")),
            "{line}"
        );
    }
    drop(input);
    assert!(child.wait().unwrap().success());
}

#[test]
fn stdin_holds_one_pretty_printed_deal_with_input_json() {
    let deal = std::fs::read_to_string(root().join("examples/deals/case2_smartech.json")).unwrap();
    assert!(deal.lines().count() > 3, "the example is pretty-printed");
    let mut child = Command::new(env!("CARGO_BIN_EXE_augur"))
        .args([
            "eval",
            "--input",
            "json",
            "--format",
            "json",
            "examples/standing.augur",
        ])
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(deal.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["verdicts"]["standing"]["value"], "first_choice");
}

#[test]
fn summary_counts_verdict_arms_and_the_most_frequent_signals() {
    let deals = [
        "examples/deals/case1_laokong_coalmine.json",
        "examples/deals/case2_smartech.json",
        "examples/deals/case3_anhui.json",
    ];
    let mut args = vec![
        "eval",
        "--format",
        "jsonl",
        "--summary",
        "examples/standing.augur",
    ];
    args.extend(deals);
    let output = augur(&args);
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let last: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    let summary = &last["summary"];
    assert_eq!(summary["deals"], 3);
    assert_eq!(summary["evaluated"], 3);
    assert_eq!(summary["failed"], 0);
    assert_eq!(
        summary["verdicts"]["standing"],
        serde_json::json!({"first_choice": 1, "backup": 1, "reference": 1})
    );
    let signals = summary["signals"].as_array().unwrap();
    assert!(!signals.is_empty() && signals.len() <= 10);
    let counts: Vec<u64> = signals
        .iter()
        .map(|s| s["fired"].as_u64().unwrap())
        .collect();
    assert!(
        counts.windows(2).all(|w| w[0] >= w[1]),
        "most frequent first: {counts:?}"
    );

    // json: always an array, the summary last.
    let mut args = vec![
        "eval",
        "--format",
        "json",
        "--summary",
        "examples/standing.augur",
    ];
    args.push(deals[0]);
    let output = augur(&args);
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let items = value.as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[1]["summary"]["verdicts"]["standing"]["backup"], 1);

    // text: the report on stdout, the summary on stderr.
    let mut args = vec!["eval", "--summary", "examples/standing.zh.augur"];
    args.extend(deals);
    let output = augur(&args);
    let errors = String::from_utf8(output.stderr).unwrap();
    assert!(
        errors.starts_with("Summary: 3 deal(s), 3 evaluated, 0 could not be evaluated"),
        "{errors}"
    );
    assert!(errors.contains("首选 1"), "{errors}");
    assert!(!String::from_utf8(output.stdout)
        .unwrap()
        .contains("Summary"));
}

#[test]
fn json_output_without_summary_keeps_its_shape() {
    let one = augur(&[
        "eval",
        "--format",
        "json",
        "examples/standing.augur",
        "examples/deals/case3_anhui.json",
    ]);
    let value: serde_json::Value = serde_json::from_slice(&one.stdout).unwrap();
    assert!(value.is_object(), "one deal: one object");
    let two = augur(&[
        "eval",
        "--format",
        "json",
        "examples/standing.augur",
        "examples/deals/case3_anhui.json",
        "examples/deals/case1_laokong_coalmine.json",
    ]);
    let text = String::from_utf8(two.stdout).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value.as_array().unwrap().len(), 2);
    // The same layout serde_json's pretty printer gives the whole array.
    assert_eq!(
        text,
        format!("{}\n", serde_json::to_string_pretty(&value).unwrap())
    );
    let none = augur(&["eval", "--format", "json", "examples/standing.augur", "-"]);
    assert_eq!(String::from_utf8(none.stdout).unwrap(), "[]\n");
}

#[test]
fn a_closed_stdout_stops_the_batch_instead_of_hanging() {
    let dir = temp_dir("pipe");
    let deals = corpus_file(&dir, "examples/standing.augur", 5000, &[]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_augur"))
        .args([
            "eval",
            "--format",
            "jsonl",
            "examples/standing.augur",
            deals.to_str().unwrap(),
        ])
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert!(first.contains("\"deal\""));
    drop(stdout);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "writing failed, so the run failed");
}

#[test]
fn jobs_must_be_at_least_one() {
    let output = augur(&[
        "eval",
        "--jobs",
        "0",
        "examples/standing.augur",
        "examples/deals/case3_anhui.json",
    ]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_terminal_gets_a_progress_bar_with_deals_per_second() {
    // `script` runs the command on a pseudo-terminal; stdout goes to a file,
    // so what `script` records is stderr alone: the progress bar.
    let dir = temp_dir("progress");
    let deals = corpus_file(&dir, "examples/standing.augur", 30_000, &[]);
    let command = format!(
        "{} eval --format jsonl --jobs 1 examples/standing.augur {} > {}",
        env!("CARGO_BIN_EXE_augur"),
        deals.display(),
        dir.join("out.jsonl").display()
    );
    let output = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(root())
        .stdin(Stdio::null())
        .output()
        .expect("`script` (util-linux) runs a command on a terminal");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let screen = String::from_utf8_lossy(&output.stdout);
    assert!(
        screen.contains("deals/s"),
        "no progress bar on a terminal: {screen:?}"
    );
    assert!(screen.contains("ETA"), "{screen:?}");
    let results = std::fs::read_to_string(dir.join("out.jsonl")).unwrap();
    assert_eq!(
        results.lines().count(),
        30_000,
        "the bar never goes to stdout"
    );
    assert!(!results.contains("deals/s"));
}
