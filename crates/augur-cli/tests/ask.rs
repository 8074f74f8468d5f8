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

fn ask_output(args: &[&str], answers: &str, close_stdout: bool) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_augur"))
        .arg("ask")
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if close_stdout {
        // Like `augur ask … | head -0`: the reader is gone before anything is written.
        drop(child.stdout.take());
    }
    let _ = child.stdin.take().unwrap().write_all(answers.as_bytes());
    child.wait_with_output().unwrap()
}

#[cfg(unix)]
#[test]
fn saving_keeps_the_files_permissions_and_writes_through_a_symlink() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("perm");
    let deal = dir.join("shared.json");
    std::fs::write(&deal, "{\"id\": \"p\"}").unwrap();
    std::fs::set_permissions(&deal, std::fs::Permissions::from_mode(0o644)).unwrap();
    let link = dir.join("link.json");
    std::os::unix::fs::symlink("shared.json", &link).unwrap();
    let link_arg = link.to_str().unwrap();
    let (out, code) = ask_piped(
        &["examples/standing.augur", link_arg, "--today", "2026-11-20"],
        "late\nq\n",
    );
    assert_eq!(code, 0, "{out}");
    // The link is still a link, and its target holds the answer.
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        saved(&deal),
        serde_json::json!({"id": "p", "stage": "late"})
    );
    let mode = std::fs::metadata(&deal).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644);
    // A new file gets the usual permissions (0666 less the umask), not 0600.
    let fresh = dir.join("fresh.json");
    let (out, code) = ask_piped(
        &[
            "examples/standing.augur",
            fresh.to_str().unwrap(),
            "--today",
            "2026-11-20",
        ],
        "late\nq\n",
    );
    assert_eq!(code, 0, "{out}");
    let created = dir.join("umask-probe");
    std::fs::write(&created, "").unwrap();
    let usual = std::fs::metadata(&created).unwrap().permissions().mode() & 0o777;
    let mode = std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, usual);
    // No temporary file is left behind.
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["fresh.json", "link.json", "shared.json", "umask-probe"]
    );
}

#[test]
fn a_closed_stdout_ends_the_interview_quietly() {
    let dir = temp_dir("pipe");
    let deal = dir.join("d.json");
    let output = ask_output(
        &[
            "examples/standing.augur",
            deal.to_str().unwrap(),
            "--today",
            "2026-11-20",
        ],
        "late\nq\n",
        true,
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(0), "{stderr}");
}

#[test]
fn a_folder_that_cannot_hold_the_deal_is_refused_before_the_first_question() {
    let dir = temp_dir("nodir");
    let deal = dir.join("missing").join("d.json");
    let output = ask_output(
        &[
            "examples/standing.augur",
            deal.to_str().unwrap(),
            "--today",
            "2026-11-20",
        ],
        "late\n",
        false,
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stdout}{stderr}");
    // Nothing was asked, and the message names the folder, not a temporary file.
    assert!(!stdout.contains("(stage)"), "{stdout}");
    assert!(stderr.contains("missing"), "{stderr}");
    assert!(!stderr.contains(".tmp"), "{stderr}");
    assert!(!stderr.contains("at path"), "{stderr}");
}

#[test]
fn the_chinese_edition_asks_with_chinese_fixed_words() {
    let dir = temp_dir("zhwords");
    let deal = dir.join("d.json");
    let (out, code) = ask_piped(
        &[
            "examples/standing.zh.augur",
            deal.to_str().unwrap(),
            "--today",
            "2026-11-20",
        ],
        "3\nmaybe\nq\n",
    );
    assert_eq!(code, 0, "{out}");
    for english in [
        "Answers are saved to",
        "empty line",
        "don't know yet",
        "not understood",
    ] {
        assert!(!out.contains(english), "{english}:\n{out}");
    }
    assert!(out.contains("回答保存在"), "{out}");
    assert!(out.contains("空行：还不知道"), "{out}");
    assert!(out.contains("没看懂"), "{out}");
}

/// The deal file is read and written back exactly: numbers keep every
/// digit (the file's and the answers'), and a key given twice is refused
/// before any question, as `augur eval` refuses it.
#[test]
fn numbers_keep_every_digit_and_a_repeated_key_is_refused() {
    let dir = temp_dir("exact");
    let playbook = dir.join("p.augur");
    std::fs::write(
        &playbook,
        "facts { x: number\n y: number? }\n\
         signal exact { when x == 1234567890.123456789 weight 1 }\n\
         verdict v { hit \"Hit\" when exact and y > 5  miss \"Miss\" otherwise }\n",
    )
    .unwrap();
    let deal = dir.join("d.json");
    std::fs::write(&deal, "{\"id\": \"e\", \"x\": 1234567890.123456789}").unwrap();
    let (out, code) = ask_piped(
        &[
            playbook.to_str().unwrap(),
            deal.to_str().unwrap(),
            "--today",
            "2026-11-20",
        ],
        "98765432109876543210.5\n",
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Hit"), "{out}");
    let text = std::fs::read_to_string(&deal).unwrap();
    assert!(text.contains("1234567890.123456789"), "{text}");
    assert!(text.contains("98765432109876543210.5"), "{text}");

    std::fs::write(&deal, "{\"x\": 1, \"x\": 2}").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_augur"))
        .args(["ask", playbook.to_str().unwrap(), deal.to_str().unwrap()])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(err.contains("`x` is given twice"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&deal).unwrap(),
        "{\"x\": 1, \"x\": 2}",
        "the file is left as it was"
    );
}

/// A read-only deal file is refused before the first question and left as
/// it was (renaming over it would rewrite it anyway).
#[cfg(unix)]
#[test]
fn a_read_only_deal_is_refused_before_the_first_question() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("read-only");
    let deal = dir.join("ro.json");
    std::fs::write(&deal, "{\"stage\": \"late\"}").unwrap();
    std::fs::set_permissions(&deal, std::fs::Permissions::from_mode(0o444)).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_augur"))
        .args(["ask", "examples/standing.augur", deal.to_str().unwrap()])
        .current_dir(root())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    let out = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(err.contains("is read-only"), "{err}");
    assert!(!out.contains('?'), "no question was asked: {out}");
    assert_eq!(
        std::fs::read_to_string(&deal).unwrap(),
        "{\"stage\": \"late\"}"
    );
    let mode = std::fs::metadata(&deal).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o444);
}

/// A yes/no question of a Chinese playbook offers 是 / 否, and the answer
/// is saved as JSON `true` / `false`.
#[test]
fn a_chinese_playbook_asks_yes_or_no_in_chinese() {
    let dir = temp_dir("zh-yes-no");
    let playbook = dir.join("p.augur");
    std::fs::write(
        &playbook,
        "playbook \"商机评估\"\nfacts { 出席: bool? \"关键人物出席了演示\" }\n\
         signal 好 \"关键人物来了\" { when 出席 weight 1 }\n\
         verdict 处境 \"处境\" { 首选 \"首选\" when 好  备选 \"备选\" otherwise }\n",
    )
    .unwrap();
    let deal = dir.join("d.json");
    let (out, code) = ask_piped(
        &[
            playbook.to_str().unwrap(),
            deal.to_str().unwrap(),
            "--today",
            "2026-11-20",
        ],
        "2\n",
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1) 是") && out.contains("2) 否"), "{out}");
    assert!(!out.contains("1) yes"), "{out}");
    assert_eq!(saved(&deal)["出席"], false, "{out}");
}
