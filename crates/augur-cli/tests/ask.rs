//! `augur ask` end to end: answers piped one a line, and a real terminal
//! (a pseudo-terminal driving the inquire prompts) where Ctrl-C after two
//! answers leaves both in the deal file.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::process::{Command, Stdio};

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("augur-ask-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn ask_piped(args: &[&str], answers: &str) -> (String, i32) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_augur"))
        .arg("ask")
        .args(args)
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
        .write_all(answers.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    (
        String::from_utf8(output.stdout).unwrap(),
        output.status.code().unwrap_or(-1),
    )
}

fn saved(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn piped_answers_ask_the_stage_first_then_what_decides_and_stop_when_decided() {
    let dir = temp_dir("piped");
    let deal = dir.join("deal.json");
    let deal_arg = deal.to_str().unwrap();
    let (out, code) = ask_piped(
        &["examples/standing.augur", deal_arg, "--today", "2026-11-20"],
        "late\n2\n",
    );
    assert_eq!(code, 0, "{out}");
    // The stage first (required), then the one fact that decides the verdict.
    let stage_at = out.find("(stage)").unwrap();
    let objection_at = out.find("(late_objection)").unwrap();
    assert!(stage_at < objection_at, "{out}");
    assert!(
        out.contains("Reference only if late_objection is unsolvable or price"),
        "{out}"
    );
    // Facts that cannot change the verdict are never asked.
    assert!(!out.contains("(price_tied_to_scope_and_risk)"), "{out}");
    // Decided: it stops and prints where the deal stands.
    assert!(
        out.contains("Where we stand: Reference only — settled."),
        "{out}"
    );
    assert_eq!(
        saved(&deal),
        serde_json::json!({"stage": "late", "late_objection": "unsolvable"})
    );
}

#[test]
fn dont_know_skips_a_question_q_quits_and_bad_answers_are_asked_again() {
    let dir = temp_dir("skip");
    let deal = dir.join("d.json");
    std::fs::write(&deal, "{\"id\": \"x\", \"stage\": \"mid\"}").unwrap();
    let deal_arg = deal.to_str().unwrap();
    let (out, code) = ask_piped(
        &["examples/standing.augur", deal_arg, "--today", "2026-11-20"],
        "\nmaybe\n1\nq\n",
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("not understood"), "{out}");
    let value = saved(&deal);
    assert_eq!(value["id"], "x");
    assert_eq!(value["stage"], "mid");
    // The first question was skipped, the second answered with choice 1, then q.
    let answered: Vec<&String> = value
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| *k != "id" && *k != "stage")
        .collect();
    assert_eq!(answered.len(), 1, "{value}");
    assert!(out.contains("Where we stand"), "{out}");
}

#[test]
fn the_chinese_edition_asks_in_chinese() {
    let dir = temp_dir("zh");
    let deal = dir.join("d.json");
    let deal_arg = deal.to_str().unwrap();
    let (out, _) = ask_piped(
        &[
            "examples/standing.zh.augur",
            deal_arg,
            "--today",
            "2026-11-20",
        ],
        "3\nq\n",
    );
    assert!(out.contains("客户采购过程所处的阶段"), "{out}");
    assert!(out.contains("后期突然出现的异议"), "{out}");
    assert_eq!(saved(&deal)["stage"], "late");
}

#[cfg(unix)]
#[test]
fn on_a_terminal_ctrl_c_after_two_answers_keeps_both() {
    let dir = temp_dir("pty");
    let deal = dir.join("deal.json");
    let mut command = Command::new(env!("CARGO_BIN_EXE_augur"));
    command
        .args([
            "ask",
            "examples/standing.augur",
            deal.to_str().unwrap(),
            "--today",
            "2026-11-20",
        ])
        .current_dir(root())
        .env("TERM", "xterm");
    let mut session = rexpect::session::spawn_command(command, Some(20_000)).unwrap();
    session.exp_string("(stage)").unwrap();
    // Typing filters the choices; Enter takes the one left.
    session.send("mid").unwrap();
    session.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    session.send("\r").unwrap();
    session.flush().unwrap();
    session.exp_string("(ideas_flow)").unwrap();
    session.send("we_").unwrap();
    session.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    session.send("\r").unwrap();
    session.flush().unwrap();
    session.exp_string("(requirement_depth)").unwrap();
    session.send_control('c').unwrap();
    session.exp_string("Where we stand").unwrap();
    session.exp_eof().unwrap();
    assert_eq!(
        saved(&deal),
        serde_json::json!({"stage": "mid", "ideas_flow": "we_sell"})
    );
}
