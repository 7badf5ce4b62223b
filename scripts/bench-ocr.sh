#!/usr/bin/env bash
# OCR benchmark (not a test): our engine (ai/benches/ocr_bench.rs) against the
# Python rapidocr==3.10.0, on the same PP-OCR model files, the same
# onnxruntime==1.31.1 build and the same thread count, one after the other.
#
#   scripts/bench-ocr.sh [ITERATIONS] [THREADS] [ROUNDS]      (defaults: 3, 2, 3)
#
# ROUNDS timing rounds, in each of which both engines read the A4 pages
# ITERATIONS times (after one warm-up pass), taking turns.
#
# Environment: OCR_BENCH_PAGES (5 A4 pages), OCR_BENCH_PAGE_MARGIN (their
# margins in pixels at 150 dpi: 100, about 1.7 cm; office documents default to
# 1 inch, 150), OCR_BENCH_MEM_IMAGES (1000 images
# of varying sizes for the memory run; 0 skips it), OCR_BENCH_PARITY (1: also
# compare the texts with the orientation classifier off on both sides; 0 skips
# it), OCR_BENCH_DIR (work folder, default target/ocr-bench: venv, images,
# results), MEETEASY_MODELS_DIR.
#
# Prints per-page latency p50/p95, pages/s, the det/cls/rec split, RSS (start,
# loaded, warmed up, after the 1,000-image run, peak), the speedup, and the
# character error rate of each engine against the rendered ground truth and
# between the two engines. The memory run takes a while: both engines run
# detection at a 736 px short side, so even a small label costs about as much
# as half a page.
set -euo pipefail
cd "$(dirname "$0")/.."
iterations="${1:-3}"
threads="${2:-2}"
rounds="${3:-3}"
pages="${OCR_BENCH_PAGES:-5}"
mem_images="${OCR_BENCH_MEM_IMAGES:-1000}"
margin="${OCR_BENCH_PAGE_MARGIN:-100}"
work="$(mkdir -p "${OCR_BENCH_DIR:-${CARGO_TARGET_DIR:-target}/ocr-bench}" && cd "${OCR_BENCH_DIR:-${CARGO_TARGET_DIR:-target}/ocr-bench}" && pwd)"
export MEETEASY_MODELS_DIR="$(mkdir -p "${MEETEASY_MODELS_DIR:-models-data}" && cd "${MEETEASY_MODELS_DIR:-models-data}" && pwd)"
scripts/fetch-models.sh "$MEETEASY_MODELS_DIR" >/dev/null

venv="$work/venv"
pins=("rapidocr==3.10.0" "onnxruntime==1.31.1" "pillow==13.0.0")
if ! "$venv/bin/python" -c 'import rapidocr, onnxruntime, PIL; assert onnxruntime.__version__ == "1.31.1"' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "${pins[@]}"
fi

# The images are rendered once per (pages, mem_images) setting; same seed, same images.
images="$work/images"
stamp="pages=$pages mem=$mem_images margin=$margin seed=7"
if [ "$(cat "$images/.stamp" 2>/dev/null)" != "$stamp" ]; then
  "$venv/bin/python" tools/ocr-bench/gen_images.py "$images" --pages "$pages" --mem-images "$mem_images" --page-margin "$margin" --seed 7
  echo "$stamp" >"$images/.stamp"
fi
cargo bench -p meeteasy-ai --bench ocr_bench --no-run --quiet
ours() { cargo bench -p meeteasy-ai --bench ocr_bench --quiet -- --models "$MEETEASY_MODELS_DIR" --threads "$threads" "$@"; }
theirs() { "$venv/bin/python" tools/ocr-bench/rapidocr_bench.py --models "$MEETEASY_MODELS_DIR" --threads "$threads" "$@"; }

# Timing: the engines take turns, round after round, so that load from other
# processes on the machine falls on both alike.
ours_json=() theirs_json=()
for round in $(seq 1 "$rounds"); do
  echo "== round $round/$rounds: meeteasy (ai/benches/ocr_bench.rs), then rapidocr 3.10.0, $threads threads each"
  ours --pages "$images/pages" --iterations "$iterations" --out "$work/meeteasy-$round.json"
  theirs --pages "$images/pages" --iterations "$iterations" --out "$work/rapidocr-$round.json"
  ours_json+=("$work/meeteasy-$round.json") theirs_json+=("$work/rapidocr-$round.json")
done

# Memory: each engine reads the images of varying sizes once, RSS sampled
# every 100 images.
mem_args=()
if [ "$mem_images" -gt 0 ]; then
  echo "== memory: $mem_images images of varying sizes, meeteasy then rapidocr"
  ours --pages "$images/pages" --iterations 1 --mem-images "$images/mem" --out "$work/meeteasy-mem.json"
  theirs --pages "$images/pages" --iterations 1 --mem-images "$images/mem" --out "$work/rapidocr-mem.json"
  mem_args=(--mem-ours "$work/meeteasy-mem.json" --mem-ref "$work/rapidocr-mem.json")
fi
"$venv/bin/python" tools/ocr-bench/compare.py "$images/truth.json" --ours "${ours_json[@]}" --ref "${theirs_json[@]}" \
  "${mem_args[@]}"

# Parity check: with the orientation classifier off, both pipelines are the
# same step for step (ours only deviates in how it trusts that classifier),
# so the texts should agree. One pass over the pages.
if [ "${OCR_BENCH_PARITY:-1}" != 0 ]; then
  echo "== parity: orientation classifier off on both sides, 1 pass over the pages"
  ours --pages "$images/pages" --iterations 1 --no-cls --out "$work/meeteasy-nocls.json"
  theirs --pages "$images/pages" --iterations 1 --no-cls --out "$work/rapidocr-nocls.json"
  "$venv/bin/python" tools/ocr-bench/compare.py "$images/truth.json" --ours "$work/meeteasy-nocls.json" \
    --ref "$work/rapidocr-nocls.json"
fi
echo "results: $work/*.json"
