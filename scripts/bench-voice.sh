#!/usr/bin/env bash
# Voice-input latency (a benchmark, not a test): release build, embedded and
# scaled (separate AI worker process). Needs the models and espeak-ng + sox.
#
#   scripts/bench-voice.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
venv="${MEETEASY_VENV:-.venv}"
export MEETEASY_MODELS_DIR="${MEETEASY_MODELS_DIR:-$PWD/models-data}"
scripts/fetch-models.sh "$MEETEASY_MODELS_DIR" >/dev/null
[ -x "$venv/bin/secantusd-py" ] || { python3 -m venv "$venv"; "$venv/bin/pip" install --quiet "SecantusDB==0.7.0b3"; }
pidfile="$(mktemp)"
trap '[ -s "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null; rm -f "$pidfile"' EXIT
export MEETEASY_TEST_MONGODB_URL="$(scripts/start-secantus.sh "$venv" "$pidfile")"
cargo build --release -p meeteasy-tests --bin bench-voice -p meeteasy-api --bin meeteasy
target="${CARGO_TARGET_DIR:-target}/release"
export MEETEASY_BIN="$target/meeteasy"
"$target/bench-voice" embedded "$runs"
"$target/bench-voice" scaled "$runs"
