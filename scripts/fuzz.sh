#!/usr/bin/env bash
# Coverage-guided fuzzing (cargo-fuzz / libFuzzer + AddressSanitizer) of the
# upload parsers: type sniffing, Office container checks, PDF inspection,
# audio decoding and image decoding. The fuzz crate lives in fuzz/ and is its
# own workspace (it needs nightly and is never built by the main workspace).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# SECONDS_PER_TARGET defaults to 60; TARGET defaults to all targets
# (sniff container pdf_inspect audio_decode image_header). Targets run one
# after the other, each for a bounded time. For each it prints the number of
# executions and whether a crash/timeout/OOM artifact appeared; the exit
# status is non-zero when any target found one (artifacts in
# fuzz/artifacts/<target>/, logs in fuzz/logs/<target>.log).
#
# Environment:
#   CARGO_TARGET_DIR   build dir (default fuzz/target; never the workspace's)
#   FUZZ_JOBS          CARGO_BUILD_JOBS for the build (default 1)
#   FUZZ_NICE          nice level for build and runs (default 19)
#   FUZZ_ARGS          extra libFuzzer flags, appended
#   FUZZ_NO_BUILD=1    skip the build (use what is in CARGO_TARGET_DIR)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FUZZ_DIR="$ROOT/fuzz"
ALL_TARGETS=(sniff container pdf_inspect audio_decode image_header)

SECS="${1:-60}"
if ! [[ "$SECS" =~ ^[0-9]+$ ]] || [ "$SECS" -lt 1 ]; then
    echo "usage: $0 [SECONDS_PER_TARGET] [TARGET...]" >&2
    exit 2
fi
shift || true
if [ "$#" -gt 0 ]; then TARGETS=("$@"); else TARGETS=("${ALL_TARGETS[@]}"); fi
for t in "${TARGETS[@]}"; do
    if [ ! -f "$FUZZ_DIR/fuzz_targets/$t.rs" ]; then
        echo "unknown target: $t (have: ${ALL_TARGETS[*]})" >&2
        exit 2
    fi
done

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$FUZZ_DIR/target}"
export CARGO_BUILD_JOBS="${FUZZ_JOBS:-1}"
# whisper.cpp (a dependency of meeteasy-ai) is built by cmake: no bindgen,
# no -march=native.
export WHISPER_DONT_GENERATE_BINDINGS=1
export GGML_NATIVE=OFF
NICE=(nice -n "${FUZZ_NICE:-19}")

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "the nightly toolchain is required: rustup toolchain install nightly" >&2
    exit 2
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz"
    "${NICE[@]}" cargo install cargo-fuzz --locked
fi

cd "$FUZZ_DIR"
if [ "${FUZZ_NO_BUILD:-0}" != 1 ]; then
    echo "== building ${TARGETS[*]} (CARGO_TARGET_DIR=$CARGO_TARGET_DIR, jobs=$CARGO_BUILD_JOBS)"
    for t in "${TARGETS[@]}"; do
        "${NICE[@]}" cargo +nightly fuzz build "$t"
    done
fi

mkdir -p logs
failed=()
summary=()
for t in "${TARGETS[@]}"; do
    corpus="$FUZZ_DIR/corpus/$t"
    artifacts="$FUZZ_DIR/artifacts/$t"
    mkdir -p "$corpus" "$artifacts"
    # Seeds are committed in seeds/<target>; the corpus grows (git-ignored).
    if [ -d "seeds/$t" ]; then cp -n "seeds/$t"/* "$corpus"/ 2>/dev/null || true; fi
    before="$(find "$artifacts" -type f | sort)"
    log="$FUZZ_DIR/logs/$t.log"
    echo "== fuzzing $t for ${SECS}s (log: $log)"
    start=$(date +%s)
    set +e
    # shellcheck disable=SC2086
    "${NICE[@]}" cargo +nightly fuzz run "$t" "$corpus" -- \
        -max_total_time="$SECS" -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" ${FUZZ_ARGS:-} >"$log" 2>&1
    rc=$?
    set -e
    elapsed=$(( $(date +%s) - start ))
    execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)"
    if [ -z "$execs" ]; then
        # No final stats (the run died): the last status line's #N.
        execs="$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#' || true)"
    fi
    corpus_n="$(find "$corpus" -type f | wc -l)"
    after="$(find "$artifacts" -type f | sort)"
    new="$(comm -13 <(echo "$before") <(echo "$after") | sed '/^$/d' || true)"
    if [ -n "$new" ] || [ "$rc" -ne 0 ]; then
        status="FOUND (exit $rc)"
        failed+=("$t")
        kind="$(grep -oE 'ERROR: (libFuzzer|AddressSanitizer): [a-z-]+[^ ]*' "$log" | head -1 || true)"
        [ -n "$kind" ] && status="$status: ${kind#ERROR: }"
    else
        status="ok"
    fi
    line="$(printf '%-13s %-40s execs=%-10s time=%ss corpus=%s' "$t" "$status" "${execs:-?}" "$elapsed" "$corpus_n")"
    echo "$line"
    summary+=("$line")
    if [ -n "$new" ]; then
        while IFS= read -r a; do echo "    artifact: $a"; summary+=("    artifact: $a"); done <<<"$new"
    fi
done

echo
echo "== summary"
printf '%s\n' "${summary[@]}"
if [ "${#failed[@]}" -gt 0 ]; then
    echo "targets with findings: ${failed[*]}" >&2
    exit 1
fi
