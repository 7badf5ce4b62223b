#!/usr/bin/env bash
# Starts the SecantusDB MongoDB wire-protocol server (the test stand-in for
# MongoDB 7+) on a free port, in memory, and prints its URL on stdout:
#
#   url=$(scripts/start-secantus.sh [VENV] [PIDFILE])
#
# --standalone: no replica-set oplog, which makes every write much faster on
# SecantusDB; we use neither transactions nor change streams.
set -euo pipefail
venv="${1:-.venv}"
pidfile="${2:-/tmp/meeteasy-secantus.pid}"
log="$(mktemp /tmp/secantus.XXXXXX.log)"
"$venv/bin/secantusd-py" --host 127.0.0.1 --port 0 --storage-path :memory: --standalone --log-level INFO >"$log" 2>&1 &
pid=$!
echo "$pid" >"$pidfile"
for _ in $(seq 1 300); do
  port=$(sed -n 's/.*secantus listening on [^ ]*:\([0-9][0-9]*\)$/\1/p' "$log" | head -n1)
  if [ -n "$port" ]; then
    echo "mongodb://127.0.0.1:${port}/meeteasy"
    exit 0
  fi
  kill -0 "$pid" 2>/dev/null || { echo "secantusd-py exited:" >&2; cat "$log" >&2; exit 1; }
  sleep 0.1
done
echo "secantusd-py did not start; log:" >&2
cat "$log" >&2
kill "$pid" 2>/dev/null || true
exit 1
