//! The `augur` binary: parses arguments and dispatches. All language
//! knowledge lives in the library crates; this crate only knows files,
//! terminals and exit codes (0 success, 1 problems found, 2 bad usage).

use augur_syntax::Date;

mod ask_cmd;
mod backtest_cmd;
mod check_cmd;
mod diagnostics;
mod diff_cmd;
mod eval_cmd;
mod fmt_cmd;
mod fmt_write;
mod playbooks;
mod schema_cmd;
mod setup_cmd;
mod team_formats;
mod test_cmd;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;
use team_formats::ReportFormat;

#[derive(Parser)]
#[command(
    name = "augur",
    version,
    about = "Check sales playbooks and evaluate deals against them",
    after_help = "Exit codes: 0 all went well; 1 the work found problems (errors in a playbook, failed tests, deals that could not be read); 2 bad usage.\nColour: on a terminal only; NO_COLOR=1 turns it off, CLICOLOR_FORCE=1 turns it on anywhere."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
    Jsonl,
}

/// `augur eval --input`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum InputArg {
    Json,
    Jsonl,
    Csv,
}

impl InputArg {
    fn format(self) -> augur_eval::inputs::InputFormat {
        match self {
            InputArg::Json => augur_eval::inputs::InputFormat::Json,
            InputArg::Jsonl => augur_eval::inputs::InputFormat::Jsonl,
            InputArg::Csv => augur_eval::inputs::InputFormat::Csv,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Parse and check playbooks (a folder means every *.augur under it)
    Check {
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
        /// text, json, jsonl, github (Actions annotations) or sarif (SARIF 2.1.0)
        #[arg(long, value_enum, default_value = "text")]
        format: ReportFormat,
    },
    /// Run every `test` block of the playbooks (a folder means every *.augur under it)
    Test {
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
        /// Only run tests whose name contains this text
        #[arg(long)]
        filter: Option<String>,
        /// text, json, jsonl, github (Actions annotations) or sarif (SARIF 2.1.0)
        #[arg(long, value_enum, default_value = "text")]
        format: ReportFormat,
        /// Also list the signals never fired, verdict arms and advice never chosen
        #[arg(long)]
        coverage: bool,
        /// Exit 1 when a playbook's test coverage is below N percent (implies --coverage)
        #[arg(long, value_name = "N", value_parser = test_cmd::percent_arg)]
        min_coverage: Option<f64>,
    },
    /// Rewrite playbooks in the one canonical layout (`-` formats stdin to stdout)
    Fmt {
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
        /// List the files that would change and exit 1; change nothing
        #[arg(long)]
        check: bool,
    },
    /// Evaluate deals (.json, .jsonl, .csv, a folder of them, or - for stdin) against a playbook
    ///
    /// Inputs are streamed: results come out as deals are read, in input
    /// order, one result or error per deal; a bad deal never stops the others.
    /// Exit code 1 if any deal could not be evaluated.
    Eval {
        /// The playbook (.augur) to evaluate the deals against
        playbook: PathBuf,
        /// Deal files: .json (one deal), .jsonl (one a line), .csv (one a row), a folder
        /// (the deal files in it), - for stdin (JSON Lines unless --input); none means stdin
        deals: Vec<String>,
        /// Read every input (stdin included) as json (one deal), jsonl (one a line) or
        /// csv (one a row), whatever its name
        #[arg(long, value_enum, value_name = "KIND")]
        input: Option<InputArg>,
        /// text: a report for people; json: one document; jsonl: one result a line
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// List every signal, fired or not, with the values its condition read
        #[arg(long)]
        explain: bool,
        /// The evaluation date (default: the deal's "as_of", else today's date in UTC)
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = date_arg)]
        today: Option<Date>,
        /// Treat deal keys that are not facts as errors
        #[arg(long)]
        strict: bool,
        /// Worker threads evaluating deals (default: every core)
        #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
        jobs: Option<u16>,
        /// At the end, count the deals per verdict and list the signals that fired most
        /// (text: on stderr; json/jsonl: a last record {"summary": …})
        #[arg(long)]
        summary: bool,
        /// Evaluate as if the deal recorded FACT=VALUE (read as a CSV cell; repeatable;
        /// an empty VALUE makes the fact unknown)
        #[arg(long = "set", value_name = "FACT=VALUE")]
        set: Vec<String>,
        /// jsonl: add guidance to each result (possible verdicts, why not, what to find
        /// out next); text and json always have it
        #[arg(long)]
        guide: bool,
    },
    /// Interview a rep about a deal: asks the question that matters most next, saves
    /// the deal after every answer, and stops when every verdict is decided
    Ask {
        /// The playbook (.augur)
        playbook: PathBuf,
        /// The deal file to start from and save to (default: a new deal.json)
        deal: Option<PathBuf>,
        /// The evaluation date (default: the deal's "as_of", else today's date in UTC)
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = date_arg)]
        today: Option<Date>,
    },
    /// Run the language server for editors (LSP over stdin/stdout)
    Lsp,
    Diff(diff_cmd::DiffArgs),
    Backtest(backtest_cmd::BacktestArgs),
    Schema(schema_cmd::SchemaArgs),
    Init(setup_cmd::InitArgs),
    Completions(setup_cmd::CompletionsArgs),
    Man(setup_cmd::ManArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check { paths, format } => check_cmd::run(&paths, format),
        Command::Fmt { paths, check } => fmt_cmd::run(&paths, check),
        Command::Ask {
            playbook,
            deal,
            today,
        } => ask_cmd::run(ask_cmd::AskArgs {
            playbook: &playbook,
            deal: deal.as_deref(),
            today,
            fallback_today: system_today(),
        }),
        Command::Lsp => ExitCode::from(u8::try_from(augur_lsp::run_stdio()).unwrap_or(1)),
        Command::Diff(args) => diff_cmd::run(args),
        Command::Backtest(args) => backtest_cmd::run(args),
        Command::Schema(args) => schema_cmd::run(args),
        Command::Init(args) => setup_cmd::init(args),
        Command::Completions(args) => setup_cmd::completions(args),
        Command::Man(args) => setup_cmd::man(args),
        Command::Test {
            paths,
            filter,
            format,
            coverage,
            min_coverage,
        } => test_cmd::run(&paths, filter.as_deref(), format, (coverage, min_coverage)),
        Command::Eval {
            playbook,
            deals,
            input,
            format,
            explain,
            today,
            strict,
            jobs,
            summary,
            set,
            guide,
        } => eval_cmd::run(eval_cmd::EvalArgs {
            playbook: &playbook,
            deals: &deals,
            input: input.map(InputArg::format),
            options: augur_eval::batch::Options {
                format: eval_cmd::output_format(format),
                explain,
                strict,
                today,
                fallback_today: system_today(),
                jobs: jobs.map_or_else(eval_cmd::default_jobs, usize::from),
            },
            summary,
            set: &set,
            guide,
        }),
    }
}

/// `--today` (and other date arguments) read by clap: a bad date is bad
/// usage, exit code 2, with clap's usage line.
pub(crate) fn date_arg(text: &str) -> Result<Date, String> {
    Date::parse(text).ok_or_else(|| format!("expected a date YYYY-MM-DD, found \"{text}\""))
}

pub(crate) fn system_today() -> Date {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Date::from_days((seconds / 86_400) as i32)
}
