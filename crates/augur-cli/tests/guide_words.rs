//! How the guidance reads: why-not changes that tell "find out" from "what
//! would have to change", list facts named only when they can help, numbers
//! and dates as ranges, a short headline, one change set per class
//! combination.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod guidance;

use guidance::*;

const MEDDPICC: &str = r#"playbook "MEDDPICC" version "0.1"
enum Stage { discovery, proposal, negotiation }
facts {
  stage: Stage "Stage"
  champion_tested: bool? "Has the champion been tested by asking them to do something for us?"
  budget: int? "Budget in k$"
}
signal tested_champion "Champion tested" { when champion_tested weight 3 }
signal big "Big budget" { when budget >= 100 weight 2 }
verdict health "Health" {
  on_track "On track" when score >= 5
  at_risk "At risk" when decided(tested_champion) and not tested_champion
  fine "Fine" otherwise
}
"#;

fn meddpicc() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("augur-guide-words-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("m.augur");
    std::fs::write(&path, MEDDPICC).unwrap();
    path
}

#[test]
fn why_not_tells_what_to_find_out_from_what_would_have_to_change() {
    let playbook = meddpicc();
    let deal = "{\"id\":\"y\",\"stage\":\"proposal\",\"budget\":50}";
    let out = text(&augur(&["eval", playbook.to_str().unwrap(), "-"], deal));
    assert!(
        out.contains("find out: champion_tested = true"),
        "the unknown fact is to find out:\n{out}"
    );
    assert!(
        out.contains("budget ≥ 100 (now 50)"),
        "the recorded fact would have to change:\n{out}"
    );
    let output = augur(
        &["eval", playbook.to_str().unwrap(), "-", "--format", "json"],
        deal,
    );
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let changes = &value["verdicts"]["health"]["why_not"]["on_track"]["changes"];
    let set = changes[0].as_array().unwrap();
    let champion = set.iter().find(|c| c["fact"] == "champion_tested").unwrap();
    assert_eq!(champion["to"], true);
    assert_eq!(champion["known"], false);
    assert!(champion.get("now").is_none());
    let budget = set.iter().find(|c| c["fact"] == "budget").unwrap();
    assert_eq!(budget["known"], true);
    assert_eq!(budget["now"], 50);
    // One change set per class combination: budget 100 and 101 are one
    // range (≥ 100), not two sets.
    let with_budget: Vec<&serde_json::Value> = changes
        .as_array()
        .unwrap()
        .iter()
        .filter(|set| {
            set.as_array()
                .unwrap()
                .iter()
                .any(|c| c["fact"] == "budget")
        })
        .collect();
    assert_eq!(with_budget.len(), 1, "{changes}");
}

#[test]
fn a_list_is_named_only_when_new_entries_could_help() {
    // Early stage: events can only lower the score; they cannot make it
    // first choice, so they are not offered as the way there.
    let out = text(&augur(
        &[
            "eval",
            "examples/standing.augur",
            "examples/deals/case1_laokong_coalmine.json",
            "--today",
            "2026-11-20",
        ],
        "",
    ));
    let reach = out
        .lines()
        .skip_while(|l| !l.contains("First choice is out of reach"))
        .take(2)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(!reach.is_empty(), "{out}");
    assert!(!reach.contains("`events`"), "{reach}");
    assert!(!reach.contains("only new"), "{reach}");
    // A late deal: changing the stage and two answers reach first choice,
    // so no list is offered and nothing says "only". (With a search cut by
    // its budget, the words for the lists that might help are tested in
    // crates/augur-guide/tests/oracle.rs.)
    let out = text(&augur(
        &[
            "eval",
            "examples/standing.augur",
            "-",
            "--today",
            "2026-11-20",
        ],
        "{\"id\":\"u1\",\"stage\":\"late\"}",
    ));
    assert!(
        out.contains("it would take stage = mid (now late)"),
        "{out}"
    );
    assert!(!out.contains("only new entries"), "{out}");
    // Where nothing but a new entry can reach the arm, "only" is said.
    let dir = std::env::temp_dir().join(format!("augur-guide-lists-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let playbook = dir.join("l.augur");
    std::fs::write(
        &playbook,
        "enum Kind { exec_meeting \"An executive meeting\"  demo \"A demo\" }\n\
         record Event \"Something that happened\" { kind: Kind \"What\"  on: date \"When\" }\n\
         facts { ok: bool \"All fine\"  events: list<Event> \"Dated events\" }\n\
         verdict v \"V\" {\n  good \"Good\" when count(events where kind == exec_meeting) > 0\n  \
         bad \"Bad\" otherwise\n}\n",
    )
    .unwrap();
    let out = text(&augur(
        &[
            "eval",
            playbook.to_str().unwrap(),
            "-",
            "--today",
            "2026-11-20",
        ],
        "{\"ok\": true, \"events\": [{\"kind\": \"demo\", \"on\": \"2026-11-01\"}]}",
    ));
    assert!(
        out.contains("only new entries in `events` (Dated events) could reach it"),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn numbers_and_dates_read_as_ranges_and_the_headline_stays_short() {
    let out = text(&augur(
        &[
            "eval",
            "examples/standing.augur",
            "-",
            "--today",
            "2026-11-20",
        ],
        "{\"id\":\"e\",\"stage\":\"early\"}",
    ));
    // Sample values never print as if they were the only ones.
    assert!(!out.contains("30 or 31"), "{out}");
    assert!(!out.contains("2026-11-19 or 2026-11-20"), "{out}");
    assert!(out.contains("session_minutes ≥ 30"), "{out}");
    // A line that holds for every value says nothing.
    assert!(!out.contains("true or false"), "{out}");
    assert!(!out.contains("is us or customer or jointly"), "{out}");
    let headline = out.lines().find(|l| l.contains("Where we stand:")).unwrap();
    assert!(
        headline
            .split("; ")
            .filter(|clause| !clause.starts_with("and "))
            .count()
            <= 3,
        "at most three clauses:\n{headline}"
    );
    assert!(headline.contains("more question"), "{headline}");
    // MEDDPICC: a threshold reads as one.
    let playbook = meddpicc();
    let out = text(&augur(
        &["eval", playbook.to_str().unwrap(), "-"],
        "{\"id\":\"z\",\"stage\":\"proposal\",\"champion_tested\":true}",
    ));
    assert!(out.contains("budget ≥ 100"), "{out}");
    assert!(out.contains("budget < 100"), "{out}");
    assert!(!out.contains("100 or 101"), "{out}");
}

#[test]
fn the_chinese_edition_never_prints_true_or_false_as_an_effect() {
    let out = text(&augur(
        &[
            "eval",
            "examples/standing.zh.augur",
            "-",
            "--today",
            "2026-11-20",
        ],
        "{\"id\":\"e\",\"stage\":\"early\"}",
    ));
    assert!(!out.contains("true或false"), "{out}");
    assert!(!out.contains("false或true"), "{out}");
}

#[test]
fn explain_says_when_a_signals_group_is_off() {
    let out = text(&augur(
        &[
            "eval",
            "examples/standing.augur",
            "-",
            "--today",
            "2026-11-20",
            "--explain",
        ],
        "{\"id\":\"u1\",\"stage\":\"late\"}",
    ));
    let line = out.lines().find(|l| l.contains("many_questions")).unwrap();
    assert!(line.contains("(group early is off)"), "{out}");
    // A signal of the group that is on says nothing of the kind.
    let line = out
        .lines()
        .find(|l| l.contains("sudden_objection"))
        .unwrap();
    assert!(!line.contains("group"), "{out}");
    let out = text(&augur(
        &[
            "eval",
            "examples/standing.zh.augur",
            "-",
            "--today",
            "2026-11-20",
            "--explain",
        ],
        "{\"id\":\"u1\",\"stage\":\"late\"}",
    ));
    assert!(out.contains("（所在组 初期 未启用）"), "{out}");
}

#[test]
fn dates_and_decimals_read_as_ranges_in_effects_and_changes() {
    let dir = std::env::temp_dir().join(format!("augur-guide-dates-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let playbook = dir.join("d.augur");
    std::fs::write(
        &playbook,
        "facts { d: date? \"When\", n: number? \"N\" }\n\
         verdict v \"V\" {\n  soon \"Soon\" when days_until(d) <= 7 and days_until(d) >= 0\n  \
         mid \"Mid\" when n > 1.5 and n < 3\n  later \"Later\" otherwise\n}\n",
    )
    .unwrap();
    let path = playbook.to_str().unwrap();
    let out = text(&augur(&["eval", path, "-", "--today", "2026-11-20"], "{}"));
    assert!(
        out.contains("Soon if d between 2026-11-20 and 2026-11-27"),
        "{out}"
    );
    assert!(
        out.contains("Mid possible if d < 2026-11-20 or > 2026-11-27"),
        "{out}"
    );
    assert!(out.contains("Mid possible if n > 1.5 and < 3"), "{out}");
    let out = text(&augur(
        &["eval", path, "-", "--today", "2026-11-20"],
        "{\"d\": \"2026-12-30\", \"n\": 5}",
    ));
    assert!(
        out.contains("it would take d between 2026-11-20 and 2026-11-27 (now 2026-12-30)"),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
