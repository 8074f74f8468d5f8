#!/usr/bin/env bash
# Drives `nvim --headless` with editors/nvim on the runtime path against the real
# `augur lsp`. Usage: editors/nvim/test/run.sh [path/to/augur]
# (default: $AUGUR, else target/debug/augur, else augur on PATH). Exits non-zero on failure.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
plugin="$(dirname "$here")"
repo="$(cd "$plugin/../.." && pwd)"

augur="${1:-${AUGUR:-}}"
if [[ -z "$augur" ]]; then
  if [[ -x "${CARGO_TARGET_DIR:-$repo/target}/debug/augur" ]]; then
    augur="${CARGO_TARGET_DIR:-$repo/target}/debug/augur"
  else
    augur="$(command -v augur || true)"
  fi
fi
if [[ -z "$augur" || ! -x "$augur" ]]; then
  echo "nvim test: no augur binary (pass its path, or build it with cargo build -p augur-cli)" >&2
  exit 2
fi
command -v nvim >/dev/null || { echo "nvim test: nvim is not installed" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here/broken.augur" "$work/测试.augur"
touch "$work/augur.toml" # a root marker, so the test does not depend on the checkout

# -u NONE: no user config; the plugin directory is the only addition to the runtime path.
AUGUR_TEST_PLAYBOOK="$work/测试.augur" timeout 90 nvim --headless -u NONE -i NONE -n \
  --cmd "set rtp^=$plugin" \
  --cmd "let g:augur_server_path = '$augur'" \
  -c "filetype plugin indent on" -c "syntax on" \
  -c "luafile $here/lsp_test.lua"
