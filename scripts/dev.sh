#!/usr/bin/env bash
# Runs the embedded default (`meeteasy dev`) from a fresh checkout:
# installs the native build tools whisper.cpp needs (cmake, g++) when
# missing and this is root, then builds and starts the server.
#
#   scripts/dev.sh [--data-dir DIR] [--listen HOST:PORT]   (defaults ./data, 127.0.0.1:8080)
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cmake >/dev/null 2>&1 || ! command -v g++ >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends cmake g++
  else
    echo "please install cmake and g++ (e.g. sudo apt-get install cmake g++)" >&2
    exit 1
  fi
fi
args=("$@")
[[ " ${args[*]-} " == *" --data-dir "* ]] || args+=(--data-dir ./data)
[[ " ${args[*]-} " == *" --listen "* ]] || args+=(--listen 127.0.0.1:8080)
exec cargo run --release -p meeteasy-api --bin meeteasy -- dev "${args[@]}"
