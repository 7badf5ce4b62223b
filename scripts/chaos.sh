#!/usr/bin/env bash
# The chaos run (not a test; see tests/src/bin/chaos.rs):
#
#   scripts/chaos.sh [JOBS] [WORKERS] [POSTERS]   (defaults 10000, 3 and 16)
#
# Starts the MongoDB wire server (in the test venv, installed by
# scripts/test.sh or here), builds the binaries and runs the driver, which
# starts its own redis-server (restarted once, empty) and the `meeteasy api`
# and `meeteasy worker` processes it kills.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${MEETEASY_VENV:-.venv}"
if [ ! -x "$venv/bin/secantusd-py" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "SecantusDB==0.7.0b3"
fi
pidfile="$(mktemp /tmp/meeteasy-secantus.XXXXXX.pid)"
cleanup() { [ -s "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true; rm -f "$pidfile"; }
trap cleanup EXIT
MEETEASY_TEST_MONGODB_URL="$(scripts/start-secantus.sh "$venv" "$pidfile")"
export MEETEASY_TEST_MONGODB_URL
cargo build --locked -p meeteasy-api --bin meeteasy
cargo run --locked -p meeteasy-tests --bin chaos -- "$@"
