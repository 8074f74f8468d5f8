#!/usr/bin/env bash
# Builds the fastest `augur`: a release build optimised with the profile of a
# training run (profile-guided optimisation, PGO). About ten minutes on two
# cores: two release builds and a training run in between.
#
#   scripts/build-pgo.sh            # then: target/pgo/release/augur
#
# 1. `augur` and `augur-bench` are built with counters in every branch
#    (target/pgo-generate).
# 2. The training run: `augur check`, `test` and `fmt --check` on examples/,
#    each example deal as a rep evaluates it, and `augur-bench --train`:
#    every benchmark corpus shape through `augur eval` and through the
#    serde_json yardstick, a corpus with `--guide`, one with two workers.
#    Its deals come from seed 7; the benchmark's from 2026, so the profile
#    never saw the deals it is measured on.
# 3. The counters are merged (llvm-profdata, from rustup's llvm-tools).
# 4. Both are built again with the profile (target/pgo): LLVM lays the code
#    out by how often it ran, hot paths together and cold ones out of the
#    way. Results are the same byte for byte; only the speed changes.
#
# The yardstick in augur-bench is built with the same profile, so the
# benchmark's ratios compare like with like (docs/performance.md).
set -euo pipefail
cd "$(dirname "$0")/.."

target="${CARGO_TARGET_DIR:-target}"
[[ "$target" = /* ]] || target="$PWD/$target"
profiles="$target/pgo-profiles"

if ! rustup component add llvm-tools-preview >/dev/null 2>&1; then
  echo "error: cannot install rustup's llvm-tools (needed for llvm-profdata)" >&2
  exit 1
fi
sysroot="$(rustc --print sysroot)"
host="$(rustc -vV | sed -n 's/^host: //p')"
profdata="$sysroot/lib/rustlib/$host/bin/llvm-profdata"
if [[ ! -x "$profdata" ]]; then
  echo "error: $profdata not found after installing llvm-tools" >&2
  exit 1
fi

echo "== 1/4 instrumented build"
rm -rf "$profiles"
mkdir -p "$profiles/raw"
RUSTFLAGS="-Cprofile-generate=$profiles/raw" \
  cargo build --locked --release -p augur-cli -p augur-bench --target-dir "$target/pgo-generate"

echo "== 2/4 training run"
trained="$target/pgo-generate/release"
# Only the counters matter here; the examples' own checks run in CI.
"$trained/augur" check examples/standing.augur examples/standing.zh.augur >/dev/null
"$trained/augur" test examples >/dev/null
"$trained/augur" fmt --check examples >/dev/null
for deal in examples/deals/*.json; do
  "$trained/augur" eval examples/standing.augur "$deal" >/dev/null
  "$trained/augur" eval --format json examples/standing.augur "$deal" >/dev/null
done
"$trained/augur-bench" --train --augur "$trained/augur" --seed 7 \
  --shape-deals 20000 --guide-deals 200 --dir "$profiles/corpora"

echo "== 3/4 merging the profile"
"$profdata" merge -o "$profiles/augur.profdata" "$profiles/raw"

echo "== 4/4 optimised build"
RUSTFLAGS="-Cprofile-use=$profiles/augur.profdata" \
  cargo build --locked --release -p augur-cli -p augur-bench --target-dir "$target/pgo"

echo "built $target/pgo/release/augur (and augur-bench beside it)"
