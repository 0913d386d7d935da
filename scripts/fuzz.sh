#!/usr/bin/env bash
# Runs every Go fuzz target in the module for the given time each (default 10s).
set -euo pipefail
fuzztime=${1:-10s}
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# fuzz_once runs target $2 of package $1; its output goes to $log.
fuzz_once() {
  go test -run '^$' -fuzz "^$2\$" -fuzztime "$fuzztime" "$1" >"$log" 2>&1
}

# deadline_only: the run failed with nothing but "context deadline exceeded",
# no input written and no panic. Go's fuzz coordinator (before Go 1.27,
# golang/go#75804) can report its own -fuzztime deadline that way when a
# worker is mid-call as time runs out, on a loaded machine.
deadline_only() {
  grep -q 'context deadline exceeded' "$log" &&
    ! grep -qE 'Failing input written|panic:|_test\.go:[0-9]+:|seed corpus' "$log"
}

status=0
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  targets=$(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u || true)
  for t in $targets; do
    echo "fuzz: $pkg $t ($fuzztime)"
    if fuzz_once "$pkg" "$t"; then
      continue
    fi
    if deadline_only; then
      echo "fuzz: $t: the fuzz engine reported its own deadline as a failure; running it again"
      fuzz_once "$pkg" "$t" && continue
    fi
    cat "$log"
    status=1
  done
done
exit $status
