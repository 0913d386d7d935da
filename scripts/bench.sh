#!/usr/bin/env bash
# make bench: Go benchmarks of the client (pkg/spread) and the daemon
# (pkg/daemon) with -benchmem, then the standard flood — `spgo flood
# --embedded`, 1000-byte messages, all six service types, over TCP and the
# unix socket — with a CPU profile of the TCP run. Everything goes to the
# file named by $1 (default bench-results.txt); the profile to $1.cpu.prof.
#
#   BENCHTIME=2s FLOOD_COUNT=500000 scripts/bench.sh out.txt
#   SPGO_FLOOD_DAEMON=4803@localhost scripts/bench.sh out.txt   # also flood that daemon
set -euo pipefail
out=${1:-bench-results.txt}
benchtime=${BENCHTIME:-1s}
count=${FLOOD_COUNT:-200000}
cd "$(dirname "$0")/.."
case $out in /*) ;; *) out=$PWD/$out ;; esac
bin=$(mktemp -d)/spgo
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" ./cmd/spgo

{
  echo "# spgo bench $(date -u +%Y-%m-%dT%H:%M:%SZ) $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "# $(go version), $(nproc) CPUs"
  echo
  echo "## go test -bench . -benchmem ./pkg/spread ./pkg/daemon (benchtime $benchtime)"
  go test -run '^$' -bench . -benchmem -benchtime "$benchtime" ./pkg/spread ./pkg/daemon 2>&1
  echo
  echo "## spgo flood --embedded --transport tcp -b 1000 -m $count (all six service types)"
  "$bin" flood --embedded --transport tcp -b 1000 -m "$count" --progress never --cpuprofile "$out.cpu.prof" 2>&1
  echo
  echo "## spgo flood --embedded --transport unix -b 1000 -m $count"
  "$bin" flood --embedded --transport unix -b 1000 -m "$count" --progress never 2>&1
  echo
  echo "## where the TCP flood's CPU time goes (client and daemon share the process)"
  go tool pprof -top -nodecount 25 "$bin" "$out.cpu.prof" 2>/dev/null | sed -n '1,35p'
  if [ -n "${SPGO_FLOOD_DAEMON:-}" ]; then
    echo
    echo "## spgo flood -s $SPGO_FLOOD_DAEMON -b 1000 -m $count"
    "$bin" flood -s "$SPGO_FLOOD_DAEMON" -b 1000 -m "$count" --progress never 2>&1 || true
  fi
} >"$out"
echo "bench: results in $out (CPU profile $out.cpu.prof)"
