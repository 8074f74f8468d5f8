//! Evaluator semantics as data, one test per case: `tests/eval/<name>.augur`
//! is a playbook, `tests/eval/<name>.jsonl` its deals (one a line, evaluated
//! as of 2026-11-20 unless a deal has `as_of`), and `tests/eval/<name>.out`
//! what must come out, one line per deal: the verdicts, the score, the signals
//! that fired (and their messages), the advice given and the facts left
//! unknown, or the error.
//! Re-bless with `UPDATE_EXPECT=1 cargo test -p augur-eval --test eval_cases`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use augur_eval::{decode_deal, evaluate};
use augur_syntax::Date;
use libtest_mimic::{Arguments, Failed, Trial};
use std::path::{Path, PathBuf};

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/eval");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "augur"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "the evaluator cases are missing");
    let trials = files
        .into_iter()
        .map(|file| {
            let name = file.file_stem().unwrap().to_string_lossy().into_owned();
            Trial::test(name, move || eval_case(&file))
        })
        .collect();
    libtest_mimic::run(&Arguments::from_args(), trials).exit();
}

fn eval_case(file: &Path) -> Result<(), Failed> {
    let text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
    let analysis = augur_check::analyze_text(&text);
    if analysis.has_errors() {
        return Err(format!("the playbook has errors: {:#?}", analysis.diagnostics).into());
    }
    let program = &analysis.program;
    let deals = std::fs::read_to_string(file.with_extension("jsonl")).map_err(|e| e.to_string())?;
    let today = Date::parse("2026-11-20").unwrap();
    let mut out = String::new();
    for line in deals.lines().filter(|l| !l.trim().is_empty()) {
        let json: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
        let result = decode_deal(program, &json)
            .map_err(|e| e.to_string())
            .and_then(|deal| {
                evaluate(program, &deal, deal.as_of.unwrap_or(today)).map_err(|e| e.message)
            });
        let summary = match result {
            Err(error) => format!("error: {error}"),
            Ok(outcome) => {
                let verdicts: Vec<String> = program
                    .verdicts
                    .iter()
                    .zip(&outcome.verdicts)
                    .map(|(v, arm)| {
                        let arm = v.arms.get(*arm as usize).map_or("?", |a| a.name.as_str());
                        format!("{}={arm}", v.name)
                    })
                    .collect();
                let fired: Vec<&str> = program
                    .signals
                    .iter()
                    .zip(&outcome.fired)
                    .filter(|(_, fired)| **fired)
                    .map(|(s, _)| s.name.as_str())
                    .collect();
                let advice: Vec<String> = outcome
                    .advice
                    .iter()
                    .filter_map(|(id, text)| {
                        let name = &program.advice.get(*id as usize)?.name;
                        Some(format!("{name}: {text}"))
                    })
                    .collect();
                let unknown: Vec<&str> = outcome
                    .unknown
                    .iter()
                    .filter_map(|id| program.facts.get(*id as usize))
                    .map(|f| f.name.as_str())
                    .collect();
                let messages: Vec<&str> = outcome
                    .messages
                    .iter()
                    .flatten()
                    .map(String::as_str)
                    .collect();
                let mut line = format!(
                    "{} score={} fired=[{}] advice={:?} unknown=[{}]",
                    verdicts.join(" "),
                    outcome.score,
                    fired.join(","),
                    advice,
                    unknown.join(",")
                );
                if !messages.is_empty() {
                    line.push_str(&format!(" messages={messages:?}"));
                }
                line.trim_start().to_string()
            }
        };
        out.push_str(&summary);
        out.push('\n');
    }
    let expected_path = file.with_extension("out");
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&expected_path, &out).map_err(|e| e.to_string())?;
        return Ok(());
    }
    let expected = std::fs::read_to_string(&expected_path).map_err(|e| {
        format!(
            "{}: {e} (bless with UPDATE_EXPECT=1)",
            expected_path.display()
        )
    })?;
    if expected != out {
        return Err(format!("expected:\n{expected}\nfound:\n{out}").into());
    }
    Ok(())
}
