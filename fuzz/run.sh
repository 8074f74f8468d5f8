#!/bin/sh
# Runs one fuzz target for SECONDS (default 300) on one core; further
# arguments go to libFuzzer:
#   fuzz/run.sh parse 300
#   fuzz/run.sh lsp_edits 300 -len_control=0
set -e
cd "$(dirname "$0")"
target=$1; secs=${2:-300}; shift; [ $# -gt 0 ] && shift
mkdir -p corpus/$target artifacts/$target
# eval_deal and csv_deals run the batch pipeline, which starts threads for every input;
# LeakSanitizer then reports glibc's per-thread destructor list (32 bytes
# from __cxa_thread_atexit_impl) as a leak. It is not ours: leak checking is
# off for that target only.
extra=""
case "$target" in eval_deal|csv_deals) extra="-detect_leaks=0" ;; esac
cargo +nightly fuzz run -O "$target" corpus/$target -- \
  -dict=augur.dict -max_total_time="$secs" -max_len=8192 \
  -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 -artifact_prefix=artifacts/$target/ $extra "$@"
