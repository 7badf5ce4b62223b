#!/usr/bin/env bash
# Socket.IO fan-out latency (a benchmark, not a test), with the official
# python-socketio client: one `meeteasy dev` process (release build), CLIENTS
# sockets, JOBS no-op jobs.
#
#   scripts/bench-realtime.sh [CLIENTS] [JOBS]
set -euo pipefail
cd "$(dirname "$0")/.."
clients="${1:-50}"
jobs="${2:-40}"
venv="${MEETEASY_VENV:-.venv}"
"$venv/bin/python" -c "import socketio, websocket" 2>/dev/null || "$venv/bin/pip" install --quiet "python-socketio[client]==5.*"
cargo build --release -p meeteasy-api --bin meeteasy
bin="${CARGO_TARGET_DIR:-target}/release/meeteasy"
data="$(mktemp -d)"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
MEETEASY_LOG_LEVEL=warn "$bin" dev --data-dir "$data" --listen "127.0.0.1:$port" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
token=$("$bin" token --tenant bench --role admin)
"$venv/bin/python" tests/py/socketio_latency.py "http://127.0.0.1:$port" "$token" "$clients" "$jobs"
