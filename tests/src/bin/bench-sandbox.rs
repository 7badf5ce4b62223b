//! What the parser sandbox costs per call: the same ops run through a
//! child process (`meeteasy __sandbox`) and in-process, alternated in one
//! run so both see the same machine. Not a test; prints medians.
//!
//!   cargo build --release -p meeteasy-api --bin meeteasy
//!   cargo run --release -p meeteasy-tests --bin bench-sandbox -- [ROUNDS]

use std::time::{Duration, Instant};

use meeteasy_jobs::sandbox::{Op, PdfCaps, Sandbox, SandboxSettings};
use meeteasy_pipelines::pdf::PdfLimits;

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v.get(v.len() / 2).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let rounds: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(30);
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let clip = meeteasy_tests::speech::speak(
        dir.path(),
        "clip.wav",
        "please register me for the keynote session tomorrow morning",
        &["-r", "44100", "-c", "2"],
    );
    let audio = std::fs::read(&clip).unwrap_or_else(|e| panic!("{e}"));
    let pdf = meeteasy_tests::documents::pdf_text(&["one page of text", "and a second page"]);
    let child = Sandbox::new(&SandboxSettings::default());
    assert!(child.isolated(), "no `meeteasy` binary beside this one: build it first");
    let inproc = Sandbox::new(&SandboxSettings { isolate: false, ..SandboxSettings::default() });
    let caps = PdfCaps::from(&PdfLimits::default());
    let ops: [(&str, Op, &Vec<u8>); 2] = [
        ("decode_audio (3 s, 44.1 kHz stereo wav)", Op::DecodeAudio { max_duration_ms: 120_000 }, &audio),
        ("pdf_inspect (2 pages)", Op::PdfInspect { limits: caps }, &pdf),
    ];
    println!(
        "{rounds} rounds each, medians; machine: {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    for (name, op, input) in ops {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            let t = Instant::now();
            child.run(op.clone(), vec![input.clone()]).await.unwrap_or_else(|e| panic!("{e}"));
            a.push(t.elapsed());
            let t = Instant::now();
            inproc.run(op.clone(), vec![input.clone()]).await.unwrap_or_else(|e| panic!("{e}"));
            b.push(t.elapsed());
        }
        let (ca, cb) = (median(a), median(b));
        println!("{name}: child {ca:.2} ms, in-process {cb:.2} ms, overhead {:.2} ms", ca - cb);
    }
}
