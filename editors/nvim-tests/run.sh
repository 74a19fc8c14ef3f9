#!/usr/bin/env bash
# Headless Neovim tests of `linja lsp`: Neovim's built-in LSP client against
# the server, one test file per feature group (diagnostics, hover,
# navigation, completion, formatting), each on a fresh copy of rules/.
#
# Usage: editors/nvim-tests/run.sh [path/to/linja]   (default .build/debug/linja)
# Exit 0 when every test passed or when Neovim is not installed (the tests
# are then skipped, and this says so); 1 when a test failed.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
linja="${1:-$repo/.build/debug/linja}"
case "$linja" in /*) ;; *) linja="$PWD/$linja" ;; esac

if ! command -v nvim >/dev/null 2>&1; then
  echo "SKIPPED: Neovim (nvim) is not installed, so the editor tests did not run."
  exit 0
fi
version="$(nvim --version | head -1)"
minor="$(echo "$version" | sed -n 's/^NVIM v0\.\([0-9]*\).*/\1/p')"
if [ -n "$minor" ] && [ "$minor" -lt 7 ]; then
  echo "SKIPPED: $version is older than 0.7, so the editor tests did not run."
  exit 0
fi
if [ ! -x "$linja" ]; then
  echo "editor tests: no linja binary at $linja (build it first: swift build)" >&2
  exit 1
fi

echo "Editor tests with $version against $linja"
failed=0
for test in "$here"/test_*.lua; do
  name="$(basename "$test" .lua)"
  rules="$(mktemp -d)"
  cp -R "$repo/rules/." "$rules/"
  echo "$name"
  LINJA="$linja" RULES="$rules" TESTS="$here" timeout 120 \
    nvim --headless --clean -u NONE -i NONE -n \
      -c "lua local ok, e = pcall(dofile, '$test'); if not ok then io.stdout:write('  FAIL $name: ' .. tostring(e) .. '\\n'); vim.cmd('cquit 1') end" \
      </dev/null
  status=$?
  if [ "$status" -ne 0 ]; then
    [ "$status" -eq 124 ] && echo "  FAIL $name: timed out"
    failed=$((failed + 1))
  fi
  rm -rf "$rules"
done
if [ "$failed" -ne 0 ]; then
  echo "editor tests: $failed of $(ls "$here"/test_*.lua | wc -l) files failed"
  exit 1
fi
echo "editor tests: all passed"
