#!/usr/bin/env python3
"""Compare the two OCR benchmark results: speed, memory and text agreement.

    python compare.py TRUTH.json --ours MEETEASY.json... --ref RAPIDOCR.json...
                      [--mem-ours MEETEASY-MEM.json --mem-ref RAPIDOCR-MEM.json]

With several timing rounds per engine (scripts/bench-ocr.sh takes turns),
speed figures are the median over the rounds and every round is listed.

Why CER on normalized text: the engines emit lines, and a detector that splits
one printed line into two boxes changes the line structure but not what was
read. Texts are compared with every run of whitespace (line breaks included)
collapsed to one space. CER = edit distance / reference length, summed over
all images of a set (so long pages weigh more than short labels).
"""
import argparse
import json
import re
import statistics


def norm(text):
    return re.sub(r"\s+", " ", text or "").strip()


def edit_distance(a, b):
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def cer(hyp, ref, names):
    """Corpus CER of hyp against ref over names, and how many are identical."""
    errors = chars = same = 0
    for n in names:
        h, r = norm(hyp.get(n, "")), norm(ref.get(n, ""))
        if h == r:
            same += 1
        else:
            errors += edit_distance(h, r)
        chars += len(r)
    return errors / max(chars, 1), same


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def merge(paths):
    """One result from several timing rounds: medians of the speed figures,
    the texts and RSS of the last round, and the per-round pages/s."""
    runs = [load(p) for p in paths]
    last = dict(runs[-1])
    med = statistics.median
    last["latency_ms"] = {k: med(r["latency_ms"][k] for r in runs) for k in ("p50", "p95")}
    last["pages_per_s"] = med(r["pages_per_s"] for r in runs)
    last["rounds"] = [r["pages_per_s"] for r in runs]
    last["stage_ms_mean"] = {k: med(r["stage_ms_mean"].get(k, 0.0) for r in runs) for k in runs[-1]["stage_ms_mean"]}
    return last


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("truth")
    ap.add_argument("--ours", nargs="+", required=True)
    ap.add_argument("--ref", nargs="+", required=True)
    ap.add_argument("--mem-ours")
    ap.add_argument("--mem-ref")
    args = ap.parse_args()
    truth, ours, ref = load(args.truth), merge(args.ours), merge(args.ref)
    if args.mem_ours and args.mem_ref:
        ours["memory_run"] = load(args.mem_ours).get("memory_run")
        ref["memory_run"] = load(args.mem_ref).get("memory_run")
    print()
    print(f"OCR benchmark: {ours['threads']} intra-op threads each, same models and onnxruntime 1.31.1, "
          f"{len(ours['rounds'])} round(s) x {ours['iterations']} pass(es) over {len(ours['pages'])} A4 pages")
    lo, lr = ours["latency_ms"], ref["latency_ms"]
    print(f"{'':24}{'meeteasy':>14}{'rapidocr':>14}")
    print(f"{'A4 page p50 (ms)':24}{lo['p50']:>14.1f}{lr['p50']:>14.1f}")
    print(f"{'A4 page p95 (ms)':24}{lo['p95']:>14.1f}{lr['p95']:>14.1f}")
    print(f"{'pages/s':24}{ours['pages_per_s']:>14.3f}{ref['pages_per_s']:>14.3f}")
    rounds = lambda r: " ".join(f"{v:.3f}" for v in r["rounds"])  # noqa: E731
    print(f"  pages/s by round: meeteasy {rounds(ours)}; rapidocr {rounds(ref)}")
    so, sr = ours["stage_ms_mean"], ref["stage_ms_mean"]
    print(f"{'det / cls / rec (ms)':24}{so['det'] + so.get('crop', 0.0):>6.0f}/{so['cls']:.0f}/{so['rec']:.0f}"
          f"{sr['det']:>7.0f}/{sr['cls']:.0f}/{sr['rec']:.0f}")
    if "inference" in so:
        print(f"{'  of it inference (ms)':24}{so['inference']:>14.0f}")
    ro, rr = ours["rss_mib"], ref["rss_mib"]
    for key, label in [("after_load", "RSS loaded (MiB)"), ("after_warmup", "RSS warmed up (MiB)")]:
        print(f"{label:24}{ro[key]:>14.1f}{rr[key]:>14.1f}")
    mo, mr = ours.get("memory_run"), ref.get("memory_run")
    if mo and mr:
        n = mo["images"]
        print(f"{f'RSS after {n} images':24}{mo['rss_end_mib']:>14.1f}{mr['rss_end_mib']:>14.1f}")
        for label, m in [("meeteasy", mo), ("rapidocr", mr)]:
            samples = m["rss_samples_mib"]
            steps = ", ".join(f"{int(k)}: {v:.0f}" for k, v in samples)
            print(f"  {label} RSS by images done (MiB): {steps}")
            print(f"  {label} memory run: {m['images']} images in {m['seconds']:.1f} s")
    print(f"{'RSS peak (MiB)':24}{ro['peak']:>14.1f}{rr['peak']:>14.1f}")
    print(f"speedup (pages/s): {ours['pages_per_s'] / ref['pages_per_s']:.2f}x, "
          f"(p50): {lr['p50'] / lo['p50']:.2f}x  (goal: >= 1.3x)")

    print()
    sets = [("A4 pages", "pages", ours["pages"], ref["pages"])]
    if mo and mr:
        sets.append((f"{mo['images']} images", "mem", mo["texts"], mr["texts"]))
    for label, key, o_texts, r_texts in sets:
        names = sorted(o_texts)
        c_o, s_o = cer(o_texts, truth[key], names)
        c_r, s_r = cer(r_texts, truth[key], names)
        c_x, s_x = cer(o_texts, r_texts, names)
        print(f"{label}: CER vs ground truth meeteasy {100 * c_o:.2f}% ({s_o}/{len(names)} exact), "
              f"rapidocr {100 * c_r:.2f}% ({s_r}/{len(names)} exact)")
        print(f"{label}: meeteasy vs rapidocr CER {100 * c_x:.2f}%, identical text on {s_x}/{len(names)}")


if __name__ == "__main__":
    main()
