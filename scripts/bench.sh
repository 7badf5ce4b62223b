#!/usr/bin/env bash
# No-op job throughput and pickup latency on both backends (release build),
# plus redis-benchmark for scale. A benchmark, not a test: it asserts nothing.
#
#   scripts/bench.sh [JOBS] [IN_FLIGHT]
#
# Note: the scale-out figure is bounded by the MongoDB stand-in used here
# (SecantusDB, a Python server); it is not a measure of MongoDB.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${1:-2000}"
in_flight="${2:-32}"
venv="${MEETEASY_VENV:-.venv}"
[ -x "$venv/bin/secantusd-py" ] || { python3 -m venv "$venv"; "$venv/bin/pip" install --quiet "SecantusDB==0.7.0b3"; }
pidfile="$(mktemp)"
trap '[ -s "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null; rm -f "$pidfile"' EXIT
export MEETEASY_TEST_MONGODB_URL="$(scripts/start-secantus.sh "$venv" "$pidfile")"
cargo build --release -p meeteasy-tests --bin bench-jobs
bin="${CARGO_TARGET_DIR:-target}/release/bench-jobs"
"$bin" embedded "$jobs" "$in_flight"
"$bin" scaled "$jobs" "$in_flight"
echo "redis-benchmark (SET/GET/INCR/LPUSH/RPOP, 50 clients, 100k requests):"
redis-benchmark -q -n 100000 -t set,get,incr,lpush,rpop
