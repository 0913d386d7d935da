#!/usr/bin/env bash
# Runs the pkg/spread integration suite against an external Spread daemon.
#
#   SPGO_TEST_DAEMON=4803@localhost scripts/interop.sh      (or: make interop SPGO_TEST_DAEMON=...)
#
# The same tests run against the embedded daemon when SPGO_TEST_DAEMON is unset
# (that is what `make test` does), so the two daemons cannot drift apart.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${SPGO_TEST_DAEMON:-}" ]; then
  echo "interop: set SPGO_TEST_DAEMON to a daemon name, e.g. SPGO_TEST_DAEMON=4803@localhost" >&2
  exit 2
fi
echo "interop: integration suite against $SPGO_TEST_DAEMON"
exec go test -race -count=1 -run 'Integration' -v ./pkg/spread/ "$@"
