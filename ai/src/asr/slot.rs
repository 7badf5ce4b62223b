//! One worker slot: a whisper.cpp state and the transcription call.
//!
//! The call runs four stages, each switchable in [`NoiseRobustness`]:
//!
//! 1. RNNoise denoises the clip and scores each 10 ms for voice
//!    ([`super::denoise`]);
//! 2. the voice-activity gate keeps only the stretches with speech
//!    ([`super::vad`]); no speech at all returns an empty transcript without
//!    running Whisper;
//! 3. Whisper decodes what is left;
//! 4. the hallucination guards drop segments with a high no-speech
//!    probability, a low mean log-probability or repetitive text, and a
//!    transcript with more words than its speech could hold
//!    ([`super::guards`]).
//!
//! Why these decoding settings: the product transcribes short voice notes and
//! meeting snippets, where the worst failure is text nobody said. Greedy
//! decoding with no temperature fallback (unless configured) is deterministic
//! and cheapest; blank and non-speech tokens are suppressed; whisper.cpp
//! drops a window whose no-speech probability is over the threshold (its gate
//! also requires a low average log-probability, which `logprob_thold = 0`
//! makes always true), and the guards judge what it keeps.

use std::time::Instant;

use whisper_rs::{FullParams, SamplingStrategy, WhisperState};

use super::denoise::denoise;
use super::error::AsrError;
use super::guards::{GuardParams, SegmentScores, compression_ratio, judge, too_many_words};
use super::highpass::high_pass;
use super::model::AsrModel;
use super::nonspeech::{has_words, strip_non_speech};
use super::options::{TranscribeOptions, auto_audio_ctx};
use super::resample::WHISPER_SAMPLE_RATE;
use super::robustness::NoiseRobustness;
use super::transcript::{AsrTimings, DroppedSegment, Segment, Transcript};
use super::vad::{GateParams, SpeechMap};

/// whisper.cpp's own window gate: above this no-speech probability a window
/// counts as silence. Speech in the espeak-ng test clips scores 0.02–0.18.
/// (The segment guard uses [`NoiseRobustness::no_speech_threshold`].)
pub const NO_SPEECH_THRESHOLD: f32 = 0.6;

/// The temperature step of the optional fallback (OpenAI's 0.2).
const TEMPERATURE_STEP: f32 = 0.2;

/// A per-worker transcription slot. `Send`, so it can move into a worker
/// thread; not shared between threads (`transcribe` takes `&mut self`).
#[derive(Debug)]
pub struct AsrSlot {
    model: AsrModel,
    state: WhisperState,
    noise: NoiseRobustness,
}

impl AsrSlot {
    pub fn new(model: &AsrModel) -> Result<Self, AsrError> {
        let state = model.context().create_state()?;
        Ok(Self { model: model.clone(), state, noise: model.noise_robustness().clone() })
    }

    /// Replaces this slot's noise settings (the model's by default).
    pub fn set_noise_robustness(&mut self, noise: NoiseRobustness) -> Result<(), AsrError> {
        noise.validate()?;
        self.noise = noise;
        Ok(())
    }

    pub fn noise_robustness(&self) -> &NoiseRobustness {
        &self.noise
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
        if let Some(n) = opts.audio_ctx {
            self.audio_ctx(Some(n), duration)?;
        }

        let started = Instant::now();
        let (speech, map) = self.front_end(audio)?;
        let frontend_ms = started.elapsed().as_secs_f64() * 1e3;
        let speech_s = speech.len() as f32 / WHISPER_SAMPLE_RATE as f32;
        if map.is_empty() {
            // Nobody spoke: nothing for Whisper to do. (A multilingual model
            // asked to detect the language has nothing to detect it from;
            // "en" stands in.)
            return Ok(Transcript {
                text: String::new(),
                language: language.unwrap_or_else(|| "en".into()),
                duration,
                segments: Vec::new(),
                timings: AsrTimings { total_ms: frontend_ms, frontend_ms, speech_s: 0.0, audio_ctx: 0 },
                dropped: Vec::new(),
            });
        }
        let audio_ctx = self.audio_ctx(opts.audio_ctx, speech_s)?;

        let strategy = match self.noise.beam_size {
            0 | 1 => SamplingStrategy::Greedy { best_of: 1 },
            n => SamplingStrategy::BeamSearch { beam_size: n as i32, patience: -1.0 },
        };
        let mut params = FullParams::new(strategy);
        params.set_n_threads(threads);
        params.set_language(Some(language.as_deref().unwrap_or("auto")));
        params.set_translate(false);
        params.set_no_context(true);
        params.set_single_segment(false);
        params.set_no_timestamps(false);
        params.set_suppress_blank(true);
        params.set_suppress_nst(true);
        params.set_temperature(opts.temperature);
        params.set_no_speech_thold(NO_SPEECH_THRESHOLD);
        if self.noise.temperature_fallback {
            // whisper.cpp re-decodes a window whose mean log-probability or
            // token entropy fails, at +0.2 temperature each time.
            params.set_temperature_inc(TEMPERATURE_STEP);
            params.set_logprob_thold(self.noise.logprob_threshold.max(-10.0));
        } else {
            params.set_temperature_inc(0.0);
            params.set_logprob_thold(0.0);
        }
        params.set_audio_ctx(audio_ctx);
        params.set_print_special(false);
        params.set_print_progress(false);
        params.set_print_realtime(false);
        params.set_print_timestamps(false);
        if let Some(p) = prompt {
            params.set_initial_prompt(p);
        }

        self.state.full(params, &speech)?;
        let total_ms = started.elapsed().as_secs_f64() * 1e3;

        let language = match language {
            Some(l) => l,
            None => whisper_rs::get_lang_str(self.state.full_lang_id_from_state()).unwrap_or("en").to_string(),
        };
        let (segments, dropped) = self.segments(duration, speech_s, &map)?;
        let text = segments.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join(" ");
        let timings = AsrTimings { total_ms, frontend_ms, speech_s, audio_ctx };
        Ok(Transcript { text, language, duration, segments, timings, dropped })
    }

    /// Denoiser and voice gate: what Whisper should see, and where it lies
    /// in the clip.
    fn front_end(&self, audio: &[f32]) -> Result<(Vec<f32>, SpeechMap), AsrError> {
        let n = &self.noise;
        let filtered;
        let audio = if n.highpass_hz > 0.0 {
            let mut f = audio.to_vec();
            high_pass(&mut f, n.highpass_hz);
            filtered = f;
            &filtered[..]
        } else {
            audio
        };
        if !n.denoise && !n.vad {
            return Ok((audio.to_vec(), SpeechMap::whole(audio.len())));
        }
        let mut fe = denoise(audio)?;
        if n.denoise && n.denoise_mix < 1.0 {
            let keep = 1.0 - n.denoise_mix;
            for (d, o) in fe.samples.iter_mut().zip(audio) {
                *d = *d * n.denoise_mix + *o * keep;
            }
        }
        let source = if n.denoise { &fe.samples[..] } else { audio };
        if !n.vad {
            return Ok((source.to_vec(), SpeechMap::whole(audio.len())));
        }
        let gate =
            GateParams { threshold: n.vad_threshold, padding_ms: n.vad_padding_ms, min_speech_ms: n.vad_min_speech_ms };
        let map = SpeechMap::detect(&fe.voice_prob, audio.len(), gate);
        Ok((map.gather(source), map))
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

    /// The state's segments minus silence, annotations and what the guards
    /// reject, timestamps mapped back onto the clip.
    fn segments(
        &self,
        duration: f32,
        speech_s: f32,
        map: &SpeechMap,
    ) -> Result<(Vec<Segment>, Vec<DroppedSegment>), AsrError> {
        let n = &self.noise;
        let guard = GuardParams {
            no_speech_threshold: n.no_speech_threshold,
            logprob_threshold: n.logprob_threshold,
            compression_ratio_threshold: n.compression_ratio_threshold,
        };
        let eot = self.model.context().token_eot();
        let (mut out, mut dropped) = (Vec::new(), Vec::new());
        for seg in self.state.as_iter() {
            let text = strip_non_speech(&seg.to_str_lossy()?);
            if !has_words(&text) {
                continue;
            }
            let (mut sum, mut count) = (0.0f32, 0u32);
            for i in 0..seg.n_tokens() {
                let Some(token) = seg.get_token(i) else { continue };
                let data = token.token_data();
                // Text tokens only: special and timestamp tokens sit above EOT.
                if data.id < eot && data.plog.is_finite() {
                    sum += data.plog;
                    count += 1;
                }
            }
            let scores = SegmentScores {
                no_speech_prob: seg.no_speech_probability(),
                avg_logprob: if count == 0 { 0.0 } else { sum / count as f32 },
                compression_ratio: compression_ratio(&text),
            };
            if let Some(reason) = judge(&scores, &guard) {
                dropped.push(DroppedSegment { text, reason, scores });
                continue;
            }
            // whisper.cpp timestamps are centiseconds in the gathered audio;
            // a reduced encoder window can push them past its end.
            let start = map.source_time(seg.start_timestamp() as f32 / 100.0).clamp(0.0, duration);
            let end = map.source_time(seg.end_timestamp() as f32 / 100.0).clamp(start, duration);
            out.push(Segment { start, end, text, scores });
        }
        // The final rule: more words than the speech could hold were not heard.
        let words: usize = out.iter().map(|s| s.text.split_whitespace().count()).sum();
        if too_many_words(words, speech_s, n.max_words_per_second) {
            dropped.extend(out.drain(..).map(|s| DroppedSegment {
                text: s.text,
                reason: super::guards::Rejection::TooManyWords,
                scores: s.scores,
            }));
        }
        Ok((out, dropped))
    }
}
