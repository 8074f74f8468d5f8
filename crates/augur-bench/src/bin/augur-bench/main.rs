//! The batch-evaluation benchmark of issue 5 (figures in docs/performance.md).
//!
//! ```text
//! cargo build --release -p augur-cli
//! cargo run --release -p augur-bench -- --deals 100000 --deals 1000000
//! ```
//!
//! For each corpus size it generates a reproducible corpus of deals for the
//! playbook, times `serde_json` alone parsing every line into a
//! `serde_json::Value` (one core), then runs the release `augur eval
//! --format jsonl` on the same file: pinned to one core, with `--jobs 1`
//! and with `--jobs 2`, measuring wall time and the child's peak memory
//! (`wait4`'s `ru_maxrss`).
//!
//! Then, for each corpus shape (issue 16: the project's own playbook, few
//! facts, many facts, long event lists, and CSV), augur against
//! `serde_json` parse-only in paired, alternating runs on one core: the
//! ratio of each pair, startup subtracted (the machine is noisy, so ratios,
//! not absolute times), in wall time and in CPU time (user plus system: the
//! parse thread's own, the child's over all its threads). CPU time leaves
//! out the time a run waited for the core while other work held it. With
//! `--callgrind N`, also instructions per deal under valgrind's callgrind
//! on N deals of each shape: the stable figure. `--shape NAME` (repeatable)
//! runs only the shapes whose name contains NAME (`--shape few`).
//! Then the cold start: `augur eval` of one deal, as a rep runs it.
//!
//! Then the cost of guidance (issue 11): on a corpus of `--guide-deals`
//! deals, `--format jsonl` with and without `--guide` on one core, and the
//! difference per deal.
//!
//! `--train` measures nothing: it runs the training workload of the
//! profile-guided build (`scripts/build-pgo.sh`, see [`train::train`]).

mod shapes;
mod train;

use augur_bench::Corpus;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

struct Args {
    deals: Vec<u64>,
    playbook: PathBuf,
    augur: PathBuf,
    dir: PathBuf,
    seed: u64,
    runs: u32,
    /// Keep the corpus files (for profiling).
    keep: bool,
    /// Deals in the corpus that measures guidance (0: skip it).
    guide_deals: u64,
    /// Deals per corpus shape (0: skip the shapes).
    shape_deals: u64,
    /// Deals per shape counted under callgrind (0: not at all).
    callgrind: u64,
    /// Only the shapes whose name contains one of these (all when empty).
    only_shapes: Vec<String>,
    /// Run the training workload of a profile-guided build instead of
    /// measuring (`scripts/build-pgo.sh`).
    train: bool,
}

/// `augur eval` as every measurement runs it: JSON Lines out, one fixed
/// day (the corpora's dates are relative to it).
const EVAL_JSONL: [&str; 5] = ["eval", "--format", "jsonl", "--today", "2026-11-29"];

const USAGE: &str = "usage: augur-bench [--deals N]... [--playbook FILE] [--augur BINARY] [--dir DIR] [--seed N] [--runs N] [--guide-deals N] [--shape-deals N] [--callgrind N] [--shape NAME]... [--keep] [--train]";

fn parse_args() -> Result<Args, String> {
    let exe_dir = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_default();
    let mut args = Args {
        deals: Vec::new(),
        playbook: PathBuf::from("examples/standing.augur"),
        augur: exe_dir.join("augur"),
        dir: exe_dir.join("bench-corpus"),
        seed: 2026,
        runs: 1,
        keep: false,
        guide_deals: 2_000,
        shape_deals: 10_000,
        callgrind: 0,
        only_shapes: Vec::new(),
        train: false,
    };
    let mut raw = std::env::args().skip(1);
    while let Some(flag) = raw.next() {
        if flag == "--help" || flag == "-h" {
            return Err(USAGE.into());
        }
        if flag == "--keep" {
            args.keep = true;
            continue;
        }
        if flag == "--train" {
            args.train = true;
            continue;
        }
        let value = raw
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let number = || {
            value
                .replace('_', "")
                .parse::<u64>()
                .map_err(|_| format!("{flag} expects a whole number, found {value}"))
        };
        match flag.as_str() {
            "--deals" => args.deals.push(number()?),
            "--seed" => args.seed = number()?,
            "--guide-deals" => args.guide_deals = number()?,
            "--shape-deals" => args.shape_deals = number()?,
            "--callgrind" => args.callgrind = number()?,
            "--runs" => args.runs = u32::try_from(number()?.max(1)).unwrap_or(1),
            "--playbook" => args.playbook = PathBuf::from(&value),
            "--augur" => args.augur = PathBuf::from(&value),
            "--dir" => args.dir = PathBuf::from(&value),
            "--shape" => args.only_shapes.push(value.to_lowercase()),
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    if args.deals.is_empty() {
        args.deals.push(100_000);
    }
    Ok(args)
}

/// Pins the calling thread (and what it spawns afterwards) to `cpu`, or
/// releases it to every CPU with `None`. Returns false where that is not
/// possible.
fn pin_to(cpu: Option<usize>) -> bool {
    // SAFETY: cpu_set_t is plain data; CPU_ZERO/CPU_SET only write into it,
    // and sched_setaffinity reads it for the calling thread (pid 0).
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_ZERO(&mut set);
        match cpu {
            Some(cpu) => libc::CPU_SET(cpu, &mut set),
            None => {
                for cpu in 0..libc::CPU_SETSIZE as usize {
                    libc::CPU_SET(cpu, &mut set);
                }
            }
        }
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) == 0
    }
}

fn generate(
    program: &augur_check::Program,
    path: &Path,
    deals: u64,
    seed: u64,
) -> std::io::Result<u64> {
    let mut corpus = Corpus::new(program, seed);
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    let mut bytes = 0;
    for _ in 0..deals {
        let line = corpus.next_line();
        bytes += line.len() as u64 + 1;
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(bytes)
}

/// CPU time this thread has used so far (user and system).
fn thread_cpu_time() -> Duration {
    // SAFETY: rusage is plain data that getrusage fills in.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_THREAD, &mut usage);
        usage
    };
    cpu_of(&usage)
}

/// User plus system time of a `rusage`.
fn cpu_of(usage: &libc::rusage) -> Duration {
    let time = |t: libc::timeval| {
        Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0))
            + Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0))
    };
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// Wall and CPU time for serde_json alone to read and parse every line into
/// a `Value`.
fn parse_only(path: &Path) -> std::io::Result<(Duration, Duration)> {
    let started = Instant::now();
    let cpu_started = thread_cpu_time();
    let mut reader = BufReader::with_capacity(256 * 1024, std::fs::File::open(path)?);
    let mut line = String::new();
    let mut parsed = 0u64;
    while reader.read_line(&mut line)? > 0 {
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(line.trim_end()) {
            parsed += u64::from(value.is_object());
        }
        std::hint::black_box(&parsed);
        line.clear();
    }
    Ok((
        started.elapsed(),
        thread_cpu_time().saturating_sub(cpu_started),
    ))
}

struct Run {
    wall: Duration,
    /// User plus system time of the child, all its threads.
    cpu: Duration,
    peak_rss_kib: i64,
}

/// Runs `augur eval --format jsonl` on the corpus, output to /dev/null.
fn eval_run(args: &Args, corpus: &Path, jobs: u32, extra: &[&str]) -> Result<Run, String> {
    eval_run_of(args, &args.playbook, corpus, jobs, extra)
}

fn eval_run_of(
    args: &Args,
    playbook: &Path,
    corpus: &Path,
    jobs: u32,
    extra: &[&str],
) -> Result<Run, String> {
    let started = Instant::now();
    let child = Command::new(&args.augur)
        .args(EVAL_JSONL)
        .arg("--jobs")
        .arg(jobs.to_string())
        .args(extra)
        .arg(playbook)
        .arg(corpus)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", args.augur.display()))?;
    let pid = libc::pid_t::try_from(child.id()).map_err(|_| "bad pid".to_string())?;
    let mut status = 0;
    // SAFETY: rusage is plain data that wait4 fills in; `pid` is our child,
    // not yet reaped (the `Child` handle is never waited on).
    let (waited, usage) = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        let waited = libc::wait4(pid, &mut status, 0, &mut usage);
        (waited, usage)
    };
    let wall = started.elapsed();
    if waited != pid || !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        return Err(format!("augur eval --jobs {jobs} failed (status {status})"));
    }
    Ok(Run {
        wall,
        cpu: cpu_of(&usage),
        peak_rss_kib: usage.ru_maxrss,
    })
}

fn best(args: &Args, corpus: &Path, jobs: u32, cpu: Option<usize>) -> Result<Run, String> {
    best_with(args, corpus, jobs, cpu, &[])
}

fn best_with(
    args: &Args,
    corpus: &Path,
    jobs: u32,
    cpu: Option<usize>,
    extra: &[&str],
) -> Result<Run, String> {
    let mut best: Option<Run> = None;
    for _ in 0..args.runs {
        // A child inherits its parent thread's CPU affinity.
        pin_to(cpu);
        let run = eval_run(args, corpus, jobs, extra);
        pin_to(None);
        let run = run?;
        if best.as_ref().is_none_or(|b| run.wall < b.wall) {
            best = Some(run);
        }
    }
    best.ok_or_else(|| "no run".into())
}

fn rate(deals: u64, time: Duration) -> f64 {
    deals as f64 / time.as_secs_f64().max(1e-9)
}

fn main() -> ExitCode {
    // `augur-bench --parse-only FILE`: serde_json alone on a corpus, for
    // counting its instructions under callgrind.
    let mut raw = std::env::args().skip(1);
    if raw.next().as_deref() == Some("--parse-only") {
        let done = raw.next().map(|file| parse_only(Path::new(&file)));
        return match done {
            Some(Ok(_)) => ExitCode::SUCCESS,
            _ => ExitCode::from(2),
        };
    }
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    if !args.augur.is_file() {
        eprintln!(
            "error: {} not found; build it first with `cargo build --release -p augur-cli` (or pass --augur)",
            args.augur.display()
        );
        return ExitCode::from(2);
    }
    let (loader, name) = augur_check::FsLoader::for_playbook(&args.playbook);
    let analysis = augur_check::analyze(&name, &loader);
    if analysis.has_errors() {
        eprintln!(
            "error: {} has errors; run `augur check` on it",
            args.playbook.display()
        );
        return ExitCode::from(1);
    }
    if let Err(e) = std::fs::create_dir_all(&args.dir) {
        eprintln!("error: cannot create {}: {e}", args.dir.display());
        return ExitCode::from(1);
    }
    if args.train {
        return match train::train(&args, &analysis.program) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("error: {message}");
                ExitCode::from(1)
            }
        };
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "# augur-bench: {} on {cores} core(s), seed {}, best of {} run(s)\n",
        args.playbook.display(),
        args.seed,
        args.runs
    );
    println!("| deals | corpus | serde_json parse (1 core) | eval, 1 core | ratio eval/parse | eval --jobs 1 | eval --jobs 2 | speedup 1→2 | peak RSS (jobs 1 / 2) |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for &deals in &args.deals {
        let corpus = args.dir.join(format!("deals-{deals}-{}.jsonl", args.seed));
        let bytes = match generate(&analysis.program, &corpus, deals, args.seed) {
            Ok(bytes) => bytes,
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", corpus.display());
                return ExitCode::from(1);
            }
        };
        pin_to(Some(0));
        let parse = (0..args.runs)
            .map(|_| parse_only(&corpus).map(|(wall, _)| wall))
            .try_fold(Duration::MAX, |best, run| run.map(|time| best.min(time)));
        pin_to(None);
        let parse = match parse {
            Ok(time) => time,
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", corpus.display());
                return ExitCode::from(1);
            }
        };
        let runs = best(&args, &corpus, 1, Some(0)).and_then(|one_core| {
            Ok((
                one_core,
                best(&args, &corpus, 1, None)?,
                best(&args, &corpus, 2, None)?,
            ))
        });
        let (one_core, jobs1, jobs2) = match runs {
            Ok(runs) => runs,
            Err(message) => {
                eprintln!("error: {message}");
                return ExitCode::from(1);
            }
        };
        let mib = |kib: i64| kib as f64 / 1024.0;
        println!(
            "| {deals} | {:.0} MiB | {:.2} s ({:.0}/s) | {:.2} s ({:.0}/s) | {:.2} | {:.2} s ({:.0}/s) | {:.2} s ({:.0}/s) | {:.2}× | {:.1} / {:.1} MiB |",
            bytes as f64 / (1024.0 * 1024.0),
            parse.as_secs_f64(),
            rate(deals, parse),
            one_core.wall.as_secs_f64(),
            rate(deals, one_core.wall),
            one_core.wall.as_secs_f64() / parse.as_secs_f64().max(1e-9),
            jobs1.wall.as_secs_f64(),
            rate(deals, jobs1.wall),
            jobs2.wall.as_secs_f64(),
            rate(deals, jobs2.wall),
            jobs1.wall.as_secs_f64() / jobs2.wall.as_secs_f64().max(1e-9),
            mib(jobs1.peak_rss_kib),
            mib(jobs2.peak_rss_kib),
        );
        if !args.keep {
            let _ = std::fs::remove_file(&corpus);
        }
    }
    if args.shape_deals > 0 {
        if let Err(message) = shapes::shapes(&args) {
            eprintln!("error: {message}");
            return ExitCode::from(1);
        }
    }
    if let Err(message) = cold_start(&args) {
        eprintln!("error: {message}");
        return ExitCode::from(1);
    }
    if args.guide_deals > 0 {
        if let Err(message) = guidance_cost(&args, &analysis.program) {
            eprintln!("error: {message}");
            return ExitCode::from(1);
        }
    }
    ExitCode::SUCCESS
}

/// The cost of guidance per deal: `--format jsonl` with and without
/// `--guide`, one core, on the same corpus.
fn guidance_cost(args: &Args, program: &augur_check::ir::Program) -> Result<(), String> {
    let deals = args.guide_deals;
    let corpus = args.dir.join(format!("guide-{deals}-{}.jsonl", args.seed));
    generate(program, &corpus, deals, args.seed)
        .map_err(|e| format!("cannot write {}: {e}", corpus.display()))?;
    let plain = best_with(args, &corpus, 1, Some(0), &[])?;
    let guided = best_with(args, &corpus, 1, Some(0), &["--guide"])?;
    let per_deal = |run: &Run| run.wall.as_secs_f64() * 1e6 / deals.max(1) as f64;
    println!("\n| deals | jsonl, 1 core | jsonl --guide, 1 core | per deal without / with guidance | guidance per deal |");
    println!("|---:|---:|---:|---:|---:|");
    println!(
        "| {deals} | {:.2} s | {:.2} s | {:.1} µs / {:.0} µs | {:.0} µs |",
        plain.wall.as_secs_f64(),
        guided.wall.as_secs_f64(),
        per_deal(&plain),
        per_deal(&guided),
        per_deal(&guided) - per_deal(&plain),
    );
    if !args.keep {
        let _ = std::fs::remove_file(&corpus);
    }
    Ok(())
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}
/// `augur eval` of one deal file as a rep runs it (the text report, with
/// guidance), its output dropped.
fn eval_one_deal(args: &Args, deal: &Path) -> Result<std::process::ExitStatus, String> {
    Command::new(&args.augur)
        .args(["eval", "--today", "2026-11-29"])
        .arg(&args.playbook)
        .arg(deal)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("cannot start {}: {e}", args.augur.display()))
}

/// `augur eval` of one deal, as a rep runs it (text report with guidance):
/// the median and best of 15 runs.
fn cold_start(args: &Args) -> Result<(), String> {
    let (loader, name) = augur_check::FsLoader::for_playbook(&args.playbook);
    let analysis = augur_check::analyze(&name, &loader);
    let deal = args.dir.join("one-deal.json");
    let text = Corpus::new(&analysis.program, args.seed).next_line();
    std::fs::write(&deal, text).map_err(|e| format!("cannot write {}: {e}", deal.display()))?;
    let mut times = Vec::new();
    for _ in 0..15 {
        let started = Instant::now();
        let status = eval_one_deal(args, &deal)?;
        times.push(started.elapsed().as_secs_f64() * 1e3);
        if status.code().is_none_or(|code| code > 1) {
            return Err(format!("augur eval of one deal failed ({status})"));
        }
    }
    let best = times.iter().copied().fold(f64::MAX, f64::min);
    println!(
        "\ncold `augur eval` of one deal ({}, text report with guidance): median {:.1} ms, best {best:.1} ms (goal: under 5 ms)",
        args.playbook.display(),
        median(&mut times)
    );
    if !args.keep {
        let _ = std::fs::remove_file(&deal);
    }
    Ok(())
}
