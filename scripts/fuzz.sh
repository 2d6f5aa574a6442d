#!/usr/bin/env bash
# Run every Fuzz target in the module for a bounded time each.
#
#   scripts/fuzz.sh                 # 60 s per target
#   FUZZTIME=5m scripts/fuzz.sh     # longer
#   FUZZTIME=2s scripts/fuzz.sh ./reports/...   # only some packages (CI uses 2 s)
#
# Failing inputs are written by `go test` under testdata/fuzz/<FuzzName>/ in the
# package; commit them so the crash becomes a regular test case.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${FUZZTIME:-60s}"
pkgs=("$@")
[ ${#pkgs[@]} -eq 0 ] && pkgs=(./...)

# inputs counts the saved inputs of a target (0 when it has none yet).
inputs() { if [ -d "$1" ]; then find "$1" -type f | wc -l; else echo 0; fi; }

failed=0
total=0
for pkg in $(go list "${pkgs[@]}"); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  # Found by name rather than with `go test -list`, which would build each
  # package once more without the fuzzing instrumentation.
  targets=$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(f \*testing\.F).*/\1/p' "$dir"/*_test.go 2>/dev/null || true)
  for target in $targets; do
    total=$((total + 1))
    echo "fuzz $pkg $target ($fuzztime)"
    before=$(inputs "$dir/testdata/fuzz/$target")
    if ! go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" "$pkg"; then
      after=$(inputs "$dir/testdata/fuzz/$target")
      # The fuzzing engine itself sometimes stops with "context deadline
      # exceeded" on a loaded machine, writing no input: that is not a finding,
      # so such a target runs once more; a second failure counts.
      if [ "$after" -eq "$before" ] && go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" "$pkg"; then
        echo "fuzz $pkg $target: the engine stopped without a failing input; passed when run again"
      else
        failed=$((failed + 1))
        echo "FAIL: $pkg $target (the failing input is under $dir/testdata/fuzz/$target/)"
      fi
    fi
  done
done
echo "fuzz: $total targets, $failed failed"
[ "$failed" -eq 0 ]
