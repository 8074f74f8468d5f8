//! Data-driven checker cases: every `tests/check/*.augur` file lists the
//! diagnostic codes it must produce in `# expect: augur::…` comments (none
//! means the file must check clean). Rendered diagnostics are snapshotted.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

fn cases() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/check");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "augur"));
    files.sort();
    files
}

#[test]
fn check_cases_produce_exactly_their_expected_codes() {
    let files = cases();
    assert!(files.len() >= 15);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut expected: Vec<String> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# expect: "))
            .map(|c| c.trim().to_string())
            .collect();
        let analysis = augur_check::analyze_text(&text);
        let mut found: Vec<String> = analysis
            .diagnostics
            .iter()
            .map(|d| d.code.as_str().to_string())
            .collect();
        expected.sort();
        found.sort();
        assert_eq!(
            found,
            expected,
            "{}: {:#?}",
            file.display(),
            analysis.diagnostics
        );
        // Every diagnostic has a non-empty span inside the text, a message and a help line.
        for d in &analysis.diagnostics {
            assert!(d.span.end <= text.len(), "{}", file.display());
            assert!(
                !d.message.is_empty() && d.help.is_some(),
                "{}: {d:?}",
                file.display()
            );
        }
        let name = file.file_stem().unwrap().to_string_lossy().into_owned();
        let rendered: String = analysis
            .diagnostics
            .iter()
            .map(|d| augur_syntax::render::render_report(d, &format!("{name}.augur"), &text, false))
            .collect();
        insta::assert_snapshot!(name, rendered);
    }
}

#[test]
fn did_you_mean_offers_a_fix() {
    let analysis = augur_check::analyze_text(
        "facts { exec_access: bool? }\nsignal s { when exec_acess weight 1 }\n",
    );
    let d = analysis
        .diagnostics
        .iter()
        .find(|d| d.code == augur_syntax::Code::UnknownName)
        .unwrap();
    assert_eq!(d.help.as_deref(), Some("did you mean `exec_access`?"));
    assert_eq!(d.suggestions[0].replacement, "exec_access");
}

#[test]
fn import_cycles_and_escapes_are_reported() {
    let loader = augur_check::MemoryLoader::new([
        ("a.augur", "import \"b.augur\"\nimport \"../x.augur\"\n"),
        ("b.augur", "import \"a.augur\"\n"),
    ]);
    let analysis = augur_check::analyze("a.augur", &loader);
    let codes: Vec<&str> = analysis
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    assert!(codes.contains(&"augur::import-cycle"), "{codes:?}");
    assert!(codes.contains(&"augur::import-path"), "{codes:?}");
}

/// Three independent syntax errors in the flagship playbook (in a signal's
/// `when`, a `weight`, and a verdict arm) give exactly three diagnostics: the
/// broken entries' siblings survive, and nothing they declared is reported
/// again as "not declared".
#[test]
fn three_syntax_errors_in_the_flagship_give_three_diagnostics() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/standing.augur");
    let text = std::fs::read_to_string(path).unwrap();
    let broken = text
        .replacen(
            "when session_minutes < 30 or agenda_set_by == customer",
            "when session_minutes < 30 or agenda_set_by == customer ++",
            1,
        )
        .replacen("weight -4", "weight 2.5", 1)
        .replacen("when score >= 6 and", "when ( score >= 6 and", 1);
    assert_ne!(broken, text);
    let analysis = augur_check::analyze_text(&broken);
    let codes: Vec<&str> = analysis
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    assert_eq!(codes, ["augur::syntax"; 3], "{:#?}", analysis.diagnostics);
}
