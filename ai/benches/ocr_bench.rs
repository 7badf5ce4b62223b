//! OCR throughput, latency and memory (a benchmark, not a test).
//!
//! Why a plain binary (`harness = false`): the figures must line up one-to-one
//! with `tools/ocr-bench/rapidocr_bench.py`, which measures RapidOCR the same
//! way on the same images, models and ONNX Runtime; `scripts/bench-ocr.sh`
//! runs both and compares them. Decoding is outside the timed region on both
//! sides: each page is decoded once up front and only recognition is timed.
//!
//! ```text
//! cargo bench -p meeteasy-ai --bench ocr_bench -- \
//!     --models DIR --pages DIR [--iterations 5] [--threads 2] \
//!     [--mem-images DIR] [--no-cls] [--out result.json]
//! ```
//!
//! Phases: load the engine; warm up (each page once); time `iterations`
//! passes over the pages (per-page latency p50/p95, pages/s, stage split);
//! then recognize every image of `--mem-images` once (1,000 of varying sizes in
//! the script), sampling RSS every 100 images. RSS and its peak (VmHWM) are read
//! from `/proc/self/status`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use image::DynamicImage;
use meeteasy_ai::ModelInventory;
use meeteasy_ai::ocr::{ImageLimits, ModelPaths, OcrEngine, OcrOptions, OcrTimings, decode_image};
use serde_json::{Value, json};

struct Args {
    models: PathBuf,
    pages: PathBuf,
    iterations: usize,
    threads: usize,
    mem_images: Option<PathBuf>,
    out: Option<PathBuf>,
    rss_every: usize,
    /// `--no-cls`: orientation classifier off (the parity run).
    no_cls: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut models = std::env::var_os("MEETEASY_MODELS_DIR").map(PathBuf::from);
    let (mut pages, mut mem_images, mut out) = (None, None, None);
    let (mut iterations, mut threads, mut rss_every) = (5usize, 2usize, 100usize);
    let mut no_cls = false;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut val = || it.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--models" => models = Some(val()?.into()),
            "--pages" => pages = Some(val()?.into()),
            "--mem-images" => mem_images = Some(val()?.into()),
            "--out" => out = Some(val()?.into()),
            "--iterations" => iterations = val()?.parse().map_err(|e| format!("--iterations: {e}"))?,
            "--threads" => threads = val()?.parse().map_err(|e| format!("--threads: {e}"))?,
            "--rss-every" => rss_every = val()?.parse().map_err(|e| format!("--rss-every: {e}"))?,
            "--no-cls" => no_cls = true,
            // `cargo bench` appends this to every bench target's arguments.
            "--bench" => {}
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(Args {
        models: models.ok_or("--models (or MEETEASY_MODELS_DIR) is required")?,
        pages: pages.ok_or("--pages is required")?,
        iterations: iterations.max(1),
        threads: threads.max(1),
        mem_images,
        out,
        rss_every: rss_every.max(1),
        no_cls,
    })
}

/// `VmRSS` and `VmHWM` in MiB.
fn rss_mib() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn image_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let rd = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "png" || x == "jpg" || x == "jpeg"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("no images in {}", dir.display()));
    }
    Ok(files)
}

fn load(path: &Path) -> Result<DynamicImage, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(decode_image(&bytes, &ImageLimits::default()).map_err(|e| format!("{}: {e}", path.display()))?.image)
}

fn name_of(p: &Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

fn run(engine: &OcrEngine, img: &DynamicImage) -> Result<(String, OcrTimings), String> {
    let (lines, t) = engine.recognize_timed(img).map_err(|e| e.to_string())?;
    Ok((lines.iter().map(|l| l.text.as_str()).collect::<Vec<_>>().join("\n"), t))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    // Nearest rank; rapidocr_bench.py uses the same rule.
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn main() {
    if let Err(e) = bench() {
        eprintln!("ocr_bench: {e}");
        std::process::exit(2);
    }
}

fn bench() -> Result<(), String> {
    let args = parse_args()?;
    let mut rss = BTreeMap::new();
    rss.insert("start", rss_mib().0);

    let paths = ModelPaths::from_inventory(&ModelInventory::new(&args.models)).map_err(|e| e.to_string())?;
    let t0 = Instant::now();
    let opts = OcrOptions { use_cls: !args.no_cls, ..OcrOptions::default() };
    let engine = OcrEngine::with_options(paths, args.threads, opts).map_err(|e| e.to_string())?;
    let load_ms = t0.elapsed().as_secs_f64() * 1000.0;
    rss.insert("after_load", rss_mib().0);

    let page_files = image_files(&args.pages)?;
    let pages: Vec<(String, DynamicImage)> =
        page_files.iter().map(|p| Ok((name_of(p), load(p)?))).collect::<Result<_, String>>()?;
    for (_, img) in &pages {
        run(&engine, img)?;
    }
    rss.insert("after_warmup", rss_mib().0);

    let mut latencies = Vec::with_capacity(args.iterations * pages.len());
    let mut sum = OcrTimings::default();
    let mut texts = BTreeMap::new();
    let timed = Instant::now();
    for _ in 0..args.iterations {
        for (name, img) in &pages {
            let (text, t) = run(&engine, img)?;
            latencies.push(t.total_ms);
            sum.det_ms += t.det_ms;
            sum.crop_ms += t.crop_ms;
            sum.cls_ms += t.cls_ms;
            sum.rec_ms += t.rec_ms;
            sum.infer_ms += t.infer_ms;
            sum.rec_lines += t.rec_lines;
            sum.rec_width_px += t.rec_width_px;
            texts.insert(name.clone(), text);
        }
    }
    let wall_s = timed.elapsed().as_secs_f64();
    rss.insert("after_timed", rss_mib().0);
    let n = latencies.len() as f64;
    latencies.sort_by(f64::total_cmp);
    let (p50, p95) = (percentile(&latencies, 50.0), percentile(&latencies, 95.0));
    let pages_per_s = n / wall_s;
    println!(
        "meeteasy  threads={} pages={} x{}: p50 {p50:.1} ms, p95 {p95:.1} ms, {pages_per_s:.3} pages/s \
         (det {:.1} / crop {:.1} / cls {:.1} / rec {:.1} ms per page; of it {:.1} ms inference; \
         {:.1} lines, {:.0} px recognizer width per page)",
        args.threads,
        pages.len(),
        args.iterations,
        sum.det_ms / n,
        sum.crop_ms / n,
        sum.cls_ms / n,
        sum.rec_ms / n,
        sum.infer_ms / n,
        sum.rec_lines as f64 / n,
        sum.rec_width_px as f64 / n
    );

    let mut mem = Value::Null;
    if let Some(dir) = &args.mem_images {
        let files = image_files(dir)?;
        let mut samples = vec![json!([0, rss_mib().0])];
        let mut mem_texts = BTreeMap::new();
        let started = Instant::now();
        for (i, f) in files.iter().enumerate() {
            let (text, _) = run(&engine, &load(f)?)?;
            mem_texts.insert(name_of(f), text);
            if (i + 1) % args.rss_every == 0 || i + 1 == files.len() {
                let (now, _) = rss_mib();
                samples.push(json!([i + 1, now]));
                eprintln!("  memory run: {:>5} images, RSS {now:.1} MiB", i + 1);
            }
        }
        let secs = started.elapsed().as_secs_f64();
        let (end, hwm) = rss_mib();
        println!(
            "meeteasy  memory run: {} images in {secs:.1} s, RSS {:.1} → {end:.1} MiB (peak {hwm:.1})",
            files.len(),
            rss["after_timed"]
        );
        mem = json!({ "images": files.len(), "seconds": secs, "rss_samples_mib": samples,
                      "rss_end_mib": end, "texts": mem_texts });
    }
    let (_, hwm) = rss_mib();
    println!(
        "meeteasy  RSS MiB: start {:.1}, loaded {:.1}, warmed {:.1}, after timed {:.1}, peak {hwm:.1}",
        rss["start"], rss["after_load"], rss["after_warmup"], rss["after_timed"]
    );

    let result = json!({
        "engine": "meeteasy",
        "threads": args.threads,
        "iterations": args.iterations,
        "load_ms": load_ms,
        "latency_ms": { "p50": p50, "p95": p95, "mean": latencies.iter().sum::<f64>() / n,
                        "min": latencies.first(), "max": latencies.last() },
        "pages_per_s": pages_per_s,
        "stage_ms_mean": { "det": sum.det_ms / n, "crop": sum.crop_ms / n, "cls": sum.cls_ms / n, "rec": sum.rec_ms / n,
                           "inference": sum.infer_ms / n },
        "rec_lines_per_page": sum.rec_lines as f64 / n,
        "rec_width_px_per_page": sum.rec_width_px as f64 / n,
        "rss_mib": { "start": rss["start"], "after_load": rss["after_load"], "after_warmup": rss["after_warmup"],
                     "after_timed": rss["after_timed"], "peak": hwm },
        "pages": texts,
        "memory_run": mem,
    });
    if let Some(out) = &args.out {
        let body = serde_json::to_string_pretty(&result).map_err(|e| e.to_string())?;
        std::fs::write(out, body).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    Ok(())
}
