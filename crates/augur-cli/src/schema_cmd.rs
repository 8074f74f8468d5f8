//! `augur schema PLAYBOOK`: prints the JSON Schema of a deal for the
//! playbook (`augur_corpus::schema`), or with `--csv-header` the CSV header
//! row a CRM export should have.

use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Print the JSON Schema (2020-12) of a deal for a playbook
///
/// For CRM forms and import jobs: facts with their types, enum variants with
/// their descriptions, optional facts, and the reserved keys id, as_of and
/// outcome.
#[derive(Args)]
pub struct SchemaArgs {
    /// The playbook file
    playbook: PathBuf,
    /// Print the CSV header row of a deal export instead
    #[arg(long)]
    csv_header: bool,
}

pub fn run(args: SchemaArgs) -> ExitCode {
    if !args.playbook.is_file() {
        eprintln!("error: {} is not a playbook file", args.playbook.display());
        return ExitCode::from(2);
    }
    let analysis = crate::playbooks::analyze(&args.playbook);
    if analysis.has_errors() {
        crate::diagnostics::print_diagnostics(
            &analysis,
            &crate::playbooks::display_root(&args.playbook),
        );
        eprintln!("error: the playbook has errors; fix them first");
        return ExitCode::from(1);
    }
    let text = if args.csv_header {
        augur_corpus::schema::csv_header(&analysis.program)
    } else {
        let schema = augur_corpus::schema::deal_schema(&analysis.program);
        serde_json::to_string_pretty(&schema).unwrap_or_default()
    };
    // A closed pipe (`augur schema … | head`) is not an error worth a panic.
    let _ = writeln!(std::io::stdout().lock(), "{text}");
    ExitCode::SUCCESS
}
