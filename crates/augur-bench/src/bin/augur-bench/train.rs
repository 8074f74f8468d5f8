//! `--train`: the workload `scripts/build-pgo.sh` profiles (see [`train`]);
//! it measures nothing.

use super::shapes::{shape_list, write_shape};
use super::{eval_one_deal, eval_run, eval_run_of, generate, parse_only, Args};
use augur_bench::Corpus;

/// The training workload of a profile-guided build (`--train`, run by
/// `scripts/build-pgo.sh` with instrumented binaries): what the measurements
/// run, once, on corpora of `--seed` (the build script picks a seed the
/// measurements do not use, so a profile never saw the deals it is measured
/// on). Each shape's corpus through `augur eval --format jsonl`, and through
/// serde_json alone in this process (so an instrumented `augur-bench`
/// profiles its yardstick too, and both are built the same way); a corpus
/// with `--guide`, and with two workers; one deal as a rep runs it.
pub(crate) fn train(args: &Args, program: &augur_check::ir::Program) -> Result<(), String> {
    for (index, shape) in shape_list(args).iter().enumerate() {
        let analysis = shape.analysis()?;
        let deals = (args.shape_deals / shape.divisor).max(1);
        let (input, jsonl, _) = write_shape(
            args,
            shape,
            &analysis.program,
            deals,
            &format!("train{index}"),
        )?;
        eval_run_of(args, &shape.playbook, &input, 1, &[])?;
        parse_only(&jsonl).map_err(|e| format!("cannot read {}: {e}", jsonl.display()))?;
        if !args.keep {
            for path in [&input, &jsonl] {
                let _ = std::fs::remove_file(path);
            }
        }
    }
    let corpus = args.dir.join(format!("train-{}.jsonl", args.seed));
    generate(program, &corpus, args.guide_deals.max(1), args.seed)
        .map_err(|e| format!("cannot write {}: {e}", corpus.display()))?;
    eval_run(args, &corpus, 1, &["--guide"])?;
    eval_run(args, &corpus, 2, &[])?;
    let deal = args.dir.join(format!("train-one-{}.json", args.seed));
    let text = Corpus::new(program, args.seed).next_line();
    std::fs::write(&deal, text).map_err(|e| format!("cannot write {}: {e}", deal.display()))?;
    let status = eval_one_deal(args, &deal)?;
    if !status.success() {
        return Err(format!("augur eval of one deal failed ({status})"));
    }
    if !args.keep {
        let _ = std::fs::remove_file(&corpus);
        let _ = std::fs::remove_file(&deal);
    }
    println!(
        "trained: {} shape(s) of up to {} deals, {} deals with guidance, one deal as a rep runs it (seed {})",
        shape_list(args).len(),
        args.shape_deals,
        args.guide_deals.max(1),
        args.seed
    );
    Ok(())
}
