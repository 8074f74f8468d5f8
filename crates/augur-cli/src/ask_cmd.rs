//! `augur ask PLAYBOOK [DEAL.json]`: the rep interview. Asks the facts a deal
//! needs (the required ones first, then the most decisive unknown fact, as
//! `augur-guide` chooses it), saves the deal atomically after every answer,
//! and stops when every verdict is decided, nothing decisive is left, or the
//! rep quits; then prints where the deal stands.
//!
//! Saving: the folder is checked before the first question; each save writes
//! a file beside the deal and renames it over, keeping the deal file's
//! permissions and writing through a symlink to its target. A closed stdout
//! (`| head`) is not an error: the interview goes on and answers are saved.
//!
//! On a terminal the questions are `inquire` prompts (Esc or Ctrl-C stops,
//! losing nothing); otherwise one answer is read per line (a variant's name
//! or number, yes/no, a value as in a CSV cell; an empty line is "don't know
//! yet", `q` stops), so the interview is scriptable. Which question comes
//! next is not decided here: that is `augur_guide::Guide::next_question`'s
//! job (the same order as "Find out next").

use augur_check::ir::{FactId, Program, Type};
use augur_eval::batch::Augment;
use augur_guide::Guided;
use augur_syntax::Date;
use serde_json::Value as Json;
use std::collections::BTreeSet;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub struct AskArgs<'a> {
    pub playbook: &'a Path,
    pub deal: Option<&'a Path>,
    pub today: Option<Date>,
    pub fallback_today: Date,
}

/// A question for the rep.
struct Question {
    /// The fact's doc string (or name), and the fact's name.
    text: String,
    name: String,
    /// Variant names with their descriptions, or yes/no; empty for free text.
    choices: Vec<(String, Option<String>)>,
    /// Why it matters, one line per thing it can change.
    matters: Vec<String>,
    required: bool,
}

enum Answer {
    /// The answer as a CSV cell would hold it.
    Value(String),
    DontKnow,
    Quit,
}

use augur_guide::words::AskWords;

trait Prompter {
    fn ask(&mut self, question: &Question) -> Answer;
    fn say(&mut self, line: &str);
}

/// `inquire` prompts on a terminal.
struct Terminal {
    words: &'static AskWords,
}

impl Prompter for Terminal {
    fn ask(&mut self, question: &Question) -> Answer {
        let words = self.words;
        let help = if question.matters.is_empty() {
            words.stop_hint.to_string()
        } else {
            format!("{} · {}", question.matters.join(" · "), words.stop_hint)
        };
        let title = format!("{} ({})", question.text, question.name);
        let result = if question.choices.is_empty() {
            inquire::Text::new(&title)
                .with_help_message(&format!("{help} · {}", words.empty_hint))
                .prompt()
                .map(|text| {
                    if text.trim().is_empty() {
                        Answer::DontKnow
                    } else {
                        Answer::Value(text)
                    }
                })
        } else {
            let mut options: Vec<String> = question
                .choices
                .iter()
                .map(|(name, doc)| match doc {
                    Some(doc) => format!("{name} — {doc}"),
                    None => name.clone(),
                })
                .collect();
            if !question.required {
                options.push(words.dont_know.to_string());
            }
            inquire::Select::new(&title, options)
                .with_help_message(&help)
                .raw_prompt()
                .map(|choice| match question.choices.get(choice.index) {
                    Some((name, _)) => Answer::Value(name.clone()),
                    None => Answer::DontKnow,
                })
        };
        match result {
            Ok(answer) => answer,
            Err(_) => Answer::Quit,
        }
    }

    fn say(&mut self, line: &str) {
        eprintln!("{line}");
    }
}

/// One answer a line, for scripts and pipes.
struct Lines<R: BufRead> {
    input: R,
    words: &'static AskWords,
}

impl<R: BufRead> Prompter for Lines<R> {
    fn ask(&mut self, question: &Question) -> Answer {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "? {} ({})", question.text, question.name);
        for line in &question.matters {
            let _ = writeln!(out, "  {line}");
        }
        for (index, (name, doc)) in question.choices.iter().enumerate() {
            match doc {
                Some(doc) => {
                    let _ = writeln!(out, "  {}) {name} — {doc}", index + 1);
                }
                None => {
                    let _ = writeln!(out, "  {}) {name}", index + 1);
                }
            }
        }
        if !question.required {
            let _ = writeln!(out, "  {}", self.words.line_hint);
        }
        let _ = out.flush();
        let mut line = String::new();
        match self.input.read_line(&mut line) {
            Ok(0) | Err(_) => return Answer::Quit,
            Ok(_) => {}
        }
        let answer = line.trim();
        if answer == "q" || answer == "quit" {
            return Answer::Quit;
        }
        if answer.is_empty() || answer == "?" {
            return Answer::DontKnow;
        }
        if let Ok(number) = answer.parse::<usize>() {
            if let Some((name, _)) = number.checked_sub(1).and_then(|i| question.choices.get(i)) {
                return Answer::Value(name.clone());
            }
        }
        Answer::Value(answer.to_string())
    }

    fn say(&mut self, line: &str) {
        // A reader that has gone away (`| head`) is not an error: the
        // answers are still saved, as with `augur eval`.
        let _ = writeln!(std::io::stdout().lock(), "{line}");
    }
}

pub fn run(args: AskArgs<'_>) -> ExitCode {
    if !args.playbook.is_file() {
        eprintln!("error: {} is not a playbook file", args.playbook.display());
        return ExitCode::from(2);
    }
    let analysis = crate::playbooks::analyze(args.playbook);
    let root = crate::playbooks::display_root(args.playbook);
    if analysis.has_errors() {
        crate::diagnostics::print_diagnostics(&analysis, &root);
        eprintln!("error: the playbook has errors; fix them before asking about deals");
        return ExitCode::from(1);
    }
    let path = match args.deal {
        Some(path) => path.to_path_buf(),
        None => free_deal_path(),
    };
    let mut facts = if path.exists() {
        // Read as `augur eval` reads a deal: every digit kept, a key given
        // twice refused. The file is written back with the same texts.
        match std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|text| {
                augur_eval::deal_entries(&text).map_err(|e| format!("{}: {}", e.path, e.message))
            }) {
            Ok(entries) => DealText { entries },
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", path.display());
                return ExitCode::from(2);
            }
        }
    } else {
        DealText::default()
    };
    if let Err(message) = check_saveable(&path) {
        eprintln!("error: {message}");
        return ExitCode::from(2);
    }
    let words = augur_guide::words::Words::for_program(&analysis.program).ask();
    let mut prompter: Box<dyn Prompter> = if std::io::stdin().is_terminal() {
        Box::new(Terminal { words })
    } else {
        Box::new(Lines {
            input: std::io::stdin().lock(),
            words,
        })
    };
    prompter.say(&format!("{} {}", words.saved_to, path.display()));
    let program = &analysis.program;
    let guided = Guided::new(&analysis);
    let mut skipped: BTreeSet<FactId> = BTreeSet::new();
    loop {
        let next = match missing_required(program, &facts) {
            Some(fact) => Some((fact, Vec::new(), true)),
            None => {
                let (deal, today) = match decode(program, &facts, &args) {
                    Ok(pair) => pair,
                    Err(message) => {
                        eprintln!("error: {message}");
                        return ExitCode::from(1);
                    }
                };
                let guidance = match guided.guide.guide(&deal, today) {
                    Ok(guidance) => guidance,
                    Err(e) => {
                        eprintln!("error: {}", e.message);
                        return ExitCode::from(1);
                    }
                };
                if guidance.verdicts.iter().all(|v| v.decided) {
                    None
                } else {
                    guidance
                        .find_out_next
                        .iter()
                        .find(|d| !skipped.contains(&d.fact))
                        .map(|d| {
                            let mut matters = Vec::new();
                            for (v, _) in &d.verdicts {
                                matters
                                    .extend(guided.guide.effect_text(&guidance, d.fact, *v, false));
                            }
                            (d.fact, matters, false)
                        })
                }
            }
        };
        let Some((fact, matters, required)) = next else {
            break;
        };
        let Some(question) = question(program, fact, &guided, (matters, required), words) else {
            break;
        };
        match prompter.ask(&question) {
            Answer::Quit => break,
            Answer::DontKnow => {
                skipped.insert(fact);
            }
            Answer::Value(cell) => {
                match augur_guide::parse_set(program, &format!("{}={cell}", question.name)) {
                    Ok((fact, value)) => {
                        let Some(info) = program.facts.get(fact as usize) else {
                            break;
                        };
                        facts.insert(&info.name, answer_text(&value, &info.ty.ty, program));
                        if let Err(e) = save(&path, &facts) {
                            eprintln!("error: cannot save {}: {e}", path.display());
                            return ExitCode::from(1);
                        }
                    }
                    Err(message) => {
                        let message = message.trim_start_matches("--set ").to_string();
                        prompter.say(&format!("  {}{message}", words.not_understood));
                    }
                }
            }
        }
    }
    if missing_required(program, &facts).is_some() {
        prompter.say(words.stopped_early);
        return ExitCode::SUCCESS;
    }
    match decode(program, &facts, &args) {
        Ok((deal, today)) => match augur_eval::evaluate(program, &deal, today) {
            Ok(outcome) => {
                let label = path.display().to_string();
                let reporter = augur_eval::Reporter::new(&analysis, &root);
                let text = guided.text(&reporter, &label, &deal, &outcome, today, false);
                let _ = write!(std::io::stdout().lock(), "\n{text}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {}", e.message);
                ExitCode::from(1)
            }
        },
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
    }
}

/// The deal as the rep's file holds it: each key with its value's JSON text
/// exactly as written (so a number keeps every digit), in the file's order.
#[derive(Default)]
struct DealText {
    entries: Vec<(String, String)>,
}

impl DealText {
    fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn insert(&mut self, key: &str, value: String) {
        match self.entries.iter_mut().find(|(k, _)| k == key) {
            Some(entry) => entry.1 = value,
            None => self.entries.push((key.to_owned(), value)),
        }
    }

    /// The deal as a JSON object, one key a line.
    fn text(&self) -> String {
        let mut out = String::from("{");
        for (index, (key, value)) in self.entries.iter().enumerate() {
            out.push_str(if index == 0 { "\n  " } else { ",\n  " });
            out.push_str(&Json::String(key.clone()).to_string());
            out.push_str(": ");
            out.push_str(value);
        }
        out.push_str(if self.entries.is_empty() { "}" } else { "\n}" });
        out
    }
}

/// An answer's JSON text: a number written with every digit (a JSON number
/// through `serde_json` would pass through `f64`).
fn answer_text(value: &augur_eval::Value, ty: &Type, program: &Program) -> String {
    match value {
        augur_eval::Value::Number(n) => n.normalize().to_string(),
        other => other.to_json(ty, program).to_string(),
    }
}

fn decode(
    program: &Program,
    facts: &DealText,
    args: &AskArgs<'_>,
) -> Result<(augur_eval::Deal, Date), String> {
    let deal = augur_eval::decode_deal_text(program, &facts.text())
        .map_err(|e| format!("the deal {}: {}", e.path, e.message))?;
    let today = args.today.or(deal.as_of).unwrap_or(args.fallback_today);
    Ok((deal, today))
}

/// The first required fact the deal does not hold yet (lists excepted: a
/// missing list is empty).
fn missing_required(program: &Program, facts: &DealText) -> Option<FactId> {
    program
        .facts
        .iter()
        .position(|f| {
            !f.ty.maybe_unknown
                && !matches!(f.ty.ty, Type::List(_))
                && facts.get(&f.name).is_none_or(|v| v == "null")
        })
        .map(|i| i as FactId)
}

fn question(
    program: &Program,
    fact: FactId,
    guided: &Guided<'_>,
    (matters, required): (Vec<String>, bool),
    words: &augur_guide::words::AskWords,
) -> Option<Question> {
    let info = program.facts.get(fact as usize)?;
    let choices = match &info.ty.ty {
        Type::Enum(id) => program
            .enums
            .get(*id as usize)?
            .variants
            .iter()
            .map(|v| (v.name.clone(), v.doc.clone()))
            .collect(),
        // In the playbook's language; both are spellings a yes/no cell
        // accepts, so the answer is read like any other.
        Type::Bool => vec![(words.yes.to_string(), None), (words.no.to_string(), None)],
        _ => Vec::new(),
    };
    Some(Question {
        text: guided.guide.question(fact),
        name: info.name.clone(),
        choices,
        matters,
        required,
    })
}

/// `deal.json`, or `deal-2.json`, … : the first that does not exist yet.
fn free_deal_path() -> PathBuf {
    let mut path = PathBuf::from("deal.json");
    let mut n = 2;
    while path.exists() {
        path = PathBuf::from(format!("deal-{n}.json"));
        n += 1;
    }
    path
}

/// Where the deal is really written: a symlink's target (so the link stays a
/// link), else the path itself.
fn real_target(path: &Path) -> PathBuf {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        return path.to_path_buf();
    }
    if let Ok(real) = std::fs::canonicalize(path) {
        return real;
    }
    // A dangling link: its target, read relative to the link's folder.
    match std::fs::read_link(path) {
        Ok(target) => folder_of(path).join(target),
        Err(_) => path.to_path_buf(),
    }
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// A file beside `target` that does not exist yet, created empty and
/// exclusively (a planted file or link of that name is never followed nor
/// overwritten); the caller writes it and renames it over `target`. Its
/// errors carry no path: the messages name the deal file, never this one.
fn create_beside(target: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    let dir = folder_of(target);
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "deal".to_string());
    let mut n = 0u32;
    loop {
        let temp = dir.join(format!(".{name}.{}-{n}.augur-tmp", std::process::id()));
        // Created like any new file: 0666 less the umask.
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
        {
            Ok(file) => return Ok((temp, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 100 => n += 1,
            Err(e) => return Err(e),
        }
    }
}

/// Checks, before the first question, that answers can be saved at `path`:
/// its folder exists and a file can be created in it.
fn check_saveable(path: &Path) -> Result<(), String> {
    let target = real_target(path);
    let dir = folder_of(&target);
    if target.is_dir() {
        return Err(format!("{} is a folder, not a deal file", path.display()));
    }
    // A read-only deal is refused, as `augur fmt` refuses a read-only
    // playbook: renaming over it would rewrite it all the same.
    if std::fs::metadata(&target).is_ok_and(|m| m.permissions().readonly()) {
        return Err(format!(
            "{} is read-only; Augur does not rewrite it (make it writable, or answer into a copy)",
            path.display()
        ));
    }
    if !dir.is_dir() {
        return Err(format!(
            "cannot save answers to {}: the folder {} does not exist",
            path.display(),
            dir.display()
        ));
    }
    match create_beside(&target) {
        Ok((temp, file)) => {
            drop(file);
            let _ = std::fs::remove_file(temp);
            Ok(())
        }
        Err(e) => Err(format!(
            "cannot save answers to {}: the folder {} is not writable ({e})",
            path.display(),
            dir.display()
        )),
    }
}

/// Writes the deal next to its final place and renames it over, so the
/// file always holds either the previous or the new deal, whole. A deal
/// file keeps its permissions; through a symlink, the link's target is
/// written and the link stays.
fn save(path: &Path, facts: &DealText) -> std::io::Result<()> {
    let target = real_target(path);
    let text = facts.text();
    let (temp, mut file) = create_beside(&target)?;
    let written = (|| {
        file.write_all(text.as_bytes())?;
        file.write_all(b"\n")?;
        if let Ok(old) = std::fs::metadata(&target) {
            file.set_permissions(old.permissions())?;
        }
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temp, &target)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
        return written;
    }
    // Make the rename itself durable.
    #[cfg(unix)]
    if let Ok(dir) = std::fs::File::open(folder_of(&target)) {
        let _ = dir.sync_all();
    }
    Ok(())
}
