//! Checker behaviour that is not one case file: did-you-mean fixes, imports
//! across files, and the flagship playbook with syntax errors put in.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

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
