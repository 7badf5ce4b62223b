//! One worker slot: a whisper.cpp state and the transcription call.
//!
//! Why these decoding settings: the product transcribes short voice notes and
//! meeting snippets, where the worst failure is text nobody said. Greedy
//! decoding with no temperature fallback is deterministic and cheapest;
//! blank and non-speech tokens are suppressed; and silence is gated twice:
//! whisper.cpp drops a window whose no-speech probability is over the
//! threshold (its gate also requires a low average log-probability, which
//! `logprob_thold = 0` makes always true), and segments that still carry a
//! high no-speech probability or only bracketed annotations are dropped here.

use std::time::Instant;

use whisper_rs::{FullParams, SamplingStrategy, WhisperState};

use super::error::AsrError;
use super::model::AsrModel;
use super::nonspeech::{has_words, strip_non_speech};
use super::options::{TranscribeOptions, auto_audio_ctx};
use super::resample::WHISPER_SAMPLE_RATE;
use super::transcript::{AsrTimings, Segment, Transcript};

/// Above this no-speech probability a window or segment counts as silence.
/// Speech in the espeak-ng test clips scores 0.02–0.18.
pub const NO_SPEECH_THRESHOLD: f32 = 0.6;

/// A per-worker transcription slot. `Send`, so it can move into a worker
/// thread; not shared between threads (`transcribe` takes `&mut self`).
#[derive(Debug)]
pub struct AsrSlot {
    model: AsrModel,
    state: WhisperState,
}

impl AsrSlot {
    pub fn new(model: &AsrModel) -> Result<Self, AsrError> {
        let state = model.context().create_state()?;
        Ok(Self { model: model.clone(), state })
    }

    /// Transcribes 16 kHz mono samples (see [`decode_audio`](super::decode_audio)).
    pub fn transcribe(&mut self, audio: &[f32], opts: &TranscribeOptions) -> Result<Transcript, AsrError> {
        if audio.is_empty() {
            return Err(AsrError::EmptyAudio);
        }
        if audio.iter().any(|s| !s.is_finite()) {
            return Err(AsrError::InvalidAudio("samples must be finite".into()));
        }
        let duration = audio.len() as f32 / WHISPER_SAMPLE_RATE as f32;
        let language = self.language(opts.language.as_deref())?;
        let audio_ctx = self.audio_ctx(opts.audio_ctx, duration)?;
        let threads = i32::try_from(opts.threads)
            .ok()
            .filter(|t| *t >= 1)
            .ok_or_else(|| AsrError::InvalidOptions(format!("threads must be at least 1, got {}", opts.threads)))?;
        if !(opts.temperature.is_finite() && (0.0..=1.0).contains(&opts.temperature)) {
            return Err(AsrError::InvalidOptions(format!("temperature must be in 0..=1, got {}", opts.temperature)));
        }
        let prompt = opts.prompt.as_deref().filter(|p| !p.trim().is_empty());
        if prompt.is_some_and(|p| p.contains('\0')) {
            return Err(AsrError::InvalidOptions("the prompt contains a NUL character".into()));
        }

        let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
        params.set_n_threads(threads);
        params.set_language(Some(language.as_deref().unwrap_or("auto")));
        params.set_translate(false);
        params.set_no_context(true);
        params.set_single_segment(false);
        params.set_no_timestamps(false);
        params.set_suppress_blank(true);
        params.set_suppress_nst(true);
        params.set_temperature(opts.temperature);
        params.set_temperature_inc(0.0);
        params.set_no_speech_thold(NO_SPEECH_THRESHOLD);
        params.set_logprob_thold(0.0);
        params.set_audio_ctx(audio_ctx);
        params.set_print_special(false);
        params.set_print_progress(false);
        params.set_print_realtime(false);
        params.set_print_timestamps(false);
        if let Some(p) = prompt {
            params.set_initial_prompt(p);
        }

        let started = Instant::now();
        self.state.full(params, audio)?;
        let total_ms = started.elapsed().as_secs_f64() * 1e3;

        let language = match language {
            Some(l) => l,
            None => whisper_rs::get_lang_str(self.state.full_lang_id_from_state()).unwrap_or("en").to_string(),
        };
        let segments = self.segments(duration)?;
        let text = segments.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join(" ");
        Ok(Transcript { text, language, duration, segments, timings: AsrTimings { total_ms, audio_ctx } })
    }

    /// `Some(code)` to force, `None` to detect. `.en` models only do English.
    fn language(&self, requested: Option<&str>) -> Result<Option<String>, AsrError> {
        let requested = requested.map(str::trim).filter(|l| !l.is_empty() && *l != "auto");
        if !self.model.is_multilingual() {
            return match requested {
                None | Some("en") => Ok(Some("en".into())),
                Some(other) => {
                    Err(AsrError::InvalidOptions(format!("the model is English-only, cannot transcribe `{other}`")))
                }
            };
        }
        match requested {
            None => Ok(None),
            Some(code) if code.contains('\0') || whisper_rs::get_lang_id(code).is_none() => {
                Err(AsrError::InvalidOptions(format!("unknown language `{code}`")))
            }
            Some(code) => Ok(Some(code.to_string())),
        }
    }

    fn audio_ctx(&self, requested: Option<i32>, duration: f32) -> Result<i32, AsrError> {
        let full = self.model.context().n_audio_ctx();
        match requested {
            None => Ok(auto_audio_ctx(duration).min(full)),
            Some(n) if (1..=full).contains(&n) => Ok(n),
            Some(n) => Err(AsrError::InvalidOptions(format!("audio_ctx must be in 1..={full}, got {n}"))),
        }
    }

    /// The state's segments minus silence and annotations, clamped to the clip.
    fn segments(&self, duration: f32) -> Result<Vec<Segment>, AsrError> {
        let mut out = Vec::new();
        for seg in self.state.as_iter() {
            if seg.no_speech_probability() > NO_SPEECH_THRESHOLD {
                continue;
            }
            let text = strip_non_speech(&seg.to_str_lossy()?);
            if !has_words(&text) {
                continue;
            }
            // whisper.cpp timestamps are centiseconds; a reduced encoder
            // window can push them past the end of the clip.
            let start = (seg.start_timestamp() as f32 / 100.0).clamp(0.0, duration);
            let end = (seg.end_timestamp() as f32 / 100.0).clamp(start, duration);
            out.push(Segment { start, end, text });
        }
        Ok(out)
    }
}
