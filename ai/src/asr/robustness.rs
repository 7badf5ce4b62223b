//! The operator's knobs for noisy input: denoiser, voice-activity gate and
//! hallucination guards, kept in one serde struct so the API's settings file
//! can carry it as is (`[asr.noise]`).
//!
//! Why per model and not per request: these are properties of the deployment
//! (the hall, the microphones, how much invented text is tolerable), not of
//! one clip, and keeping them out of [`TranscribeOptions`](super::TranscribeOptions)
//! leaves that request-level struct unchanged for its callers.
//!
//! The defaults are the measured best on the committed noisy fixtures
//! (`ai/tests/asr_noise.rs`, `asr_noise_bench`): each one is justified next
//! to its field.

use serde::{Deserialize, Serialize};

use super::error::AsrError;

/// Noise-robustness settings of an [`AsrModel`](super::AsrModel) and its slots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NoiseRobustness {
    /// Cut-off of a high-pass filter applied first, in Hz (0 = none). Off by
    /// default: 150–400 Hz moved pink 5 dB by −0.02…+0.12 WER and babble
    /// 10 dB by +0.04…+0.08, i.e. no reliable gain.
    pub highpass_hz: f32,
    /// Run RNNoise (nnnoiseless) over the audio before Whisper sees it.
    pub denoise: bool,
    /// How much of the denoised signal Whisper hears (1 = only the denoised
    /// clip, 0.5 = half denoised, half original). Why not 1: RNNoise alone
    /// distorts the voice enough to cost tiny.en words (pink 5 dB: 0.179 →
    /// 0.325 mean WER); half and half keeps the voice and still lowers the
    /// noise (pink 5 dB 0.135, babble 10 dB 0.153 → 0.093, white 5 dB 0.44 →
    /// 0.30; 0.3 and 0.7 were worse).
    pub denoise_mix: f32,
    /// Skip what the voice-activity detector calls non-speech; a clip with no
    /// speech at all gets an empty transcript without running Whisper.
    pub vad: bool,
    /// RNNoise's per-10 ms voice probability above which a frame is speech.
    /// Speech frames in the fixtures score 0.7–1.0 even at 5 dB SNR; noise
    /// alone stays under 0.4 after the network's first ~50 ms.
    pub vad_threshold: f32,
    /// Audio kept either side of each speech stretch, in milliseconds: onsets
    /// and trailing consonants score low and must not be cut (300 and 500
    /// gave the same WER; 300 sends less audio to Whisper).
    pub vad_padding_ms: u32,
    /// Stretches of speech shorter than this (ms) are ignored as clicks.
    pub vad_min_speech_ms: u32,
    /// A segment whose no-speech probability is above this is dropped.
    pub no_speech_threshold: f32,
    /// A segment whose mean token log-probability is below this is dropped
    /// (OpenAI's `logprob_threshold` is −1, as a retry trigger). −0.8: every
    /// right or nearly right segment of the clean, babble and pink fixtures
    /// scored ≥ −0.65; the white-noise segments that were mostly invented
    /// scored −0.83…−0.93.
    pub logprob_threshold: f32,
    /// A segment whose text compresses (deflate) better than this ratio is
    /// repetitive — a decoding loop — and is dropped (OpenAI's 2.4).
    pub compression_ratio_threshold: f32,
    /// A transcript with more words than this per second of speech given to
    /// Whisper (plus one second of grace) is dropped whole: nobody speaks at
    /// more than ~5 words a second, decoding loops do.
    pub max_words_per_second: f32,
    /// Beam width of the decoder; 1 = greedy. Beam 5 was worse on noise
    /// (babble 10 dB 0.225, pink 5 dB 0.286) and 35 % slower.
    pub beam_size: u32,
    /// Let whisper.cpp re-decode a window whose mean log-probability is below
    /// `logprob_threshold` (or whose tokens repeat), at +0.2 temperature each
    /// time, before the guards judge it. Costs extra decoder passes on noise;
    /// off by default since it changed no babble or pink figure.
    pub temperature_fallback: bool,
}

impl Default for NoiseRobustness {
    fn default() -> Self {
        Self {
            highpass_hz: 0.0,
            denoise: true,
            denoise_mix: 0.5,
            vad: true,
            vad_threshold: 0.5,
            vad_padding_ms: 300,
            vad_min_speech_ms: 100,
            no_speech_threshold: 0.6,
            logprob_threshold: -0.8,
            compression_ratio_threshold: 2.4,
            max_words_per_second: 5.0,
            beam_size: 1,
            temperature_fallback: false,
        }
    }
}

impl NoiseRobustness {
    /// Everything off: Whisper on the raw audio with only the segment gate it
    /// always had (the behaviour before these settings existed).
    pub fn off() -> Self {
        Self {
            highpass_hz: 0.0,
            denoise: false,
            vad: false,
            logprob_threshold: f32::NEG_INFINITY,
            compression_ratio_threshold: f32::INFINITY,
            max_words_per_second: f32::INFINITY,
            beam_size: 1,
            temperature_fallback: false,
            ..Self::default()
        }
    }

    /// Refuses values that would silently disable or break a stage.
    pub fn validate(&self) -> Result<(), AsrError> {
        let bad = |what: &str| Err(AsrError::InvalidOptions(format!("asr noise settings: {what}")));
        if !(0.0..=1.0).contains(&self.vad_threshold) {
            return bad("vad_threshold must be in 0..=1");
        }
        if !(0.0..=1.0).contains(&self.no_speech_threshold) {
            return bad("no_speech_threshold must be in 0..=1");
        }
        if self.logprob_threshold.is_nan() || self.logprob_threshold > 0.0 {
            return bad("logprob_threshold must be ≤ 0");
        }
        if self.compression_ratio_threshold.is_nan() || self.compression_ratio_threshold <= 0.0 {
            return bad("compression_ratio_threshold must be > 0");
        }
        if !(0.0..=1000.0).contains(&self.highpass_hz) {
            return bad("highpass_hz must be in 0..=1000");
        }
        if !(0.0..=1.0).contains(&self.denoise_mix) {
            return bad("denoise_mix must be in 0..=1");
        }
        if !(1..=8).contains(&self.beam_size) {
            return bad("beam_size must be in 1..=8");
        }
        if self.max_words_per_second.is_nan() || self.max_words_per_second <= 0.0 {
            return bad("max_words_per_second must be > 0");
        }
        if self.vad_padding_ms > 5_000 || self.vad_min_speech_ms > 5_000 {
            return bad("vad_padding_ms and vad_min_speech_ms must be ≤ 5000");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_off_are_valid_and_bad_values_are_refused() {
        assert!(NoiseRobustness::default().validate().is_ok());
        assert!(NoiseRobustness::off().validate().is_ok());
        for bad in [
            NoiseRobustness { vad_threshold: 1.5, ..NoiseRobustness::default() },
            NoiseRobustness { no_speech_threshold: f32::NAN, ..NoiseRobustness::default() },
            NoiseRobustness { logprob_threshold: 0.5, ..NoiseRobustness::default() },
            NoiseRobustness { compression_ratio_threshold: 0.0, ..NoiseRobustness::default() },
            NoiseRobustness { vad_padding_ms: 60_000, ..NoiseRobustness::default() },
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
    }
}
