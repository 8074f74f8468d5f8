//! Tidy: the checks that keep each concept in one place agree with its copies
//! (rust-analyzer's `tidy.rs` in spirit). The grammar is the source of truth
//! for keywords; the editor tooling (`augur_ide::lex`, the TextMate grammar,
//! the Neovim syntax file) must say the same. Every diagnostic code is
//! documented, every source file says what it is for, ARCHITECTURE.md
//! names only files that exist, and the terminal stack (miette, progress
//! bars, prompts) and the protocol each stay in their one crate.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn set<'a>(words: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    words.into_iter().map(str::to_string).collect()
}

/// The quoted words of the pest rule `name = @{ ( "a" | "b" … ) … }`.
fn grammar_words(grammar: &str, name: &str) -> BTreeSet<String> {
    let start = grammar
        .lines()
        .position(|line| {
            line.strip_prefix(name)
                .is_some_and(|rest| rest.trim_start().starts_with("= @{"))
        })
        .unwrap_or_else(|| panic!("rule {name} not in the grammar"));
    let body = grammar.lines().skip(start).collect::<Vec<_>>().join("\n");
    let end = body.find('}').unwrap();
    body[..end]
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// The words after `syn keyword GROUP` in the Neovim syntax file, and those
/// of `syn match GROUP "\<word\>"` (for words such as `contains` that
/// `:syn keyword` takes as its own arguments).
fn vim_words(syntax: &str, group: &str) -> BTreeSet<String> {
    let keywords = syntax
        .lines()
        .filter_map(|line| line.strip_prefix(&format!("syn keyword {group} ")))
        .flat_map(|words| words.split_whitespace().map(str::to_string));
    let matches = syntax
        .lines()
        .filter_map(|line| line.strip_prefix(&format!("syn match {group} \"\\<")))
        .filter_map(|rest| rest.strip_suffix("\\>\""))
        .map(str::to_string);
    keywords.chain(matches).collect()
}

#[test]
fn keywords_agree_with_the_grammar() {
    let grammar = read("grammar/augur.pest");
    let reserved = grammar_words(&grammar, "keyword");
    let items = grammar_words(&grammar, "item_keyword");
    let clauses = grammar_words(&grammar, "clause_keyword");

    // The editor lexer: the reserved words, plus the clause words and
    // `version` (which the grammar spells inside its rules).
    let lex_keywords = set(augur_ide::lex::KEYWORDS.iter().copied());
    let mut expected = reserved.clone();
    expected.extend(clauses.iter().cloned());
    expected.insert("version".to_string());
    assert_eq!(lex_keywords, expected, "augur-ide/src/lex.rs KEYWORDS");
    assert_eq!(
        set(augur_ide::lex::ITEM_KEYWORDS.iter().copied()),
        items,
        "augur-ide/src/lex.rs ITEM_KEYWORDS"
    );

    // Neovim: every keyword group together is exactly the lexer's keywords;
    // its builtins are the checker's.
    let vim = read("editors/nvim/syntax/augur.vim");
    assert_eq!(vim_words(&vim, "augurItem"), items, "nvim augurItem");
    let mut all = BTreeSet::new();
    for group in ["augurItem", "augurKeyword", "augurOperator", "augurBoolean"] {
        all.extend(vim_words(&vim, group));
    }
    assert_eq!(all, lex_keywords, "nvim keyword groups");
    let builtins = set(augur_check::builtins().iter().map(|(name, _, _)| *name));
    let mut vim_builtins = vim_words(&vim, "augurBuiltin");
    vim_builtins.extend(vim_words(&vim, "augurSpecial"));
    assert!(
        builtins.is_subset(&vim_builtins),
        "nvim augurBuiltin lacks {:?}",
        builtins.difference(&vim_builtins).collect::<Vec<_>>()
    );

    // TextMate: every alternation that lists item keywords lists all of them.
    let textmate = read("editors/vscode/syntaxes/augur.tmLanguage.json");
    let mut alternations = 0;
    for chunk in textmate.split("(?:playbook|").skip(1) {
        let list = chunk.split(')').next().unwrap();
        let mut words: BTreeSet<String> = list.split('|').map(str::to_string).collect();
        words.insert("playbook".to_string());
        assert_eq!(words, items, "TextMate item keywords");
        alternations += 1;
    }
    assert!(
        alternations > 0,
        "no item keyword list found in the TextMate grammar"
    );
    let call_list = textmate
        .split("(?:count|")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .expect("the TextMate grammar lists the built-in functions");
    let mut textmate_builtins: BTreeSet<String> =
        call_list.split('|').map(str::to_string).collect();
    textmate_builtins.insert("count".to_string());
    assert_eq!(textmate_builtins, builtins, "TextMate built-in functions");
}

#[test]
fn every_builtin_is_documented() {
    // The registry (augur-check/src/builtins.rs) gives hover and completion
    // their text; the reference must describe every function too.
    let reference = read("docs/language.md");
    for (name, _, _) in augur_check::builtins() {
        assert!(
            reference.contains(&format!("`{name}(")) || reference.contains(&format!("`{name}`")),
            "docs/language.md does not describe the built-in `{name}`"
        );
    }
}

#[test]
fn every_diagnostic_code_is_documented() {
    let docs = read("docs/language.md");
    let missing: Vec<&str> = augur_syntax::Code::ALL
        .iter()
        .map(|code| code.as_str())
        .filter(|code| !docs.contains(&format!("`{code}`")))
        .collect();
    assert!(missing.is_empty(), "not in docs/language.md: {missing:?}");
}

fn rust_sources(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn every_source_file_says_what_it_is_for() {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(root().join("crates")).unwrap() {
        let src = entry.unwrap().path().join("src");
        if src.is_dir() {
            rust_sources(&src, &mut files);
        }
    }
    assert!(files.len() > 30);
    let missing: Vec<String> = files
        .iter()
        .filter(|file| {
            let text = std::fs::read_to_string(file).unwrap();
            !text.trim_start().starts_with("//!")
        })
        .map(|file| file.display().to_string())
        .collect();
    assert!(missing.is_empty(), "no `//!` header: {missing:#?}");
}

/// Whether some file under `dir` ends with the path `name`.
fn exists_under(dir: &Path, name: &str) -> bool {
    if dir.join(name).exists() {
        return true;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|entry| {
        let path = entry.path();
        path.is_dir()
            && !path.ends_with("target")
            && !path.ends_with("node_modules")
            && exists_under(&path, name)
    })
}

#[test]
fn architecture_names_only_files_that_exist() {
    let text = read("ARCHITECTURE.md");
    let mut section = root();
    let mut missing = Vec::new();
    for line in text.lines() {
        if let Some(heading) = line.strip_prefix("### `") {
            let path = heading.trim_end_matches('`');
            if root().join(path).is_dir() {
                section = root().join(path);
            }
        }
        for name in line.split('`').skip(1).step_by(2) {
            // A `/` alone does not make a path (`textDocument/inlayHint`,
            // `augur/pinStatus` are protocol methods): its first part must be
            // a folder here.
            let first = name.split('/').next().unwrap_or("");
            let folder =
                !first.is_empty() && (root().join(first).is_dir() || section.join(first).is_dir());
            let looks_like_path = (name.contains('/') && folder)
                || [
                    ".rs", ".md", ".pest", ".json", ".toml", ".lua", ".vim", ".sh", ".ts",
                ]
                .iter()
                .any(|ext| name.ends_with(ext));
            let pattern = ['*', '<', ' '].iter().any(|c| name.contains(*c));
            if !looks_like_path || pattern || name.starts_with("//") {
                continue;
            }
            let name = name.trim_end_matches('/');
            let found = exists_under(&section, name)
                || root().join(name).exists()
                || exists_under(&root().join("crates"), name);
            if !found {
                missing.push(name.to_string());
            }
        }
    }
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md names files that do not exist: {missing:?}"
    );
}

/// The crate names under `[dependencies]` (not dev-dependencies) of a
/// crate's `Cargo.toml`.
fn dependencies(manifest: &str) -> BTreeSet<String> {
    let mut inside = false;
    let mut names = BTreeSet::new();
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == "[dependencies]";
            continue;
        }
        if inside {
            if let Some((name, _)) = line.split_once(['=', '.']) {
                names.insert(name.trim().to_string());
            }
        }
    }
    names
}

#[test]
fn terminals_and_the_protocol_each_have_one_home() {
    // (crate used, the only crates that may depend on it)
    let homes: &[(&str, &[&str])] = &[
        ("miette", &["augur-render"]),
        ("indicatif", &["augur-cli"]),
        ("inquire", &["augur-cli"]),
        ("augur-render", &["augur-cli"]),
        ("tower-lsp", &["augur-lsp"]),
    ];
    let mut wrong = Vec::new();
    let mut crates = 0;
    for entry in std::fs::read_dir(root().join("crates")).unwrap() {
        let dir = entry.unwrap().path();
        let Ok(manifest) = std::fs::read_to_string(dir.join("Cargo.toml")) else {
            continue;
        };
        crates += 1;
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let deps = dependencies(&manifest);
        for (used, allowed) in homes {
            if deps.contains(*used) && !allowed.contains(&name.as_str()) {
                wrong.push(format!("{name} depends on {used}"));
            }
        }
    }
    assert!(crates > 5, "the crates were not found");
    assert!(wrong.is_empty(), "{wrong:?}");
}
