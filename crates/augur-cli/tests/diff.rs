//! `augur diff` (issue 13): edits of every kind to examples/standing.augur
//! over a generated corpus; every reported transition count must equal a
//! recount from two `augur eval` runs. Also git revisions (with an import
//! read at the same revision), the formats, `--fail-on-change`, Chinese.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use augur_bench::Corpus;
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;
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
    let dir = std::env::temp_dir().join(format!("augur-diff-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn standing() -> String {
    std::fs::read_to_string(root().join("examples/standing.augur")).unwrap()
}

/// Generated deals for standing.augur plus the example deals, with a fixed
/// `as_of` so both versions see the same day.
fn corpus(dir: &Path) -> PathBuf {
    let (loader, name) =
        augur_check::FsLoader::for_playbook(&root().join("examples/standing.augur"));
    let analysis = augur_check::analyze(&name, &loader);
    let mut corpus = Corpus::new(&analysis.program, 1313);
    let mut text = String::new();
    for _ in 0..1200 {
        let mut deal = corpus.next_deal();
        deal["as_of"] = json!("2026-11-20");
        text.push_str(&deal.to_string());
        text.push('\n');
    }
    text.push_str(&std::fs::read_to_string(root().join("examples/deals/batch.jsonl")).unwrap());
    let path = dir.join("deals.jsonl");
    std::fs::write(&path, text).unwrap();
    path
}

fn jsonl(output: &Output) -> Vec<Json> {
    String::from_utf8(output.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// `{verdict: {from: {to: count}}}` recounted from two `augur eval` runs:
/// a deal one version cannot evaluate counts as `(none)` there; a deal
/// neither can is not counted.
fn recount(
    dir: &Path,
    old: &str,
    new: &str,
    deals: &str,
) -> BTreeMap<(String, String, String), u64> {
    let before = jsonl(&augur_in(dir, &["eval", old, deals, "--format", "jsonl"]));
    let after = jsonl(&augur_in(dir, &["eval", new, deals, "--format", "jsonl"]));
    assert_eq!(before.len(), after.len());
    let mut counts = BTreeMap::new();
    for (a, b) in before.iter().zip(&after) {
        if a.get("error").is_some() && b.get("error").is_some() {
            continue;
        }
        let names: std::collections::BTreeSet<String> = [a, b]
            .iter()
            .filter_map(|r| r.get("verdicts").and_then(Json::as_object))
            .flat_map(|v| v.keys().cloned())
            .collect();
        for name in names {
            let arm = |r: &Json| {
                r["verdicts"][&name]["value"]
                    .as_str()
                    .unwrap_or("(none)")
                    .to_string()
            };
            *counts.entry((name.clone(), arm(a), arm(b))).or_insert(0) += 1;
        }
    }
    counts
}

fn reported(summary: &Json) -> BTreeMap<(String, String, String), u64> {
    let mut counts = BTreeMap::new();
    for (verdict, rows) in summary["transitions"].as_object().unwrap() {
        for (from, cells) in rows.as_object().unwrap() {
            for (to, n) in cells.as_object().unwrap() {
                let n = n.as_u64().unwrap();
                if n > 0 {
                    counts.insert((verdict.clone(), from.clone(), to.clone()), n);
                }
            }
        }
    }
    counts
}

/// Runs the diff in jsonl, checks the transitions against the recount and
/// the changed records against the summary, and returns the records.
fn diff_and_recount(dir: &Path, new_text: &str, deals: &Path) -> (Vec<Json>, Json) {
    std::fs::write(dir.join("old.augur"), standing()).unwrap();
    std::fs::write(dir.join("new.augur"), new_text).unwrap();
    let deals = deals.to_str().unwrap();
    let output = augur_in(
        dir,
        &["diff", "old.augur", "new.augur", deals, "--format", "jsonl"],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("is not a fact of this playbook"),
        "a fact of the other version is not warned about per deal: {stderr}"
    );
    let mut records = jsonl(&output);
    let summary = records.pop().unwrap()["summary"].clone();
    assert_eq!(
        reported(&summary),
        recount(dir, "old.augur", "new.augur", deals),
        "{summary}"
    );
    assert_eq!(summary["changed"].as_u64().unwrap() as usize, records.len());
    let diagonal_and_off: u64 = reported(&summary)
        .iter()
        .filter(|((v, _, _), _)| v == "standing")
        .map(|(_, n)| n)
        .sum();
    assert_eq!(
        diagonal_and_off + summary["failed"].as_u64().unwrap(),
        summary["deals"].as_u64().unwrap(),
        "every deal is counted once in each verdict's table"
    );
    (records, summary)
}

#[test]
fn a_weight_change_moves_deals_and_names_the_weight() {
    let dir = temp_dir("weight");
    let deals = corpus(&dir);
    let new = standing().replacen(
        "when ideas_flow == we_sell\n    weight 3",
        "when ideas_flow == we_sell\n    weight 9",
        1,
    );
    let (records, summary) = diff_and_recount(&dir, &new, &deals);
    assert!(!records.is_empty());
    assert_eq!(
        summary["playbook"]["signals"]["weights"],
        json!([{"name": "we_sell_ideas", "from": 3, "to": 9}])
    );
    // Markdown items keep the causes the text shows.
    let markdown = augur_in(
        &dir,
        &[
            "diff",
            "old.augur",
            "new.augur",
            deals.to_str().unwrap(),
            "--format",
            "markdown",
        ],
    );
    let markdown = String::from_utf8(markdown.stdout).unwrap();
    assert!(
        markdown.contains("weight of we\\_sell\\_ideas +3 → +9"),
        "{markdown}"
    );
    assert!(markdown.contains("advice gained: ") || markdown.contains("advice lost: "));
    for record in &records {
        assert_eq!(record["weights"][0]["name"], "we_sell_ideas", "{record}");
        assert_eq!(
            record["score"]["to"].as_i64().unwrap() - record["score"]["from"].as_i64().unwrap(),
            6
        );
    }
}

#[test]
fn a_threshold_change_changes_verdicts_not_scores() {
    let dir = temp_dir("threshold");
    let deals = corpus(&dir);
    let new = standing().replacen("when score >= 6 and", "when score >= 2 and", 1);
    let (records, summary) = diff_and_recount(&dir, &new, &deals);
    assert!(summary["verdicts_changed"].as_u64().unwrap() > 0);
    // The changed condition is the cause, in the summary and per deal.
    assert_eq!(
        summary["playbook"]["conditions"],
        json!([{
            "kind": "arm",
            "name": "standing",
            "arm": "first_choice",
            "from": "score >= 6 and red_flags == 0 and not no_exec_late",
            "to": "score >= 2 and red_flags == 0 and not no_exec_late",
        }])
    );
    for record in &records {
        assert_eq!(record["score"]["from"], record["score"]["to"]);
        assert_eq!(
            record["verdicts"]["standing"]["to"], "first_choice",
            "{record}"
        );
        assert_eq!(
            record["conditions"],
            json!(["arm standing.first_choice"]),
            "{record}"
        );
    }
    let deals = deals.to_str().unwrap();
    let text = augur_in(&dir, &["diff", "old.augur", "new.augur", deals]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("condition of arm standing.first_choice changed: score >= 6 and"),
        "{text}"
    );
    let per_deal = text
        .matches("  conditions changed: arm standing.first_choice\n")
        .count();
    assert_eq!(per_deal, records.len(), "{text}");
    let markdown = augur_in(
        &dir,
        &[
            "diff",
            "old.augur",
            "new.augur",
            deals,
            "--format",
            "markdown",
        ],
    );
    let markdown = String::from_utf8(markdown.stdout).unwrap();
    let items: Vec<&str> = markdown.lines().filter(|l| l.starts_with("- `")).collect();
    assert!(!items.is_empty(), "{markdown}");
    for item in items {
        assert!(
            item.contains("conditions changed: arm standing.first\\_choice"),
            "{item}"
        );
    }
}

#[test]
fn a_new_signal_and_a_removed_signal_are_causes() {
    let dir = temp_dir("signals");
    let deals = corpus(&dir);
    let new = standing()
        .replacen(
            "# ------------------------------------------------------------------ where we stand",
            "signal decision_soon \"The decision is near\" {\n  when days_to_decision <= 14\n  weight 2\n  message \"They decide within two weeks.\"\n}\n\n# ------------------------------------------------------------------ where we stand",
            1,
        )
        .replacen("expect price_bundled and extra_commitments and", "expect price_bundled and", 1);
    let start = new.find("  signal extra_commitments ").unwrap();
    let end = start + new[start..].find("\n  }\n").unwrap() + "\n  }\n".len();
    let new = format!("{}{}", &new[..start], &new[end..]);
    let (records, summary) = diff_and_recount(&dir, &new, &deals);
    assert_eq!(
        summary["playbook"]["signals"]["added"],
        json!(["decision_soon"])
    );
    assert_eq!(
        summary["playbook"]["signals"]["removed"],
        json!(["extra_commitments"])
    );
    let added = records
        .iter()
        .filter(|r| r["signals"]["added"] == json!(["decision_soon"]))
        .count();
    let removed = records
        .iter()
        .filter(|r| r["signals"]["removed"] == json!(["extra_commitments"]))
        .count();
    assert!(added > 0 && removed > 0, "{added} {removed}");
}

#[test]
fn a_renamed_fact_is_reported_and_each_version_reads_its_own_name() {
    let dir = temp_dir("rename");
    let deals = corpus(&dir);
    let new = standing().replace("session_minutes", "meeting_minutes");
    let (records, summary) = diff_and_recount(&dir, &new, &deals);
    assert_eq!(
        summary["playbook"]["facts"]["added"],
        json!([{"name": "meeting_minutes", "type": "int?"}])
    );
    assert_eq!(
        summary["playbook"]["facts"]["removed"],
        json!([{"name": "session_minutes", "type": "int?"}])
    );
    // The deals say session_minutes: NEW no longer reads it.
    assert!(records.iter().any(|r| r["signals"]["removed"]
        .as_array()
        .unwrap()
        .contains(&json!("generous_time"))));
}

#[test]
fn a_new_verdict_arm_gets_its_row_and_column() {
    let dir = temp_dir("arm");
    let deals = corpus(&dir);
    let new = standing().replacen(
        "  backup       \"Backup\"",
        "  contender    \"Contender\"      when red_flags == 0 and score >= 0\n  backup       \"Backup\"",
        1,
    );
    let (records, summary) = diff_and_recount(&dir, &new, &deals);
    assert_eq!(
        summary["playbook"]["verdicts"]["arms_added"],
        json!([{"verdict": "standing", "arm": "contender"}])
    );
    assert!(
        summary["transitions"]["standing"]["backup"]["contender"]
            .as_u64()
            .unwrap()
            > 0
    );
    assert!(summary["transitions"]["standing"]
        .get("contender")
        .is_none());
    assert!(records
        .iter()
        .all(|r| r["verdicts"]["standing"]["to"] == "contender"
            || r["verdicts"].get("standing").is_none()));
}

#[test]
fn formats_and_fail_on_change() {
    let dir = temp_dir("formats");
    let deals = corpus(&dir);
    std::fs::write(dir.join("old.augur"), standing()).unwrap();
    std::fs::write(
        dir.join("new.augur"),
        standing().replacen("when score >= 6 and", "when score >= 2 and", 1),
    )
    .unwrap();
    let deals = deals.to_str().unwrap();
    // Same playbook: nothing changes, --fail-on-change passes.
    let same = augur_in(
        &dir,
        &["diff", "old.augur", "old.augur", deals, "--fail-on-change"],
    );
    let text = String::from_utf8(same.stdout).unwrap();
    assert!(
        text.contains("0 changed a verdict, 0 changed in any way"),
        "{text}"
    );
    let failing = augur_in(
        &dir,
        &["diff", "old.augur", "new.augur", deals, "--fail-on-change"],
    );
    assert_eq!(failing.status.code(), Some(1));
    let text = String::from_utf8(failing.stdout).unwrap();
    assert!(text.contains("rows OLD, columns NEW"), "{text}");
    // The verdict changes come before anything else.
    let verdicts_at = text.find("where a verdict changed").unwrap();
    assert!(text.find("standing: backup → first_choice").unwrap() > verdicts_at);
    let json_doc = augur_in(
        &dir,
        &["diff", "old.augur", "new.augur", deals, "--format", "json"],
    );
    let doc: Json = serde_json::from_slice(&json_doc.stdout).unwrap();
    assert_eq!(
        doc["changes"].as_array().unwrap().len() as u64,
        doc["summary"]["changed"].as_u64().unwrap()
    );
    let severities: Vec<bool> = doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["verdicts"].as_object().unwrap().is_empty())
        .collect();
    assert!(
        severities.windows(2).all(|w| w[0] <= w[1]),
        "verdict changes first"
    );
    let markdown = augur_in(
        &dir,
        &[
            "diff",
            "old.augur",
            "new.augur",
            deals,
            "--format",
            "markdown",
        ],
    );
    let markdown = String::from_utf8(markdown.stdout).unwrap();
    assert!(markdown.starts_with("### What this playbook change does"));
    assert!(markdown.contains("| old \\ new |"));
    assert!(markdown.contains("#### Deals whose verdict changed"));
}

#[test]
fn chinese_playbook_and_deals() {
    let dir = temp_dir("zh");
    let zh = std::fs::read_to_string(root().join("examples/standing.zh.augur")).unwrap();
    std::fs::write(dir.join("old.augur"), &zh).unwrap();
    std::fs::write(
        dir.join("new.augur"),
        zh.replacen("score >= 6", "score >= 2", 1),
    )
    .unwrap();
    for deals in ["batch.jsonl", "batch.csv"] {
        let deals = root().join("examples/deals").join(deals);
        let output = augur_in(
            &dir,
            &["diff", "old.augur", "new.augur", deals.to_str().unwrap()],
        );
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(text.contains("rows OLD, columns NEW"), "{text}");
        assert!(text.contains("changed a verdict"), "{text}");
    }
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

#[test]
fn a_revision_is_read_from_git_with_its_imports_at_the_same_revision() {
    let dir = temp_dir("git");
    git(&dir, &["init", "-q"]);
    std::fs::create_dir_all(dir.join("pb")).unwrap();
    std::fs::write(
        dir.join("pb/main.augur"),
        "import \"lib.augur\"\nfacts { n: int }\nverdict v \"V\" {\n  high \"High\" when score >= 3\n  low \"Low\" otherwise\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("pb/lib.augur"),
        "signal big \"Big\" {\n  when n > 10\n  weight 2\n}\n",
    )
    .unwrap();
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "one"]);
    // Only the imported file changes.
    std::fs::write(
        dir.join("pb/lib.augur"),
        "signal big \"Big\" {\n  when n > 10\n  weight 5\n}\n",
    )
    .unwrap();
    git(&dir, &["commit", "-q", "-am", "two"]);
    std::fs::write(dir.join("deals.jsonl"), "{\"n\": 50}\n{\"n\": 1}\n").unwrap();
    let output = augur_in(
        &dir,
        &[
            "diff",
            "HEAD~1:pb/main.augur",
            "pb/main.augur",
            "deals.jsonl",
            "--format",
            "jsonl",
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let records = jsonl(&output);
    assert_eq!(records.len(), 2, "{records:?}");
    // The same report whatever the deals file is called.
    let without_deal = |records: Vec<Json>| -> Vec<Json> {
        records
            .into_iter()
            .map(|mut r| {
                r.as_object_mut().unwrap().remove("deal");
                r
            })
            .collect()
    };
    assert_eq!(
        records[0]["verdicts"]["v"],
        json!({"from": "low", "to": "high"})
    );
    assert_eq!(
        records[0]["weights"],
        json!([{"name": "big", "from": 2, "to": 5}])
    );
    assert_eq!(
        records[1]["summary"]["transitions"]["v"],
        json!({"high": {"high": 0, "low": 0}, "low": {"high": 1, "low": 1}})
    );
    // The revision is read from the repository the file is in, wherever
    // augur runs: an absolute path from a folder outside the repository,
    // and a path relative to a folder inside it.
    let outside = temp_dir("git-outside");
    let main = dir.join("pb/main.augur");
    let main = main.to_str().unwrap();
    let deals = dir.join("deals.jsonl");
    let revision = format!("HEAD~1:{main}");
    let output = augur_in(
        &outside,
        &[
            "diff",
            &revision,
            main,
            deals.to_str().unwrap(),
            "--format",
            "jsonl",
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(without_deal(jsonl(&output)), without_deal(records.clone()));
    let output = augur_in(
        &dir.join("pb"),
        &[
            "diff",
            "HEAD~1:main.augur",
            "main.augur",
            "../deals.jsonl",
            "--format",
            "jsonl",
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(without_deal(jsonl(&output)), without_deal(records.clone()));
    // A revision that cannot be read is a plain error (exit 2), not a
    // playbook diagnostic.
    for (folder, old) in [
        (&dir, "nope:pb/main.augur".to_string()),
        (&dir, "HEAD~1:pb/missing.augur".to_string()),
        (&outside, "HEAD:elsewhere/main.augur".to_string()),
    ] {
        let output = augur_in(folder, &["diff", &old, main, deals.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(2), "{old}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(
            stderr.starts_with(&format!("error: cannot read {old} from git")),
            "{stderr}"
        );
        assert!(!stderr.contains("augur::"), "{stderr}");
        assert!(!stderr.contains("has errors"), "{stderr}");
    }
    // `--help` gives the exit codes docs/corpus.md gives.
    let help = augur_in(&dir, &["diff", "--help"]);
    let help = String::from_utf8(help.stdout).unwrap();
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        help.contains("a deal could be evaluated by neither version (a deal only one version evaluates is reported as a change)")
            && help.contains("2 for bad usage or an unreadable revision"),
        "{help}"
    );
}

/// A deal neither version can read gets one error when both say the same,
/// and one per version, each labelled, when they differ.
#[test]
fn a_deal_neither_version_reads_is_reported_once_or_per_version() {
    let dir = temp_dir("neither");
    std::fs::write(
        dir.join("old.augur"),
        "facts { n: int }\nsignal s { when n > 1 weight 1 }\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("new.augur"),
        "facts { n: date }\nsignal s { when n > 2026-01-01 weight 1 }\n",
    )
    .unwrap();
    std::fs::write(dir.join("d.jsonl"), "{\"n\": \"abc\"}\n{\"m\": 1}\n").unwrap();
    let output = augur_in(&dir, &["diff", "old.augur", "new.augur", "d.jsonl"]);
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("d.jsonl:1 $.n (old version): "), "{err}");
    assert!(err.contains("d.jsonl:1 $.n (new version): "), "{err}");
    // `n` missing: the same error from both, said once, without a label.
    assert_eq!(err.matches("d.jsonl:2").count(), 1, "{err}");
    assert!(!err.contains("d.jsonl:2 $.n (old version)"), "{err}");
}
