//! `augur fmt`: rewrite playbooks in the canonical layout (`augur-fmt`),
//! `-` from stdin to stdout, `--check` to list what would change. A file
//! that does not parse or is not UTF-8 is left untouched; files are
//! replaced safely through `fmt_write.rs`.

use crate::diagnostics::colour_on_stderr;
use crate::fmt_write;
use crate::playbooks::playbook_files;
use std::path::PathBuf;
use std::process::ExitCode;

pub(crate) fn run(paths: &[PathBuf], check_only: bool) -> ExitCode {
    if paths.len() == 1 && paths.first().is_some_and(|p| p.as_os_str() == "-") {
        let mut text = String::new();
        if std::io::Read::read_to_string(&mut std::io::stdin(), &mut text).is_err() {
            eprintln!("error: stdin is not valid UTF-8 text");
            return ExitCode::from(1);
        }
        return match augur_fmt::format(&text) {
            Ok(formatted) => {
                print!("{formatted}");
                ExitCode::SUCCESS
            }
            Err(diagnostics) => {
                for d in &diagnostics {
                    eprint!(
                        "{}",
                        augur_render::render_report(d, "<stdin>", &text, colour_on_stderr())
                    );
                }
                ExitCode::from(1)
            }
        };
    }
    let files = match playbook_files(paths) {
        Ok(files) => files,
        Err(code) => return code,
    };
    let mut problems = false;
    for file in &files {
        let text = match std::fs::read(file).map(String::from_utf8) {
            Ok(Ok(text)) => text,
            Ok(Err(e)) => {
                eprintln!(
                    "error: {} is not valid UTF-8 (invalid byte at offset {}); left untouched",
                    file.display(),
                    e.utf8_error().valid_up_to()
                );
                problems = true;
                continue;
            }
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", file.display());
                problems = true;
                continue;
            }
        };
        let formatted = match augur_fmt::format(&text) {
            Ok(formatted) => formatted,
            Err(diagnostics) => {
                for d in &diagnostics {
                    eprint!(
                        "{}",
                        augur_render::render_report(
                            d,
                            &file.display().to_string(),
                            &text,
                            colour_on_stderr()
                        )
                    );
                }
                eprintln!("error: {} does not parse; left untouched", file.display());
                problems = true;
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        if check_only {
            println!("{}", file.display());
            problems = true;
            continue;
        }
        if let Err(message) = fmt_write::replace(file, &formatted) {
            eprintln!("error: {message}");
            problems = true;
        }
    }
    if problems {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
