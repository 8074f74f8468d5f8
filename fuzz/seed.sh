#!/bin/sh
# Seeds fuzz/corpus/<target> from the repository's examples and checker cases.
set -e
cd "$(dirname "$0")"
for t in parse check fmt; do
  mkdir -p corpus/$t
  cp ../examples/*.augur ../tests/check/*.augur corpus/$t/ 2>/dev/null || true
  [ -d ../tests/adversarial ] && find ../tests/adversarial -name '*.augur' -exec cp {} corpus/$t/ \; || true
done
mkdir -p corpus/eval_deal
for f in ../examples/deals/*.json; do cp "$f" corpus/eval_deal/; done
# one seed per line of the JSONL files
for f in ../examples/deals/*.jsonl; do
  [ -f "$f" ] || continue
  n=0; while IFS= read -r line; do n=$((n+1)); printf '%s' "$line" > "corpus/eval_deal/$(basename "$f").$n"; done < "$f"
done
mkdir -p corpus/csv_deals
cp ../examples/deals/*.csv corpus/csv_deals/ 2>/dev/null || true
find ../tests/adversarial -name '*.csv' -exec cp {} corpus/csv_deals/ \; 2>/dev/null || true
# decimals and duplicate keys for the deal decoders
find ../tests/adversarial -name '*.json' -size -64k -exec cp {} corpus/eval_deal/ \; 2>/dev/null || true
# the decode target: the same deals as eval_deal
mkdir -p corpus/decode
cp corpus/eval_deal/* corpus/decode/ 2>/dev/null || true
# and the CSV files, for its CSV half
cp corpus/csv_deals/* corpus/decode/ 2>/dev/null || true
