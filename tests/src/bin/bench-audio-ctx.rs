//! Benchmark (not a test): the reduced Whisper encoder window for short
//! clips, straight on the engine (no API).
//!
//!   MEETEASY_MODELS_DIR=… cargo run --release -p meeteasy-tests --bin bench-audio-ctx
//!
//! Transcribes a ~5 s espeak-ng clip with the full window (1500) and with
//! `auto_audio_ctx`, at 1 and 2 threads, 3 runs each, printing times and text.

use std::time::{Duration, Instant};

use meeteasy_ai::ModelInventory;
use meeteasy_ai::asr::{AsrModel, TranscribeOptions, auto_audio_ctx, decode_audio};
use meeteasy_tests::speech::speak;

fn main() {
    let dir = std::env::var("MEETEASY_MODELS_DIR").unwrap_or_else(|_| "models-data".into());
    let model = AsrModel::from_inventory(&ModelInventory::new(dir)).unwrap_or_else(|e| panic!("{e}"));
    let mut slot = model.slot().unwrap_or_else(|e| panic!("{e}"));
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let text = "please send the quarterly report to the whole team before friday afternoon";
    let clip = speak(tmp.path(), "clip.wav", text, &["-r", "16000", "-c", "1", "-b", "16"]);
    let audio = decode_audio(&std::fs::read(clip).unwrap_or_default(), Duration::from_secs(60))
        .unwrap_or_else(|e| panic!("{e}"));
    let secs = audio.samples.len() as f32 / 16_000.0;
    let auto = auto_audio_ctx(secs);
    println!("clip: {secs:.2} s; automatic audio_ctx = {auto}");
    for threads in [1, 2] {
        for ctx in [1500, auto] {
            let opts = TranscribeOptions { threads, audio_ctx: Some(ctx), ..TranscribeOptions::default() };
            let mut ms = Vec::new();
            let mut out = String::new();
            for _ in 0..3 {
                let started = Instant::now();
                let t = slot.transcribe(&audio.samples, &opts).unwrap_or_else(|e| panic!("{e}"));
                ms.push(started.elapsed().as_millis());
                out = t.text;
            }
            println!("threads {threads}, audio_ctx {ctx:>4}: {ms:?} ms | {out}");
        }
    }
}
