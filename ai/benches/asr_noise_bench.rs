//! Speech in noise: word error rate per condition and voice-input latency,
//! with the noise-robustness stages off and on (a benchmark, not a test: it
//! prints figures and asserts nothing).
//!
//! Why a plain binary (`harness = false`): the output is the table of issue
//! 16 — mean WER over five sentences per noise and SNR — for several
//! configurations side by side, plus the p50/p95 latency of a 5 s clean clip,
//! which a test harness can neither print nor time fairly.
//!
//! ```text
//! ai/tests/fixtures/asr_noisy/generate.sh /tmp/asr-noisy --all
//! cargo bench -p meeteasy-ai --bench asr_noise_bench -- \
//!     --models DIR --fixtures /tmp/asr-noisy [--runs 10] [--threads 1] \
//!     [--model ggml-base.bin --language en] [--configs off,guards,vad,default] [--verbose]
//! ```
//!
//! Configurations: `off` (Whisper alone, as before issue 16), `guards`
//! (hallucination guards only), `vad` (voice gate + guards, no denoiser),
//! `denoise` (denoiser + guards, no gate), `default` (everything, the shipped
//! defaults). For the `noise-*` clips (no speech at all) the table gives the
//! number of words output instead of a WER. "invented" is the share of output
//! words that appear nowhere in the reference: high for a fluent wrong
//! sentence, low for a partial right one.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use meeteasy_ai::ModelInventory;
use meeteasy_ai::asr::{AsrModel, NoiseRobustness, TranscribeOptions, decode_audio, word_error_rate};

const CONDITIONS: [&str; 15] = [
    "clean",
    "babble15",
    "babble10",
    "babble5",
    "babble0",
    "pink15",
    "pink10",
    "pink5",
    "pink0",
    "white15",
    "white10",
    "white5",
    "white0",
    "noise-white",
    "noise-pink",
];

struct Args {
    models: PathBuf,
    /// A ggml file instead of the models folder's tiny.en.
    model_file: Option<PathBuf>,
    fixtures: PathBuf,
    runs: usize,
    threads: usize,
    configs: Vec<String>,
    /// Forced language (multilingual models detect it otherwise).
    language: Option<String>,
    verbose: bool,
}

fn args() -> Args {
    let mut a = Args {
        models: std::env::var_os("MEETEASY_MODELS_DIR").map(PathBuf::from).unwrap_or_default(),
        model_file: None,
        fixtures: PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/asr_noisy")),
        runs: 10,
        threads: 1,
        configs: ["off", "guards", "vad", "denoise", "default"].map(String::from).to_vec(),
        language: None,
        verbose: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--models" => a.models = value().into(),
            "--model" => a.model_file = Some(value().into()),
            "--fixtures" => a.fixtures = value().into(),
            "--runs" => a.runs = value().parse().expect("--runs N"),
            "--threads" => a.threads = value().parse().expect("--threads N"),
            "--configs" => a.configs = value().split(',').map(String::from).collect(),
            "--language" => a.language = Some(value()),
            "--verbose" => a.verbose = true,
            "--bench" => {} // added by `cargo bench`
            other => panic!("unknown argument {other}"),
        }
    }
    a
}

fn config(name: &str) -> NoiseRobustness {
    let off = NoiseRobustness::off();
    let on = NoiseRobustness::default();
    let guards = NoiseRobustness {
        logprob_threshold: on.logprob_threshold,
        compression_ratio_threshold: on.compression_ratio_threshold,
        max_words_per_second: on.max_words_per_second,
        ..off.clone()
    };
    match name {
        "off" => off,
        "guards" => guards,
        "vad" => NoiseRobustness { vad: true, ..guards },
        "denoise" => NoiseRobustness { denoise: true, ..guards },
        "default" => on,
        // Experiments: NAME+knob+knob…, e.g. vad+beam5, default+mix50, vad+ctx1500.
        other if other.contains('+') => {
            let mut parts = other.split('+');
            let mut c = config(parts.next().unwrap_or("default"));
            for knob in parts {
                if let Some(n) = knob.strip_prefix("beam") {
                    c.beam_size = n.parse().expect("beamN");
                } else if let Some(n) = knob.strip_prefix("mix") {
                    c.denoise = true;
                    c.denoise_mix = n.parse::<f32>().expect("mixNN") / 100.0;
                } else if let Some(n) = knob.strip_prefix("hp") {
                    c.highpass_hz = n.parse().expect("hpHZ");
                } else if let Some(n) = knob.strip_prefix("pad") {
                    c.vad_padding_ms = n.parse().expect("padMS");
                } else if let Some(n) = knob.strip_prefix("thr") {
                    c.vad_threshold = n.parse::<f32>().expect("thrNN") / 100.0;
                } else if knob == "fallback" {
                    c.temperature_fallback = true;
                } else if knob == "nodenoise" {
                    c.denoise = false;
                } else if !knob.starts_with("ctx") {
                    panic!("unknown knob {knob}");
                }
            }
            c
        }
        other => panic!("unknown config {other}"),
    }
}

/// A `+ctxN` knob forces the encoder window.
fn opts_for(config: &str, base: &TranscribeOptions) -> TranscribeOptions {
    let ctx = config.split('+').find_map(|k| k.strip_prefix("ctx")).map(|n| n.parse().expect("ctxN"));
    TranscribeOptions { audio_ctx: ctx.or(base.audio_ctx), ..base.clone() }
}

fn read_audio(path: &Path) -> Option<Vec<f32>> {
    let bytes = std::fs::read(path).ok()?;
    Some(decode_audio(&bytes, Duration::from_secs(60)).unwrap_or_else(|e| panic!("{}: {e}", path.display())).samples)
}

fn words(s: &str) -> Vec<String> {
    s.to_lowercase()
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or(f64::NAN)
}

fn main() {
    let a = args();
    let model = match &a.model_file {
        Some(f) => AsrModel::load(f),
        None => AsrModel::from_inventory(&ModelInventory::new(&a.models)),
    }
    .unwrap_or_else(|e| panic!("{e}"));
    let mut slot = model.slot().unwrap_or_else(|e| panic!("{e}"));
    let refs: Vec<String> = std::fs::read_to_string(a.fixtures.join("sentences.txt"))
        .unwrap_or_else(|e| panic!("{}/sentences.txt: {e}", a.fixtures.display()))
        .lines()
        .map(String::from)
        .collect();
    let opts = TranscribeOptions { threads: a.threads, language: a.language.clone(), ..TranscribeOptions::default() };
    println!("model {} · {} thread(s) · fixtures {}", model.path().display(), a.threads, a.fixtures.display());

    // WER table: one row per condition, one column pair per configuration.
    print!("\n| condition |");
    for c in &a.configs {
        print!(" {c} WER (worst) | {c} invented |");
    }
    println!();
    println!("|---|{}", "---|---|".repeat(a.configs.len()));
    for cond in CONDITIONS {
        let clips: Vec<(Option<&String>, Vec<f32>)> = if cond.starts_with("noise-") {
            read_audio(&a.fixtures.join(format!("{cond}.flac"))).map(|s| (None, s)).into_iter().collect()
        } else {
            (1..=refs.len())
                .filter_map(|n| read_audio(&a.fixtures.join(format!("{cond}-{n}.flac"))).map(|s| (refs.get(n - 1), s)))
                .collect()
        };
        if clips.is_empty() {
            continue;
        }
        print!("| {cond} |");
        for c in &a.configs {
            slot.set_noise_robustness(config(c)).unwrap_or_else(|e| panic!("{e}"));
            let opts = opts_for(c, &opts);
            let (mut wers, mut invented, mut out_words) = (Vec::new(), 0usize, 0usize);
            for (reference, samples) in &clips {
                let t = slot.transcribe(samples, &opts).unwrap_or_else(|e| panic!("{cond}: {e}"));
                let hyp = words(&t.text);
                out_words += hyp.len();
                if let Some(r) = reference {
                    let vocab: BTreeSet<String> = words(r).into_iter().collect();
                    invented += hyp.iter().filter(|w| !vocab.contains(*w)).count();
                    wers.push(word_error_rate(r, &t.text));
                }
                if a.verbose {
                    let kept: Vec<_> = t
                        .segments
                        .iter()
                        .map(|s| {
                            format!("{:?} ns={:.2} lp={:.2}", s.text, s.scores.no_speech_prob, s.scores.avg_logprob)
                        })
                        .collect();
                    let gone: Vec<_> = t
                        .dropped
                        .iter()
                        .map(|d| {
                            format!(
                                "{:?} {:?} ns={:.2} lp={:.2}",
                                d.text, d.reason, d.scores.no_speech_prob, d.scores.avg_logprob
                            )
                        })
                        .collect();
                    eprintln!("{cond} [{c}] kept {kept:?} dropped {gone:?}");
                }
            }
            let inv = if out_words == 0 { 0.0 } else { invented as f64 / out_words as f64 };
            if wers.is_empty() {
                print!(" {out_words} words | – |");
            } else {
                let mean = wers.iter().sum::<f64>() / wers.len() as f64;
                let worst = wers.iter().copied().fold(0.0, f64::max);
                print!(" {mean:.3} ({worst:.2}) | {inv:.2} |");
            }
        }
        println!();
    }

    // Latency: the first clean sentence padded with silence to exactly 5 s.
    let Some(mut clip) = read_audio(&a.fixtures.join("clean-1.flac")) else {
        println!("\nno clean-1.flac: latency skipped");
        return;
    };
    let five_s: usize = 5 * 16_000;
    let lead = five_s.saturating_sub(clip.len()) / 2;
    clip.splice(0..0, std::iter::repeat_n(0.0, lead));
    clip.resize(five_s, 0.0);
    println!("\nlatency of a 5 s clean clip (transcribe call, {} runs after 1 warm-up):", a.runs);
    println!("| config | p50 ms | p95 ms | front end p50 ms | audio to Whisper s |");
    println!("|---|---|---|---|---|");
    for c in &a.configs {
        slot.set_noise_robustness(config(c)).unwrap_or_else(|e| panic!("{e}"));
        let opts = opts_for(c, &opts);
        let _ = slot.transcribe(&clip, &opts);
        let (mut total, mut front, mut speech_s) = (Vec::new(), Vec::new(), 0.0);
        for _ in 0..a.runs.max(1) {
            let started = Instant::now();
            let t = slot.transcribe(&clip, &opts).unwrap_or_else(|e| panic!("latency: {e}"));
            total.push(started.elapsed().as_secs_f64() * 1e3);
            front.push(t.timings.frontend_ms);
            speech_s = t.timings.speech_s;
        }
        total.sort_by(f64::total_cmp);
        front.sort_by(f64::total_cmp);
        println!(
            "| {c} | {:.0} | {:.0} | {:.1} | {speech_s:.2} |",
            percentile(&total, 0.5),
            percentile(&total, 0.95),
            percentile(&front, 0.5)
        );
    }
}
