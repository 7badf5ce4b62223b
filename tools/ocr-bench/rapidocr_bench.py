#!/usr/bin/env python3
"""RapidOCR 3.10.0 side of the OCR benchmark (the Rust side is ai/benches/ocr_bench.rs).

Why a separate script with the same phases and JSON: the comparison is only
fair if both engines see the same decoded pixels, the same model files, the
same onnxruntime build (1.31.1) and the same thread count, and are timed the
same way. Decoding happens before the timed region on both sides; only the
call that runs det -> cls -> rec is timed.

    python rapidocr_bench.py --models DIR --pages DIR [--iterations 5] [--threads 2]
                             [--mem-images DIR] [--no-cls] [--out result.json]

DIR for --models is the models folder of scripts/fetch-models.sh (ocr/*.onnx).
"""
import argparse
import json
import math
import sys
import time
from pathlib import Path


def rss_mib():
    """(VmRSS, VmHWM) in MiB, from /proc/self/status."""
    fields = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, val = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(val.split()[0]) / 1024.0
    return fields.get("VmRSS", math.nan), fields.get("VmHWM", math.nan)


RSS_START = rss_mib()[0]  # before numpy, cv2, onnxruntime and rapidocr are imported

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402
from rapidocr import RapidOCR  # noqa: E402


def percentile(sorted_vals, p):
    """Nearest rank; ocr_bench.rs uses the same rule."""
    if not sorted_vals:
        return math.nan
    rank = math.ceil(p / 100.0 * len(sorted_vals))
    return sorted_vals[min(max(rank, 1), len(sorted_vals)) - 1]


def image_files(d):
    files = sorted(p for p in Path(d).iterdir() if p.suffix.lower() in (".png", ".jpg", ".jpeg"))
    if not files:
        sys.exit(f"no images in {d}")
    return files


def load_bgr(path):
    """Decoded pixels as RapidOCR takes them from an ndarray: BGR uint8."""
    with Image.open(path) as img:
        rgb = np.asarray(img.convert("RGB"))
    return np.ascontiguousarray(rgb[:, :, ::-1])


def run(engine, img):
    t0 = time.perf_counter()
    out = engine(img)
    ms = (time.perf_counter() - t0) * 1000.0
    txts = list(out.txts) if getattr(out, "txts", None) is not None else []
    elapse = getattr(out, "elapse_list", None) or [0.0, 0.0, 0.0]
    return "\n".join(txts), ms, [(e or 0.0) * 1000.0 for e in elapse]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", required=True, type=Path)
    ap.add_argument("--pages", required=True, type=Path)
    ap.add_argument("--iterations", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--mem-images", type=Path)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--no-cls", action="store_true", help="orientation classifier off (the parity run)")
    args = ap.parse_args()

    ocr = args.models / "ocr"
    params = {
        "Det.model_path": str(ocr / "PP-OCRv6_det_small.onnx"),
        "Cls.model_path": str(ocr / "ch_ppocr_mobile_v2.0_cls_mobile.onnx"),
        "Rec.model_path": str(ocr / "PP-OCRv6_rec_small.onnx"),
        "EngineConfig.onnxruntime.intra_op_num_threads": args.threads,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        "Global.log_level": "error",
        "Global.use_cls": not args.no_cls,
    }
    rss = {"start": RSS_START, "after_import": rss_mib()[0]}
    t0 = time.perf_counter()
    engine = RapidOCR(params=params)
    pages = [(p.name, load_bgr(p)) for p in image_files(args.pages)]
    # RapidOCR builds its sessions on first use: the first call loads them.
    run(engine, pages[0][1])
    load_ms = (time.perf_counter() - t0) * 1000.0
    rss["after_load"] = rss_mib()[0]
    for _, img in pages:
        run(engine, img)
    rss["after_warmup"] = rss_mib()[0]

    latencies, stages, texts = [], [0.0, 0.0, 0.0], {}
    started = time.perf_counter()
    for _ in range(max(args.iterations, 1)):
        for name, img in pages:
            text, ms, elapse = run(engine, img)
            latencies.append(ms)
            stages = [a + b for a, b in zip(stages, elapse)]
            texts[name] = text
    wall = time.perf_counter() - started
    rss["after_timed"] = rss_mib()[0]
    n = len(latencies)
    latencies.sort()
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    print(
        f"rapidocr  threads={args.threads} pages={len(pages)} x{args.iterations}: p50 {p50:.1f} ms, "
        f"p95 {p95:.1f} ms, {n / wall:.3f} pages/s "
        f"(det {stages[0] / n:.1f} / cls {stages[1] / n:.1f} / rec {stages[2] / n:.1f} ms per page)"
    )

    memory_run = None
    if args.mem_images:
        files = image_files(args.mem_images)
        samples, mem_texts = [[0, rss_mib()[0]]], {}
        t_mem = time.perf_counter()
        for i, f in enumerate(files):
            text, _, _ = run(engine, load_bgr(f))
            mem_texts[f.name] = text
            if (i + 1) % 100 == 0 or i + 1 == len(files):
                now = rss_mib()[0]
                samples.append([i + 1, now])
                print(f"  memory run: {i + 1:>5} images, RSS {now:.1f} MiB", file=sys.stderr)
        secs = time.perf_counter() - t_mem
        end, hwm = rss_mib()
        print(
            f"rapidocr  memory run: {len(files)} images in {secs:.1f} s, RSS {rss['after_timed']:.1f} → "
            f"{end:.1f} MiB (peak {hwm:.1f})"
        )
        memory_run = {"images": len(files), "seconds": secs, "rss_samples_mib": samples, "rss_end_mib": end,
                      "texts": mem_texts}
    hwm = rss_mib()[1]
    print(
        f"rapidocr  RSS MiB: start {rss['start']:.1f}, imported {rss['after_import']:.1f}, "
        f"loaded {rss['after_load']:.1f}, warmed {rss['after_warmup']:.1f}, after timed {rss['after_timed']:.1f}, "
        f"peak {hwm:.1f}"
    )
    result = {
        "engine": "rapidocr",
        "threads": args.threads,
        "iterations": args.iterations,
        "load_ms": load_ms,
        "latency_ms": {"p50": p50, "p95": p95, "mean": sum(latencies) / n, "min": latencies[0],
                       "max": latencies[-1]},
        "pages_per_s": n / wall,
        "stage_ms_mean": {"det": stages[0] / n, "cls": stages[1] / n, "rec": stages[2] / n},
        "rss_mib": dict(rss, peak=hwm),
        "pages": texts,
        "memory_run": memory_run,
    }
    if args.out:
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
