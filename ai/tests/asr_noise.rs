//! Speech in a noisy hall, end to end with the real tiny.en model and the
//! default noise settings ([`NoiseRobustness::default`]).
//!
//! The clips are committed under `tests/fixtures/asr_noisy/` and made by its
//! `generate.sh` (espeak-ng voices mixed by sox with babble, pink and white
//! noise at a given SNR; see the script for how the SNR is measured).
//! They are committed rather than made at test time because espeak-ng's
//! voices change between releases and the WER ceilings below are measured
//! on exactly these bytes.
//!
//! Why it fails instead of skipping when the model is absent: a skipped test
//! reads as green in CI while proving nothing. Fetch the models once with
//! `scripts/fetch-models.sh DIR` and run with `MEETEASY_MODELS_DIR=DIR`.
//!
//! Each ceiling is the value measured with the default settings
//! (`asr_noise_bench`, figures in the comment) plus a margin for whisper.cpp
//! builds that round differently (other CPUs, `GGML_NATIVE`): about two
//! words over the five sentences (one word of a ten-word sentence moves the
//! mean by 0.02).

use std::path::PathBuf;
use std::time::Duration;

use meeteasy_ai::asr::{AsrSlot, NoiseRobustness, TranscribeOptions, Transcript, decode_audio, word_error_rate};

mod common;

use common::whisper_model as model;

fn slot() -> AsrSlot {
    let slot = model().slot().unwrap_or_else(|e| panic!("no whisper state: {e}"));
    assert_eq!(slot.noise_robustness(), &NoiseRobustness::default(), "tests measure the defaults");
    slot
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/asr_noisy").join(name)
}

fn samples(name: &str) -> Vec<f32> {
    let path = fixture(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    decode_audio(&bytes, Duration::from_secs(60)).unwrap_or_else(|e| panic!("{name}: {e}")).samples
}

fn references() -> Vec<String> {
    let path = fixture("sentences.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines().map(str::to_string).collect()
}

fn transcribe(slot: &mut AsrSlot, audio: &[f32]) -> Transcript {
    slot.transcribe(audio, &TranscribeOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn words(s: &str) -> Vec<String> {
    s.to_lowercase()
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Transcribes the five clips of a condition; returns (mean WER, per clip
/// (reference, transcript)).
fn run_condition(condition: &str) -> (f64, Vec<(String, Transcript)>) {
    let mut slot = slot();
    let mut out = Vec::new();
    let mut sum = 0.0;
    for (i, reference) in references().into_iter().enumerate() {
        let t = transcribe(&mut slot, &samples(&format!("{condition}-{}.flac", i + 1)));
        let w = word_error_rate(&reference, &t.text);
        eprintln!("{condition}-{}: WER {w:.3} {:?} (dropped {:?})", i + 1, t.text, t.dropped);
        sum += w;
        out.push((reference, t));
    }
    let mean = sum / out.len().max(1) as f64;
    eprintln!("{condition}: mean WER {mean:.3}");
    (mean, out)
}

fn assert_ceiling(condition: &str, ceiling: f64) -> Vec<(String, Transcript)> {
    let (mean, clips) = run_condition(condition);
    assert!(mean <= ceiling, "{condition}: mean WER {mean:.3} > {ceiling}");
    for (_, t) in &clips {
        for s in &t.segments {
            assert!(0.0 <= s.start && s.start <= s.end && s.end <= t.duration, "{condition}: {s:?}");
        }
    }
    clips
}

#[test]
fn clean_speech_is_not_hurt_by_the_front_end() {
    // Measured 0.018 (one word of 51: "schedule" heard as "manual"; 0.000
    // with everything off). Ceiling: two more words over the five sentences.
    assert_ceiling("clean", 0.06);
}

#[test]
fn babble_at_10_db() {
    // Measured 0.093 (0.153 with everything off). Ceiling: + ~two words.
    assert_ceiling("babble10", 0.14);
}

#[test]
fn pink_noise_at_5_db() {
    // Measured 0.135 (0.179 with everything off; the goal of 0.10 is
    // not reached on these clips, see the benchmark). Ceiling: + ~two words.
    assert_ceiling("pink5", 0.18);
}

/// White noise at 5 dB: the failure was fluent sentences nobody
/// said. The rule: every transcript is empty, or most of its words are words
/// of the reference (a partial or slightly wrong transcript passes, a
/// made-up sentence does not).
#[test]
fn white_noise_at_5_db_invents_no_sentence() {
    // Measured: one clip empty (its only segment, "Please register me for the
    // field's actions in my long morning.", scored -0.92 and was dropped),
    // the other four at most 3 of 11 words foreign (mean WER 0.393; with
    // everything off 0.440, "…turn a few old-fashioned tomorrow morning" and
    // "…the can be found on the floor" were kept). The rule allows half.
    let (_, clips) = run_condition("white5");
    for (reference, t) in clips {
        let vocab = words(&reference);
        let hyp = words(&t.text);
        let foreign = hyp.iter().filter(|w| !vocab.contains(w)).count();
        assert!(foreign * 2 <= hyp.len(), "{foreign} of {} words are not in {reference:?}: {:?}", hyp.len(), t.text);
    }
}

/// No speech at all: the voice gate finds none, so Whisper is not even run
/// (`audio_ctx == 0`) and the transcript is empty.
#[test]
fn noise_alone_is_skipped_without_running_whisper() {
    let mut slot = slot();
    for name in ["noise-white.flac", "noise-pink.flac"] {
        let t = transcribe(&mut slot, &samples(name));
        assert_eq!(t.text, "", "{name}: {t:?}");
        assert!(t.segments.is_empty(), "{name}");
        assert_eq!(t.timings.audio_ctx, 0, "{name}: Whisper ran on {} s", t.timings.speech_s);
    }
    let t = transcribe(&mut slot, &vec![0.0; 48_000]);
    assert_eq!((t.text.as_str(), t.timings.audio_ctx), ("", 0), "digital silence");
}

/// The gate cuts leading silence; timestamps still refer to the clip.
#[test]
fn timestamps_survive_the_voice_gate() {
    let mut audio = vec![0.0; 3 * 16_000];
    audio.extend(samples("clean-1.flac"));
    let t = transcribe(&mut slot(), &audio);
    let reference = &references()[0];
    assert!(word_error_rate(reference, &t.text) <= 0.2, "{:?}", t.text);
    assert!(t.timings.speech_s < t.duration - 2.0, "the silence went to Whisper: {:?}", t.timings);
    let first = t.segments.first().unwrap_or_else(|| panic!("no segments: {t:?}"));
    // Speech starts at 3.4 s; the gate pads it by 0.3 s.
    assert!(first.start >= 2.9, "{first:?}");
    assert!(t.segments.iter().all(|s| s.end <= t.duration), "{t:?}");
}

/// Everything switched off is the pipeline before the noise settings: clean
/// speech is still transcribed.
#[test]
fn the_stages_can_be_switched_off() {
    let mut slot = slot();
    slot.set_noise_robustness(NoiseRobustness::off()).expect("off is valid");
    let t = transcribe(&mut slot, &samples("clean-2.flac"));
    assert!(word_error_rate(&references()[1], &t.text) <= 0.1, "{:?}", t.text);
    assert_eq!(t.timings.speech_s, t.duration, "without the gate Whisper hears the whole clip");
    let bad = NoiseRobustness { vad_threshold: 2.0, ..NoiseRobustness::default() };
    assert_eq!(slot.set_noise_robustness(bad).err().map(|e| e.code()), Some("asr.invalid_options"));
}
