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

# relay_fraction prints the rates of the daemon benchmarks that move what the relay
# moves (one sender, one receiver, 1000-byte messages written in batches:
# BenchmarkDaemonTCP and Unix) and the TCP flood's AGREED rate over BenchmarkRawRelay's
# frames/s from the results in $1. The libspread-pattern and fan-out benchmarks
# measure other traffic, so a fraction of the relay would say nothing about them.
relay_fraction() {
  awk '
    /^BenchmarkRawRelay/ { for (i = 1; i < NF; i++) if ($(i+1) == "frames/s") relay = $i }
    /^BenchmarkDaemon(TCP|Unix)-/ { for (i = 1; i < NF; i++) if ($(i+1) == "msgs/s") rate[$1] = $i }
    /│ AGREED /          { split($0, c, "│"); gsub(/[ ,]/, "", c[3]); flood = c[3] }
    END {
      if (!relay) { print "no BenchmarkRawRelay result"; exit }
      printf "raw relay: %.0f frames/s\n", relay
      for (b in rate) printf "%-36s %10.0f msgs/s  %.2f of the relay\n", b, rate[b], rate[b] / relay
      if (flood != "") printf "%-36s %10.0f msgs/s  %.2f of the relay\n", "spgo flood --embedded (tcp, AGREED)", flood, flood / relay
    }' "$1"
}
trap 'rm -rf "$(dirname "$bin")" "$out.go.txt"' EXIT
go build -o "$bin" ./cmd/spgo

{
  echo "# spgo bench $(date -u +%Y-%m-%dT%H:%M:%SZ) $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "# $(go version), $(nproc) CPUs"
  echo
  echo "## go test -bench . -benchmem ./pkg/spread ./pkg/daemon (benchtime $benchtime)"
  go test -run '^$' -bench . -benchmem -benchtime "$benchtime" ./pkg/spread ./pkg/daemon 2>&1 | tee "$out.go.txt"
  echo
  echo "## spgo flood --embedded --transport tcp -b 1000 -m $count (all six service types)"
  "$bin" flood --embedded --transport tcp -b 1000 -m "$count" --progress never --cpuprofile "$out.cpu.prof" 2>&1 | tee -a "$out.go.txt"
  echo
  echo "## spgo flood --embedded --transport unix -b 1000 -m $count"
  "$bin" flood --embedded --transport unix -b 1000 -m "$count" --progress never 2>&1
  echo
  echo "## where the TCP flood's CPU time goes (client and daemon share the process)"
  go tool pprof -top -nodecount 25 "$bin" "$out.cpu.prof" 2>/dev/null | sed -n '1,35p'
  echo
  echo "## the daemon's rates as fractions of the raw relay ceiling (same run)"
  relay_fraction "$out.go.txt"
  if [ -n "${SPGO_FLOOD_DAEMON:-}" ]; then
    echo
    echo "## spgo flood -s $SPGO_FLOOD_DAEMON -b 1000 -m $count"
    "$bin" flood -s "$SPGO_FLOOD_DAEMON" -b 1000 -m "$count" --progress never 2>&1 || true
  fi
} >"$out"
echo "bench: results in $out (CPU profile $out.cpu.prof)"
