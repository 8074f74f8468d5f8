//! Hostile inputs through the `augur` binary: every case in
//! `tests/adversarial/cases.txt` must end with its exit code and its clear
//! error, and never with a panic. Inputs that are huge, binary or sensitive
//! to line endings are generated here rather than committed.
//!
//! Not a test of what the errors say in detail (the crates' own tests do
//! that); this is the end-to-end promise of docs/security.md.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn source_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/adversarial")
}

/// A fresh copy of tests/adversarial in a temporary folder, plus the
/// generated inputs.
fn scratch() -> PathBuf {
    let root = std::env::temp_dir().join(format!("augur-adversarial-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let dir = root.join("adversarial");
    copy_dir(&source_dir(), &dir);
    generate(&dir);
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

fn generate(dir: &Path) {
    let max_file = augur_syntax::limits::MAX_FILE_BYTES;
    // Just over the file-size limit: a comment line repeated.
    let line = "# filler filler filler filler filler filler filler filler filler\n";
    write(
        dir,
        "gen_huge_file.augur",
        line.repeat(max_file / line.len() + 2),
    );
    // One item more than allowed.
    let mut many = String::new();
    for i in 0..=augur_syntax::limits::MAX_ITEMS {
        many.push_str(&format!("enum E{i}{{a}}\n"));
    }
    write(dir, "gen_many_items.augur", many);
    let name = "n".repeat(augur_syntax::limits::MAX_IDENT_CHARS + 1);
    write(
        dir,
        "gen_long_name.augur",
        format!("facts {{ {name}: int }}\n"),
    );
    let string = "x".repeat(augur_syntax::limits::MAX_STRING_BYTES + 1);
    write(
        dir,
        "gen_long_string.augur",
        format!("playbook \"{string}\"\n"),
    );

    // Deals.
    let big = format!(
        "{{\"n\": 1, \"pad\": \"{}\"}}",
        "x".repeat(augur_eval::deal::MAX_DEAL_BYTES)
    );
    write(dir, "gen_big_deal.json", &big);
    write(dir, "gen_big_deal.jsonl", format!("{{\"n\": 1}}\n{big}\n"));
    write(
        dir,
        "gen_list.augur",
        "facts { xs: list<int> }\nsignal some { when count(xs) > 0 weight 1 }\n",
    );
    let items = vec!["1"; augur_eval::deal::MAX_LIST_ITEMS + 1].join(",");
    write(dir, "gen_long_list.json", format!("{{\"xs\": [{items}]}}"));
    let items = vec!["1"; augur_eval::deal::MAX_LIST_ITEMS].join(",");
    write(
        dir,
        "gen_long_list_ok.json",
        format!("{{\"xs\": [{items}]}}"),
    );
    write(dir, "gen_bad_utf8.json", b"{\"n\": \xff1}\n");
    write(dir, "gen_bom.json", "\u{feff}{\"n\": 2}\n");

    // One small playbook whose reports would be gigabytes: a 1 MiB let
    // interpolated by 3,000 messages (refused by `check`), and a deal text
    // interpolated by 200 messages (refused at run time).
    let mut report = format!("facts {{ s: text }}\nlet a0 = \"{}\"\n", "x".repeat(65_000));
    for i in 1..=4 {
        report.push_str(&format!("let a{i} = a{} + a{}\n", i - 1, i - 1));
    }
    for i in 0..3_000 {
        report.push_str(&format!(
            "signal s{i} {{ when len(s) > 0 weight 1\n message \"{{a4}}\" }}\n"
        ));
    }
    write(dir, "gen_report_bomb.augur", report);
    let mut echo = String::from("facts { s: text }\n");
    for i in 0..200 {
        echo.push_str(&format!(
            "signal s{i} {{ when len(s) > 0 weight 1\n message \"{{s}}\" }}\n"
        ));
    }
    write(dir, "gen_report_echo.augur", echo);
    write(
        dir,
        "gen_report_echo.json",
        format!("{{\"s\": \"{}\"}}", "y".repeat(100_000)),
    );

    // A symlink inside the folder that points outside it.
    let outside = dir.parent().unwrap().join("outside.augur");
    write(
        dir.parent().unwrap(),
        "outside.augur",
        "enum Secret { a }\n",
    );
    #[cfg(unix)]
    std::os::unix::fs::symlink(&outside, dir.join("gen_link.augur")).unwrap();
    write(dir, "gen_symlink.augur", "import \"gen_link.augur\"\n");

    // Encodings and invisible characters.
    write(dir, "gen_bad_utf8.augur", b"enum S { a, \xff b }\n");
    write(dir, "gen_bom.augur", "\u{feff}enum S { a, b }\n");
    write(dir, "gen_bom_formatted.augur", "\u{feff}enum S { a, b }\n");
    write(
        dir,
        "gen_crlf.augur",
        "enum S { a, b }\r\nfacts { s: S }\r\nsignal x { when s == zz weight 1 }\r\n",
    );
    write(dir, "gen_nul.augur", "enum S { a,\0 b }\n");
    // A terminal escape in a message: clears the screen of whoever reads it.
    write(
        dir,
        "gen_escape.augur",
        "facts { a: bool }\nsignal s { when a weight 1\n message \"ok\u{1b}[2J\" }\n",
    );
    write(dir, "gen_rtl_name.augur", "enum S { a, b\u{202e} }\n");
    write(
        dir,
        "gen_rtl_string.augur",
        "playbook \"access \u{202e}level\" version \"1\"\n",
    );
    write(
        dir,
        "gen_rtl_comment.augur",
        "facts { admin: bool }\n# \u{2067}check\u{2069} is admin\nsignal s { when admin weight 1 }\n",
    );
}

struct Case {
    name: String,
    exit: i32,
    args: Vec<String>,
    expect: String,
}

fn cases() -> Vec<Case> {
    let manifest = std::fs::read_to_string(source_dir().join("cases.txt")).unwrap();
    manifest
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.trim_start().starts_with('#'))
        .map(|line| {
            let fields: Vec<&str> = line.split('|').map(str::trim).collect();
            assert_eq!(fields.len(), 4, "bad manifest line: {line}");
            Case {
                name: fields[0].to_string(),
                exit: fields[1].parse().unwrap(),
                args: fields[2].split_whitespace().map(String::from).collect(),
                expect: fields[3].to_string(),
            }
        })
        .collect()
}

fn run(dir: &Path, args: &[String]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_augur"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap_or(-1), text)
}

#[test]
fn every_hostile_input_gets_its_clear_error() {
    let dir = scratch();
    let mut failures = Vec::new();
    let cases = cases();
    assert!(cases.len() >= 30, "the manifest lost cases");
    for case in &cases {
        let (code, text) = run(&dir, &case.args);
        if text.contains("panicked at") {
            failures.push(format!("{}: PANIC\n{text}", case.name));
        } else if code != case.exit {
            failures.push(format!(
                "{}: exit {code}, expected {}\n{text}",
                case.name, case.exit
            ));
        } else if !text.contains(&case.expect) {
            failures.push(format!(
                "{}: output lacks {:?}\n{text}",
                case.name, case.expect
            ));
        }
    }
    let _ = std::fs::remove_dir_all(dir.parent().unwrap());
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// `augur fmt` writes beside the file and renames: a file it refuses is left
/// byte for byte, and no temporary file is ever left behind.
#[test]
fn fmt_never_leaves_a_half_written_file() {
    let dir = std::env::temp_dir().join(format!("augur-adversarial-fmt-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let broken = "enum S {a,b\n# 阶段 unfinished\n";
    let hostile = "# \u{202e}hidden\nenum S {a,b}\n";
    let messy = "enum   阶段 {早,晚}\r\nfacts{s:阶段}\r\n";
    write(&dir, "broken.augur", broken);
    write(&dir, "hostile.augur", hostile);
    write(&dir, "messy.augur", messy);
    let args: Vec<String> = ["fmt", "broken.augur", "hostile.augur", "messy.augur"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let (code, text) = run(&dir, &args);
    assert!(!text.contains("panicked at"), "{text}");
    assert_eq!(code, 1, "{text}");
    assert_eq!(
        std::fs::read_to_string(dir.join("broken.augur")).unwrap(),
        broken
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("hostile.augur")).unwrap(),
        hostile
    );
    // The good file was rewritten in full: LF endings, canonical layout.
    let messy_after = std::fs::read_to_string(dir.join("messy.augur")).unwrap();
    assert!(!messy_after.contains('\r'), "{messy_after:?}");
    assert_eq!(
        augur_fmt::format(&messy_after).unwrap(),
        messy_after,
        "not the whole canonical text"
    );
    let leftovers: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.ends_with(".augur"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
