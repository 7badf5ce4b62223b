//! Benchmark (not a test): voice-input latency, `POST /v1/transcriptions?wait=10`
//! → transcript, for ~3 s, ~5 s and ~10 s clips.
//!
//!   scripts/bench-voice.sh            (release build, both set-ups)
//!   bench-voice embedded|scaled [RUNS]
//!
//! `embedded`: one process (API + both pools, SQLite). `scaled`: in-process
//! API on Redis + MongoDB wire server, and a separate `meeteasy worker --pool
//! ai` process (binary from MEETEASY_BIN). Prints p50/p95 of the wall time,
//! the real-time factor (inference time / audio duration), where the time
//! goes (decode, inference, the rest = upload, queue pickup, store writes)
//! and the peak RSS of the process that runs the model.

use std::time::{Duration, Instant};

use meeteasy_models::Pool;
use meeteasy_models::auth::Role;
use meeteasy_tests::procs::Proc;
use meeteasy_tests::speech::speak;
use meeteasy_tests::{Backend, TestApp};

const CLIPS: [(&str, &str); 3] = [
    ("3s", "please send the report by friday"),
    ("5s", "please send the quarterly report to the whole team before friday afternoon"),
    (
        "10s",
        "please send the quarterly report to the whole team before friday afternoon and remember to book the large room for the keynote rehearsal on monday morning",
    ),
];

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(((v.len().max(1) - 1) as f64 * p).round() as usize).copied().unwrap_or(f64::NAN)
}

fn peak_rss_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let backend = if args.get(1).map(String::as_str) == Some("scaled") { Backend::Scaled } else { Backend::Embedded };
    let runs: usize = args.get(2).and_then(|v| v.parse().ok()).unwrap_or(10);
    let quiet = |s: &mut meeteasy_api::config::Settings| s.log_level = "warn".into();
    let (app, worker) = match backend {
        Backend::Embedded => (TestApp::spawn_pools(backend, &[Pool::Cpu, Pool::Ai], quiet).await, None),
        Backend::Scaled => {
            let app = TestApp::spawn_pools(backend, &[Pool::Cpu], quiet).await;
            let mut env = app.process_env();
            env.push(("MEETEASY_MODELS_DIR", std::env::var("MEETEASY_MODELS_DIR").unwrap_or_default()));
            let worker = Proc::spawn(&["worker", "--pool", "ai", "--listen", "127.0.0.1:0"], &env);
            tokio::time::sleep(Duration::from_secs(2)).await; // model load
            (app, Some(worker))
        }
    };
    let rss_pid = worker.as_ref().map_or(std::process::id(), |w| w.child.id());
    let token = app.token("bench", Role::Attendee);
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    println!("backend: {backend:?} ({} runs per clip, after 1 warm-up)", runs);
    for (name, text) in CLIPS {
        let clip = speak(dir.path(), &format!("{name}.wav"), text, &["-r", "16000", "-c", "1", "-b", "16"]);
        let bytes = std::fs::read(&clip).unwrap_or_default();
        let (mut wall, mut decode, mut infer, mut rest, mut rtf) = (vec![], vec![], vec![], vec![], vec![]);
        let mut audio_s = 0.0;
        for i in 0..=runs {
            let form = reqwest::multipart::Form::new()
                .part("file", reqwest::multipart::Part::bytes(bytes.clone()).file_name("clip.wav"));
            let start = Instant::now();
            let resp =
                app.client.post(app.url("/v1/transcriptions?wait=10")).bearer_auth(&token).multipart(form).send().await;
            let job: serde_json::Value = match resp {
                Ok(r) => r.json().await.unwrap_or_default(),
                Err(e) => panic!("{e}"),
            };
            let ms = start.elapsed().as_secs_f64() * 1000.0;
            if i == 0 {
                continue;
            }
            let r = &job["result"];
            let (d, t) =
                (r["timings"]["decode_ms"].as_f64().unwrap_or(0.0), r["timings"]["total_ms"].as_f64().unwrap_or(0.0));
            audio_s = r["duration"].as_f64().unwrap_or(0.0);
            wall.push(ms);
            decode.push(d);
            infer.push(t);
            rest.push(ms - d - t);
            rtf.push(t / 1000.0 / audio_s.max(0.001));
        }
        println!(
            "{name} clip ({audio_s:.1} s): wall p50 {:.0} ms, p95 {:.0} ms | decode p50 {:.1} ms, inference p50 {:.0} ms, rest (upload+queue+store) p50 {:.0} ms | RTF p50 {:.2}",
            pct(&mut wall, 0.5),
            pct(&mut wall, 0.95),
            pct(&mut decode, 0.5),
            pct(&mut infer, 0.5),
            pct(&mut rest, 0.5),
            pct(&mut rtf, 0.5),
        );
    }
    println!("peak RSS of the model process: {:.0} MiB", peak_rss_mib(rss_pid));
}
