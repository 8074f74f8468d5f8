//! Commands that set Augur up rather than read playbooks: `augur init`
//! (a starter playbook, a test and a sample deal), `augur completions SHELL`
//! (clap_complete) and `augur man` (the man page, or with `--dir` one page per
//! command, clap_mangen). The starter
//! files are embedded from `src/starter/`.

use clap::{Args, CommandFactory};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const STARTER_PLAYBOOK: &str = include_str!("starter/playbook.augur");
const STARTER_DEAL: &str = include_str!("starter/sample.json");

/// Write a starter playbook with tests and a sample deal
///
/// Creates FOLDER/playbook.augur and FOLDER/deals/sample.json; refuses to
/// overwrite a file that exists.
#[derive(Args)]
pub struct InitArgs {
    /// Where to write the files (default: the current folder)
    #[arg(default_value = ".")]
    folder: PathBuf,
}

/// The files `augur init` writes, relative to its folder.
pub fn starter_files() -> [(&'static str, &'static str); 2] {
    [
        ("playbook.augur", STARTER_PLAYBOOK),
        ("deals/sample.json", STARTER_DEAL),
    ]
}

pub fn init(args: InitArgs) -> ExitCode {
    let files = starter_files();
    let existing: Vec<PathBuf> = files
        .iter()
        .map(|(path, _)| args.folder.join(path))
        .filter(|path| path.exists())
        .collect();
    if !existing.is_empty() {
        for path in &existing {
            eprintln!(
                "error: {} already exists; augur init never overwrites",
                path.display()
            );
        }
        return ExitCode::from(1);
    }
    for (path, text) in files {
        let path = args.folder.join(path);
        if let Err(e) = write_new(&path, text) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::from(1);
        }
        println!("wrote {}", path.display());
    }
    let shown = args.folder.join("playbook.augur");
    println!("next: augur check {0} && augur test {0}", shown.display());
    ExitCode::SUCCESS
}

/// Creates `path` (and its folder), failing if it exists.
fn write_new(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(text.as_bytes())
}

/// Print a shell completion script (bash, zsh, fish, elvish, powershell)
///
/// e.g. `augur completions bash > ~/.local/share/bash-completion/completions/augur`
#[derive(Args)]
pub struct CompletionsArgs {
    shell: clap_complete::Shell,
}

pub fn completions(args: CompletionsArgs) -> ExitCode {
    let mut command = crate::Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut command, "augur", &mut out);
    let _ = std::io::stdout().lock().write_all(&out);
    ExitCode::SUCCESS
}

/// Print the man page (roff): `augur man > augur.1`
///
/// With --dir, write one page per command instead: augur.1, augur-check.1,
/// augur-diff.1, … (the pages the SUBCOMMANDS section of augur.1 points to).
#[derive(Args)]
pub struct ManArgs {
    /// Write augur.1 and one page per subcommand into this folder (created if needed)
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

pub fn man(args: ManArgs) -> ExitCode {
    if let Some(dir) = args.dir {
        return man_pages(&dir);
    }
    let mut out = Vec::new();
    if let Err(e) = clap_mangen::Man::new(crate::Cli::command()).render(&mut out) {
        eprintln!("error: cannot render the man page: {e}");
        return ExitCode::from(1);
    }
    let _ = std::io::stdout().lock().write_all(&out);
    ExitCode::SUCCESS
}

/// Writes `augur.1` and `augur-<command>.1` for every visible subcommand
/// into `dir`, naming each file written.
fn man_pages(dir: &Path) -> ExitCode {
    fn write_pages(command: clap::Command, dir: &Path) -> std::io::Result<()> {
        for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
            write_pages(sub.clone(), dir)?;
        }
        let path = clap_mangen::Man::new(command).generate_to(dir)?;
        // A closed stdout (`| head`) does not stop the pages being written.
        let _ = writeln!(std::io::stdout(), "wrote {}", path.display());
        Ok(())
    }
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("error: cannot create {}: {e}", dir.display());
        return ExitCode::from(1);
    }
    // Built, so each subcommand knows its full name (`augur-diff`).
    let mut command = crate::Cli::command().disable_help_subcommand(true);
    command.build();
    match write_pages(command, dir) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!(
                "error: cannot write the man pages into {}: {e}",
                dir.display()
            );
            ExitCode::from(1)
        }
    }
}
