#!/usr/bin/env bash
# The scale-out benchmark (not a test): `meeteasy api` and `meeteasy worker
# --pool cpu` as separate processes, a private Redis, and a fresh in-memory
# SecantusDB (`--standalone`) for each configuration.
#
#   scripts/bench-scaleout.sh [JOBS] [CLIENTS]      (defaults 5000 and 64)
#
# Runs 1 API + 1 worker, then 2 APIs + 4 workers. Release build unless
# MEETEASY_BENCH_PROFILE=debug.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${1:-5000}"
clients="${2:-64}"
venv="${MEETEASY_VENV:-.venv}"
[ -x "$venv/bin/secantusd-py" ] || { python3 -m venv "$venv"; "$venv/bin/pip" install --quiet "SecantusDB==0.7.0b3"; }
profile="${MEETEASY_BENCH_PROFILE:-release}"
flag=(); [ "$profile" = release ] && flag=(--release)
cargo build "${flag[@]}" -p meeteasy-api --bin meeteasy
cargo build "${flag[@]}" -p meeteasy-tests --bin bench-scaleout
target="${CARGO_TARGET_DIR:-target}/$profile"
export MEETEASY_BIN="$target/meeteasy"
for shape in "1 1" "2 4"; do
  set -- $shape
  pidfile="$(mktemp)"
  MEETEASY_TEST_MONGODB_URL="$(scripts/start-secantus.sh "$venv" "$pidfile")"
  export MEETEASY_TEST_MONGODB_URL
  "$target/bench-scaleout" "$jobs" "$clients" "$1" "$2" || true
  kill "$(cat "$pidfile")" 2>/dev/null || true
  rm -f "$pidfile"
done
