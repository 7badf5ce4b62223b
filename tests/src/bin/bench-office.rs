//! Benchmark (not a test): Office → PDF with the warm, resident LibreOffice
//! pool against a cold `soffice --headless --convert-to pdf` per document.
//!
//!   cargo run --release -p meeteasy-tests --bin bench-office -- [RUNS] [SLOTS]
//!
//! For a 1-page and a 20-page docx (made by the test fixtures, English and
//! Chinese text) it prints, for each mode: per-document latency p50/p95
//! over RUNS sequential conversions (default 10), and documents per minute
//! with SLOTS (default 2) conversions in flight. Cold runs give every
//! process its own fresh profile, as a naive worker would; "cold, warm
//! profile" reuses one profile per lane (only the process start is paid).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use meeteasy_pipelines::office::{OfficePool, OfficeSettings};
use meeteasy_tests::documents as fx;

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn summary(label: &str, mut ms: Vec<f64>) -> f64 {
    ms.sort_by(f64::total_cmp);
    let (p50, p95) = (pct(&ms, 0.5), pct(&ms, 0.95));
    println!("  {label:<28} p50 {p50:>7.0} ms   p95 {p95:>7.0} ms   (n={})", ms.len());
    p50
}

fn pages(n: usize) -> Vec<String> {
    (1..=n)
        .map(|i| {
            format!("第{i}页 会议日程 Page {i} of the conference agenda.\nSessions, rooms and speakers for day {i}.")
        })
        .collect()
}

/// One cold conversion: a new soffice process (and, unless `profile` is
/// given, a new profile) for one document.
fn cold(input: &Path, out_dir: &Path, profile: &Path) -> Duration {
    let started = Instant::now();
    let status = std::process::Command::new("soffice")
        .arg(format!("-env:UserInstallation=file://{}", profile.display()))
        .args(["--headless", "--norestore", "--convert-to", "pdf", "--outdir"])
        .arg(out_dir)
        .arg(input)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("soffice: {e}"));
    assert!(status.success(), "cold conversion failed");
    started.elapsed()
}

async fn warm_latency(pool: &Arc<OfficePool>, doc: &[u8], runs: usize) -> Vec<f64> {
    let mut ms = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let pdf = pool.convert(doc, "docx", None).await.unwrap_or_else(|e| panic!("warm: {e}"));
        assert!(pdf.starts_with(b"%PDF"));
        ms.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    ms
}

async fn warm_throughput(pool: &Arc<OfficePool>, doc: &[u8], lanes: usize, per_lane: usize) -> f64 {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..lanes {
        let (pool, doc) = (pool.clone(), doc.to_vec());
        tasks.push(tokio::spawn(async move {
            for _ in 0..per_lane {
                pool.convert(&doc, "docx", None).await.unwrap_or_else(|e| panic!("warm: {e}"));
            }
        }));
    }
    for t in tasks {
        t.await.unwrap_or_else(|e| panic!("{e}"));
    }
    (lanes * per_lane) as f64 / started.elapsed().as_secs_f64() * 60.0
}

fn cold_throughput(input: &Path, work: &Path, lanes: usize, per_lane: usize) -> f64 {
    let started = Instant::now();
    std::thread::scope(|s| {
        for lane in 0..lanes {
            s.spawn(move || {
                for i in 0..per_lane {
                    let dir = work.join(format!("tp-{lane}-{i}"));
                    cold(input, &dir, &dir.join("profile"));
                }
            });
        }
    });
    (lanes * per_lane) as f64 / started.elapsed().as_secs_f64() * 60.0
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10);
    let slots: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2);
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let settings = OfficeSettings { slots, ..OfficeSettings::default() };
    let started = Instant::now();
    let pool = OfficePool::start(settings).await.unwrap_or_else(|e| panic!("pool: {e}"));
    println!("warm pool of {slots} slots started in {:.1} s", started.elapsed().as_secs_f64());

    for n in [1usize, 20] {
        let texts = pages(n);
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let doc = fx::docx(&refs);
        let input: PathBuf = work.path().join(format!("doc{n}.docx"));
        std::fs::write(&input, &doc).unwrap_or_else(|e| panic!("{e}"));
        println!("\n{n}-page docx ({} bytes)", doc.len());

        pool.convert(&doc, "docx", None).await.unwrap_or_else(|e| panic!("warm-up: {e}"));
        let warm = summary("warm pool", warm_latency(&pool, &doc, runs).await);
        let cold_runs = runs.min(5);
        let fresh: Vec<f64> = (0..cold_runs)
            .map(|i| {
                let dir = work.path().join(format!("cold-{n}-{i}"));
                cold(&input, &dir, &dir.join("profile")).as_secs_f64() * 1000.0
            })
            .collect();
        let cold_p50 = summary("cold, fresh profile", fresh);
        let shared = work.path().join(format!("shared-{n}"));
        cold(&input, &shared, &shared.join("profile"));
        let reused: Vec<f64> =
            (0..cold_runs).map(|_| cold(&input, &shared, &shared.join("profile")).as_secs_f64() * 1000.0).collect();
        let reused_p50 = summary("cold, warm profile", reused);
        println!("  speed-up p50: {:.1}x vs fresh, {:.1}x vs warm profile", cold_p50 / warm, reused_p50 / warm);
        let per_lane = runs.div_ceil(slots).max(2);
        let w = warm_throughput(&pool, &doc, slots, per_lane).await;
        let c = cold_throughput(&input, work.path(), slots, per_lane.min(3));
        println!("  documents/minute with {slots} in flight: warm {w:.0}, cold {c:.0}");
    }
    pool.shutdown().await;
}
