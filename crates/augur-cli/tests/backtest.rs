//! `augur backtest` end to end (issue 13): the JSON contract on the
//! synthetic history, `--outcome` on a CSV column, `--fit`, `--html`, and
//! clear refusals.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::Value as Json;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

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

#[test]
fn json_has_the_stable_keys_and_counts_over_deals_with_an_outcome() {
    let output = augur(&[
        "backtest",
        "examples/standing.augur",
        "examples/history/deals.jsonl",
        "examples/deals/case1_laokong_coalmine.json",
        "--format",
        "json",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Json = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["deals"], 3000);
    assert_eq!(report["skipped"], 1, "the example deal has no outcome");
    let arms = report["arms"]["standing"].as_object().unwrap();
    let mut total = 0;
    for arm in arms.values() {
        let (deals, won, lost) = (
            arm["deals"].as_u64().unwrap(),
            arm["won"].as_u64().unwrap(),
            arm["lost"].as_u64().unwrap(),
        );
        assert_eq!(deals, won + lost);
        let rate = arm["win_rate"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&rate));
        total += deals;
    }
    assert_eq!(total, 3000);
    for signal in report["signals"].as_object().unwrap().values() {
        for key in ["fired", "win_rate_fired", "win_rate_not_fired", "lift"] {
            assert!(signal.get(key).is_some(), "{key} in {signal}");
        }
    }
    assert_eq!(report["signals"]["relies_on_us"]["wrong_sign"], true);
}

#[test]
fn fit_and_html_from_a_csv_with_another_outcome_column() {
    let dir = std::env::temp_dir().join(format!("augur-backtest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // The history as CSV, the outcome in a column named "result".
    let (loader, name) =
        augur_check::FsLoader::for_playbook(&root().join("examples/standing.augur"));
    let analysis = augur_check::analyze(&name, &loader);
    let mut header: Vec<String> = vec!["id".into(), "as_of".into()];
    header.extend(analysis.program.facts.iter().map(|f| f.name.clone()));
    header.push("result".into());
    let mut csv = csv::Writer::from_path(dir.join("history.csv")).unwrap();
    csv.write_record(&header).unwrap();
    let text = std::fs::read_to_string(root().join("examples/history/deals.jsonl")).unwrap();
    for line in text.lines().take(1500) {
        let deal: Json = serde_json::from_str(line).unwrap();
        let row: Vec<String> = header
            .iter()
            .map(|h| {
                let key = if h == "result" { "outcome" } else { h.as_str() };
                match deal.get(key) {
                    None | Some(Json::Null) => String::new(),
                    Some(Json::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                }
            })
            .collect();
        csv.write_record(&row).unwrap();
    }
    csv.flush().unwrap();
    drop(csv);
    let html = dir.join("report.html");
    let output = augur(&[
        "backtest",
        "examples/standing.augur",
        dir.join("history.csv").to_str().unwrap(),
        "--outcome",
        "result",
        "--fit",
        "--html",
        html.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        !stderr.contains("result"),
        "the outcome column is not warned about: {stderr}"
    );
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.starts_with("1500 deal(s) with an outcome"), "{text}");
    assert!(text.contains("Fitted weights"));
    assert!(text.contains("If adopted:"));
    assert!(text.contains("Nothing was rewritten"));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("id=\"chart-calibration\"") && page.contains("id=\"table-fit\""));
}

#[test]
fn refusals_are_clear() {
    let output = augur(&["backtest", "examples/standing.augur", "-", "--fit"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("must be files"));
    let output = augur(&["backtest", "examples/nope.augur", "x.jsonl"]);
    assert_eq!(output.status.code(), Some(2));
    // A history where every deal was won cannot be fitted, and says why.
    let dir = std::env::temp_dir().join(format!("augur-backtest-won-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("d.jsonl"),
        "{\"stage\": \"early\", \"outcome\": \"won\"}\n",
    )
    .unwrap();
    let output = augur(&[
        "backtest",
        "examples/standing.augur",
        dir.join("d.jsonl").to_str().unwrap(),
        "--fit",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("same outcome"));
    assert!(String::from_utf8_lossy(&output.stdout).contains("(small sample)"));
}

#[test]
fn chinese_labels_line_up() {
    let output = augur(&[
        "backtest",
        "examples/standing.zh.augur",
        "examples/history/deals.jsonl",
    ]);
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    // The three arm rows: "deals" at the same terminal column (a Chinese
    // character takes two).
    let columns: Vec<usize> = text
        .lines()
        .filter(|l| l.contains(" deals ") && l.contains(" won "))
        .map(|l| {
            let before = &l[..l.find(" deals ").unwrap()];
            before
                .chars()
                .map(|c| if c.len_utf8() > 1 { 2 } else { 1 })
                .sum()
        })
        .collect();
    assert_eq!(columns.len(), 3, "{text}");
    assert!(
        columns.windows(2).all(|w| w[0] == w[1]),
        "{columns:?}\n{text}"
    );
    // The HTML page says which language its labels are in.
    let dir = std::env::temp_dir().join(format!("augur-lang-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (playbook, lang) in [
        ("examples/standing.zh.augur", "zh"),
        ("examples/standing.augur", "en"),
    ] {
        let html = dir.join(format!("{lang}.html"));
        let output = augur(&[
            "backtest",
            playbook,
            "examples/history/deals.jsonl",
            "--html",
            html.to_str().unwrap(),
        ]);
        assert!(output.status.success());
        let page = std::fs::read_to_string(&html).unwrap();
        assert!(
            page.contains(&format!("<html lang=\"{lang}\">")),
            "{playbook}"
        );
    }
}

#[test]
fn eval_treats_outcome_as_reserved_and_does_not_warn() {
    let dir = std::env::temp_dir().join(format!("augur-outcome-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let one = dir.join("one.json");
    std::fs::write(&one, r#"{"stage": "early", "outcome": "won", "extra": 1}"#).unwrap();
    let csv = dir.join("deals.csv");
    std::fs::write(&csv, "id,stage,outcome\nA,early,won\nB,mid,lost\n").unwrap();
    for input in [
        "examples/history/deals.jsonl",
        one.to_str().unwrap(),
        csv.to_str().unwrap(),
    ] {
        let output = augur(&[
            "eval",
            "examples/standing.augur",
            input,
            "--format",
            "jsonl",
        ]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{input}: {stderr}");
        assert!(!stderr.contains("`outcome`"), "{input}: {stderr}");
    }
    // Other keys that are not facts are still warned about.
    let output = augur(&["eval", "examples/standing.augur", one.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("`extra` is not a fact"), "{stderr}");
}

#[test]
fn no_outcome_anywhere_suggests_the_key_that_holds_one() {
    let dir = std::env::temp_dir().join(format!("augur-no-outcome-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("s.csv");
    std::fs::write(&csv, "id,stage,result\nA,early,won\nB,mid,Lost\n").unwrap();
    let jsonl = dir.join("s.jsonl");
    std::fs::write(
        &jsonl,
        "{\"stage\": \"early\", \"closed\": \"won\"}\n{\"stage\": \"mid\"}\n",
    )
    .unwrap();
    let plain = dir.join("plain.jsonl");
    std::fs::write(&plain, "{\"stage\": \"early\"}\n").unwrap();
    for (input, hint) in [
        (
            &csv,
            "but `result` holds \"won\"/\"lost\": try --outcome result",
        ),
        (
            &jsonl,
            "but `closed` holds \"won\"/\"lost\": try --outcome closed",
        ),
        (
            &plain,
            "name the key or CSV column that holds it with --outcome KEY",
        ),
    ] {
        let output = augur(&[
            "backtest",
            "examples/standing.augur",
            input.to_str().unwrap(),
        ]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("hint: no deal had an outcome under `outcome`"),
            "{stderr}"
        );
        assert!(stderr.contains(hint), "{stderr}");
    }
    // With the right key there is no hint.
    let output = augur(&[
        "backtest",
        "examples/standing.augur",
        csv.to_str().unwrap(),
        "--outcome",
        "result",
    ]);
    assert!(!String::from_utf8_lossy(&output.stderr).contains("hint:"));
}
