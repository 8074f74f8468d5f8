//! `augur eval` with guidance: possible verdicts and what to find out next in
//! text and json (jsonl only with `--guide`), `--set`, `--explain` in text,
//! and the Chinese edition.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod guidance;

use guidance::*;

const U1: &str = "{\"id\":\"u1\",\"stage\":\"late\"}\n";

#[test]
fn a_late_deal_says_what_is_settled_and_which_question_settles_it() {
    let output = augur(
        &[
            "eval",
            "examples/standing.augur",
            "-",
            "--today",
            "2026-11-20",
        ],
        U1,
    );
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains(
            "Where we stand: Backup — not settled: Reference only if late_objection is unsolvable or price."
        ),
        "{text}"
    );
    assert!(text.contains("First choice is out of reach"), "{text}");
    assert!(text.contains("No executive has ever met us"), "{text}");
    // The search finds the smallest changes exactly (it used to run out of
    // budget here): moving to the middle stage and two good answers there.
    assert!(
        text.contains(
            "(find out: ideas_flow = we_sell, next_steps_set_by is us or jointly; \
             and it would take stage = mid (now late))"
        ),
        "{text}"
    );
    // Replayed with --set, that change reaches First choice.
    let replay = augur(
        &[
            "eval",
            "examples/standing.augur",
            "-",
            "--today",
            "2026-11-20",
            "--set",
            "stage=mid",
            "--set",
            "ideas_flow=we_sell",
            "--set",
            "next_steps_set_by=jointly",
        ],
        U1,
    );
    let replayed = String::from_utf8(replay.stdout).unwrap();
    assert!(
        replayed.contains("Where we stand: First choice"),
        "{replayed}"
    );
    let next = text.split("Find out next").nth(1).unwrap();
    assert!(next.contains("late_objection"), "{text}");
    assert!(next.contains("decision_on"), "{text}");
    for irrelevant in [
        "price_tied_to_scope_and_risk",
        "extra_commitments_asked",
        "champion_said_they_choose_us",
    ] {
        assert!(
            !next.contains(irrelevant),
            "{irrelevant} cannot change anything:\n{text}"
        );
    }
}

#[test]
fn json_has_possible_decided_why_not_and_find_out_next() {
    let value = json(&augur(
        &[
            "eval",
            "examples/standing.augur",
            "-",
            "--today",
            "2026-11-20",
            "--format",
            "json",
        ],
        U1,
    ));
    let standing = &value["verdicts"]["standing"];
    assert_eq!(standing["value"], "backup");
    assert_eq!(
        standing["possible"],
        serde_json::json!(["backup", "reference"])
    );
    assert_eq!(standing["decided"], false);
    assert!(standing.get("approximate").is_none());
    assert!(standing["why_not"]["first_choice"]["failed"].is_array());
    let next: Vec<&str> = value["find_out_next"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["fact"].as_str().unwrap())
        .collect();
    assert_eq!(next, ["late_objection", "decision_on"]);
    assert_eq!(
        value["find_out_next"][0]["verdicts"]["standing"],
        serde_json::json!(["backup", "reference"])
    );
    assert_eq!(
        value["find_out_next"][1]["advice"],
        serde_json::json!(["decision_imminent"])
    );
    assert_eq!(
        value["find_out_next"][0]["question"],
        "A sudden objection late in the deal"
    );
    // The existing list stays as it is.
    assert!(value["unknown"].as_array().unwrap().len() >= 2);
    assert_eq!(value["advice"][0]["settled"], true);
}

#[test]
fn jsonl_has_guidance_only_with_guide() {
    let plain = augur(
        &["eval", "examples/standing.augur", "-", "--format", "jsonl"],
        U1,
    );
    let plain: serde_json::Value = serde_json::from_slice(&plain.stdout).unwrap();
    assert!(plain["verdicts"]["standing"].get("possible").is_none());
    assert!(plain.get("find_out_next").is_none());
    let guided = augur(
        &[
            "eval",
            "examples/standing.augur",
            "-",
            "--format",
            "jsonl",
            "--guide",
        ],
        U1,
    );
    let guided: serde_json::Value = serde_json::from_slice(&guided.stdout).unwrap();
    assert_eq!(guided["verdicts"]["standing"]["decided"], false);
    assert!(guided["find_out_next"].is_array());
}

#[test]
fn set_evaluates_as_if_the_fact_had_that_value() {
    let value = json(&augur(
        &[
            "eval",
            "examples/standing.augur",
            "-",
            "--today",
            "2026-11-20",
            "--format",
            "json",
            "--set",
            "late_objection=price",
            "--set",
            "decision_on=2026-11-25",
        ],
        U1,
    ));
    assert_eq!(value["verdicts"]["standing"]["value"], "reference");
    assert_eq!(value["verdicts"]["standing"]["decided"], true);
    let advice: Vec<&str> = value["advice"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert!(advice.contains(&"decision_imminent"), "{advice:?}");
    // An empty value makes an optional fact unknown again.
    let value = json(&augur(
        &[
            "eval",
            "examples/standing.augur",
            "-",
            "--format",
            "json",
            "--set",
            "late_objection=",
        ],
        "{\"stage\":\"late\",\"late_objection\":\"price\"}",
    ));
    assert_eq!(value["verdicts"]["standing"]["value"], "backup");
    for (bad, says) in [
        ("nope=1", "not a fact of this playbook"),
        ("session_minutes=many", "expected a number"),
        ("late_objection=maybe", "late_objection"),
        ("stage=", "must be known"),
        ("stage", "FACT=VALUE"),
    ] {
        let output = augur(&["eval", "examples/standing.augur", "-", "--set", bad], U1);
        assert_eq!(output.status.code(), Some(2), "--set {bad}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(says), "--set {bad}: {stderr}");
    }
}

#[test]
fn explain_in_text_shows_every_signal_with_its_values() {
    let output = augur(
        &[
            "eval",
            "examples/standing.augur",
            "-",
            "--today",
            "2026-11-20",
            "--explain",
        ],
        U1,
    );
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("Every signal"), "{text}");
    assert!(
        text.contains("undecided") && text.contains("sudden_objection"),
        "{text}"
    );
    assert!(
        text.contains("fired") && text.contains("boss_never_met"),
        "{text}"
    );
    assert!(text.contains("late_objection = not known"), "{text}");
}

#[test]
fn the_chinese_edition_reads_in_chinese() {
    let output = augur(
        &[
            "eval",
            "examples/standing.zh.augur",
            "-",
            "--today",
            "2026-11-20",
        ],
        U1,
    );
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("尚未确定"), "{text}");
    assert!(text.contains("接下来要弄清楚"), "{text}");
    assert!(
        text.contains("若 late_objection 为 unsolvable或price，则为仅供参考"),
        "{text}"
    );
    assert!(!text.contains("Find out next"), "{text}");
}

#[test]
fn unknowns_in_messages_print_as_named_placeholders() {
    let dir = std::env::temp_dir().join(format!("augur-guide-placeholder-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let playbook = dir.join("p.augur");
    std::fs::write(
        &playbook,
        "facts { stage: int, budget: int? }\n\
         signal s \"S\" { when stage > 0 weight 1 message \"Budget {budget}, stage {stage}\" }\n",
    )
    .unwrap();
    let output = augur(
        &["eval", playbook.to_str().unwrap(), "-", "--format", "json"],
        "{\"stage\": 2}",
    );
    let value = json(&output);
    assert_eq!(value["signals"][0]["message"], "Budget ‹budget›, stage 2");
    // Only a message needs it: listed apart in text, not as a question.
    let output = augur(&["eval", playbook.to_str().unwrap(), "-"], "{\"stage\": 2}");
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains("Only to complete a message: budget"),
        "{text}"
    );
    assert!(!text.contains("Find out next"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}
