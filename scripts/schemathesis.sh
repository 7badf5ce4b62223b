#!/usr/bin/env bash
# Property-based API testing: schemathesis (PyPI) against a running
# `meeteasy dev`'s /openapi.json, authenticated, on every documented
# operation, with every check (no 5xx, responses conform to the schema,
# negative data rejected, ...).
#
#   scripts/schemathesis.sh [MAX_EXAMPLES] [extra `st run` options]
#
# MAX_EXAMPLES (default 25) bounds the cases per operation; CI runs this
# bounded pass from scripts/test.sh. Needs the debug binary (built by
# scripts/test.sh) or MEETEASY_BIN. Installs schemathesis into
# $MEETEASY_ST_VENV (default .venv-schemathesis) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
examples="${1:-25}"
shift || true
venv="${MEETEASY_ST_VENV:-.venv-schemathesis}"
if [ ! -x "$venv/bin/st" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "schemathesis==4.32.5"
fi
bin="${MEETEASY_BIN:-${CARGO_TARGET_DIR:-target}/debug/meeteasy}"
[ -x "$bin" ] || { echo "$bin is missing: run cargo build -p meeteasy-api --bin meeteasy" >&2; exit 1; }

work="$(mktemp -d /tmp/meeteasy-st.XXXXXX)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export MEETEASY_JWT_SECRET="schemathesis-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
# Generated requests come fast; the per-tenant limit has its own tests.
export MEETEASY_LIMITS__TENANT_REQUESTS_PER_MINUTE=0
export MEETEASY_DOCUMENTS__PRESTART_OFFICE=false
export MEETEASY_LOG_LEVEL=warn
# An SMS provider that refuses connections: requests are accepted (202) and
# the jobs fail later, as they would with a provider outage.
export MEETEASY_NOTIFICATIONS__SMS__URL="http://127.0.0.1:9/sms"
"$bin" dev --data-dir "$work/data" --listen "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 1 300); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
token="$("$bin" token --tenant schemathesis --role admin --ttl 2h 2>/dev/null)"

status=0
"$venv/bin/st" --config-file scripts/schemathesis.toml run "http://127.0.0.1:$port/openapi.json" \
  --header "Authorization: Bearer $token" \
  --checks all \
  --max-examples "$examples" \
  --seed 20261207 \
  --workers 1 \
  --request-timeout 30 \
  --suppress-health-check all \
  --report junit --report-dir "$work/report" \
  "$@" || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- server log (last 50 lines) ---" >&2
  tail -n 50 "$work/server.log" >&2 || true
fi
exit "$status"
