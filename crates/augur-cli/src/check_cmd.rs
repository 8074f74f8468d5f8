//! `augur check`: parse and check playbooks, each diagnostic once however
//! many checked files import its file; text (rendered, then a count of
//! errors and warnings), JSON, JSON Lines, GitHub annotations or SARIF.
//! Exit 1 when there are errors.

use crate::diagnostics::{diagnostic_json, diagnostic_key, print_these, CanonicalPaths, Files};
use crate::playbooks::{display_root, playbook_files};
use crate::team_formats::{self, ReportFormat};
use serde_json::Value as Json;
use std::path::PathBuf;
use std::process::ExitCode;

pub(crate) fn run(paths: &[PathBuf], format: ReportFormat) -> ExitCode {
    let files = match playbook_files(paths) {
        Ok(files) => files,
        Err(code) => return code,
    };
    let mut errors = 0;
    let mut warnings = 0;
    let mut all = Vec::new();
    // Each diagnostic once, however many checked files import its file.
    let mut printed = std::collections::HashSet::new();
    // Each file read and parsed once, however many checked files import it.
    let shared = if files.len() == 1 {
        augur_check::SharedFiles::for_one_playbook()
    } else {
        augur_check::SharedFiles::new()
    };
    let mut paths = CanonicalPaths::default();
    for (index, file) in files.iter().enumerate() {
        let analysis = shared.analyze(file);
        let root = display_root(file);
        let mut new = Vec::new();
        let mut shown = Files::new(&analysis, &root);
        for diagnostic in &analysis.diagnostics {
            if printed.insert(diagnostic_key(&shown, &mut paths, diagnostic)) {
                if diagnostic.is_error() {
                    errors += 1;
                } else {
                    warnings += 1;
                }
                new.push(diagnostic);
            }
        }
        match format {
            ReportFormat::Text => print_these(&mut shown, &new),
            _ => all.extend(new.iter().map(|d| diagnostic_json(&mut shown, d))),
        }
        drop(shown);
        if index + 1 == files.len() {
            // The process ends after this command: freeing the last
            // playbook's trees (a tenth of `augur check` on a 10,000-line
            // playbook) would be work the exit undoes. Earlier ones are
            // freed, so a folder of playbooks does not pile up memory.
            std::mem::forget(analysis);
        }
    }
    // Likewise the run's remembered texts and parses.
    std::mem::forget(shared);
    match format {
        ReportFormat::Text => eprintln!(
            "checked {} playbook(s): {errors} error(s), {warnings} warning(s)",
            files.len()
        ),
        ReportFormat::Json => println!("{}", Json::Array(all)),
        ReportFormat::Jsonl => all.iter().for_each(|d| println!("{d}")),
        ReportFormat::Github | ReportFormat::Sarif => {
            let findings: Vec<_> = all.iter().map(team_formats::from_diagnostic).collect();
            team_formats::print(format, &findings);
        }
    }
    if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
