//! The corpus shapes: augur against the `serde_json` yardstick on each
//! benchmark playbook's deals (standing, few facts, many facts, long event
//! lists, CSV), in paired runs on one core and under callgrind.

use super::{eval_run_of, median, parse_only, pin_to, Args, EVAL_JSONL};
use augur_bench::Corpus;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// A corpus shape: a playbook, how its deals are generated and written.
pub(super) struct Shape {
    name: &'static str,
    pub(super) playbook: PathBuf,
    /// Deals are this many times fewer than `--shape-deals` (long deals).
    pub(super) divisor: u64,
    max_list: u64,
    csv: bool,
}

impl Shape {
    /// The shape's playbook, checked: one with errors is refused.
    pub(super) fn analysis(&self) -> Result<augur_check::Analysis, String> {
        let (loader, name) = augur_check::FsLoader::for_playbook(&self.playbook);
        let analysis = augur_check::analyze(&name, &loader);
        if analysis.has_errors() {
            return Err(format!("{} has errors", self.playbook.display()));
        }
        Ok(analysis)
    }
}

pub(super) fn shape_list(args: &Args) -> Vec<Shape> {
    let own = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("playbooks");
    let shape = |name, playbook: PathBuf, divisor, max_list, csv| Shape {
        name,
        playbook,
        divisor,
        max_list,
        csv,
    };
    let all = vec![
        shape(
            "standing (examples/standing.augur)",
            args.playbook.clone(),
            1,
            12,
            false,
        ),
        shape("few facts (3 facts)", own.join("few.augur"), 1, 12, false),
        shape(
            "many facts (60 facts)",
            own.join("many.augur"),
            1,
            12,
            false,
        ),
        shape(
            "long event lists (0–200 events)",
            own.join("events.augur"),
            10,
            200,
            false,
        ),
        shape("CSV (60 columns)", own.join("many.augur"), 1, 12, true),
    ];
    all.into_iter()
        .filter(|shape| {
            let name = shape.name.to_lowercase();
            args.only_shapes.is_empty() || args.only_shapes.iter().any(|only| name.contains(only))
        })
        .collect()
}

/// Writes `deals` deals of `shape` as JSONL (and as CSV for a CSV shape):
/// returns the path augur reads, the JSONL path serde_json parses, and the
/// bytes per deal of what augur reads.
pub(super) fn write_shape(
    args: &Args,
    shape: &Shape,
    program: &augur_check::Program,
    deals: u64,
    tag: &str,
) -> Result<(PathBuf, PathBuf, f64), String> {
    let stem = args.dir.join(format!("shape-{tag}-{deals}-{}", args.seed));
    let jsonl = stem.with_extension("jsonl");
    let csv = stem.with_extension("csv");
    let failed = |path: &Path, e: std::io::Error| format!("cannot write {}: {e}", path.display());
    let mut corpus = Corpus::new(program, args.seed).with_max_list(shape.max_list);
    let mut json_out =
        BufWriter::new(std::fs::File::create(&jsonl).map_err(|e| failed(&jsonl, e))?);
    let mut csv_out = if shape.csv {
        let mut out = BufWriter::new(std::fs::File::create(&csv).map_err(|e| failed(&csv, e))?);
        writeln!(out, "{}", corpus.csv_header()).map_err(|e| failed(&csv, e))?;
        Some(out)
    } else {
        None
    };
    let mut bytes = 0u64;
    for _ in 0..deals {
        let deal = corpus.next_deal();
        let line = deal.to_string();
        writeln!(json_out, "{line}").map_err(|e| failed(&jsonl, e))?;
        match &mut csv_out {
            Some(out) => {
                let row = corpus.csv_row(&deal);
                bytes += row.len() as u64 + 1;
                writeln!(out, "{row}").map_err(|e| failed(&csv, e))?;
            }
            None => bytes += line.len() as u64 + 1,
        }
    }
    json_out.flush().map_err(|e| failed(&jsonl, e))?;
    if let Some(out) = &mut csv_out {
        out.flush().map_err(|e| failed(&csv, e))?;
    }
    let input = if shape.csv { csv } else { jsonl.clone() };
    Ok((input, jsonl, bytes as f64 / deals.max(1) as f64))
}

/// An empty input of the same kind as `input` (a CSV keeps its header):
/// what augur costs before its first deal.
fn empty_like(input: &Path) -> Result<PathBuf, String> {
    let empty = input.with_file_name(format!(
        "empty-{}",
        input
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("corpus")
    ));
    let header = if input.extension().is_some_and(|e| e == "csv") {
        std::fs::read_to_string(input)
            .ok()
            .and_then(|text| text.lines().next().map(|l| format!("{l}\n")))
            .unwrap_or_default()
    } else {
        String::new()
    };
    std::fs::write(&empty, header).map_err(|e| format!("cannot write {}: {e}", empty.display()))?;
    Ok(empty)
}

/// augur vs serde_json parse-only on each corpus shape, in paired runs on
/// one core (and under callgrind with `--callgrind`).
pub(super) fn shapes(args: &Args) -> Result<(), String> {
    let pairs = args.runs.max(3);
    println!(
        "\n## Corpus shapes: augur eval --jobs 1 --format jsonl vs serde_json parse-only, one core, {pairs} paired runs\n"
    );
    println!("| shape | deals | bytes/deal | serde_json parse (µs/deal) | augur eval (µs/deal) | ratio eval/parse (median) | range | CPU-time ratio (median) | range |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut counted = Vec::new();
    for (index, shape) in shape_list(args).iter().enumerate() {
        let analysis = shape.analysis()?;
        let deals = (args.shape_deals / shape.divisor).max(1);
        let tag = format!("{index}");
        let (input, jsonl, per_deal_bytes) =
            write_shape(args, shape, &analysis.program, deals, &tag)?;
        let empty = empty_like(&input)?;
        let (mut ratios, mut cpu_ratios) = (Vec::new(), Vec::new());
        let (mut parse_us, mut eval_us) = (Vec::new(), Vec::new());
        for _ in 0..pairs {
            pin_to(Some(0));
            let parse = parse_only(&jsonl);
            pin_to(None);
            let (parse, parse_cpu) =
                parse.map_err(|e| format!("cannot read {}: {e}", jsonl.display()))?;
            pin_to(Some(0));
            let eval = eval_run_of(args, &shape.playbook, &input, 1, &[]);
            let start = eval_run_of(args, &shape.playbook, &empty, 1, &[]);
            pin_to(None);
            let (eval, start) = (eval?, start?);
            let work = eval.wall.saturating_sub(start.wall);
            let work_cpu = eval.cpu.saturating_sub(start.cpu);
            let per = |d: Duration| d.as_secs_f64() * 1e6 / deals as f64;
            parse_us.push(per(parse));
            eval_us.push(per(work));
            ratios.push(work.as_secs_f64() / parse.as_secs_f64().max(1e-9));
            cpu_ratios.push(work_cpu.as_secs_f64() / parse_cpu.as_secs_f64().max(1e-9));
        }
        let range = |ratios: &[f64]| {
            let (low, high) = ratios
                .iter()
                .fold((f64::MAX, f64::MIN), |(l, h), r| (l.min(*r), h.max(*r)));
            format!("{low:.2}–{high:.2}")
        };
        let (wall_range, cpu_range) = (range(&ratios), range(&cpu_ratios));
        println!(
            "| {} | {deals} | {per_deal_bytes:.0} | {:.2} | {:.2} | **{:.2}** | {wall_range} | **{:.2}** | {cpu_range} |",
            shape.name,
            median(&mut parse_us),
            median(&mut eval_us),
            median(&mut ratios),
            median(&mut cpu_ratios),
        );
        if args.callgrind > 0 {
            let deals = (args.callgrind / shape.divisor).max(1);
            let (input, jsonl, _) =
                write_shape(args, shape, &analysis.program, deals, &format!("cg{index}"))?;
            let empty = empty_like(&input)?;
            let augur = instructions(args, Some(&shape.playbook), &input)?
                .saturating_sub(instructions(args, Some(&shape.playbook), &empty)?);
            let parse = instructions(args, None, &jsonl)?;
            counted.push((shape.name, deals, parse / deals, augur / deals));
            if !args.keep {
                for path in [&input, &jsonl, &empty] {
                    let _ = std::fs::remove_file(path);
                }
            }
        }
        if !args.keep {
            for path in [&input, &jsonl, &empty] {
                let _ = std::fs::remove_file(path);
            }
        }
    }
    if !counted.is_empty() {
        println!("\n## Instructions per deal (callgrind; augur's startup subtracted)\n");
        println!("| shape | deals | serde_json parse | augur eval | ratio |");
        println!("|---|---:|---:|---:|---:|");
        for (name, deals, parse, augur) in counted {
            println!(
                "| {name} | {deals} | {parse} | {augur} | **{:.2}** |",
                augur as f64 / parse.max(1) as f64
            );
        }
    }
    Ok(())
}

/// Instructions counted by callgrind for `augur eval` of `input` (with a
/// playbook) or for serde_json alone parsing it (without).
pub(super) fn instructions(
    args: &Args,
    playbook: Option<&Path>,
    input: &Path,
) -> Result<u64, String> {
    let out = input.with_extension("callgrind");
    let mut command = Command::new("valgrind");
    command
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out.display()));
    match playbook {
        Some(playbook) => command
            .arg(&args.augur)
            .args(EVAL_JSONL)
            .args(["--jobs", "1"])
            .arg(playbook)
            .arg(input),
        None => command
            .arg(std::env::current_exe().map_err(|e| e.to_string())?)
            .arg("--parse-only")
            .arg(input),
    };
    let output = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot run valgrind (is it installed?): {e}"))?;
    let _ = std::fs::remove_file(&out);
    let log = String::from_utf8_lossy(&output.stderr);
    log.lines()
        .find_map(|line| {
            let (_, count) = line.split_once("refs:")?;
            count.trim().replace(',', "").parse::<u64>().ok()
        })
        .ok_or_else(|| format!("valgrind gave no instruction count:\n{log}"))
}
